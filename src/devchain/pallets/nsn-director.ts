// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnDirector (index 52) call implementations and hooks. Not built yet.
 */
import { DispatchModuleError } from '../runtime.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

/**
 * Dispatches `nsnDirector.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnDirector (_rt: DevRuntime, _view: StorageView, _method: string, _args: CallArg[], _origin: Origin): EventToEmit[] {
  throw new DispatchModuleError('System', 'CallFiltered')
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnDirectorHooks: PalletHooks = {}

/**
 * The account that leads `slot`: the slot's epoch committee in rotation (`committee[slot mod len]`,
 * fallbacks in committee order after it), or undefined when that epoch has no committee.
 * Used by NsnTaskMarket (which recipe task a slot's leader executes) and NsnBft.
 */
export function slotLeader (_rt: DevRuntime, _view: StorageView, _slot: bigint): string | undefined {
  throw new Error('NsnDirector.slotLeader is not built yet')
}
