// SPDX-License-Identifier: GPL-3.0-or-later
// The LivePortrait animation stage end to end without the weights: tiny ONNX models with the real I/O
// names, dtypes and shapes (warmshao/LivePortrait export_onnx.py), served over HTTP on 127.0.0.1, loaded
// through the real registry (loadModel + FsModelStore, sha256 verified) and run by onnxruntime-node.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadModel, sha256Hex } from '../../src/core/ai/model-loader.ts'
import type { FetchLike } from '../../src/core/ai/model-loader.ts'
import { parseModelManifest } from '../../src/core/ai/manifest.ts'
import type { ModelManifest } from '../../src/core/ai/manifest.ts'
import { ModelSignatureError } from '../../src/core/ai/inference.ts'
import type { InferenceSession, SessionFactory, Tensor } from '../../src/core/ai/inference.ts'
import { AbortError } from '../../src/core/errors.ts'
import { LIP_KEYPOINTS, LivePortraitAnimationStage, faceCropBox } from '../../src/core/lane0/animation-liveportrait.ts'
import { animationParams } from '../../src/core/lane0/animation-stage.ts'
import type { AnimationInput } from '../../src/core/lane0/animation-stage.ts'
import { pearson } from '../../src/core/lane0/audio-features.ts'
import { pastePlanar } from '../../src/core/lane0/image-ops.ts'
import { portraitParams, portraitRig, renderPortrait } from '../../src/core/lane0/keyframe-procedural.ts'
import type { RgbaImage } from '../../src/core/lane0/stage.ts'
import { FsModelStore } from '../../src/platform/node/model-cache.ts'
import { nodeSessionFactory } from '../../src/platform/node/onnx-session.ts'
import { int, ints, tinyModel } from '../utils/tiny-onnx.ts'
import type { TinyTensor } from '../utils/tiny-onnx.ts'

const f32 = (dims: number[], values: number[] | Float32Array): TinyTensor => ({ type: 'float32', dims, values })
const i64 = (values: number[]): TinyTensor => ({ type: 'int64', dims: [values.length], values })
const range = (n: number, fn: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => fn(i))

/**
 * Appearance: 4×4 average pool, a 1×1 convolution to 512 channels (channel o copies RGB plane
 * floor(o / 16) mod 3), reshaped to the feature volume [1, 32, 16, 64, 64].
 */
function appearanceModel (): Uint8Array {
  const w = new Float32Array(512 * 3)
  for (let o = 0; o < 512; o++) w[o * 3 + (Math.floor(o / 16) % 3)] = 1
  return tinyModel({
    name: 'appearance_feature_extractor',
    inputs: [{ name: 'img', type: 'float32', shape: [1, 3, 256, 256] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, 32, 16, 64, 64] }],
    initializers: { w: f32([512, 3, 1, 1], w), shape: i64([1, 32, 16, 64, 64]) },
    nodes: [
      { op: 'AveragePool', inputs: ['img'], outputs: ['pooled'], attributes: { kernel_shape: ints([4, 4]), strides: ints([4, 4]) } },
      { op: 'Conv', inputs: ['pooled', 'w'], outputs: ['conv'] },
      { op: 'Reshape', inputs: ['conv', 'shape'], outputs: ['output'] }
    ]
  })
}

/** Canonical keypoints of the tiny motion model: a 7 × 3 grid in [-0.45, 0.45]², z from the row. */
const CANONICAL_KP = range(63, (i) => {
  const k = Math.floor(i / 3)
  const axis = i % 3
  return axis === 0 ? -0.45 + 0.15 * (k % 7) : axis === 1 ? -0.3 + 0.3 * Math.floor(k / 7) : 0.05 * Math.floor(k / 7)
})

/**
 * Motion: the image's mean RGB m [1, 3] through affine maps: pose bins peaked at bin 32.5 (0°) plus a
 * colour-dependent tilt, small t and exp, scale ≈ 1.5 and the canonical keypoints.
 */
function motionModel (): Uint8Array {
  const affine = (name: string, cols: number, w: (r: number, c: number) => number, b: (c: number) => number): { init: Record<string, TinyTensor>, nodes: Array<{ op: string, inputs: string[], outputs: string[] }> } => ({
    init: { [`${name}_w`]: f32([3, cols], range(3 * cols, (i) => w(Math.floor(i / cols), i % cols))), [`${name}_b`]: f32([1, cols], range(cols, b)) },
    nodes: [
      { op: 'MatMul', inputs: ['m', `${name}_w`], outputs: [`${name}_mm`] },
      { op: 'Add', inputs: [`${name}_mm`, `${name}_b`], outputs: [name] }
    ]
  })
  const parts = [
    affine('pitch', 66, (r, c) => r === 0 ? 0.6 * (c - 32.5) / 33 : 0, (c) => -((c - 32.5) ** 2) / 8),
    affine('yaw', 66, (r, c) => r === 1 ? -0.6 * (c - 32.5) / 33 : 0, (c) => -((c - 32.5) ** 2) / 8),
    affine('roll', 66, (r, c) => r === 2 ? 0.3 * (c - 32.5) / 33 : 0, (c) => -((c - 32.5) ** 2) / 8),
    affine('t', 3, (r, c) => r === c ? 0.02 : 0, (c) => [0.01, -0.02, 0.3][c]!),
    affine('exp', 63, (r, c) => 0.001 * ((r + c) % 5), (c) => 0.002 * ((c % 7) - 3)),
    affine('scale', 1, () => 0.1, () => 1.45),
    affine('kp', 63, (r, c) => 0.002 * ((r * 7 + c) % 3), (c) => CANONICAL_KP[c]!)
  ]
  return tinyModel({
    name: 'motion_extractor',
    inputs: [{ name: 'img', type: 'float32', shape: [1, 3, 256, 256] }],
    outputs: [
      { name: 'pitch', type: 'float32', shape: [1, 66] },
      { name: 'yaw', type: 'float32', shape: [1, 66] },
      { name: 'roll', type: 'float32', shape: [1, 66] },
      { name: 't', type: 'float32', shape: [1, 3] },
      { name: 'exp', type: 'float32', shape: [1, 63] },
      { name: 'scale', type: 'float32', shape: [1, 1] },
      { name: 'kp', type: 'float32', shape: [1, 63] }
    ],
    initializers: Object.assign({}, ...parts.map(p => p.init)) as Record<string, TinyTensor>,
    nodes: [
      { op: 'ReduceMean', inputs: ['img'], outputs: ['m'], attributes: { axes: ints([2, 3]), keepdims: int(0) } },
      ...parts.flatMap(p => p.nodes)
    ]
  })
}

/**
 * Warping + SPADE generator: the feature volume averaged over depth, its first three channels (the
 * image at 64 × 64), darkened in a blob around the crop's lower middle in proportion to how far the lower
 * lip keypoint (19) moved relative to keypoint 17, i.e. Σ|Δkp19 − Δkp17| with Δ = kp_driving − kp_source,
 * then resized (bilinear) to [1, 3, 512, 512]. `drivingName` lets a test build a wrongly named export.
 */
function generatorModel (drivingName = 'kp_driving'): Uint8Array {
  const blob = new Float32Array(3 * 64 * 64)
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) blob[c * 4096 + y * 64 + x] = 2.5 * Math.exp(-((x - 32) ** 2 + (y - 40) ** 2) / (2 * 7 ** 2))
    }
  }
  return tinyModel({
    name: 'warping_spade',
    inputs: [
      { name: 'feature_3d', type: 'float32', shape: [1, 32, 16, 64, 64] },
      { name: drivingName, type: 'float32', shape: [1, 21, 3] },
      { name: 'kp_source', type: 'float32', shape: [1, 21, 3] }
    ],
    outputs: [{ name: 'out', type: 'float32', shape: [1, 3, 512, 512] }],
    initializers: {
      blob: f32([1, 3, 64, 64], blob),
      starts: i64([0]),
      ends: i64([3]),
      axes1: i64([1]),
      lower: i64([19]),
      upper: i64([17]),
      all: i64([0, 1, 2]),
      shape4: i64([1, 1, 1, 1]),
      sizes: i64([1, 3, 512, 512])
    },
    nodes: [
      { op: 'ReduceMean', inputs: ['feature_3d'], outputs: ['mean'], attributes: { axes: ints([2]), keepdims: int(0) } },
      { op: 'Slice', inputs: ['mean', 'starts', 'ends', 'axes1'], outputs: ['rgb'] },
      { op: 'Sub', inputs: [drivingName, 'kp_source'], outputs: ['d'] },
      { op: 'Gather', inputs: ['d', 'lower'], outputs: ['d19'], attributes: { axis: int(1) } },
      { op: 'Gather', inputs: ['d', 'upper'], outputs: ['d17'], attributes: { axis: int(1) } },
      { op: 'Sub', inputs: ['d19', 'd17'], outputs: ['rel'] },
      { op: 'Abs', inputs: ['rel'], outputs: ['absrel'] },
      { op: 'ReduceSum', inputs: ['absrel', 'all'], outputs: ['open'], attributes: { keepdims: int(0) } },
      { op: 'Reshape', inputs: ['open', 'shape4'], outputs: ['open4'] },
      { op: 'Mul', inputs: ['open4', 'blob'], outputs: ['shade'] },
      { op: 'Sub', inputs: ['rgb', 'shade'], outputs: ['shaded'] },
      { op: 'Resize', inputs: ['shaded', '', '', 'sizes'], outputs: ['out'], attributes: { mode: { string: 'linear' } } }
    ]
  })
}

interface Served { url: (name: string) => string, requests: string[], close: () => Promise<void> }

async function serve (files: Record<string, Uint8Array>): Promise<Served> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const body = files[(req.url ?? '').slice(1)]
    if (body === undefined) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-length': body.byteLength }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Writes the manifest JSON (sha256 computed from the served bytes) and reads it back through the zod schema. */
async function writeManifest (dir: string, id: string, served: Served, files: Record<string, Uint8Array>, prefix: string): Promise<ModelManifest> {
  const json = {
    id,
    name: 'LivePortrait (tiny test graphs with the export\'s I/O)',
    version: 'test',
    licence: { spdx: 'MIT', url: 'https://github.com/KwaiVGI/LivePortrait/blob/main/LICENSE' },
    runtime: 'onnxruntime-node',
    task: 'animation',
    neural: true,
    memory: { bytes: 64 << 20, gpuBytes: 0 },
    signature: {
      inputs: [{ name: 'img', dtype: 'float32', shape: [1, 3, 256, 256] }],
      outputs: [{ name: 'out', dtype: 'float32', shape: [1, 3, 512, 512] }]
    },
    files: Object.entries(files).map(([path, bytes]) => ({ path, source: { url: served.url(`${prefix}/${path}`) }, size: bytes.byteLength, sha256: sha256Hex(bytes) }))
  }
  const file = join(dir, `${id}.manifest.json`)
  await writeFile(file, JSON.stringify(json, null, 2))
  return parseModelManifest(JSON.parse(await readFile(file, 'utf8')))
}

/** 1.5 s at 16 kHz: 0.5 s silence, 0.5 s voiced (a 140 Hz buzz with 8 harmonics), 0.5 s silence. */
function syntheticSpeech (): { sampleRate: number, pcm: Float32Array } {
  const sampleRate = 16000
  const pcm = new Float32Array(sampleRate * 1.5)
  for (let i = 0; i < pcm.length; i++) {
    const t = i / sampleRate
    const voiced = t >= 0.5 && t < 1
    if (!voiced) continue
    let s = 0
    for (let h = 1; h <= 8; h++) s += Math.sin(2 * Math.PI * 140 * h * t) / h
    pcm[i] = 0.3 * s
  }
  return { sampleRate, pcm }
}

interface SpiedSession extends InferenceSession { released: boolean }
type Call = { feeds: Record<string, Tensor>, out: Record<string, Tensor> }

/** Records every generator call's feeds and output and every release, around real onnxruntime-node sessions. */
function spyingFactory (calls: Call[], sessions: SpiedSession[]): SessionFactory {
  return async (model, options) => {
    const s = await nodeSessionFactory(model, options)
    const spied: SpiedSession = {
      released: false,
      inputNames: s.inputNames,
      outputNames: s.outputNames,
      async run (feeds, runOptions) {
        const out = await s.run(feeds, runOptions)
        if (s.inputNames.includes('kp_source')) calls.push({ feeds, out })
        return out
      },
      async release () {
        spied.released = true
        await s.release()
      }
    }
    sessions.push(spied)
    return spied
  }
}

const meanAbsDiff = (a: RgbaImage, b: RgbaImage): number => {
  let sum = 0
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) sum += Math.abs(a.data[i]! - b.data[i]!)
  return sum / (a.data.length * 0.75)
}

describe('LivePortrait animation stage (tiny ONNX models, real registry and onnxruntime-node)', () => {
  let dir: string
  let served: Served
  let manifest: ModelManifest
  let badManifest: ModelManifest
  let input: AnimationInput
  const realFetch: FetchLike = async (url, init) => await fetch(url, init)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nsn-liveportrait-'))
    const good = {
      'appearance_feature_extractor.onnx': appearanceModel(),
      'motion_extractor.onnx': motionModel(),
      'warping_spade.onnx': generatorModel()
    }
    const bad = { ...good, 'warping_spade.onnx': generatorModel('kp_drive') }
    const files: Record<string, Uint8Array> = {}
    for (const [k, v] of Object.entries(good)) files[`good/${k}`] = v
    for (const [k, v] of Object.entries(bad)) files[`bad/${k}`] = v
    served = await serve(files)
    manifest = await writeManifest(dir, 'liveportrait-tiny', served, good, 'good')
    badManifest = await writeManifest(dir, 'liveportrait-tiny-bad', served, bad, 'bad')

    const params = portraitParams('a portrait of a smiling woman', 7, 256, 256)
    const { image, geometry } = renderPortrait(params)
    input = { keyframe: image, rig: portraitRig(geometry), speech: syntheticSpeech(), fps: 8, durationSec: 1.5, seed: 11 }
  })

  afterAll(async () => {
    await served?.close()
    await rm(dir, { recursive: true, force: true })
  })

  function stageFor (m: ModelManifest, createSession: SessionFactory = nodeSessionFactory): LivePortraitAnimationStage {
    const store = new FsModelStore(join(dir, 'cache'))
    return new LivePortraitAnimationStage({
      createSession,
      modelFiles: async (options) => await loadModel(m, { store, fetch: realFetch, signal: options?.signal })
    }, { manifest: m, expected: { width: 256, height: 256, frames: 12 } })
  }

  it('should animate the keyframe: frame count, size, speech-driven lip keypoints and image, determinism', async () => {
    const calls: Call[] = []
    const sessions: SpiedSession[] = []
    const stage = stageFor(manifest, spyingFactory(calls, sessions))
    expect(stage.info).toMatchObject({ kind: 'animation', id: 'liveportrait', neural: true })
    expect(stage.memoryEstimateBytes()).toBeGreaterThan(manifest.memory.bytes)

    const progress: number[] = []
    const out = await stage.run(input, { onProgress: (p) => progress.push(p.fraction) })
    expect(served.requests.filter(r => r.startsWith('/good/')).sort()).toEqual(['/good/appearance_feature_extractor.onnx', '/good/motion_extractor.onnx', '/good/warping_spade.onnx'])

    const n = Math.round(input.durationSec * input.fps)
    expect(out.frames).toHaveLength(n)
    expect(out.backend).toBe('onnx-cpu')
    for (const f of out.frames) expect([f.width, f.height, f.data.length]).toEqual([input.keyframe.width, input.keyframe.height, input.keyframe.data.length])
    expect(progress.filter(f => f > 0)).toEqual(Array.from({ length: n }, (_, i) => (i + 1) / n))
    expect(calls).toHaveLength(n)

    // The per-frame parameters are the default stage's (same mouth, blink and roll per frame).
    const params = animationParams(input)
    expect(out.params).toEqual(params)
    const mouth = params.map(p => p.mouthOpen)
    const loud = mouth.map((m, i) => m > 0.5 ? i : -1).filter(i => i >= 0)
    const silent = mouth.map((m, i) => m < 0.05 ? i : -1).filter(i => i >= 0)
    expect(loud.length).toBeGreaterThanOrEqual(2)
    expect(silent.length).toBeGreaterThanOrEqual(2)

    // kp_driving: the lip keypoints move away from the source with the speech; the others barely do.
    const lipMotion = calls.map(({ feeds }) => {
      const d = feeds.kp_driving!.data as Float32Array
      const s = feeds.kp_source!.data as Float32Array
      return Math.hypot(...[0, 1, 2].map(j => (d[19 * 3 + j]! - s[19 * 3 + j]!) - (d[17 * 3 + j]! - s[17 * 3 + j]!)))
    })
    const mean = (idx: number[], v: number[]): number => idx.reduce((a, i) => a + v[i]!, 0) / idx.length
    expect(pearson(mouth, lipMotion)).toBeGreaterThan(0.99)
    expect(mean(loud, lipMotion)).toBeGreaterThan(5 * mean(silent, lipMotion))
    expect(LIP_KEYPOINTS).toContain(19)

    // The image: distance of each frame from the rest pose (the generator fed kp_source as kp_driving).
    const generator = sessions.find(s => s.inputNames.includes('kp_source'))!
    const first = calls[0]!.feeds
    const rest = (await generator.run({ feature_3d: first.feature_3d!, kp_driving: first.kp_source!, kp_source: first.kp_source! })).out!
    const restFrame = pastePlanar(input.keyframe, { data: rest.data as Float32Array, width: rest.dims[3]!, height: rest.dims[2]! }, faceCropBox(input.rig))
    const fromRest = out.frames.map(f => meanAbsDiff(f, restFrame))
    expect(mean(loud, fromRest)).toBeGreaterThan(4 * mean(silent, fromRest))
    expect(pearson(mouth, fromRest)).toBeGreaterThan(0.95)
    expect(Math.min(...loud.map(i => fromRest[i]!))).toBeGreaterThan(Math.max(...silent.map(i => fromRest[i]!)))
    console.log(`liveportrait tiny: mouth ${mouth.map(m => m.toFixed(2)).join(' ')} | image distance from rest ${fromRest.map(d => d.toFixed(2)).join(' ')}`)

    // Same input, same bytes (also from a fresh stage reading the cache).
    const again = await stage.run(input)
    const fresh = stageFor(manifest)
    const third = await fresh.run(input)
    for (let i = 0; i < n; i++) {
      expect(Buffer.from(again.frames[i]!.data).equals(Buffer.from(out.frames[i]!.data))).toBe(true)
      expect(Buffer.from(third.frames[i]!.data).equals(Buffer.from(out.frames[i]!.data))).toBe(true)
    }
    await fresh.unload()

    expect(sessions.map(s => s.released)).toEqual([false, false, false])
    await stage.unload()
    expect(sessions.map(s => s.released)).toEqual([true, true, true])
  })

  it('should refuse an export whose generator input is misnamed, with ModelSignatureError, releasing what it opened', async () => {
    const sessions: SpiedSession[] = []
    const stage = stageFor(badManifest, spyingFactory([], sessions))
    const err = await stage.load().then(() => new Error('loaded'), (e: unknown) => e as Error)
    expect(err.name).toBe(ModelSignatureError.name)
    expect(err.message).toMatch(/kp_driving/)
    expect(err.message).toMatch(/kp_drive/)
    expect(sessions.map(s => s.released)).toEqual([true, true, true])
  })

  it('should stop between frames when aborted', async () => {
    const calls: Call[] = []
    const stage = stageFor(manifest, spyingFactory(calls, []))
    const controller = new AbortController()
    const err = await stage.run(input, {
      signal: controller.signal,
      onProgress: (p) => { if (p.fraction >= 3 / 12) controller.abort() }
    }).then(() => new Error('finished'), (e: unknown) => e as Error)
    expect(err.name).toBe(AbortError.name)
    expect(calls).toHaveLength(3)
    await stage.unload()
  })
})
