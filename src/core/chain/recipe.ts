// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The on-chain identity of a recipe: blake2b-256 of its canonical JSON. The JSON itself travels on the
 * recipes topic; only the hash goes to `NsnTaskMarket.submit_recipe` (DESIGN.md "Lane 0", step 2).
 */
import { blake2b256 } from '../wire/hash.ts'
import { InvalidInputError } from '../errors.ts'

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, numbers as `JSON.stringify`
 * writes them. Rejects what JSON cannot carry faithfully (non-finite numbers, `undefined`, bigints,
 * functions), so two parties always agree on the bytes.
 *
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

/** blake2b-256 of a recipe's canonical JSON (UTF-8): the `recipe_hash` of `submit_recipe`. */
export function recipeHash (recipe: unknown): Uint8Array {
  return blake2b256(new TextEncoder().encode(canonicalJson(recipe)))
}

/**
 * Parses recipe JSON text and hashes it.
 *
 * @throws InvalidInputError naming the problem when the text is not JSON or not a JSON object
 */
export function parseRecipe (text: string): { recipe: Record<string, unknown>, canonical: string, hash: Uint8Array } {
  let recipe: unknown
  try {
    recipe = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`The recipe is not valid JSON: ${(err as Error).message}`, { field: 'recipe', cause: err })
  }
  if (recipe == null || typeof recipe !== 'object' || Array.isArray(recipe)) throw new InvalidInputError('The recipe must be a JSON object', { field: 'recipe' })
  const canonical = canonicalJson(recipe)
  return { recipe: recipe as Record<string, unknown>, canonical, hash: blake2b256(new TextEncoder().encode(canonical)) }
}
