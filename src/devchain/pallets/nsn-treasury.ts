// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTreasury (index 55) call implementations and hooks. Not built yet.
 */
import { DispatchModuleError } from '../runtime.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

/**
 * Dispatches `nsnTreasury.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnTreasury (_rt: DevRuntime, _view: StorageView, _method: string, _args: CallArg[], _origin: Origin): EventToEmit[] {
  throw new DispatchModuleError('System', 'CallFiltered')
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnTreasuryHooks: PalletHooks = {}

/** Credits `account` with `slots` certified director slots towards the next distribution (called by NsnBft). */
export function recordDirectorWork (_rt: DevRuntime, _view: StorageView, _account: string, _slots: bigint): EventToEmit[] {
  throw new Error('NsnTreasury.recordDirectorWork is not built yet')
}

/** Credits `account` with `votes` attestations towards the next distribution (called by NsnBft). */
export function recordValidatorWork (_rt: DevRuntime, _view: StorageView, _account: string, _votes: bigint): EventToEmit[] {
  throw new Error('NsnTreasury.recordValidatorWork is not built yet')
}
