// SPDX-License-Identifier: GPL-3.0-or-later
// The whole Lane-0 pipeline on the production (neural) stages, chosen by a recipe's pins: stand-in
// models with the real I/O (test/fixtures/lane0-standin-models.ts) in a models folder
// (`<dir>/<id>/manifest.json`, files served from 127.0.0.1), planStages → createNodeStages → runLane0
// in a memory budget → a VP8 + Opus WebM. Kokoro, SD-Turbo and LivePortrait run on onnxruntime-node,
// their files downloaded once into the model cache and sha256-verified; the keyframe is rigged by the
// FaceMesh detector. Also: the pin checks fail before anything runs, and no pins give the defaults.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../src/core/errors.ts'
import { MemoryBudget } from '../../src/core/lane0/budget.ts'
import { resizeBilinear } from '../../src/core/lane0/image-ops.ts'
import { portraitParams, renderPortrait } from '../../src/core/lane0/portrait.ts'
import { runLane0 } from '../../src/core/lane0/pipeline.ts'
import type { Lane0Progress, Lane0Result } from '../../src/core/lane0/pipeline.ts'
import { PIPELINE_VERSION, exampleRecipe, parseRecipe } from '../../src/core/lane0/recipe.ts'
import type { Recipe } from '../../src/core/lane0/recipe.ts'
import { PinnedModelMismatchError, PinnedModelNotFoundError, planStages } from '../../src/core/lane0/stage-plan.ts'
import type { ManifestLookup, StagePlan } from '../../src/core/lane0/stage-plan.ts'
import { createNodeStages, loadManifestsFrom } from '../../src/platform/node/production-stages.ts'
import { STANDIN_IDS, sdTurboPortrait, writeStandinModels } from '../fixtures/lane0-standin-models.ts'
import type { StandinModels } from '../fixtures/lane0-standin-models.ts'

const exec = promisify(execFile)
const MiB = 2 ** 20
const hash = (bytes: Uint8Array): string => bytesToHex(sha256(bytes))

interface Probe {
  streams: Array<{ codec_type: string, codec_name: string, r_frame_rate: string, nb_read_packets: string }>
  format: { duration: string }
}

describe('Lane-0 pipeline on the production stages (stand-in ONNX models chosen by the recipe\'s pins)', () => {
  let root: string
  let models: StandinModels
  let lookup: ManifestLookup
  let recipe: Recipe
  let planned: number

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nsn-lane0-production-'))
    models = await writeStandinModels(join(root, 'models'))
    lookup = await loadManifestsFrom(models.dir)
    recipe = parseRecipe({
      ...exampleRecipe(),
      script: 'Hello from the stand-in models. The same recipe gives the same bytes.',
      voice: 'en-us',
      prompt: 'a calm news anchor',
      durationSec: 2,
      fps: 12,
      width: 384,
      height: 384,
      pins: { pipelineVersion: PIPELINE_VERSION, models: models.pins }
    })
  })

  afterAll(async () => {
    await models?.close()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  /** planStages → Node stages → runLane0 in a budget below the sum of the stages; everything released after. */
  async function generate (r: Recipe, cacheDir = join(root, 'cache')): Promise<Lane0Result & { plan: StagePlan, progress: Lane0Progress[] }> {
    const plan = planStages(r.pins, lookup)
    planned++
    const { stages, close } = createNodeStages(plan, { expected: { width: r.width, height: r.height, frames: Math.round(r.durationSec * r.fps) }, cacheDir })
    const estimates = Object.values(stages).map(s => s.memoryEstimateBytes())
    // room for the two largest stages side by side, not for all four: the budget has to unload
    const sorted = [...estimates].sort((a, b) => b - a)
    const budgetBytes = sorted[0]! + sorted[1]!
    // the probe is the sum of the loaded stages' estimates, so the budget's decisions are what is checked
    const budget: MemoryBudget = new MemoryBudget({ budgetBytes, measure: (): number => budget.loadedBytes })
    const progress: Lane0Progress[] = []
    try {
      const result = await runLane0(r, stages, { budget, onProgress: p => progress.push(p) })
      return { ...result, plan, progress }
    } finally {
      await budget.releaseAll()
      await close()
    }
  }

  async function clipFile (webm: Uint8Array): Promise<string> {
    const file = join(root, `clip-${hash(webm).slice(0, 8)}.webm`)
    await writeFile(file, webm)
    return file
  }

  async function probe (webm: Uint8Array): Promise<Probe> {
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,r_frame_rate,nb_read_packets:format=duration', '-of', 'json', await clipFile(webm)])
    return JSON.parse(stdout) as Probe
  }

  /** The first video frame as RGB bytes and the audio as mono float32 at 24 kHz, decoded by ffmpeg. */
  async function decode (webm: Uint8Array): Promise<{ frame: Uint8Array, audio: Float32Array }> {
    const file = await clipFile(webm)
    const raw = async (args: string[]): Promise<Buffer> => (await exec('ffmpeg', ['-v', 'error', '-i', file, ...args, '-'], { encoding: 'buffer', maxBuffer: 64 * MiB })).stdout
    const frame = await raw(['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24'])
    const pcm = await raw(['-vn', '-f', 'f32le', '-ac', '1', '-ar', '24000'])
    return { frame: new Uint8Array(frame), audio: new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)) }
  }

  /** Mean absolute difference between an RGB frame and an RGBA image of the same size. */
  function meanAbsDiff (rgb: Uint8Array, rgba: Uint8ClampedArray): number {
    let sum = 0
    const n = rgb.length / 3
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum += Math.abs(rgb[i * 3 + c]! - rgba[i * 4 + c]!)
    return sum / (n * 3)
  }

  const rms = (x: Float32Array, from: number, to: number): number => {
    let s = 0
    for (let i = from; i < to; i++) s += x[i]! ** 2
    return Math.sqrt(s / Math.max(1, to - from))
  }

  it('should make the clip with Kokoro, SD-Turbo and LivePortrait, and the same bytes on a second run', async () => {
    planned = 0
    const t0 = performance.now()
    const first = await generate(recipe)
    const firstMs = performance.now() - t0
    expect(first.plan.speech.kind).toBe('kokoro')
    expect(first.plan.keyframe.kind).toBe('sd-turbo')
    expect(first.plan.animation.kind).toBe('liveportrait')
    expect(first.stages.map(s => [s.kind, s.id, s.neural])).toEqual([
      ['speech', 'kokoro-82m', true],
      ['keyframe', 'sd-turbo', true],
      ['animation', 'liveportrait', true],
      ['encode', 'ffmpeg-vp8-opus', false]
    ])
    expect(first.animationBackend).toBe('onnx-cpu')
    expect(first.budgetEvents.some(e => e.type === 'unload')).toBe(true)
    expect(first.peakBytes).toBeLessThanOrEqual(first.budgetBytes)
    for (const stage of ['speech', 'keyframe', 'animation', 'encode'] as const) expect(first.progress.some(p => p.stage === stage && p.fraction === 1)).toBe(true)
    // every stand-in model's weights came over HTTP, once, into the cache
    const onnx = models.server.requests.filter(p => p.endsWith('.onnx')).sort()
    expect(onnx).toEqual([
      `${STANDIN_IDS.kokoro}/model.onnx`,
      `${STANDIN_IDS.liveportrait}/appearance_feature_extractor.onnx`,
      `${STANDIN_IDS.liveportrait}/motion_extractor.onnx`,
      `${STANDIN_IDS.liveportrait}/warping_spade.onnx`,
      `${STANDIN_IDS.textEncoder}/text_encoder/model.onnx`,
      `${STANDIN_IDS.unet}/unet/model.onnx`,
      `${STANDIN_IDS.vaeDecoder}/vae_decoder/model.onnx`
    ])

    const p = await probe(first.clip.webm)
    const video = p.streams.find(s => s.codec_type === 'video')
    const audio = p.streams.find(s => s.codec_type === 'audio')
    expect(video?.codec_name).toBe('vp8')
    expect(audio?.codec_name).toBe('opus')
    expect(video?.r_frame_rate).toBe('12/1')
    expect(Number(video?.nb_read_packets)).toBe(24)
    expect(Math.abs(Number(p.format.duration) - 2)).toBeLessThanOrEqual(0.1)

    // the content: the stand-in VAE's portrait (SD-Turbo's keyframe) under the first frame, and the
    // stand-in Kokoro's loud tanh waveform (~1.8 s of ~70 ids at 960 samples each) in the audio
    const decoded = await decode(first.clip.webm)
    const frame = decoded.frame
    const portrait = resizeBilinear(sdTurboPortrait.image, recipe.width, recipe.height)
    const procedural = renderPortrait(portraitParams(recipe.prompt, recipe.seed, recipe.width, recipe.height)).image
    const toPortrait = meanAbsDiff(frame, portrait.data)
    const toProcedural = meanAbsDiff(frame, procedural.data)
    const speechRms = rms(decoded.audio, 0, 24000)
    console.log(`first frame vs stand-in SD-Turbo portrait ${toPortrait.toFixed(2)}, vs the default procedural portrait ${toProcedural.toFixed(2)}; audio rms (first 1 s) ${speechRms.toFixed(3)}`)
    // (the stand-in generator repaints the face crop from a 64² feature image, so the match is loose)
    expect(toPortrait).toBeLessThan(20)
    expect(toProcedural).toBeGreaterThan(2 * toPortrait)
    expect(speechRms).toBeGreaterThan(0.1)

    const requests = models.server.requests.length
    const second = await generate(recipe)
    expect(models.server.requests.length).toBe(requests) // from the cache
    expect(hash(second.clip.webm)).toBe(hash(first.clip.webm))
    expect(planned).toBe(2)
    console.log(`lane0 production (stand-ins): first run ${Math.round(firstMs)} ms, timings ${JSON.stringify(Object.fromEntries(Object.entries(first.timings).map(([k, v]) => [k, Math.round(v)])))}; ${first.clip.webm.byteLength} bytes, sha256 ${hash(first.clip.webm).slice(0, 16)}…; ffprobe ${JSON.stringify(p)}`)
  }, 120_000)

  it('should refuse a pin with another sha256 before any stage is built or any file fetched', async () => {
    planned = 0
    const requests = models.server.requests.length
    const bad = { ...recipe, pins: { ...recipe.pins, models: recipe.pins.models.map(m => m.id === STANDIN_IDS.unet ? { ...m, sha256: 'f'.repeat(64) } : m) } }
    const err = await generate(bad, join(root, 'fresh-cache')).then(() => undefined, (e: unknown) => e as PinnedModelMismatchError)
    expect(err).toMatchObject({ name: PinnedModelMismatchError.name, id: STANDIN_IDS.unet, reason: 'sha256', pinned: 'f'.repeat(64) })
    expect(planned).toBe(0)
    expect(models.server.requests.length).toBe(requests)
  })

  it('should refuse an unknown pinned id, naming the manifest file it looked for', async () => {
    const bad = { ...recipe, pins: { ...recipe.pins, models: [...recipe.pins.models, { id: 'kokoro-83m', sha256: 'a'.repeat(64) }] } }
    const err = await generate(bad).then(() => undefined, (e: unknown) => e as PinnedModelNotFoundError)
    expect(err).toMatchObject({ name: PinnedModelNotFoundError.name, id: 'kokoro-83m', where: join(models.dir, 'kokoro-83m', 'manifest.json') })
    expect(err?.message).toContain(join(models.dir, 'kokoro-83m', 'manifest.json'))
  })

  it('should read every <id>/manifest.json of a models folder and name a broken one', async () => {
    expect(lookup(STANDIN_IDS.unet)?.id).toBe(STANDIN_IDS.unet)
    expect(lookup('kokoro-83m')).toBeUndefined()
    const broken = join(root, 'broken-models')
    await mkdir(join(broken, 'empty-folder'), { recursive: true }) // no manifest: skipped
    await mkdir(join(broken, 'bad'), { recursive: true })
    await writeFile(join(broken, 'bad', 'manifest.json'), JSON.stringify({ ...models.manifests.kokoro, task: 'singing' }))
    const err = await loadManifestsFrom(broken).then(() => undefined, (e: unknown) => e as InvalidInputError)
    expect(err).toMatchObject({ name: InvalidInputError.name, field: 'task' })
    expect(err?.message).toContain(join(broken, 'bad', 'manifest.json'))
    await expect(loadManifestsFrom(join(root, 'no-such-folder'))).rejects.toMatchObject({ name: InvalidInputError.name, field: 'modelsDir' })
  })

  it('should run the offline default stages when nothing is pinned', async () => {
    const result = await generate({ ...recipe, pins: { pipelineVersion: PIPELINE_VERSION, models: [] } })
    expect(result.plan).toEqual({ speech: { kind: 'default' }, keyframe: { kind: 'default' }, animation: { kind: 'default' } })
    expect(result.stages.map(s => [s.id, s.neural])).toEqual([
      ['espeak-ng', false], ['procedural-portrait', false], ['audio-driven-warp', false], ['ffmpeg-vp8-opus', false]
    ])
    const p = await probe(result.clip.webm)
    expect(Number(p.streams.find(s => s.codec_type === 'video')?.nb_read_packets)).toBe(24)
    expect(result.budgetBytes).toBeGreaterThan(16 * MiB)
  }, 60_000)
})
