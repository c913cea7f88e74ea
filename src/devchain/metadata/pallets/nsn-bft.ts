// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_bft` (index 53). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnBft pallet. */
export const nsnBft: PalletDef = {
  name: 'NsnBft',
  index: 53,
  crate: 'pallet_nsn_bft',
  types: [],
  storage: [],
  docs: ['NsnBft (not built yet).']
}
