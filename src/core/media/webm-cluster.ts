// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Reads timing and keyframe facts out of one complete Cluster element.
 */
import { WebmParseError } from './errors.ts'
import { EBML_ID, TRACK_TYPE_VIDEO, children, readUint, readVint } from './webm-ebml.ts'
import type { SegmentInfo } from './webm-ebml.ts'

/** Timing of one Cluster, in microseconds. */
export interface ClusterFacts {
  timestampUs: bigint
  durationUs: number
  keyframe: boolean
}

interface BlockRef {
  track: number
  /** Timecode relative to the cluster, in TimecodeScale units. */
  time: number
  keyframe: boolean
}

/**
 * Analyses a Cluster whose payload spans `start..end` of `bytes`. The "main" track is the first video track
 * (TrackType 1) or, for audio-only streams, the first track.
 */
export function analyzeCluster (bytes: Uint8Array, start: number, end: number, info: SegmentInfo): ClusterFacts {
  const main = info.tracks.find(t => t.type === TRACK_TYPE_VIDEO) ?? info.tracks[0]
  let clusterTime: bigint | undefined
  const blocks: BlockRef[] = []
  for (const child of children(bytes, start, end)) {
    if (child.id === EBML_ID.Timecode) {
      clusterTime = readUint(bytes, child.start, child.end - child.start)
    } else if (child.id === EBML_ID.SimpleBlock) {
      const block = readBlockHeader(bytes, child.start, child.end)
      // SimpleBlock flags: 0x80 = keyframe (Matroska spec, "SimpleBlock Structure").
      blocks.push({ ...block, keyframe: (block.flags & 0x80) !== 0 })
    } else if (child.id === EBML_ID.BlockGroup) {
      let block: ReturnType<typeof readBlockHeader> | undefined
      let referenced = false
      for (const field of children(bytes, child.start, child.end)) {
        if (field.id === EBML_ID.Block) block = readBlockHeader(bytes, field.start, field.end)
        else if (field.id === EBML_ID.ReferenceBlock) referenced = true
      }
      // A Block without ReferenceBlock depends on no other frame: it is a keyframe.
      if (block !== undefined) blocks.push({ ...block, keyframe: !referenced })
    }
  }
  if (clusterTime === undefined) throw new WebmParseError('malformed', 'Cluster without Timecode')

  const scaleNs = Number(info.timecodeScale)
  const mainBlocks = blocks.filter(b => main === undefined || b.track === main.number)
  const timestampUs = clusterTime * info.timecodeScale / 1000n
  if (mainBlocks.length === 0) return { timestampUs, durationUs: 0, keyframe: false }

  const times = mainBlocks.map(b => b.time)
  const last = Math.max(...times)
  const frameUs = main?.defaultDurationNs !== undefined && main.defaultDurationNs > 0
    ? main.defaultDurationNs / 1000
    : medianSpacing(times) * scaleNs / 1000
  return {
    timestampUs,
    durationUs: Math.round(last * scaleNs / 1000 + frameUs),
    keyframe: mainBlocks[0]?.keyframe ?? false
  }
}

/** Track number, signed 16-bit relative timecode and flags at the start of a (Simple)Block payload. */
function readBlockHeader (bytes: Uint8Array, start: number, end: number): { track: number, time: number, flags: number } {
  const { value: track, length } = readVint(bytes, start)
  if (start + length + 3 > end) throw new WebmParseError('malformed', 'Block shorter than its header')
  const raw = ((bytes[start + length] ?? 0) << 8) | (bytes[start + length + 1] ?? 0)
  return { track, time: raw >= 0x8000 ? raw - 0x10000 : raw, flags: bytes[start + length + 2] ?? 0 }
}

/** Median gap between sorted, distinct block times; 0 when there are fewer than two. */
function medianSpacing (times: readonly number[]): number {
  const sorted = [...new Set(times)].sort((a, b) => a - b)
  const gaps: number[] = []
  for (let i = 1; i < sorted.length; i++) gaps.push((sorted[i] ?? 0) - (sorted[i - 1] ?? 0))
  gaps.sort((a, b) => a - b)
  return gaps[Math.floor(gaps.length / 2)] ?? 0
}
