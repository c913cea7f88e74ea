// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The generation panel's recipe form as plain data: the text of each field, turned into a recipe and
 * validated by the one recipe schema (src/core/lane0/recipe.ts), with each problem attached to the
 * field it names so the form can show it inline. The pinned models are one field, `models`: one
 * `<id> <sha256>` per line (blank lines and `#` comments ignored), checked by the schema's pin rules.
 */
import { PIPELINE_VERSION, RECIPE_VERSION, RecipeValidationError, parseRecipe } from '../../../core/lane0/recipe.ts'
import type { Recipe, RecipeIssue } from '../../../core/lane0/recipe.ts'

/** The fields the form edits, in display order. */
export const FORM_FIELDS = ['script', 'voice', 'prompt', 'negativePrompt', 'seed', 'durationSec', 'fps', 'width', 'height', 'models'] as const
export type FormField = (typeof FORM_FIELDS)[number]

/** The form's state: each field as typed. */
export type RecipeFormValues = Record<FormField, string>

const NUMERIC = new Set<FormField>(['seed', 'durationSec', 'fps', 'width', 'height'])

/** The pinned models as the `models` field shows them: `<id> <sha256>` per line. */
export function formatPins (models: Recipe['pins']['models']): string {
  return models.map(m => `${m.id} ${m.sha256}`).join('\n')
}

/** A pin line as typed: its 1-based line number and its words. */
interface PinLine { line: number, words: string[] }

/** The non-blank, non-comment lines of the `models` field. */
function pinLines (text: string): PinLine[] {
  return text.split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, words: t.replace(/#.*$/, '').trim().split(/\s+/).filter(w => w !== '') }))
    .filter(l => l.words.length > 0)
}

/** The form values of a recipe. */
export function valuesOf (recipe: Recipe): RecipeFormValues {
  return Object.fromEntries(FORM_FIELDS.map(f => [f, f === 'models' ? formatPins(recipe.pins.models) : String(recipe[f])])) as RecipeFormValues
}

/**
 * A typed number field as JSON would carry it: a number when the text is one (`"4"` → 4), else the
 * text itself, so that the schema reports "must be a number" for the field instead of the form
 * guessing.
 */
function numberOrText (text: string): number | string {
  const t = text.trim()
  if (t === '') return text
  const n = Number(t)
  return Number.isFinite(n) ? n : text
}

/** The result of validating the form. */
export type FormValidation =
  | { ok: true, recipe: Recipe }
  | { ok: false, fieldErrors: Partial<Record<FormField, string>>, otherErrors: RecipeIssue[] }

const PIN_FIELD = /^pins\.models(?:\[(\d+)\](?:\.(\w+))?)?$/

/**
 * Builds the recipe (its version and pipeline version as this build makes them, the pinned models from
 * the `models` field) and validates it. A pin problem is reported on `models`, naming the line.
 */
export function validateForm (values: RecipeFormValues, pins: Pick<Recipe['pins'], 'pipelineVersion'> = { pipelineVersion: PIPELINE_VERSION }): FormValidation {
  const lines = pinLines(values.models)
  const malformed = lines.filter(l => l.words.length !== 2)
  const models = lines.map(l => ({ id: l.words[0], sha256: l.words[1] ?? '' }))
  const json: Record<string, unknown> = { version: RECIPE_VERSION, pins: { pipelineVersion: pins.pipelineVersion, models } }
  for (const f of FORM_FIELDS) if (f !== 'models') json[f] = NUMERIC.has(f) ? numberOrText(values[f]) : values[f]
  const lineError = (l: PinLine): string => `line ${l.line}: expected "<model id> <sha256>", got ${l.words.length} word${l.words.length === 1 ? '' : 's'}`
  try {
    const recipe = parseRecipe(json)
    if (malformed.length > 0) return { ok: false, fieldErrors: { models: malformed.map(lineError).join('; ') }, otherErrors: [] }
    return { ok: true, recipe }
  } catch (err) {
    if (!(err instanceof RecipeValidationError)) throw err
    const fieldErrors: Partial<Record<FormField, string>> = {}
    const otherErrors: RecipeIssue[] = []
    const add = (field: FormField, message: string): void => { fieldErrors[field] = fieldErrors[field] == null ? message : `${fieldErrors[field]}; ${message}` }
    for (const l of malformed) add('models', lineError(l))
    for (const issue of err.issues) {
      const pin = PIN_FIELD.exec(issue.field)
      if (pin !== null) {
        const line = pin[1] !== undefined ? lines[Number(pin[1])] : undefined
        // a malformed line's own message says more than the schema's
        if (line !== undefined && line.words.length !== 2) continue
        add('models', line !== undefined ? `line ${line.line}${pin[2] !== undefined ? ` ${pin[2]}` : ''}: ${issue.message}` : issue.message)
        continue
      }
      const field = FORM_FIELDS.find(f => f === issue.field)
      if (field == null) otherErrors.push(issue)
      else add(field, issue.message)
    }
    return { ok: false, fieldErrors, otherErrors }
  }
}

