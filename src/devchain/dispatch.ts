// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Call dispatch of the dev runtime: a handler per pallet. Each call
 * reads and writes storage through `view` and returns its events; a pallet error throws `DispatchModuleError`
 * and the caller drops the call's writes.
 */
import { unsignedValidator } from './hooks.ts'
import { transfer } from './pallets/currency.ts'
import { dispatchNsnBft } from './pallets/nsn-bft.ts'
import { dispatchNsnBootstrap } from './pallets/nsn-bootstrap.ts'
import { dispatchNsnDirector } from './pallets/nsn-director.ts'
import { dispatchNsnModelRegistry } from './pallets/nsn-model-registry.ts'
import { dispatchNsnReputation } from './pallets/nsn-reputation.ts'
import { dispatchNsnStake } from './pallets/nsn-stake.ts'
import { dispatchNsnStorage } from './pallets/nsn-storage.ts'
import { dispatchNsnTaskMarket } from './pallets/nsn-task-market.ts'
import { dispatchNsnTreasury } from './pallets/nsn-treasury.ts'
import { ensureSigned } from './pallets/origin.ts'
import { DispatchModuleError, InvalidTransactionError } from './runtime.ts'
import { StateOverlay } from './state.ts'
import type { CallArg, Origin } from './pallets/origin.ts'
import type { UnsignedValidity } from './hooks.ts'
import type { DevRuntime, EventToEmit } from './runtime.ts'
import type { StorageView } from './state.ts'
import type { Call, Extrinsic } from '@polkadot/types/interfaces'

/** A call's decoded arguments and its origin, as the per-pallet handlers receive them. */
type PalletHandler = (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin) => EventToEmit[]

function amountArg (a: CallArg | undefined): bigint {
  const arg = a as { toBigInt?(): bigint, unwrap?(): { toBigInt(): bigint } }
  return arg.unwrap != null ? arg.unwrap().toBigInt() : (arg.toBigInt as () => bigint)()
}

const signedOrigin = ensureSigned

/** `sudo.sudo(call)`: the sudo key dispatches `call` as root; its failure is reported in `Sudid`. */
function sudo (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  if (method !== 'sudo') throw new DispatchModuleError('System', 'CallFiltered')
  // `read` decodes the value type (AccountId32); an absent key reads as the zero account
  const key = view.get(rt.key('sudo', 'key')) == null ? null : rt.read<{ toString(): string }>(view, 'sudo', 'key').toString()
  if (key !== signedOrigin(origin)) throw new DispatchModuleError('Sudo', 'RequireSudo')
  // the inner call's writes are kept only if it succeeds
  const layer = new StateOverlay(view)
  try {
    const events = dispatchCall(rt, layer, args[0] as unknown as Call, { root: true })
    layer.commit()
    return [...events, { pallet: 'Sudo', name: 'Sudid', data: [{ Ok: null }] }]
  } catch (err) {
    if ((err as Error).name !== DispatchModuleError.name) throw err
    return [{ pallet: 'Sudo', name: 'Sudid', data: [{ Err: rt.moduleError(err as DispatchModuleError) }] }]
  }
}

const HANDLERS: Record<string, PalletHandler> = {
  system: (_rt, _view, method) => {
    if (method === 'remark') return []
    throw new DispatchModuleError('System', 'CallFiltered')
  },
  balances: (rt, view, method, args, origin) => {
    if (method === 'transferKeepAlive') return transfer(rt, view, signedOrigin(origin), args[0]!.toString(), amountArg(args[1]), true)
    if (method === 'transferAllowDeath') return transfer(rt, view, signedOrigin(origin), args[0]!.toString(), amountArg(args[1]), false)
    throw new DispatchModuleError('System', 'CallFiltered')
  },
  sudo,
  nsnStake: dispatchNsnStake,
  nsnReputation: dispatchNsnReputation,
  nsnDirector: dispatchNsnDirector,
  nsnBft: dispatchNsnBft,
  nsnStorage: dispatchNsnStorage,
  nsnTreasury: dispatchNsnTreasury,
  nsnTaskMarket: dispatchNsnTaskMarket,
  nsnModelRegistry: dispatchNsnModelRegistry,
  nsnBootstrap: dispatchNsnBootstrap
}

/** Dispatches the extrinsic's call as `origin` (a signed account, or none for a validated unsigned extrinsic). */
export function dispatch (rt: DevRuntime, view: StorageView, ext: Extrinsic, origin: Origin): EventToEmit[] {
  return dispatchCall(rt, view, ext.method as unknown as Call, origin)
}

/** Dispatches `call` as `origin` (a signed account's SS58 address, or root) to its pallet's handler. */
export function dispatchCall (rt: DevRuntime, view: StorageView, call: Call, origin: Origin): EventToEmit[] {
  const { section, method } = rt.registry.findMetaCall(call.callIndex)
  const handler = HANDLERS[section]
  if (handler == null) throw new DispatchModuleError('System', 'CallFiltered')
  return handler(rt, view, method, call.args as unknown as CallArg[], origin)
}

/**
 * `validate_unsigned`: an unsigned extrinsic is acceptable only if its pallet's hook says so
 * (`hooks.ts`); otherwise `InvalidTransactionError('Call')`.
 */
export function validateUnsigned (rt: DevRuntime, view: StorageView, ext: Extrinsic): UnsignedValidity {
  const index = ext.method.callIndex[0]
  const pallet = rt.metadata.asLatest.pallets.find(p => p.index.toNumber() === index)?.name.toString()
  const validate = pallet == null ? undefined : unsignedValidator(pallet)
  if (validate == null) throw new InvalidTransactionError('Call')
  const { method } = rt.registry.findMetaCall(ext.method.callIndex)
  return validate(rt, view, method, ext.method.args as unknown as CallArg[])
}
