// SPDX-License-Identifier: GPL-3.0-or-later
/** Test data helpers shared by Node and browser tests. */

/** Deterministic pseudo-random bytes (xorshift32), so no two offsets look alike. */
export function bytesOf (length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    out[i] = x & 0xff
  }
  return out
}
