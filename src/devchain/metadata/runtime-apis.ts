// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The runtime APIs (metadata V15 `apis`, and `RuntimeVersion.apis` with their versions). Names,
 * methods and versions are polkadot-sdk's current ones, which are also the newest versions that
 * `@polkadot/types` 16.5.6 knows (`interfaces/<area>/runtime.ts`). With V15 metadata polkadot-js
 * decorates `api.call.*` from these declarations; with V14 only, it falls back to its own
 * definitions for the versions in `RuntimeVersion.apis`, so they must be versions it knows.
 */
import { enumType, f, struct, u, units, v } from './def-helpers.ts'
import type { NamedTypeDef, RuntimeApiDef, RuntimeApiMethodDef, TypeRef } from './types.ts'

const TV = ['sp_runtime', 'transaction_validity']

/** Types used only by runtime APIs. */
export const API_TYPES: NamedTypeDef[] = [
  struct('OpaqueMetadata', ['sp_core', 'OpaqueMetadata'], [u('Vec<u8>', 'Vec<u8>')]),
  enumType('ExtrinsicInclusionMode', ['sp_runtime', 'ExtrinsicInclusionMode'], units(['AllExtrinsics', 'OnlyInherents'])),
  enumType('InvalidTransaction', [...TV, 'InvalidTransaction'], [
    ...units(['Call', 'Payment', 'Future', 'Stale', 'BadProof', 'AncientBirthBlock', 'ExhaustsResources']),
    v('Custom', 7, [u('u8', 'u8')]),
    ...units(['BadMandatory', 'MandatoryValidation', 'BadSigner', 'IndeterminateImplicit', 'UnknownOrigin'], 8)
  ]),
  enumType('UnknownTransaction', [...TV, 'UnknownTransaction'], [...units(['CannotLookup', 'NoUnsignedValidator']), v('Custom', 2, [u('u8', 'u8')])]),
  enumType('TransactionValidityError', [...TV, 'TransactionValidityError'], [
    v('Invalid', 0, [u('InvalidTransaction', 'InvalidTransaction')]),
    v('Unknown', 1, [u('UnknownTransaction', 'UnknownTransaction')])
  ]),
  enumType('TransactionSource', [...TV, 'TransactionSource'], units(['InBlock', 'Local', 'External'])),
  struct('ValidTransaction', [...TV, 'ValidTransaction'], [
    f('priority', 'u64', 'TransactionPriority'), f('requires', 'Vec<Vec<u8>>', 'Vec<TransactionTag>'),
    f('provides', 'Vec<Vec<u8>>', 'Vec<TransactionTag>'), f('longevity', 'u64', 'TransactionLongevity'), f('propagate', 'bool', 'bool')
  ]),
  struct('InherentData', ['sp_inherents', 'InherentData'], [f('data', 'BTreeMap<[u8; 8], Vec<u8>>', 'BTreeMap<InherentIdentifier, Vec<u8>>')]),
  struct('CheckInherentsResult', ['sp_inherents', 'CheckInherentsResult'], [
    f('okay', 'bool', 'bool'), f('fatal_error', 'bool', 'bool'), f('errors', 'InherentData', 'InherentData')
  ]),
  struct('KeyTypeId', ['sp_core', 'crypto', 'KeyTypeId'], [u('[u8; 4]', '[u8; 4]')])
]

const m = (name: string, inputs: Array<[string, TypeRef]>, output: TypeRef, docs: string[] = []): RuntimeApiMethodDef =>
  ({ name, inputs: inputs.map(([n, type]) => ({ name: n, type })), output, docs })

const UXT: [string, TypeRef] = ['uxt', 'UncheckedExtrinsic']

/** The runtime APIs, with the versions declared in `RuntimeVersion.apis`. */
export const RUNTIME_APIS: RuntimeApiDef[] = [
  {
    name: 'Core',
    version: 5,
    methods: [
      m('version', [], 'RuntimeVersion', [' Returns the version of the runtime.']),
      m('execute_block', [['block', 'Block']], '()', [' Execute the given block.']),
      m('initialize_block', [['header', 'Header']], 'ExtrinsicInclusionMode', [' Initialize a block with the given header and return the runtime executive mode.'])
    ],
    docs: [' The `Core` runtime api that every Substrate runtime needs to implement.']
  },
  {
    name: 'Metadata',
    version: 2,
    methods: [
      m('metadata', [], 'OpaqueMetadata', [' Returns the metadata of a runtime.']),
      m('metadata_at_version', [['version', 'u32']], 'Option<OpaqueMetadata>', [' Returns the metadata at a given version.']),
      m('metadata_versions', [], 'Vec<u32>', [' Returns the supported metadata versions.'])
    ],
    docs: [' The `Metadata` api trait that returns metadata for the runtime.']
  },
  {
    name: 'BlockBuilder',
    version: 6,
    methods: [
      m('apply_extrinsic', [['extrinsic', 'UncheckedExtrinsic']], 'Result<Result<(), DispatchError>, TransactionValidityError>', [' Apply the given extrinsic.']),
      m('finalize_block', [], 'Header', [' Finish the current block.']),
      m('inherent_extrinsics', [['inherent', 'InherentData']], 'Vec<UncheckedExtrinsic>', [' Generate inherent extrinsics.']),
      m('check_inherents', [['block', 'Block'], ['data', 'InherentData']], 'CheckInherentsResult', [' Check that the inherents are valid.'])
    ],
    docs: [' The `BlockBuilder` api trait that provides the required functionality for building a block.']
  },
  {
    name: 'TaggedTransactionQueue',
    version: 3,
    methods: [
      m('validate_transaction', [['source', 'TransactionSource'], ['tx', 'UncheckedExtrinsic'], ['block_hash', 'H256']],
        'Result<ValidTransaction, TransactionValidityError>', [' Validate the transaction.'])
    ],
    docs: [' The `TaggedTransactionQueue` api trait for interfering with the transaction queue.']
  },
  {
    name: 'OffchainWorkerApi',
    version: 2,
    methods: [m('offchain_worker', [['header', 'Header']], '()', [' Starts the off-chain task for given block header.'])],
    docs: [' The offchain worker api.']
  },
  {
    name: 'SessionKeys',
    version: 1,
    methods: [
      m('generate_session_keys', [['seed', 'Option<Vec<u8>>']], 'Vec<u8>', [' Generate a set of session keys with optionally using the given seed.']),
      m('decode_session_keys', [['encoded', 'Vec<u8>']], 'Option<Vec<(Vec<u8>, KeyTypeId)>>', [' Decode the given public session keys.'])
    ],
    docs: [' Session keys runtime api.']
  },
  {
    name: 'AccountNonceApi',
    version: 1,
    methods: [m('account_nonce', [['account', 'AccountId32']], 'u32', [' Get current account nonce of given `AccountId`.'])],
    docs: [' The API to query account nonce.']
  },
  {
    name: 'TransactionPaymentApi',
    version: 4,
    methods: [
      m('query_info', [UXT, ['len', 'u32']], 'RuntimeDispatchInfo'),
      m('query_fee_details', [UXT, ['len', 'u32']], 'FeeDetails'),
      m('query_weight_to_fee', [['weight', 'Weight']], 'u128'),
      m('query_length_to_fee', [['length', 'u32']], 'u128')
    ],
    docs: []
  }
]
