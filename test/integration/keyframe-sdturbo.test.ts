// SPDX-License-Identifier: GPL-3.0-or-later
// The SD-Turbo keyframe stage end to end without the real weights: tiny ONNX models with exactly
// the real input/output names, element types and shapes (text_encoder, unet, vae_decoder), a tiny
// CLIP vocabulary (all from test/fixtures/lane0-standin-models.ts), manifests with computed sha256,
// served over HTTP on 127.0.0.1 and loaded through the real `loadModel` + `FsModelStore`, run by onnxruntime-node, rigged by the Node FaceMesh detector.
// The tiny VAE outputs a fixed procedural portrait plus a term that follows the latents, so the
// detector finds a face and the seed still changes the bytes.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelManifest } from '../../src/core/ai/manifest.ts'
import { loadModel } from '../../src/core/ai/model-loader.ts'
import { blake2b256, toHex } from '../../src/core/wire/hash.ts'
import { SdTurboKeyframeStage } from '../../src/core/lane0/keyframe-sdturbo.ts'
import type { RigDetector, SdTurboManifests } from '../../src/core/lane0/keyframe-sdturbo.ts'
import { portraitRig } from '../../src/core/lane0/portrait.ts'
import type { StageProgress } from '../../src/core/lane0/stage.ts'
import { FsModelStore } from '../../src/platform/node/model-cache.ts'
import { createNodeRigDetector } from '../../src/platform/node/face-rig.ts'
import type { NodeRigDetector } from '../../src/platform/node/face-rig.ts'
import { nodeSessionFactory } from '../../src/platform/node/onnx-session.ts'
import { SD_TINY, publishStandin, sdTurboManifestInit, sdTurboParts, sdTurboPortrait as portrait, serveStandins } from '../fixtures/lane0-standin-models.ts'
import type { SdTurboDtype as Dtype, SdTurboPart, StandinServer } from '../fixtures/lane0-standin-models.ts'

const IMAGE = SD_TINY.image

const digest = (data: Uint8ClampedArray): string => toHex(blake2b256(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))

describe('SD-Turbo keyframe stage with tiny ONNX models (onnxruntime-node, real loader and face detector)', () => {
  let root: string
  let server: StandinServer
  let rigs: NodeRigDetector
  let detections = 0
  const detectRig: RigDetector = async (image, options) => { detections++; return await rigs.detect(image, options) }
  /** Serves the files of one sub-model under `variant/`, returns its manifest. */
  const publish = (variant: string, id: string, part: SdTurboPart): ModelManifest =>
    publishStandin(server, variant, sdTurboManifestInit(`${id}-${variant}`, part, `tiny ${id} (${variant}), test only`), part.files)
  const variants = new Map<string, SdTurboManifests>()
  const build = (variant: string, dtype: Dtype, options: { unetOutput?: string, vae?: 'portrait' | 'flat-grey' } = {}): SdTurboManifests => {
    const parts = sdTurboParts(dtype, options)
    const manifests: SdTurboManifests = {
      textEncoder: publish(variant, 'sd-turbo-text-encoder', parts.textEncoder),
      unet: publish(variant, 'sd-turbo-unet', parts.unet),
      vaeDecoder: publish(variant, 'sd-turbo-vae-decoder', parts.vaeDecoder)
    }
    variants.set(variant, manifests)
    return manifests
  }
  const stageFor = (manifests: SdTurboManifests): SdTurboKeyframeStage => {
    const store = new FsModelStore(join(root, 'cache'))
    return new SdTurboKeyframeStage({
      createSession: nodeSessionFactory,
      loadModel: async (manifest, options) => await loadModel(manifest, { store, fetch: async (url, init) => await fetch(url, init), ...options }),
      detectRig
    }, { manifests })
  }
  const request = { prompt: 'a calm news anchor', negativePrompt: 'blurry', seed: 11, width: 384, height: 384 }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nsn-sdturbo-'))
    server = await serveStandins()
    rigs = await createNodeRigDetector()
    build('f32', 'float32')
    build('f16', 'float16')
    build('wrong-output', 'float32', { unetOutput: 'noise_pred' })
    build('flat', 'float32', { vae: 'flat-grey' })
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
