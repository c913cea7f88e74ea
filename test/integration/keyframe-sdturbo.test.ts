// SPDX-License-Identifier: GPL-3.0-or-later
// The SD-Turbo keyframe stage end to end without the real weights: tiny ONNX models with exactly
// the real input/output names, element types and shapes (text_encoder, unet, vae_decoder), a tiny
// CLIP vocabulary, manifests with computed sha256, served over HTTP on 127.0.0.1 and loaded through
// the real `loadModel` + `FsModelStore`, run by onnxruntime-node, rigged by the Node FaceMesh detector.
// The tiny VAE outputs a fixed procedural portrait plus a term that follows the latents, so the
// detector finds a face and the seed still changes the bytes.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseModelManifest } from '../../src/core/ai/manifest.ts'
import type { ModelManifest } from '../../src/core/ai/manifest.ts'
import { loadModel, sha256Hex } from '../../src/core/ai/model-loader.ts'
import { blake2b256, toHex } from '../../src/core/wire/hash.ts'
import { CLIP_BOS_ID, CLIP_EOS_ID } from '../../src/core/lane0/clip-tokenizer.ts'
import { SdTurboKeyframeStage } from '../../src/core/lane0/keyframe-sdturbo.ts'
import type { RigDetector, SdTurboManifests } from '../../src/core/lane0/keyframe-sdturbo.ts'
import { portraitParams, portraitRig, renderPortrait } from '../../src/core/lane0/portrait.ts'
import type { StageProgress } from '../../src/core/lane0/stage.ts'
import { FsModelStore } from '../../src/platform/node/model-cache.ts'
import { createNodeRigDetector } from '../../src/platform/node/face-rig.ts'
import type { NodeRigDetector } from '../../src/platform/node/face-rig.ts'
import { nodeSessionFactory } from '../../src/platform/node/onnx-session.ts'
import { tinyModel, int } from '../utils/tiny-onnx.ts'
import type { TinyNode, TinyTensor } from '../utils/tiny-onnx.ts'

type Dtype = 'float32' | 'float16'
const FLOAT = 1
const FLOAT16 = 10
const HIDDEN = 1024
const LATENT = [1, 4, 64, 64]
const IMAGE = 512
/**
 * The latent term's weight in the tiny VAE. The tiny unet predicts ε = sample / 2 (+ small terms), so
 * x0 ≈ σ·z / 2 and x0 / 0.18215 ≈ 40·z: ±0.04 at one σ, about ±5 levels of 255.
 */
const LATENT_WEIGHT = 0.001

const portrait = renderPortrait(portraitParams('a calm news anchor', 1, IMAGE, IMAGE))

/** The portrait as the VAE's [1, 3, 512, 512] output in [-1, 1]. */
function portraitTensor (): Float32Array {
  const plane = IMAGE * IMAGE
  const out = new Float32Array(3 * plane)
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = portrait.image.data[p * 4 + c]! / 127.5 - 1
  return out
}

/** Casts `input` to float32 (float16 models compute in float32 inside these tiny graphs). */
const castIn = (dtype: Dtype, input: string, nodes: TinyNode[]): string => {
  if (dtype === 'float32') return input
  nodes.push({ op: 'Cast', inputs: [input], outputs: [`${input}_f32`], attributes: { to: int(FLOAT) } })
  return `${input}_f32`
}
const castOut = (dtype: Dtype, value: string, output: string, nodes: TinyNode[]): void => {
  nodes.push(dtype === 'float32'
    ? { op: 'Identity', inputs: [value], outputs: [output] }
    : { op: 'Cast', inputs: [value], outputs: [output], attributes: { to: int(FLOAT16) } })
}

/** input_ids int32 [1, 77] → last_hidden_state [1, 77, 1024]: each position's id · 1e-5, broadcast. */
function textEncoder (dtype: Dtype): Uint8Array {
  const nodes: TinyNode[] = [
    { op: 'Cast', inputs: ['input_ids'], outputs: ['ids_f'], attributes: { to: int(FLOAT) } },
    { op: 'Mul', inputs: ['ids_f', 'k'], outputs: ['scaled'] },
    { op: 'Unsqueeze', inputs: ['scaled', 'axes'], outputs: ['column'] },
    { op: 'Expand', inputs: ['column', 'shape'], outputs: ['hidden'] }
  ]
  castOut(dtype, 'hidden', 'last_hidden_state', nodes)
  return tinyModel({
    name: 'tiny-text-encoder',
    inputs: [{ name: 'input_ids', type: 'int32', shape: [1, 77] }],
    outputs: [{ name: 'last_hidden_state', type: dtype, shape: [1, 77, HIDDEN] }],
    nodes,
    initializers: {
      k: { type: 'float32', dims: [1], values: [1e-5] },
      axes: { type: 'int64', dims: [1], values: [2] },
      shape: { type: 'int64', dims: [3], values: [1, 77, HIDDEN] }
    }
  })
}

/**
 * sample, timestep, encoder_hidden_states → out_sample = sample / 2 + mean(states) + timestep · 1e-6
 * (a unet predicting ε = sample exactly would cancel the noise out of x0 almost entirely).
 */
function unet (dtype: Dtype, outputName = 'out_sample'): Uint8Array {
  const nodes: TinyNode[] = []
  const sample = castIn(dtype, 'sample', nodes)
  const states = castIn(dtype, 'encoder_hidden_states', nodes)
  nodes.push(
    { op: 'ReduceMean', inputs: [states], outputs: ['context'], attributes: { keepdims: int(0) } },
    { op: 'Cast', inputs: ['timestep'], outputs: ['t_f'], attributes: { to: int(FLOAT) } },
    { op: 'Mul', inputs: ['t_f', 'tk'], outputs: ['t_term'] },
    { op: 'Mul', inputs: [sample, 'half'], outputs: ['s0'] },
    { op: 'Add', inputs: ['s0', 'context'], outputs: ['s1'] },
    { op: 'Add', inputs: ['s1', 't_term'], outputs: ['eps'] }
  )
  castOut(dtype, 'eps', outputName, nodes)
  return tinyModel({
    name: 'tiny-unet',
    inputs: [
      { name: 'sample', type: dtype, shape: LATENT },
      { name: 'timestep', type: 'int64', shape: [1] },
      { name: 'encoder_hidden_states', type: dtype, shape: [1, 77, HIDDEN] }
    ],
    outputs: [{ name: outputName, type: dtype, shape: LATENT }],
    nodes,
    initializers: { tk: { type: 'float32', dims: [1], values: [1e-6] }, half: { type: 'float32', dims: [1], values: [0.5] } }
  })
}

/** latent_sample → sample [1, 3, 512, 512] = image + weight · (latent channel 0, upsampled ×8). */
function vaeDecoder (dtype: Dtype, image: Float32Array | 'flat-grey'): Uint8Array {
  const nodes: TinyNode[] = []
  const latent = castIn(dtype, 'latent_sample', nodes)
  nodes.push(
    { op: 'Slice', inputs: [latent, 'starts', 'ends', 'axes'], outputs: ['channel0'] },
    { op: 'Resize', inputs: ['channel0', '', 'scales'], outputs: ['up'], attributes: { mode: { string: 'nearest' } } },
    { op: 'Mul', inputs: ['up', 'weight'], outputs: ['term'] },
    { op: 'Add', inputs: ['image', 'term'], outputs: ['rgb'] }
  )
  castOut(dtype, 'rgb', 'sample', nodes)
  const flat = image === 'flat-grey'
  const initializers: Record<string, TinyTensor> = {
    starts: { type: 'int64', dims: [1], values: [0] },
    ends: { type: 'int64', dims: [1], values: [1] },
    axes: { type: 'int64', dims: [1], values: [1] },
    scales: { type: 'float32', dims: [4], values: [1, 1, 8, 8] },
    weight: { type: 'float32', dims: [1], values: [flat ? 0 : LATENT_WEIGHT] },
    // the flat VAE: 0 everywhere, i.e. mid-grey
    image: flat ? { type: 'float32', dims: [1, 3, 1, 1], values: [0, 0, 0] } : { type: 'float32', dims: [1, 3, IMAGE, IMAGE], values: image }
  }
  return tinyModel({
    name: 'tiny-vae-decoder',
    inputs: [{ name: 'latent_sample', type: dtype, shape: LATENT }],
    outputs: [{ name: 'sample', type: dtype, shape: [1, 3, IMAGE, IMAGE] }],
    nodes,
    initializers
  })
}

/** A tiny CLIP vocabulary: bytes, a few whole words, the specials at their real ids. */
const VOCAB: Record<string, number> = (() => {
  const v: Record<string, number> = {}
  let id = 0
  for (const c of 'abcdefghijklmnopqrstuvwxyz') { v[c] = id++; v[`${c}</w>`] = id++ }
  for (const w of ['ca', 'cal', 'calm</w>', 'ne', 'new', 'news</w>', 'an', 'anc', 'anch', 'ancho', 'anchor</w>', 'a</w>']) v[w] ??= id++
  v['<|startoftext|>'] = CLIP_BOS_ID
  v['<|endoftext|>'] = CLIP_EOS_ID
  return v
})()
const MERGES = '#version: 0.2\nc a\nca l\ncal m</w>\nn e\nne w\nnew s</w>\na n\nan c\nanc h\nanch o\nancho r</w>\n'

interface Served { url: (path: string) => string, close: () => Promise<void>, requests: string[] }
async function serve (dir: string): Promise<Served> {
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').slice(1))
    requests.push(path)
    readFile(join(dir, path)).then(
      body => { res.writeHead(200, { 'content-length': body.byteLength }).end(body) },
      () => { res.writeHead(404).end() }
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: path => `http://127.0.0.1:${port}/${path}`,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

const digest = (data: Uint8ClampedArray): string => toHex(blake2b256(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))

describe('SD-Turbo keyframe stage with tiny ONNX models (onnxruntime-node, real loader and face detector)', () => {
  let root: string
  let server: Served
  let rigs: NodeRigDetector
  let detections = 0
  const detectRig: RigDetector = async (image, options) => { detections++; return await rigs.detect(image, options) }
  /** Writes the files of one sub-model under `variant/`, returns its manifest. */
  const publish = async (variant: string, id: string, files: Record<string, Uint8Array>, io: { inputs: Array<[string, string, number[]]>, outputs: Array<[string, string, number[]]> }): Promise<ModelManifest> => {
    for (const [path, bytes] of Object.entries(files)) {
      const file = join(root, 'www', variant, path)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, bytes)
    }
    const total = Object.values(files).reduce((n, b) => n + b.byteLength, 0)
    return parseModelManifest({
      id: `${id}-${variant}`,
      name: `tiny ${id} (${variant}), test only`,
      version: 'test',
      licence: { spdx: 'GPL-3.0-or-later', url: 'https://www.gnu.org/licenses/gpl-3.0.html' },
      runtime: 'onnxruntime-node',
      task: 'keyframe',
      neural: true,
      memory: { bytes: total, gpuBytes: 0 },
      signature: {
        inputs: io.inputs.map(([name, dtype, shape]) => ({ name, dtype, shape })),
        outputs: io.outputs.map(([name, dtype, shape]) => ({ name, dtype, shape }))
      },
      files: Object.entries(files).map(([path, bytes]) => ({ path, source: { url: server.url(`${variant}/${path}`) }, size: bytes.byteLength, sha256: sha256Hex(bytes) }))
    })
  }
  const variants = new Map<string, SdTurboManifests>()
  const build = async (variant: string, dtype: Dtype, options: { unetOutput?: string, vae?: 'portrait' | 'flat-grey' } = {}): Promise<SdTurboManifests> => {
    const enc = new TextEncoder()
    const manifests: SdTurboManifests = {
      textEncoder: await publish(variant, 'sd-turbo-text-encoder', {
        'text_encoder/model.onnx': textEncoder(dtype),
        'tokenizer/vocab.json': enc.encode(JSON.stringify(VOCAB)),
        'tokenizer/merges.txt': enc.encode(MERGES)
      }, { inputs: [['input_ids', 'int32', [1, 77]]], outputs: [['last_hidden_state', dtype, [1, 77, HIDDEN]]] }),
      unet: await publish(variant, 'sd-turbo-unet', { 'unet/model.onnx': unet(dtype, options.unetOutput) }, {
        inputs: [['sample', dtype, LATENT], ['timestep', 'int64', [1]], ['encoder_hidden_states', dtype, [1, 77, HIDDEN]]],
        // the manifest states the real name: the file is what disagrees
        outputs: [['out_sample', dtype, LATENT]]
      }),
      vaeDecoder: await publish(variant, 'sd-turbo-vae-decoder', { 'vae_decoder/model.onnx': vaeDecoder(dtype, options.vae === 'flat-grey' ? 'flat-grey' : portraitTensor()) }, {
        inputs: [['latent_sample', dtype, LATENT]], outputs: [['sample', dtype, [1, 3, IMAGE, IMAGE]]]
      })
    }
    variants.set(variant, manifests)
    return manifests
  }
  const stageFor = (manifests: SdTurboManifests): SdTurboKeyframeStage => {
    const store = new FsModelStore(join(root, 'cache'))
    return new SdTurboKeyframeStage({
      sessionFactory: nodeSessionFactory,
      loadModel: async (manifest, options) => await loadModel(manifest, { store, fetch: async (url, init) => await fetch(url, init), ...options }),
      detectRig
    }, { manifests })
  }
  const request = { prompt: 'a calm news anchor', negativePrompt: 'blurry', seed: 11, width: 384, height: 384 }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nsn-sdturbo-'))
    server = await serve(join(root, 'www'))
    rigs = await createNodeRigDetector()
    await build('f32', 'float32')
    await build('f16', 'float16')
    await build('wrong-output', 'float32', { unetOutput: 'noise_pred' })
    await build('flat', 'float32', { vae: 'flat-grey' })
  })
  afterAll(async () => {
    await rigs?.close()
    await server?.close()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  for (const variant of ['f32', 'f16']) {
    it(`should generate a rigged keyframe, deterministic per seed (${variant} models)`, async () => {
      const stage = stageFor(variants.get(variant)!)
      expect(stage.info).toMatchObject({ kind: 'keyframe', id: 'sd-turbo', neural: true })
      const m = variants.get(variant)!
      expect(stage.memoryEstimateBytes()).toBe(m.textEncoder.memory.bytes + m.unet.memory.bytes + m.vaeDecoder.memory.bytes)
      const t0 = performance.now()
      await stage.load()
      const loadMs = performance.now() - t0
      const progress: StageProgress[] = []
      const t1 = performance.now()
      const a = await stage.run(request, { onProgress: p => progress.push(p) })
      const runMs = performance.now() - t1
      const again = await stage.run(request)
      const other = await stage.run({ ...request, seed: 12 })
      await stage.unload()

      expect(a.image.width).toBe(384)
      expect(a.image.height).toBe(384)
      expect(a.image.data.length).toBe(384 * 384 * 4)
      expect(digest(again.image.data)).toBe(digest(a.image.data))
      expect(digest(other.image.data)).not.toBe(digest(a.image.data))
      let differing = 0
      for (let i = 0; i < a.image.data.length; i++) if (a.image.data[i] !== other.image.data[i]) differing++
      expect(progress.map(p => p.message)).toEqual(['text encoder', 'unet', 'vae decoder', 'face rig', 'keyframe generated'])

      // the rig the detector found, against the drawn portrait's geometry scaled to 384 px
      const want = portraitRig(portrait.geometry)
      const s = 384 / IMAGE
      const err = (got: number, drawn: number): number => Math.abs(got - drawn * s)
      expect(err(a.rig.mouthX, want.mouthX)).toBeLessThan(4)
      expect(err(a.rig.mouthY, want.mouthY)).toBeLessThan(4)
      expect(err(a.rig.leftEyeX, want.leftEyeX)).toBeLessThan(6)
      expect(err(a.rig.rightEyeX, want.rightEyeX)).toBeLessThan(6)
      expect(err(a.rig.leftEyeY, want.leftEyeY)).toBeLessThan(4)
      expect(err(a.rig.chinY, want.chinY)).toBeLessThan(16)
      console.log(`${variant}: load ${loadMs.toFixed(0)} ms, run ${runMs.toFixed(0)} ms, seed 11 vs 12: ${differing} of ${a.image.data.length} bytes differ; rig mouth (${a.rig.mouthX.toFixed(1)}, ${a.rig.mouthY.toFixed(1)}) drawn (${(want.mouthX * s).toFixed(1)}, ${(want.mouthY * s).toFixed(1)})`)
    })
  }

  it('should have fetched every file once over HTTP and verified it into the cache', async () => {
    // the f32 and f16 runs above loaded twice each (after unload): the second time came from the cache
    const fetched = server.requests.filter(r => r.startsWith('f32/'))
    expect(fetched.sort()).toEqual(['text_encoder/model.onnx', 'tokenizer/merges.txt', 'tokenizer/vocab.json', 'unet/model.onnx', 'vae_decoder/model.onnx'].map(p => `f32/${p}`).sort())
    const stage = stageFor(variants.get('f32')!)
    await stage.load()
    await stage.unload()
    expect(server.requests.filter(r => r.startsWith('f32/')).length).toBe(5)
  })

  it('should refuse a unet whose output is not "out_sample" with ModelSignatureError', async () => {
    const stage = stageFor(variants.get('wrong-output')!)
    const err = await stage.run(request).then(() => undefined, (e: unknown) => e as Error)
    expect(err).toMatchObject({ name: 'ModelSignatureError' })
    if (err === undefined) throw new Error('unreachable')
    expect(err.message).toMatch(/out_sample.*noise_pred/s)
  })

  it('should fail with NoFaceDetectedError when the VAE paints a flat grey image', async () => {
    const stage = stageFor(variants.get('flat')!)
    const before = detections
    await expect(stage.run(request)).rejects.toMatchObject({ name: 'NoFaceDetectedError' })
    expect(detections).toBe(before + 1)
    await stage.unload()
  })

  it('should abort between sub-models', async () => {
    const stage = stageFor(variants.get('f32')!)
    await stage.load()
    const controller = new AbortController()
    const before = detections
    const seen: string[] = []
    const run = stage.run(request, {
      signal: controller.signal,
      onProgress: p => {
        seen.push(p.message ?? '')
        if (p.message === 'unet') controller.abort()
      }
    })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen).toEqual(['text encoder', 'unet'])
    expect(detections).toBe(before)
    await stage.unload()
  })
})
