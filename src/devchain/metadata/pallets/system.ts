// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `frame_system` (index 0): accounts, block number and hashes, events, digest, and the block limits
 * as constants. Shapes follow polkadot-sdk; `set_code` and the other root calls are left out.
 */
import { enumType, f, struct, u, units, v } from '../def-helpers.ts'
import { RUNTIME_VERSION } from '../runtime-version.ts'
import type { PalletDef } from '../types.ts'

const U64_MAX = 18_446_744_073_709_551_615n
const weight = (refTime: number | bigint, proofSize: number | bigint = U64_MAX): { refTime: bigint, proofSize: bigint } =>
  ({ refTime: BigInt(refTime), proofSize: BigInt(proofSize) })

/** Weights of a 6 s block with 2 s of compute (the polkadot-sdk solochain template's limits). */
const BASE_EXTRINSIC = weight(124_414_000, 0)
const BLOCK_WEIGHTS = {
  baseBlock: weight(390_584_000, 0),
  maxBlock: weight(2_000_000_000_000),
  perClass: {
    normal: { baseExtrinsic: BASE_EXTRINSIC, maxExtrinsic: weight(1_479_875_586_000), maxTotal: weight(1_500_000_000_000), reserved: weight(0, 0) },
    operational: { baseExtrinsic: BASE_EXTRINSIC, maxExtrinsic: weight(1_979_875_586_000), maxTotal: weight(2_000_000_000_000), reserved: weight(500_000_000_000) },
    mandatory: { baseExtrinsic: BASE_EXTRINSIC, maxExtrinsic: null, maxTotal: null, reserved: null }
  }
}

const LIMITS = ['frame_system', 'limits']

/** The System pallet. */
export const system: PalletDef = {
  name: 'System',
  index: 0,
  crate: 'frame_system',
  types: [
    struct('AccountInfo', ['frame_system', 'AccountInfo'], [
      f('nonce', 'u32', 'Nonce'), f('consumers', 'u32', 'RefCount'), f('providers', 'u32', 'RefCount'),
      f('sufficients', 'u32', 'RefCount'), f('data', 'AccountData', 'AccountData')
    ], { params: [{ name: 'Nonce', type: 'u32' }, { name: 'AccountData', type: 'AccountData' }] }),
    enumType('Phase', ['frame_system', 'Phase'], [v('ApplyExtrinsic', 0, [u('u32', 'u32')]), ...units(['Finalization', 'Initialization'], 1)]),
    struct('EventRecord', ['frame_system', 'EventRecord'], [f('phase', 'Phase', 'Phase'), f('event', 'RuntimeEvent', 'E'), f('topics', 'Vec<H256>', 'Vec<T>')],
      { params: [{ name: 'E', type: 'RuntimeEvent' }, { name: 'T', type: 'H256' }] }),
    struct('WeightsPerClass', [...LIMITS, 'WeightsPerClass'], [
      f('base_extrinsic', 'Weight', 'Weight'), f('max_extrinsic', 'Option<Weight>', 'Option<Weight>'),
      f('max_total', 'Option<Weight>', 'Option<Weight>'), f('reserved', 'Option<Weight>', 'Option<Weight>')
    ]),
    struct('PerDispatchClassWeightsPerClass', ['frame_support', 'dispatch', 'PerDispatchClass'],
      [f('normal', 'WeightsPerClass', 'T'), f('operational', 'WeightsPerClass', 'T'), f('mandatory', 'WeightsPerClass', 'T')],
      { params: [{ name: 'T', type: 'WeightsPerClass' }] }),
    struct('PerDispatchClassU32', ['frame_support', 'dispatch', 'PerDispatchClass'],
      [f('normal', 'u32', 'T'), f('operational', 'u32', 'T'), f('mandatory', 'u32', 'T')],
      { params: [{ name: 'T', type: 'u32' }] }),
    struct('BlockWeights', [...LIMITS, 'BlockWeights'], [
      f('base_block', 'Weight', 'Weight'), f('max_block', 'Weight', 'Weight'),
      f('per_class', 'PerDispatchClassWeightsPerClass', 'PerDispatchClass<WeightsPerClass>')
    ]),
    struct('BlockLength', [...LIMITS, 'BlockLength'], [f('max', 'PerDispatchClassU32', 'PerDispatchClass<u32>')])
  ],
  calls: [
    v('remark', 0, [f('remark', 'Vec<u8>', 'Vec<u8>')], ['Make some on-chain remark.', '', 'Can be executed by every `origin`.']),
    v('remark_with_event', 7, [f('remark', 'Vec<u8>', 'Vec<u8>')], ['Make some on-chain remark and emit event.'])
  ],
  events: [
    v('ExtrinsicSuccess', 0, [f('dispatch_info', 'DispatchInfo', 'DispatchInfo')], ['An extrinsic completed successfully.']),
    v('ExtrinsicFailed', 1, [f('dispatch_error', 'DispatchError', 'DispatchError'), f('dispatch_info', 'DispatchInfo', 'DispatchInfo')], ['An extrinsic failed.']),
    v('CodeUpdated', 2, [], ['`:code` was updated.']),
    v('NewAccount', 3, [f('account', 'AccountId32', 'T::AccountId')], ['A new account was created.']),
    v('KilledAccount', 4, [f('account', 'AccountId32', 'T::AccountId')], ['An account was reaped.']),
    v('Remarked', 5, [f('sender', 'AccountId32', 'T::AccountId'), f('hash', 'H256', 'T::Hash')], ['On on-chain remark happened.'])
  ],
  errors: units(['InvalidSpecName', 'SpecVersionNeedsToIncrease', 'FailedToExtractRuntimeVersion', 'NonDefaultComposite',
    'NonZeroRefCount', 'CallFiltered', 'MultiBlockMigrationsOngoing', 'NothingAuthorized', 'Unauthorized']),
  storage: [
    { name: 'Account', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'AccountInfo', docs: [' The full account information for a particular account ID.'] },
    { name: 'ExtrinsicCount', modifier: 'Optional', type: 'u32', docs: [' Total extrinsics count for the current block.'] },
    { name: 'BlockHash', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'H256', docs: [' Map of block numbers to block hashes.'] },
    { name: 'ExtrinsicData', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'Vec<u8>', docs: [' Extrinsics data for the current block (maps an extrinsic\'s index to its data).'] },
    { name: 'Number', modifier: 'Default', type: 'u32', docs: [' The current block number being processed. Set by `execute_block`.'] },
    { name: 'ParentHash', modifier: 'Default', type: 'H256', docs: [' Hash of the previous block.'] },
    { name: 'Digest', modifier: 'Default', type: 'Digest', docs: [' Digest of the current block, also part of the block header.'] },
    { name: 'Events', modifier: 'Default', type: 'Vec<Box<EventRecord>>', docs: [' Events deposited for the current block.'] },
    { name: 'EventCount', modifier: 'Default', type: 'u32', docs: [' The number of events in the `Events<T>` list.'] }
  ],
  constants: [
    { name: 'BlockWeights', type: 'BlockWeights', value: BLOCK_WEIGHTS, docs: [' Block & extrinsics weights: base values and limits.'] },
    { name: 'BlockLength', type: 'BlockLength', value: { max: { normal: 3_932_160, operational: 5_242_880, mandatory: 5_242_880 } }, docs: [' The maximum length of a block (in bytes).'] },
    { name: 'BlockHashCount', type: 'u32', value: 2400, docs: [' Maximum number of block number to block hash mappings to keep (oldest pruned first).'] },
    { name: 'DbWeight', type: 'RuntimeDbWeight', value: { read: 25_000_000, write: 100_000_000 }, docs: [' The weight of runtime database operations the runtime can invoke.'] },
    { name: 'Version', type: 'RuntimeVersion', value: RUNTIME_VERSION, docs: [' Get the chain\'s in-code version.'] },
    { name: 'SS58Prefix', type: 'u16', value: 42, docs: [' The designated SS58 prefix of this chain.'] }
  ],
  docs: ['The System pallet provides low-level access to core types and cross-cutting utilities.']
}
