// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_storage` (index 54): pinning deals for erasure-coded shards assigned to SuperNodes,
 * payment streamed to the pinners per reward interval, and Merkle-proof audits. Names and indices
 * follow `reference/nsn-chain.md` section 6. This port's additions (section 13, weaknesses 6 and
 * 18): the `intervals`/`accrued_intervals`/`paid` fields of `PinningDeal`, the `DealSettled` event,
 * the errors after `InvalidMerkleProof`, the storage items after `ShardMerkleRoots` and the
 * `MaxDealsPerBlock`/`MaxAuditsPerBlock`/`BlockTimeMs` constants.
 */
import { BLOCK_TIME_MS } from './timing.ts'
import { NSN } from './nsn-stake.ts'
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them (the reference's values). */
export const STORAGE_CONSTANTS = {
  palletId: 'nsn/stor',
  auditSlashAmount: 10n * NSN,
  maxShardsPerDeal: 20,
  maxPinnersPerShard: 10,
  /** Deals one block's schedule bucket holds (the reference's `MaxActiveDeals` scan bound). */
  maxDealsPerBlock: 100,
  /** Audit deadlines one block's bucket holds (the reference's `MaxPendingAudits` scan bound). */
  maxAuditsPerBlock: 100,
  maxSelectableCandidates: 50,
  erasureDataShards: 10,
  erasureParityShards: 4,
  replicationFactor: 5,
  auditDeadlineBlocks: 100,
  rewardIntervalBlocks: 100,
  maxMerkleDepth: 16,
  /** Leaf size of the shard Merkle trees (bytes). */
  leafBytes: 64,
  /** The block time the per-block audit probability is derived with (the dev timing profile). */
  blockTimeMs: BLOCK_TIME_MS
} as const
const K = STORAGE_CONSTANTS

const path = (name: string): string[] => ['pallet_nsn_storage', 'types', name]
const account = (name: string): ReturnType<typeof f> => f(name, 'AccountId32', 'T::AccountId')
const balance = (name: string): ReturnType<typeof f> => f(name, 'u128', 'BalanceOf<T>')
const hash = (name: string, typeName: string): ReturnType<typeof f> => f(name, '[u8; 32]', typeName)
const block = (name: string): ReturnType<typeof f> => f(name, 'u32', 'BlockNumberFor<T>')
const c = (name: string, type: string, value: bigint | number, doc: string): { name: string, type: string, value: bigint | number, docs: string[] } =>
  ({ name, type, value, docs: [` ${doc}`] })

/** The NsnStorage pallet. */
export const nsnStorage: PalletDef = {
  name: 'NsnStorage',
  index: 54,
  crate: 'pallet_nsn_storage',
  types: [
    enumType('DealStatus', path('DealStatus'), units(['Active', 'Expired', 'Cancelled'])),
    enumType('AuditStatus', path('AuditStatus'), units(['Pending', 'Passed', 'Failed'])),
    struct('PinningDeal', path('PinningDeal'), [
      hash('deal_id', 'DealId'), account('creator'), f('shards', 'BoundedVec<[u8; 32]>', 'BoundedVec<ShardHash, T::MaxShardsPerDeal>'),
      f('merkle_roots', 'BoundedVec<[u8; 32]>', 'BoundedVec<MerkleRoot, T::MaxShardsPerDeal>'), block('created_at'), block('expires_at'),
      balance('total_reward'), f('status', 'DealStatus', 'DealStatus'),
      f('intervals', 'u32', 'u32', [' Reward intervals the deal pays: `floor(duration / RewardIntervalBlocks)`.']),
      f('accrued_intervals', 'u32', 'u32', [' Intervals credited to the pinners so far.']),
      balance('paid')
    ]),
    struct('AuditChallenge', path('AuditChallenge'), [f('byte_offset', 'u32', 'u32'), f('byte_length', 'u32', 'u32'), f('nonce', '[u8; 16]', '[u8; 16]')]),
    struct('PinningAudit', path('PinningAudit'), [
      hash('audit_id', 'AuditId'), account('pinner'), hash('shard_hash', 'ShardHash'), f('challenge', 'AuditChallenge', 'AuditChallenge'), block('deadline'), f('status', 'AuditStatus', 'AuditStatus')
    ]),
    struct('MerkleProof', path('MerkleProof'), [f('leaf_data', '[u8; 64]', '[u8; 64]'), f('siblings', 'BoundedVec<[u8; 32]>', 'BoundedVec<[u8; 32], ConstU32<16>>'), f('leaf_index', 'u32', 'u32')])
  ],
  calls: [
    v('create_deal', 0, [
      f('shards', 'BoundedVec<[u8; 32]>', 'BoundedVec<ShardHash, T::MaxShardsPerDeal>'), f('merkle_roots', 'BoundedVec<[u8; 32]>', 'BoundedVec<MerkleRoot, T::MaxShardsPerDeal>'),
      block('duration_blocks'), balance('payment')
    ], ['Pin 10 to 20 shards (none in another live deal) for `duration_blocks`; `payment` moves to the pallet account, is streamed to the pinners per interval, the rest refunded at expiry.']),
    v('calculate_audit_probability', 1, [account('pinner')], ['Emit a SuperNode\'s audit probability (billionths per block). Root only.']),
    v('initiate_audit', 2, [account('pinner'), hash('shard_hash', 'ShardHash')], ['Challenge a pinner assigned to a live shard. Root only.']),
    v('submit_audit_proof', 3, [hash('audit_id', 'AuditId'), f('proof', 'MerkleProof', 'MerkleProof')], ['Answer an audit with the challenged leaf and its Merkle path (the audited pinner only).']),
    v('claim_rewards', 4, [], ['Claim the caller\'s accrued pinning rewards.'])
  ],
  events: [
    v('DealCreated', 0, [hash('deal_id', 'DealId'), account('creator'), f('shard_count', 'u32', 'u32'), balance('total_reward')], ['A deal was created.']),
    v('ShardAssigned', 1, [hash('shard', 'ShardHash'), account('pinner')], ['A shard was assigned to a pinner.']),
    v('AuditProbabilityCalculated', 2, [account('pinner'), f('probability', 'u64', 'u64')], ['A pinner\'s audit probability in billionths per block.']),
    v('AuditStarted', 3, [hash('audit_id', 'AuditId'), account('pinner'), hash('shard_hash', 'ShardHash')], ['An audit started.']),
    v('AuditCompleted', 4, [hash('audit_id', 'AuditId'), f('passed', 'bool', 'bool')], ['An audit passed or failed (a wrong proof or the deadline passing).']),
    v('RewardsDistributed', 5, [account('pinner'), balance('amount')], ['A pinner was credited one interval of its shards\' payment.']),
    v('DealExpired', 6, [hash('deal_id', 'DealId')], ['A deal expired and was removed.']),
    v('RewardsClaimed', 7, [account('pinner'), balance('amount')], ['A pinner claimed its rewards.']),
    v('DealSettled', 8, [hash('deal_id', 'DealId'), balance('refund')], ['An expired deal\'s unpaid remainder was refunded to its creator.'])
  ],
  errors: [
    v('InsufficientShards', 0, [], ['Fewer than `ErasureDataShards` shards.']),
    v('TooManyShards', 1, [], ['More than `MaxShardsPerDeal` shards.']),
    v('MerkleRootsMismatch', 2, [], ['One Merkle root per shard is required.']),
    v('InsufficientSuperNodes', 3, [], ['Fewer than `ReplicationFactor` SuperNodes to pin with (or the account is not a SuperNode).']),
    v('AuditNotFound', 4, [], ['No pending audit with this id (completed audits are removed).']),
    v('NotAuditTarget', 5, [], ['Only the audited pinner may answer.']),
    v('AuditAlreadyCompleted', 6, [], ['Declared to keep the reference\'s indices: completed audits are removed, so `AuditNotFound` is returned instead.']),
    v('Overflow', 7, [], ['A block number or amount overflows.']),
    v('InsufficientBalance', 8, [], ['The creator cannot pay (keeping the existential deposit).']),
    v('DealNotFound', 9, [], ['The shard belongs to no live deal.']),
    v('NoRewards', 10, [], ['Nothing to claim.']),
    v('MerkleRootNotFound', 11, [], ['The shard has no stored Merkle root.']),
    v('InvalidMerkleProof', 12, [], ['Declared to keep the reference\'s indices: a wrong proof is recorded as a failed audit.']),
    v('ShardInUse', 13, [], ['A shard belongs to another live deal (or is listed twice).']),
    v('DurationTooShort', 14, [], ['The deal lasts less than one reward interval.']),
    v('PaymentTooLow', 15, [], ['The payment is below one base unit per pinner and interval.']),
    v('PinnerNotAssigned', 16, [], ['The pinner is not assigned to the shard.']),
    v('ScheduleFull', 17, [], ['No block in the scheduling window has room for the deal.'])
  ],
  storage: [
    { name: 'PinningDeals', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: 'PinningDeal', docs: [' Live deals; removed when they expire.'] },
    { name: 'ShardAssignments', modifier: 'Default', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: 'BoundedVec<AccountId32>', docs: [' The pinners of each live shard.'] },
    { name: 'PinnerRewards', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'u128', docs: [' Accrued, unclaimed rewards (held as reserved balance of the pallet account).'] },
    { name: 'PendingAudits', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: 'PinningAudit', docs: [' Pending audits; removed when answered or timed out.'] },
    { name: 'ShardMerkleRoots', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: '[u8; 32]', docs: [' Each live shard\'s Merkle root.'] },
    { name: 'ShardDeal', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: '[u8; 32]', docs: [' The live deal a shard belongs to (a shard is in one live deal at most).'] },
    { name: 'DealSchedule', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'BoundedVec<[u8; 32]>', docs: [' Deals due for accrual or expiry at a block (`MaxDealsPerBlock` each).'] },
    { name: 'AuditDeadlines', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'BoundedVec<[u8; 32]>', docs: [' Audits that time out at a block (`MaxAuditsPerBlock` each).'] },
    { name: 'AuditCounter', modifier: 'Default', type: 'u64', docs: [' Audits started so far (part of each audit id).'] }
  ],
  constants: [
    { name: 'PalletId', type: '[u8; 8]', value: new TextEncoder().encode(K.palletId), docs: [' The pallet account\'s id.'] },
    c('AuditSlashAmount', 'u128', K.auditSlashAmount, 'Stake slashed for a failed audit.'),
    c('MaxShardsPerDeal', 'u32', K.maxShardsPerDeal, 'Shards per deal at most.'),
    c('MaxPinnersPerShard', 'u32', K.maxPinnersPerShard, 'Pinners per shard at most.'),
    c('MaxDealsPerBlock', 'u32', K.maxDealsPerBlock, 'Deals processed per block at most.'),
    c('MaxAuditsPerBlock', 'u32', K.maxAuditsPerBlock, 'Audit deadlines processed per block at most.'),
    c('MaxSelectableCandidates', 'u32', K.maxSelectableCandidates, 'SuperNodes considered per selection (the best by reputation).'),
    c('ErasureDataShards', 'u32', K.erasureDataShards, 'Data shards per chunk: the fewest shards per deal.'),
    c('ErasureParityShards', 'u32', K.erasureParityShards, 'Parity shards per chunk.'),
    c('ReplicationFactor', 'u32', K.replicationFactor, 'Pinners per shard.'),
    c('AuditDeadlineBlocks', 'u32', K.auditDeadlineBlocks, 'Blocks to answer an audit.'),
    c('RewardIntervalBlocks', 'u32', K.rewardIntervalBlocks, 'Blocks per reward interval.'),
    c('MaxMerkleDepth', 'u32', K.maxMerkleDepth, 'The deepest Merkle path (so at most 2^16 leaves of 64 bytes per shard).')
  ],
  docs: ['Pinning deals for erasure-coded shards on SuperNodes, streamed pinner rewards and Merkle-proof audits.']
}
