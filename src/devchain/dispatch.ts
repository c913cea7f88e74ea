// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Call dispatch of the dev runtime: System, Timestamp, Balances and Sudo so far. Each call reads and
 * writes storage through `view` and returns its events; a pallet error throws `DispatchModuleError`
 * and the caller drops the call's writes.
 */
import { DispatchModuleError } from './runtime.ts'
import type { DevRuntime, EventToEmit } from './runtime.ts'
import type { StorageView } from './state.ts'
import type { Call, Extrinsic } from '@polkadot/types/interfaces'

/** Existential deposit (Balances constant): accounts below it are reaped; keep-alive refuses it. */
export const EXISTENTIAL_DEPOSIT = 1_000_000_000n

interface AccountInfoLike {
  toJSON(): Record<string, unknown>
  nonce: { toNumber(): number }
  providers: { toNumber(): number }
  data: { free: { toBigInt(): bigint }, reserved: { toBigInt(): bigint }, toJSON(): Record<string, unknown> }
}

function account (rt: DevRuntime, view: StorageView, who: string): AccountInfoLike {
  return rt.read<AccountInfoLike>(view, 'system', 'account', who)
}

function setFree (rt: DevRuntime, view: StorageView, who: string, free: bigint): void {
  const a = account(rt, view, who)
  const providers = a.providers.toNumber() === 0 && free > 0n ? 1 : a.providers.toNumber()
  rt.write(view, { ...a.toJSON(), providers, data: { ...a.data.toJSON(), free } }, 'system', 'account', who)
}

function transfer (rt: DevRuntime, view: StorageView, from: string, to: string, amount: bigint, keepAlive: boolean): EventToEmit[] {
  const src = account(rt, view, from).data.free.toBigInt()
  if (amount > src) throw new DispatchModuleError('Balances', 'InsufficientBalance')
  const left = src - amount
  if (keepAlive && left < EXISTENTIAL_DEPOSIT) throw new DispatchModuleError('Balances', 'Expendability')
  const destFree = account(rt, view, to).data.free.toBigInt()
  if (destFree + amount < EXISTENTIAL_DEPOSIT) throw new DispatchModuleError('Balances', 'ExistentialDeposit')
  const events: EventToEmit[] = []
  if (destFree === 0n) events.push({ pallet: 'System', name: 'NewAccount', data: [to] }, { pallet: 'Balances', name: 'Endowed', data: [to, amount] })
  setFree(rt, view, from, left)
  setFree(rt, view, to, destFree + amount)
  events.push({ pallet: 'Balances', name: 'Transfer', data: [from, to, amount] })
  return events
}

/** Dispatches the extrinsic's call as `origin` (a signed account). */
export function dispatch (rt: DevRuntime, view: StorageView, ext: Extrinsic, origin: string): EventToEmit[] {
  return dispatchCall(rt, view, ext.method as unknown as Call, origin)
}

export function dispatchCall (rt: DevRuntime, view: StorageView, call: Call, origin: string): EventToEmit[] {
  const { section, method } = rt.registry.findMetaCall(call.callIndex)
  const args = call.args as unknown as Array<{ toString(): string, toBigInt?(): bigint, unwrap?(): { toBigInt(): bigint } }>
  const id = `${section}.${method}`
  const amount = (i: number): bigint => {
    const a = args[i] as { toBigInt?(): bigint, unwrap?(): { toBigInt(): bigint } }
    return a.unwrap != null ? a.unwrap().toBigInt() : (a.toBigInt as () => bigint)()
  }
  switch (id) {
    case 'system.remark':
      return []
    case 'balances.transferKeepAlive':
      return transfer(rt, view, origin, args[0]!.toString(), amount(1), true)
    case 'balances.transferAllowDeath':
      return transfer(rt, view, origin, args[0]!.toString(), amount(1), false)
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}
