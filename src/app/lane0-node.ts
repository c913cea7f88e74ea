// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline's composition root in Node: the offline default stages (eSpeak NG speech,
 * procedural keyframe, audio-driven warp on Dawn WebGPU or the CPU, ffmpeg encode) and a memory
 * budget measured as process RSS plus the GPU buffers the animation holds. Used by
 * `npm run generate`, the pipeline benchmark and the headless director.
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

/** Options of {@link runNodeLane0}. */
export interface NodeLane0Options extends AbortOptions {
  device: 'cpu' | 'webgpu'
  /** Run speech and keyframe in worker threads (parallel); false: in this thread. @default true */
  workers?: boolean
  /** The whole process's budget: RSS + tracked GPU buffers. */
  budgetMb: number
  onProgress?(p: Lane0Progress): void
}

/** A run's result plus what the budget measured. */
export interface NodeLane0Result extends Lane0Result {
  baselineBytes: number
  gpuPeakBytes: number
}

/**
 * Runs the pipeline for `recipe` in this process. The stages get the budget minus what the process
 * uses when the run starts (the baseline); the measured peak covers the whole process.
 */
export async function runNodeLane0 (recipe: Recipe, options: NodeLane0Options): Promise<NodeLane0Result> {
  let device: GPUDevice | undefined
  let gpuMem: GpuMemoryTracker | undefined
  const terminate: Array<() => Promise<unknown>> = []
  if (options.device === 'webgpu') {
    const { adapter } = await createNodeGpu()
    device = await adapter.requestDevice()
    gpuMem = trackGpuMemory(device)
  }
  try {
    const measure = (): number => process.memoryUsage().rss + (gpuMem?.bytes ?? 0)
    const baselineBytes = measure()
    const budgetBytes = options.budgetMb * MiB
    if (baselineBytes >= budgetBytes) {
      throw new BudgetTooSmallError(`--budget-mb ${options.budgetMb}: this process already uses ${Math.ceil(baselineBytes / MiB)} MiB before loading any stage`)
    }
    const frames = Math.round(recipe.durationSec * recipe.fps)
    const useWorkers = options.workers ?? true
    const speech = useWorkers ? await workerStage<Lane0Stages['speech']>('speech', terminate) : nodeEspeakSpeech()
    const keyframe = useWorkers ? await workerStage<Lane0Stages['keyframe']>('keyframe', terminate) : new ProceduralKeyframeStage()
    const stages: Lane0Stages = {
      speech,
      keyframe,
      animation: new WarpAnimationStage(device != null ? { device: async () => device } : {}, { width: recipe.width, height: recipe.height, frames }),
      encode: new FfmpegEncodeStage()
    }
    // decisions use the stages' estimates against what is left; the peak is measured on the process
    const budget = new MemoryBudget({ budgetBytes: budgetBytes - baselineBytes, measure: () => measure() - baselineBytes })
    const result = await runLane0(recipe, stages, { budget, onProgress: options.onProgress, signal: options.signal })
    return {
      ...result,
      peakBytes: baselineBytes + result.peakBytes,
      budgetBytes,
      baselineBytes,
      gpuPeakBytes: gpuMem?.peakBytes ?? 0
    }
  } finally {
    device?.destroy()
    await Promise.allSettled(terminate.map(async t => await t()))
  }
}

const STAGE_WORKER = new URL('../../workers/lane0-stage.node.ts', import.meta.url)

/** A stage served by a worker thread (`workers/lane0-stage.node.ts`); its terminator is pushed to `terminate`. */
async function workerStage<S> (stage: 'speech' | 'keyframe', terminate: Array<() => Promise<unknown>>): Promise<S> {
  const worker = startTsWorker(STAGE_WORKER, { workerData: { stage } })
  const port = nodeWorkerPort(worker)
  terminate.push(async () => await worker.terminate())
  return await remoteStage(port) as unknown as S
}
