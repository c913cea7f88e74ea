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
