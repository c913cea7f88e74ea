// SPDX-License-Identifier: GPL-3.0-or-later
// The LivePortrait animation stage end to end without the weights: tiny ONNX models with the real I/O
// names, dtypes and shapes (warmshao/LivePortrait export_onnx.py; built by
// test/fixtures/lane0-standin-models.ts), served over HTTP on 127.0.0.1, loaded through the real
// registry (loadModel + FsModelStore, sha256 verified) and run by onnxruntime-node.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../../src/core/ai/model-loader.ts'
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
import { liveportraitFiles, liveportraitManifestInit, serveStandins, standinManifestJson } from '../fixtures/lane0-standin-models.ts'
import type { StandinServer } from '../fixtures/lane0-standin-models.ts'

/** Writes the manifest JSON (sha256 computed from the served bytes) and reads it back through the zod schema. */
async function writeManifest (dir: string, id: string, served: StandinServer, files: Record<string, Uint8Array>, prefix: string): Promise<ModelManifest> {
  for (const [path, bytes] of Object.entries(files)) served.add(`${prefix}/${path}`, bytes)
  const json = standinManifestJson(liveportraitManifestInit(id), files, path => served.url(`${prefix}/${path}`))
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
  let served: StandinServer
  let manifest: ModelManifest
  let badManifest: ModelManifest
  let input: AnimationInput
  const realFetch: FetchLike = async (url, init) => await fetch(url, init)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nsn-liveportrait-'))
    const good = liveportraitFiles()
    const bad = liveportraitFiles('kp_drive')
    served = await serveStandins()
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
      loadModel: async (lm, options) => await loadModel(lm, { store, fetch: realFetch, signal: options.signal })
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
    expect(served.requests.filter(r => r.startsWith('good/')).sort()).toEqual(['good/appearance_feature_extractor.onnx', 'good/motion_extractor.onnx', 'good/warping_spade.onnx'])

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
