// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { LIVE_CATCH_UP_RATE, LIVE_MAX_LAG_SEC, LIVE_TARGET_LATENCY_SEC } from './constants.ts'
import { decideLiveEdge, resolveLiveEdgeConfig } from './live-edge.ts'
import type { LiveEdgeState } from './live-edge.ts'

// The policy is specified with fixed parameters, independent of the tuned defaults.
const config = resolveLiveEdgeConfig({ targetLatencySec: 0.3, maxLagSec: 2.5, catchUpRate: 1.05, catchUpThresholdSec: 0.5 })

function state (over: Partial<LiveEdgeState>): LiveEdgeState {
  return { ranges: [], currentTime: 0, paused: false, waiting: false, sinceProgressMs: 0, playbackRate: 1, ...over }
}

describe('resolveLiveEdgeConfig', () => {
  it('should fill defaults and keep overrides', () => {
    expect(resolveLiveEdgeConfig()).toMatchObject({ targetLatencySec: LIVE_TARGET_LATENCY_SEC, maxLagSec: LIVE_MAX_LAG_SEC, catchUpRate: LIVE_CATCH_UP_RATE })
    expect(resolveLiveEdgeConfig({ maxLagSec: 4 }).maxLagSec).toBe(4)
  })
})

describe('decideLiveEdge', () => {
  it('should wait while nothing is buffered', () => {
    expect(decideLiveEdge(state({ joinAt: 3 }), config)).toEqual({ type: 'wait' })
    expect(decideLiveEdge(state({}), config)).toEqual({ type: 'wait' })
  })

  it('should join at the newest keyframe segment, clamped into its range', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 2], [5, 9]], paused: true, joinAt: 7 }), config))
      .toEqual({ type: 'seek', to: 7, reason: 'join' })
    // announced a hair before the buffered start (container rounding)
    expect(decideLiveEdge(state({ ranges: [[5.02, 9]], paused: true, joinAt: 5 }), config))
      .toEqual({ type: 'seek', to: 5.02, reason: 'join' })
    // not where announced: the first range after it
    expect(decideLiveEdge(state({ ranges: [[0, 2], [6, 9]], paused: true, joinAt: 3 }), config))
      .toEqual({ type: 'seek', to: 6, reason: 'join' })
  })

  it('should wait to join until the keyframe segment is buffered', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 2]], paused: true, joinAt: 5 }), config)).toEqual({ type: 'wait' })
  })

  it('should play once joined', () => {
    expect(decideLiveEdge(state({ ranges: [[5, 6]], currentTime: 5, paused: true }), config)).toEqual({ type: 'play' })
  })

  it('should skip a gap at the end of a range', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 3], [4, 6]], currentTime: 2.95, waiting: true }), config))
      .toEqual({ type: 'seek', to: 4, reason: 'gap' })
  })

  it('should wait at the live edge when no later data exists', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 3]], currentTime: 2.95, waiting: true, sinceProgressMs: 2000 }), config))
      .toEqual({ type: 'wait' })
  })

  it('should seek out of a hole to the next range', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 3], [4, 6]], currentTime: 3.5 }), config))
      .toEqual({ type: 'seek', to: 4, reason: 'gap' })
  })

  it('should recover from a stall with data ahead by skipping a small hole', () => {
    const stalled = state({ ranges: [[0, 6]], currentTime: 5, waiting: true, sinceProgressMs: 800 })
    expect(decideLiveEdge(stalled, config)).toEqual({ type: 'seek', to: 5.1, reason: 'stall' })
    // a short wait is left alone
    expect(decideLiveEdge({ ...stalled, sinceProgressMs: 100 }, config)).toMatchObject({ type: 'rate' })
  })

  it('should seek to live minus the target when too far behind', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 6 }), config))
      .toEqual({ type: 'seek', to: 9.7, reason: 'live' })
  })

  it('should judge the lag by its recent floor when given', () => {
    // a whole segment just landed: 1.2 s ahead now, but only 0.2 s was left before it came
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 8.8, lagFloorSec: 0.2 }), config))
      .toEqual({ type: 'rate', rate: 1 })
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 6, lagFloorSec: 3 }), config))
      .toMatchObject({ type: 'seek', to: 8.7, reason: 'live' })
  })

  it('should hold playback after the join to fill the jitter buffer', () => {
    const joined = state({ ranges: [[5, 6]], currentTime: 5, paused: true })
    expect(decideLiveEdge({ ...joined, sinceJoinMs: 100 }, config)).toEqual({ type: 'wait' })
    expect(decideLiveEdge({ ...joined, sinceJoinMs: 300 }, config)).toEqual({ type: 'play' })
  })

  it('should seek back into the buffer when the position is far past it', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 2]], currentTime: 500 }), config))
      .toEqual({ type: 'seek', to: 1.7, reason: 'live' })
  })

  it('should catch up with a faster rate, with hysteresis', () => {
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 9 }), config)).toEqual({ type: 'rate', rate: 1.05 })
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 9.5 }), config)).toEqual({ type: 'rate', rate: 1 })
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 9.6, playbackRate: 1.05 }), config))
      .toEqual({ type: 'rate', rate: 1.05 })
    expect(decideLiveEdge(state({ ranges: [[0, 10]], currentTime: 9.7, playbackRate: 1.05 }), config))
      .toEqual({ type: 'rate', rate: 1 })
  })
})
