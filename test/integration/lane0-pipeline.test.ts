// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline in Node, in-thread: eSpeak NG speech ∥ keyframe → audio-driven warp → ffmpeg
 * encode, in a memory budget smaller than all stages together. The keyframe here is the warp test
 * card (the procedural portrait stage is tested on its own); the checks are on the clip's content.
 * Then the warm Node pipeline (`NodeLane0Pipeline`, stages in worker threads): one opened pipeline
 * runs two recipes and gives the same bytes as one-shot runs.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { NodeLane0Pipeline, PipelineStateError, runNodeLane0 } from '../../src/app/lane0-node.ts'
import { WarpAnimationStage } from '../../src/core/lane0/animation-stage.ts'
import { MemoryBudget } from '../../src/core/lane0/budget.ts'
import { runLane0 } from '../../src/core/lane0/pipeline.ts'
import { exampleRecipe } from '../../src/core/lane0/recipe.ts'
import { FfmpegEncodeStage } from '../../src/platform/node/encode-stage.ts'
import { nodeEspeakSpeech } from '../../src/platform/node/espeak.ts'
import { testCard } from '../utils/warp-test-card.ts'
import type { KeyframeRequest, KeyframeResult, Lane0Progress } from '../../src/core/lane0/pipeline.ts'
import type { Stage } from '../../src/core/lane0/stage.ts'

const run = promisify(execFile)
const MiB = 2 ** 20

/** The test card as a keyframe stage (test only). */
function cardStage (): Stage<KeyframeRequest, KeyframeResult> {
  let loaded = false
  return {
    info: { kind: 'keyframe', id: 'test-card', neural: false, description: 'test card (tests only)' },
    memoryEstimateBytes: () => 8 * MiB,
    async load () { loaded = true },
    async run (req) {
      if (!loaded) throw new Error('not loaded')
      const { image, rig } = testCard(req.width)
      return { image, rig }
    },
    async unload () { loaded = false }
  }
}

describe('runLane0 (Node, in-thread)', () => {
  it('should make a clip of the recipe\'s duration and fps within a budget below the sum of the stages', async () => {
    const recipe = { ...exampleRecipe(), durationSec: 3, fps: 24, width: 192, height: 192, script: 'Hello from the network. This clip was made in one pass.' }
    const stages = {
      speech: nodeEspeakSpeech(),
      keyframe: cardStage(),
      animation: new WarpAnimationStage({}, { width: 192, height: 192, frames: 72 }),
      encode: new FfmpegEncodeStage()
    }
    const sum = Object.values(stages).reduce((a, s) => a + s.memoryEstimateBytes(), 0)
    const largest = Math.max(...Object.values(stages).map(s => s.memoryEstimateBytes()))
    // room for the largest stage plus the smallest, never for all of them
    const budgetBytes = largest + Math.min(...Object.values(stages).map(s => s.memoryEstimateBytes()))
    expect(budgetBytes).toBeLessThan(sum)
    const progress: Lane0Progress[] = []
    // the probe here is the sum of the loaded stages' estimates, so the test checks the manager's
    // decisions; `npm run generate` and the benchmark measure process RSS + tracked GPU bytes
    const budget: MemoryBudget = new MemoryBudget({ budgetBytes, measure: (): number => budget.loadedBytes })
    const result = await runLane0(recipe, stages, { budget, onProgress: p => progress.push(p) })
    expect(result.peakBytes).toBeLessThanOrEqual(budgetBytes)
    expect(result.budgetEvents.some(e => e.type === 'unload')).toBe(true)
    expect(Math.max(...result.budgetEvents.map(e => e.loadedBytes))).toBeLessThanOrEqual(budgetBytes)
    for (const stage of ['speech', 'keyframe', 'animation', 'encode'] as const) expect(progress.some(p => p.stage === stage)).toBe(true)
    expect(result.stages.map(s => s.neural)).toEqual([false, false, false, false])
    const dir = await mkdtemp(join(tmpdir(), 'nsn-lane0-'))
    try {
      const file = join(dir, 'clip.webm')
      await writeFile(file, result.clip.webm)
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,r_frame_rate,nb_read_packets:format=duration', '-of', 'json', file])
      const probeOut = JSON.parse(stdout) as { streams: Array<{ codec_type: string, r_frame_rate: string, nb_read_packets: string }>, format: { duration: string } }
      console.log(`lane0 ${JSON.stringify(result.timings)} budget ${budgetBytes} events ${result.budgetEvents.map(e => `${e.type}:${e.stage}`).join(',')} ffprobe ${JSON.stringify(probeOut)}`)
      expect(probeOut.streams.map(s => s.codec_type).sort()).toEqual(['audio', 'video'])
      expect(probeOut.streams.find(s => s.codec_type === 'video')?.r_frame_rate).toBe('24/1')
      expect(Number(probeOut.streams.find(s => s.codec_type === 'video')?.nb_read_packets)).toBe(72)
      expect(Math.abs(Number(probeOut.format.duration) - 3)).toBeLessThanOrEqual(0.1)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('NodeLane0Pipeline (warm, stages in worker threads)', () => {
  it('should run two recipes in one opened pipeline, each giving the bytes of a one-shot run, loading nothing inside the runs', async () => {
    const a = { ...exampleRecipe(), durationSec: 2, fps: 12, width: 128, height: 128, script: 'One pipeline, two clips.' }
    const b = { ...exampleRecipe(), durationSec: 2, fps: 12, width: 128, height: 128, seed: 7, voice: 'en-gb', script: 'The second clip has another voice and seed.' }
    const hash = (bytes: Uint8Array): string => bytesToHex(sha256(bytes))
    const pipeline = new NodeLane0Pipeline({ device: 'cpu', budgetMb: 2048, shape: { width: 128, height: 128, frames: 24 } })
    await expect(pipeline.run(a)).rejects.toMatchObject({ name: PipelineStateError.name })
    const opened = await pipeline.open()
    let warm: Array<Awaited<ReturnType<NodeLane0Pipeline['run']>>>
    try {
      expect(opened.loaded).toEqual(['espeak-ng', 'procedural-portrait', 'audio-driven-warp', 'ffmpeg-vp8-opus'])
      await expect(pipeline.open()).rejects.toMatchObject({ name: PipelineStateError.name })
      // a recipe pinning models needs a pipeline planned for them: refused before any stage runs
      const pinned = { ...a, pins: { ...a.pins, models: [{ id: 'kokoro-82m', sha256: 'a'.repeat(64) }] } }
      await expect(pipeline.run(pinned)).rejects.toMatchObject({ name: PipelineStateError.name, message: expect.stringMatching(/pins kokoro-82m; this pipeline was planned for none/) })
      warm = [await pipeline.run(a), await pipeline.run(b)]
    } finally {
      await pipeline.close()
    }
    expect(pipeline.isOpen).toBe(false)
    for (const r of warm) {
      // everything was loaded at open(): no load or unload inside a run, nothing prepared outside it
      expect(r.budgetEvents).toEqual([])
      expect(r.loadMs).toBeLessThan(50)
      expect(r.peakBytes).toBeLessThanOrEqual(r.budgetBytes)
      expect(r.clip.segments.filter(s => s.kind === 'media')).toHaveLength(2)
    }
    expect(hash(warm[0]!.clip.webm)).not.toBe(hash(warm[1]!.clip.webm))
    const oneShot = [await runNodeLane0(a, { device: 'cpu', budgetMb: 2048 }), await runNodeLane0(b, { device: 'cpu', budgetMb: 2048 })]
    console.log(`warm walls ${warm.map(r => Math.round(r.timings.wallMs)).join(', ')} ms; one-shot walls ${oneShot.map(r => Math.round(r.timings.wallMs)).join(', ')} ms + loads ${oneShot.map(r => Math.round(r.loadMs)).join(', ')} ms`)
    expect(warm.map(r => hash(r.clip.webm))).toEqual(oneShot.map(r => hash(r.clip.webm)))
    expect(oneShot.every(r => r.loadMs > 0)).toBe(true)
  }, 180_000)
})
