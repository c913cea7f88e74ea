// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Live WebM source backed by an ffmpeg child process: a moving test pattern with a burnt-in wall clock and a tone,
 * or a looped file, split into an MSE init segment and ~1 s media segments (one Cluster each).
 */
import { execFile, spawn } from 'node:child_process'
import { access } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { AbortError, InvalidInputError } from '../../core/errors.ts'
import { WebmSplitter, webmCodecString } from '../../core/media/webm.ts'
import type { WebmChunk } from '../../core/media/webm.ts'
import type { AbortOptions } from '../../core/options.ts'
import { FFMPEG_SOURCE_DEFAULTS, SEGMENT_MS_RANGE, ffmpegArgs, findFontFile } from './ffmpeg-args.ts'
import { FFMPEG_INSTALL_COMMAND, FfmpegExitedError, FfmpegMissingError } from './ffmpeg-errors.ts'

export { FfmpegExitedError, FfmpegMissingError } from './ffmpeg-errors.ts'

/** Options of {@link ffmpegSource}. */
export interface FfmpegSourceInit {
  /** File to stream instead of the test pattern; looped (`-stream_loop -1`) and paced (`-re`). */
  input?: string
  /** @default 640 */
  width?: number
  /** @default 360 */
  height?: number
  /** @default 24 */
  fps?: number
  /** Segment (keyframe and Cluster) interval, 1000..2000. @default 1000 */
  segmentMs?: number
  /** @default 800 */
  videoBitrateKbps?: number
  /** Tone added when there is no input audio. @default 440 */
  toneHz?: number
  /** @default 'ffmpeg' */
  ffmpegPath?: string
  /** Receives every ffmpeg stderr line. */
  logger?: (line: string) => void
}

/** A segment of the live source. */
export interface SourceSegment extends WebmChunk {
  /**
   * Unix µs at which the segment's first frame was produced: source start + `timestampUs`. The start is
   * estimated as the earliest of the first output byte's arrival and, over the Clusters so far, "arrival − end
   * time"; `-re` paces ffmpeg to the wall clock, so each is at most a few tens of ms after the real start.
   */
  captureTimeUs: bigint
}

/** A live source of WebM segments. */
export interface LiveSource {
  /** MSE type such as `video/webm; codecs="vp8, opus"`; empty until the init segment arrived. */
  readonly codec: string
  /**
   * Starts the source (one ffmpeg process per call) and yields the init segment, then media segments as soon as
   * each Cluster is complete. Aborting kills ffmpeg and rejects with `AbortError`; ffmpeg exiting on its own
   * rejects with `FfmpegExitedError`, a missing binary with `FfmpegMissingError`.
   */
  segments(options?: AbortOptions): AsyncIterable<SourceSegment>
}

/** Grace period between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000
/** How many stderr lines an `FfmpegExitedError` carries. */
const STDERR_TAIL_LINES = 20

/**
 * Creates a live source.
 *
 * @example
 * ```ts
 * const source = ffmpegSource({ width: 320, height: 180 })
 * for await (const segment of source.segments({ signal })) publish(segment)
 * ```
 */
export function ffmpegSource (init: FfmpegSourceInit = {}): LiveSource {
  const o = {
    width: init.width ?? FFMPEG_SOURCE_DEFAULTS.width,
    height: init.height ?? FFMPEG_SOURCE_DEFAULTS.height,
    fps: init.fps ?? FFMPEG_SOURCE_DEFAULTS.fps,
    segmentMs: init.segmentMs ?? FFMPEG_SOURCE_DEFAULTS.segmentMs,
    videoBitrateKbps: init.videoBitrateKbps ?? FFMPEG_SOURCE_DEFAULTS.videoBitrateKbps,
    toneHz: init.toneHz ?? FFMPEG_SOURCE_DEFAULTS.toneHz
  }
  const ffmpegPath = init.ffmpegPath ?? FFMPEG_SOURCE_DEFAULTS.ffmpegPath
  if (o.segmentMs < SEGMENT_MS_RANGE.min || o.segmentMs > SEGMENT_MS_RANGE.max) {
    throw new InvalidInputError(`segmentMs must be within ${SEGMENT_MS_RANGE.min}..${SEGMENT_MS_RANGE.max}`, { field: 'segmentMs' })
  }
  for (const field of ['width', 'height', 'fps', 'videoBitrateKbps', 'toneHz'] as const) {
    if (!Number.isInteger(o[field]) || o[field] <= 0) throw new InvalidInputError(`${field} must be a positive integer`, { field })
  }
  // libvpx and yuv420p want even dimensions.
  if (o.width % 2 !== 0 || o.height % 2 !== 0) throw new InvalidInputError('width and height must be even', { field: 'width' })
  let codec = ''

  async function * segments (options: AbortOptions = {}): AsyncGenerator<SourceSegment> {
    const { signal } = options
    // A function, so TypeScript does not narrow `aborted` to false after the first check.
    const aborted = (): boolean => signal?.aborted === true
    if (aborted()) throw new AbortError()
    let inputHasAudio: boolean | undefined
    if (init.input !== undefined) {
      await access(init.input).catch((err: unknown) => {
        throw new InvalidInputError(`Cannot read input ${init.input}`, { field: 'input', cause: err })
      })
      inputHasAudio = await hasAudio(ffmpegPath, init.input, signal)
    }
    const args = ffmpegArgs({ ...o, input: init.input, inputHasAudio, fontFile: findFontFile() })
    init.logger?.(`ffmpeg ${args.join(' ')}`)

    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<{ code: number | null, signal: string | null, error?: NodeJS.ErrnoException }>(resolve => {
      child.once('error', error => { resolve({ code: null, signal: null, error }) })
      child.once('close', (code, sig) => { resolve({ code, signal: sig }) })
    })
    const stderr: string[] = []
    createInterface({ input: child.stderr }).on('line', line => {
      stderr.push(line)
      if (stderr.length > STDERR_TAIL_LINES) stderr.shift()
      init.logger?.(line)
    })
    const stop = (): void => { terminate(child) }
    signal?.addEventListener('abort', stop, { once: true })

    const splitter = new WebmSplitter()
    let startUs: bigint | undefined
    try {
      for await (const data of child.stdout as AsyncIterable<Uint8Array>) {
        const nowUs = wallClockUs()
        // ffmpeg writes the header only after reading its first frames, so its arrival bounds the start.
        startUs ??= nowUs
        for (const chunk of splitter.push(data)) {
          if (aborted()) break
          if (chunk.kind === 'init') {
            codec = webmCodecString(chunk.bytes)
            yield { ...chunk, captureTimeUs: startUs }
            continue
          }
          // With -re a Cluster cannot be out before the source reached its end: a second bound on the start.
          const bound = nowUs - chunk.timestampUs - BigInt(chunk.durationUs)
          if (bound < startUs) startUs = bound
          yield { ...chunk, captureTimeUs: startUs + chunk.timestampUs }
        }
        if (aborted()) break
      }
      const exit = await exited
      if (aborted()) throw new AbortError()
      if (exit.error?.code === 'ENOENT') throw missing(ffmpegPath, exit.error)
      throw new FfmpegExitedError({ code: exit.code, signal: exit.signal, stderr: [...stderr] }, undefined, { cause: exit.error })
    } finally {
      signal?.removeEventListener('abort', stop)
      terminate(child)
      await exited
    }
  }

  return {
    get codec () { return codec },
    segments
  }
}

/**
 * Resolves the `ffmpeg -version` line after checking that the libvpx and libopus encoders exist.
 *
 * @throws FfmpegMissingError naming the install command `apt-get install -y ffmpeg`
 */
export async function checkFfmpeg (path: string = FFMPEG_SOURCE_DEFAULTS.ffmpegPath, options: AbortOptions = {}): Promise<string> {
  const run = async (args: string[]): Promise<string> => await new Promise((resolve, reject) => {
    execFile(path, args, { signal: options.signal, maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => {
      if (err === null) resolve(stdout)
      else if (err.name === 'AbortError') reject(new AbortError(undefined, { cause: err }))
      else reject(missing(path, err))
    })
  })
  const version = (await run(['-hide_banner', '-version'])).split('\n')[0]?.trim() ?? ''
  const encoders = await run(['-hide_banner', '-encoders'])
  for (const name of ['libvpx', 'libopus']) {
    if (!new RegExp(`\\s${name}\\s`).test(encoders)) {
      throw new FfmpegMissingError(`${version} lacks the ${name} encoder: install Debian's build with \`${FFMPEG_INSTALL_COMMAND}\``)
    }
  }
  return version
}

function missing (path: string, cause: unknown): FfmpegMissingError {
  return new FfmpegMissingError(`Cannot run ${path}: install ffmpeg with \`${FFMPEG_INSTALL_COMMAND}\``, { cause })
}

/** Whether ffmpeg lists an audio stream in `input` (ffmpeg without an output exits 1 after printing them). */
async function hasAudio (ffmpegPath: string, input: string, signal?: AbortSignal): Promise<boolean> {
  return await new Promise((resolve, reject) => {
    execFile(ffmpegPath, ['-hide_banner', '-nostdin', '-i', input], { signal }, (err, _stdout, stderr) => {
      const e = err as NodeJS.ErrnoException | null
      if (e?.name === 'AbortError') reject(new AbortError(undefined, { cause: e }))
      else if (e?.code === 'ENOENT') reject(missing(ffmpegPath, e))
      else if (!/Stream #\d+:\d+/.test(stderr)) {
        reject(new FfmpegExitedError({ code: 1, signal: null, stderr: stderr.trim().split('\n').slice(-STDERR_TAIL_LINES) }))
      } else resolve(/Stream #\d+:\d+.*: Audio:/.test(stderr))
    })
  })
}

/** SIGTERM now (ffmpeg then finishes cleanly), SIGKILL if it is still there after the grace period. */
function terminate (child: ReturnType<typeof spawn>): void {
  if (child.killed || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, KILL_GRACE_MS)
  child.once('exit', () => { clearTimeout(timer) })
}

function wallClockUs (): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000))
}
