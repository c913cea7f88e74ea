// SPDX-License-Identifier: GPL-3.0-or-later
/** Signing bytes, signing and verification of segment headers and attestations (SPEC.md "Signatures"). */
import { ed25519 } from '@noble/curves/ed25519.js'
import { AbortError, InvalidInputError } from '../errors.ts'
import { encodeAttestation } from './attestation-codec.ts'
import { ATTESTATION_DOMAIN, SEGMENT_DOMAIN, SIGNATURE_BYTES } from './constants.ts'
import { blake2b256, equalBytes } from './hash.ts'
import { encodeSegmentHeader } from './segment-codec.ts'
import type { AbortOptions } from '../options.ts'
import type { Attestation, SegmentHeader, SessionSigner, SignedAttestation, SignedSegmentHeader } from './types.ts'

// Strict RFC 8032 / FIPS 186-5 verification: canonical encodings of R and A (y < p), s < L, and
// small-order public keys refused (noble's `zip215: false`). ZIP-215 would accept more encodings,
// which makes one (key, message) pair have several valid signatures: not what signed evidence needs.
const VERIFY_OPTIONS = { zip215: false }

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}

/**
 * The bytes a producer signs: `SEGMENT_DOMAIN ++ encodeSegmentHeader(h)`.
 *
 * @throws InvalidInputError when the header breaks SPEC.md
 */
export function segmentSigningBytes (h: SegmentHeader): Uint8Array {
  return concat(SEGMENT_DOMAIN, encodeSegmentHeader(h))
}

/**
 * The bytes an attester signs: `ATTESTATION_DOMAIN ++ encodeAttestation(a)`.
 *
 * @throws InvalidInputError when the attestation breaks SPEC.md
 */
export function attestationSigningBytes (a: Attestation): Uint8Array {
  return concat(ATTESTATION_DOMAIN, encodeAttestation(a))
}

async function signWith (bytes: Uint8Array, key: Uint8Array, keyField: string, signer: SessionSigner, options: AbortOptions): Promise<Uint8Array> {
  if (options.signal?.aborted === true) throw new AbortError()
  if (!equalBytes(key, signer.publicKey)) {
    throw new InvalidInputError(`${keyField} is not the signer's public key`, { field: keyField })
  }
  const signature = await signer.sign(bytes, options)
  if (!(signature instanceof Uint8Array) || signature.byteLength !== SIGNATURE_BYTES) {
    throw new InvalidInputError(`Signer returned ${String(signature?.byteLength)} bytes, expected ${SIGNATURE_BYTES}`, { field: 'signature' })
  }
  return signature
}

/**
 * Signs a segment header with the producer's session key.
 *
 * @example
 * ```ts
 * const signed = await signSegmentHeader(header, memorySessionSigner(seed), { signal })
 * ```
 * @throws InvalidInputError when the header breaks SPEC.md or `h.producer` is not `signer.publicKey`
 * @throws AbortError when `options.signal` is aborted
 */
export async function signSegmentHeader (h: SegmentHeader, signer: SessionSigner, options: AbortOptions = {}): Promise<SignedSegmentHeader> {
  const bytes = segmentSigningBytes(h)
  return { header: h, signature: await signWith(bytes, h.producer, 'producer', signer, options) }
}

/**
 * True when `s.signature` is a valid strict Ed25519 signature by `s.header.producer` over the
 * header's signing bytes. Never throws: a malformed header, key or signature gives false.
 */
export function verifySegmentHeader (s: SignedSegmentHeader): boolean {
  try {
    return ed25519.verify(s.signature, segmentSigningBytes(s.header), s.header.producer, VERIFY_OPTIONS)
  } catch {
    return false
  }
}

/**
 * True when `payload` has the header's `payloadLength` and blake2b-256 `payloadHash`. Never throws.
 */
export function verifySegmentPayload (h: SegmentHeader, payload: Uint8Array): boolean {
  try {
    return payload.byteLength === h.payloadLength && equalBytes(blake2b256(payload), h.payloadHash)
  } catch {
    return false
  }
}

/**
 * Signs an attestation with the attester's session key.
 *
 * @throws InvalidInputError when the attestation breaks SPEC.md or `a.attester` is not `signer.publicKey`
 * @throws AbortError when `options.signal` is aborted
 */
export async function signAttestation (a: Attestation, signer: SessionSigner, options: AbortOptions = {}): Promise<SignedAttestation> {
  const bytes = attestationSigningBytes(a)
  return { attestation: a, signature: await signWith(bytes, a.attester, 'attester', signer, options) }
}

/**
 * True when `s.signature` is a valid strict Ed25519 signature by `s.attestation.attester` over the
 * attestation's signing bytes. Never throws.
 */
export function verifyAttestation (s: SignedAttestation): boolean {
  try {
    return ed25519.verify(s.signature, attestationSigningBytes(s.attestation), s.attestation.attester, VERIFY_OPTIONS)
  } catch {
    return false
  }
}
