// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The on-chain identity of a recipe: blake2b-256 of its canonical JSON. The JSON itself travels on the
 * recipes topic; only the hash goes to `NsnTaskMarket.submit_recipe` (DESIGN.md "Lane 0", step 2).
 * The canonical form and the hash live with the recipe schema (src/core/lane0/recipe.ts) and are
 * re-exported here, so the wallet and the generator hash a recipe with the same function.
 */
import { InvalidInputError } from '../errors.ts'
import { canonicalJson, recipeHash } from '../lane0/recipe.ts'

export { canonicalJson, recipeHash }

/**
 * Parses recipe JSON text and hashes it. Checks only that it is a JSON object; the Lane-0 schema
 * (`parseRecipe` in src/core/lane0/recipe.ts) is what generation enforces.
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
  return { recipe: recipe as Record<string, unknown>, canonical, hash: recipeHash(recipe) }
}
