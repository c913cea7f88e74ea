// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { f16BitsToF32, f32ToF16Bits, fromFloat16, toFloat16 } from './f16.ts'

describe('float16 conversions', () => {
  it('should encode known values to their IEEE binary16 bits', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [0.333251953125, 0x3555], [Infinity, 0x7c00], [-Infinity, 0xfc00], [1e6, 0x7c00], [2 ** -26, 0x0000]
    ]
    for (const [value, bits] of cases) expect(f32ToF16Bits(value), String(value)).toBe(bits)
    expect(f32ToF16Bits(Number.NaN) & 0x7c00).toBe(0x7c00)
    expect(f32ToF16Bits(Number.NaN) & 0x3ff).not.toBe(0)
  })

  it('should round to nearest, ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 (even mantissa) and 1 + 2^-10: ties go to 1
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00)
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02)
    // just above the halfway point rounds up
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01)
    // 65520 is halfway between 65504 and the overflow: rounds to Infinity
    expect(f32ToF16Bits(65520)).toBe(0x7c00)
    // subnormal tie: 1.5 · 2^-24 goes to 2 · 2^-24 (even)
    expect(f32ToF16Bits(1.5 * 2 ** -24)).toBe(0x0002)
  })

  it('should decode every finite half exactly and round-trip it', () => {
    for (let h = 0; h < 0x10000; h++) {
      const exp = (h >>> 10) & 0x1f
      if (exp === 0x1f) continue
      const v = f16BitsToF32(h)
      expect(Number.isFinite(v)).toBe(true)
      if (f32ToF16Bits(v) !== h) throw new Error(`half 0x${h.toString(16)} → ${v} → 0x${f32ToF16Bits(v).toString(16)}`)
    }
    expect(f16BitsToF32(0x7c00)).toBe(Infinity)
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity)
    expect(f16BitsToF32(0x7e00)).toBeNaN()
  })

  it('should convert arrays within half precision', () => {
    const values = new Float32Array([-1.5, 0.1, 3.14159, 1000.25, -0.0001])
    const back = fromFloat16(toFloat16(values))
    for (let i = 0; i < values.length; i++) expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11 + 2 ** -25)
  })
})
