// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The production keyframe stage: SD-Turbo (Stability AI's one-step distillation of Stable
 * Diffusion 2.1) as exported to ONNX for onnxruntime-web (Hugging Face `schmuell/sd-turbo-ort-web`,
 * see models/sd-turbo/README.md), then a face-landmark detector for the animation rig.
 *
 * Model I/O, as the reference pipeline uses it (microsoft/onnxruntime-inference-examples,
 * `js/sd-turbo/index.js` at commit 72dffccf513123606e3fa2f1e061041f35a507ce, checked with the code
 * search): text_encoder `input_ids` int32 [1, 77] → `last_hidden_state` [1, 77, 1024]; unet
 * `sample` [1, 4, 64, 64], `timestep` int64 [1] (999), `encoder_hidden_states` [1, 77, 1024] →
 * `out_sample` [1, 4, 64, 64]; vae_decoder `latent_sample` [1, 4, 64, 64] → `sample` [1, 3, 512, 512].
 * That pipeline feeds and reads float32 tensors (the weights inside are float16); float16 I/O is
 * supported too: the element type of each input is taken from the manifest's signature and float16
 * tensors travel as raw half bits (`f16.ts`).
 *
 * One step, as the example does it: latents = N(0, 1) · σ (seeded, Box-Muller), unet on
 * latents / √(σ² + 1) at t = 999, x0 = latents − σ · ε, vae on x0 / 0.18215, [-1, 1] → RGBA, resized
 * (bilinear) to the requested size. σ is the Euler scheduler's sigma at t = 999 for SD 2.1's
 * scaled-linear betas (0.00085 … 0.012, 1000 steps), ≈ 14.6146 (the example's constant).
 * SD-Turbo runs without classifier-free guidance, so the negative prompt is not used.
 *
 * The rig comes from an injected detector (Node: `src/platform/node/face-rig.ts`); a generated image
 * without a detectable face fails the stage with {@link NoFaceDetectedError} (there is no fallback).
 */
import { resizeBilinear } from './image-ops.ts'
import { AbortError, InvalidInputError } from '../errors.ts'
import { ModelSignatureError, checkSignature, tensor } from '../ai/inference.ts'
import type { InferenceSession, Tensor } from '../ai/inference.ts'
import type { LoadedModel } from '../ai/model-loader.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import type { AbortOptions } from '../options.ts'
import type { FaceRig } from './animation-warp.ts'
import { ClipTokenizer } from './clip-tokenizer.ts'
import { fromFloat16, toFloat16 } from './f16.ts'
import type { KeyframeRequest, KeyframeResult } from './pipeline.ts'
import type { RgbaImage, Stage, StageInfo, StageRunOptions } from './stage.ts'
import type { ModelFilesProvider, NeuralStageComponents } from './stage-plan.ts'

export type { ModelFilesProvider }

/** Input and output names of the three sub-models (see the file comment for the source). */
export const SD_TURBO_IO = {
  textEncoder: { inputs: ['input_ids'], outputs: ['last_hidden_state'] },
  unet: { inputs: ['sample', 'timestep', 'encoder_hidden_states'], outputs: ['out_sample'] },
  vaeDecoder: { inputs: ['latent_sample'], outputs: ['sample'] }
} as const

/** The single timestep of one-step SD-Turbo. */
export const SD_TURBO_TIMESTEP = 999
/** The VAE's latent scaling factor (SD 2.x). */
export const VAE_SCALING_FACTOR = 0.18215
/** Stable Diffusion 2.1's training noise schedule (diffusers `scheduler_config.json`). */
export const SD_BETA_START = 0.00085
export const SD_BETA_END = 0.012
export const SD_TRAIN_TIMESTEPS = 1000
/** SD 2.x / SD-Turbo tokenizers pad with "!" (id 0), as the reference pipeline does. */
export const SD_TURBO_PAD_ID = 0
/** Latent shape when the unet manifest gives symbolic dims: 512 × 512 images. */
export const DEFAULT_LATENT_SHAPE = [1, 4, 64, 64] as const

/** Finds the face rig of a generated image; rejects with {@link NoFaceDetectedError} when there is no face. */
export type RigDetector = (image: RgbaImage, options: AbortOptions) => Promise<FaceRig>

/** Thrown when a generated keyframe has no face the detector can find: the stage cannot rig it. */
export class NoFaceDetectedError extends Error {
  static override name = 'NoFaceDetectedError'
  constructor (message = 'No face detected in the generated keyframe', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoFaceDetectedError'
  }
}

/** The manifests of the three sub-models; the text encoder's also holds the tokenizer files. */
export interface SdTurboManifests {
  /** `…/model.onnx` plus `tokenizer/vocab.json` + `tokenizer/merges.txt`, or a `tokenizer.json`. */
  textEncoder: ModelManifest
  unet: ModelManifest
  vaeDecoder: ModelManifest
}

/**
 * What the platform injects: the shared {@link NeuralStageComponents} (`createSession`, `loadModel`,
 * called once per sub-model manifest) plus the face-rig detector.
 */
export interface SdTurboKeyframeComponents extends NeuralStageComponents {
  detectRig: RigDetector
}

/** Options of {@link SdTurboKeyframeStage}. */
export interface SdTurboKeyframeInit {
  manifests: SdTurboManifests
  /** Passed to the session factory, e.g. `['webgpu', 'wasm']`. */
  executionProviders?: string[]
}

type FloatType = 'float32' | 'float16'

interface Loaded {
  tokenizer: ClipTokenizer
  textEncoder: InferenceSession
  unet: InferenceSession
  vaeDecoder: InferenceSession
}

/** The element types the stage feeds, read from the manifests. */
interface FeedTypes {
  inputIds: 'int32' | 'int64'
  sample: FloatType
  timestep: 'int64' | 'int32' | 'float32' | 'float16'
  encoderHiddenStates: FloatType
  latentSample: FloatType
}

/** σ of the Euler scheduler at timestep `t` for SD 2.1's scaled-linear betas: √((1 − ᾱₜ) / ᾱₜ). */
export function eulerSigma (t: number = SD_TURBO_TIMESTEP): number {
  const a = Math.sqrt(SD_BETA_START)
  const b = Math.sqrt(SD_BETA_END)
  let alphaBar = 1
  for (let i = 0; i <= t; i++) {
    const s = a + ((b - a) * i) / (SD_TRAIN_TIMESTEPS - 1)
    alphaBar *= 1 - s * s
  }
  return Math.sqrt((1 - alphaBar) / alphaBar)
}

/**
 * `n` standard normal samples from `seed`: a 32-bit PRNG (mulberry32, seeded with the seed's two
 * 32-bit halves mixed) and the Box-Muller transform. Deterministic for a seed within one JS engine
 * (`Math.log`, `Math.cos` may differ in the last bit between engines).
 */
export function gaussianNoise (seed: number, n: number): Float32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidInputError(`seed must be a non-negative safe integer, got ${seed}`, { field: 'seed' })
  let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9) ^ 0x5d2e_c1a3
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0
    let z = state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
  const out = new Float32Array(n)
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next() // (0, 1]: log never sees 0
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = r * Math.cos(2 * Math.PI * v)
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v)
  }
  return out
}

/** The VAE's [1, 3, H, W] output in [-1, 1] as an opaque RGBA image. */
export function vaeToRgba (values: Float32Array, dims: readonly number[]): RgbaImage {
  if (dims.length !== 4 || dims[0] !== 1 || dims[1] !== 3) throw new ModelSignatureError('vae_decoder', `output "sample" must be [1, 3, H, W], got [${dims.join(', ')}]`)
  const h = dims[2]!
  const w = dims[3]!
  const plane = w * h
  const data = new Uint8ClampedArray(plane * 4)
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = values[c * plane + p]! / 2 + 0.5
      data[p * 4 + c] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) // NaN → 0 via the clamped array
    }
    data[p * 4 + 3] = 255
  }
  return { width: w, height: h, data }
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}

function dtypeOf<T extends string> (model: string, manifest: ModelManifest, side: 'inputs' | 'outputs', name: string, allowed: readonly T[]): T {
  const spec = manifest.signature[side].find(s => s.name === name)
  if (spec === undefined) throw new ModelSignatureError(model, `manifest "${manifest.id}" has no ${side === 'inputs' ? 'input' : 'output'} "${name}" in its signature`)
  if (!(allowed as readonly string[]).includes(spec.dtype)) throw new ModelSignatureError(model, `${side === 'inputs' ? 'input' : 'output'} "${name}" is ${spec.dtype}, expected ${allowed.join(' or ')}`)
  return spec.dtype as T
}

function latentShapeOf (manifest: ModelManifest): number[] {
  const spec = manifest.signature.inputs.find(s => s.name === 'sample')
  const shape = spec?.shape ?? []
  if (shape.length === 4 && shape.every(d => typeof d === 'number' && d > 0)) return shape as number[]
  return [...DEFAULT_LATENT_SHAPE]
}

/** A float tensor's values as float32 (float16 half bits are decoded). */
function floatValues (model: string, name: string, t: Tensor | undefined): Float32Array {
  if (t === undefined) throw new ModelSignatureError(model, `the run returned no output "${name}"`)
  if (t.type === 'float32') return t.data as Float32Array
  if (t.type === 'float16') return fromFloat16(t.data as Uint16Array)
  throw new ModelSignatureError(model, `output "${name}" is ${t.type}, expected float32 or float16`)
}

function floatTensor (type: FloatType, values: Float32Array, dims: readonly number[]): Tensor {
  return type === 'float32' ? tensor('float32', values, dims) : tensor('float16', toFloat16(values), dims)
}

function fileBytes (model: LoadedModel, match: (path: string) => boolean, what: string): Uint8Array {
  const found = [...model.files.values()].filter(f => match(f.path))
  if (found.length !== 1) throw new InvalidInputError(`model "${model.manifest.id}" must hold exactly one ${what}, found ${found.length}`, { field: 'files' })
  return found[0]!.bytes
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/**
 * SD-Turbo text-to-image keyframes (neural), rigged by a face-landmark detector.
 *
 * @example
 * ```ts
 * const stage = new SdTurboKeyframeStage({ createSession: nodeSessionFactory, loadModel: (m, o) => loadModel(m, { store, fetch, ...o }), detectRig }, { manifests })
 * const { image, rig } = await stage.run({ prompt: 'portrait of a news anchor', negativePrompt: '', seed: 7, width: 512, height: 512 })
 * ```
 */
export class SdTurboKeyframeStage implements Stage<KeyframeRequest, KeyframeResult> {
  readonly info: StageInfo = {
    kind: 'keyframe',
    id: 'sd-turbo',
    neural: true,
    description: 'SD-Turbo text-to-image (neural, one diffusion step, Stability AI non-commercial research licence); face rig from a landmark detector'
  }

  private readonly components: SdTurboKeyframeComponents
  private readonly manifests: SdTurboManifests
  private readonly executionProviders?: string[]
  private readonly types: FeedTypes
  private readonly latentShape: number[]
  private loaded?: Loaded
  private loading?: Promise<Loaded>

  /** Throws {@link ModelSignatureError} when a manifest's signature lacks a name or has an unsupported element type. */
  constructor (components: SdTurboKeyframeComponents, init: SdTurboKeyframeInit) {
    this.components = components
    this.manifests = init.manifests
    if (init.executionProviders !== undefined) this.executionProviders = init.executionProviders
    const { textEncoder, unet, vaeDecoder } = init.manifests
    const floats = ['float32', 'float16'] as const
    this.types = {
      inputIds: dtypeOf('text_encoder', textEncoder, 'inputs', 'input_ids', ['int32', 'int64'] as const),
      sample: dtypeOf('unet', unet, 'inputs', 'sample', floats),
      timestep: dtypeOf('unet', unet, 'inputs', 'timestep', ['int64', 'int32', 'float32', 'float16'] as const),
      encoderHiddenStates: dtypeOf('unet', unet, 'inputs', 'encoder_hidden_states', floats),
      latentSample: dtypeOf('vae_decoder', vaeDecoder, 'inputs', 'latent_sample', floats)
    }
    dtypeOf('text_encoder', textEncoder, 'outputs', 'last_hidden_state', floats)
    dtypeOf('unet', unet, 'outputs', 'out_sample', floats)
    dtypeOf('vae_decoder', vaeDecoder, 'outputs', 'sample', floats)
    this.latentShape = latentShapeOf(unet)
  }

  /** The three manifests' `memory.bytes` added up. */
  memoryEstimateBytes (): number {
    const { textEncoder, unet, vaeDecoder } = this.manifests
    return textEncoder.memory.bytes + unet.memory.bytes + vaeDecoder.memory.bytes
  }

  async load (options: AbortOptions = {}): Promise<void> {
    await this.ensureLoaded(options)
  }

  private async ensureLoaded (options: AbortOptions): Promise<Loaded> {
    if (this.loaded !== undefined) return this.loaded
    this.loading ??= this.loadNow(options).finally(() => { this.loading = undefined })
    return await this.loading
  }

  private async loadNow (options: AbortOptions): Promise<Loaded> {
    const { signal } = options
    const sessions: InferenceSession[] = []
    const open = async (name: keyof typeof SD_TURBO_IO, manifest: ModelManifest, model: LoadedModel): Promise<InferenceSession> => {
      throwIfAborted(signal)
      const bytes = fileBytes(model, p => p.endsWith('.onnx'), '.onnx file')
      const session = await this.components.createSession(bytes, { signal, ...(this.executionProviders !== undefined ? { executionProviders: this.executionProviders } : {}) })
      sessions.push(session)
      const io = SD_TURBO_IO[name]
      checkSignature(manifest.id, session, io.inputs, io.outputs)
      return session
    }
    try {
      throwIfAborted(signal)
      const te = await this.components.loadModel(this.manifests.textEncoder, { signal })
      const tokenizer = this.tokenizerFrom(te)
      const textEncoder = await open('textEncoder', this.manifests.textEncoder, te)
      throwIfAborted(signal)
      const unet = await open('unet', this.manifests.unet, await this.components.loadModel(this.manifests.unet, { signal }))
      throwIfAborted(signal)
      const vaeDecoder = await open('vaeDecoder', this.manifests.vaeDecoder, await this.components.loadModel(this.manifests.vaeDecoder, { signal }))
      throwIfAborted(signal)
      this.loaded = { tokenizer, textEncoder, unet, vaeDecoder }
      return this.loaded
    } catch (err) {
      await Promise.allSettled(sessions.map(async s => { await s.release() }))
      throw err
    }
  }

  private tokenizerFrom (model: LoadedModel): ClipTokenizer {
    const paths = [...model.files.keys()]
    const options = { padId: SD_TURBO_PAD_ID }
    if (paths.some(p => p.endsWith('tokenizer.json'))) {
      return ClipTokenizer.fromTokenizerJson(text(fileBytes(model, p => p.endsWith('tokenizer.json'), 'tokenizer.json')), options)
    }
    return ClipTokenizer.fromFiles(
      text(fileBytes(model, p => p.endsWith('vocab.json'), 'vocab.json')),
      text(fileBytes(model, p => p.endsWith('merges.txt'), 'merges.txt')),
      options
    )
  }

  /** Generates the keyframe and finds its rig; rejects with {@link NoFaceDetectedError} when the image has no face. */
  async run (input: KeyframeRequest, options: StageRunOptions = {}): Promise<KeyframeResult> {
    const { signal } = options
    const progress = (fraction: number, message: string): void => { options.onProgress?.({ fraction, message }) }
    for (const field of ['width', 'height'] as const) {
      const v = input[field]
      if (!Number.isInteger(v) || v < 1 || v > 4096) throw new InvalidInputError(`${field} must be an integer in 1..4096, got ${v}`, { field })
    }
    throwIfAborted(signal)
    const m = await this.ensureLoaded({ signal })
    const types = this.types

    progress(0, 'text encoder')
    const ids = m.tokenizer.encode(input.prompt)
    const idsTensor = types.inputIds === 'int32' ? tensor('int32', ids, [1, ids.length]) : tensor('int64', BigInt64Array.from(ids, v => BigInt(v)), [1, ids.length])
    const te = await m.textEncoder.run({ input_ids: idsTensor }, { signal })
    const hidden = te.last_hidden_state
    if (hidden === undefined) throw new ModelSignatureError('text_encoder', 'the run returned no output "last_hidden_state"')
    if (hidden.dims.length !== 3 || hidden.dims[0] !== 1 || hidden.dims[1] !== ids.length) {
      throw new ModelSignatureError('text_encoder', `output "last_hidden_state" must be [1, ${ids.length}, hidden], got [${hidden.dims.join(', ')}]`)
    }
    const hiddenFeed = hidden.type === types.encoderHiddenStates ? hidden : floatTensor(types.encoderHiddenStates, floatValues('text_encoder', 'last_hidden_state', hidden), hidden.dims)
    throwIfAborted(signal)
    progress(0.2, 'unet')

    const sigma = eulerSigma(SD_TURBO_TIMESTEP)
    const n = this.latentShape.reduce((a, b) => a * b, 1)
    const latents = gaussianNoise(input.seed, n)
    const scaled = new Float32Array(n)
    const inputScale = 1 / Math.sqrt(sigma * sigma + 1)
    for (let i = 0; i < n; i++) {
      latents[i] = latents[i]! * sigma
      scaled[i] = latents[i]! * inputScale
    }
    const out = await m.unet.run({
      sample: floatTensor(types.sample, scaled, this.latentShape),
      timestep: timestepTensor(types.timestep),
      encoder_hidden_states: hiddenFeed
    }, { signal })
    const eps = floatValues('unet', 'out_sample', out.out_sample)
    if (eps.length !== n) throw new ModelSignatureError('unet', `output "out_sample" has ${eps.length} elements, expected ${n} ([${this.latentShape.join(', ')}])`)
    // Euler step to σ = 0 from the model's ε prediction: x0 = x − σ·ε; then undo the VAE scaling
    const x0 = new Float32Array(n)
    for (let i = 0; i < n; i++) x0[i] = (latents[i]! - sigma * eps[i]!) / VAE_SCALING_FACTOR
    throwIfAborted(signal)
    progress(0.5, 'vae decoder')

    const vae = await m.vaeDecoder.run({ latent_sample: floatTensor(types.latentSample, x0, this.latentShape) }, { signal })
    const decoded = vae.sample
    const pixels = floatValues('vae_decoder', 'sample', decoded)
    const image = resizeBilinear(vaeToRgba(pixels, decoded!.dims), input.width, input.height)
    throwIfAborted(signal)
    progress(0.8, 'face rig')

    const rig = await this.components.detectRig(image, { signal })
    throwIfAborted(signal)
    progress(1, 'keyframe generated')
    return { image, rig }
  }

  /** Releases the three sessions and the tokenizer; idempotent. */
  async unload (): Promise<void> {
    const pending = this.loading
    if (pending !== undefined) await pending.catch(() => undefined)
    const m = this.loaded
    this.loaded = undefined
    if (m === undefined) return
    await Promise.all([m.textEncoder.release(), m.unet.release(), m.vaeDecoder.release()])
  }
}

function timestepTensor (type: FeedTypes['timestep']): Tensor {
  switch (type) {
    case 'int64': return tensor('int64', BigInt64Array.of(BigInt(SD_TURBO_TIMESTEP)), [1])
    case 'int32': return tensor('int32', Int32Array.of(SD_TURBO_TIMESTEP), [1])
    case 'float32': return tensor('float32', Float32Array.of(SD_TURBO_TIMESTEP), [1])
    case 'float16': return tensor('float16', toFloat16(Float32Array.of(SD_TURBO_TIMESTEP)), [1])
  }
}

