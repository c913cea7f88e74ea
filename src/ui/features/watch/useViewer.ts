// SPDX-License-Identifier: GPL-3.0-or-later
import { useCallback, useEffect, useRef, useState } from 'react'
import type { RefObject } from 'react'
import { startPlayerController } from './player-controller.ts'
import type { PlayerController, WatchSnapshot } from './player-controller.ts'
import { bitrateKbps } from './util.ts'
import type { ByteSample } from './util.ts'

/** How often the stats panel refreshes, ms. */
const STATS_INTERVAL_MS = 1000

/** What the watch page renders. */
export interface ViewerView extends WatchSnapshot {
  /** Inbound bitrate over the last refresh, kbit/s. */
  bitrateInKbps?: number
  muted: boolean
  setMuted: (muted: boolean) => void
}

/**
 * Runs a watch session on the video element behind `videoRef` for the component's lifetime and
 * re-renders on phase changes and once a second for the stats.
 */
export function useViewer (videoRef: RefObject<HTMLVideoElement | null>): ViewerView {
  const controller = useRef<PlayerController | null>(null)
  const lastBytes = useRef<ByteSample | undefined>(undefined)
  const [view, setView] = useState<{ snapshot: WatchSnapshot, bitrateInKbps?: number }>(
    () => ({ snapshot: { phase: 'connecting', atMs: Date.now() } }))

  useEffect(() => {
    const video = videoRef.current
    if (video == null) return
    const c = startPlayerController(video)
    controller.current = c
    const refresh = (): void => {
      const snapshot = c.snapshot()
      const sample = snapshot.node != null ? { bytes: snapshot.node.bytesIn, atMs: snapshot.atMs } : undefined
      const rate = sample != null ? bitrateKbps(lastBytes.current, sample) : undefined
      if (sample != null) lastBytes.current = sample
      setView(prev => ({ snapshot, bitrateInKbps: rate ?? prev.bitrateInKbps }))
    }
    const unsubscribe = c.subscribe(refresh)
    const timer = setInterval(refresh, STATS_INTERVAL_MS)
    return () => {
      unsubscribe()
      clearInterval(timer)
      controller.current = null
      lastBytes.current = undefined
      c.stop().catch((err: unknown) => { console.warn('stopping the watch session failed', err) })
    }
  }, [videoRef])

  const setMuted = useCallback((muted: boolean) => {
    controller.current?.setMuted(muted)
    const c = controller.current
    if (c != null) setView(prev => ({ ...prev, snapshot: c.snapshot() }))
  }, [])

  return { ...view.snapshot, bitrateInKbps: view.bitrateInKbps, muted: view.snapshot.player?.muted ?? true, setMuted }
}
