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
    const result = validateForm(valuesOf(exampleRecipe()), { pipelineVersion: 'latest' })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.fieldErrors).toEqual({})
      expect(result.otherErrors.map(i => i.field)).toEqual(['pins.pipelineVersion'])
    }
  })

  it('should turn the pinned models field into the recipe pins, one "id sha256" per line', () => {
    const a = 'a'.repeat(64)
    const b = '0123456789abcdef'.repeat(4)
    const result = validateForm({ ...valuesOf(exampleRecipe()), models: `# speech\nkokoro-82m ${a}\n\n  liveportrait\t${b}  # animation\n` })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.recipe.pins.models).toEqual([{ id: 'kokoro-82m', sha256: a }, { id: 'liveportrait', sha256: b }])
    // and back: the field shows the pins, which validate to the same recipe
    const again = validateForm(valuesOf(result.recipe))
    expect(again.ok && recipeHash(again.recipe)).toEqual(recipeHash(result.recipe))
  })

  it('should report pin problems on the models field, naming the line', () => {
    const a = 'a'.repeat(64)
    const result = validateForm({ ...valuesOf(exampleRecipe()), models: `kokoro-82m ${a}\nLivePortrait ${a.toUpperCase()}\nlonely\nx ${a} extra` })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.fieldErrors)).toEqual(['models'])
    const message = result.fieldErrors.models!
    expect(message).toContain('line 2 id: must be a model id')
    expect(message).toContain('line 2 sha256: must be 64 lowercase hex characters (a sha256)')
    expect(message).toContain('line 3: expected "<model id> <sha256>", got 1 word')
    expect(message).toContain('line 4: expected "<model id> <sha256>", got 3 words')
    expect(message).not.toContain('line 1')
    expect(result.otherErrors).toEqual([])
  })

  it('should refuse a model pinned twice', () => {
    const result = validateForm({ ...valuesOf(exampleRecipe()), models: `kokoro-82m ${'a'.repeat(64)}\nkokoro-82m ${'b'.repeat(64)}` })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.fieldErrors).toEqual({ models: 'line 2 id: kokoro-82m is pinned twice' })
  })

  it('should cover every field of the form', () => {
    expect(Object.keys(valuesOf(exampleRecipe())).sort()).toEqual([...FORM_FIELDS].sort())
  })
})
