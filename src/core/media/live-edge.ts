// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The viewer's playback policy (DESIGN.md, "Media"): join at the newest keyframe, keep a small jitter
 * buffer, stay near the live edge, skip gaps and recover from stalls. Pure: the caller reads the media
 * element, asks for a decision and applies it.
 */
import {
  LIVE_CATCH_UP_RATE, LIVE_CATCH_UP_THRESHOLD_SEC, LIVE_EDGE_EPSILON_SEC, LIVE_MAX_LAG_SEC,
  LIVE_STALL_SKIP_SEC, LIVE_STALL_TIMEOUT_MS, LIVE_TARGET_LATENCY_SEC
} from './constants.ts'

/** A buffered time range in media seconds, `[start, end)`. */
export type TimeRange = readonly [start: number, end: number]

/** Tuning of {@link decideLiveEdge}. */
export interface LiveEdgeConfig {
  /**
   * Jitter buffer kept behind the newest buffered end, in seconds.
   * @default 0.3
   */
  targetLatencySec: number
  /**
   * Lag behind the newest buffered end beyond which the player seeks to live, in seconds.
   * @default 2.5
   */
  maxLagSec: number
  /**
   * Playback rate used while the lag exceeds the target by more than `catchUpThresholdSec`.
   * @default 1.05
   */
  catchUpRate: number
  /**
   * Lag above the target at which catch-up starts, in seconds.
   * @default 0.5
   */
  catchUpThresholdSec: number
  /**
   * How far a stalled player jumps over a small hole inside a buffered range, in seconds.
   * @default 0.1
   */
  stallSkipSec: number
  /**
   * How long the player may wait without progress before the policy intervenes, in ms.
   * @default 500
   */
  stallTimeoutMs: number
}

/** What the policy needs to know about the media element. */
export interface LiveEdgeState {
  /** Buffered ranges, sorted by start, as `HTMLMediaElement.buffered` gives them. */
  ranges: readonly TimeRange[]
  currentTime: number
  paused: boolean
  /** True between a `waiting` event and the next progress. */
  waiting: boolean
  /** Milliseconds since `currentTime` last advanced. */
  sinceProgressMs: number
  playbackRate: number
  /**
   * Lowest `newest buffered end − currentTime` over the last few seconds. Segments land whole, so the
   * instantaneous lag swings by a segment's duration; the floor is the real margin before starving.
   * Without it the policy judges the instantaneous lag.
   */
  lagFloorSec?: number
  /** Milliseconds since the join seek: playback holds `targetLatencySec` after it to fill the jitter buffer. */
  sinceJoinMs?: number
  /**
   * Media time (s) at which the newest keyframe segment starts. Set it until the player has joined
   * (applied the `'join'` seek); leave it undefined afterwards.
   */
  joinAt?: number
}

/** Why the policy asks for a seek. */
export type SeekReason = 'join' | 'gap' | 'stall' | 'live'

/** One decision; the caller applies it and asks again on the next tick. */
export type LiveEdgeDecision =
  | { type: 'wait' }
  | { type: 'seek', to: number, reason: SeekReason }
  | { type: 'rate', rate: number }
  | { type: 'play' }

/** Fills the defaults of a partial {@link LiveEdgeConfig}. */
export function resolveLiveEdgeConfig (init: Partial<LiveEdgeConfig> = {}): LiveEdgeConfig {
  return {
    targetLatencySec: init.targetLatencySec ?? LIVE_TARGET_LATENCY_SEC,
    maxLagSec: init.maxLagSec ?? LIVE_MAX_LAG_SEC,
    catchUpRate: init.catchUpRate ?? LIVE_CATCH_UP_RATE,
    catchUpThresholdSec: init.catchUpThresholdSec ?? LIVE_CATCH_UP_THRESHOLD_SEC,
    stallSkipSec: init.stallSkipSec ?? LIVE_STALL_SKIP_SEC,
    stallTimeoutMs: init.stallTimeoutMs ?? LIVE_STALL_TIMEOUT_MS
  }
}

const EPS = LIVE_EDGE_EPSILON_SEC
const WAIT: LiveEdgeDecision = { type: 'wait' }

/**
 * Decides what the player should do now.
 *
 * @example
 * const d = decideLiveEdge({ ranges: [[0, 4]], currentTime: 0, paused: true, waiting: false,
 *   sinceProgressMs: 0, playbackRate: 1, joinAt: 3 }, resolveLiveEdgeConfig())
 * // d = { type: 'seek', to: 3, reason: 'join' }
 */
export function decideLiveEdge (state: LiveEdgeState, config: LiveEdgeConfig): LiveEdgeDecision {
  const { ranges, currentTime: ct } = state
  const last = ranges[ranges.length - 1]
  if (last == null) return WAIT

  if (state.joinAt != null) return join(ranges, state.joinAt)

  const index = ranges.findIndex(([start, end]) => ct >= start - EPS && ct < end)
  const current = ranges[index]
  const next = current != null ? ranges[index + 1] : ranges.find(([start]) => start > ct)

  if (current == null) {
    // In a hole, before the first range, or past the end of everything.
    if (next != null) return seek(next[0], 'gap')
    if (ct > last[1] + 1) return seek(liveTarget(last, config), 'live')
    return WAIT
  }

  const ahead = current[1] - ct
  if (ahead < EPS) {
    // At the end of a range: jump over the gap if later data exists, else wait at the live edge.
    return next != null ? seek(next[0], 'gap') : WAIT
  }

  const stalled = !state.paused && state.sinceProgressMs >= config.stallTimeoutMs
  if (stalled && state.waiting) {
    // Data is there but playback does not move: jump past the small hole that holds it.
    if (ahead > config.stallSkipSec + EPS) return seek(ct + config.stallSkipSec, 'stall')
    if (next != null) return seek(next[0], 'gap')
    return WAIT
  }

  const lag = Math.min(state.lagFloorSec ?? Infinity, last[1] - ct)
  // Move the playhead so that the margin left before starving becomes the target.
  if (lag > config.maxLagSec) return seek(ct + lag - config.targetLatencySec, 'live')
  if (state.paused) {
    return state.sinceJoinMs != null && state.sinceJoinMs < config.targetLatencySec * 1000 ? WAIT : { type: 'play' }
  }

  const catchingUp = state.playbackRate > 1
  const threshold = config.targetLatencySec + (catchingUp ? config.catchUpThresholdSec / 10 : config.catchUpThresholdSec)
  return { type: 'rate', rate: lag > threshold ? config.catchUpRate : 1 }
}

function join (ranges: readonly TimeRange[], joinAt: number): LiveEdgeDecision {
  const containing = ranges.find(([start, end]) => joinAt >= start - EPS && joinAt < end)
  if (containing != null) return seek(Math.max(containing[0], joinAt), 'join')
  // The keyframe segment is not buffered where announced: start at the first range after it.
  const later = ranges.find(([start]) => start > joinAt)
  return later != null ? seek(later[0], 'join') : WAIT
}

function liveTarget (range: TimeRange, config: LiveEdgeConfig): number {
  return Math.max(range[0], range[1] - config.targetLatencySec)
}

function seek (to: number, reason: SeekReason): LiveEdgeDecision {
  return { type: 'seek', to, reason }
}
