// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The generation panel's recipe form as plain data: the text of each field, turned into a recipe and
 * validated by the one recipe schema (src/core/lane0/recipe.ts), with each problem attached to the
 * field it names so the form can show it inline.
 */
import { PIPELINE_VERSION, RECIPE_VERSION, RecipeValidationError, parseRecipe } from '../../../core/lane0/recipe.ts'
import type { Recipe, RecipeIssue } from '../../../core/lane0/recipe.ts'

/** The fields the form edits, in display order. */
export const FORM_FIELDS = ['script', 'voice', 'prompt', 'negativePrompt', 'seed', 'durationSec', 'fps', 'width', 'height'] as const
export type FormField = (typeof FORM_FIELDS)[number]

/** The form's state: each field as typed. */
export type RecipeFormValues = Record<FormField, string>

const NUMERIC = new Set<FormField>(['seed', 'durationSec', 'fps', 'width', 'height'])

/** The form values of a recipe. */
export function valuesOf (recipe: Recipe): RecipeFormValues {
  return Object.fromEntries(FORM_FIELDS.map(f => [f, String(recipe[f])])) as RecipeFormValues
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

/** Builds the recipe (version and pins as this build pins them) and validates it. */
export function validateForm (values: RecipeFormValues, pins: Recipe['pins'] = { pipelineVersion: PIPELINE_VERSION, models: [] }): FormValidation {
  const json: Record<string, unknown> = { version: RECIPE_VERSION, pins }
  for (const f of FORM_FIELDS) json[f] = NUMERIC.has(f) ? numberOrText(values[f]) : values[f]
  try {
    return { ok: true, recipe: parseRecipe(json) }
  } catch (err) {
    if (!(err instanceof RecipeValidationError)) throw err
    const fieldErrors: Partial<Record<FormField, string>> = {}
    const otherErrors: RecipeIssue[] = []
    for (const issue of err.issues) {
      const field = FORM_FIELDS.find(f => f === issue.field)
      if (field == null) otherErrors.push(issue)
      else fieldErrors[field] = fieldErrors[field] == null ? issue.message : `${fieldErrors[field]}; ${issue.message}`
    }
    return { ok: false, fieldErrors, otherErrors }
  }
}
