// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_stake` (index 50): role tiers by staked amount, per-node and per-region caps,
 * delegation, root slashing and each node's dual-lane mode. Names and indices follow
 * `reference/nsn-chain.md` section 2; the errors after `NotStaked` and the storage items after
 * `NodeModes` are this port's additions for the fixes listed in section 13 (weaknesses 11, 13, 15).
 *
 * Amounts are at the dev chain's 12 decimals (1 NSN = 10^12 base units), so the role thresholds are
 * the reference's NSN amounts at this chain's unit.
 */
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** 1 NSN in base units at the dev chain's 12 decimals. */
export const NSN = 10n ** 12n

/** The pallet's constants, as the runtime configures them. */
export const STAKE_CONSTANTS = {
  minStakeDirector: 100n * NSN,
  minStakeSuperNode: 50n * NSN,
  minStakeValidator: 10n * NSN,
  minStakeRelay: 5n * NSN,
  maxStakePerNode: 1_000n * NSN,
  maxRegionPercentage: 20,
  regionCapBootstrapStake: 1_000n * NSN,
  delegationMultiplier: 5,
  maxDelegationsPerDelegator: 10,
  maxDelegatorsPerValidator: 100,
  /** The shortest lock (blocks): one dev epoch (6 slots of 10 blocks); fixes weakness 15. */
  minLockBlocks: 60
} as const

/** `NodeRole` variants by SCALE index. */
export const NODE_ROLES = ['None', 'Relay', 'Validator', 'SuperNode', 'Director', 'ActiveDirector', 'Reserve'] as const
export type NodeRole = typeof NODE_ROLES[number]
/** `Region` variants by SCALE index. */
export const REGIONS = ['NaWest', 'NaEast', 'EuWest', 'EuEast', 'Apac', 'Latam', 'Mena'] as const
export type Region = typeof REGIONS[number]

const balance = (name: string): ReturnType<typeof f> => f(name, 'u128', 'BalanceOf<T>')
const account = (name: string): ReturnType<typeof f> => f(name, 'AccountId32', 'T::AccountId')
const path = (name: string): string[] => ['pallet_nsn_stake', 'types', name]
const c = (name: string, type: string, value: bigint | number, doc: string): { name: string, type: string, value: bigint | number, docs: string[] } =>
  ({ name, type, value, docs: [` ${doc}`] })

/** The NsnStake pallet. */
export const nsnStake: PalletDef = {
  name: 'NsnStake',
  index: 50,
  crate: 'pallet_nsn_stake',
  types: [
    enumType('NodeRole', path('NodeRole'), units([...NODE_ROLES])),
    enumType('Region', path('Region'), units([...REGIONS])),
    enumType('SlashReason', path('SlashReason'), units(['BftFailure', 'AuditTimeout', 'AuditInvalid', 'MissedSlot', 'ContentViolation', 'TaskAbandonment'])),
    enumType('NodeMode', path('NodeMode'), [
      v('Lane1Active', 0),
      v('Draining', 1, [f('epoch_start', 'u32', 'BlockNumber')]),
      v('Lane0Active', 2, [f('epoch_end', 'u32', 'BlockNumber')]),
      v('Offline', 3)
    ], { params: [{ name: 'BlockNumber', type: 'u32' }] }),
    struct('StakeInfo', path('StakeInfo'), [
      f('amount', 'u128', 'Balance'), f('locked_until', 'u32', 'BlockNumber'), f('role', 'NodeRole', 'NodeRole'),
      f('region', 'Region', 'Region'), f('delegated_to_me', 'u128', 'Balance')
    ], { params: [{ name: 'Balance', type: 'u128' }, { name: 'BlockNumber', type: 'u32' }] })
  ],
  calls: [
    v('deposit_stake', 0, [balance('amount'), f('lock_blocks', 'u32', 'BlockNumberFor<T>'), f('region', 'Region', 'Region')],
      ['Stake `amount` (reserved out of the free balance) in `region`, locked for at least `lock_blocks`.']),
    v('delegate', 1, [account('validator'), balance('amount')], ['Delegate `amount` (reserved out of the free balance) to a staked node.']),
    v('withdraw_stake', 2, [balance('amount')], ['Withdraw `amount` of unlocked stake back to the free balance.']),
    v('revoke_delegation', 3, [account('validator')], ['Revoke the whole delegation to `validator`, returning it to the free balance.']),
    v('slash', 4, [account('offender'), balance('amount'), f('reason', 'SlashReason', 'SlashReason')], ['Slash (burn) up to `amount` of a node\'s stake. Root only.']),
    v('set_node_mode', 5, [account('account'), f('mode', 'NodeMode', 'NodeMode<BlockNumberFor<T>>')], ['Set a staked node\'s operating mode. Root only.'])
  ],
  events: [
    v('StakeDeposited', 0, [account('who'), balance('amount'), f('role', 'NodeRole', 'NodeRole')], ['Stake was deposited.']),
    v('StakeWithdrawn', 1, [account('who'), balance('amount')], ['Stake was withdrawn.']),
    v('StakeSlashed', 2, [account('offender'), balance('amount'), f('reason', 'SlashReason', 'SlashReason')], ['Stake was slashed (burned).']),
    v('Delegated', 3, [account('delegator'), account('validator'), balance('amount')], ['A delegation was made.']),
    v('DelegationRevoked', 4, [account('delegator'), account('validator'), balance('amount')], ['A delegation was revoked.']),
    v('NodeModeChanged', 5, [account('account'), f('new_mode', 'NodeMode', 'NodeMode<BlockNumberFor<T>>')], ['A node\'s mode changed.'])
  ],
  errors: [
    v('PerNodeCapExceeded', 0, [], ['The stake would exceed `MaxStakePerNode`.']),
    v('RegionCapExceeded', 1, [], ['The region would hold more than `MaxRegionPercentage` of all stake.']),
    v('DelegationCapExceeded', 2, [], ['Delegations would exceed `DelegationMultiplier` times the stake.']),
    v('StakeLocked', 3, [], ['The stake is still locked (lock period, or the node is serving as a director).']),
    v('InsufficientStake', 4, [], ['Not that much stake.']),
    v('ValidatorNotFound', 5, [], ['The target has no stake.']),
    v('DelegationNotFound', 6, [], ['No such delegation.']),
    v('Overflow', 7, [], ['Arithmetic overflow.']),
    v('InsufficientBalance', 8, [], ['The free balance (keeping the existential deposit) cannot cover the amount.']),
    v('NotStaked', 9, [], ['The account has no stake.']),
    v('TooManyDelegations', 10, [], ['The delegator already has `MaxDelegationsPerDelegator` delegations.']),
    v('TooManyDelegators', 11, [], ['The node already has `MaxDelegatorsPerValidator` delegators.']),
    v('ZeroAmount', 12, [], ['The amount must be greater than zero.'])
  ],
  storage: [
    { name: 'Stakes', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'StakeInfo', docs: [' Per-account stake.'] },
    { name: 'TotalStaked', modifier: 'Default', type: 'u128', docs: [' The sum of all stake amounts.'] },
    { name: 'RegionStakes', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'Region', type: 'u128', docs: [' Stake per region.'] },
    { name: 'Delegations', modifier: 'Default', hashers: ['Blake2_128Concat', 'Blake2_128Concat'], key: '(AccountId32, AccountId32)', type: 'u128', docs: [' Delegation amounts by (delegator, validator).'] },
    { name: 'NodeModes', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'NodeMode', docs: [' Each node\'s lane mode (absent reads as `Lane1Active`).'] },
    { name: 'DelegationCount', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'u32', docs: [' Number of delegations a delegator holds.'] },
    { name: 'DelegatorCount', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'u32', docs: [' Number of delegators of a node.'] }
  ],
  constants: [
    c('MinStakeDirector', 'u128', STAKE_CONSTANTS.minStakeDirector, 'Minimum stake for the Director role.'),
    c('MinStakeSuperNode', 'u128', STAKE_CONSTANTS.minStakeSuperNode, 'Minimum stake for the SuperNode role.'),
    c('MinStakeValidator', 'u128', STAKE_CONSTANTS.minStakeValidator, 'Minimum stake for the Validator role.'),
    c('MinStakeRelay', 'u128', STAKE_CONSTANTS.minStakeRelay, 'Minimum stake for the Relay role.'),
    c('MaxStakePerNode', 'u128', STAKE_CONSTANTS.maxStakePerNode, 'Maximum stake per node.'),
    c('MaxRegionPercentage', 'u32', STAKE_CONSTANTS.maxRegionPercentage, 'Maximum share (percent) of all stake in one region.'),
    c('RegionCapBootstrapStake', 'u128', STAKE_CONSTANTS.regionCapBootstrapStake, 'The region cap applies once `TotalStaked` reaches this.'),
    c('DelegationMultiplier', 'u32', STAKE_CONSTANTS.delegationMultiplier, 'Delegations to a node are capped at this multiple of its stake.'),
    c('MaxDelegationsPerDelegator', 'u32', STAKE_CONSTANTS.maxDelegationsPerDelegator, 'Maximum delegations per delegator.'),
    c('MaxDelegatorsPerValidator', 'u32', STAKE_CONSTANTS.maxDelegatorsPerValidator, 'Maximum delegators per node.'),
    c('MinLockBlocks', 'u32', STAKE_CONSTANTS.minLockBlocks, 'The shortest stake lock in blocks (shorter requests are raised to it).')
  ],
  docs: ['Staking with role tiers, per-node and per-region caps, delegation, slashing and node modes.']
}
