// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_storage` (index 54). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnStorage pallet. */
export const nsnStorage: PalletDef = {
  name: 'NsnStorage',
  index: 54,
  crate: 'pallet_nsn_storage',
  types: [],
  storage: [],
  docs: ['NsnStorage (not built yet).']
}
