// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnStake (index 50) call implementations. Stake and delegations are **reserved**: they move from
 * `System.Account.data.free` to `.reserved` and back, so the free balance, stake and delegations
 * never count the same tokens twice (section 13, weakness 11). Slashing burns reserved funds and
 * never fails because of delegations (weakness 12); a region change moves the whole stake between
 * regions (weakness 13); locks have a floor and a serving director cannot withdraw (weakness 15).
 */
import { hexToU8a } from '@polkadot/util'
import { STAKE_CONSTANTS as K } from '../metadata/pallets/nsn-stake.ts'
import { DispatchModuleError } from '../runtime.ts'
import type { NodeRole, Region } from '../metadata/pallets/nsn-stake.ts'
import { burnReserved, reserve, unreserve, U128_MAX } from './currency.ts'
import { big, ensureRoot, ensureSigned } from './origin.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

export { U128_MAX }

export type { CallArg, Origin } from './origin.ts'

interface StakeInfo { amount: bigint, lockedUntil: number, role: NodeRole, region: Region, delegatedToMe: bigint }

const PALLET = 'NsnStake'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)

/** Fails with `Overflow` when `x` is outside u128. */
function u128 (x: bigint): bigint {
  if (x < 0n || x > U128_MAX) throw fail('Overflow')
  return x
}

/** The role for a staked amount; a serving director keeps its role while the tier is still Director. */
export function roleFor (amount: bigint, current: NodeRole): NodeRole {
  const tier: NodeRole = amount >= K.minStakeDirector
    ? 'Director'
    : amount >= K.minStakeSuperNode ? 'SuperNode' : amount >= K.minStakeValidator ? 'Validator' : amount >= K.minStakeRelay ? 'Relay' : 'None'
  return tier === 'Director' && (current === 'ActiveDirector' || current === 'Reserve') ? current : tier
}

/** Storage access for one dispatch. */
class StakeStore {
  private readonly rt: DevRuntime
  private readonly view: StorageView
  constructor (rt: DevRuntime, view: StorageView) {
    this.rt = rt
    this.view = view
  }

  now (): number {
    return this.rt.read<{ toNumber(): number }>(this.view, 'system', 'number').toNumber()
  }

  stake (who: string): StakeInfo {
    const s = this.rt.read<{ amount: { toBigInt(): bigint }, lockedUntil: { toNumber(): number }, role: { type: string }, region: { type: string }, delegatedToMe: { toBigInt(): bigint } }>(this.view, 'nsnStake', 'stakes', who)
    return { amount: s.amount.toBigInt(), lockedUntil: s.lockedUntil.toNumber(), role: s.role.type as NodeRole, region: s.region.type as Region, delegatedToMe: s.delegatedToMe.toBigInt() }
  }

  setStake (who: string, s: StakeInfo): void { this.rt.write(this.view, s, 'nsnStake', 'stakes', who) }
  big (section: string, method: string, ...keys: unknown[]): bigint { return this.rt.read<{ toBigInt(): bigint }>(this.view, section, method, ...keys).toBigInt() }
  num (method: string, key: string): number { return this.rt.read<{ toNumber(): number }>(this.view, 'nsnStake', method, key).toNumber() }
  put (value: unknown, method: string, ...keys: unknown[]): void { this.rt.write(this.view, value, 'nsnStake', method, ...keys) }
  mode (who: string): string { return this.rt.read<{ type: string }>(this.view, 'nsnStake', 'nodeModes', who).type }

  /** Adds `delta` (may be negative) to `TotalStaked` and to a region's stake. */
  addTotals (region: Region, delta: bigint): void {
    this.put(u128(this.big('nsnStake', 'totalStaked') + delta), 'totalStaked')
    this.put(u128(this.big('nsnStake', 'regionStakes', region) + delta), 'regionStakes', region)
  }

  /** Moves `amount` from free to reserved, keeping the existential deposit free. */
  reserve (who: string, amount: bigint): EventToEmit[] {
    return reserve(this.rt, this.view, who, amount, fail('InsufficientBalance'))
  }

  /** Moves `amount` from reserved back to free (`burn`: removes it from reserved and the issuance). */
  unreserve (who: string, amount: bigint, burn = false): EventToEmit[] {
    return burn ? burnReserved(this.rt, this.view, who, amount) : unreserve(this.rt, this.view, who, amount)
  }
}

const signed = ensureSigned
const root = ensureRoot

function depositStake (st: StakeStore, who: string, amount: bigint, lockBlocks: number, region: Region): EventToEmit[] {
  const old = st.stake(who)
  const total = u128(old.amount + amount)
  if (total > K.maxStakePerNode) throw fail('PerNodeCapExceeded')
  const totalStaked = st.big('nsnStake', 'totalStaked')
  // weakness 13: a new region takes the whole stake with it, so count all of it there
  const moved = old.region !== region ? old.amount : 0n
  const regionAfter = u128(st.big('nsnStake', 'regionStakes', region) + moved + amount)
  if (totalStaked >= K.regionCapBootstrapStake && regionAfter * 100n > u128(totalStaked + amount) * BigInt(K.maxRegionPercentage)) throw fail('RegionCapExceeded')
  const events = amount > 0n ? st.reserve(who, amount) : []
  if (moved > 0n) {
    st.addTotals(old.region, -moved)
    st.addTotals(region, moved)
  }
  st.addTotals(region, amount)
  const role = roleFor(total, old.role)
  // weakness 15: the lock is at least MinLockBlocks; u32 block numbers saturate
  const lockedUntil = Math.max(old.lockedUntil, Math.min(0xffff_ffff, st.now() + Math.max(lockBlocks, K.minLockBlocks)))
  st.setStake(who, { ...old, amount: total, lockedUntil, role, region })
  return [...events, { pallet: PALLET, name: 'StakeDeposited', data: [who, amount, role] }]
}

function delegate (st: StakeStore, who: string, validator: string, amount: bigint): EventToEmit[] {
  if (amount === 0n) throw fail('ZeroAmount')
  const target = st.stake(validator)
  if (target.amount === 0n) throw fail('ValidatorNotFound')
  const delegatedToMe = u128(target.delegatedToMe + amount)
  if (delegatedToMe > target.amount * BigInt(K.delegationMultiplier)) throw fail('DelegationCapExceeded')
  const existing = st.big('nsnStake', 'delegations', who, validator)
  if (existing === 0n) {
    // weakness 11: both bounds are enforced when a delegation is created
    if (st.num('delegationCount', who) >= K.maxDelegationsPerDelegator) throw fail('TooManyDelegations')
    if (st.num('delegatorCount', validator) >= K.maxDelegatorsPerValidator) throw fail('TooManyDelegators')
    st.put(st.num('delegationCount', who) + 1, 'delegationCount', who)
    st.put(st.num('delegatorCount', validator) + 1, 'delegatorCount', validator)
  }
  // weakness 11: the delegated tokens are reserved, so they cannot also back stake or be spent
  const events = st.reserve(who, amount)
  st.put(u128(existing + amount), 'delegations', who, validator)
  st.setStake(validator, { ...st.stake(validator), delegatedToMe })
  return [...events, { pallet: PALLET, name: 'Delegated', data: [who, validator, amount] }]
}

function withdrawStake (st: StakeStore, who: string, amount: bigint): EventToEmit[] {
  if (amount === 0n) throw fail('ZeroAmount')
  const s = st.stake(who)
  if (st.now() <= s.lockedUntil) throw fail('StakeLocked')
  // weakness 15: a director serving in (or draining from) Lane 0 keeps its stake until it is released
  if (s.role === 'ActiveDirector' || ['Lane0Active', 'Draining'].includes(st.mode(who))) throw fail('StakeLocked')
  if (amount > s.amount) throw fail('InsufficientStake')
  const left = s.amount - amount
  if (s.delegatedToMe > left * BigInt(K.delegationMultiplier)) throw fail('DelegationCapExceeded')
  st.addTotals(s.region, -amount)
  st.setStake(who, { ...s, amount: left, role: roleFor(left, s.role) })
  return [...st.unreserve(who, amount), { pallet: PALLET, name: 'StakeWithdrawn', data: [who, amount] }]
}

function revokeDelegation (st: StakeStore, who: string, validator: string): EventToEmit[] {
  const amount = st.big('nsnStake', 'delegations', who, validator)
  if (amount === 0n) throw fail('DelegationNotFound')
  st.put(0n, 'delegations', who, validator)
  st.put(st.num('delegationCount', who) - 1, 'delegationCount', who)
  st.put(st.num('delegatorCount', validator) - 1, 'delegatorCount', validator)
  const target = st.stake(validator)
  st.setStake(validator, { ...target, delegatedToMe: target.delegatedToMe > amount ? target.delegatedToMe - amount : 0n })
  return [...st.unreserve(who, amount), { pallet: PALLET, name: 'DelegationRevoked', data: [who, validator, amount] }]
}

function slash (st: StakeStore, offender: string, requested: bigint, reason: string): EventToEmit[] {
  const s = st.stake(offender)
  const amount = requested < s.amount ? requested : s.amount
  if (amount === 0n) return []
  // weakness 12: delegations never block a slash; they only block new delegations until the
  // stake is topped up again
  const left = s.amount - amount
  st.addTotals(s.region, -amount)
  st.setStake(offender, { ...s, amount: left, role: roleFor(left, s.role) })
  return [...st.unreserve(offender, amount, true), { pallet: PALLET, name: 'StakeSlashed', data: [offender, amount, reason] }]
}

function setNodeMode (st: StakeStore, account: string, mode: CallArg): EventToEmit[] {
  if (st.stake(account).amount === 0n) throw fail('NotStaked')
  st.put(mode, 'nodeModes', account)
  return [{ pallet: PALLET, name: 'NodeModeChanged', data: [account, mode] }]
}

export { big }

/**
 * Dispatches `nsnStake.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnStake (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const st = new StakeStore(rt, view)
  const a = (i: number): CallArg => args[i] as CallArg
  switch (method) {
    case 'depositStake':
      return depositStake(st, signed(origin), big(a(0)), (a(1).toNumber as () => number).call(a(1)), a(2).type as Region)
    case 'delegate':
      return delegate(st, signed(origin), a(0).toString(), big(a(1)))
    case 'withdrawStake':
      return withdrawStake(st, signed(origin), big(a(0)))
    case 'revokeDelegation':
      return revokeDelegation(st, signed(origin), a(0).toString())
    case 'slash':
      root(origin)
      return slash(st, a(0).toString(), big(a(1)), a(2).type as string)
    case 'setNodeMode':
      root(origin)
      return setNodeMode(st, a(0).toString(), a(1))
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** The stake record of `who` (zero amount when absent). */
export function stakeOf (rt: DevRuntime, view: StorageView, who: string): Readonly<StakeInfo> {
  return new StakeStore(rt, view).stake(who)
}

/** Every account with a stake entry (all of them: the dev chain's stake set is small). */
export function stakers (rt: DevRuntime, view: StorageView): string[] {
  const keys = view.keys(rt.prefix('nsnStake', 'stakes'))
  return keys.map(k => rt.registry.createType('AccountId32', hexToU8a(`0x${k.slice(-64)}`)).toString()).sort()
}

/** `who`'s node mode (`Lane1Active` when unset). */
export function nodeModeOf (rt: DevRuntime, view: StorageView, who: string): string {
  return new StakeStore(rt, view).mode(who)
}

/** Sets a staked node's mode and role from another pallet (the director's epoch transitions). */
export function setModeAndRole (rt: DevRuntime, view: StorageView, who: string, mode: unknown, role: NodeRole): EventToEmit[] {
  const st = new StakeStore(rt, view)
  const s = st.stake(who)
  if (s.amount === 0n) return []
  st.put(mode, 'nodeModes', who)
  if (s.role !== role) st.setStake(who, { ...s, role })
  return [{ pallet: PALLET, name: 'NodeModeChanged', data: [who, mode] }]
}

/** Slashes (burns) up to `amount` of `offender`'s stake for `reason`, from another pallet; never fails on delegations (weakness 12). */
export function slashStake (rt: DevRuntime, view: StorageView, offender: string, amount: bigint, reason: string): EventToEmit[] {
  return slash(new StakeStore(rt, view), offender, amount, reason)
}
