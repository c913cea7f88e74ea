// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Bundled by e2e/webcodecs-encode.spec.ts: the synthetic clip (a white square moving right over a
 * gradient, plus a 440 Hz tone shorter than the clip) and its WebCodecs encode. Loaded as a dedicated
 * worker it answers `{ params }` messages with progress and a summary; e2e/harness/encode-entry.ts
 * imports the same code for the page.
 */
import { encodeClipWebCodecs } from '../../src/platform/browser/webcodecs-encode.ts'
import type { RgbaImage } from '../../src/core/lane0/stage.ts'

/** The synthetic clip. */
export interface SyntheticParams {
  width: number
  height: number
  fps: number
  durationSec: number
  toneHz: number
  toneSec: number
  toneRate: number
}

/** What the page hands back to Node (bytes as base64). */
export interface EncodeSummary {
  scope: 'window' | 'worker'
  base64: string
  frames: number
  keyframes: number[]
  segments: Array<{ kind: string, length: number, timestampUs: string, durationUs: number, keyframe: boolean }>
  progress: number[]
  ms: number
}

/** Side of the moving square; its left edge is at `8 + 2·i` in frame `i`, its top at the middle. */
export const SQUARE = 48

/** Frame `i`: a dark gradient with a white square at x = 8 + 2·i. */
export function syntheticFrame (p: SyntheticParams, i: number): RgbaImage {
  const data = new Uint8ClampedArray(p.width * p.height * 4)
  const x0 = 8 + 2 * i
  const y0 = Math.floor((p.height - SQUARE) / 2)
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const o = (y * p.width + x) * 4
      const inside = x >= x0 && x < x0 + SQUARE && y >= y0 && y < y0 + SQUARE
      data[o] = inside ? 255 : 20 + (x >> 3)
      data[o + 1] = inside ? 255 : 30 + (y >> 3)
      data[o + 2] = inside ? 255 : 60
      data[o + 3] = 255
    }
  }
  return { width: p.width, height: p.height, data }
}

function * syntheticFrames (p: SyntheticParams, onFrame?: (i: number) => void): Generator<RgbaImage> {
  const n = Math.round(p.durationSec * p.fps)
  for (let i = 0; i < n; i++) {
    onFrame?.(i)
    yield syntheticFrame(p, i)
  }
}

/** A sine of `toneHz` at amplitude 0.5, `toneSec` long at `toneRate` Hz (padded with silence to the clip). */
export function syntheticTone (p: SyntheticParams): Float32Array {
  return Float32Array.from({ length: Math.round(p.toneSec * p.toneRate) }, (_, i) => 0.5 * Math.sin(2 * Math.PI * p.toneHz * i / p.toneRate))
}

/** Base64 of bytes, in pieces (String.fromCharCode takes a bounded argument list). */
export function toBase64 (bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/** Encodes the synthetic clip here (page or worker). */
export async function encodeSynthetic (p: SyntheticParams, scope: EncodeSummary['scope'], options: { signal?: AbortSignal, onFrame?: (i: number) => void } = {}): Promise<EncodeSummary> {
  const progress: number[] = []
  const t0 = performance.now()
  const clip = await encodeClipWebCodecs({
    fps: p.fps,
    width: p.width,
    height: p.height,
    durationSec: p.durationSec,
    frames: syntheticFrames(p, options.onFrame),
    audio: { sampleRate: p.toneRate, pcm: syntheticTone(p) }
  }, { signal: options.signal, onProgress: (e) => { progress.push(e.fraction) } })
  return {
    scope,
    base64: toBase64(clip.webm),
    frames: clip.frames,
    keyframes: clip.keyframes,
    segments: clip.segments.map(s => ({ kind: s.kind, length: s.bytes.length, timestampUs: String(s.timestampUs), durationUs: s.durationUs, keyframe: s.keyframe })),
    progress,
    ms: performance.now() - t0
  }
}

/** Messages from the worker. */
export type WorkerReply =
  | { type: 'result', summary: EncodeSummary }
  | { type: 'error', name: string, message: string }

// Only when loaded as a dedicated worker (the page imports this module too).
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<{ params: SyntheticParams }>) => void) | null, postMessage(m: WorkerReply): void }
  scope.onmessage = (e) => {
    encodeSynthetic(e.data.params, 'worker').then(
      (summary) => { scope.postMessage({ type: 'result', summary }) },
      (err: Error) => { scope.postMessage({ type: 'error', name: err.name, message: err.message }) }
    )
  }
}
