// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The generation panel: capability report, recipe form with inline schema errors (pinned models
 * included), Generate with per-stage progress, the clip playable in the page with its stage timings.
 * Every stage runs in a Web Worker (src/app/lane0-browser.ts); the page only schedules. Pinned models
 * come from the page config's models URL (src/app/browser.ts `models`). Embedded by the director page;
 * the director-mode flow (elections, slots) will embed it too.
 */
import { useMemo, useState } from 'react'
import { exampleRecipe } from '../../../core/lane0/recipe.ts'
import { DEFAULT_MODELS_BASE_URL } from '../../../app/lane0-browser-plan.ts'
import { CapabilityReport } from './CapabilityReport.tsx'
import { RecipeFields } from './RecipeFields.tsx'
import { StageProgress } from './StageProgress.tsx'
import { useCapabilities } from './useCapabilities.ts'
import { useGeneration } from './useGeneration.ts'
import { useModelsBaseUrl } from './useModelsBaseUrl.ts'
import { validateForm, valuesOf } from './recipe-form.ts'
import type { BrowserLane0Result } from '../../../app/lane0-browser.ts'
import type { Recipe } from '../../../core/lane0/recipe.ts'
import type { RecipeFormValues } from './recipe-form.ts'

const MiB = 2 ** 20

const BACKEND_LABEL: Record<BrowserLane0Result['animationBackend'], string> = {
  webgpu: 'WebGPU shader',
  cpu: 'CPU warp',
  'onnx-webgpu': 'ONNX on WebGPU',
  'onnx-wasm': 'ONNX on WASM',
  'onnx-cpu': 'ONNX on the CPU'
}

/** Props of {@link GenerationPanel}. */
export interface GenerationPanelProps {
  /** The recipe the form starts with. @default exampleRecipe() */
  initialRecipe?: Recipe
}

function ms (n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} ms`
}

function Result ({ result, url, recipe }: { result: BrowserLane0Result, url: string, recipe: Recipe }) {
  const t = result.timings
  const clipSec = recipe.durationSec
  return (
    <section className="card" aria-labelledby="clip-title" data-testid="generation-result">
      <h2 id="clip-title">Clip</h2>
      <video className="clip-video" data-testid="clip" src={url} controls playsInline preload="auto" width={recipe.width} height={recipe.height} />
      <p>
        <a href={url} download={`nsn-clip-${recipe.seed}.webm`}>Download the WebM</a> ({(result.clip.webm.byteLength / MiB).toFixed(2)} MiB, {result.clip.segments.length - 1} segments of 1 s)
        {' · '}sha256 <code data-testid="clip-sha256">{result.sha256}</code>
      </p>
      <dl className="kv" data-testid="timings">
        <div><dt>Speech</dt><dd data-timing="speech">{ms(t.speechMs)}</dd></div>
        <div><dt>Keyframe</dt><dd data-timing="keyframe">{ms(t.keyframeMs)}</dd></div>
        <div><dt>Speech ∥ keyframe</dt><dd data-timing="parallel">{ms(t.parallelMs)} (wall)</dd></div>
        <div><dt>Animation</dt><dd data-timing="animation">{ms(t.animationMs)} ({BACKEND_LABEL[result.animationBackend]})</dd></div>
        <div><dt>Encode</dt><dd data-timing="encode">{ms(t.encodeMs)}</dd></div>
        <div><dt>Total</dt><dd data-timing="wall">{ms(t.wallMs)}: {(clipSec / (t.wallMs / 1000)).toFixed(2)}× realtime</dd></div>
      </dl>
      <p className="muted" data-testid="budget">
        Memory: a budget of {Math.round(result.budgetBytes / MiB)} MiB for the stages&apos; estimated memory;{' '}
        {result.budgetEvents.filter(e => e.type === 'load').length} loads and {result.budgetEvents.filter(e => e.type === 'unload').length} unloads
        to stay within it (a tab cannot measure its own memory, so these are estimates).
      </p>
      <h3>Stages of this run</h3>
      <ul className="stage-list" data-testid="stage-list">
        {result.stages.map(s => (
          <li key={s.kind} data-stage-kind={s.kind} data-stage-id={s.id} data-neural={s.neural}>
            <strong>{s.kind}</strong> <code>{s.id}</code> <span className={s.neural ? 'ok' : 'muted'}>({s.neural ? 'neural' : 'not neural'})</span>: {s.description.replace(/[;,] not neural$/, '')}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** The panel. */
export function GenerationPanel ({ initialRecipe }: GenerationPanelProps) {
  const caps = useCapabilities()
  const [values, setValues] = useState<RecipeFormValues>(() => valuesOf(initialRecipe ?? exampleRecipe()))
  const validation = useMemo(() => validateForm(values), [values])
  const { state, generate, cancel } = useGeneration()
  const models = useModelsBaseUrl()
  const running = state.phase === 'running'
  const pinned = validation.ok && validation.recipe.pins.models.length > 0
  // a pinned recipe needs the page's models URL: never a guessed one
  const modelsBlocked = pinned && models.status !== 'ready'
  const cannotEncode = caps.capabilities != null && !(caps.capabilities.webcodecs.vp8 && caps.capabilities.webcodecs.opus)

  return (
    <div className="generate">
      <CapabilityReport {...caps} />
      <section className="card" aria-labelledby="generate-title">
        <h2 id="generate-title">Generate a clip</h2>
        <p className="muted" data-testid="generate-about">
          Runs on this device, each stage in its own Web Worker: speech and the actor keyframe at the same time, then
          the animation, then the encoder (WebCodecs VP8 + Opus in 1 s segments). Without pinned models every stage is
          offline and none is neural: eSpeak NG formant speech, a procedural portrait drawn from the prompt&apos;s hash
          and the seed, and an animation whose mouth and jaw follow the speech&apos;s energy, with seeded blinks and
          head sway (a mesh warp on WebGPU or the CPU). Pinning Kokoro-82M makes the speech neural and pinning
          LivePortrait the animation (ONNX models run by onnxruntime-web, their files fetched from the models URL
          {models.status === 'ready' ? <> <code data-testid="models-url">{models.url}</code></> : null}, checked against
          the pinned sha256 and cached). SD-Turbo keyframes run only in the headless Node runner (npm run generate).
        </p>
        <form onSubmit={e => { e.preventDefault(); if (!validation.ok || modelsBlocked) return
          // an unpinned recipe fetches nothing, so the models URL does not matter for it
          generate(validation.recipe, { modelsBaseUrl: models.status === 'ready' ? models.url : DEFAULT_MODELS_BASE_URL })
        }}>
          <RecipeFields values={values} validation={validation} disabled={running} onChange={(f, v) => { setValues(prev => ({ ...prev, [f]: v })) }} />
          <div className="inline-form">
            <button type="submit" disabled={running || !validation.ok || cannotEncode || modelsBlocked}>Generate</button>
            {running && <button type="button" onClick={cancel}>Cancel</button>}
            {!validation.ok && <span className="form-error" role="alert">Fix the fields marked above to generate.</span>}
            {pinned && models.status === 'failed' && <span className="form-error" role="alert" data-testid="models-config-error">The page config does not load, so the pinned models cannot be found: {models.error}</span>}
          </div>
        </form>
        {state.phase !== 'idle' && <StageProgress stages={state.stages} />}
        {state.phase === 'failed' && <p className="form-error" role="alert" data-testid="generation-error">{state.error.name === 'AbortError' ? state.error.message : `${state.error.name}: ${state.error.message}`}</p>}
      </section>
      {state.phase === 'done' && <Result result={state.result} url={state.url} recipe={state.recipe} />}
    </div>
  )
}
