// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_treasury` (index 55): the treasury account, Root payouts, and the periodic minting
 * of emission to directors, validators and pinners in proportion to their recorded work. Names and
 * indices follow `reference/nsn-chain.md` section 7. This port's additions (section 13, weaknesses
 * 17 and 28): the `PinnerRewarded`, `PinnerWorkRecorded` and `DistributionStarted` events, the
 * errors after `DistributionOverflow`, the storage items after `AccumulatedContributionsMap` and the
 * constants. `AccumulatedContributionsMap` is keyed by (contribution period, account) here, so a
 * distribution can pay out over several blocks while new work accrues to the next period.
 */
import { NSN } from './nsn-stake.ts'
import { f, struct, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** Parts per billion (`Perbill`). */
export const PERBILL = 1_000_000_000n

/** The pallet's constants, as the runtime configures them. */
export const TREASURY_CONSTANTS = {
  /** `PalletId`: the treasury account is `palletAccount('nsn/trea')`. */
  palletId: 'nsn/trea',
  /**
   * Blocks between distributions. Dev profile: 600 blocks = 10 dev epochs (10 min of 1 s blocks);
   * the reference uses 14 400 (a day of 6 s blocks). The amount emitted does not depend on it: it
   * is the annual emission times the wall-clock time since the last distribution.
   */
  distributionFrequency: 600,
  /** Contributors paid per block while a distribution is in progress (the rest in later blocks). */
  maxPayoutsPerBlock: 64,
  /** One emission year in ms of `Timestamp.Now` (365 days), not in blocks (weakness 28). */
  yearMs: 365n * 24n * 3_600_000n
} as const

/** `RewardDistribution` defaults (Perbill): directors 40 %, validators 25 %, pinners 20 %, treasury 15 %. */
export const DEFAULT_REWARD_DISTRIBUTION = {
  directorPercent: 400_000_000n,
  validatorPercent: 250_000_000n,
  pinnerPercent: 200_000_000n,
  treasuryPercent: 150_000_000n
} as const

/** `EmissionSchedule` defaults: 100 000 000 NSN in year 1, 15 % less each year. */
export const DEFAULT_EMISSION_SCHEDULE = {
  baseEmission: 100_000_000n * NSN,
  decayRate: 150_000_000n,
  currentYear: 1,
  launchBlock: 0
} as const

const path = (name: string): string[] => ['pallet_nsn_treasury', 'types', name]
const account = (name: string): ReturnType<typeof f> => f(name, 'AccountId32', 'T::AccountId')
const balance = (name: string): ReturnType<typeof f> => f(name, 'u128', 'BalanceOf<T>')
const perbill = (name: string): ReturnType<typeof f> => f(name, 'u32', 'Perbill')
const K = TREASURY_CONSTANTS

/** The NsnTreasury pallet. */
export const nsnTreasury: PalletDef = {
  name: 'NsnTreasury',
  index: 55,
  crate: 'pallet_nsn_treasury',
  types: [
    struct('RewardDistribution', path('RewardDistribution'), [perbill('director_percent'), perbill('validator_percent'), perbill('pinner_percent'), perbill('treasury_percent')]),
    struct('EmissionSchedule', path('EmissionSchedule'), [balance('base_emission'), perbill('decay_rate'), f('current_year', 'u32', 'u32'), f('launch_block', 'u32', 'BlockNumber')],
      { params: [{ name: 'Balance', type: 'u128' }, { name: 'BlockNumber', type: 'u32' }] }),
    struct('AccumulatedContributions', path('AccumulatedContributions'), [f('director_slots', 'u64', 'u64'), f('validator_votes', 'u64', 'u64'), f('pinner_shards_served', 'u64', 'u64')]),
    struct('TreasuryDistribution', path('Distribution'), [
      f('period', 'u32', 'u32'), balance('director_pool'), balance('validator_pool'), balance('pinner_pool'), balance('treasury_share'), balance('paid'),
      f('cursor', 'Option<AccountId32>', 'Option<T::AccountId>')
    ])
  ],
  calls: [
    v('fund_treasury', 0, [balance('amount')], ['Transfer `amount` from the caller to the treasury account (keeping the caller alive).']),
    v('approve_proposal', 1, [account('beneficiary'), balance('amount'), f('proposal_id', 'u32', 'u32')],
      ['Pay `amount` from the treasury account to `beneficiary`. Root only (no on-chain governance: weakness 29 is not addressed).']),
    v('record_director_work', 2, [account('account'), f('slots', 'u64', 'u64')], ['Credit `account` with certified director slots for the next distribution. Root only.']),
    v('record_validator_work', 3, [account('account'), f('votes', 'u64', 'u64')], ['Credit `account` with attestations for the next distribution. Root only.'])
  ],
  events: [
    v('TreasuryFunded', 0, [account('funder'), balance('amount')], ['The treasury was funded.']),
    v('ProposalApproved', 1, [f('proposal_id', 'u32', 'u32'), account('beneficiary'), balance('amount')], ['A payout was made.']),
    v('RewardsDistributed', 2, [f('block', 'u32', 'BlockNumberFor<T>'), balance('total')], ['A distribution finished: `total` was minted (pools, treasury share and rounding dust).']),
    v('DirectorRewarded', 3, [account('account'), balance('amount')], ['A director\'s share was minted.']),
    v('ValidatorRewarded', 4, [account('account'), balance('amount')], ['A validator\'s share was minted.']),
    v('DirectorWorkRecorded', 5, [account('account'), f('slots', 'u64', 'u64')], ['Director work was recorded.']),
    v('ValidatorWorkRecorded', 6, [account('account'), f('votes', 'u64', 'u64')], ['Validator work was recorded.']),
    v('PinnerRewarded', 7, [account('account'), balance('amount')], ['A pinner\'s share was minted.']),
    v('PinnerWorkRecorded', 8, [account('account'), f('shards', 'u64', 'u64')], ['Pinning work (shard reward intervals served) was recorded by NsnStorage.']),
    v('DistributionStarted', 9, [f('period', 'u32', 'u32'), balance('emission'), balance('treasury_share')],
      ['Contribution period `period` closed: `emission` is due, `treasury_share` was minted into the treasury account, the pools are paid out from this block on.'])
  ],
  errors: [
    v('InsufficientTreasuryFunds', 0, [], ['The treasury account cannot pay that much and stay above the existential deposit.']),
    v('EmissionOverflow', 1, [], ['The emission does not fit in u128.']),
    v('DistributionOverflow', 2, [], ['A pool or share does not fit in u128.']),
    v('Overflow', 3, [], ['A work counter would exceed u64.']),
    v('InsufficientBalance', 4, [], ['The caller\'s free balance (keeping the existential deposit) cannot cover the amount.'])
  ],
  storage: [
    { name: 'TreasuryBalance', modifier: 'Default', type: 'u128', docs: [' The treasury account\'s free balance, brought up to date after each treasury call and at the end of every block.'] },
    { name: 'RewardDistributionConfig', modifier: 'Default', type: 'RewardDistribution', default: DEFAULT_REWARD_DISTRIBUTION, docs: [' Shares of each distribution (Perbill).'] },
    { name: 'EmissionScheduleStorage', modifier: 'Default', type: 'EmissionSchedule', default: DEFAULT_EMISSION_SCHEDULE, docs: [' Annual emission and its yearly decay; `current_year` follows `Timestamp.Now`.'] },
    { name: 'LastDistributionBlock', modifier: 'Default', type: 'u32', docs: [' The block of the last distribution.'] },
    { name: 'AccumulatedContributionsMap', modifier: 'Default', hashers: ['Twox64Concat', 'Blake2_128Concat'], key: '(u32, AccountId32)', type: 'AccumulatedContributions', docs: [' Work per (contribution period, account); removed once paid.'] },
    { name: 'ContributionPeriod', modifier: 'Default', type: 'u32', docs: [' The period new work is recorded in.'] },
    { name: 'PeriodTotals', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'AccumulatedContributions', docs: [' The sum of each period\'s work (the pro-rata denominators).'] },
    { name: 'ActiveDistribution', modifier: 'Optional', type: 'TreasuryDistribution', docs: [' The distribution being paid out, with the cursor of its last paid account.'] },
    { name: 'LaunchMoment', modifier: 'Default', type: 'u64', docs: [' `Timestamp.Now` of the first block: emission years count from it.'] },
    { name: 'LastDistributionMoment', modifier: 'Default', type: 'u64', docs: [' `Timestamp.Now` of the last distribution: the next emits for the time since.'] }
  ],
  constants: [
    { name: 'PalletId', type: '[u8; 8]', value: new TextEncoder().encode(K.palletId), docs: [' The treasury account\'s pallet id.'] },
    { name: 'DistributionFrequency', type: 'u32', value: K.distributionFrequency, docs: [' Blocks between distributions (dev profile: 600).'] },
    { name: 'MaxPayoutsPerBlock', type: 'u32', value: K.maxPayoutsPerBlock, docs: [' Contributors paid per block.'] },
    { name: 'YearMs', type: 'u64', value: K.yearMs, docs: [' One emission year in milliseconds.'] }
  ],
  docs: ['Treasury account, Root payouts and periodic emission to directors, validators and pinners by recorded work.']
}
