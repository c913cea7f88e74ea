// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Bundled by e2e/webcodecs-encode.spec.ts for the page: the WebCodecs encode of the synthetic clip on the
 * page, in a dedicated worker (/encode-worker.js), with an unsupported configuration, with too few frames,
 * aborted, and through the stage contract; and the segments appended to Media Source Extensions; on
 * `window.nsnEncode`.
 */
import { WebCodecsEncodeStage, encodeClipWebCodecs } from '../../src/platform/browser/webcodecs-encode.ts'
import { WebmSplitter, webmCodecString } from '../../src/core/media/webm.ts'
import { encodeSynthetic, syntheticFrame, syntheticTone } from './encode-worker-entry.ts'
import type { EncodeSummary, SyntheticParams, WorkerReply } from './encode-worker-entry.ts'

/** An error's name and the fields the spec checks. */
interface ErrorSummary {
  name: string
  message: string
  codec?: string
  reason?: string
}

function summarizeError (err: unknown): ErrorSummary {
  const e = err as Error & { codec?: string, reason?: string }
  return { name: e.name, message: e.message, codec: e.codec, reason: e.reason }
}

async function encodeOnPage (params: SyntheticParams): Promise<EncodeSummary> {
  return await encodeSynthetic(params, 'window')
}

async function encodeInWorker (params: SyntheticParams): Promise<EncodeSummary> {
  const worker = new Worker('/encode-worker.js')
  try {
    return await new Promise<EncodeSummary>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        if (e.data.type === 'result') resolve(e.data.summary)
        else reject(new Error(`${e.data.name}: ${e.data.message}`))
      }
      worker.onerror = (e) => { reject(new Error(`worker error: ${e.message}`)) }
      worker.postMessage({ params })
    })
  } finally {
    worker.terminate()
  }
}

/** Appends the clip's segments, split on the page, to a Media Source Extensions buffer; returns what it buffered. */
async function bufferInMse (base64: string): Promise<{ type: string, ranges: Array<[number, number]>, appended: number }> {
  const webm = Uint8Array.from(atob(base64), c => c.charCodeAt(0))
  const splitter = new WebmSplitter()
  const segments = [...splitter.push(webm), ...splitter.flush()]
  const type = webmCodecString(segments[0]!.bytes)
  const media = new MediaSource()
  const video = document.createElement('video')
  video.src = URL.createObjectURL(media)
  await new Promise(resolve => media.addEventListener('sourceopen', resolve, { once: true }))
  const buffer = media.addSourceBuffer(type)
  for (const segment of segments) {
    buffer.appendBuffer(segment.bytes.slice())
    await new Promise<void>((resolve, reject) => {
      buffer.addEventListener('updateend', () => { resolve() }, { once: true })
      buffer.addEventListener('error', () => { reject(new Error(`append of a ${segment.kind} segment failed`)) }, { once: true })
    })
  }
  const ranges: Array<[number, number]> = []
  for (let i = 0; i < buffer.buffered.length; i++) ranges.push([buffer.buffered.start(i), buffer.buffered.end(i)])
  return { type, ranges, appended: segments.length }
}

/** A VP8 frame wider than the format's 14-bit width field allows. */
async function encodeUnsupported (): Promise<ErrorSummary> {
  try {
    await encodeClipWebCodecs({ fps: 24, width: 16384, height: 16, durationSec: 1, frames: [], audio: { sampleRate: 48000, pcm: new Float32Array(48000) } })
    return { name: 'none', message: 'resolved' }
  } catch (err) {
    return summarizeError(err)
  }
}

/** Ten frames for a one-second clip. */
async function encodeTooFewFrames (params: SyntheticParams): Promise<ErrorSummary & { field?: string }> {
  try {
    const frames = Array.from({ length: 10 }, (_, i) => syntheticFrame(params, i))
    await encodeClipWebCodecs({ ...params, durationSec: 1, frames, audio: { sampleRate: params.toneRate, pcm: syntheticTone(params) } })
    return { name: 'none', message: 'resolved' }
  } catch (err) {
    return { ...summarizeError(err), field: (err as { field?: string }).field }
  }
}

/** Aborts once frame `abortAt` is requested; reports the error and how many frames were pulled. */
async function encodeAborted (params: SyntheticParams, abortAt: number): Promise<ErrorSummary & { pulled: number }> {
  const controller = new AbortController()
  let pulled = 0
  try {
    await encodeSynthetic(params, 'window', {
      signal: controller.signal,
      onFrame: (i) => {
        pulled = i + 1
        if (i === abortAt) controller.abort()
      }
    })
    return { name: 'none', message: 'resolved', pulled }
  } catch (err) {
    return { ...summarizeError(err), pulled }
  }
}

/** The clip through the Lane-0 stage contract: load, run, unload. */
async function encodeWithStage (params: SyntheticParams): Promise<{ info: unknown, kinds: string[], keyframes: boolean[], bytes: number, fractions: number[] }> {
  const stage = new WebCodecsEncodeStage()
  await stage.load()
  const fractions: number[] = []
  const frames = Array.from({ length: Math.round(params.durationSec * params.fps) }, (_, i) => syntheticFrame(params, i))
  const result = await stage.run({ ...params, frames, audio: { sampleRate: params.toneRate, pcm: syntheticTone(params) } }, { onProgress: (p) => { fractions.push(p.fraction) } })
  await stage.unload()
  return { info: stage.info, kinds: result.segments.map(s => s.kind), keyframes: result.segments.map(s => s.keyframe), bytes: result.webm.length, fractions }
}

Object.assign(globalThis, { nsnEncode: { bufferInMse, encodeOnPage, encodeInWorker, encodeUnsupported, encodeTooFewFrames, encodeAborted, encodeWithStage } })
