// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The default animation stage: the keyframe portrait animated by the speech. Not neural: the mouth
 * and jaw follow the speech energy (`mouthOpenTrack`), blinks and a slow head sway come from the
 * recipe's seed, and each frame is the keyframe warped by `animation-warp.ts` on WebGPU when a device
 * is given (the shader), else on the CPU (the same maths).
 */
import { AbortError } from '../errors.ts'
import { blake2b256 } from '../wire/hash.ts'
import { GpuWarper, warpFrameCpu } from './animation-warp.ts'
import { frameCount, mouthOpenTrack } from './audio-features.ts'
import type { FaceRig, WarpParams } from './animation-warp.ts'
import type { AbortOptions } from '../options.ts'
import type { PhonemeMark } from './audio-features.ts'
import type { RgbaImage, SpeechOutput, Stage, StageInfo, StageRunOptions } from './stage.ts'

/** What the animation stage needs. */
export interface AnimationInput {
  keyframe: RgbaImage
  rig: FaceRig
  speech: SpeechOutput
  fps: number
  durationSec: number
  seed: number
  /** Timed phonemes, when the speech engine gives them (closes the mouth on m/b/p). */
  phonemes?: PhonemeMark[]
}

/** The animated frames and the per-frame parameters that made them. */
export interface AnimationOutput {
  frames: RgbaImage[]
  params: WarpParams[]
  /** The warp's WebGPU shader or CPU reference, or the ONNX runtime's provider for a neural renderer. */
  backend: 'webgpu' | 'cpu' | 'onnx-cpu' | 'onnx-webgpu' | 'onnx-wasm'
}

/** Dependencies: a WebGPU device for the shader path (absent: CPU). */
export interface AnimationStageComponents {
  device?(): Promise<GPUDevice | undefined>
}

/** A small deterministic PRNG (mulberry32) seeded from blake2b-256 of the seed. */
function prng (seed: number): () => number {
  const h = blake2b256(new TextEncoder().encode(`nsn-animation/${seed}`))
  let a = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Per-frame warp parameters: mouth from the speech, blinks every 2-5 s (150 ms each) and a sway of
 * ±1.5° and ±1.5 px, all from the seed. Deterministic.
 */
export function animationParams (input: Pick<AnimationInput, 'speech' | 'fps' | 'durationSec' | 'seed' | 'phonemes'>): WarpParams[] {
  const n = frameCount(input.durationSec, input.fps)
  const mouth = mouthOpenTrack(input.speech, input.fps, input.durationSec, input.phonemes != null ? { phonemes: input.phonemes } : {})
  const rand = prng(input.seed)
  const blinkFrames = Math.max(2, Math.round(0.15 * input.fps))
  const blinks: number[] = []
  for (let t = 1 + rand() * 2; t < input.durationSec; t += 2 + rand() * 3) blinks.push(Math.round(t * input.fps))
  const phase = rand() * Math.PI * 2
  const out: WarpParams[] = []
  for (let i = 0; i < n; i++) {
    const t = i / input.fps
    const inBlink = blinks.find(b => i >= b && i < b + blinkFrames)
    const blink = inBlink == null ? 0 : Math.sin(Math.PI * (i - inBlink + 0.5) / blinkFrames)
    out.push({
      mouthOpen: mouth[i] ?? 0,
      blink,
      roll: 0.026 * Math.sin(0.7 * t + phase),
      shiftX: 1.5 * Math.sin(0.45 * t + 2 * phase),
      shiftY: 1.5 * Math.sin(0.6 * t + 3 * phase)
    })
  }
  return out
}

/** Estimated bytes per pixel of working memory (keyframe, frames kept for the encoder, GPU buffers). */
const BYTES_PER_PIXEL_FRAME = 4

/** The default (non-neural) animation stage. */
export class WarpAnimationStage implements Stage<AnimationInput, AnimationOutput> {
  readonly info: StageInfo = {
    kind: 'animation',
    id: 'audio-driven-warp',
    neural: false,
    description: 'mouth/jaw driven by speech energy, seeded blinks and head sway, mesh warp on WebGPU (CPU fallback); not neural'
  }

  private readonly components: AnimationStageComponents
  private device?: GPUDevice
  private loaded = false
  private readonly expected: { width: number, height: number, frames: number }

  constructor (components: AnimationStageComponents = {}, expected = { width: 384, height: 384, frames: 240 }) {
    this.components = components
    this.expected = expected
  }

  memoryEstimateBytes (): number {
    const { width, height, frames } = this.expected
    return width * height * BYTES_PER_PIXEL_FRAME * (frames + 4)
  }

  async load (options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    if (this.loaded) return
    this.device = await this.components.device?.()
    this.loaded = true
  }

  async run (input: AnimationInput, options: StageRunOptions = {}): Promise<AnimationOutput> {
    if (!this.loaded) await this.load(options)
    const params = animationParams(input)
    const frames: RgbaImage[] = []
    const warper = this.device != null ? new GpuWarper(this.device, input.keyframe) : undefined
    try {
      for (let i = 0; i < params.length; i++) {
        if (options.signal?.aborted === true) throw new AbortError()
        const p = params[i] as WarpParams
        frames.push(warper != null ? await warper.frame(input.rig, p) : warpFrameCpu(input.keyframe, input.rig, p))
        if (i % 12 === 0 || i === params.length - 1) options.onProgress?.({ fraction: (i + 1) / params.length, message: `frame ${i + 1}/${params.length}` })
      }
    } finally {
      warper?.destroy()
    }
    return { frames, params, backend: warper != null ? 'webgpu' : 'cpu' }
  }

  async unload (): Promise<void> {
    this.device = undefined
    this.loaded = false
  }
}
