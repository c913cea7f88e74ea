// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_reputation` (index 51): director, validator and seeder scores with a weighted total,
 * inactivity decay, and a Merkle root over each block's reputation events. Names and indices follow
 * `reference/nsn-chain.md` section 3. This port's additions, for the fixes of section 13
 * (weaknesses 24, 25, 26): the `apply_decay` call, the `ReputationDecayed` event, the
 * `LastActivityMoment` and `PruneCursor` storage items and the `MaxPendingEvents` and
 * `DecayPeriodMs` constants. Checkpoints are not built yet: `CheckpointCreated`/`CheckpointTruncated`
 * are declared only to keep the reference's event indices.
 */
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const REPUTATION_CONSTANTS = {
  /** Events committed to one block's Merkle root. */
  maxEventsPerBlock: 50,
  /** Events waiting for a root; beyond `maxEventsPerBlock` they roll into the next blocks' roots (weakness 24). */
  maxPendingEvents: 500,
  defaultRetentionPeriod: 2_592_000,
  checkpointInterval: 1_000,
  decayRatePerWeek: 5,
  /** One decay period: a week of wall-clock time from `Timestamp.Now`, not of 6 s blocks (weakness 25). */
  decayPeriodMs: 7n * 24n * 3_600_000n,
  maxCheckpointAccounts: 10_000,
  /** Block numbers the pruning cursor examines per block (weakness 26: bounded, in block order). */
  maxPrunePerBlock: 256
} as const

/** `ReputationEventType` variants by SCALE index, with their delta and component. */
export const REPUTATION_EVENT_TYPES = {
  DirectorSlotAccepted: { delta: 100n, component: 'director' },
  DirectorSlotRejected: { delta: -200n, component: 'director' },
  DirectorSlotMissed: { delta: -150n, component: 'director' },
  ValidatorVoteCorrect: { delta: 5n, component: 'validator' },
  ValidatorVoteIncorrect: { delta: -10n, component: 'validator' },
  SeederChunkServed: { delta: 1n, component: 'seeder' },
  PinningAuditPassed: { delta: 10n, component: 'seeder' },
  PinningAuditFailed: { delta: -50n, component: 'seeder' },
  TaskCompleted: { delta: 5n, component: 'seeder' },
  TaskFailed: { delta: -10n, component: 'seeder' }
} as const
export type ReputationEventType = keyof typeof REPUTATION_EVENT_TYPES

const account = (name: string): ReturnType<typeof f> => f(name, 'AccountId32', 'T::AccountId')
const block = (name: string): ReturnType<typeof f> => f(name, 'u32', 'BlockNumberFor<T>')
const path = (name: string): string[] => ['pallet_nsn_reputation', 'types', name]
const c = (name: string, type: string, value: bigint | number, doc: string): { name: string, type: string, value: bigint | number, docs: string[] } =>
  ({ name, type, value, docs: [` ${doc}`] })
const K = REPUTATION_CONSTANTS

/** The NsnReputation pallet. */
export const nsnReputation: PalletDef = {
  name: 'NsnReputation',
  index: 51,
  crate: 'pallet_nsn_reputation',
  types: [
    enumType('ReputationEventType', path('ReputationEventType'), units(Object.keys(REPUTATION_EVENT_TYPES))),
    struct('ReputationScore', path('ReputationScore'), [
      f('director_score', 'u64', 'u64'), f('validator_score', 'u64', 'u64'), f('seeder_score', 'u64', 'u64'), f('last_activity', 'u64', 'u64')
    ]),
    struct('ReputationEvent', path('ReputationEvent'), [
      f('account', 'AccountId32', 'AccountId'), f('event_type', 'ReputationEventType', 'ReputationEventType'), f('slot', 'u64', 'u64'), f('block', 'u32', 'BlockNumber')
    ], { params: [{ name: 'AccountId', type: 'AccountId32' }, { name: 'BlockNumber', type: 'u32' }] }),
    struct('AggregatedEvent', path('AggregatedEvent'), [f('event_type', 'ReputationEventType', 'ReputationEventType'), f('slot', 'u64', 'u64')]),
    struct('AggregatedReputation', path('AggregatedReputation'), [
      f('net_director_delta', 'i64', 'i64'), f('net_validator_delta', 'i64', 'i64'), f('net_seeder_delta', 'i64', 'i64'),
      f('event_count', 'u32', 'u32'), f('last_aggregation_block', 'u64', 'u64')
    ])
  ],
  calls: [
    v('record_event', 0, [account('account'), f('event_type', 'ReputationEventType', 'ReputationEventType'), f('slot', 'u64', 'u64')],
      ['Record one reputation event and apply its delta (after any decay that was due). Root only.']),
    v('record_aggregated_events', 1, [account('account'), f('events', 'BoundedVec<AggregatedEvent>', 'BoundedVec<AggregatedEvent, T::MaxEventsPerBlock>')],
      ['Record up to `MaxEventsPerBlock` events of one account and apply their net deltas once. Root only.']),
    v('update_retention', 2, [block('new_period')], ['Set how many blocks Merkle roots are kept. Root only.']),
    v('apply_decay', 3, [account('account')], ['Apply the inactivity decay due to `account`. Any signed origin.'])
  ],
  events: [
    v('ReputationRecorded', 0, [account('account'), f('event_type', 'ReputationEventType', 'ReputationEventType'), f('slot', 'u64', 'u64')], ['A reputation event was recorded.']),
    v('AggregatedReputationRecorded', 1, [account('account'), f('net_director_delta', 'i64', 'i64'), f('net_validator_delta', 'i64', 'i64'),
      f('net_seeder_delta', 'i64', 'i64'), f('event_count', 'u32', 'u32')], ['A batch of reputation events was recorded.']),
    v('MerkleRootPublished', 2, [block('block'), f('root', 'H256', 'T::Hash'), f('event_count', 'u32', 'u32')], ['A block\'s reputation events were committed to a Merkle root.']),
    v('CheckpointCreated', 3, [block('block'), f('score_count', 'u32', 'u32')], ['A score checkpoint was created (not emitted by this port yet).']),
    v('CheckpointTruncated', 4, [block('block'), f('total', 'u32', 'u32'), f('included', 'u32', 'u32')], ['A checkpoint was truncated (not emitted by this port yet).']),
    v('EventsPruned', 5, [block('before_block'), f('count', 'u32', 'u32')], ['Merkle roots older than `before_block` were pruned.']),
    v('RetentionPeriodUpdated', 6, [block('old_period'), block('new_period')], ['The retention period changed.']),
    v('ReputationDecayed', 7, [account('account'), f('weeks', 'u32', 'u32')], ['Inactivity decay for `weeks` decay periods was applied.'])
  ],
  errors: [
    v('MaxEventsExceeded', 0, [], ['Too many events: the pending queue or the batch is full.']),
    v('EmptyAggregation', 1, [], ['An aggregated batch must not be empty.'])
  ],
  storage: [
    { name: 'ReputationScores', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'ReputationScore', docs: [' Scores per account.'] },
    { name: 'PendingEvents', modifier: 'Default', type: 'BoundedVec<ReputationEvent>', docs: [' Events not yet committed to a Merkle root, oldest first.'] },
    { name: 'MerkleRoots', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u32', type: 'H256', docs: [' Per-block Merkle root of the events committed in that block.'] },
    { name: 'RetentionPeriod', modifier: 'Default', type: 'u32', default: K.defaultRetentionPeriod, docs: [' How many blocks Merkle roots are kept.'] },
    { name: 'AggregatedEvents', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'AggregatedReputation', docs: [' The last batch summary per account.'] },
    { name: 'LastActivityMoment', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'u64', docs: [' The moment (ms) decay was last brought up to date for an account.'] },
    { name: 'PruneCursor', modifier: 'Default', type: 'u32', docs: [' The oldest block number whose Merkle root may still need pruning.'] }
  ],
  constants: [
    c('MaxEventsPerBlock', 'u32', K.maxEventsPerBlock, 'Events committed to one block\'s Merkle root.'),
    c('MaxPendingEvents', 'u32', K.maxPendingEvents, 'Events that may wait for a Merkle root.'),
    c('DefaultRetentionPeriod', 'u32', K.defaultRetentionPeriod, 'The default retention period in blocks.'),
    c('CheckpointInterval', 'u32', K.checkpointInterval, 'Blocks between checkpoints.'),
    c('DecayRatePerWeek', 'u64', K.decayRatePerWeek, 'Decay per inactive period, in percent.'),
    c('DecayPeriodMs', 'u64', K.decayPeriodMs, 'One decay period in milliseconds of `Timestamp.Now`.'),
    c('MaxCheckpointAccounts', 'u32', K.maxCheckpointAccounts, 'Accounts per checkpoint.'),
    c('MaxPrunePerBlock', 'u32', K.maxPrunePerBlock, 'Block numbers the pruning cursor examines per block.')
  ],
  docs: ['Reputation scores with inactivity decay and per-block Merkle roots of reputation events.']
}
