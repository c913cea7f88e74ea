// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Named types of `sp_core`, `sp_runtime`, `sp_weights` and `frame_support` that every pallet can
 * use, with the Rust paths and shapes of polkadot-sdk. polkadot-js maps some paths to its own
 * built-in codecs (`AccountId32`, `MultiAddress`, `Era`, `H256`; see `PATHS_ALIAS` in
 * `@polkadot/types/metadata/PortableRegistry`), so for those the inner shape only has to encode the
 * same bytes; the rest it decodes from the shapes declared here.
 */
import { enumType, f, struct, u, units, v } from './def-helpers.ts'
import type { NamedTypeDef, VariantDef } from './types.ts'

/** `Immortal` = 0 and `Mortal{n}(u8)` = n for n in 1..=255: the scale-info shape of `Era`. */
function eraVariants (): VariantDef[] {
  const variants: VariantDef[] = [v('Immortal', 0)]
  for (let n = 1; n <= 255; n++) variants.push(v(`Mortal${n}`, n, [u('u8')]))
  return variants
}

/** Core named types (see the module docs). */
export const CORE_TYPES: NamedTypeDef[] = [
  struct('H256', ['primitive_types', 'H256'], [u('[u8; 32]')]),
  struct('AccountId32', ['sp_core', 'crypto', 'AccountId32'], [u('[u8; 32]', '[u8; 32]')]),
  enumType('MultiAddress', ['sp_runtime', 'multiaddress', 'MultiAddress'], [
    v('Id', 0, [u('AccountId32', 'AccountId')]),
    v('Index', 1, [u('Compact<()>', 'AccountIndex')]),
    v('Raw', 2, [u('Vec<u8>')]),
    v('Address32', 3, [u('[u8; 32]')]),
    v('Address20', 4, [u('[u8; 20]')])
  ], { params: [{ name: 'AccountId', type: 'AccountId32' }, { name: 'AccountIndex', type: '()' }] }),
  enumType('MultiSignature', ['sp_runtime', 'MultiSignature'], [
    v('Ed25519', 0, [u('[u8; 64]', 'ed25519::Signature')]),
    v('Sr25519', 1, [u('[u8; 64]', 'sr25519::Signature')]),
    v('Ecdsa', 2, [u('[u8; 65]', 'ecdsa::Signature')])
  ]),
  enumType('Era', ['sp_runtime', 'generic', 'era', 'Era'], eraVariants()),
  struct('Weight', ['sp_weights', 'weight_v2', 'Weight'], [f('ref_time', 'Compact<u64>', 'u64'), f('proof_size', 'Compact<u64>', 'u64')]),
  struct('RuntimeDbWeight', ['sp_weights', 'RuntimeDbWeight'], [f('read', 'u64', 'u64'), f('write', 'u64', 'u64')]),
  enumType('DispatchClass', ['frame_support', 'dispatch', 'DispatchClass'], units(['Normal', 'Operational', 'Mandatory'])),
  enumType('Pays', ['frame_support', 'dispatch', 'Pays'], units(['Yes', 'No'])),
  struct('DispatchInfo', ['frame_support', 'dispatch', 'DispatchInfo'], [
    f('weight', 'Weight', 'Weight'), f('class', 'DispatchClass', 'DispatchClass'), f('pays_fee', 'Pays', 'Pays')
  ]),
  struct('ModuleError', ['sp_runtime', 'ModuleError'], [f('index', 'u8', 'u8'), f('error', '[u8; 4]', '[u8; MAX_MODULE_ERROR_ENCODED_SIZE]')]),
  enumType('TokenError', ['sp_runtime', 'TokenError'], units(['FundsUnavailable', 'OnlyProvider', 'BelowMinimum', 'CannotCreate',
    'UnknownAsset', 'Frozen', 'Unsupported', 'CannotCreateHold', 'NotExpendable', 'Blocked'])),
  enumType('ArithmeticError', ['sp_arithmetic', 'ArithmeticError'], units(['Underflow', 'Overflow', 'DivisionByZero'])),
  enumType('TransactionalError', ['sp_runtime', 'TransactionalError'], units(['LimitReached', 'NoLayer'])),
  enumType('DispatchError', ['sp_runtime', 'DispatchError'], [
    ...units(['Other', 'CannotLookup', 'BadOrigin']),
    v('Module', 3, [u('ModuleError', 'ModuleError')]),
    ...units(['ConsumerRemaining', 'NoProviders', 'TooManyConsumers'], 4),
    v('Token', 7, [u('TokenError', 'TokenError')]),
    v('Arithmetic', 8, [u('ArithmeticError', 'ArithmeticError')]),
    v('Transactional', 9, [u('TransactionalError', 'TransactionalError')]),
    ...units(['Exhausted', 'Corruption', 'Unavailable', 'RootNotAllowed'], 10)
  ]),
  enumType('DigestItem', ['sp_runtime', 'generic', 'digest', 'DigestItem'], [
    v('Other', 0, [u('Vec<u8>', 'Vec<u8>')]),
    v('Consensus', 4, [u('[u8; 4]', 'ConsensusEngineId'), u('Vec<u8>', 'Vec<u8>')]),
    v('Seal', 5, [u('[u8; 4]', 'ConsensusEngineId'), u('Vec<u8>', 'Vec<u8>')]),
    v('PreRuntime', 6, [u('[u8; 4]', 'ConsensusEngineId'), u('Vec<u8>', 'Vec<u8>')]),
    v('RuntimeEnvironmentUpdated', 8)
  ]),
  struct('Digest', ['sp_runtime', 'generic', 'digest', 'Digest'], [f('logs', 'Vec<DigestItem>', 'Vec<DigestItem>')]),
  struct('BlakeTwo256', ['sp_runtime', 'traits', 'BlakeTwo256'], []),
  struct('Header', ['sp_runtime', 'generic', 'header', 'Header'], [
    f('parent_hash', 'H256', 'Hash::Output'),
    f('number', 'Compact<u32>', 'Number'),
    f('state_root', 'H256', 'Hash::Output'),
    f('extrinsics_root', 'H256', 'Hash::Output'),
    f('digest', 'Digest', 'Digest')
  ], { params: [{ name: 'Number', type: 'u32' }, { name: 'Hash', type: 'BlakeTwo256' }] }),
  struct('Block', ['sp_runtime', 'generic', 'block', 'Block'], [
    f('header', 'Header', 'Header'), f('extrinsics', 'Vec<UncheckedExtrinsic>', 'Vec<Extrinsic>')
  ], { params: [{ name: 'Header', type: 'Header' }, { name: 'Extrinsic', type: 'UncheckedExtrinsic' }] }),
  struct('RuntimeVersion', ['sp_version', 'RuntimeVersion'], [
    f('spec_name', 'str', 'Cow<\'static, str>'),
    f('impl_name', 'str', 'Cow<\'static, str>'),
    f('authoring_version', 'u32', 'u32'),
    f('spec_version', 'u32', 'u32'),
    f('impl_version', 'u32', 'u32'),
    f('apis', 'Vec<([u8; 8], u32)>', 'ApisVec'),
    f('transaction_version', 'u32', 'u32'),
    f('state_version', 'u8', 'u8')
  ])
]
