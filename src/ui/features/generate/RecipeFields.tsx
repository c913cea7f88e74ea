// SPDX-License-Identifier: GPL-3.0-or-later
import { useId } from 'react'
import { DURATION_MAX_SEC, DURATION_MIN_SEC, FPS_MAX, FPS_MIN, SIZE_MAX_PX, SIZE_MIN_PX, SIZE_STEP_PX } from '../../../core/lane0/recipe.ts'
import type { FormField, FormValidation, RecipeFormValues } from './recipe-form.ts'

const LABELS: Record<FormField, string> = {
  script: 'Script (what the actor says)',
  voice: 'Voice (eSpeak NG id, e.g. en-us or en-gb+f3)',
  prompt: 'Actor prompt',
  negativePrompt: 'Negative prompt',
  seed: 'Seed',
  durationSec: 'Duration (s)',
  fps: 'Frame rate (fps)',
  width: 'Width (px)',
  height: 'Height (px)',
  models: 'Pinned models (one "<model id> <sha256>" per line)'
}

const MULTILINE = new Set<FormField>(['script', 'prompt', 'negativePrompt', 'models'])

/** Props of {@link RecipeFields}. */
export interface RecipeFieldsProps {
  values: RecipeFormValues
  validation: FormValidation
  disabled: boolean
  onChange(field: FormField, value: string): void
}

/** The recipe's fields with each schema error shown under the field it names. */
export function RecipeFields ({ values, validation, disabled, onChange }: RecipeFieldsProps) {
  const base = useId()
  const field = (f: FormField) => {
    const id = `${base}-${f}`
    const error = validation.ok ? undefined : validation.fieldErrors[f]
    const common = {
      id,
      name: f,
      value: values[f],
      disabled,
      'aria-invalid': error != null,
      'aria-describedby': error != null ? `${id}-error` : undefined,
      onChange: (e: { target: { value: string } }) => { onChange(f, e.target.value) }
    }
    return (
      <div className="field" key={f}>
        <label htmlFor={id}>{LABELS[f]}</label>
        {MULTILINE.has(f) ? <textarea rows={f === 'script' ? 3 : 2} spellCheck={f === 'models' ? false : undefined} placeholder={f === 'models' ? 'kokoro-82m 0123…cdef (empty: the offline stages)' : undefined} {...common} /> : <input inputMode={f === 'voice' ? 'text' : 'decimal'} {...common} />}
        {error != null && <p id={`${id}-error`} className="form-error" data-field-error={f}>{LABELS[f].split(' (')[0]}: {error}</p>}
      </div>
    )
  }
  return (
    <fieldset className="recipe-fields" disabled={disabled}>
      <legend>Recipe</legend>
      {(['script', 'voice', 'prompt', 'negativePrompt'] as const).map(field)}
      <div className="inline-form">{(['seed', 'durationSec', 'fps', 'width', 'height'] as const).map(field)}</div>
      <p className="muted">
        Seed: an integer 0–4294967295. Duration: {DURATION_MIN_SEC}–{DURATION_MAX_SEC} s, a whole number of frames. Frame rate: {FPS_MIN}–{FPS_MAX} fps.
        Width and height: {SIZE_MIN_PX}–{SIZE_MAX_PX} px, multiples of {SIZE_STEP_PX}.
      </p>
      {field('models')}
      <p className="muted">
        Pinned models: each line a model id (its folder under the models URL, which holds its manifest.json) and the
        sha256 of its weights file. A pinned Kokoro-82M replaces the eSpeak NG speech and a pinned LivePortrait the warp;
        every file is checked against its manifest&apos;s sha256 before it runs. Empty: the offline stages only.
      </p>
      {!validation.ok && validation.otherErrors.map(i => <p key={i.field} className="form-error">{i.field}: {i.message}</p>)}
    </fieldset>
  )
}
