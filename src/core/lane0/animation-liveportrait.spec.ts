// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ModelSignatureError, tensor } from '../ai/inference.ts'
import type { InferenceSession, SessionFactory, SessionOptions, Tensor } from '../ai/inference.ts'
import { parseModelManifest } from '../ai/manifest.ts'
import { sha256Hex } from '../ai/model-loader.ts'
import type { LoadedModel } from '../ai/model-loader.ts'
import { AbortError } from '../errors.ts'
import {
  EYE_KEYPOINTS, LIP_KEYPOINTS, LIVEPORTRAIT_SIGNATURES, LivePortraitAnimationStage, LivePortraitModelFileError,
  drivenExpression, faceCropBox, headposeDegrees, rotationMatrix, transformKeypoints
} from './animation-liveportrait.ts'
import type { LivePortraitInit, LivePortraitPart } from './animation-liveportrait.ts'
import { animationParams } from './animation-stage.ts'
import type { AnimationInput } from './animation-stage.ts'
import type { FaceRig } from './animation-warp.ts'

const RIG: FaceRig = {
  mouthX: 32, mouthY: 44, mouthHalfWidth: 5, chinY: 52, faceHalfWidth: 12,
  leftEyeX: 26, leftEyeY: 30, rightEyeX: 38, rightEyeY: 30, eyeHalfWidth: 3, eyeHalfHeight: 1.5,
  pivotX: 32, pivotY: 60
}

/** 1.5 s at 16 kHz: 0.5 s silence, 0.5 s voiced buzz, 0.5 s silence. */
function speech (): AnimationInput['speech'] {
  const sampleRate = 16000
  const pcm = new Float32Array(sampleRate * 1.5)
  for (let i = sampleRate / 2; i < sampleRate; i++) {
    const t = i / sampleRate
    for (let h = 1; h <= 6; h++) pcm[i]! += 0.3 * Math.sin(2 * Math.PI * 140 * h * t) / h
  }
  return { sampleRate, pcm }
}

function keyframe (): AnimationInput['keyframe'] {
  const data = new Uint8ClampedArray(64 * 64 * 4)
  for (let i = 0; i < data.length; i += 4) data.set([40, 80, 120, 255], i)
  return { width: 64, height: 64, data }
}

const INPUT: AnimationInput = { keyframe: keyframe(), rig: RIG, speech: speech(), fps: 8, durationSec: 1.5, seed: 3 }

/** Canonical keypoints of the fake motion extractor. */
const KP = Float32Array.from({ length: 63 }, (_, i) => ((i * 37) % 19) / 19 - 0.5)

interface Fakes {
  factory: SessionFactory
  created: Array<{ part: LivePortraitPart, options?: SessionOptions, released: boolean }>
  generatorFeeds: Array<Record<string, Tensor>>
}

/** Sessions keyed by the file bytes (the part's name); `rename` changes a part's input names. */
function fakes (opts: { rename?: Partial<Record<LivePortraitPart, string[]>>, generatorDims?: number[] } = {}): Fakes {
  const created: Fakes['created'] = []
  const generatorFeeds: Fakes['generatorFeeds'] = []
  const factory: SessionFactory = async (model, options) => {
    const part = new TextDecoder().decode(model) as LivePortraitPart
    const record = { part, options, released: false }
    created.push(record)
    const sig = LIVEPORTRAIT_SIGNATURES[part]
    const session: InferenceSession = {
      inputNames: opts.rename?.[part] ?? sig.inputs,
      outputNames: sig.outputs,
      async run (feeds): Promise<Record<string, Tensor>> {
        if (part === 'appearance') return { output: tensor('float32', new Float32Array(32 * 16 * 64 * 64), [1, 32, 16, 64, 64]) }
        if (part === 'motion') {
          const flat = tensor('float32', new Float32Array(66), [1, 66])
          return {
            pitch: flat, yaw: flat, roll: flat,
            t: tensor('float32', new Float32Array(3), [1, 3]),
            exp: tensor('float32', new Float32Array(63), [1, 63]),
            scale: tensor('float32', Float32Array.of(2), [1, 1]),
            kp: tensor('float32', KP, [1, 63])
          }
        }
        generatorFeeds.push(feeds)
        const dims = opts.generatorDims ?? [1, 3, 16, 16]
        return { out: tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims) }
      },
      async release () { record.released = true }
    }
    return session
  }
  return { factory, created, generatorFeeds }
}

function model (id = 'liveportrait', drop?: string): LoadedModel {
  const names = { appearance: 'appearance_feature_extractor.onnx', motion: 'motion_extractor.onnx', generator: 'warping_spade.onnx' }
  const entries = Object.entries(names).filter(([, path]) => path !== drop).map(([part, path]) => {
    const bytes = new TextEncoder().encode(part)
    return { path, size: bytes.byteLength, sha256: sha256Hex(bytes), bytes, url: `https://example.invalid/${path}` }
  })
  const manifest = parseModelManifest({
    id,
    name: 'LivePortrait (fake files)',
    version: 'test',
    licence: { spdx: 'MIT', url: 'https://github.com/KwaiVGI/LivePortrait/blob/main/LICENSE' },
    runtime: 'onnxruntime-node',
    task: 'animation',
    neural: true,
    memory: { bytes: 1000, gpuBytes: 0 },
    signature: { inputs: [], outputs: [] },
    files: entries.map(e => ({ path: e.path, source: { url: e.url }, size: e.size, sha256: e.sha256 }))
  })
  return { manifest, files: new Map(entries.map(e => [e.path, { path: e.path, size: e.size, sha256: e.sha256, bytes: e.bytes }])) }
}

function stage (f: Fakes, loaded = model(), init: Partial<LivePortraitInit> = {}): LivePortraitAnimationStage {
  return new LivePortraitAnimationStage({ createSession: f.factory, loadModel: async () => loaded }, { manifest: model().manifest, ...init })
}

describe('LivePortrait keypoint maths', () => {
  it('should turn pose bins into degrees as LivePortrait does (softmax expectation × 3 − 97.5)', () => {
    expect(headposeDegrees(new Float32Array(66))).toBeCloseTo(0, 10)
    const peaked = new Float32Array(66)
    peaked[40] = 60
    expect(headposeDegrees(peaked)).toBeCloseTo(3 * 40 - 97.5, 6)
    const shifted = peaked.map(v => v + 1000)
    expect(headposeDegrees(shifted)).toBeCloseTo(headposeDegrees(peaked), 6)
  })

  it('should build the transposed Rz·Ry·Rx that keypoint rows are multiplied by', () => {
    const apply = (v: number[], r: Float64Array): number[] => [0, 1, 2].map(j => v[0]! * r[j]! + v[1]! * r[3 + j]! + v[2]! * r[6 + j]!)
    expect(Array.from(rotationMatrix(0, 0, 0))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    apply([1, 0, 0], rotationMatrix(0, 0, 90)).forEach((v, i) => expect(v).toBeCloseTo([0, 1, 0][i]!, 12))
    apply([0, 1, 0], rotationMatrix(90, 0, 0)).forEach((v, i) => expect(v).toBeCloseTo([0, 0, 1][i]!, 12))
    apply([0, 0, 1], rotationMatrix(0, 90, 0)).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0][i]!, 12))
    const r = rotationMatrix(12, -30, 7)
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const dot = r[i * 3]! * r[j * 3]! + r[i * 3 + 1]! * r[j * 3 + 1]! + r[i * 3 + 2]! * r[j * 3 + 2]!
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12)
      }
    }
  })

  it('should transform keypoints as scale · (kp · R + exp) + [tx, ty, 0]', () => {
    const kp = [1, 2, 3, -1, 0, 0.5]
    const exp = [0.1, 0, 0, 0, 0.2, 0]
    const out = transformKeypoints({ kp, rotation: rotationMatrix(0, 0, 90), exp, scale: 2, tx: 0.5, ty: -0.5 })
    // [1, 2, 3] rolled 90°: [-2, 1, 3]; + exp [0.1, 0, 0] → ×2 → + [0.5, -0.5, 0].
    Array.from(out).forEach((v, i) => expect(v).toBeCloseTo([-3.3, 1.5, 6, 0.5, -2.1, 1][i]!, 5))
  })

  it('should move only lip keypoints with the mouth and only eye keypoints with a blink', () => {
    const exp = Float32Array.from({ length: 63 }, (_, i) => i / 100)
    expect(drivenExpression(exp, { mouthOpen: 0, blink: 0 })).toEqual(exp)
    const changed = (e: Float32Array): number[] => [...new Set(Array.from(e).map((v, i) => Math.abs(v - exp[i]!) > 1e-7 ? Math.floor(i / 3) : -1).filter(k => k >= 0))]
    const mouth = drivenExpression(exp, { mouthOpen: 1, blink: 0 })
    expect(changed(mouth).every(k => (LIP_KEYPOINTS as readonly number[]).includes(k))).toBe(true)
    expect(mouth[19 * 3 + 1]! - exp[19 * 3 + 1]!).toBeCloseTo(0.12, 6)
    expect(drivenExpression(exp, { mouthOpen: 0.5, blink: 0 })[19 * 3 + 1]! - exp[19 * 3 + 1]!).toBeCloseTo(0.06, 6)
    const blink = drivenExpression(exp, { mouthOpen: 0, blink: 1 })
    expect(changed(blink).sort()).toEqual([11, 13, 15, 16])
    expect(changed(blink).every(k => (EYE_KEYPOINTS as readonly number[]).includes(k))).toBe(true)
  })

  it('should crop a square 2.5 × the face box, moved up by 0.125 × its side', () => {
    const box = faceCropBox(RIG)
    // Face box: x 20..44 (cheeks), y 30 − 0.35·22 = 22.3 .. 52 → 29.7 high → side 74.25.
    expect(box.size).toBeCloseTo(29.7 * 2.5, 6)
    expect(box.x + box.size / 2).toBeCloseTo(32, 6)
    expect(box.y + box.size / 2).toBeCloseTo((22.3 + 52) / 2 - 0.125 * box.size, 6)
  })
})

describe('LivePortraitAnimationStage (fake sessions)', () => {
  it('should describe itself as the neural LivePortrait animation stage and estimate memory from the manifest', () => {
    const s = stage(fakes())
    expect(s.info).toMatchObject({ kind: 'animation', id: 'liveportrait', neural: true })
    const small = stage(fakes(), model(), { expected: { width: 64, height: 64, frames: 10 } }).memoryEstimateBytes()
    const large = stage(fakes(), model(), { expected: { width: 64, height: 64, frames: 100 } }).memoryEstimateBytes()
    expect(small).toBeGreaterThan(1000 + 32 * 16 * 64 * 64 * 4)
    expect(large - small).toBe(64 * 64 * 4 * 90)
  })

  it('should create the three sessions once, on the requested execution provider, and release them on unload', async () => {
    const f = fakes()
    const s = stage(f, model(), { executionProvider: 'webgpu' })
    await s.load()
    await s.load()
    expect(f.created.map(c => c.part)).toEqual(['appearance', 'motion', 'generator'])
    expect(f.created.every(c => c.options?.executionProviders?.[0] === 'webgpu')).toBe(true)
    const out = await s.run(INPUT)
    expect(out.backend).toBe('onnx-webgpu')
    await s.unload()
    expect(f.created.map(c => c.released)).toEqual([true, true, true])
    await s.unload()
  })

  it('should refuse a misnamed input with ModelSignatureError and release the sessions it opened', async () => {
    const f = fakes({ rename: { generator: ['feature_3d', 'kp_drive', 'kp_source'] } })
    const err = await stage(f).load().then(() => new Error('loaded'), (e: unknown) => e as Error)
    expect(err.name).toBe(ModelSignatureError.name)
    expect(err.message).toContain('kp_drive')
    expect(f.created.map(c => c.released)).toEqual([true, true, true])
  })

  it('should name a missing file or a different model', async () => {
    const missing = await stage(fakes(), model('liveportrait', 'motion_extractor.onnx')).load().then(() => new Error('loaded'), (e: unknown) => e as Error)
    expect(missing.name).toBe(LivePortraitModelFileError.name)
    expect(missing.message).toContain('motion_extractor.onnx')
    const other = await stage(fakes(), model('something-else')).load().then(() => new Error('loaded'), (e: unknown) => e as Error)
    expect(other.name).toBe(LivePortraitModelFileError.name)
  })

  it('should drive kp_driving from the default stage parameters and paste the output back', async () => {
    const f = fakes()
    const progress: number[] = []
    const out = await stage(f).run(INPUT, { onProgress: p => progress.push(p.fraction) })
    const params = animationParams(INPUT)
    expect(out.params).toEqual(params)
    expect(out.frames).toHaveLength(12)
    expect(progress.slice(1)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) / 12))
    expect(f.generatorFeeds).toHaveLength(12)
    const source = f.generatorFeeds[0]!.kp_source!.data as Float32Array
    for (let i = 0; i < 12; i++) {
      const feeds = f.generatorFeeds[i]!
      expect(feeds.kp_source!.data).toEqual(source)
      expect(feeds.kp_driving!.dims).toEqual([1, 21, 3])
      const d = feeds.kp_driving!.data as Float32Array
      // Lower lip (19) relative to 17 moves down by scale · (0.001 + 0.0001) · 120 · mouthOpen, up to the small roll.
      const rel = (k: Float32Array): number => k[19 * 3 + 1]! - k[17 * 3 + 1]!
      const restLength = Math.hypot(source[57]! - source[51]!, source[58]! - source[52]!)
      expect(Math.abs(rel(d) - rel(source) - 2 * 0.132 * params[i]!.mouthOpen)).toBeLessThan(2 * restLength * Math.abs(params[i]!.roll) + 1e-5)
    }
    // The fake generator renders grey 0.5; the crop covers the whole 64 × 64 keyframe, blended at its edge.
    const frame = out.frames[5]!
    expect(Array.from(frame.data.subarray((32 * 64 + 32) * 4, (32 * 64 + 32) * 4 + 4))).toEqual([128, 128, 128, 255])
  })

  it('should reject a generator output of the wrong shape with ModelSignatureError', async () => {
    const err = await stage(fakes({ generatorDims: [1, 4, 16, 16] })).run(INPUT).then(() => new Error('finished'), (e: unknown) => e as Error)
    expect(err.name).toBe(ModelSignatureError.name)
    expect(err.message).toContain('out')
  })

  it('should stop between frames when aborted, and not start when already aborted', async () => {
    const f = fakes()
    const controller = new AbortController()
    const err = await stage(f).run(INPUT, { signal: controller.signal, onProgress: p => { if (p.fraction >= 2 / 12) controller.abort() } })
      .then(() => new Error('finished'), (e: unknown) => e as Error)
    expect(err.name).toBe(AbortError.name)
    expect(f.generatorFeeds).toHaveLength(2)

    const g = fakes()
    const pre = await stage(g).run(INPUT, { signal: AbortSignal.abort() }).then(() => new Error('finished'), (e: unknown) => e as Error)
    expect(pre.name).toBe('AbortError')
    expect(g.generatorFeeds).toHaveLength(0)
  })
})
