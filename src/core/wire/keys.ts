// SPDX-License-Identifier: GPL-3.0-or-later
/** Ed25519 session keys (SPEC.md "Signatures"). */
import { ed25519 } from '@noble/curves/ed25519.js'
import { AbortError, InvalidInputError } from '../errors.ts'
import { SECRET_KEY_BYTES } from './constants.ts'
import type { AbortOptions } from '../options.ts'
import type { SessionSigner } from './types.ts'

/**
 * A `SessionSigner` holding the 32-byte Ed25519 seed in memory (RFC 8032 signing, deterministic).
 *
 * @example
 * ```ts
 * const signer = memorySessionSigner(generateSessionSecret())
 * const signed = await signSegmentHeader({ ...header, producer: signer.publicKey }, signer)
 * ```
 * @throws InvalidInputError unless `secretKey` is 32 bytes
 */
export function memorySessionSigner (secretKey: Uint8Array): SessionSigner {
  if (!(secretKey instanceof Uint8Array) || secretKey.byteLength !== SECRET_KEY_BYTES) {
    throw new InvalidInputError(`Session secret must be ${SECRET_KEY_BYTES} bytes`, { field: 'secretKey' })
  }
  // Copy, so a caller that wipes or reuses its buffer cannot change the key under us.
  const seed = new Uint8Array(secretKey)
  const publicKey = ed25519.getPublicKey(seed)
  return {
    get publicKey () { return new Uint8Array(publicKey) },
    async sign (message: Uint8Array, options: AbortOptions = {}): Promise<Uint8Array> {
      if (options.signal?.aborted === true) throw new AbortError()
      return ed25519.sign(message, seed)
    }
  }
}

/** 32 random bytes from `crypto.getRandomValues`: a fresh Ed25519 session seed. */
export function generateSessionSecret (): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(SECRET_KEY_BYTES))
}
