// SPDX-License-Identifier: GPL-3.0-or-later
import { PEER_PAYLOAD_BURST_BYTES, PEER_PAYLOAD_BYTES_PER_SEC } from './constants.ts'

interface Bucket { tokens: number, at: number }

/**
 * Per-peer token buckets in bytes: sized so an honest 2 Mbit/s channel never trips them while a flood
 * of large messages from one peer is ignored.
 */
export class ByteRateLimiter {
  private readonly rate: number
  private readonly burst: number
  private readonly buckets = new Map<string, Bucket>()

  constructor (init: { bytesPerSec?: number, burstBytes?: number } = {}) {
    this.rate = init.bytesPerSec ?? PEER_PAYLOAD_BYTES_PER_SEC
    this.burst = init.burstBytes ?? PEER_PAYLOAD_BURST_BYTES
  }

  /** Takes `bytes` from `peer`'s bucket; false when the peer is over its budget. */
  take (peer: string, bytes: number, nowMs: number): boolean {
    let b = this.buckets.get(peer)
    if (b == null) {
      b = { tokens: this.burst, at: nowMs }
      this.buckets.set(peer, b)
    }
    b.tokens = Math.min(this.burst, b.tokens + (nowMs - b.at) * this.rate / 1000)
    b.at = nowMs
    if (b.tokens < bytes) return false
    b.tokens -= bytes
    return true
  }

  forget (peer: string): void {
    this.buckets.delete(peer)
  }
}
