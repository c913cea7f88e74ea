// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_balances` (index 5). Balances live in `System.Account` (`AccountData` below), as in a
 * polkadot-sdk runtime with `type AccountStore = System`. Call, event and error indices are
 * polkadot-sdk's; the old `KeepAlive` error is `Expendability` (index 4) since polkadot-sdk 1.0.
 */
import { enumType, f, struct, u, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/**
 * The existential deposit: 0.001 NSN at 12 decimals. An account whose free balance would fall
 * below it is reaped (`transfer_allow_death`) or the transfer fails (`transfer_keep_alive`).
 */
export const EXISTENTIAL_DEPOSIT = 1_000_000_000n

const who = f('who', 'AccountId32', 'T::AccountId')
const amount = f('amount', 'u128', 'T::Balance')
const dest = f('dest', 'MultiAddress', 'AccountIdLookupOf<T>')
const value = f('value', 'Compact<u128>', 'T::Balance')

/** The Balances pallet. */
export const balances: PalletDef = {
  name: 'Balances',
  index: 5,
  crate: 'pallet_balances',
  types: [
    struct('ExtraFlags', ['pallet_balances', 'types', 'ExtraFlags'], [u('u128', 'u128')]),
    struct('AccountData', ['pallet_balances', 'types', 'AccountData'], [
      f('free', 'u128', 'Balance'), f('reserved', 'u128', 'Balance'), f('frozen', 'u128', 'Balance'), f('flags', 'ExtraFlags', 'ExtraFlags')
    ], { params: [{ name: 'Balance', type: 'u128' }] }),
    enumType('BalanceStatus', ['frame_support', 'traits', 'tokens', 'misc', 'BalanceStatus'], units(['Free', 'Reserved'])),
    enumType('Reasons', ['pallet_balances', 'types', 'Reasons'], units(['Fee', 'Misc', 'All'])),
    struct('BalanceLock', ['pallet_balances', 'types', 'BalanceLock'], [
      f('id', '[u8; 8]', 'LockIdentifier'), f('amount', 'u128', 'Balance'), f('reasons', 'Reasons', 'Reasons')
    ], { params: [{ name: 'Balance', type: 'u128' }] }),
    struct('ReserveData', ['pallet_balances', 'types', 'ReserveData'], [f('id', '[u8; 8]', 'ReserveIdentifier'), f('amount', 'u128', 'Balance')],
      { params: [{ name: 'ReserveIdentifier', type: '[u8; 8]' }, { name: 'Balance', type: 'u128' }] })
  ],
  calls: [
    v('transfer_allow_death', 0, [dest, value], ['Transfer some liquid free balance to another account; the sender may be reaped.']),
    v('force_transfer', 2, [f('source', 'MultiAddress', 'AccountIdLookupOf<T>'), dest, value], ['Exactly as `transfer_allow_death`, except the origin must be root and the source account may be specified.']),
    v('transfer_keep_alive', 3, [dest, value], ['Same as the `transfer_allow_death` call, but with a check that the transfer will not kill the origin account.']),
    v('transfer_all', 4, [dest, f('keep_alive', 'bool', 'bool')], ['Transfer the entire transferable balance from the caller account.']),
    v('force_unreserve', 5, [f('who', 'MultiAddress', 'AccountIdLookupOf<T>'), f('amount', 'u128', 'T::Balance')], ['Unreserve some balance from a user by force.', '', 'Can only be called by ROOT.']),
    v('force_set_balance', 8, [f('who', 'MultiAddress', 'AccountIdLookupOf<T>'), f('new_free', 'Compact<u128>', 'T::Balance')], ['Set the regular balance of a given account.', '', 'The dispatch origin for this call is `root`.'])
  ],
  events: [
    v('Endowed', 0, [f('account', 'AccountId32', 'T::AccountId'), f('free_balance', 'u128', 'T::Balance')], ['An account was created with some free balance.']),
    v('DustLost', 1, [f('account', 'AccountId32', 'T::AccountId'), amount], ['An account was removed whose balance was non-zero but below ExistentialDeposit, resulting in an outright loss.']),
    v('Transfer', 2, [f('from', 'AccountId32', 'T::AccountId'), f('to', 'AccountId32', 'T::AccountId'), amount], ['Transfer succeeded.']),
    v('BalanceSet', 3, [who, f('free', 'u128', 'T::Balance')], ['A balance was set by root.']),
    v('Reserved', 4, [who, amount], ['Some balance was reserved (moved from free to reserved).']),
    v('Unreserved', 5, [who, amount], ['Some balance was unreserved (moved from reserved to free).']),
    v('ReserveRepatriated', 6, [f('from', 'AccountId32', 'T::AccountId'), f('to', 'AccountId32', 'T::AccountId'), amount, f('destination_status', 'BalanceStatus', 'Status')], ['Some balance was moved from the reserve of the first account to the second account.']),
    v('Deposit', 7, [who, amount], ['Some amount was deposited (e.g. for transaction fees).']),
    v('Withdraw', 8, [who, amount], ['Some amount was withdrawn from the account (e.g. for transaction fees).']),
    v('Slashed', 9, [who, amount], ['Some amount was removed from the account (e.g. for misbehavior).']),
    v('Minted', 10, [who, amount], ['Some amount was minted into an account.']),
    v('Burned', 11, [who, amount], ['Some amount was burned from an account.'])
  ],
  errors: [
    v('VestingBalance', 0, [], ['Vesting balance too high to send value.']),
    v('LiquidityRestrictions', 1, [], ['Account liquidity restrictions prevent withdrawal.']),
    v('InsufficientBalance', 2, [], ['Balance too low to send value.']),
    v('ExistentialDeposit', 3, [], ['Value too low to create account due to existential deposit.']),
    v('Expendability', 4, [], ['Transfer/payment would kill account.']),
    v('ExistingVestingSchedule', 5, [], ['A vesting schedule already exists for this account.']),
    v('DeadAccount', 6, [], ['Beneficiary account must pre-exist.']),
    v('TooManyReserves', 7, [], ['Number of named reserves exceed `MaxReserves`.']),
    v('TooManyHolds', 8, [], ['Number of holds exceed `VariantCountOf<T::RuntimeHoldReason>`.']),
    v('TooManyFreezes', 9, [], ['Number of freezes exceed `MaxFreezes`.']),
    v('IssuanceDeactivated', 10, [], ['The issuance cannot be modified since it is already deactivated.']),
    v('DeltaZero', 11, [], ['The delta cannot be zero.'])
  ],
  storage: [
    { name: 'TotalIssuance', modifier: 'Default', type: 'u128', docs: [' The total units issued in the system.'] },
    { name: 'InactiveIssuance', modifier: 'Default', type: 'u128', docs: [' The total units of outstanding deactivated balance in the system.'] },
    { name: 'Locks', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'WeakBoundedVec<BalanceLock>', docs: [' Any liquidity locks on some account balances.'] },
    { name: 'Reserves', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'BoundedVec<ReserveData>', docs: [' Named reserves on some account balances.'] }
  ],
  constants: [
    { name: 'ExistentialDeposit', type: 'u128', value: EXISTENTIAL_DEPOSIT, docs: [' The minimum amount required to keep an account open. MUST BE GREATER THAN ZERO!'] },
    { name: 'MaxLocks', type: 'u32', value: 50, docs: [' The maximum number of locks that should exist on an account.'] },
    { name: 'MaxReserves', type: 'u32', value: 50, docs: [' The maximum number of named reserves that can exist on an account.'] },
    { name: 'MaxFreezes', type: 'u32', value: 8, docs: [' The maximum number of individual freeze locks that can exist on an account at any time.'] }
  ],
  docs: ['The Balances pallet provides functionality for handling accounts and balances for a single token.']
}
