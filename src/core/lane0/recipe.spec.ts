// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { canonicalJson as chainCanonicalJson, parseRecipe as chainParseRecipe, recipeHash as chainRecipeHash } from '../chain/recipe.ts'
import { blake2b256, toHex } from '../wire/hash.ts'
import { RecipeValidationError, canonicalJson, canonicalRecipeJson, exampleRecipe, isVoiceId, parseRecipe, parseRecipeText, recipeHash } from './recipe.ts'
import type { RecipeIssue } from './recipe.ts'

/** Parses and returns the issues, failing the test when the recipe is accepted. */
function issuesOf (json: unknown): RecipeIssue[] {
  try {
    parseRecipe(json)
  } catch (err) {
    expect((err as Error).name).toBe(RecipeValidationError.name)
    return (err as RecipeValidationError).issues
  }
  throw new Error('the recipe was accepted')
}

function withField (path: string, value: unknown): Record<string, unknown> {
  const recipe = structuredClone(exampleRecipe()) as unknown as Record<string, unknown>
  const keys = path.split('.')
  let target = recipe
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>
  const last = keys[keys.length - 1]!
  if (value === undefined) Reflect.deleteProperty(target, last)
  else target[last] = value
  return recipe
}

describe('recipe schema', () => {
  it('should accept the example and return an equal recipe', () => {
    expect(parseRecipe(exampleRecipe())).toEqual(exampleRecipe())
  })

  // [field, invalid value, what the message must say]; undefined = the field is missing
  const invalid: Array<[string, unknown, RegExp]> = [
    ['version', 2, /must be 1/],
    ['version', '1', /must be 1/],
    ['version', undefined, /required/],
    ['script', '', /must not be empty/],
    ['script', '   ', /must not be empty/],
    ['script', 'x'.repeat(2001), /at most 2000 characters/],
    ['script', 5, /must be a string/],
    ['script', undefined, /required/],
    ['voice', 'klingon', /eSpeak NG language/],
    ['voice', 'EN-US', /eSpeak NG language/],
    ['voice', 'en-gb+f9', /eSpeak NG language/],
    ['voice', 'en+f3+m1', /eSpeak NG language/],
    ['voice', null, /must be a string/],
    ['prompt', '', /must not be empty/],
    ['prompt', 'p'.repeat(1001), /at most 1000 characters/],
    ['prompt', undefined, /required/],
    ['negativePrompt', 'n'.repeat(1001), /at most 1000 characters/],
    ['negativePrompt', undefined, /required/],
    ['seed', -1, /at least 0/],
    ['seed', 2 ** 32, /at most 4294967295/],
    ['seed', 1.5, /integer/],
    ['seed', '42', /must be a number/],
    ['durationSec', 0.5, /at least 1 s/],
    ['durationSec', 31, /at most 30 s/],
    ['durationSec', 8.01, /whole number of frames/],
    ['durationSec', '8', /must be a number/],
    ['fps', 11, /at least 12 fps/],
    ['fps', 61, /at most 60 fps/],
    ['fps', 23.976, /integer/],
    ['width', 112, /at least 128 px/],
    ['width', 1040, /at most 1024 px/],
    ['width', 390, /multiple of 16 px/],
    ['height', 392, /multiple of 16 px/],
    ['height', undefined, /required/],
    ['pins', 'none', /must be an object/],
    ['pins.pipelineVersion', 'latest', /semver/],
    ['pins.models', {}, /must be an array/],
    ['pins.models', [{ id: 'kokoro-82m', sha256: 'AB'.repeat(32) }], /64 lowercase hex/],
    ['pins.models', [{ id: 'Kokoro 82M', sha256: 'ab'.repeat(32) }], /must be a model id/],
    ['pins.models', Array.from({ length: 17 }, (_, i) => ({ id: `m${i}`, sha256: 'ab'.repeat(32) })), /at most 16 models/],
    ['pins.models', [{ id: 'a', sha256: 'ab'.repeat(32) }, { id: 'a', sha256: 'cd'.repeat(32) }], /pinned twice/]
  ]
  const expectedField: Record<string, string> = {
    'pins.models:[{"id":"kokoro-82m"': 'pins.models[0].sha256',
    'pins.models:[{"id":"Kokoro 82M"': 'pins.models[0].id',
    'pins.models:[{"id":"a"': 'pins.models[1].id'
  }

  it.each(invalid)('should name the field %s when it is %j', (field, value, message) => {
    const issues = issuesOf(withField(field, value))
    const key = Object.keys(expectedField).find(k => `${field}:${JSON.stringify(value)}`.startsWith(k))
    const want = key != null ? expectedField[key]! : field
    expect(issues).toEqual([{ field: want, message: expect.stringMatching(message) }])
  })

  it('should refuse unknown fields at the top level and in pins, naming each', () => {
    const recipe = { ...exampleRecipe(), resolution: '384x384', pins: { ...exampleRecipe().pins, extra: 1 } }
    const fields = issuesOf(recipe).map(i => i.field).sort()
    expect(fields).toEqual(['pins.extra', 'resolution'])
    expect(issuesOf({ ...exampleRecipe(), pins: { pipelineVersion: '0.1.0', models: [{ id: 'a', sha256: 'ab'.repeat(32), url: 'x' }] } }))
      .toEqual([{ field: 'pins.models[0].url', message: expect.stringMatching(/unknown field/) }])
  })

  it('should name every invalid field at once', () => {
    const issues = issuesOf({ ...exampleRecipe(), seed: -3, fps: 0, voice: 'xx' })
    expect(issues.map(i => i.field).sort()).toEqual(['fps', 'seed', 'voice'])
  })

  it('should refuse what is not an object, and text that is not JSON, as the whole recipe', () => {
    for (const bad of [null, [], 'recipe', 7]) expect(issuesOf(bad)).toEqual([{ field: 'recipe', message: expect.stringMatching(/JSON object/) }])
    expect(() => parseRecipeText('{"version":')).toThrow(/recipe: not valid JSON/)
    expect(parseRecipeText(JSON.stringify(exampleRecipe()))).toEqual(exampleRecipe())
  })

  it('should put every field in the error message', () => {
    expect(() => parseRecipe({ ...exampleRecipe(), width: 112, seed: 'x' })).toThrow(/^Invalid recipe: seed: must be a number; width: must be at least 128 px$/)
  })

  it('should accept languages with variants and the limits themselves', () => {
    expect(isVoiceId('en-gb+f3')).toBe(true)
    expect(isVoiceId('en-us')).toBe(true)
    expect(isVoiceId('en-us+')).toBe(false)
    const edge = { ...exampleRecipe(), seed: 2 ** 32 - 1, durationSec: 30, fps: 60, width: 1024, height: 128, negativePrompt: '', voice: 'de+m3' }
    expect(parseRecipe(edge)).toEqual(edge)
    expect(parseRecipe({ ...exampleRecipe(), durationSec: 1.5, fps: 30 }).durationSec).toBe(1.5)
  })
})

describe('recipe hashing', () => {
  it('should have one canonical JSON and one hash, shared with the wallet', () => {
    expect(chainCanonicalJson).toBe(canonicalJson)
    expect(chainRecipeHash).toBe(recipeHash)
    const recipe = exampleRecipe()
    const canonical = canonicalRecipeJson(recipe)
    expect(canonical.startsWith('{"durationSec":8,"fps":24,"height":384,"negativePrompt":')).toBe(true)
    expect(toHex(recipeHash(recipe))).toBe(toHex(blake2b256(new TextEncoder().encode(canonical))))
    expect(toHex(chainParseRecipe(JSON.stringify(recipe, null, 2)).hash)).toBe(toHex(recipeHash(recipe)))
    expect(toHex(recipeHash({ ...recipe, seed: 43 }))).not.toBe(toHex(recipeHash(recipe)))
  })
})
