// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Balance movements shared by the pallets: free ↔ reserved, transfers, minting, burning and pallet
 * accounts. Reserved funds (stake, delegation, escrow, bonds, deal payments) are out of the free
 * balance, so the same tokens can never back two things (section 13, weakness 11). Every function
 * keeps `Balances.TotalIssuance` equal to the sum of all accounts' free + reserved.
 */
import { stringToU8a, u8aConcat } from '@polkadot/util'
import { encodeAddress } from '@polkadot/util-crypto'
import { EXISTENTIAL_DEPOSIT } from '../metadata/pallets/balances.ts'
import { DispatchModuleError } from '../runtime.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

/** `DispatchError::Arithmetic(Overflow)` is a nested variant: report it as the pallet-less `Arithmetic`. */
const overflow = (): DispatchModuleError => new DispatchModuleError('DispatchError', 'Arithmetic')

/** The largest u128. */
export const U128_MAX = (1n << 128n) - 1n

interface AccountCodec {
  toJSON(): Record<string, unknown>
  providers: { toNumber(): number }
  data: { free: { toBigInt(): bigint }, reserved: { toBigInt(): bigint }, toJSON(): Record<string, unknown> }
}

/** The SS58 address of a pallet's account: `"modl" ++ id (8 bytes)`, zero-padded to 32 bytes (Substrate's `PalletId::into_account_truncating`). */
export function palletAccount (id: string): string {
  const raw = u8aConcat(stringToU8a('modl'), stringToU8a(id), new Uint8Array(32))
  return encodeAddress(raw.subarray(0, 32), 42)
}

function account (rt: DevRuntime, view: StorageView, who: string): AccountCodec {
  return rt.read<AccountCodec>(view, 'system', 'account', who)
}

function put (rt: DevRuntime, view: StorageView, who: string, free: bigint, reserved: bigint): void {
  const a = account(rt, view, who)
  const providers = a.providers.toNumber() === 0 && free + reserved > 0n ? 1 : a.providers.toNumber()
  rt.write(view, { ...a.toJSON(), providers, data: { ...a.data.toJSON(), free, reserved } }, 'system', 'account', who)
}

function issuance (rt: DevRuntime, view: StorageView, delta: bigint): void {
  const total = rt.read<{ toBigInt(): bigint }>(view, 'balances', 'totalIssuance').toBigInt() + delta
  if (total < 0n || total > U128_MAX) throw overflow()
  rt.write(view, total, 'balances', 'totalIssuance')
}

/** `who`'s free and reserved balances. */
export function balanceOf (rt: DevRuntime, view: StorageView, who: string): { free: bigint, reserved: bigint } {
  const a = account(rt, view, who)
  return { free: a.data.free.toBigInt(), reserved: a.data.reserved.toBigInt() }
}

/**
 * Moves `amount` from free to reserved, keeping the existential deposit free; otherwise throws
 * `insufficient` (the calling pallet's error, e.g. `NsnTaskMarket.InsufficientBalance`).
 */
export function reserve (rt: DevRuntime, view: StorageView, who: string, amount: bigint, insufficient: DispatchModuleError): EventToEmit[] {
  const { free, reserved } = balanceOf(rt, view, who)
  if (amount < 0n || free < amount || free - amount < EXISTENTIAL_DEPOSIT) throw insufficient
  if (reserved + amount > U128_MAX) throw overflow()
  put(rt, view, who, free - amount, reserved + amount)
  return [{ pallet: 'Balances', name: 'Reserved', data: [who, amount] }]
}

/** Moves `amount` from reserved back to free. A reserved balance below `amount` is a pallet bookkeeping bug and throws a plain Error. */
export function unreserve (rt: DevRuntime, view: StorageView, who: string, amount: bigint): EventToEmit[] {
  const { free, reserved } = balanceOf(rt, view, who)
  if (reserved < amount) throw new Error(`reserved balance of ${who} is below ${amount}`)
  if (free + amount > U128_MAX) throw overflow()
  put(rt, view, who, free + amount, reserved - amount)
  return [{ pallet: 'Balances', name: 'Unreserved', data: [who, amount] }]
}

/** Burns `amount` of `who`'s reserved balance (a slash), lowering the total issuance. */
export function burnReserved (rt: DevRuntime, view: StorageView, who: string, amount: bigint): EventToEmit[] {
  const { free, reserved } = balanceOf(rt, view, who)
  if (reserved < amount) throw new Error(`reserved balance of ${who} is below ${amount}`)
  put(rt, view, who, free, reserved - amount)
  issuance(rt, view, -amount)
  return [{ pallet: 'Balances', name: 'Slashed', data: [who, amount] }]
}

/** Moves `amount` of `from`'s reserved balance to `to`'s free balance (Substrate's `repatriate_reserved`). */
export function repatriateReserved (rt: DevRuntime, view: StorageView, from: string, to: string, amount: bigint): EventToEmit[] {
  const src = balanceOf(rt, view, from)
  if (src.reserved < amount) throw new Error(`reserved balance of ${from} is below ${amount}`)
  put(rt, view, from, src.free, src.reserved - amount)
  const dst = balanceOf(rt, view, to)
  if (dst.free + amount > U128_MAX) throw overflow()
  put(rt, view, to, dst.free + amount, dst.reserved)
  return [{ pallet: 'Balances', name: 'ReserveRepatriated', data: [from, to, amount, 'Free'] }]
}

/**
 * Transfers free balance. `keepAlive` refuses to take the sender below the existential deposit
 * (`Balances.Expendability`); a new account must receive at least the existential deposit.
 */
export function transfer (rt: DevRuntime, view: StorageView, from: string, to: string, amount: bigint, keepAlive: boolean): EventToEmit[] {
  const src = balanceOf(rt, view, from)
  if (amount > src.free) throw new DispatchModuleError('Balances', 'InsufficientBalance')
  const left = src.free - amount
  if (keepAlive && left < EXISTENTIAL_DEPOSIT) throw new DispatchModuleError('Balances', 'Expendability')
  const dst = balanceOf(rt, view, to)
  if (dst.free + dst.reserved + amount < EXISTENTIAL_DEPOSIT) throw new DispatchModuleError('Balances', 'ExistentialDeposit')
  if (dst.free + amount > U128_MAX) throw overflow()
  const events: EventToEmit[] = []
  if (dst.free + dst.reserved === 0n) events.push({ pallet: 'System', name: 'NewAccount', data: [to] }, { pallet: 'Balances', name: 'Endowed', data: [to, amount] })
  put(rt, view, from, left, src.reserved)
  const after = balanceOf(rt, view, to)
  put(rt, view, to, after.free + amount, after.reserved)
  events.push({ pallet: 'Balances', name: 'Transfer', data: [from, to, amount] })
  return events
}

/** Mints `amount` into `to`'s free balance (rewards), raising the total issuance. */
export function mint (rt: DevRuntime, view: StorageView, to: string, amount: bigint): EventToEmit[] {
  if (amount === 0n) return []
  const dst = balanceOf(rt, view, to)
  if (dst.free + amount > U128_MAX) throw overflow()
  const events: EventToEmit[] = dst.free + dst.reserved === 0n ? [{ pallet: 'System', name: 'NewAccount', data: [to] }, { pallet: 'Balances', name: 'Endowed', data: [to, amount] }] : []
  put(rt, view, to, dst.free + amount, dst.reserved)
  issuance(rt, view, amount)
  return [...events, { pallet: 'Balances', name: 'Deposit', data: [to, amount] }]
}
