// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_bootstrap` (index 58). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnBootstrap pallet. */
export const nsnBootstrap: PalletDef = {
  name: 'NsnBootstrap',
  index: 58,
  crate: 'pallet_nsn_bootstrap',
  types: [],
  storage: [],
  docs: ['NsnBootstrap (not built yet).']
}
