// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ChainModuleError, InvalidTransactionError, TxDroppedError } from '../../../core/chain/errors.ts'
import { AmountFormatError, describeTxError, formatAmount, parseAmount, slotOf } from './util.ts'

describe('wallet util', () => {
  it('should parse decimal amounts into base units', () => {
    expect(parseAmount('100', 12)).toBe(100n * 10n ** 12n)
    expect(parseAmount('0.5', 12)).toBe(5n * 10n ** 11n)
    expect(parseAmount('1,000.25', 2)).toBe(100_025n)
    expect(parseAmount('.5', 1)).toBe(5n)
    expect(() => parseAmount('1.234', 2)).toThrow(AmountFormatError)
    expect(() => parseAmount('abc', 12)).toThrow(/amount such as/)
    expect(() => parseAmount('', 12)).toThrow(AmountFormatError)
    expect(() => parseAmount('-1', 12)).toThrow(AmountFormatError)
  })

  it('should format base units with decimals, grouping and symbol', () => {
    expect(formatAmount(1_234_500_000_000_000n, 12, 'NSN')).toBe('1,234.5 NSN')
    expect(formatAmount(0n, 12, 'NSN')).toBe('0 NSN')
    expect(formatAmount(1n, 12)).toBe('0.000000000001')
    expect(formatAmount(-5n, 0, 'X')).toBe('-5 X')
  })

  it('should compute dev slots', () => {
    expect(slotOf(0)).toBe(0)
    expect(slotOf(19)).toBe(1)
    expect(slotOf(20)).toBe(2)
  })

  it('should describe chain errors by name', () => {
    expect(describeTxError(new ChainModuleError({ pallet: 'NsnStake', error: 'InsufficientBalance', docs: 'Too poor.' }))).toBe('NsnStake.InsufficientBalance: Too poor.')
    expect(describeTxError(new InvalidTransactionError('bad-proof', 'Transaction has a bad signature'))).toMatch(/1010.*bad signature/)
    expect(describeTxError(new InvalidTransactionError('bad-proof', 'Invalid Transaction: Transaction has a bad signature'))).toBe('Rejected by the node (1010): Invalid Transaction: Transaction has a bad signature')
    expect(describeTxError(new TxDroppedError('rejected: Cancelled', { cause: new Error('Cancelled') }))).toBe('Signing was rejected: Cancelled')
    const refused = Object.assign(new Error('Signing was rejected in the wallet extension (Cancelled)'), { name: 'ExtensionRejectedError' })
    expect(describeTxError(new TxDroppedError('rejected', { cause: refused }))).toBe(refused.message)
  })
})
