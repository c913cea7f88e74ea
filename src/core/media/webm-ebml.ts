// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Minimal EBML reading for WebM: variable-size integers, element headers and the Info/Tracks fields the
 * splitter needs. Spec: RFC 8794 (EBML) and https://www.matroska.org/technical/elements.html.
 */
import { WebmParseError } from './errors.ts'

/** Element IDs, with their length marker bits kept (as written on the wire). */
export const EBML_ID = {
  EBML: 0x1A45DFA3,
  Segment: 0x18538067,
  SeekHead: 0x114D9B74,
  Info: 0x1549A966,
  TimecodeScale: 0x2AD7B1,
  Tracks: 0x1654AE6B,
  TrackEntry: 0xAE,
  TrackNumber: 0xD7,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63A2,
  DefaultDuration: 0x23E383,
  Cluster: 0x1F43B675,
  Timecode: 0xE7,
  SimpleBlock: 0xA3,
  BlockGroup: 0xA0,
  Block: 0xA1,
  ReferenceBlock: 0xFB,
  Cues: 0x1C53BB6B,
  Tags: 0x1254C367,
  Chapters: 0x1043A770,
  Attachments: 0x1941A469,
  Void: 0xEC,
  Crc32: 0xBF
} as const

/** Children of Segment that may appear at the top level of a live stream. */
export const SEGMENT_CHILDREN: ReadonlySet<number> = new Set([
  EBML_ID.SeekHead, EBML_ID.Info, EBML_ID.Tracks, EBML_ID.Cluster, EBML_ID.Cues, EBML_ID.Tags,
  EBML_ID.Chapters, EBML_ID.Attachments, EBML_ID.Void, EBML_ID.Crc32
])

/** A parsed element header. `size` is `undefined` for the "unknown size" marker (all value bits set). */
export interface ElementHeader {
  id: number
  size: number | undefined
  headerLength: number
}

/** Matroska TrackType values. */
export const TRACK_TYPE_VIDEO = 1

/** What the splitter needs to know about one track. */
export interface TrackInfo {
  number: number
  type: number
  codecId: string
  codecPrivate?: Uint8Array
  /** Nanoseconds per frame, when the muxer wrote DefaultDuration. */
  defaultDurationNs?: number
}

/** Info and Tracks fields of one Segment. */
export interface SegmentInfo {
  /** Nanoseconds per Cluster/Block timecode unit (Matroska default 1 000 000). */
  timecodeScale: bigint
  tracks: TrackInfo[]
}

/**
 * Reads the element header at `offset`. Returns `undefined` when the buffer ends before the header does,
 * and throws `WebmParseError` on a byte that cannot start an ID or size.
 */
export function readElementHeader (bytes: Uint8Array, offset: number, end = bytes.length): ElementHeader | undefined {
  if (offset >= end) return undefined
  const idLength = vintLength(bytes[offset] ?? 0, 4)
  if (offset + idLength >= end) return undefined
  let id = 0
  for (let i = 0; i < idLength; i++) id = id * 256 + (bytes[offset + i] ?? 0)
  const first = bytes[offset + idLength] ?? 0
  const sizeLength = vintLength(first, 8)
  if (offset + idLength + sizeLength > end) return undefined
  let size = first & (0xFF >> sizeLength)
  let allOnes = size === (0xFF >> sizeLength)
  for (let i = 1; i < sizeLength; i++) {
    const b = bytes[offset + idLength + i] ?? 0
    allOnes &&= b === 0xFF
    size = size * 256 + b
  }
  if (!allOnes && size > Number.MAX_SAFE_INTEGER) throw new WebmParseError('oversize', 'WebM element size exceeds 2^53')
  return { id, size: allOnes ? undefined : size, headerLength: idLength + sizeLength }
}

/** Length of a vint from its first byte; the marker bit must fall within `max` bytes. */
function vintLength (first: number, max: number): number {
  for (let length = 1; length <= max; length++) {
    if ((first & (0x80 >> (length - 1))) !== 0) return length
  }
  throw new WebmParseError('bad-vint', `Invalid EBML vint byte 0x${first.toString(16).padStart(2, '0')}`)
}

/** Reads a size-style vint (marker bit removed) at `offset`; used for Block track numbers. */
export function readVint (bytes: Uint8Array, offset: number): { value: number, length: number } {
  const first = bytes[offset]
  if (first === undefined) throw new WebmParseError('malformed', 'Truncated EBML vint')
  const length = vintLength(first, 8)
  let value = first & (0xFF >> length)
  for (let i = 1; i < length; i++) value = value * 256 + (bytes[offset + i] ?? 0)
  return { value, length }
}

/** Reads a big-endian unsigned integer of 0..8 bytes. */
export function readUint (bytes: Uint8Array, offset: number, length: number): bigint {
  if (length > 8) throw new WebmParseError('malformed', `Integer element of ${length} bytes`)
  let v = 0n
  for (let i = 0; i < length; i++) v = (v << 8n) | BigInt(bytes[offset + i] ?? 0)
  return v
}

/** One child element with known size, fully inside its parent. */
export interface ChildElement {
  id: number
  /** Offset of the payload. */
  start: number
  /** Offset just past the payload. */
  end: number
}

/** Iterates the children of a master element between `start` and `end`; throws if a child overflows. */
export function * children (bytes: Uint8Array, start: number, end: number): Generator<ChildElement> {
  let offset = start
  while (offset < end) {
    const header = readElementHeader(bytes, offset, end)
    if (header?.size === undefined) throw new WebmParseError('malformed', 'Truncated or unknown-size child element')
    const payload = offset + header.headerLength
    if (payload + header.size > end) throw new WebmParseError('malformed', `Element 0x${header.id.toString(16)} overflows its parent`)
    yield { id: header.id, start: payload, end: payload + header.size }
    offset = payload + header.size
  }
}

/** Fills `info` from the payload of an Info (TimecodeScale) or Tracks element. */
export function readSegmentChild (bytes: Uint8Array, child: ChildElement, info: SegmentInfo): void {
  if (child.id === EBML_ID.Info) {
    for (const field of children(bytes, child.start, child.end)) {
      if (field.id === EBML_ID.TimecodeScale) info.timecodeScale = readUint(bytes, field.start, field.end - field.start)
    }
  } else if (child.id === EBML_ID.Tracks) {
    info.tracks = []
    for (const entry of children(bytes, child.start, child.end)) {
      if (entry.id === EBML_ID.TrackEntry) info.tracks.push(readTrackEntry(bytes, entry))
    }
  }
}

function readTrackEntry (bytes: Uint8Array, entry: ChildElement): TrackInfo {
  const track: TrackInfo = { number: 0, type: 0, codecId: '' }
  for (const field of children(bytes, entry.start, entry.end)) {
    const length = field.end - field.start
    switch (field.id) {
      case EBML_ID.TrackNumber: track.number = Number(readUint(bytes, field.start, length)); break
      case EBML_ID.TrackType: track.type = Number(readUint(bytes, field.start, length)); break
      case EBML_ID.DefaultDuration: track.defaultDurationNs = Number(readUint(bytes, field.start, length)); break
      case EBML_ID.CodecPrivate: track.codecPrivate = bytes.slice(field.start, field.end); break
      case EBML_ID.CodecID: track.codecId = String.fromCharCode(...bytes.subarray(field.start, field.end)).replace(/\0+$/, ''); break
    }
  }
  return track
}
