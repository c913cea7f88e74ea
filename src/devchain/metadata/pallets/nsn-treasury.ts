// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_treasury` (index 55). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnTreasury pallet. */
export const nsnTreasury: PalletDef = {
  name: 'NsnTreasury',
  index: 55,
  crate: 'pallet_nsn_treasury',
  types: [],
  storage: [],
  docs: ['NsnTreasury (not built yet).']
}
