// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_director` (index 52). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnDirector pallet. */
export const nsnDirector: PalletDef = {
  name: 'NsnDirector',
  index: 52,
  crate: 'pallet_nsn_director',
  types: [],
  storage: [],
  docs: ['NsnDirector (not built yet).']
}
