// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_task_market` (index 56). Not built yet: declared so the runtime lists it at its index.
 */
import type { PalletDef } from '../types.ts'

/** The NsnTaskMarket pallet. */
export const nsnTaskMarket: PalletDef = {
  name: 'NsnTaskMarket',
  index: 56,
  crate: 'pallet_nsn_task_market',
  types: [],
  storage: [],
  docs: ['NsnTaskMarket (not built yet).']
}
