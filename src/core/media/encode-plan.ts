// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The timing plan of an encode in the streaming segment format, shared by every encoder (ffmpeg in Node,
 * WebCodecs in the browser): how many frames, their exact timestamps, which are keyframes (one per
 * segment, so every Cluster can start with one), and the audio fitted to the clip (resampled, padded
 * with silence or cut). Pure TypeScript, no platform code.
 */
import { InvalidInputError } from '../errors.ts'
import { resample } from '../lane0/audio-features.ts'
import type { AudioClip } from '../lane0/audio-features.ts'
import type { RgbaImage, SpeechOutput } from '../lane0/stage.ts'
import type { WebmChunk } from './webm.ts'

/** Segment length of the streaming format. @default 1000 */
export const DEFAULT_SEGMENT_MS = 1000

/** What a plan is made from. */
export interface EncodePlanInit {
  fps: number
  durationSec: number
  /** Segment (keyframe) interval. @default DEFAULT_SEGMENT_MS */
  segmentMs?: number
}

/**
 * A clip to encode into the streaming segment format, whatever encoder does it (Node: ffmpeg,
 * src/platform/node/ffmpeg-encode.ts; browser: WebCodecs, src/platform/browser/webcodecs-encode.ts).
 */
export interface ClipEncodeInput extends EncodePlanInit {
  /** Even. */
  width: number
  /** Even. */
  height: number
  /** Exactly `round(durationSec × fps)` frames, each `width × height`. */
  frames: Iterable<RgbaImage> | AsyncIterable<RgbaImage>
  /** Mono; padded with silence or cut to `durationSec`. */
  audio: SpeechOutput
  videoBitrateKbps?: number
}

/** Frame count, timing and keyframe placement of one clip. */
export interface EncodePlan {
  fps: number
  durationSec: number
  /** `round(durationSec × fps)`. */
  frameCount: number
  /** Frames per segment: `round(fps × segmentMs / 1000)`, at least 1. */
  gop: number
  /** Media segments the clip splits into: `ceil(frameCount / gop)`. */
  segmentCount: number
  /** Indices of the keyframes: `0, gop, 2·gop, …`. */
  keyframes: number[]
}

/**
 * Plans an encode; throws `InvalidInputError` naming the field for a non-positive or non-finite value or
 * a clip shorter than one frame.
 *
 * @example
 * ```ts
 * encodePlan({ fps: 24, durationSec: 3 }) // { frameCount: 72, gop: 24, segmentCount: 3, keyframes: [0, 24, 48], … }
 * ```
 */
export function encodePlan (init: EncodePlanInit): EncodePlan {
  const { fps, durationSec } = init
  const segmentMs = init.segmentMs ?? DEFAULT_SEGMENT_MS
  checkPositive('fps', fps)
  checkPositive('durationSec', durationSec)
  checkPositive('segmentMs', segmentMs)
  const frameCount = Math.round(durationSec * fps)
  if (frameCount < 1) throw new InvalidInputError('durationSec × fps must be at least one frame', { field: 'durationSec' })
  const gop = Math.max(1, Math.round(fps * segmentMs / 1000))
  const segmentCount = Math.ceil(frameCount / gop)
  return { fps, durationSec, frameCount, gop, segmentCount, keyframes: Array.from({ length: segmentCount }, (_, k) => k * gop) }
}

/** Whether frame `i` of a plan is a keyframe (`i % gop === 0`). */
export function isKeyframe (plan: EncodePlan, i: number): boolean {
  return i % plan.gop === 0
}

/** Presentation time of frame `i` in whole microseconds (the WebCodecs unit): `round(i × 10⁶ / fps)`. */
export function frameTimestampUs (plan: EncodePlan, i: number): number {
  return Math.round(i * 1e6 / plan.fps)
}

/** Duration of frame `i` in whole microseconds, so consecutive frames tile the timeline without gaps. */
export function frameDurationUs (plan: EncodePlan, i: number): number {
  return frameTimestampUs(plan, i + 1) - frameTimestampUs(plan, i)
}

/**
 * The clip's audio at `sampleRate` (band-limited resampling when the rates differ), padded with silence or
 * cut to exactly `round(durationSec × sampleRate)` samples.
 *
 * @example
 * ```ts
 * const pcm = fitPcm(speech, 48000, 8) // 384000 samples for Opus
 * ```
 */
export function fitPcm (audio: AudioClip, sampleRate: number, durationSec: number): Float32Array<ArrayBuffer> {
  checkPositive('sampleRate', sampleRate)
  checkPositive('audio.sampleRate', audio.sampleRate)
  checkPositive('durationSec', durationSec)
  const length = Math.round(durationSec * sampleRate)
  // Resample only what the clip keeps plus more than the sinc kernel's reach (16 zero crossings), not a
  // long tail that is cut anyway.
  const margin = Math.ceil(32 * Math.max(1, audio.sampleRate / sampleRate))
  const keep = Math.min(audio.pcm.length, Math.ceil(durationSec * audio.sampleRate) + margin)
  const source = audio.sampleRate === sampleRate ? audio.pcm : resample(audio.pcm.subarray(0, keep), audio.sampleRate, sampleRate)
  const out = new Float32Array(length)
  out.set(source.subarray(0, length))
  return out
}

/**
 * What keeps split output from being the streaming segment format for `plan`: the init segment first, then
 * exactly `segmentCount` media segments, each starting with a keyframe at its planned time (Cluster
 * timecodes are whole milliseconds, so within 1 ms). Empty when the layout is right.
 *
 * @example
 * ```ts
 * const problems = segmentLayoutProblems(plan, segments)
 * if (problems.length > 0) throw new Error(problems.join('; '))
 * ```
 */
export function segmentLayoutProblems (plan: EncodePlan, segments: ReadonlyArray<Pick<WebmChunk, 'kind' | 'timestampUs' | 'keyframe'>>): string[] {
  const problems: string[] = []
  if (segments[0]?.kind !== 'init') problems.push('the first segment is not the init segment')
  if (segments.slice(1).some(s => s.kind !== 'media')) problems.push('more than one init segment')
  const media = segments.filter(s => s.kind === 'media')
  if (media.length !== plan.segmentCount) problems.push(`${media.length} media segments, expected ${plan.segmentCount}`)
  media.forEach((segment, k) => {
    const expectedUs = frameTimestampUs(plan, k * plan.gop)
    if (!segment.keyframe) problems.push(`media segment ${k} does not start with a keyframe`)
    if (Math.abs(Number(segment.timestampUs) - expectedUs) > 1000) problems.push(`media segment ${k} starts at ${segment.timestampUs} µs, expected ${expectedUs}`)
  })
  return problems
}

function checkPositive (field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidInputError(`${field} must be a positive number, got ${value}`, { field })
}
