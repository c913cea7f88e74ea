// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_model_registry` (index 57). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnModelRegistry pallet. */
export const nsnModelRegistry: PalletDef = {
  name: 'NsnModelRegistry',
  index: 57,
  crate: 'pallet_nsn_model_registry',
  types: [],
  storage: [],
  docs: ['NsnModelRegistry (not built yet).']
}
