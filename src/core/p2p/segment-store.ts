// SPDX-License-Identifier: GPL-3.0-or-later
import { toHex } from '../wire/index.ts'
import { STORE_MAX_BYTES, STORE_MAX_SEGMENTS } from './constants.ts'
import type { SignedSegmentHeader } from '../wire/index.ts'

/** A validated segment: signed header plus payload. */
export interface StoredSegment {
  signed: SignedSegmentHeader
  payload: Uint8Array
  /** Payload hash, lowercase hex: the segment id for fetches and the accepted log. */
  hash: string
}

export interface SegmentStore {
  put(segment: StoredSegment): void
  get(hash: string): StoredSegment | undefined
  has(hash: string): boolean
  /** The channel's newest init segment and newest keyframe media segment that uses it. */
  live(channel: string): StoredSegment[]
  readonly size: number
  readonly bytes: number
}

interface ChannelHead { init?: string, keyframe?: string, keyframeSeq: bigint }

/**
 * Keeps recent segments in memory, oldest evicted first, bounded by count and bytes. The newest init
 * and keyframe segment of each channel are never evicted while they are the newest.
 */
export class MemorySegmentStore implements SegmentStore {
  private readonly maxSegments: number
  private readonly maxBytes: number
  private readonly segments = new Map<string, StoredSegment>()
  private readonly heads = new Map<string, ChannelHead>()
  private totalBytes = 0

  constructor (init: { maxSegments?: number, maxBytes?: number } = {}) {
    this.maxSegments = init.maxSegments ?? STORE_MAX_SEGMENTS
    this.maxBytes = init.maxBytes ?? STORE_MAX_BYTES
  }

  get size (): number { return this.segments.size }
  get bytes (): number { return this.totalBytes }

  put (segment: StoredSegment): void {
    if (this.segments.has(segment.hash)) return
    this.segments.set(segment.hash, segment)
    this.totalBytes += segment.payload.byteLength
    const h = segment.signed.header
    const head = this.heads.get(h.channel) ?? { keyframeSeq: -1n }
    if (h.kind === 'init') {
      head.init = segment.hash
    } else if (h.keyframe && h.sequence > head.keyframeSeq && toHex(h.initHash) === head.init) {
      head.keyframe = segment.hash
      head.keyframeSeq = h.sequence
    }
    this.heads.set(h.channel, head)
    this.evict()
  }

  get (hash: string): StoredSegment | undefined {
    return this.segments.get(hash)
  }

  has (hash: string): boolean {
    return this.segments.has(hash)
  }

  live (channel: string): StoredSegment[] {
    const head = this.heads.get(channel)
    if (head?.init == null) return []
    const out: StoredSegment[] = []
    const init = this.segments.get(head.init)
    if (init != null) out.push(init)
    const key = head.keyframe != null ? this.segments.get(head.keyframe) : undefined
    if (key != null) out.push(key)
    return out
  }

  private evict (): void {
    const pinned = new Set<string>()
    for (const head of this.heads.values()) {
      if (head.init != null) pinned.add(head.init)
      if (head.keyframe != null) pinned.add(head.keyframe)
    }
    for (const [hash, seg] of this.segments) {
      if (this.segments.size <= this.maxSegments && this.totalBytes <= this.maxBytes) break
      if (pinned.has(hash)) continue
      this.segments.delete(hash)
      this.totalBytes -= seg.payload.byteLength
    }
  }
}
