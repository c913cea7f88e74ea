// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_timestamp` (index 1): the block author sets `now` with an inherent `set` call.
 */
import { f, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** Half the dev chain's target block time (polkadot-js takes `2 * MinimumPeriod` as the block time for mortal eras). */
export const MINIMUM_PERIOD_MS = 500n

/** The Timestamp pallet. */
export const timestamp: PalletDef = {
  name: 'Timestamp',
  index: 1,
  crate: 'pallet_timestamp',
  calls: [
    v('set', 0, [f('now', 'Compact<u64>', 'T::Moment')], [
      'Set the current time.',
      '',
      'This call should be invoked exactly once per block. It will panic at the finalization',
      'phase, if this call hasn\'t been invoked by that time.',
      '',
      'The dispatch origin for this call must be _None_.'
    ])
  ],
  storage: [
    { name: 'Now', modifier: 'Default', type: 'u64', docs: [' The current time for the current block.'] },
    { name: 'DidUpdate', modifier: 'Default', type: 'bool', docs: [' Whether the timestamp has been updated in this block.'] }
  ],
  constants: [
    {
      name: 'MinimumPeriod',
      type: 'u64',
      value: MINIMUM_PERIOD_MS,
      docs: [' The minimum period between blocks.']
    }
  ],
  docs: ['The Timestamp pallet provides functionality to get and set the on-chain time.']
}
