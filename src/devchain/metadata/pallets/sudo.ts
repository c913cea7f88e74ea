// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_sudo` (index 7): one key (Alice on the dev chain) may dispatch any call as root.
 */
import { f, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

const call = f('call', 'Box<RuntimeCall>', 'Box<<T as Config>::RuntimeCall>')
const result = f('sudo_result', 'Result<(), DispatchError>', 'DispatchResult', [' The result of the call made by the sudo user.'])

/** The Sudo pallet. */
export const sudo: PalletDef = {
  name: 'Sudo',
  index: 7,
  crate: 'pallet_sudo',
  calls: [
    v('sudo', 0, [call], ['Authenticates the sudo key and dispatches a function call with `Root` origin.']),
    v('sudo_unchecked_weight', 1, [call, f('weight', 'Weight', 'Weight')], ['Authenticates the sudo key and dispatches a function call with `Root` origin.', 'This function does not check the weight of the call, and instead allows the', 'Sudo user to specify the weight of the call.']),
    v('set_key', 2, [f('new', 'MultiAddress', 'AccountIdLookupOf<T>')], ['Authenticates the current sudo key and sets the given AccountId (`new`) as the new sudo', 'key.']),
    v('sudo_as', 3, [f('who', 'MultiAddress', 'AccountIdLookupOf<T>'), call], ['Authenticates the sudo key and dispatches a function call with `Signed` origin from', 'a given account.']),
    v('remove_key', 4, [], ['Permanently removes the sudo key.', '', '**This cannot be un-done.**'])
  ],
  events: [
    v('Sudid', 0, [result], ['A sudo call just took place.']),
    v('KeyChanged', 1, [f('old', 'Option<AccountId32>', 'Option<T::AccountId>', [' The old sudo key (if one was previously set).']), f('new', 'AccountId32', 'T::AccountId', [' The new sudo key (if one was set).'])], ['The sudo key has been updated.']),
    v('KeyRemoved', 2, [], ['The key was permanently removed.']),
    v('SudoAsDone', 3, [result], ['A [sudo_as](Pallet::sudo_as) call just took place.'])
  ],
  errors: [v('RequireSudo', 0, [], ['Sender must be the Sudo account.'])],
  storage: [
    { name: 'Key', modifier: 'Optional', type: 'AccountId32', docs: [' The `AccountId` of the sudo key.'] }
  ],
  constants: [],
  docs: []
}
