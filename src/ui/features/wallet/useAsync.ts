// SPDX-License-Identifier: GPL-3.0-or-later
import { useEffect, useState } from 'react'

/** The latest result of `load`, re-run when `deps` change; the previous value stays shown while loading. */
export function useAsync<T> (load: (() => Promise<T>) | undefined, deps: readonly unknown[]): { value?: T, error?: Error, loading: boolean } {
  const [state, setState] = useState<{ value?: T, error?: Error, loading: boolean }>({ loading: load != null })
  useEffect(() => {
    if (load == null) { setState({ loading: false }); return }
    let current = true
    setState(s => ({ ...s, loading: true }))
    load().then(
      value => { if (current) setState({ value, loading: false }) },
      (error: unknown) => { if (current) setState(s => ({ value: s.value, error: error as Error, loading: false })) }
    )
    return () => { current = false }
    // the caller lists what `load` depends on in `deps`
  }, deps)
  return state
}
