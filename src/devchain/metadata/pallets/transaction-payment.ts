// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_transaction_payment` (index 6): the fee multiplier, the fee-paid event and the types of
 * the `TransactionPaymentApi` runtime API.
 */
import { enumType, f, struct, u, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** `FixedU128::one()`: the inner value of a multiplier of 1. */
export const FIXED_U128_ONE = 1_000_000_000_000_000_000n

/** The TransactionPayment pallet. */
export const transactionPayment: PalletDef = {
  name: 'TransactionPayment',
  index: 6,
  crate: 'pallet_transaction_payment',
  types: [
    struct('FixedU128', ['sp_arithmetic', 'fixed_point', 'FixedU128'], [u('u128', 'u128')]),
    enumType('Releases', ['pallet_transaction_payment', 'Releases'], units(['V1Ancient', 'V2'])),
    struct('RuntimeDispatchInfo', ['pallet_transaction_payment', 'types', 'RuntimeDispatchInfo'], [
      f('weight', 'Weight', 'Weight'), f('class', 'DispatchClass', 'DispatchClass'), f('partial_fee', 'u128', 'Balance')
    ], { params: [{ name: 'Balance', type: 'u128' }, { name: 'Weight', type: 'Weight' }] }),
    struct('InclusionFee', ['pallet_transaction_payment', 'types', 'InclusionFee'], [
      f('base_fee', 'u128', 'Balance'), f('len_fee', 'u128', 'Balance'), f('adjusted_weight_fee', 'u128', 'Balance')
    ], { params: [{ name: 'Balance', type: 'u128' }] }),
    struct('FeeDetails', ['pallet_transaction_payment', 'types', 'FeeDetails'], [
      f('inclusion_fee', 'Option<InclusionFee>', 'Option<InclusionFee<Balance>>'), f('tip', 'u128', 'Balance')
    ], { params: [{ name: 'Balance', type: 'u128' }] })
  ],
  events: [
    v('TransactionFeePaid', 0, [f('who', 'AccountId32', 'T::AccountId'), f('actual_fee', 'u128', 'BalanceOf<T>'), f('tip', 'u128', 'BalanceOf<T>')], [
      'A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee,',
      'has been paid by `who`.'
    ])
  ],
  storage: [
    { name: 'NextFeeMultiplier', modifier: 'Default', type: 'FixedU128', default: FIXED_U128_ONE, docs: [] },
    { name: 'StorageVersion', modifier: 'Default', type: 'Releases', docs: [] }
  ],
  constants: [
    {
      name: 'OperationalFeeMultiplier',
      type: 'u8',
      value: 5,
      docs: [' A fee multiplier for `Operational` extrinsics to compute "virtual tip" to boost their `priority`.']
    }
  ],
  docs: []
}
