// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline's composition root in Node: the offline default stages (eSpeak NG speech,
 * procedural keyframe, audio-driven warp on Dawn WebGPU or the CPU, ffmpeg encode) and a memory
 * budget measured as process RSS plus the GPU buffers the animation holds.
 *
 * {@link NodeLane0Pipeline} is the warm pipeline a director keeps between slots: `open()` starts the
 * stage workers and loads the stages that fit the budget, `run(recipe)` generates a clip (as often as
 * needed), `close()` unloads everything. {@link runNodeLane0} is the one-shot wrapper used by
 * `npm run generate`. The pipeline benchmark and the headless director use the class.
 */
import { WarpAnimationStage } from '../core/lane0/animation-stage.ts'
import { MemoryBudget } from '../core/lane0/budget.ts'
import { trackGpuMemory } from '../core/lane0/gpu-memory.ts'
import { ProceduralKeyframeStage } from '../core/lane0/keyframe-procedural.ts'
import { runLane0 } from '../core/lane0/pipeline.ts'
import { remoteStage } from '../core/rpc/stage.ts'
import { FfmpegEncodeStage } from '../platform/node/encode-stage.ts'
import { nodeEspeakSpeech } from '../platform/node/espeak.ts'
import { createNodeGpu } from '../platform/node/webgpu.ts'
import { nodeWorkerPort, startTsWorker } from '../platform/node/worker-port.ts'
import type { GpuMemoryTracker } from '../core/lane0/gpu-memory.ts'
import type { Lane0Progress, Lane0Result, Lane0Stages } from '../core/lane0/pipeline.ts'
import type { Recipe } from '../core/lane0/recipe.ts'
import type { AbortOptions } from '../core/options.ts'

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
}

/** Options of {@link runNodeLane0}. */
export interface NodeLane0Options extends NodeLane0PipelineOptions, AbortOptions {
  onProgress?(p: Lane0Progress): void
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
      const [speech, keyframe] = useWorkers
        ? await Promise.all([workerStage<Lane0Stages['speech']>('speech', close, options), workerStage<Lane0Stages['keyframe']>('keyframe', close, options)])
        : [nodeEspeakSpeech(), new ProceduralKeyframeStage()]
      const shape = this.options.shape ?? DEFAULT_SHAPE
      const stages: Lane0Stages = { speech, keyframe, animation: this.animationStage(device, shape), encode: new FfmpegEncodeStage() }
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

  private animationStage (device: GPUDevice | undefined, shape: AnimationShape): WarpAnimationStage {
    return new WarpAnimationStage(device != null ? { device: async () => device } : {}, shape)
  }
}

/**
 * One-shot: opens a pipeline shaped for `recipe`, runs it once and closes it. `loadMs` includes the
 * open (workers, loads); `peakBytes` is the process peak over the open and the run.
 */
export async function runNodeLane0 (recipe: Recipe, options: NodeLane0Options): Promise<NodeLane0Result> {
  const { signal, onProgress, ...init } = options
  const pipeline = new NodeLane0Pipeline({ shape: recipeShape(recipe), ...init })
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
