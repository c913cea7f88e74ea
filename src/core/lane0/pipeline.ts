// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline: recipe → (speech ∥ keyframe) → animation → encode, inside a memory budget,
 * with per-stage progress and timings. Platform-free: the stages are injected (in-thread objects, or
 * proxies to Web Workers / worker_threads through `src/core/rpc`, which is what makes the parallel
 * phase really parallel).
 */
import { MemoryBudget } from './budget.ts'
import type { FaceRig } from './animation-warp.ts'
import type { AnimationInput, AnimationOutput } from './animation-stage.ts'
import type { BudgetEvent } from './budget.ts'
import type { Recipe } from './recipe.ts'
import type { RgbaImage, SpeechOutput, Stage, StageInfo } from './stage.ts'
import type { AbortOptions } from '../options.ts'

/** What the keyframe stage is asked for. */
export interface KeyframeRequest {
  prompt: string
  negativePrompt: string
  seed: number
  width: number
  height: number
}

/** A keyframe and where its face parts are. */
export interface KeyframeResult {
  image: RgbaImage
  rig: FaceRig
}

/** What the encode stage is asked for. */
export interface EncodeRequest {
  frames: RgbaImage[]
  audio: SpeechOutput
  fps: number
  width: number
  height: number
  durationSec: number
}

/** An encoded clip: the whole file and its segments (init first). */
export interface EncodeResult {
  webm: Uint8Array
  segments: Array<{ kind: 'init' | 'media', bytes: Uint8Array, timestampUs: bigint, durationUs: number, keyframe: boolean }>
}

/** The four stages of a run. */
export interface Lane0Stages {
  speech: Stage<{ script: string, voice: string }, SpeechOutput>
  keyframe: Stage<KeyframeRequest, KeyframeResult>
  animation: Stage<AnimationInput, AnimationOutput>
  encode: Stage<EncodeRequest, EncodeResult>
}

/** A progress event of a run. */
export interface Lane0Progress {
  stage: keyof Lane0Stages
  fraction: number
  message?: string
}

/** Options of {@link runLane0}. */
export interface Lane0RunOptions extends AbortOptions {
  budget: MemoryBudget | { budgetBytes: number, measure?(): number }
  onProgress?(p: Lane0Progress): void
  /** Monotonic clock in ms. @default performance.now */
  now?(): number
  /**
   * Leave the stages loaded after the run (a warm pipeline that runs again keeps them; its owner
   * calls `budget.releaseAll()` when done). @default false: every idle stage is unloaded at the end
   */
  keepLoaded?: boolean
}

/**
 * Stage timings (ms): each stage's own run time, the parallel phase's wall time, the whole run.
 * The stages' compute on the critical path is `parallelMs + animationMs + encodeMs` (speech and
 * keyframe overlap, so the parallel phase counts once, as its wall time); everything else in
 * `wallMs` is overhead: loads that happen inside the run, waits for memory, hand-over between stages.
 */
export interface Lane0Timings {
  speechMs: number
  keyframeMs: number
  /** Wall time of speech ∥ keyframe: first run start to last run end (stage loads not included). */
  parallelMs: number
  animationMs: number
  encodeMs: number
  /** From the start of the run to the encoded clip (before the end-of-run unloads). */
  wallMs: number
}

/** The result of a run. */
export interface Lane0Result {
  clip: EncodeResult
  timings: Lane0Timings
  /** Measured peak memory (the budget's probe; since it was created or its last `resetPeak()`). */
  peakBytes: number
  budgetBytes: number
  /** The loads and unloads of this run. */
  budgetEvents: BudgetEvent[]
  stages: StageInfo[]
  /** The animation's backend. */
  animationBackend: AnimationOutput['backend']
}

/**
 * Runs the pipeline for one recipe.
 *
 * @example
 * ```ts
 * const result = await runLane0(recipe, stages, { budget: { budgetBytes: 1024 * 2 ** 20 } })
 * ```
 */
export async function runLane0 (recipe: Recipe, stages: Lane0Stages, options: Lane0RunOptions): Promise<Lane0Result> {
  const now = options.now ?? (() => performance.now())
  const budget = options.budget instanceof MemoryBudget ? options.budget : new MemoryBudget(options.budget)
  const { signal } = options
  const progress = (stage: keyof Lane0Stages) => (p: { fraction: number, message?: string }) => { options.onProgress?.({ stage, ...p }) }
  const firstEvent = budget.events.length
  const t0 = now()
  // every stage reports its start and end, whatever progress it gives in between
  const timed = async <T>(stage: keyof Lane0Stages, fn: () => Promise<T>): Promise<{ value: T, ms: number, start: number, end: number }> => {
    options.onProgress?.({ stage, fraction: 0, message: 'started' })
    const start = now()
    const value = await fn()
    const end = now()
    options.onProgress?.({ stage, fraction: 1, message: `done in ${Math.round(end - start)} ms` })
    return { value, ms: end - start, start, end }
  }
  // speech ∥ keyframe: each is timed from its own start inside the budget (a wait for memory is not counted)
  const [speech, keyframe] = await Promise.all([
    budget.use(stages.speech, async s => await timed('speech', async () => await s.run({ script: recipe.script, voice: recipe.voice }, { signal, onProgress: progress('speech') })), { signal }),
    budget.use(stages.keyframe, async s => await timed('keyframe', async () => await s.run({ prompt: recipe.prompt, negativePrompt: recipe.negativePrompt, seed: recipe.seed, width: recipe.width, height: recipe.height }, { signal, onProgress: progress('keyframe') })), { signal })
  ])
  // the parallel phase: from the first of the two runs starting to the last ending (loads excluded)
  const parallelMs = Math.max(speech.end, keyframe.end) - Math.min(speech.start, keyframe.start)
  const animation = await budget.use(stages.animation, async s => await timed('animation', async () => await s.run({
    keyframe: keyframe.value.image,
    rig: keyframe.value.rig,
    speech: speech.value,
    fps: recipe.fps,
    durationSec: recipe.durationSec,
    seed: recipe.seed
  }, { signal, onProgress: progress('animation') })), { signal })
  const encode = await budget.use(stages.encode, async s => await timed('encode', async () => await s.run({
    frames: animation.value.frames,
    audio: speech.value,
    fps: recipe.fps,
    width: recipe.width,
    height: recipe.height,
    durationSec: recipe.durationSec
  }, { signal, onProgress: progress('encode') })), { signal })
  const wallMs = now() - t0
  if (options.keepLoaded !== true) await budget.releaseAll()
  return {
    clip: encode.value,
    timings: { speechMs: speech.ms, keyframeMs: keyframe.ms, parallelMs, animationMs: animation.ms, encodeMs: encode.ms, wallMs },
    peakBytes: budget.peakBytes,
    budgetBytes: budget.budgetBytes,
    budgetEvents: budget.events.slice(firstEvent),
    stages: [stages.speech.info, stages.keyframe.info, stages.animation.info, stages.encode.info],
    animationBackend: animation.value.backend
  }
}
