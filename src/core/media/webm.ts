// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Streaming WebM splitter for Media Source Extensions: turns a live WebM byte stream into one init segment
 * (everything before the first Cluster) and media segments of exactly one Cluster each.
 * Byte stream format: https://www.w3.org/TR/mse-byte-stream-format-webm/
 */
import { WebmParseError } from './errors.ts'
import { analyzeCluster } from './webm-cluster.ts'
import { concatBytes } from '../bytes.ts'
import { EBML_ID, SEGMENT_CHILDREN, readElementHeader, readSegmentChild } from './webm-ebml.ts'
import type { ElementHeader, SegmentInfo } from './webm-ebml.ts'

export { inspectWebm, webmCodecString } from './webm-inspect.ts'

/**
 * Largest element (Cluster, Tracks, …) and largest init segment the splitter buffers.
 *
 * @default 32 MiB
 */
export const WEBM_MAX_ELEMENT_BYTES = 32 * 1024 * 1024

/** Segment header with the "unknown size" marker that live muxers write; used for every emitted init. */
const LIVE_SEGMENT_HEADER = Uint8Array.of(0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)

/** One piece of a WebM stream, ready for `SourceBuffer.appendBuffer()`. */
export interface WebmChunk {
  /** `'init'`: EBML header + Segment header + Info + Tracks; `'media'`: exactly one Cluster. */
  kind: 'init' | 'media'
  bytes: Uint8Array
  /** Cluster timecode × TimecodeScale / 1000; `0n` for init. */
  timestampUs: bigint
  /** Last video block time − cluster time + one video frame interval; `0` for init. */
  durationUs: number
  /** Media: the first video block of the cluster is a keyframe. `false` for init. */
  keyframe: boolean
}

/** Construction options of {@link WebmSplitter}. */
export interface WebmSplitterInit {
  /**
   * Largest element, and largest init segment, accepted before throwing `WebmParseError('oversize')`.
   *
   * @default WEBM_MAX_ELEMENT_BYTES
   */
  maxElementBytes?: number
}

type State = 'ebml' | 'segment' | 'body' | 'open-cluster'

/** Level-1 IDs that end an unknown-size Cluster (Void and CRC-32 may also sit inside one). */
const ENDS_OPEN_CLUSTER: ReadonlySet<number> = new Set(
  [...SEGMENT_CHILDREN, EBML_ID.EBML].filter(id => id !== EBML_ID.Void && id !== EBML_ID.Crc32)
)

/**
 * Splits a WebM byte stream fed in arbitrary pieces. Clusters of unknown size (as some live muxers write them) end
 * when the next top-level element starts and are re-emitted with their size filled in. Cues, Tags, Void and other
 * top-level elements after the first Cluster are dropped. After a `WebmParseError` the splitter stays failed.
 *
 * @example
 * ```ts
 * const splitter = new WebmSplitter()
 * for await (const bytes of stream) for (const chunk of splitter.push(bytes)) sourceBuffer.appendBuffer(chunk.bytes)
 * ```
 */
export class WebmSplitter {
  /** Resolved {@link WebmSplitterInit.maxElementBytes}. */
  readonly maxElementBytes: number
  private buf = new Uint8Array(0)
  private start = 0
  private end = 0
  /** Stream offset of `buf[start]`. */
  private consumed = 0
  private state: State = 'ebml'
  private skip = 0
  private segmentEnd: number | undefined
  private initParts: Uint8Array[] = []
  private initLength = 0
  private initEmitted = false
  private info: SegmentInfo = { timecodeScale: 1_000_000n, tracks: [] }
  /** Open (unknown-size) cluster: its header length, then the bytes of its complete children. */
  private openHeader = 0
  private openLength = 0
  private failure: WebmParseError | undefined

  constructor (init: WebmSplitterInit = {}) {
    this.maxElementBytes = init.maxElementBytes ?? WEBM_MAX_ELEMENT_BYTES
  }

  /** Feeds bytes; returns the chunks they completed, in stream order. */
  push (bytes: Uint8Array): WebmChunk[] {
    if (this.failure !== undefined) throw this.failure
    this.append(bytes)
    const out: WebmChunk[] = []
    try {
      while (this.step(out));
    } catch (err) {
      this.failure = (err as Error).name === WebmParseError.name
        ? err as WebmParseError
        : new WebmParseError('malformed', String(err), { cause: err })
      throw this.failure
    }
    return out
  }

  /** Ends the stream: returns a trailing unknown-size Cluster whose children are all complete, if any. */
  flush (): WebmChunk[] {
    if (this.failure !== undefined) throw this.failure
    if (this.state !== 'open-cluster' || this.openLength === 0) return []
    const out: WebmChunk[] = []
    this.closeOpenCluster(out)
    return out
  }

  private append (bytes: Uint8Array): void {
    if (this.end + bytes.length > this.buf.length) {
      const live = this.end - this.start
      if (live + bytes.length > this.buf.length) {
        const next = new Uint8Array(Math.max(live + bytes.length, this.buf.length * 2, 64 * 1024))
        next.set(this.buf.subarray(this.start, this.end), 0)
        this.buf = next
      } else {
        this.buf.copyWithin(0, this.start, this.end)
      }
      this.start = 0
      this.end = live
    }
    this.buf.set(bytes, this.end)
    this.end += bytes.length
  }

  private consume (n: number): void {
    this.start += n
    this.consumed += n
  }

  /** Makes one unit of progress; `false` when more bytes are needed. */
  private step (out: WebmChunk[]): boolean {
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.end - this.start)
      this.consume(n)
      this.skip -= n
      return n > 0
    }
    if (this.state === 'open-cluster') return this.stepOpenCluster(out)
    if (this.state === 'body' && this.segmentEnd !== undefined && this.consumed >= this.segmentEnd) {
      this.restart()
      return true
    }
    const header = readElementHeader(this.buf, this.start, this.end)
    if (header === undefined) return false
    switch (this.state) {
      case 'ebml': return this.stepEbml(header)
      case 'segment': return this.stepSegment(header)
      default: return this.stepBody(header, out)
    }
  }

  private stepEbml (header: ElementHeader): boolean {
    if (header.id !== EBML_ID.EBML) throw unexpected(header.id, 'an EBML header')
    const total = this.checkedTotal(header)
    if (this.end - this.start < total) return false
    this.addInit(this.buf.slice(this.start, this.start + total))
    this.consume(total)
    this.state = 'segment'
    return true
  }

  private stepSegment (header: ElementHeader): boolean {
    if (header.id !== EBML_ID.Segment) throw unexpected(header.id, 'a Segment')
    // Always the unknown-size form: the init is followed by an open-ended run of clusters, as in a live stream.
    this.addInit(LIVE_SEGMENT_HEADER)
    this.consume(header.headerLength)
    this.segmentEnd = header.size === undefined ? undefined : this.consumed + header.size
    this.info = { timecodeScale: 1_000_000n, tracks: [] }
    this.state = 'body'
    return true
  }

  private stepBody (header: ElementHeader, out: WebmChunk[]): boolean {
    if (header.id === EBML_ID.EBML) {
      // A new stream concatenated after an unknown-size Segment: start over with a fresh init segment.
      this.restart()
      return true
    }
    if (!SEGMENT_CHILDREN.has(header.id)) throw unexpected(header.id, 'a Segment child')
    if (header.id === EBML_ID.Cluster && !this.initEmitted) this.emitInit(out)
    if (header.id === EBML_ID.Cluster && header.size === undefined) {
      this.state = 'open-cluster'
      this.openHeader = header.headerLength
      this.openLength = 0
      return true
    }
    const total = this.checkedTotal(header)
    if (this.segmentEnd !== undefined && this.consumed + total > this.segmentEnd) {
      throw new WebmParseError('malformed', 'Element overflows its Segment')
    }
    if (header.id !== EBML_ID.Cluster && this.initEmitted) {
      this.skip = total
      return true
    }
    if (this.end - this.start < total) return false
    const payload = this.start + header.headerLength
    if (header.id === EBML_ID.Cluster) {
      out.push(this.media(this.buf.slice(this.start, this.start + total), header.headerLength))
    } else {
      readSegmentChild(this.buf, { id: header.id, start: payload, end: this.start + total }, this.info)
      this.addInit(this.buf.slice(this.start, this.start + total))
    }
    this.consume(total)
    return true
  }

  private stepOpenCluster (out: WebmChunk[]): boolean {
    const pos = this.start + this.openHeader + this.openLength
    const atSegmentEnd = this.segmentEnd !== undefined && this.consumed + pos - this.start >= this.segmentEnd
    const header = atSegmentEnd ? undefined : readElementHeader(this.buf, pos, this.end)
    if (atSegmentEnd || (header !== undefined && ENDS_OPEN_CLUSTER.has(header.id))) {
      this.closeOpenCluster(out)
      return true
    }
    if (header === undefined) return false
    if (header.size === undefined) throw new WebmParseError('malformed', 'Unknown-size element inside a Cluster')
    const total = header.headerLength + header.size
    if (this.openHeader + this.openLength + total > this.maxElementBytes) {
      throw new WebmParseError('oversize', `Cluster exceeds ${this.maxElementBytes} bytes`)
    }
    if (pos + total > this.end) return false
    this.openLength += total
    return true
  }

  /** Emits the open cluster with a known 8-byte size, so the media segment is self-delimiting. */
  private closeOpenCluster (out: WebmChunk[]): void {
    const length = this.openLength
    const bytes = new Uint8Array(12 + length)
    bytes.set([0x1F, 0x43, 0xB6, 0x75, 0x01], 0)
    let size = length
    for (let i = 11; i >= 5; i--) {
      bytes[i] = size % 256
      size = Math.floor(size / 256)
    }
    const payload = this.start + this.openHeader
    bytes.set(this.buf.subarray(payload, payload + length), 12)
    out.push(this.media(bytes, 12))
    this.consume(this.openHeader + length)
    this.state = 'body'
  }

  private media (bytes: Uint8Array, headerLength: number): WebmChunk {
    const facts = analyzeCluster(bytes, headerLength, bytes.length, this.info)
    return { kind: 'media', bytes, ...facts }
  }

  private emitInit (out: WebmChunk[]): void {
    if (this.info.tracks.length === 0) throw new WebmParseError('no-tracks', 'First Cluster arrived before any Tracks')
    out.push({ kind: 'init', bytes: concatBytes(this.initParts), timestampUs: 0n, durationUs: 0, keyframe: false })
    this.initEmitted = true
    this.initParts = []
    this.initLength = 0
  }

  private addInit (part: Uint8Array): void {
    this.initLength += part.length
    if (this.initLength > this.maxElementBytes) {
      throw new WebmParseError('oversize', `Init segment exceeds ${this.maxElementBytes} bytes`)
    }
    this.initParts.push(part)
  }

  private restart (): void {
    this.state = 'ebml'
    this.segmentEnd = undefined
    this.initEmitted = false
    this.initParts = []
    this.initLength = 0
  }

  private checkedTotal (header: ElementHeader): number {
    const id = header.id.toString(16)
    if (header.size === undefined) throw new WebmParseError('malformed', `Element 0x${id} has unknown size`)
    if (header.size > this.maxElementBytes) {
      throw new WebmParseError('oversize', `Element 0x${id} of ${header.size} bytes exceeds ${this.maxElementBytes}`)
    }
    return header.headerLength + header.size
  }
}

function unexpected (id: number, expected: string): WebmParseError {
  return new WebmParseError('unexpected-element', `Expected ${expected}, got element 0x${id.toString(16)}`)
}
