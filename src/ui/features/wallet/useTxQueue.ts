// SPDX-License-Identifier: GPL-3.0-or-later
import { useCallback, useRef, useState } from 'react'
import { describeTxError, eventNames } from './util.ts'
import type { TrackTx, TxItem } from './types.ts'

/** At most this many entries are kept (oldest dropped). */
const MAX_ITEMS = 20

/** The pending-transaction queue: `track` submits through it, `items` is what {@link TxQueue} shows. */
export function useTxQueue (): { items: TxItem[], track: TrackTx, dismiss: (id: number) => void } {
  const [items, setItems] = useState<TxItem[]>([])
  const nextId = useRef(1)

  const update = useCallback((id: number, patch: Partial<TxItem>) => {
    setItems(prev => prev.map(i => i.id === id ? { ...i, ...patch } : i))
  }, [])

  const track = useCallback<TrackTx>(async (label, start) => {
    const id = nextId.current++
    setItems(prev => [{ id, label, status: 'signing' as const }, ...prev].slice(0, MAX_ITEMS))
    const fail = (err: unknown): never => {
      update(id, { status: 'failed', error: describeTxError(err), errorName: (err as Error)?.name })
      throw err
    }
    let handle
    try {
      handle = await start()
    } catch (err) {
      return fail(err)
    }
    handle.addEventListener('tx:ready', () => { update(id, { status: 'ready' }) })
    handle.addEventListener('tx:in-block', (e) => { update(id, { status: 'in-block', blockHash: e.detail.blockHash, blockNumber: e.detail.blockNumber }) })
    try {
      const done = await handle.finalized
      update(id, { status: 'finalized', blockHash: done.blockHash, blockNumber: done.blockNumber, events: eventNames(done.events) })
      return done
    } catch (err) {
      return fail(err)
    }
  }, [update])

  const dismiss = useCallback((id: number) => { setItems(prev => prev.filter(i => i.id !== id)) }, [])
  return { items, track, dismiss }
}
