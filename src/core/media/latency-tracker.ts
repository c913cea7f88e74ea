// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Display latency (DESIGN.md, "Media"): wall-clock time at which a frame is shown minus its air time.
 * A frame at media position `p` inside a segment that starts at media time `t` and is due at air
 * time `a` was due at `a + (p - t)`, so latency = now − (a + (p − t)).
 */
import { LATENCY_SAMPLES, LATENCY_SEGMENTS } from './constants.ts'

/** Timing of an appended media segment. */
export interface SegmentTiming {
  /** Media time of the first frame, µs. */
  timestampUs: bigint
  /** Unix µs at which the first frame is due at the live edge. */
  airTimeUs: bigint
  durationUs: number
}

export interface LatencyTrackerInit {
  /**
   * Latency samples kept for percentiles.
   * @default 600
   */
  maxSamples?: number
  /**
   * Appended segments remembered.
   * @default 64
   */
  maxSegments?: number
}

export interface LatencyStats {
  /** Latest sample, ms. */
  currentMs?: number
  p50Ms?: number
  p99Ms?: number
  samples: number
}

interface Timing { startSec: number, airMs: number }

/** Measures display latency from appended segment timings and the playback position. */
export class LatencyTracker {
  readonly maxSamples: number
  readonly maxSegments: number
  private segments: Timing[] = []
  private readonly samples: number[] = []
  private latest?: number

  constructor (init: LatencyTrackerInit = {}) {
    this.maxSamples = init.maxSamples ?? LATENCY_SAMPLES
    this.maxSegments = init.maxSegments ?? LATENCY_SEGMENTS
  }

  /** Records the timing of a segment that was appended. */
  addSegment (timing: SegmentTiming): void {
    const t = { startSec: Number(timing.timestampUs) / 1e6, airMs: Number(timing.airTimeUs) / 1000 }
    const at = this.segments.findIndex(s => s.startSec >= t.startSec)
    if (at === -1) this.segments.push(t)
    else if (this.segments[at]?.startSec === t.startSec) this.segments[at] = t
    else this.segments.splice(at, 0, t)
    if (this.segments.length > this.maxSegments) this.segments.shift()
  }

  /** Forgets segment timings (the media timeline restarted); samples stay. */
  resetTimeline (): void {
    this.segments = []
  }

  /**
   * Computes the latency of the frame at `positionSec` shown at `nowMs` (unix ms), records it as a
   * sample and returns it; undefined when no appended segment covers the position.
   */
  measure (positionSec: number, nowMs: number): number | undefined {
    let segment: Timing | undefined
    for (const s of this.segments) {
      if (s.startSec <= positionSec + 1e-3) segment = s
      else break
    }
    if (segment == null) return undefined
    const latency = nowMs - (segment.airMs + (positionSec - segment.startSec) * 1000)
    this.latest = latency
    this.samples.push(latency)
    if (this.samples.length > this.maxSamples) this.samples.shift()
    return latency
  }

  /** Nearest-rank percentile of the kept samples (`p` in 0..100). */
  percentile (p: number): number | undefined {
    if (this.samples.length === 0) return undefined
    const sorted = [...this.samples].sort((a, b) => a - b)
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
    return sorted[rank - 1]
  }

  stats (): LatencyStats {
    return { currentMs: this.latest, p50Ms: this.percentile(50), p99Ms: this.percentile(99), samples: this.samples.length }
  }
}
