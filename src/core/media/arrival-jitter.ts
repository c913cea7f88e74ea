// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * An adaptive jitter buffer size: how late segments arrive relative to their air time varies with the
 * network and the machines on the path; the player keeps a margin that covers the recent spread
 * (95th percentile minus minimum of the arrival delay, plus a safety margin), so it neither stalls on
 * a late segment nor sits further behind the live edge than the path needs.
 */
import { LIVE_TARGET_LATENCY_SEC } from './constants.ts'

export interface ArrivalJitterInit {
  /** Media segments remembered. @default 20 */
  window?: number
  /** Smallest margin, s. @default 0.15 */
  minSec?: number
  /** Largest margin, s. @default 1.0 */
  maxSec?: number
  /** Added to the observed spread, s. @default 0.1 */
  safetySec?: number
  /** Margin until enough segments were seen, s. @default LIVE_TARGET_LATENCY_SEC */
  initialSec?: number
}

const MIN_SAMPLES = 4

export class ArrivalJitter {
  private readonly window: number
  private readonly minSec: number
  private readonly maxSec: number
  private readonly safetySec: number
  private readonly initialSec: number
  private readonly delaysMs: number[] = []

  constructor (init: ArrivalJitterInit = {}) {
    this.window = init.window ?? 20
    this.minSec = init.minSec ?? 0.15
    this.maxSec = init.maxSec ?? 1.0
    this.safetySec = init.safetySec ?? 0.1
    this.initialSec = init.initialSec ?? LIVE_TARGET_LATENCY_SEC
  }

  /** Records a media segment arriving at `arrivalMs` (wall clock) whose air time is `airTimeUs`. */
  add (arrivalMs: number, airTimeUs: bigint): void {
    this.delaysMs.push(arrivalMs - Number(airTimeUs / 1000n))
    if (this.delaysMs.length > this.window) this.delaysMs.shift()
  }

  /** The jitter buffer to keep behind the newest buffered end, s. */
  targetSec (): number {
    if (this.delaysMs.length < MIN_SAMPLES) return this.initialSec
    const sorted = [...this.delaysMs].sort((a, b) => a - b)
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number
    const spreadSec = (p95 - (sorted[0] as number)) / 1000
    return Math.min(this.maxSec, Math.max(this.minSec, spreadSec + this.safetySec))
  }
}
