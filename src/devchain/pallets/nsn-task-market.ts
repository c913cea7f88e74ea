// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTaskMarket (index 56) call implementations and hooks. Not built yet.
 */
import { DispatchModuleError } from '../runtime.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

/**
 * Dispatches `nsnTaskMarket.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnTaskMarket (_rt: DevRuntime, _view: StorageView, _method: string, _args: CallArg[], _origin: Origin): EventToEmit[] {
  throw new DispatchModuleError('System', 'CallFiltered')
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnTaskMarketHooks: PalletHooks = {}

/**
 * Settles the Lane-0 task (recipe) that `slot` took from the queue, if any: paid out to its
 * executor when the slot is certified, otherwise refunded or returned to the queue. Called by
 * NsnBft when a certificate is stored (`certified = true`) and when a slot ends without one.
 */
export function settleLane0Task (_rt: DevRuntime, _view: StorageView, _slot: bigint, _certified: boolean): EventToEmit[] {
  throw new Error('NsnTaskMarket.settleLane0Task is not built yet')
}
