// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline's composition root in Node: the offline default stages (eSpeak NG speech,
 * procedural keyframe, audio-driven warp on Dawn WebGPU or the CPU, ffmpeg encode), or the production
 * (neural) stages a recipe pins (Kokoro, SD-Turbo, LivePortrait on onnxruntime-node; see
 * {@link planForRecipe}), and a memory budget measured as process RSS plus the GPU buffers the
 * animation holds.
 *
 * {@link NodeLane0Pipeline} is the warm pipeline a director keeps between slots: `open()` starts the
 * stage workers and loads the stages that fit the budget, `run(recipe)` generates a clip (as often as
 * needed), `close()` unloads everything. {@link runNodeLane0} is the one-shot wrapper used by
 * `npm run generate`. The pipeline benchmark and the headless director use the class.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { InvalidInputError } from '../core/errors.ts'
import { MemoryBudget } from '../core/lane0/budget.ts'
import { trackGpuMemory } from '../core/lane0/gpu-memory.ts'
import { runLane0 } from '../core/lane0/pipeline.ts'
import { canonicalJson, parseRecipeText } from '../core/lane0/recipe.ts'
import { planStages } from '../core/lane0/stage-plan.ts'
import { remoteStage } from '../core/rpc/stage.ts'
import { createNodeStages, loadManifestsFrom, nodeAnimationStage } from '../platform/node/production-stages.ts'
import { createNodeGpu } from '../platform/node/webgpu.ts'
import { nodeWorkerPort, startTsWorker } from '../platform/node/worker-port.ts'
import type { GpuMemoryTracker } from '../core/lane0/gpu-memory.ts'
import type { Lane0Progress, Lane0Result, Lane0Stages } from '../core/lane0/pipeline.ts'
import type { Recipe } from '../core/lane0/recipe.ts'
import type { StagePlan } from '../core/lane0/stage-plan.ts'
import type { AbortOptions } from '../core/options.ts'

/** The project's model registry: `models/<id>/manifest.json`. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url))

/** Every step on its offline default (what a recipe without pinned models runs). */
export const DEFAULT_PLAN: StagePlan = { speech: { kind: 'default' }, keyframe: { kind: 'default' }, animation: { kind: 'default' } }

/**
 * The stages a recipe's pins select: the offline defaults when it pins no model, else the production
 * stage of each pinned model, checked against `<modelsDir>/<id>/manifest.json` (id present, sha256 of
 * its weights file equal to the pin). Throws the named errors of src/core/lane0/stage-plan.ts.
 */
export async function planForRecipe (recipe: Pick<Recipe, 'pins'>, modelsDir: string = DEFAULT_MODELS_DIR, options: AbortOptions = {}): Promise<StagePlan> {
  if (recipe.pins.models.length === 0) return DEFAULT_PLAN
  return planStages(recipe.pins, await loadManifestsFrom(modelsDir, options))
}

/** `--budget-mb` bounds (MiB) and default, shared by `npm run generate` and `nsn-node --recipe`. */
export const BUDGET_MIN_MB = 64
export const BUDGET_MAX_MB = 1_048_576
export const DEFAULT_BUDGET_MB = 2048

/**
 * A `--budget-mb` value: `undefined` gives the default; anything but an integer within the bounds
 * throws `InvalidInputError` (field `budget-mb`).
 */
export function parseBudgetMb (value: unknown): number {
  if (value == null) return DEFAULT_BUDGET_MB
  const n = Number(value)
  if (!Number.isInteger(n) || n < BUDGET_MIN_MB || n > BUDGET_MAX_MB) {
    throw new InvalidInputError(`--budget-mb: must be an integer number of MiB, ${BUDGET_MIN_MB}-${BUDGET_MAX_MB} (got ${String(value)})`, { field: 'budget-mb' })
  }
  return n
}

/**
 * Reads and validates a recipe file and plans its stages. Throws `RecipeValidationError` (naming
 * each field) for an invalid recipe, and `InvalidInputError` with field `recipe` for an unreadable
 * file or `pins.models` for pins the models folder cannot satisfy.
 */
export async function loadRecipeFile (file: string, modelsDir: string = DEFAULT_MODELS_DIR, options: AbortOptions = {}): Promise<{ recipe: Recipe, plan: StagePlan }> {
  let text: string
  try {
    text = await readFile(file, { encoding: 'utf8', signal: options.signal })
  } catch (err) {
    throw new InvalidInputError(`--recipe: cannot read ${file}: ${(err as Error).message}`, { field: 'recipe', cause: err })
  }
  const recipe = parseRecipeText(text)
  try {
    return { recipe, plan: await planForRecipe(recipe, modelsDir, options) }
  } catch (err) {
    throw new InvalidInputError(`--recipe: pins.models: ${(err as Error).message}`, { field: 'pins.models', cause: err })
  }
}

/** The pins a pipeline was planned for, in a form that compares equal for equal sets. */
function pinsKey (pins: Recipe['pins']['models']): string {
  return canonicalJson([...pins].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

const MiB = 2 ** 20

/** Thrown when the process already uses more than the budget before any stage is loaded. */
export class BudgetTooSmallError extends Error {
  static override name = 'BudgetTooSmallError'
  constructor (message: string) {
    super(message)
    this.name = 'BudgetTooSmallError'
  }
}

/** Thrown by `run()` before `open()` or after `close()`, and by a second `open()`. */
export class PipelineStateError extends Error {
  static override name = 'PipelineStateError'
  constructor (message: string) {
    super(message)
    this.name = 'PipelineStateError'
  }
}

/** The frame size and count the animation stage is prepared (and its memory estimated) for. */
export interface AnimationShape {
  width: number
  height: number
  frames: number
}

/** Options of {@link NodeLane0Pipeline}. */
export interface NodeLane0PipelineOptions {
  device: 'cpu' | 'webgpu'
  /** Run speech and keyframe in worker threads (parallel); false: in this thread. @default true */
  workers?: boolean
  /** The whole process's budget: RSS + tracked GPU buffers. */
  budgetMb: number
  /**
   * The animation stage's shape at `open()`; a recipe of another shape replaces the stage in `run()`
   * (its load then counts in that run's `loadMs`). @default 384×384, 240 frames
   */
  shape?: AnimationShape
  /** Which stage runs each step (see {@link planForRecipe}). @default DEFAULT_PLAN */
  plan?: StagePlan
  /**
   * The recipe pins `plan` was made for: `run()` refuses a recipe that pins other models, which
   * needs its own pipeline. @default [] (no pinned models)
   */
  pins?: Recipe['pins']['models']
  /** Model cache folder of the production stages. @default defaultModelCacheDir() */
  cacheDir?: string
  /** Never download model files: they must be cached already. @default false */
  offline?: boolean
}

/** Options of {@link runNodeLane0}. */
export interface NodeLane0Options extends NodeLane0PipelineOptions, AbortOptions {
  onProgress?(p: Lane0Progress): void
  /** Where the recipe's pinned models' manifests are, when `plan` is not given. @default DEFAULT_MODELS_DIR */
  modelsDir?: string
}

/** Options of {@link NodeLane0Pipeline.run}. */
export interface NodeLane0RunOptions extends AbortOptions {
  onProgress?(p: Lane0Progress): void
}

/** A run's result plus what the budget measured. */
export interface NodeLane0Result extends Lane0Result {
  /** Process memory (RSS + GPU buffers) when the pipeline opened, before any stage. */
  baselineBytes: number
  gpuPeakBytes: number
  /**
   * Stage preparation outside the timed run (ms): for `run()`, replacing the animation stage when the
   * recipe's shape changed; for {@link runNodeLane0}, also `open()` (workers started, stages loaded).
   */
  loadMs: number
}

/** What `open()` did. */
export interface NodeLane0OpenResult {
  /** Wall time of `open()`: GPU device, workers, loads. */
  loadMs: number
  /** Ids of the stages loaded (those that fit the budget side by side; the others load when used). */
  loaded: string[]
}

interface OpenState {
  stages: Lane0Stages
  budget: MemoryBudget
  baselineBytes: number
  budgetBytes: number
  gpuMem?: GpuMemoryTracker
  device?: GPUDevice
  shape: AnimationShape
  close: Array<() => Promise<unknown>>
}

const DEFAULT_SHAPE: AnimationShape = { width: 384, height: 384, frames: 240 }

/** The animation shape of a recipe. */
export function recipeShape (recipe: Pick<Recipe, 'width' | 'height' | 'durationSec' | 'fps'>): AnimationShape {
  return { width: recipe.width, height: recipe.height, frames: Math.round(recipe.durationSec * recipe.fps) }
}

/**
 * A warm Lane-0 pipeline in this process. The stages get the budget minus what the process uses at
 * `open()` (the baseline); loads and unloads follow {@link MemoryBudget} (a stage that does not fit
 * next to the loaded ones unloads idle ones first, in every run).
 *
 * @example
 * ```ts
 * const pipeline = new NodeLane0Pipeline({ device: 'cpu', budgetMb: 2048 })
 * await pipeline.open()
 * try {
 *   const a = await pipeline.run(recipeA)
 *   const b = await pipeline.run(recipeB)
 * } finally {
 *   await pipeline.close()
 * }
 * ```
 */
export class NodeLane0Pipeline {
  readonly options: NodeLane0PipelineOptions
  private state?: OpenState
  private opening = false
  private queue: Promise<unknown> = Promise.resolve()
  private sessionPeak = 0

  constructor (options: NodeLane0PipelineOptions) {
    this.options = options
  }

  /** Whether `open()` has finished and `close()` has not been called. */
  get isOpen (): boolean { return this.state != null }

  /** Highest process memory (RSS + GPU buffers) measured since `open()`: loads and every run. */
  get peakBytes (): number {
    const s = this.state
    return s == null ? this.sessionPeak : Math.max(this.sessionPeak, s.baselineBytes + s.budget.peakBytes)
  }

  /** Starts the GPU device and the stage workers and loads the stages that fit the budget. */
  async open (options: AbortOptions = {}): Promise<NodeLane0OpenResult> {
    if (this.state != null || this.opening) throw new PipelineStateError('The pipeline is open already')
    this.opening = true
    const t0 = performance.now()
    const close: OpenState['close'] = []
    try {
      let device: GPUDevice | undefined
      let gpuMem: GpuMemoryTracker | undefined
      if (this.options.device === 'webgpu') {
        const { adapter } = await createNodeGpu()
        const dev = device = await adapter.requestDevice()
        close.push(async () => { dev.destroy() })
        gpuMem = trackGpuMemory(device)
      }
      options.signal?.throwIfAborted()
      const measure = (): number => process.memoryUsage().rss + (gpuMem?.bytes ?? 0)
      const baselineBytes = measure()
      const budgetBytes = this.options.budgetMb * MiB
      if (baselineBytes >= budgetBytes) {
        throw new BudgetTooSmallError(`--budget-mb ${this.options.budgetMb}: this process already uses ${Math.ceil(baselineBytes / MiB)} MiB before loading any stage`)
      }
      const useWorkers = this.options.workers ?? true
      const plan = this.options.plan ?? DEFAULT_PLAN
      const shape = this.options.shape ?? DEFAULT_SHAPE
      const built = createNodeStages(plan, { expected: shape, device, cacheDir: this.options.cacheDir, offline: this.options.offline })
      close.push(built.close)
      // the offline speech and keyframe defaults run in worker threads (parallel); production stages in this thread
      const [speech, keyframe] = await Promise.all([
        useWorkers && plan.speech.kind === 'default' ? workerStage<Lane0Stages['speech']>('speech', close, options) : built.stages.speech,
        useWorkers && plan.keyframe.kind === 'default' ? workerStage<Lane0Stages['keyframe']>('keyframe', close, options) : built.stages.keyframe
      ])
      const stages: Lane0Stages = { speech, keyframe, animation: built.stages.animation, encode: built.stages.encode }
      // decisions use the stages' estimates against what is left; the peak is measured on the process
      const budget = new MemoryBudget({ budgetBytes: budgetBytes - baselineBytes, measure: () => measure() - baselineBytes })
      close.push(async () => { await budget.releaseAll() })
      const loaded: string[] = []
      for (const stage of [stages.speech, stages.keyframe, stages.animation, stages.encode]) {
        if (await budget.preload(stage, options)) loaded.push(stage.info.id)
      }
      this.state = { stages, budget, baselineBytes, budgetBytes, gpuMem, device, shape, close }
      this.sessionPeak = baselineBytes + budget.peakBytes
      return { loadMs: performance.now() - t0, loaded }
    } catch (err) {
      await closeAll(close)
      throw err
    } finally {
      this.opening = false
    }
  }

  /** Generates the clip of `recipe`; runs are serialized. */
  async run (recipe: Recipe, options: NodeLane0RunOptions = {}): Promise<NodeLane0Result> {
    const turn = this.queue.then(async () => await this.runNow(recipe, options))
    this.queue = turn.catch(() => undefined)
    return await turn
  }

  private async runNow (recipe: Recipe, options: NodeLane0RunOptions): Promise<NodeLane0Result> {
    const s = this.state
    if (s == null) throw new PipelineStateError('The pipeline is not open: call open() first')
    if (pinsKey(recipe.pins.models) !== pinsKey(this.options.pins ?? [])) {
      throw new PipelineStateError(`The recipe pins ${recipe.pins.models.length === 0 ? 'no models' : recipe.pins.models.map(m => m.id).join(', ')}; this pipeline was planned for ${(this.options.pins ?? []).length === 0 ? 'none' : (this.options.pins ?? []).map(m => m.id).join(', ')}: open a pipeline for its pins`)
    }
    const t0 = performance.now()
    const shape = recipeShape(recipe)
    if (shape.width !== s.shape.width || shape.height !== s.shape.height || shape.frames !== s.shape.frames) {
      // the animation stage's memory estimate depends on the shape: replace it, and load it if it fits
      await s.budget.release(s.stages.animation)
      s.stages.animation = this.animationStage(s.device, shape)
      s.shape = shape
      await s.budget.preload(s.stages.animation, options)
    }
    const loadMs = performance.now() - t0
    this.sessionPeak = Math.max(this.sessionPeak, s.baselineBytes + s.budget.peakBytes)
    s.budget.resetPeak()
    const result = await runLane0(recipe, s.stages, { budget: s.budget, keepLoaded: true, onProgress: options.onProgress, signal: options.signal })
    const peakBytes = s.baselineBytes + result.peakBytes
    this.sessionPeak = Math.max(this.sessionPeak, peakBytes)
    return {
      ...result,
      peakBytes,
      budgetBytes: s.budgetBytes,
      baselineBytes: s.baselineBytes,
      gpuPeakBytes: s.gpuMem?.peakBytes ?? 0,
      loadMs
    }
  }

  /** Unloads every stage, stops the workers and the GPU device. Waits for a run in progress. */
  async close (): Promise<void> {
    await this.queue
    const s = this.state
    if (s == null) return
    this.sessionPeak = this.peakBytes
    this.state = undefined
    await closeAll(s.close)
  }

  private animationStage (device: GPUDevice | undefined, shape: AnimationShape): Lane0Stages['animation'] {
    return nodeAnimationStage(this.options.plan?.animation ?? DEFAULT_PLAN.animation, { expected: shape, device, cacheDir: this.options.cacheDir, offline: this.options.offline })
  }
}

/**
 * One-shot: opens a pipeline shaped for `recipe`, runs it once and closes it. `loadMs` includes the
 * open (workers, loads); `peakBytes` is the process peak over the open and the run.
 */
export async function runNodeLane0 (recipe: Recipe, options: NodeLane0Options): Promise<NodeLane0Result> {
  const { signal, onProgress, modelsDir, ...init } = options
  const plan = init.plan ?? await planForRecipe(recipe, modelsDir, { signal })
  const pipeline = new NodeLane0Pipeline({ shape: recipeShape(recipe), pins: recipe.pins.models, ...init, plan })
  try {
    const opened = await pipeline.open({ signal })
    const result = await pipeline.run(recipe, { signal, onProgress })
    return { ...result, loadMs: opened.loadMs + result.loadMs, peakBytes: pipeline.peakBytes }
  } finally {
    await pipeline.close()
  }
}

/** Runs every closer, last added first; the first failure is rethrown after all ran. */
async function closeAll (close: Array<() => Promise<unknown>>): Promise<void> {
  const results = []
  for (const c of [...close].reverse()) results.push(await c().then(() => undefined, (err: unknown) => err))
  close.length = 0
  const failed = results.find(r => r !== undefined)
  if (failed !== undefined) throw failed
}

const STAGE_WORKER = new URL('../../workers/lane0-stage.node.ts', import.meta.url)

/** A stage served by a worker thread (`workers/lane0-stage.node.ts`); its closer is pushed to `close`. */
async function workerStage<S> (stage: 'speech' | 'keyframe', close: Array<() => Promise<unknown>>, options: AbortOptions): Promise<S> {
  const worker = startTsWorker(STAGE_WORKER, { workerData: { stage } })
  const port = nodeWorkerPort(worker)
  close.push(async () => await worker.terminate())
  const remote = await remoteStage(port, { signal: options.signal })
  close.push(async () => { remote.close() })
  return remote as unknown as S
}
