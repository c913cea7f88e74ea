// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline's composition root in the browser: each stage runs in its own Web Worker
 * (`workers/lane0-stage.worker.ts`: eSpeak NG speech, procedural keyframe, the warp on WebGPU or the
 * CPU, WebCodecs encode), the page only schedules (`runLane0`) and moves buffers between workers
 * without copying them, so the page stays responsive. Workers live for one run and are terminated
 * after it, which frees everything they held.
 */
import { MemoryBudget } from '../core/lane0/budget.ts'
import { runLane0 } from '../core/lane0/pipeline.ts'
import { remoteStage } from '../core/rpc/stage.ts'
import { workerPort } from '../platform/browser/worker-port.ts'
import Lane0StageWorker from '../../workers/lane0-stage.worker.ts?worker'
import type { BudgetEvent } from '../core/lane0/budget.ts'
import type { Lane0Progress, Lane0Result, Lane0Stages } from '../core/lane0/pipeline.ts'
import type { Recipe } from '../core/lane0/recipe.ts'
import type { AbortOptions } from '../core/options.ts'
import type { BrowserWorkerPort } from '../platform/browser/worker-port.ts'

const MiB = 2 ** 20

/** The default memory budget of a browser run (stage estimates; a tab cannot measure its own RSS). */
export const DEFAULT_BROWSER_BUDGET_MB = 1024

/** Options of {@link runBrowserLane0}. */
export interface BrowserLane0Options extends AbortOptions {
  /** Budget for the stages' estimated memory. @default DEFAULT_BROWSER_BUDGET_MB */
  budgetMb?: number
  onProgress?(p: Lane0Progress): void
  onBudgetEvent?(e: BudgetEvent): void
}

/** A browser run's result: the pipeline's, plus the clip's sha256. */
export interface BrowserLane0Result extends Lane0Result {
  sha256: string
}

type StageConfig = { stage: 'speech' | 'keyframe' | 'encode' } | { stage: 'animation', width: number, height: number, frames: number }

/**
 * Generates the clip of `recipe` in Web Workers.
 *
 * @example
 * ```ts
 * const { clip, timings } = await runBrowserLane0(recipe, { onProgress: p => console.log(p.stage, p.fraction) })
 * const url = URL.createObjectURL(new Blob([clip.webm], { type: 'video/webm' }))
 * ```
 */
export async function runBrowserLane0 (recipe: Recipe, options: BrowserLane0Options = {}): Promise<BrowserLane0Result> {
  const { signal } = options
  const ports: BrowserWorkerPort[] = []
  const start = async <S>(config: StageConfig, transferInput = false): Promise<S> => {
    const port = workerPort(new Lane0StageWorker({ name: JSON.stringify(config) }))
    ports.push(port)
    return await remoteStage(port, { signal, transferInput }) as unknown as S
  }
  try {
    const frames = Math.round(recipe.durationSec * recipe.fps)
    const [speech, keyframe, animation, encode] = await Promise.all([
      start<Lane0Stages['speech']>({ stage: 'speech' }),
      start<Lane0Stages['keyframe']>({ stage: 'keyframe' }),
      start<Lane0Stages['animation']>({ stage: 'animation', width: recipe.width, height: recipe.height, frames }),
      // the frames move to the encoder (the page does not keep them)
      start<Lane0Stages['encode']>({ stage: 'encode' }, true)
    ])
    const result = await runLane0(recipe, { speech, keyframe, animation, encode }, {
      budget: new MemoryBudget({ budgetBytes: (options.budgetMb ?? DEFAULT_BROWSER_BUDGET_MB) * MiB, onEvent: options.onBudgetEvent }),
      onProgress: options.onProgress,
      signal,
      // the workers are terminated right after the run, which frees what they hold: the budget's events
      // are then only the unloads it needed to stay within the budget
      keepLoaded: true
    })
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', result.clip.webm as Uint8Array<ArrayBuffer>))
    return { ...result, sha256: Array.from(digest, b => b.toString(16).padStart(2, '0')).join('') }
  } finally {
    for (const port of ports) port.terminate()
  }
}
