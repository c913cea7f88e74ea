// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The on-chain identity of a recipe: blake2b-256 of its canonical JSON. The JSON itself travels on the
 * recipes topic; only the hash goes to `NsnTaskMarket.submit_recipe` (DESIGN.md "Lane 0", step 2).
 * The canonical form and the hash live with the recipe schema (src/core/lane0/recipe.ts) and are
 * re-exported here, so the wallet and the generator hash a recipe with the same function.
 */
import { canonicalJson, canonicalRecipeJson, parseRecipeText, recipeHash } from '../lane0/recipe.ts'
import type { Recipe } from '../lane0/recipe.ts'

export { canonicalJson, recipeHash }

/**
 * Parses recipe JSON text against the Lane-0 schema and hashes it, so a recipe that generation would
 * refuse never reaches the chain.
 *
 * @throws RecipeValidationError listing each problem by field (`fps: …`, `pins.models[0].sha256: …`)
 */
export function parseRecipe (text: string): { recipe: Recipe, canonical: string, hash: Uint8Array } {
  const recipe = parseRecipeText(text)
  return { recipe, canonical: canonicalRecipeJson(recipe), hash: recipeHash(recipe) }
}
