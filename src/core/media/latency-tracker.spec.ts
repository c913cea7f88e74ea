// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { LatencyTracker } from './latency-tracker.ts'

const AIR0_MS = 1_700_000_000_000

function timing (startSec: number) {
  return { timestampUs: BigInt(startSec * 1e6), airTimeUs: BigInt((AIR0_MS + startSec * 1000) * 1000), durationUs: 1e6 }
}

describe('LatencyTracker', () => {
  it('should measure now minus the air time of the frame at the position', () => {
    const t = new LatencyTracker()
    t.addSegment(timing(10))
    t.addSegment(timing(11))
    // frame at 11.5 s was due at AIR0 + 11.5 s; shown 400 ms later
    expect(t.measure(11.5, AIR0_MS + 11_900)).toBeCloseTo(400)
    expect(t.stats()).toMatchObject({ samples: 1 })
    expect(t.stats().currentMs).toBeCloseTo(400)
  })

  it('should return undefined before the first appended segment', () => {
    const t = new LatencyTracker()
    expect(t.measure(1, AIR0_MS)).toBeUndefined()
    t.addSegment(timing(5))
    expect(t.measure(4, AIR0_MS)).toBeUndefined()
  })

  it('should keep segments ordered when appended out of order', () => {
    const t = new LatencyTracker()
    t.addSegment(timing(12))
    t.addSegment(timing(10))
    expect(t.measure(10.5, AIR0_MS + 10_600)).toBeCloseTo(100)
  })

  it('should give nearest-rank percentiles over a bounded window', () => {
    const t = new LatencyTracker({ maxSamples: 100 })
    t.addSegment(timing(0))
    for (let i = 1; i <= 150; i++) t.measure(0, AIR0_MS + i)
    expect(t.stats().samples).toBe(100)
    expect(t.percentile(50)).toBeCloseTo(100)
    expect(t.percentile(99)).toBeCloseTo(149)
  })

  it('should forget the timeline on reset', () => {
    const t = new LatencyTracker()
    t.addSegment(timing(3))
    t.resetTimeline()
    expect(t.measure(3.5, AIR0_MS)).toBeUndefined()
  })
})
