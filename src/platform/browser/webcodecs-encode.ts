// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 encode stage in the browser: RGBA frames and mono PCM in, the streaming segment format out
 * (WebM, VP8 + Opus, one keyframe-first Cluster per segment, split by `WebmSplitter`), the same format as
 * the Node stage (`src/platform/node/ffmpeg-encode.ts`). WebCodecs encodes (`VideoEncoder` vp8,
 * `AudioEncoder` opus); mediabunny muxes the packets. No DOM: it runs on a page and in a dedicated worker.
 *
 * Cluster layout: mediabunny starts a new Cluster only when every track's next packet is a key packet and
 * the current Cluster is at least `minimumClusterDuration` long. Opus packets are all key packets, so
 * with a VP8 keyframe exactly every segment and `minimumClusterDuration` just under the segment length,
 * Clusters start exactly at the video keyframes. The video track is added first so that, when an Opus
 * packet has the same millisecond as a keyframe, the keyframe is written first. The result is checked
 * after muxing and a different layout is an error, never a silent fallback.
 */
import {
  BufferTarget, EncodedAudioPacketSource, EncodedPacket, EncodedVideoPacketSource, Output, WebMOutputFormat
} from 'mediabunny'
import { AbortError, InvalidInputError } from '../../core/errors.ts'
import { encodePlan, fitPcm, frameDurationUs, frameTimestampUs, isKeyframe, segmentLayoutProblems } from '../../core/media/encode-plan.ts'
import { WebmSplitter } from '../../core/media/webm.ts'
import type { ClipEncodeInput, EncodePlan } from '../../core/media/encode-plan.ts'
import type { WebmChunk } from '../../core/media/webm.ts'
import type { EncodeRequest, EncodeResult } from '../../core/lane0/pipeline.ts'
import type { RgbaImage, SpeechOutput, Stage, StageInfo, StageRunOptions } from '../../core/lane0/stage.ts'
import type { AbortOptions } from '../../core/options.ts'

/** Opus always runs at 48 kHz. */
export const OPUS_SAMPLE_RATE = 48000
/** @default 800 (as the Node stage) */
export const DEFAULT_VIDEO_BITRATE_KBPS = 800
/** @default 64 */
export const DEFAULT_AUDIO_BITRATE_KBPS = 64
/** Frames (or audio chunks) queued in an encoder before `encode()` waits for a `dequeue` event. */
const MAX_ENCODE_QUEUE = 8
/** Frames per progress report. */
const PROGRESS_FRAMES = 8
/** Samples per `AudioData` handed to the Opus encoder (100 ms). */
const AUDIO_CHUNK_SAMPLES = 4800
/** Share of the progress given to the audio (encoded first, in one go). */
const AUDIO_PROGRESS = 0.05

/** Why WebCodecs cannot encode this clip. */
export type WebCodecsUnsupportedReason = 'missing-api' | 'unsupported-config'

/**
 * This browser or worker cannot encode the clip with WebCodecs: the API is missing, or
 * `VideoEncoder.isConfigSupported` / `AudioEncoder.isConfigSupported` refused the configuration.
 * `codec` names the codec (`vp8` or `opus`).
 */
export class WebCodecsUnsupportedError extends Error {
  static override name = 'WebCodecsUnsupportedError'
  readonly codec: string
  readonly reason: WebCodecsUnsupportedReason
  constructor (codec: string, reason: WebCodecsUnsupportedReason, message = `WebCodecs cannot encode ${codec} (${reason})`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'WebCodecsUnsupportedError'
    this.codec = codec
    this.reason = reason
  }
}

/** Which part of an encode failed. */
export type WebCodecsEncodeFailure = 'video-encoder' | 'audio-encoder' | 'muxer' | 'segment-format'

/**
 * An encode failed: an encoder's `error` callback fired, the muxer refused a packet, or the output is not
 * in the streaming segment format (`segment-format`: a missing keyframe or a Cluster that does not start
 * with one).
 */
export class WebCodecsEncodeError extends Error {
  static override name = 'WebCodecsEncodeError'
  readonly reason: WebCodecsEncodeFailure
  constructor (reason: WebCodecsEncodeFailure, message = `WebCodecs encode failed (${reason})`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'WebCodecsEncodeError'
    this.reason = reason
  }
}

/** What to encode: a {@link ClipEncodeInput} (audio resampled to 48 kHz for Opus) and the WebCodecs settings. */
export interface WebCodecsEncodeInput extends ClipEncodeInput {
  /**
   * Opus packets past `durationSec` (the encoder's flush) are dropped, so the decoded audio ends the
   * encoder's pre-skip (312 samples, 6.5 ms in Chromium) before the video.
   */
  audio: SpeechOutput
  /** @default DEFAULT_VIDEO_BITRATE_KBPS */
  videoBitrateKbps?: number
  /** @default DEFAULT_AUDIO_BITRATE_KBPS */
  audioBitrateKbps?: number
  /** Passed to `VideoEncoderConfig.hardwareAcceleration`. @default 'no-preference' */
  hardwareAcceleration?: HardwareAcceleration
}

/** The encoded clip. */
export interface WebCodecsEncodedClip {
  /** The whole WebM file (with Duration and Cues). */
  webm: Uint8Array
  /** Init segment, then one keyframe-first media segment per `segmentMs`. */
  segments: WebmChunk[]
  frames: number
  /**
   * Indices of the frames the VP8 encoder emitted as keyframes: the planned ones (a missing one is an
   * error) and any the encoder added on its own (harmless to the format; none seen in Chromium).
   */
  keyframes: number[]
}

/** The WebCodecs configurations used for an input. */
export function webCodecsConfigs (input: Pick<WebCodecsEncodeInput, 'fps' | 'width' | 'height' | 'videoBitrateKbps' | 'audioBitrateKbps' | 'hardwareAcceleration'>): { video: VideoEncoderConfig, audio: AudioEncoderConfig } {
  return {
    video: {
      codec: 'vp8',
      width: input.width,
      height: input.height,
      bitrate: (input.videoBitrateKbps ?? DEFAULT_VIDEO_BITRATE_KBPS) * 1000,
      framerate: input.fps,
      hardwareAcceleration: input.hardwareAcceleration ?? 'no-preference',
      latencyMode: 'quality'
    },
    audio: { codec: 'opus', sampleRate: OPUS_SAMPLE_RATE, numberOfChannels: 1, bitrate: (input.audioBitrateKbps ?? DEFAULT_AUDIO_BITRATE_KBPS) * 1000 }
  }
}

/**
 * Checks that WebCodecs exists here and accepts both configurations.
 *
 * @throws WebCodecsUnsupportedError naming the codec
 */
export async function checkWebCodecsSupport (configs: { video: VideoEncoderConfig, audio: AudioEncoderConfig }): Promise<void> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') {
    throw new WebCodecsUnsupportedError(configs.video.codec, 'missing-api', 'WebCodecs VideoEncoder is not available here (it needs a secure context)')
  }
  if (typeof AudioEncoder === 'undefined' || typeof AudioData === 'undefined') {
    throw new WebCodecsUnsupportedError(configs.audio.codec, 'missing-api', 'WebCodecs AudioEncoder is not available here (it needs a secure context)')
  }
  const describe = (c: VideoEncoderConfig | AudioEncoderConfig): string => JSON.stringify(c)
  const video = await VideoEncoder.isConfigSupported(configs.video).catch((err: unknown) => {
    throw new WebCodecsUnsupportedError(configs.video.codec, 'unsupported-config', `Invalid ${configs.video.codec} encoder configuration ${describe(configs.video)}`, { cause: err })
  })
  if (video.supported !== true) {
    throw new WebCodecsUnsupportedError(configs.video.codec, 'unsupported-config', `VideoEncoder does not support ${describe(configs.video)}`)
  }
  const audio = await AudioEncoder.isConfigSupported(configs.audio).catch((err: unknown) => {
    throw new WebCodecsUnsupportedError(configs.audio.codec, 'unsupported-config', `Invalid ${configs.audio.codec} encoder configuration ${describe(configs.audio)}`, { cause: err })
  })
  if (audio.supported !== true) {
    throw new WebCodecsUnsupportedError(configs.audio.codec, 'unsupported-config', `AudioEncoder does not support ${describe(configs.audio)}`)
  }
}

/**
 * Encodes a clip with WebCodecs and mediabunny, on a page or in a dedicated worker.
 *
 * @throws WebCodecsUnsupportedError before any work when the codecs are unavailable
 * @throws WebCodecsEncodeError when an encoder or the muxer fails, or the output is not keyframe-first
 * @throws InvalidInputError naming the field for a bad size, rate or frame count
 * @throws AbortError when `signal` aborts (the encoders are closed)
 * @example
 * ```ts
 * const clip = await encodeClipWebCodecs({ fps: 24, width: 384, height: 384, durationSec: 8, frames, audio }, { signal })
 * for (const segment of clip.segments) sourceBuffer.appendBuffer(segment.bytes)
 * ```
 */
export async function encodeClipWebCodecs (input: WebCodecsEncodeInput, options: StageRunOptions = {}): Promise<WebCodecsEncodedClip> {
  const { signal } = options
  signal?.throwIfAborted()
  const { fps, width, height, durationSec } = input
  const plan = encodePlan({ fps, durationSec, segmentMs: input.segmentMs })
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width % 2 !== 0 || height % 2 !== 0) {
    throw new InvalidInputError(`width and height must be positive even integers (4:2:0), got ${width}x${height}`, { field: 'width' })
  }
  const configs = webCodecsConfigs(input)
  await checkWebCodecsSupport(configs)
  signal?.throwIfAborted()
  const pcm = fitPcm(input.audio, OPUS_SAMPLE_RATE, durationSec)
  return await new EncodeRun(plan, configs, options).run(input.frames, pcm)
}

/** One encode: two encoders feeding one muxer, failing as a whole on the first error. */
class EncodeRun {
  private readonly plan: EncodePlan
  private readonly configs: { video: VideoEncoderConfig, audio: AudioEncoderConfig }
  private readonly options: StageRunOptions
  private readonly target = new BufferTarget()
  private readonly output: Output
  private readonly videoSource = new EncodedVideoPacketSource('vp8')
  private readonly audioSource = new EncodedAudioPacketSource('opus')
  private readonly failed: Promise<never>
  private fail!: (err: Error) => void
  private failure: Error | undefined
  /** Packets go to the muxer strictly in output order. */
  private muxing: Promise<void> = Promise.resolve()
  private readonly keyframes: number[] = []
  private videoEncoder: VideoEncoder | undefined
  private audioEncoder: AudioEncoder | undefined

  constructor (plan: EncodePlan, configs: { video: VideoEncoderConfig, audio: AudioEncoderConfig }, options: StageRunOptions) {
    this.plan = plan
    this.configs = configs
    this.options = options
    this.failed = new Promise<never>((_resolve, reject) => {
      this.fail = (err: Error) => {
        if (this.failure !== undefined) return
        this.failure = err
        reject(err)
      }
    })
    this.failed.catch(() => undefined)
    // Half a millisecond under the shortest keyframe gap in mediabunny's millisecond cluster clock: the
    // keyframe opens the Cluster, an Opus packet 1 ms before it does not (see the module comment).
    const keyMs = plan.keyframes.map(i => Math.round(frameTimestampUs(plan, i) / 1000))
    const gaps = keyMs.slice(1).map((ms, k) => ms - (keyMs[k] ?? 0))
    const minimumClusterDuration = (Math.min(Math.round(plan.gop * 1000 / plan.fps), ...gaps) - 0.5) / 1000
    this.output = new Output({ format: new WebMOutputFormat({ minimumClusterDuration }), target: this.target })
    // Video first: track 1, and the winner of same-millisecond ties in mediabunny's interleaving.
    this.output.addVideoTrack(this.videoSource, { frameRate: plan.fps })
    this.output.addAudioTrack(this.audioSource)
  }

  async run (frames: Iterable<RgbaImage> | AsyncIterable<RgbaImage>, pcm: Float32Array<ArrayBuffer>): Promise<WebCodecsEncodedClip> {
    const { signal } = this.options
    const onAbort = (): void => {
      this.fail(new AbortError())
      this.closeEncoders()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted === true) onAbort()
    try {
      await this.guard(this.output.start())
      await this.encodeAudio(pcm)
      this.progress(AUDIO_PROGRESS, 'audio encoded')
      const frameCount = await this.encodeVideo(frames)
      await this.guard(this.muxing)
      this.videoSource.close()
      this.audioSource.close()
      await this.guard(this.output.finalize())
      const buffer = this.target.buffer
      if (buffer === null) throw new WebCodecsEncodeError('muxer', 'mediabunny finalized without output')
      const webm = new Uint8Array(buffer)
      const splitter = new WebmSplitter()
      const segments = [...splitter.push(webm), ...splitter.flush()]
      this.checkLayout(segments)
      this.progress(1, `${segments.length - 1} segments`)
      return { webm, segments, frames: frameCount, keyframes: this.keyframes }
    } catch (err) {
      const error = signal?.aborted === true ? new AbortError(undefined, { cause: err }) : (this.failure ?? err)
      this.closeEncoders()
      if (this.output.state === 'started' || this.output.state === 'pending') await this.output.cancel().catch(() => undefined)
      throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.closeEncoders()
    }
  }

  private async encodeAudio (pcm: Float32Array<ArrayBuffer>): Promise<void> {
    const { plan } = this
    const endUs = plan.durationSec * 1e6
    const encoder = new AudioEncoder({
      output: (chunk, meta) => {
        // The encoder's flush may emit a packet past the clip's end; the clip ends at `durationSec`.
        if (chunk.timestamp >= endUs) return
        this.mux(() => this.audioSource.add(EncodedPacket.fromEncodedChunk(chunk), meta))
      },
      error: (err) => { this.fail(new WebCodecsEncodeError('audio-encoder', `Opus encoder failed: ${err.message}`, { cause: err })) }
    })
    this.audioEncoder = encoder
    encoder.configure(this.configs.audio)
    for (let start = 0; start < pcm.length; start += AUDIO_CHUNK_SAMPLES) {
      this.checkFailed()
      const data = pcm.subarray(start, Math.min(pcm.length, start + AUDIO_CHUNK_SAMPLES))
      const audio = new AudioData({
        format: 'f32',
        sampleRate: OPUS_SAMPLE_RATE,
        numberOfChannels: 1,
        numberOfFrames: data.length,
        timestamp: Math.round(start * 1e6 / OPUS_SAMPLE_RATE),
        data
      })
      try {
        encoder.encode(audio)
      } finally {
        audio.close()
      }
      while (encoder.encodeQueueSize > MAX_ENCODE_QUEUE) await this.guard(dequeued(encoder))
    }
    await this.guard(encoder.flush())
    encoder.close()
  }

  private async encodeVideo (frames: Iterable<RgbaImage> | AsyncIterable<RgbaImage>): Promise<number> {
    const { plan } = this
    const { width, height } = this.configs.video
    const encoder = new VideoEncoder({
      output: (chunk, meta) => { this.onVideoChunk(chunk, meta) },
      error: (err) => { this.fail(new WebCodecsEncodeError('video-encoder', `VP8 encoder failed: ${err.message}`, { cause: err })) }
    })
    this.videoEncoder = encoder
    encoder.configure(this.configs.video)
    let n = 0
    for await (const frame of frames) {
      this.checkFailed()
      if (frame.width !== width || frame.height !== height) throw new InvalidInputError(`frame ${n} is ${frame.width}x${frame.height}, not ${width}x${height}`, { field: 'frames' })
      if (frame.data.length !== width * height * 4) throw new InvalidInputError(`frame ${n} has ${frame.data.length} bytes, not ${width * height * 4}`, { field: 'frames' })
      if (n >= plan.frameCount) throw new InvalidInputError(`more than ${plan.frameCount} frames for ${plan.durationSec} s at ${plan.fps} fps`, { field: 'frames' })
      const videoFrame = new VideoFrame(frame.data, {
        format: 'RGBA',
        codedWidth: width,
        codedHeight: height,
        timestamp: frameTimestampUs(plan, n),
        duration: frameDurationUs(plan, n)
      })
      try {
        encoder.encode(videoFrame, { keyFrame: isKeyframe(plan, n) })
      } finally {
        videoFrame.close()
      }
      n++
      while (encoder.encodeQueueSize > MAX_ENCODE_QUEUE) await this.guard(dequeued(encoder))
      if (n % PROGRESS_FRAMES === 0 || n === plan.frameCount) {
        this.progress(AUDIO_PROGRESS + (1 - AUDIO_PROGRESS) * 0.99 * n / plan.frameCount, `frame ${n}/${plan.frameCount}`)
      }
    }
    if (n !== plan.frameCount) throw new InvalidInputError(`${n} frames for ${plan.durationSec} s at ${plan.fps} fps (need ${plan.frameCount})`, { field: 'frames' })
    await this.guard(encoder.flush())
    encoder.close()
    const missing = plan.keyframes.filter(i => !this.keyframes.includes(i))
    if (missing.length > 0) throw new WebCodecsEncodeError('segment-format', `VP8 encoder ignored the keyframe request for frames ${missing.join(', ')}`)
    return n
  }

  private onVideoChunk (chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    if (chunk.type === 'key') this.keyframes.push(Math.round(chunk.timestamp * this.plan.fps / 1e6))
    this.mux(() => this.videoSource.add(EncodedPacket.fromEncodedChunk(chunk), meta))
  }

  /** Queues one muxer call behind the previous ones; a refusal fails the run. */
  private mux (add: () => Promise<void>): void {
    this.muxing = this.muxing.then(async () => {
      if (this.failure === undefined) await add()
    }).catch((err: unknown) => {
      this.fail(new WebCodecsEncodeError('muxer', `mediabunny refused a packet: ${String(err)}`, { cause: err }))
    })
  }

  /** Every Cluster must start at a keyframe, one per segment, at the planned time. */
  private checkLayout (segments: WebmChunk[]): void {
    const problems = segmentLayoutProblems(this.plan, segments)
    if (problems.length > 0) throw new WebCodecsEncodeError('segment-format', `Output is not in the segment format: ${problems.join('; ')}`)
  }

  private checkFailed (): void {
    if (this.failure !== undefined) throw this.failure
    this.options.signal?.throwIfAborted()
  }

  /** Waits for `p` unless the run fails first. */
  private async guard<T> (p: Promise<T>): Promise<T> {
    return await Promise.race([p, this.failed])
  }

  private progress (fraction: number, message: string): void {
    this.options.onProgress?.({ fraction, message })
  }

  private closeEncoders (): void {
    for (const encoder of [this.videoEncoder, this.audioEncoder]) {
      if (encoder !== undefined && encoder.state !== 'closed') encoder.close()
    }
  }
}

/** Resolves at the encoder's next `dequeue` event. */
async function dequeued (encoder: VideoEncoder | AudioEncoder): Promise<void> {
  await new Promise<void>(resolve => { encoder.addEventListener('dequeue', () => { resolve() }, { once: true }) })
}

/** Construction options of {@link WebCodecsEncodeStage}. */
export interface WebCodecsEncodeStageInit {
  /** @default DEFAULT_VIDEO_BITRATE_KBPS */
  videoBitrateKbps?: number
  /** @default DEFAULT_AUDIO_BITRATE_KBPS */
  audioBitrateKbps?: number
  /** @default 'no-preference' */
  hardwareAcceleration?: HardwareAcceleration
}

/** The browser encode stage: {@link encodeClipWebCodecs} behind the Lane-0 stage contract. */
export class WebCodecsEncodeStage implements Stage<EncodeRequest, EncodeResult> {
  readonly info: StageInfo = { kind: 'encode', id: 'webcodecs-vp8-opus', neural: false, description: 'VP8 + Opus WebM in 1 s keyframe-first segments (browser WebCodecs encoders, mediabunny muxer); not neural' }
  private readonly init: WebCodecsEncodeStageInit
  private checked = false

  constructor (init: WebCodecsEncodeStageInit = {}) {
    this.init = { ...init }
  }

  /** Encoder state and the finished file (a few MB); the frames belong to the caller. */
  memoryEstimateBytes (): number { return 64 * 2 ** 20 }

  /** Checks that WebCodecs can encode VP8 and Opus here (at 256×256, 24 fps; `run` checks the real size). */
  async load (options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    if (this.checked) return
    await checkWebCodecsSupport(webCodecsConfigs({ ...this.init, fps: 24, width: 256, height: 256 }))
    this.checked = true
  }

  async run (input: EncodeRequest, options: StageRunOptions = {}): Promise<EncodeResult> {
    options.onProgress?.({ fraction: 0, message: 'encoding' })
    const clip = await encodeClipWebCodecs({ ...this.init, ...input }, options)
    return { webm: clip.webm, segments: clip.segments }
  }

  async unload (): Promise<void> {}
}
