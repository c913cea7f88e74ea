// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { NSN } from '../metadata/pallets/nsn-stake.ts'
import { PERBILL } from '../metadata/pallets/nsn-treasury.ts'
import { annualEmission, perbillOf } from './nsn-treasury.ts'

describe('NsnTreasury emission maths', () => {
  it('should floor Perbill products', () => {
    expect(perbillOf(10n, 150_000_000n)).toBe(1n)
    expect(perbillOf(1_000n, PERBILL)).toBe(1_000n)
    expect(perbillOf(999n, 1n)).toBe(0n)
  })

  it('should decay the annual emission by the rate each year, flooring yearly, in u128', () => {
    const base = 100_000_000n * NSN
    expect(annualEmission(base, 150_000_000n, 1)).toBe(base)
    expect(annualEmission(base, 150_000_000n, 2)).toBe(85_000_000n * NSN)
    expect(annualEmission(base, 150_000_000n, 3)).toBe(72_250_000n * NSN)
    // far above u64: no saturation
    const huge = 1n << 100n
    expect(annualEmission(huge, 0n, 5)).toBe(huge)
    expect(annualEmission(7n, 150_000_000n, 3)).toBe(7n * 850_000_000n / PERBILL * 850_000_000n / PERBILL)
  })
})
