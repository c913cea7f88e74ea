// SPDX-License-Identifier: GPL-3.0-or-later
import { useEffect, useState } from 'react'
import { probeCapabilities } from '../../../platform/browser/capabilities.ts'
import type { Capabilities } from '../../../platform/browser/capabilities.ts'

/** The browser's capability report, probed once on mount. */
export function useCapabilities (): { capabilities?: Capabilities, error?: string } {
  const [state, setState] = useState<{ capabilities?: Capabilities, error?: string }>({})
  useEffect(() => {
    const controller = new AbortController()
    probeCapabilities({ signal: controller.signal }).then(
      capabilities => { setState({ capabilities }) },
      (err: unknown) => { if (!controller.signal.aborted) setState({ error: (err as Error).message }) }
    )
    return () => { controller.abort() }
  }, [])
  return state
}
