// SPDX-License-Identifier: GPL-3.0-or-later
import { Suspense, lazy } from 'react'
import { ComingSoon } from './components/ComingSoon.tsx'
import { WatchPage } from './features/watch/index.tsx'
import { useHashRoute } from './hooks/useHashRoute.ts'
import { ROUTES, routeHref } from './routes.ts'

// The wallet page (and @polkadot/api with it) loads only when opened.
const WalletPage = lazy(async () => import('./features/wallet/index.tsx'))
// The director page (generation panel, stage workers) loads only when opened.
const DirectorPage = lazy(async () => import('./features/generate/index.tsx'))

/** The app shell: navigation and the current page. */
export function App () {
  const route = useHashRoute()
  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href={routeHref('watch')}>NSN Web</a>
        <nav aria-label="Main">
          <ul>
            {ROUTES.map(r => (
              <li key={r.id}>
                <a href={routeHref(r.id)} aria-current={r.id === route.id ? 'page' : undefined}>{r.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>
        {/* The watch page stays mounted, so that the node keeps running while another page shows. */}
        <div hidden={route.id !== 'watch'}>
          <WatchPage />
        </div>
        {route.id === 'wallet' && (
          <Suspense fallback={<p role="status">Loading the wallet…</p>}>
            <WalletPage />
          </Suspense>
        )}
        {route.id === 'director' && (
          <Suspense fallback={<p role="status">Loading the director page…</p>}>
            <DirectorPage />
          </Suspense>
        )}
        {!route.available && <ComingSoon title={route.label} />}
      </main>
    </div>
  )
}
