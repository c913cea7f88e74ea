// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Stateless checks on whole WebM pieces: which kind of MSE segment a buffer is, and its MIME codec string.
 */
import { WebmParseError } from './errors.ts'
import { EBML_ID, TRACK_TYPE_VIDEO, readElementHeader, readSegmentChild } from './webm-ebml.ts'
import type { SegmentInfo } from './webm-ebml.ts'

/**
 * Classifies a buffer: `'init'` when it starts with an EBML header followed by a Segment holding Tracks (before
 * any Cluster), `'media'` when it is exactly one Cluster of known size, `'unknown'` otherwise. Never throws.
 *
 * @example
 * ```ts
 * inspectWebm(chunk.bytes) // 'media'
 * ```
 */
export function inspectWebm (bytes: Uint8Array): 'init' | 'media' | 'unknown' {
  try {
    const first = readElementHeader(bytes, 0)
    if (first?.id === EBML_ID.Cluster) {
      return first.size !== undefined && first.headerLength + first.size === bytes.length ? 'media' : 'unknown'
    }
    if (first?.id === EBML_ID.EBML && first.size !== undefined) {
      return findTracks(bytes, first.headerLength + first.size) !== undefined ? 'init' : 'unknown'
    }
  } catch {
    // Garbage is 'unknown' by contract; WebmParseError is for the splitter.
  }
  return 'unknown'
}

/**
 * Derives the MIME type and codecs for `MediaSource.isTypeSupported()` / `addSourceBuffer()` from the CodecIDs
 * in an init segment's Tracks, e.g. `video/webm; codecs="vp8, opus"`.
 *
 * @throws WebmParseError with reason `'no-tracks'` or `'unsupported-codec'`
 */
export function webmCodecString (init: Uint8Array): string {
  const header = readElementHeader(init, 0)
  if (header?.id !== EBML_ID.EBML || header.size === undefined) {
    throw new WebmParseError('unexpected-element', 'Init segment does not start with an EBML header')
  }
  const info = findTracks(init, header.headerLength + header.size)
  if (info === undefined || info.tracks.length === 0) throw new WebmParseError('no-tracks', 'Init segment has no Tracks')
  const codecs = info.tracks.map(t => codecName(t.codecId, t.codecPrivate))
  const kind = info.tracks.some(t => t.type === TRACK_TYPE_VIDEO) ? 'video' : 'audio'
  return `${kind}/webm; codecs="${codecs.join(', ')}"`
}

/** Walks the Segment after the EBML header until Tracks; `undefined` if a Cluster or the end comes first. */
function findTracks (bytes: Uint8Array, offset: number): SegmentInfo | undefined {
  const segment = readElementHeader(bytes, offset)
  if (segment?.id !== EBML_ID.Segment) return undefined
  let pos = offset + segment.headerLength
  const end = segment.size === undefined ? bytes.length : Math.min(bytes.length, pos + segment.size)
  while (pos < end) {
    const child = readElementHeader(bytes, pos, end)
    if (child?.size === undefined || child.id === EBML_ID.Cluster) return undefined
    const start = pos + child.headerLength
    if (start + child.size > end) return undefined
    if (child.id === EBML_ID.Tracks) {
      const info: SegmentInfo = { timecodeScale: 1_000_000n, tracks: [] }
      readSegmentChild(bytes, { id: child.id, start, end: start + child.size }, info)
      return info
    }
    pos = start + child.size
  }
  return undefined
}

/** RFC 6381-style codec name for a Matroska CodecID. */
function codecName (codecId: string, codecPrivate: Uint8Array | undefined): string {
  switch (codecId) {
    case 'V_VP8': return 'vp8'
    case 'V_VP9': return 'vp9'
    case 'V_AV1': return av1CodecName(codecPrivate)
    case 'A_OPUS': return 'opus'
    case 'A_VORBIS': return 'vorbis'
    default: throw new WebmParseError('unsupported-codec', `Unsupported WebM codec ${JSON.stringify(codecId)}`)
  }
}

/**
 * `av01.P.LLT.DD` from the AV1CodecConfigurationRecord in CodecPrivate
 * (https://aomediacodec.github.io/av1-isobmff/#codecsparam); plain `av01` when it is missing.
 */
function av1CodecName (record: Uint8Array | undefined): string {
  if (record === undefined || record.length < 4) return 'av01'
  const b1 = record[1] ?? 0
  const b2 = record[2] ?? 0
  const profile = b1 >> 5
  const level = String(b1 & 0x1F).padStart(2, '0')
  const tier = (b2 & 0x80) !== 0 ? 'H' : 'M'
  const depth = (b2 & 0x40) === 0 ? 8 : (b2 & 0x20) !== 0 ? 12 : 10
  return `av01.${profile}.${level}${tier}.${String(depth).padStart(2, '0')}`
}
