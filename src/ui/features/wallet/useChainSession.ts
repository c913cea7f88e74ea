// SPDX-License-Identifier: GPL-3.0-or-later
import { useEffect, useState } from 'react'
import { connectChain } from '../../../core/chain/client.ts'
import type { ChainHeads, ChainSession } from './types.ts'
import type { ChainClient } from '../../../core/chain/index.ts'

/** Where a chain connection stands. */
export type ChainSessionState =
  | { phase: 'idle' }
  | { phase: 'connecting', endpoint: string }
  | { phase: 'connected', session: ChainSession }
  | { phase: 'error', endpoint: string, error: Error }

/** How long to wait for the chain (ms). */
const CONNECT_TIMEOUT_MS = 20_000

/**
 * Connects a {@link ChainClient} to `endpoint` for the component's lifetime (or until the endpoint
 * changes) and reads what the chain offers. `@polkadot/api` is loaded here, lazily.
 */
export function useChainSession (endpoint: string | undefined): ChainSessionState {
  const [state, setState] = useState<ChainSessionState>({ phase: 'idle' })
  useEffect(() => {
    if (endpoint == null) { setState({ phase: 'idle' }); return }
    const controller = new AbortController()
    let client: ChainClient | undefined
    setState({ phase: 'connecting', endpoint })
    const run = async (): Promise<void> => {
      const c = await connectChain(endpoint, { signal: controller.signal, timeoutMs: CONNECT_TIMEOUT_MS })
      if (controller.signal.aborted) { await c.disconnect(); return }
      client = c
      const info = await c.chainInfo()
      if (controller.signal.aborted) return
      setState({ phase: 'connected', session: { endpoint, client: c, info, hasNsn: c.hasNsnPallets(), features: c.nsnFeatures() } })
    }
    run().catch((err: unknown) => {
      if (!controller.signal.aborted) setState({ phase: 'error', endpoint, error: err as Error })
    })
    return () => {
      controller.abort()
      void client?.disconnect().catch((err: unknown) => { console.warn('disconnecting from the chain failed', err) })
    }
  }, [endpoint])
  return state
}

/** The best and finalized block numbers, live. */
export function useChainHeads (client: ChainClient | undefined): ChainHeads {
  const [heads, setHeads] = useState<ChainHeads>({})
  useEffect(() => {
    if (client == null) return
    let stopped = false
    const unsubs: Array<() => void> = []
    const keep = (unsub: () => void): void => { if (stopped) unsub(); else unsubs.push(unsub) }
    const onError = (err: unknown): void => { if (!stopped) setHeads(h => ({ ...h, error: err as Error })) }
    client.subscribeHeads(h => { setHeads(prev => ({ ...prev, best: h.number })) }).then(keep, onError)
    client.subscribeFinalizedHeads(h => { setHeads(prev => ({ ...prev, finalized: h.number })) }).then(keep, onError)
    return () => {
      stopped = true
      for (const u of unsubs) u()
    }
  }, [client])
  return heads
}
