// SPDX-License-Identifier: GPL-3.0-or-later
import { useEffect, useState } from 'react'
import { loadBrowserConfig } from '../../../app/browser.ts'

/** Where the page's pinned models are served, from the page config (`models`, default `/models/`). */
export type ModelsBaseUrlState =
  | { status: 'loading' }
  | { status: 'ready', url: string }
  | { status: 'failed', error: string }

/** Loads the page config once for its models base URL; a config that does not load is an error, not a default. */
export function useModelsBaseUrl (): ModelsBaseUrlState {
  const [state, setState] = useState<ModelsBaseUrlState>({ status: 'loading' })
  useEffect(() => {
    const controller = new AbortController()
    loadBrowserConfig({ signal: controller.signal }).then(
      config => { if (!controller.signal.aborted) setState({ status: 'ready', url: config.models }) },
      (err: unknown) => { if (!controller.signal.aborted) setState({ status: 'failed', error: (err as Error).message }) }
    )
    return () => { controller.abort() }
  }, [])
  return state
}
