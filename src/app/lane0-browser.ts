// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 pipeline's composition root in the browser: each stage runs in its own Web Worker
 * (`workers/lane0-stage.worker.ts`), the page only schedules (`runLane0`) and moves buffers between
 * workers without copying them, so the page stays responsive. Workers live for one run and are
 * terminated after it, which frees everything they held.
 *
 * Which stage each worker runs comes from the recipe's pins ({@link planBrowserStages}, before any
 * worker starts): Kokoro-82M speech and LivePortrait animation on onnxruntime-web where pinned, else
 * eSpeak NG speech and the warp on WebGPU or the CPU; the keyframe is the procedural portrait (SD-Turbo
 * pins fail with `UnsupportedInBrowserError`) and the encoder is WebCodecs.
 */
import { MemoryBudget } from '../core/lane0/budget.ts'
import { runLane0 } from '../core/lane0/pipeline.ts'
import { remoteStage } from '../core/rpc/stage.ts'
import { workerPort } from '../platform/browser/worker-port.ts'
import { DEFAULT_MODELS_BASE_URL, UnsupportedInBrowserError, planBrowserStages } from './lane0-browser-plan.ts'
import Lane0StageWorker from '../../workers/lane0-stage.worker.ts?worker'
import type { BudgetEvent } from '../core/lane0/budget.ts'
import type { Lane0Progress, Lane0Result, Lane0Stages } from '../core/lane0/pipeline.ts'
import type { Recipe } from '../core/lane0/recipe.ts'
import type { ModelManifest } from '../core/ai/manifest.ts'
import type { FetchLike } from '../core/ai/model-loader.ts'
import type { StagePlan } from '../core/lane0/stage-plan.ts'
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
  /** The stages to run; absent: planned from the recipe's pins by {@link planBrowserStages} (no pins: the defaults). */
  plan?: StagePlan
  /** Where pinned models' manifests are fetched when `plan` is absent. @default DEFAULT_MODELS_BASE_URL */
  modelsBaseUrl?: string
  /** Fetch for the pinned models' manifests when `plan` is absent. @default the global fetch */
  fetch?: FetchLike
}

/** A browser run's result: the pipeline's, plus the clip's sha256. */
export interface BrowserLane0Result extends Lane0Result {
  sha256: string
}

/**
 * What a stage worker runs, sent as its `name` (JSON): the stage, and for speech and animation the
 * manifest of the pinned model (absent: the offline default).
 */
export type Lane0StageWorkerConfig =
  | { stage: 'speech', kokoro?: ModelManifest }
  | { stage: 'keyframe' | 'encode' }
  | { stage: 'animation', width: number, height: number, frames: number, liveportrait?: ModelManifest }

/**
 * Generates the clip of `recipe` in Web Workers. The plan (given, or fetched from the pins' manifests)
 * is settled before any worker starts, so a bad pin fails with no work done.
 *
 * @throws the errors of {@link planBrowserStages} (PinnedModelMismatchError, PinnedModelNotFoundError, UnsupportedInBrowserError, …)
 *
 * @example
 * ```ts
 * const { clip, timings } = await runBrowserLane0(recipe, { onProgress: p => console.log(p.stage, p.fraction) })
 * const url = URL.createObjectURL(new Blob([clip.webm], { type: 'video/webm' }))
 * ```
 */
export async function runBrowserLane0 (recipe: Recipe, options: BrowserLane0Options = {}): Promise<BrowserLane0Result> {
  const { signal } = options
  const plan = options.plan ?? await planBrowserStages(recipe.pins, { modelsBaseUrl: options.modelsBaseUrl ?? DEFAULT_MODELS_BASE_URL, fetch: options.fetch, signal })
  if (plan.keyframe.kind !== 'default') {
    const m = plan.keyframe.manifests
    throw new UnsupportedInBrowserError('keyframe', [m.textEncoder.id, m.unet.id, m.vaeDecoder.id], 'the SD-Turbo keyframe stage needs a face-rig detector that is not wired in the browser yet; run it with npm run generate')
  }
  const ports: BrowserWorkerPort[] = []
  const start = async <S>(config: Lane0StageWorkerConfig, transferInput = false): Promise<S> => {
    const port = workerPort(new Lane0StageWorker({ name: JSON.stringify(config) }))
    ports.push(port)
    return await remoteStage(port, { signal, transferInput }) as unknown as S
  }
  try {
    const frames = Math.round(recipe.durationSec * recipe.fps)
    const [speech, keyframe, animation, encode] = await Promise.all([
      start<Lane0Stages['speech']>(plan.speech.kind === 'kokoro' ? { stage: 'speech', kokoro: plan.speech.manifest } : { stage: 'speech' }),
      start<Lane0Stages['keyframe']>({ stage: 'keyframe' }),
      start<Lane0Stages['animation']>({
        stage: 'animation',
        width: recipe.width,
        height: recipe.height,
        frames,
        ...(plan.animation.kind === 'liveportrait' ? { liveportrait: plan.animation.manifest } : {})
      }),
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
