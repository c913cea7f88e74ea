// SPDX-License-Identifier: GPL-3.0-or-later
/** Content root of a clip (SPEC.md "Content root"): an RFC 6962 Merkle tree hash with blake2b-256. */
import { InvalidInputError } from '../errors.ts'
import { HASH_BYTES } from './constants.ts'
import { blake2b256 } from './hash.ts'

const LEAF = 0x00
const NODE = 0x01

/**
 * The Merkle root over a clip's segment payload hashes in sequence order (init segment first),
 * as RFC 6962 section 2.1 with blake2b-256: leaf = H(0x00 ++ hash), node = H(0x01 ++ left ++ right),
 * the left subtree holding the largest power of two smaller than n leaves; no leaves gives H("").
 *
 * @example
 * ```ts
 * const root = contentRoot([initHeader.payloadHash, ...mediaHeaders.map(h => h.payloadHash)])
 * ```
 * @throws InvalidInputError when a hash is not 32 bytes
 */
export function contentRoot (payloadHashes: readonly Uint8Array[]): Uint8Array {
  payloadHashes.forEach((hash, i) => {
    if (!(hash instanceof Uint8Array) || hash.byteLength !== HASH_BYTES) {
      throw new InvalidInputError(`Payload hash ${i} must be ${HASH_BYTES} bytes`, { field: 'payloadHashes' })
    }
  })
  if (payloadHashes.length === 0) return blake2b256(new Uint8Array(0))
  return treeHash(payloadHashes, 0, payloadHashes.length)
}

function treeHash (hashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start
  if (n === 1) return prefixed(LEAF, hashes[start] as Uint8Array)
  const k = largestPowerOfTwoBelow(n)
  return prefixed(NODE, treeHash(hashes, start, start + k), treeHash(hashes, start + k, end))
}

function largestPowerOfTwoBelow (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function prefixed (prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + parts.length * HASH_BYTES)
  out[0] = prefix
  parts.forEach((part, i) => out.set(part, 1 + i * HASH_BYTES))
  return blake2b256(out)
}
