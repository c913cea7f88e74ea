// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 encode stage in Node: RGBA frames and mono PCM in, the streaming segment format out
 * (WebM, VP8 + Opus, one keyframe-first Cluster per segment, split by `WebmSplitter`), encoded by
 * Debian's ffmpeg. Frames go to ffmpeg's stdin as raw RGBA; the audio goes through a temporary f32le
 * file. Encoder settings are fixed for reproducible output (single-threaded libvpx, bit-exact muxing).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AbortError, InvalidInputError } from '../../core/errors.ts'
import { WebmSplitter } from '../../core/media/webm.ts'
import { FfmpegExitedError, FfmpegMissingError } from './ffmpeg-errors.ts'
import type { ClipEncodeInput } from '../../core/media/encode-plan.ts'
import type { WebmChunk } from '../../core/media/webm.ts'
import type { AbortOptions } from '../../core/options.ts'

/** What to encode: a {@link ClipEncodeInput}, and which ffmpeg. */
export interface EncodeClipInput extends ClipEncodeInput {
  ffmpegPath?: string
}

/** The encoded clip. */
export interface EncodedClip {
  /** The whole WebM file. */
  webm: Uint8Array
  /** Init segment, then one keyframe-first media segment per `segmentMs`. */
  segments: WebmChunk[]
  frames: number
}

/**
 * Encodes a clip with ffmpeg.
 *
 * @example
 * ```ts
 * const clip = await encodeClipFfmpeg({ fps: 24, width: 384, height: 384, durationSec: 8, frames, audio })
 * ```
 */
export async function encodeClipFfmpeg (input: EncodeClipInput, options: AbortOptions = {}): Promise<EncodedClip> {
  options.signal?.throwIfAborted()
  const { fps, width, height, durationSec } = input
  const frameCount = Math.round(durationSec * fps)
  if (!(frameCount > 0)) throw new InvalidInputError('durationSec × fps must be at least one frame', { field: 'durationSec' })
  if (width % 2 !== 0 || height % 2 !== 0) throw new InvalidInputError('width and height must be even (yuv420p)', { field: 'width' })
  const segmentMs = input.segmentMs ?? 1000
  const gop = Math.max(1, Math.round(fps * segmentMs / 1000))
  const dir = await mkdtemp(join(tmpdir(), 'nsn-encode-'))
  try {
    const audioFile = join(dir, 'audio.f32')
    const pcm = input.audio.pcm
    await writeFile(audioFile, new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength))
    const args = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
      '-f', 'f32le', '-ar', String(input.audio.sampleRate), '-ac', '1', '-i', audioFile,
      '-map', '0:v:0', '-map', '1:a:0',
      '-filter:v', 'format=yuv420p',
      '-filter:a', `apad,atrim=0:${durationSec},aresample=48000`,
      '-c:v', 'libvpx', '-b:v', `${input.videoBitrateKbps ?? 800}k`, '-threads', '1',
      '-deadline', 'good', '-cpu-used', '4', '-auto-alt-ref', '0', '-lag-in-frames', '0',
      '-g', String(gop), '-keyint_min', String(gop), '-force_key_frames', `expr:gte(t,n_forced*${segmentMs / 1000})`,
      '-c:a', 'libopus', '-b:a', '64k', '-ar', '48000', '-ac', '2',
      '-t', String(durationSec),
      '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
      '-f', 'webm', '-cluster_time_limit', String(2 * segmentMs), '-cluster_size_limit', String(256 * 1024 * 1024),
      'pipe:1'
    ]
    const child = spawn(input.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const stderr: string[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => { stderr.push(...d.toString().split('\n').filter(l => l !== '')); stderr.splice(0, Math.max(0, stderr.length - 20)) })
    const exited = new Promise<{ code: number | null, signal: string | null }>((resolve, reject) => {
      child.once('error', (err) => { reject(new FfmpegMissingError(undefined, { cause: err })) })
      child.once('close', (code, signal) => { resolve({ code, signal }) })
    })
    const onAbort = (): void => { child.kill('SIGKILL') }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      let n = 0
      try {
        for await (const frame of input.frames) {
          options.signal?.throwIfAborted()
          if (frame.width !== width || frame.height !== height) throw new InvalidInputError(`frame ${n} is ${frame.width}x${frame.height}, not ${width}x${height}`, { field: 'frames' })
          n++
          if (n > frameCount) throw new InvalidInputError(`more than ${frameCount} frames for ${durationSec} s at ${fps} fps`, { field: 'frames' })
          if (!child.stdin.write(frame.data)) await new Promise(resolve => child.stdin.once('drain', resolve))
        }
      } finally {
        child.stdin.end()
      }
      if (n !== frameCount) throw new InvalidInputError(`${n} frames for ${durationSec} s at ${fps} fps (need ${frameCount})`, { field: 'frames' })
      const exit = await exited
      if (options.signal?.aborted === true) throw new AbortError()
      if (exit.code !== 0) throw new FfmpegExitedError({ ...exit, stderr })
    } catch (err) {
      child.kill('SIGKILL')
      await exited.catch(() => undefined)
      if (options.signal?.aborted === true) throw new AbortError(undefined, { cause: err })
      throw err
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
    const webm = new Uint8Array(Buffer.concat(out))
    const splitter = new WebmSplitter()
    const segments = [...splitter.push(webm), ...splitter.flush()]
    return { webm, segments, frames: frameCount }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
