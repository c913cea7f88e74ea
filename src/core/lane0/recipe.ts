// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane-0 recipe: one versioned schema holding only the fields the pipeline consumes (DESIGN.md
 * "Lane 0", step 2; issue 4, item 1). A recipe is validated once, before any work starts; an invalid
 * one is refused with a {@link RecipeValidationError} that names every offending field.
 *
 * Its identity is the blake2b-256 of its canonical JSON ({@link canonicalJson}, {@link recipeHash}):
 * the same function the wallet uses for `NsnTaskMarket.submit_recipe` (src/core/chain/recipe.ts
 * re-exports it), so a recipe hashes the same wherever it is submitted or generated.
 *
 * No field has a default: a recipe states everything, so two parties never hash different JSON for
 * what they believe is the same recipe.
 */
import { z } from 'zod'
import { InvalidInputError } from '../errors.ts'
import { blake2b256 } from '../wire/hash.ts'

/** The only recipe version this code reads. */
export const RECIPE_VERSION = 1

/** The pipeline version the example recipe pins (semver; bumped when output for a recipe changes). */
export const PIPELINE_VERSION = '0.1.0'

export const SCRIPT_MAX_CHARS = 2000
export const PROMPT_MAX_CHARS = 1000
export const DURATION_MIN_SEC = 1
export const DURATION_MAX_SEC = 30
export const FPS_MIN = 12
export const FPS_MAX = 60
export const SIZE_MIN_PX = 128
export const SIZE_MAX_PX = 1024
/** Width and height are multiples of this: VP8 needs even sizes, the image models need multiples of 8/16. */
export const SIZE_STEP_PX = 16
export const MAX_PINNED_MODELS = 16
const U32_MAX = 0xffff_ffff

/**
 * eSpeak NG voices a recipe may name (lower case): the languages and aliases that `espeak-ng --voices`
 * lists for the voice data in the `espeak-ng` npm package (1.0.2), i.e. what the default speech stage
 * (src/core/lane0/speech-espeak.ts) accepts. `en-gb` is eSpeak's default English (`en`).
 */
export const VOICE_LANGUAGES: readonly string[] = [
  'af', 'am', 'an', 'ar', 'as', 'az', 'ba', 'be', 'bg', 'bn', 'bpy', 'bs', 'ca', 'chr-us-qaaa-x-west', 'cmn',
  'cmn-latn-pinyin', 'cs', 'cv', 'cy', 'da', 'de', 'el', 'en', 'en-029', 'en-gb', 'en-gb-scotland', 'en-gb-x-gbclan',
  'en-gb-x-gbcwmd', 'en-gb-x-rp', 'en-us', 'en-us-nyc', 'eo', 'es', 'es-419', 'es-mx', 'et', 'eu', 'fa', 'fa-latn',
  'fi', 'fr', 'fr-be', 'fr-ch', 'fr-fr', 'ga', 'gd', 'gn', 'grc', 'gu', 'hak', 'haw', 'hbs', 'he', 'hi', 'hr', 'ht',
  'hu', 'hy', 'hy-arevela', 'hy-arevmda', 'hyw', 'ia', 'id', 'io', 'is', 'it', 'ja', 'jbo', 'ka', 'kk', 'kl', 'kn',
  'ko', 'kok', 'ku', 'ky', 'la', 'lb', 'lfn', 'lt', 'ltg', 'lv', 'mi', 'mk', 'ml', 'mr', 'ms', 'mt', 'mto', 'my',
  'nb', 'nci', 'ne', 'nl', 'no', 'nog', 'om', 'or', 'pa', 'pap', 'piqd', 'pl', 'pt', 'pt-br', 'pt-pt', 'py', 'qdb',
  'qu', 'quc', 'qya', 'ro', 'ru', 'ru-cl', 'ru-lv', 'sd', 'shn', 'si', 'sjn', 'sk', 'sl', 'smj', 'sq', 'sr', 'sv',
  'sw', 'ta', 'te', 'th', 'tk', 'tn', 'tr', 'tt', 'ug', 'uk', 'ur', 'uz', 'vi', 'vi-vn-x-central', 'vi-vn-x-south',
  'yue', 'zh', 'zh-cmn', 'zh-yue'
]

/** eSpeak NG voice variants a recipe may add after `+` (`en-gb+f3`): the standard male, female and effect ones. */
export const VOICE_VARIANTS: readonly string[] = [
  'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'f1', 'f2', 'f3', 'f4', 'f5',
  'croak', 'whisper', 'whisperf', 'klatt', 'klatt2', 'klatt3', 'klatt4', 'klatt5', 'klatt6'
]

const languages = new Set(VOICE_LANGUAGES)
const variants = new Set(VOICE_VARIANTS)

/** True when `voice` is `<language>` or `<language>+<variant>` from the lists above (lower case). */
export function isVoiceId (voice: string): boolean {
  const [language, variant, ...rest] = voice.split('+')
  return rest.length === 0 && language != null && languages.has(language) && (variant == null || variants.has(variant))
}

const notBlank = (s: string): boolean => s.trim().length > 0

const text = (max: number, required: boolean): z.ZodString => {
  const schema = z.string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
  return required ? schema.refine(notBlank, { error: 'must not be empty' }) : schema
}

const int = (min: number, max: number, unit = ''): z.ZodNumber =>
  z.number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be at least ${min}${unit}` })
    .max(max, { error: `must be at most ${max}${unit}` })

const size = (): z.ZodNumber =>
  int(SIZE_MIN_PX, SIZE_MAX_PX, ' px')
    .multipleOf(SIZE_STEP_PX, { error: `must be a multiple of ${SIZE_STEP_PX} px` })

const pinnedModelSchema = z.strictObject({
  /** A model id: the folder name under `models/` (`models/<id>/manifest.json`). */
  id: z.string({ error: 'must be a string' })
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be a model id: 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit' }),
  /**
   * sha256 (lowercase hex) of the model's weights file: the first entry of its manifest's `files`, in
   * manifest order, whose `path` ends in `.onnx` (Kokoro: `model.onnx`; each SD-Turbo part: its one
   * `.onnx`; LivePortrait: `appearance_feature_extractor.onnx`). The model's other files are bound by
   * the manifest's own sha256 list, which the loader checks before use (src/core/lane0/stage-plan.ts).
   */
  sha256: z.string({ error: 'must be a string' })
    .regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex characters (a sha256)' })
}, { error: 'must be an object { id, sha256 }' })

const pinsSchema = z.strictObject({
  /** Semver of the pipeline code the recipe was made for, e.g. `0.1.0`. */
  pipelineVersion: z.string({ error: 'must be a string' })
    .regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9a-z.]{1,32})?$/, { error: 'must be a semver like 0.1.0' }),
  /**
   * The models the run must use, each pinned to its sha256; empty when only the offline defaults run.
   * A pinned model replaces its step's offline default with the neural stage (planStages).
   */
  models: z.array(pinnedModelSchema, { error: 'must be an array' })
    .max(MAX_PINNED_MODELS, { error: `at most ${MAX_PINNED_MODELS} models can be pinned` })
    .superRefine((models, ctx) => {
      const seen = new Set<string>()
      models.forEach((m, i) => {
        if (seen.has(m.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${m.id} is pinned twice` })
        seen.add(m.id)
      })
    })
}, { error: 'must be an object { pipelineVersion, models }' })

/**
 * The recipe schema (zod). Prefer {@link parseRecipe}, which turns failures into a
 * {@link RecipeValidationError}.
 */
export const recipeSchema = z.strictObject({
  /** Schema version: `1`. */
  version: z.literal(RECIPE_VERSION, { error: `must be ${RECIPE_VERSION}` }),
  /** The text the actor speaks, 1-2000 characters. */
  script: text(SCRIPT_MAX_CHARS, true),
  /** An eSpeak NG voice: `<language>` or `<language>+<variant>` (see {@link VOICE_LANGUAGES}, {@link VOICE_VARIANTS}). */
  voice: z.string({ error: 'must be a string' })
    .refine(isVoiceId, { error: 'must be an eSpeak NG language id in lower case, optionally with a variant (en-us, en-gb+f3)' }),
  /** What the actor looks like (keyframe prompt), 1-1000 characters. */
  prompt: text(PROMPT_MAX_CHARS, true),
  /** What the keyframe must not show, 0-1000 characters (may be empty). */
  negativePrompt: text(PROMPT_MAX_CHARS, false),
  /** Seed of every random choice in the pipeline: an unsigned 32-bit integer. */
  seed: int(0, U32_MAX),
  /** Clip length in seconds, 1-30; `durationSec * fps` must be a whole number of frames. */
  durationSec: z.number({ error: 'must be a number (seconds)' })
    .min(DURATION_MIN_SEC, { error: `must be at least ${DURATION_MIN_SEC} s` })
    .max(DURATION_MAX_SEC, { error: `must be at most ${DURATION_MAX_SEC} s` }),
  /** Frames per second, an integer 12-60. */
  fps: int(FPS_MIN, FPS_MAX, ' fps'),
  /** Frame width in pixels, 128-1024, a multiple of 16. */
  width: size(),
  /** Frame height in pixels, 128-1024, a multiple of 16. */
  height: size(),
  /** Pinned models and pipeline version. */
  pins: pinsSchema
}, { error: 'a recipe must be a JSON object' }).superRefine((r, ctx) => {
  const frames = r.durationSec * r.fps
  if (Math.abs(frames - Math.round(frames)) > 1e-9) {
    ctx.addIssue({ code: 'custom', path: ['durationSec'], message: `times fps must be a whole number of frames (${r.durationSec} s × ${r.fps} fps = ${frames})` })
  }
})

/** A valid Lane-0 recipe. */
export type Recipe = z.infer<typeof recipeSchema>

/** One problem of a recipe: `field` is its path (`pins.models[0].sha256`), `recipe` for the whole. */
export interface RecipeIssue {
  field: string
  message: string
}

/** Thrown by {@link parseRecipe} when a recipe is invalid; `issues` names every offending field. */
export class RecipeValidationError extends Error {
  static override name = 'RecipeValidationError'
  readonly issues: RecipeIssue[]
  constructor (issues: RecipeIssue[], options?: ErrorOptions) {
    super(`Invalid recipe: ${issues.map(i => `${i.field}: ${i.message}`).join('; ')}`, options)
    this.name = 'RecipeValidationError'
    this.issues = issues
  }
}

function fieldPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`
  return out === '' ? 'recipe' : out
}

/** True when the last key of `path` is absent from an object that is present. */
function isMissing (json: unknown, path: ReadonlyArray<PropertyKey>): boolean {
  let parent = json
  for (const key of path.slice(0, -1)) {
    if (parent == null || typeof parent !== 'object') return false
    parent = (parent as Record<PropertyKey, unknown>)[key]
  }
  return parent != null && typeof parent === 'object' && !Array.isArray(parent) && !Object.hasOwn(parent, path[path.length - 1]!)
}

/**
 * Validates a parsed JSON value as a recipe.
 *
 * @throws RecipeValidationError naming every invalid, missing or unknown field
 * @example
 * ```ts
 * const recipe = parseRecipe(JSON.parse(text))
 * ```
 */
export function parseRecipe (json: unknown): Recipe {
  const result = recipeSchema.safeParse(json)
  if (result.success) return result.data
  const issues: RecipeIssue[] = []
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ field: fieldPath([...issue.path, key]), message: 'unknown field (a recipe holds only the fields the pipeline consumes)' })
    } else if (issue.path.length > 0 && isMissing(json, issue.path)) {
      issues.push({ field: fieldPath(issue.path), message: 'is required' })
    } else {
      issues.push({ field: fieldPath(issue.path), message: issue.message })
    }
  }
  throw new RecipeValidationError(issues, { cause: result.error })
}

/**
 * Parses recipe JSON text and validates it.
 *
 * @throws RecipeValidationError with field `recipe` when the text is not JSON, or naming each invalid field
 */
export function parseRecipeText (text: string): Recipe {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new RecipeValidationError([{ field: 'recipe', message: `not valid JSON: ${(err as Error).message}` }], { cause: err })
  }
  return parseRecipe(json)
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, numbers as `JSON.stringify`
 * writes them. Rejects what JSON cannot carry faithfully (non-finite numbers, `undefined`, bigints,
 * functions), so two parties always agree on the bytes. The one canonical form of the project
 * (recipes on chain, on the recipes topic and in the generator).
 *
 * @throws InvalidInputError naming the path of a value JSON cannot represent
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson (value: unknown, path = '$'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError(`${path}: not a finite number`, { field: path })
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, `${path}[${i}]`)).join(',')}]`
  if (typeof value === 'object') {
    const entries = Object.keys(value).sort().map(k => {
      const v = (value as Record<string, unknown>)[k]
      return `${JSON.stringify(k)}:${canonicalJson(v, `${path}.${k}`)}`
    })
    return `{${entries.join(',')}}`
  }
  throw new InvalidInputError(`${path}: ${typeof value} cannot be represented in JSON`, { field: path })
}

/** The canonical JSON of a validated recipe: what is hashed, gossiped and stored. */
export function canonicalRecipeJson (recipe: Recipe): string {
  return canonicalJson(recipe)
}

/**
 * blake2b-256 of a recipe's canonical JSON (UTF-8): the `recipe_hash` of `submit_recipe`. Takes any
 * JSON value so the wallet can hash what a user typed before the schema is enforced there.
 */
export function recipeHash (recipe: Recipe | unknown): Uint8Array {
  return blake2b256(new TextEncoder().encode(canonicalJson(recipe)))
}

/** A valid recipe in the dev timing profile (8 s, 384x384, 24 fps) that needs only the offline defaults. */
export function exampleRecipe (): Recipe {
  return {
    version: RECIPE_VERSION,
    script: 'Hello from NSN Web. This clip was generated from a recipe, in a browser tab or on a headless node.',
    voice: 'en-us',
    prompt: 'head-and-shoulders portrait of a friendly news presenter, neutral background, soft studio light',
    negativePrompt: 'blurry, distorted face, text, watermark',
    seed: 42,
    durationSec: 8,
    fps: 24,
    width: 384,
    height: 384,
    pins: { pipelineVersion: PIPELINE_VERSION, models: [] }
  }
}
