// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Wires the page's node to the MSE player, outside React: accepted segments (gossip, the live fetch at
 * join, init segments fetched by hash) go to the player. The watch hook only subscribes to it.
 */
import { loadBrowserConfig, startBrowserNode } from '../../../app/browser.ts'
import type { BrowserNodeConfig } from '../../../app/browser.ts'
import type { AcceptedSegment, ViewerNode, ViewerStats } from '../../../app/types.ts'
import { MsePlayer } from '../../../platform/browser/mse-player.ts'
import type { MsePlayerStats } from '../../../platform/browser/mse-player.ts'
import type { WatchPhase } from './util.ts'

/** What tests reach through `window.__nsn` once the watch page started. */
export interface NsnTestHandle {
  node: ViewerNode
  player: MsePlayer
}

declare global {
  interface Window {
    __nsn?: NsnTestHandle
  }
}

/** A consistent view of the session for the UI. */
export interface WatchSnapshot {
  phase: WatchPhase
  error?: string
  config?: BrowserNodeConfig
  node?: ViewerStats
  player?: MsePlayerStats
  /** `Date.now()` when taken. */
  atMs: number
}

/** A running watch session. */
export interface PlayerController {
  snapshot: () => WatchSnapshot
  /** Calls `listener` when the phase changes; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void
  setMuted: (muted: boolean) => void
  stop: () => Promise<void>
}

/** How often the join fetch is retried while nothing has been appended, ms. */
const LIVE_FETCH_RETRY_MS = 2000
/** Hold for a segment behind a missing one (out-of-order gossip), ms. */
const JITTER_MS = 300

/**
 * Starts the node and plays its channel into `video`.
 *
 * @example
 * const controller = startPlayerController(videoElement)
 * controller.subscribe(() => render(controller.snapshot()))
 */
export function startPlayerController (video: HTMLVideoElement): PlayerController {
  const shutdown = new AbortController()
  const { signal } = shutdown
  const listeners = new Set<() => void>()
  const fetchingInits = new Set<string>()
  const player = new MsePlayer(video, { jitterMs: JITTER_MS })
  let phase: WatchPhase = 'connecting'
  let error: string | undefined
  let config: BrowserNodeConfig | undefined
  let node: ViewerNode | undefined

  const notify = (): void => { for (const l of listeners) l() }
  const setPhase = (next: WatchPhase, message?: string): void => {
    if (next === phase && message === error) return
    phase = next
    error = message
    notify()
  }

  const push = (segment: AcceptedSegment): void => {
    player.push(segment)
    for (const hash of player.missingInits()) {
      if (fetchingInits.has(hash) || node == null) continue
      fetchingInits.add(hash)
      node.fetchSegment(hash, { signal })
        .then(push)
        .catch((err: Error) => { if (!signal.aborted) console.warn('init segment fetch failed', hash, err) })
        .finally(() => { fetchingInits.delete(hash) })
    }
  }
  const onSegment = (evt: CustomEvent<AcceptedSegment>): void => { push(evt.detail) }

  player.addEventListener('state:change', evt => {
    if (evt.detail === 'error') setPhase('error', player.stats().error)
    else if (node != null) setPhase(evt.detail)
  })

  const run = async (): Promise<void> => {
    player.start()
    config = await loadBrowserConfig({ signal })
    notify()
    const started: ViewerNode = await startBrowserNode(config)
    if (signal.aborted) {
      await started.stop()
      return
    }
    node = started
    window.__nsn = { node: started, player }
    started.addEventListener('segment:accepted', onSegment)
    setPhase(player.state === 'playing' ? 'playing' : 'waiting')
    // Join without waiting for the next gossip: the init and the newest keyframe segment from a peer.
    let warned = false
    while (!signal.aborted && player.appendedLog.length === 0) {
      try {
        for (const segment of await started.fetchLive({ signal })) push(segment)
      } catch (err) {
        if (!signal.aborted && !warned) console.warn('live fetch failed, retrying until a peer has the channel', err)
        warned = true
      }
      if (player.appendedLog.length > 0) break
      await new Promise(resolve => setTimeout(resolve, LIVE_FETCH_RETRY_MS))
    }
  }
  run().catch((err: Error) => {
    if (!signal.aborted) setPhase('error', err.message)
  })

  return {
    snapshot: () => ({ phase, error, config, node: node?.stats(), player: player.stats(), atMs: Date.now() }),
    subscribe: listener => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    setMuted: muted => { player.setMuted(muted) },
    stop: async () => {
      shutdown.abort()
      listeners.clear()
      node?.removeEventListener('segment:accepted', onSegment)
      player.stop()
      if (window.__nsn?.player === player) delete window.__nsn
      await node?.stop()
    }
  }
}
