// SPDX-License-Identifier: GPL-3.0-or-later
/** The pages of the app, addressed by the URL hash (`#/watch`). */

/** A page. */
export interface Route {
  id: RouteId
  label: string
  /** False for pages that arrive in a later release: they show a placeholder, nothing else. */
  available: boolean
}

export type RouteId = 'watch' | 'director' | 'wallet' | 'dashboard' | 'settings'

/** Every page, in navigation order. */
export const ROUTES: readonly Route[] = [
  { id: 'watch', label: 'Watch', available: true },
  { id: 'director', label: 'Director', available: true },
  { id: 'wallet', label: 'Wallet', available: true },
  { id: 'dashboard', label: 'Dashboard', available: false },
  { id: 'settings', label: 'Settings', available: false }
]

/** The page that opens without a hash or with an unknown one. */
export const DEFAULT_ROUTE: RouteId = 'watch'

/** Reads the page from a location hash: `#/wallet`, `#wallet` → 'wallet'; anything else → watch. */
export function parseRoute (hash: string): Route {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0]
  return ROUTES.find(r => r.id === id) ?? ROUTES.find(r => r.id === DEFAULT_ROUTE) as Route
}

/** The hash that opens a page. */
export function routeHref (id: RouteId): string {
  return `#/${id}`
}
