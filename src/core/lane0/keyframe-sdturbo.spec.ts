// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { parseModelManifest } from '../ai/manifest.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import { sha256Hex } from '../ai/model-loader.ts'
import type { LoadedModel } from '../ai/model-loader.ts'
import type { InferenceSession, SessionFactory, Tensor } from '../ai/inference.ts'
import type { FaceRig } from './animation-warp.ts'
import { CLIP_BOS_ID, CLIP_EOS_ID } from './clip-tokenizer.ts'
import { f16BitsToF32, toFloat16 } from './f16.ts'
import {
  NoFaceDetectedError, SdTurboKeyframeStage, VAE_SCALING_FACTOR, eulerSigma, gaussianNoise, vaeToRgba
} from './keyframe-sdturbo.ts'
import type { RigDetector, SdTurboManifests } from './keyframe-sdturbo.ts'
import { resizeBilinear } from './image-ops.ts'
import type { StageProgress } from './stage.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const VOCAB = JSON.stringify({ 'a</w>': 5, 'p</w>': 6, 'o</w>': 7, 'r</w>': 8, 't</w>': 9, 'portrait</w>': 10, '<|startoftext|>': CLIP_BOS_ID, '<|endoftext|>': CLIP_EOS_ID })
const MERGES = '#version: 0.2\np o\npo r\npor t\nport r\nportr a\nportra i\nportrai t</w>\n'
const RIG: FaceRig = { mouthX: 10, mouthY: 20, mouthHalfWidth: 4, chinY: 28, faceHalfWidth: 12, leftEyeX: 6, leftEyeY: 10, rightEyeX: 14, rightEyeY: 10, eyeHalfWidth: 2, eyeHalfHeight: 1, pivotX: 10, pivotY: 34 }
const LATENT = [1, 4, 4, 4]
const N = 64
const IMG = 8 // the fake VAE's output side

type Dtype = 'float32' | 'float16'
function manifests (dtype: Dtype = 'float32', overrides: { unetOutput?: string } = {}): SdTurboManifests {
  const m = (id: string, files: Record<string, string>, inputs: Array<[string, string, Array<number | string>]>, outputs: Array<[string, string, Array<number | string>]>): ModelManifest => parseModelManifest({
    id,
    name: id,
    version: 'test',
    licence: { spdx: 'LicenseRef-test', url: 'https://example.org/licence' },
    runtime: 'onnxruntime-node',
    task: 'keyframe',
    neural: true,
    memory: { bytes: id.length * 1000, gpuBytes: 0 },
    signature: { inputs: inputs.map(([name, d, shape]) => ({ name, dtype: d, shape })), outputs: outputs.map(([name, d, shape]) => ({ name, dtype: d, shape })) },
    files: Object.entries(files).map(([path, body]) => ({ path, source: { url: `https://example.org/${path}` }, size: enc(body).byteLength, sha256: sha256Hex(enc(body)) }))
  })
  return {
    textEncoder: m('sd-turbo-text-encoder', { 'text_encoder/model.onnx': 'text_encoder', 'tokenizer/vocab.json': VOCAB, 'tokenizer/merges.txt': MERGES }, [['input_ids', 'int32', [1, 77]]], [['last_hidden_state', dtype, [1, 77, 3]]]),
    unet: m('sd-turbo-unet', { 'unet/model.onnx': 'unet' }, [['sample', dtype, LATENT], ['timestep', 'int64', [1]], ['encoder_hidden_states', dtype, [1, 77, 3]]], [[overrides.unetOutput ?? 'out_sample', dtype, LATENT]]),
    vaeDecoder: m('sd-turbo-vae-decoder', { 'vae_decoder/model.onnx': 'vae_decoder' }, [['latent_sample', dtype, LATENT]], [['sample', dtype, [1, 3, IMG, IMG]]])
  }
}

interface Call { model: string, feeds: Record<string, Tensor> }
interface Fakes {
  calls: Call[]
  released: string[]
  factory: SessionFactory
  loadModel: (m: ModelManifest) => Promise<LoadedModel>
}

/** Fake sessions keyed by the model file's text; `outputs` overrides a model's output names. */
function fakes (dtype: Dtype, options: { outputs?: Record<string, string[]>, onRun?: (model: string) => void } = {}): Fakes {
  const calls: Call[] = []
  const released: string[] = []
  const float = (values: number[] | Float32Array, dims: number[]): Tensor => dtype === 'float32'
    ? { type: 'float32', data: Float32Array.from(values), dims }
    : { type: 'float16', data: toFloat16(Float32Array.from(values)), dims }
  const behaviour: Record<string, { inputs: string[], outputs: string[], run: (feeds: Record<string, Tensor>) => Record<string, Tensor> }> = {
    text_encoder: { inputs: ['input_ids'], outputs: ['last_hidden_state'], run: () => ({ last_hidden_state: float(Array.from({ length: 77 * 3 }, (_, i) => (i % 7) / 8), [1, 77, 3]) }) },
    // ε = 0.5 everywhere
    unet: { inputs: ['sample', 'timestep', 'encoder_hidden_states'], outputs: ['out_sample'], run: () => ({ out_sample: float(new Array<number>(N).fill(0.5), LATENT) }) },
    // a horizontal ramp from -1 to 1 in red, constant 0 (mid-grey) in green, -1 in blue
    vae_decoder: {
      inputs: ['latent_sample'],
      outputs: ['sample'],
      run: () => {
        const v: number[] = []
        for (let c = 0; c < 3; c++) for (let y = 0; y < IMG; y++) for (let x = 0; x < IMG; x++) v.push(c === 0 ? -1 + (2 * x) / (IMG - 1) : c === 1 ? 0 : -1)
        return { sample: float(v, [1, 3, IMG, IMG]) }
      }
    }
  }
  const factory: SessionFactory = async (bytes) => {
    const model = new TextDecoder().decode(bytes)
    const b = behaviour[model]!
    const outputs = options.outputs?.[model] ?? b.outputs
    const session: InferenceSession = {
      inputNames: b.inputs,
      outputNames: outputs,
      async run (feeds, runOptions) {
        if (runOptions?.signal?.aborted === true) throw Object.assign(new Error('aborted'), { name: 'AbortError' })
        calls.push({ model, feeds })
        options.onRun?.(model)
        return b.run(feeds)
      },
      async release () { released.push(model) }
    }
    return session
  }
  const loadModel = async (manifest: ModelManifest): Promise<LoadedModel> => ({
    manifest,
    files: new Map(manifest.files.map(f => {
      const body = f.path.endsWith('vocab.json') ? VOCAB : f.path.endsWith('merges.txt') ? MERGES : f.path.split('/')[0]!
      return [f.path, { path: f.path, size: f.size, sha256: f.sha256, bytes: enc(body) }]
    }))
  })
  return { calls, released, factory, loadModel }
}

const detector = (seen: Array<{ width: number, height: number }> = []): RigDetector => async (image) => {
  seen.push({ width: image.width, height: image.height })
  return RIG
}
const request = { prompt: 'Portrait', negativePrompt: 'ignored', seed: 7, width: 16, height: 12 }

describe('SD-Turbo maths', () => {
  it('should compute the Euler sigma at t = 999 that the reference pipeline hard-codes (14.6146)', () => {
    expect(eulerSigma(999)).toBeCloseTo(14.6146, 3)
    expect(eulerSigma(0)).toBeCloseTo(Math.sqrt(0.00085 / (1 - 0.00085)), 8)
  })

  it('should draw seeded standard normal noise', () => {
    const a = gaussianNoise(42, 20_000)
    expect(Array.from(gaussianNoise(42, 20_000))).toEqual(Array.from(a))
    const b = gaussianNoise(43, 20_000)
    expect(a.some((v, i) => v !== b[i])).toBe(true)
    const mean = a.reduce((s, v) => s + v, 0) / a.length
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length
    expect(Math.abs(mean)).toBeLessThan(0.03)
    expect(Math.abs(variance - 1)).toBeLessThan(0.05)
    expect(a.every(Number.isFinite)).toBe(true)
    expect(() => gaussianNoise(-1, 4)).toThrow(expect.objectContaining({ name: 'InvalidInputError' }) as Error)
  })

  it('should map the VAE range [-1, 1] to bytes and resize bilinearly', () => {
    const img = vaeToRgba(new Float32Array([-1, 1, 0, 2, /* g */ 0, 0, 0, 0, /* b */ -2, -1, 1, 0.5]), [1, 3, 2, 2])
    expect(Array.from(img.data.subarray(0, 8))).toEqual([0, 128, 0, 255, 255, 128, 0, 255])
    expect(img.data[8]).toBe(128)
    expect(img.data[12]).toBe(255) // clamped
    expect(img.data[14]).toBe(191) // 0.5 → 0.75
    // 2×1 → 4×1: pixel centres at 0.25, 0.75 of the source span
    const src = { width: 2, height: 1, data: new Uint8ClampedArray([0, 0, 0, 255, 100, 200, 40, 255]) }
    const up = resizeBilinear(src, 4, 1)
    expect(Array.from(up.data.filter((_, i) => i % 4 === 0))).toEqual([0, 25, 75, 100])
    expect(resizeBilinear(src, 2, 1)).toBe(src)
    expect(() => vaeToRgba(new Float32Array(4), [1, 1, 2, 2])).toThrow(expect.objectContaining({ name: 'ModelSignatureError' }) as Error)
  })
})

describe('SdTurboKeyframeStage (fake sessions)', () => {
  it('should describe itself as the neural sd-turbo keyframe stage and estimate memory from the manifests', () => {
    const f = fakes('float32')
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    expect(stage.info).toMatchObject({ kind: 'keyframe', id: 'sd-turbo', neural: true })
    expect(stage.info.description).toMatch(/SD-Turbo.*non-commercial/)
    expect(stage.memoryEstimateBytes()).toBe(('sd-turbo-text-encoder'.length + 'sd-turbo-unet'.length + 'sd-turbo-vae-decoder'.length) * 1000)
  })

  for (const dtype of ['float32', 'float16'] as const) {
    it(`should run text encoder → unet → vae with the one-step maths (${dtype} I/O)`, async () => {
      const f = fakes(dtype)
      const seen: Array<{ width: number, height: number }> = []
      const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector(seen) }, { manifests: manifests(dtype) })
      const result = await stage.run(request)
      expect(f.calls.map(c => c.model)).toEqual(['text_encoder', 'unet', 'vae_decoder'])
      const [te, unet, vae] = f.calls as [Call, Call, Call]
      // tokens: BOS, "portrait", EOS, then "!" (0) padding
      expect(te.feeds.input_ids!.type).toBe('int32')
      expect(te.feeds.input_ids!.dims).toEqual([1, 77])
      expect(Array.from((te.feeds.input_ids!.data as Int32Array).subarray(0, 4))).toEqual([CLIP_BOS_ID, 10, CLIP_EOS_ID, 0])
      const values = (t: Tensor): number[] => t.type === 'float16' ? Array.from(t.data as Uint16Array, f16BitsToF32) : Array.from(t.data as Float32Array)
      const tol = dtype === 'float32' ? 1e-5 : 2e-3
      const sigma = eulerSigma(999)
      const noise = gaussianNoise(request.seed, N)
      expect(unet.feeds.sample!.type).toBe(dtype)
      expect(unet.feeds.sample!.dims).toEqual(LATENT)
      values(unet.feeds.sample!).forEach((v, i) => { expect(Math.abs(v - (noise[i]! * sigma) / Math.sqrt(sigma * sigma + 1))).toBeLessThan(tol * 4) })
      expect(unet.feeds.timestep).toMatchObject({ type: 'int64', dims: [1] })
      expect(Array.from(unet.feeds.timestep!.data as BigInt64Array)).toEqual([999n])
      expect(unet.feeds.encoder_hidden_states!.type).toBe(dtype)
      expect(unet.feeds.encoder_hidden_states!.dims).toEqual([1, 77, 3])
      // x0 = (σ·z − σ·ε) / 0.18215 with ε = 0.5
      expect(vae.feeds.latent_sample!.type).toBe(dtype)
      values(vae.feeds.latent_sample!).forEach((v, i) => {
        const want = (noise[i]! * sigma - sigma * 0.5) / VAE_SCALING_FACTOR
        expect(Math.abs(v - want)).toBeLessThan(Math.abs(want) * tol + tol)
      })
      // the fake VAE's 8×8 image resized to 16×12, handed to the detector
      expect(result.image.width).toBe(16)
      expect(result.image.height).toBe(12)
      expect(result.image.data.length).toBe(16 * 12 * 4)
      expect(seen).toEqual([{ width: 16, height: 12 }])
      const row = (y: number, c: number): number[] => Array.from({ length: 16 }, (_, x) => result.image.data[(y * 16 + x) * 4 + c]!)
      expect(row(5, 0)[0]).toBe(0)
      expect(row(5, 0)[15]).toBe(255)
      expect(row(5, 0).every((v, i, a) => i === 0 || v >= a[i - 1]!)).toBe(true) // the ramp survives
      expect(row(5, 1).every(v => v === 128)).toBe(true)
      expect(row(5, 2).every(v => v === 0)).toBe(true)
      expect(result.rig).toEqual(RIG)
    })
  }

  it('should give the same bytes for the same seed and different latents for another seed', async () => {
    const f = fakes('float32')
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    await stage.run(request)
    await stage.run(request)
    await stage.run({ ...request, seed: 8 })
    const samples = f.calls.filter(c => c.model === 'unet').map(c => Array.from(c.feeds.sample!.data as Float32Array))
    expect(samples[1]).toEqual(samples[0])
    expect(samples[2]).not.toEqual(samples[0])
  })

  it('should report progress per sub-model, in order', async () => {
    const f = fakes('float32')
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    const events: StageProgress[] = []
    await stage.run(request, { onProgress: p => events.push(p) })
    expect(events.map(e => e.message)).toEqual(['text encoder', 'unet', 'vae decoder', 'face rig', 'keyframe generated'])
    expect(events.map(e => e.fraction)).toEqual([...events.map(e => e.fraction)].sort((a, b) => a - b))
    expect(events.at(-1)!.fraction).toBe(1)
  })

  it('should fail with ModelSignatureError on a wrong output name, releasing what it opened', async () => {
    const f = fakes('float32', { outputs: { unet: ['noise_pred'] } })
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    const err = await stage.load().catch((e: unknown) => e as Error)
    expect(err).toMatchObject({ name: 'ModelSignatureError' })
    expect((err as Error).message).toMatch(/out_sample/)
    expect(f.released.sort()).toEqual(['text_encoder', 'unet'])
    expect(f.calls).toEqual([])
  })

  it('should refuse a manifest whose signature lacks an expected name', () => {
    const f = fakes('float32')
    expect(() => new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests('float32', { unetOutput: 'noise_pred' }) }))
      .toThrow(expect.objectContaining({ name: 'ModelSignatureError' }) as Error)
  })

  it('should fail with NoFaceDetectedError when the detector finds no face (no fallback rig)', async () => {
    const f = fakes('float32')
    const noFace: RigDetector = async () => { throw new NoFaceDetectedError() }
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: noFace }, { manifests: manifests() })
    await expect(stage.run(request)).rejects.toMatchObject({ name: 'NoFaceDetectedError' })
  })

  it('should stop between sub-models when aborted', async () => {
    const controller = new AbortController()
    const f = fakes('float32', { onRun: model => { if (model === 'unet') controller.abort() } })
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    await expect(stage.run(request, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(f.calls.map(c => c.model)).toEqual(['text_encoder', 'unet'])
    const before = new AbortController()
    before.abort()
    await expect(stage.run(request, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(f.calls.length).toBe(2)
  })

  it('should release the three sessions on unload, idempotently, and load again on the next run', async () => {
    const f = fakes('float32')
    const stage = new SdTurboKeyframeStage({ createSession: f.factory, loadModel: f.loadModel, detectRig: detector() }, { manifests: manifests() })
    await stage.load()
    await stage.load()
    await stage.unload()
    expect(f.released.sort()).toEqual(['text_encoder', 'unet', 'vae_decoder'])
    await stage.unload()
    expect(f.released.length).toBe(3)
    await stage.run(request)
    expect(f.calls.length).toBe(3)
    await stage.unload()
    expect(f.released.length).toBe(6)
  })
})
