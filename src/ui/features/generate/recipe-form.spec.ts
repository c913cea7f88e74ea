// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { exampleRecipe, recipeHash } from '../../../core/lane0/recipe.ts'
import { FORM_FIELDS, validateForm, valuesOf } from './recipe-form.ts'

describe('generation panel recipe form', () => {
  it('should round-trip the example recipe through the form to the same hash', () => {
    const recipe = exampleRecipe()
    const result = validateForm(valuesOf(recipe))
    expect(result.ok).toBe(true)
    if (result.ok) expect(recipeHash(result.recipe)).toEqual(recipeHash(recipe))
  })

  it('should attach each schema problem to the field it names', () => {
    const values = { ...valuesOf(exampleRecipe()), script: '   ', width: '250', fps: 'fast' }
    const result = validateForm(values)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.fieldErrors).sort()).toEqual(['fps', 'script', 'width'])
    expect(result.fieldErrors.script).toMatch(/must not be empty/)
    expect(result.fieldErrors.width).toMatch(/multiple of 16/)
    expect(result.fieldErrors.fps).toMatch(/must be a number/)
    expect(result.otherErrors).toEqual([])
  })

  it('should name durationSec when duration × fps is not a whole number of frames', () => {
    const result = validateForm({ ...valuesOf(exampleRecipe()), durationSec: '4.01' })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.fieldErrors).toEqual({ durationSec: expect.stringMatching(/whole number of frames/) })
  })

  it('should report an empty number field as a type error, not as zero', () => {
    const result = validateForm({ ...valuesOf(exampleRecipe()), seed: '' })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.fieldErrors.seed).toMatch(/must be a number/)
  })

  it('should report pins problems apart from the form fields', () => {
    const result = validateForm(valuesOf(exampleRecipe()), { pipelineVersion: 'latest', models: [] })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.fieldErrors).toEqual({})
      expect(result.otherErrors.map(i => i.field)).toEqual(['pins.pipelineVersion'])
    }
  })

  it('should cover every field of the form', () => {
    expect(Object.keys(valuesOf(exampleRecipe())).sort()).toEqual([...FORM_FIELDS].sort())
  })
})
