// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Orders accepted segments for appending to a media buffer (DESIGN.md, "Media"): drops duplicates and
 * stale segments, holds a segment briefly while a lower sequence is missing, then skips the gap, and
 * signals a reset when the stream's init segment changes (producer restart, codec change). Pure: the
 * caller passes the clock and calls {@link SegmentQueue.poll} at {@link SegmentQueue.nextDeadline}.
 */
import { toHex } from '../wire/hash.ts'
import { QUEUE_JITTER_MS, QUEUE_MAX_JITTER_MS, QUEUE_MAX_PENDING, QUEUE_SEEN_HASHES } from './constants.ts'

/** The header fields the queue reads (a subset of the wire `SegmentHeader`). */
export interface QueueSegmentHeader {
  kind: 'init' | 'media'
  sequence: bigint
  /** MSE mime type, e.g. `video/webm; codecs="vp8, opus"`. */
  codec: string
  /** Media time of the first frame, µs. */
  timestampUs: bigint
  durationUs: number
  keyframe: boolean
  /** Unix µs at which the first frame is due at the live edge. */
  airTimeUs: bigint
  /** Payload hash of the init segment a media segment needs. */
  initHash: Uint8Array
}

/** A segment as the queue sees it (`AcceptedSegment` fits). */
export interface QueueSegment {
  header: QueueSegmentHeader
  payload: Uint8Array
  /** Payload hash, lowercase hex. */
  hash: string
}

/** What the caller must do, in order. */
export type QueueAction =
  /** Append this init segment; with `reset`, tear the buffer down first (new stream timeline). */
  | { type: 'init', segment: QueueSegment, reset: boolean }
  | { type: 'media', segment: QueueSegment }
  /** Sequences `from`..`to` (inclusive) never came in time and were skipped. */
  | { type: 'gap', from: bigint, to: bigint }

export interface SegmentQueueInit {
  /**
   * How long a segment is held while a lower sequence is missing, in ms (capped at 500).
   * @default 0
   */
  jitterMs?: number
  /**
   * Media segments kept while waiting for their init segment or for a gap to fill.
   * @default 16
   */
  maxPending?: number
}

export interface SegmentQueueStats {
  appended: number
  duplicates: number
  stale: number
  /** Pending segments dropped because too many waited. */
  overflow: number
  /** Sequence numbers skipped over gaps. */
  skipped: number
  resets: number
}

interface Pending { segment: QueueSegment, initHash: string, since: number }
interface Last { sequence: bigint, timestampUs: bigint, durationUs: number, airTimeUs: bigint }

/**
 * True when `h` starts where `last` ends (within 10% of its duration, at least 50 ms): nothing is
 * missing even if sequence numbers skip (a producer repeats its init segment at each slot start, and
 * that repeat uses a sequence number too).
 */
function continues (last: Last, h: QueueSegmentHeader): boolean {
  const end = last.timestampUs + BigInt(last.durationUs)
  const tolerance = BigInt(Math.max(50_000, Math.round(last.durationUs / 10)))
  return h.timestampUs <= end + tolerance
}

/** Orders accepted segments for appending. */
export class SegmentQueue {
  readonly jitterMs: number
  readonly maxPending: number
  private readonly inits = new Map<string, QueueSegment>()
  private readonly pending = new Map<string, Pending>()
  private readonly seen = new Set<string>()
  private current?: string
  private last?: Last
  private readonly counts: SegmentQueueStats = { appended: 0, duplicates: 0, stale: 0, overflow: 0, skipped: 0, resets: 0 }

  constructor (init: SegmentQueueInit = {}) {
    this.jitterMs = Math.min(Math.max(init.jitterMs ?? QUEUE_JITTER_MS, 0), QUEUE_MAX_JITTER_MS)
    this.maxPending = init.maxPending ?? QUEUE_MAX_PENDING
  }

  /** Hash (hex) of the init segment of the stream being appended. */
  get currentInit (): string | undefined {
    return this.current
  }

  /** Takes an accepted segment and returns what may be appended now. */
  push (segment: QueueSegment, nowMs: number): QueueAction[] {
    if (this.seen.has(segment.hash)) {
      this.counts.duplicates++
      return []
    }
    this.remember(segment.hash)
    if (segment.header.kind === 'init') {
      this.inits.set(segment.hash, segment)
      if (this.inits.size > 4) this.inits.delete(this.inits.keys().next().value as string)
    } else {
      const initHash = toHex(segment.header.initHash)
      if (this.classify(segment, initHash) === 'stale') {
        this.counts.stale++
        return []
      }
      this.pending.set(segment.hash, { segment, initHash, since: nowMs })
      this.trim()
    }
    return this.drain(nowMs)
  }

  /** Releases held segments whose jitter window has passed. */
  poll (nowMs: number): QueueAction[] {
    return this.drain(nowMs)
  }

  /** When {@link poll} may release something, in the caller's clock; undefined if nothing waits on time. */
  nextDeadline (): number | undefined {
    const next = this.candidates()[0]
    return next != null && this.current === next.initHash && this.last != null ? next.since + this.jitterMs : undefined
  }

  /** Init hashes (hex) that pending media segments need and the queue has not seen. */
  missingInits (): string[] {
    const missing = new Set<string>()
    for (const p of this.pending.values()) if (!this.inits.has(p.initHash)) missing.add(p.initHash)
    return [...missing]
  }

  stats (): SegmentQueueStats {
    return { ...this.counts }
  }

  /** Forgets the appended stream (the caller tore its buffer down); known inits and hashes stay. */
  reset (): void {
    this.current = undefined
    this.last = undefined
    this.pending.clear()
  }

  private drain (nowMs: number): QueueAction[] {
    const actions: QueueAction[] = []
    for (;;) {
      const next = this.candidates()[0]
      if (next == null) break
      const { segment, initHash } = next
      const h = segment.header
      const kind = this.classify(segment, initHash)
      if (kind === 'stale') {
        this.pending.delete(segment.hash)
        this.counts.stale++
        continue
      }
      if (kind === 'new-stream' || kind === 'restart') {
        const init = this.inits.get(initHash) as QueueSegment
        const reset = this.current != null
        if (reset) this.counts.resets++
        actions.push({ type: 'init', segment: init, reset })
        this.current = initHash
        this.last = undefined
      } else if (this.last != null && h.sequence > this.last.sequence + 1n && !continues(this.last, h)) {
        if (nowMs < next.since + this.jitterMs) break
        this.counts.skipped += Number(h.sequence - this.last.sequence - 1n)
        actions.push({ type: 'gap', from: this.last.sequence + 1n, to: h.sequence - 1n })
      }
      this.pending.delete(segment.hash)
      this.last = { sequence: h.sequence, timestampUs: h.timestampUs, durationUs: h.durationUs, airTimeUs: h.airTimeUs }
      this.counts.appended++
      actions.push({ type: 'media', segment })
    }
    return actions
  }

  /** Pending media whose init is known, oldest first. */
  private candidates (): Pending[] {
    return [...this.pending.values()]
      .filter(p => this.inits.has(p.initHash))
      .sort((a, b) => compare(a.segment.header.airTimeUs, b.segment.header.airTimeUs) ||
        compare(a.segment.header.sequence, b.segment.header.sequence))
  }

  private classify (segment: QueueSegment, initHash: string): 'stale' | 'restart' | 'new-stream' | 'next' {
    const last = this.last
    const h = segment.header
    if (initHash !== this.current) {
      // Another stream: the new one, unless it is older than what was appended (a late copy of the old one).
      return last != null && h.airTimeUs <= last.airTimeUs ? 'stale' : 'new-stream'
    }
    if (last == null || (h.sequence > last.sequence && h.timestampUs > last.timestampUs)) return 'next'
    // Same init, going backwards: a late copy, unless its air time is newer (the producer restarted).
    return h.airTimeUs > last.airTimeUs ? 'restart' : 'stale'
  }

  private trim (): void {
    while (this.pending.size > this.maxPending) {
      const oldest = [...this.pending.values()].sort((a, b) => compare(a.segment.header.airTimeUs, b.segment.header.airTimeUs))[0]
      if (oldest == null) return
      this.pending.delete(oldest.segment.hash)
      this.counts.overflow++
    }
  }

  private remember (hash: string): void {
    this.seen.add(hash)
    if (this.seen.size > QUEUE_SEEN_HASHES) this.seen.delete(this.seen.values().next().value as string)
  }
}

function compare (a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
