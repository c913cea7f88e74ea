// SPDX-License-Identifier: GPL-3.0-or-later

/** Constant-time equality of two byte arrays. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/**
 * `input` as a Uint8Array that spans its whole buffer (scale-ts decoders read `input.buffer` and ignore
 * `byteOffset`). Copies when needed; never uses `.slice()`, which is a view on a Node `Buffer`.
 */
export function ownBuffer (input: Uint8Array): Uint8Array {
  if (input.byteOffset === 0 && input.byteLength === input.buffer.byteLength && input.constructor === Uint8Array) return input
  const copy = new Uint8Array(input.byteLength)
  copy.set(input)
  return copy
}

/** The parts one after the other, in a new array (always a copy). */
export function concatBytes (parts: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const p of parts) total += p.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
