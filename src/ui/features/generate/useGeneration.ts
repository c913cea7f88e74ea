// SPDX-License-Identifier: GPL-3.0-or-later
import { useCallback, useEffect, useRef, useState } from 'react'
import { runBrowserLane0 } from '../../../app/lane0-browser.ts'
import type { BrowserLane0Result } from '../../../app/lane0-browser.ts'
import type { BudgetEvent } from '../../../core/lane0/budget.ts'
import type { Lane0Progress, Lane0Stages } from '../../../core/lane0/pipeline.ts'
import type { Recipe } from '../../../core/lane0/recipe.ts'

export type StageName = keyof Lane0Stages
export const STAGE_NAMES: readonly StageName[] = ['speech', 'keyframe', 'animation', 'encode']

/** One stage's progress as the panel shows it. */
export interface StageState {
  fraction: number
  message?: string
  status: 'waiting' | 'running' | 'done'
}

/** The panel's generation state. */
export type GenerationState =
  | { phase: 'idle' }
  | { phase: 'running', stages: Record<StageName, StageState>, budgetEvents: BudgetEvent[], startedAt: number }
  | { phase: 'done', stages: Record<StageName, StageState>, result: BrowserLane0Result, url: string, recipe: Recipe }
  | { phase: 'failed', stages: Record<StageName, StageState>, error: { name: string, message: string } }

const initialStages = (): Record<StageName, StageState> =>
  Object.fromEntries(STAGE_NAMES.map(s => [s, { fraction: 0, status: 'waiting' }])) as Record<StageName, StageState>

/** Options of a generation. */
export interface GenerateOptions {
  /** Where the recipe's pinned models are served (`<url>/<id>/manifest.json`). */
  modelsBaseUrl: string
}

/**
 * Runs generations one at a time in Web Workers; `cancel` aborts the current one. A recipe's pins are
 * checked against their manifests before any stage starts (`runBrowserLane0`), so a bad pin fails with
 * every stage still waiting.
 */
export function useGeneration (): { state: GenerationState, generate(recipe: Recipe, options: GenerateOptions): void, cancel(): void } {
  const [state, setState] = useState<GenerationState>({ phase: 'idle' })
  const controller = useRef<AbortController | undefined>(undefined)
  const url = useRef<string | undefined>(undefined)

  // the clip's object URL lives until the next run or unmount
  useEffect(() => () => {
    controller.current?.abort()
    if (url.current != null) URL.revokeObjectURL(url.current)
  }, [])

  const generate = useCallback((recipe: Recipe, options: GenerateOptions) => {
    controller.current?.abort()
    const ac = new AbortController()
    controller.current = ac
    if (url.current != null) URL.revokeObjectURL(url.current)
    url.current = undefined
    let stages = initialStages()
    const budgetEvents: BudgetEvent[] = []
    const startedAt = performance.now()
    setState({ phase: 'running', stages, budgetEvents, startedAt })
    const onProgress = (p: Lane0Progress): void => {
      if (ac.signal.aborted) return
      stages = { ...stages, [p.stage]: { fraction: p.fraction, message: p.message, status: p.fraction >= 1 && p.message?.startsWith('done') === true ? 'done' : 'running' } }
      setState({ phase: 'running', stages, budgetEvents: [...budgetEvents], startedAt })
    }
    runBrowserLane0(recipe, { signal: ac.signal, onProgress, onBudgetEvent: e => { budgetEvents.push(e) }, modelsBaseUrl: options.modelsBaseUrl }).then(
      result => {
        if (ac.signal.aborted || controller.current !== ac) return
        const clipUrl = URL.createObjectURL(new Blob([result.clip.webm as Uint8Array<ArrayBuffer>], { type: 'video/webm' }))
        url.current = clipUrl
        setState({ phase: 'done', stages, result, url: clipUrl, recipe })
      },
      (err: unknown) => {
        // a newer run replaced this one: its state is the one shown
        if (controller.current !== ac) return
        const e = err as Error
        setState({ phase: 'failed', stages, error: { name: ac.signal.aborted ? 'AbortError' : e.name, message: ac.signal.aborted ? 'Generation was cancelled.' : e.message } })
      }
    )
  }, [])

  const cancel = useCallback(() => { controller.current?.abort() }, [])
  return { state, generate, cancel }
}
