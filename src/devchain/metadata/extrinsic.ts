// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The extrinsic format: version 4 `UncheckedExtrinsic<MultiAddress, RuntimeCall, MultiSignature,
 * Extra>` with the signed extensions of a polkadot-sdk solochain, in `SignedExtra` order. polkadot-js
 * reads the first and third type parameter of `sp_runtime::…::UncheckedExtrinsic` to pick its
 * `Address` and `ExtrinsicSignature` codecs, and its own table of extension names
 * (`@polkadot/types/extrinsic/signedExtensions/substrate`) for the payload layout, so the names
 * below must be exactly Substrate's.
 */
import { PHANTOM_T, struct, u } from './def-helpers.ts'
import type { NamedTypeDef, SignedExtensionDef } from './types.ts'

/** The extrinsic format version (polkadot-js signs v4; v5 is not fully supported by it yet). */
export const EXTRINSIC_VERSION = 4

const EXT = ['frame_system', 'extensions']

/** The signed extensions, in order: `type` is what the extrinsic carries, `additionalSigned` what only the payload carries. */
export const SIGNED_EXTENSIONS: SignedExtensionDef[] = [
  { identifier: 'CheckNonZeroSender', type: 'CheckNonZeroSender', additionalSigned: '()' },
  { identifier: 'CheckSpecVersion', type: 'CheckSpecVersion', additionalSigned: 'u32' },
  { identifier: 'CheckTxVersion', type: 'CheckTxVersion', additionalSigned: 'u32' },
  { identifier: 'CheckGenesis', type: 'CheckGenesis', additionalSigned: 'H256' },
  { identifier: 'CheckMortality', type: 'CheckMortality', additionalSigned: 'H256' },
  { identifier: 'CheckNonce', type: 'CheckNonce', additionalSigned: '()' },
  { identifier: 'CheckWeight', type: 'CheckWeight', additionalSigned: '()' },
  { identifier: 'ChargeTransactionPayment', type: 'ChargeTransactionPayment', additionalSigned: '()' }
]

/** The tuple of all signed extension types (`SignedExtra`, the `Extra` parameter). */
export const SIGNED_EXTRA: string = `(${SIGNED_EXTENSIONS.map(e => e.type).join(', ')})`

/** The signed extension structs, `UncheckedExtrinsic` and the `Runtime` marker type. */
export const EXTRINSIC_TYPES: NamedTypeDef[] = [
  struct('CheckNonZeroSender', [...EXT, 'check_non_zero_sender', 'CheckNonZeroSender'], [], { params: PHANTOM_T }),
  struct('CheckSpecVersion', [...EXT, 'check_spec_version', 'CheckSpecVersion'], [], { params: PHANTOM_T }),
  struct('CheckTxVersion', [...EXT, 'check_tx_version', 'CheckTxVersion'], [], { params: PHANTOM_T }),
  struct('CheckGenesis', [...EXT, 'check_genesis', 'CheckGenesis'], [], { params: PHANTOM_T }),
  struct('CheckMortality', [...EXT, 'check_mortality', 'CheckMortality'], [u('Era', 'Era')], { params: PHANTOM_T }),
  struct('CheckNonce', [...EXT, 'check_nonce', 'CheckNonce'], [u('Compact<u32>', 'T::Nonce')], { params: PHANTOM_T }),
  struct('CheckWeight', [...EXT, 'check_weight', 'CheckWeight'], [], { params: PHANTOM_T }),
  struct('ChargeTransactionPayment', ['pallet_transaction_payment', 'ChargeTransactionPayment'], [u('Compact<u128>', 'BalanceOf<T>')], { params: PHANTOM_T }),
  // scale-info describes an UncheckedExtrinsic as its opaque encoding (a length-prefixed Vec<u8>)
  struct('UncheckedExtrinsic', ['sp_runtime', 'generic', 'unchecked_extrinsic', 'UncheckedExtrinsic'], [u('Vec<u8>')], {
    params: [
      { name: 'Address', type: 'MultiAddress' },
      { name: 'Call', type: 'RuntimeCall' },
      { name: 'Signature', type: 'MultiSignature' },
      { name: 'Extra', type: SIGNED_EXTRA }
    ]
  }),
  struct('Runtime', ['nsn_runtime', 'Runtime'], [])
]
