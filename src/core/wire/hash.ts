// SPDX-License-Identifier: GPL-3.0-or-later
/** Hashing and hex helpers (SPEC.md "Hashing"). */
import { blake2b } from '@noble/hashes/blake2.js'
import { InvalidInputError } from '../errors.ts'

const HEX_RE = /^(?:[0-9a-f]{2})*$/

/**
 * blake2b with a 32-byte digest and no key, as Substrate's `blake2_256`.
 *
 * @example
 * ```ts
 * toHex(blake2b256(new Uint8Array())) // '0e5751c0…'
 * ```
 */
export function blake2b256 (data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 })
}

/**
 * The gossip message id: blake2b-256 of the whole encoded message bytes (header and payload).
 * A copy that differs in any byte, payload included, gets a different id.
 */
export function messageId (encodedMessage: Uint8Array): Uint8Array {
  return blake2b256(encodedMessage)
}

/** Lowercase hex without a `0x` prefix. */
export function toHex (bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/**
 * Parses lowercase hex without a `0x` prefix (the output of `toHex`).
 *
 * @throws InvalidInputError on an odd length, a prefix, upper case or any non-hex character
 */
export function fromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new InvalidInputError('Expected lowercase hex of even length without 0x', { field: 'hex' })
  }
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export { equalBytes } from '../bytes.ts'
