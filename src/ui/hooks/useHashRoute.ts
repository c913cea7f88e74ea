// SPDX-License-Identifier: GPL-3.0-or-later
import { useSyncExternalStore } from 'react'
import { parseRoute } from '../routes.ts'
import type { Route } from '../routes.ts'

function subscribe (onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange)
  return () => { window.removeEventListener('hashchange', onChange) }
}

/** The page named by the location hash, updated on 'hashchange'. */
export function useHashRoute (): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash, () => '')
  return parseRoute(hash)
}
