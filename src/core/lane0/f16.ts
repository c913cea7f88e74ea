// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * IEEE 754 binary16 ("half") conversions for float16 model inputs and outputs, which the runtimes
 * exchange as raw half bits in a `Uint16Array` (`src/core/ai/inference.ts`). Platform-free: no
 * `Float16Array` (not in every engine this project targets).
 */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** The half bits nearest to `value` (round to nearest, ties to even; overflow → ±Infinity; NaN stays NaN). */
export function f32ToF16Bits (value: number): number {
  f32[0] = value
  const x = u32[0]!
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  const mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0) // Inf or NaN (quiet)
  const e = exp - 127 + 15 // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00 // too large: Infinity
  if (e <= 0) {
    // subnormal half (or zero): shift the full mantissa (with its implicit 1) into place
    if (e < -10) return sign // below half the smallest subnormal: ±0
    const m = mant | 0x800000
    const shift = 14 - e
    let h = m >>> shift
    const rest = m & ((1 << shift) - 1)
    const half = 1 << (shift - 1)
    if (rest > half || (rest === half && (h & 1) === 1)) h++
    return sign | h
  }
  let h = (e << 10) | (mant >>> 13)
  const rest = mant & 0x1fff
  // round to nearest even; a carry out of the mantissa correctly bumps the exponent (up to Infinity)
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++
  return sign | h
}

/** The value of the half bits `h` (exact: every half is a float32). */
export function f16BitsToF32 (h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1
  const exp = (h >>> 10) & 0x1f
  const mant = h & 0x3ff
  if (exp === 0) return sign * mant * 2 ** -24
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : Number.NaN
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

/** Converts a float32 array to half bits. */
export function toFloat16 (values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]!)
  return out
}

/** Converts half bits to a float32 array. */
export function fromFloat16 (bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length)
  for (let i = 0; i < bits.length; i++) out[i] = f16BitsToF32(bits[i]!)
  return out
}
