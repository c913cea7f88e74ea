// SPDX-License-Identifier: GPL-3.0-or-later
/** SCALE codecs of attestations and certificates (SPEC.md "Attestation", "Certificate"). */
import { Enum, Struct, _void, str, u32, u64, u8 } from 'scale-ts'
import { HASH_BYTES, MAX_ATTESTATIONS_PER_CERTIFICATE, MAX_SCORES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './constants.ts'
import { boundedVector, decodeExact, failDecode, failInput, field, fixedBytes, unitEnum } from './scale.ts'
import { checkAttestation, checkCertificate, checkSignedAttestation } from './validate.ts'
import type { Attestation, Certificate, Score, ScoreKind, SignedAttestation, Verdict } from './types.ts'
import type { Codec } from 'scale-ts'

const verdict: Codec<Verdict> = unitEnum(Enum({ accept: _void, reject: _void }))

// Variant order is normative: clip = 0, face = 1, lipsync = 2, duration = 3, format = 4.
const scoreKind: Codec<ScoreKind> = unitEnum(Enum({ clip: _void, face: _void, lipsync: _void, duration: _void, format: _void }))

const scoreCodec: Codec<Score> = Struct({
  kind: field('kind', scoreKind),
  value: field('value', u32)
})

/** SCALE layout of `Attestation`; the key order is the field order on the wire. */
export const attestationCodec: Codec<Attestation> = Struct({
  version: field('version', u8),
  channel: field('channel', str),
  slot: field('slot', u64),
  contentRoot: field('contentRoot', fixedBytes(HASH_BYTES)),
  leader: field('leader', fixedBytes(PUBLIC_KEY_BYTES)),
  verdict: field('verdict', verdict),
  scores: field('scores', boundedVector(scoreCodec, MAX_SCORES)),
  attester: field('attester', fixedBytes(PUBLIC_KEY_BYTES))
})

/** SCALE layout of `SignedAttestation`: the attestation, then the 64-byte signature. */
export const signedAttestationCodec: Codec<SignedAttestation> = Struct({
  attestation: field('attestation', attestationCodec),
  signature: field('signature', fixedBytes(SIGNATURE_BYTES))
})

/** SCALE layout of `Certificate`. */
export const certificateCodec: Codec<Certificate> = Struct({
  channel: field('channel', str),
  slot: field('slot', u64),
  contentRoot: field('contentRoot', fixedBytes(HASH_BYTES)),
  leader: field('leader', fixedBytes(PUBLIC_KEY_BYTES)),
  attestations: field('attestations', boundedVector(signedAttestationCodec, MAX_ATTESTATIONS_PER_CERTIFICATE))
})

/**
 * Encodes an attestation to its SCALE bytes.
 *
 * @throws InvalidInputError when a field breaks SPEC.md (its `field` names it)
 */
export function encodeAttestation (a: Attestation): Uint8Array {
  checkAttestation(a, failInput)
  return attestationCodec.enc(a)
}

/**
 * Decodes exactly one attestation.
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeAttestation (b: Uint8Array): Attestation {
  return decodeExact(attestationCodec, b, 'Attestation', (a) => { checkAttestation(a, failDecode) })
}

/**
 * Encodes a signed attestation: the attestation bytes followed by the 64 signature bytes.
 *
 * @throws InvalidInputError when a field breaks SPEC.md
 */
export function encodeSignedAttestation (s: SignedAttestation): Uint8Array {
  checkSignedAttestation(s, failInput)
  return signedAttestationCodec.enc(s)
}

/**
 * Decodes exactly one signed attestation (the signature is not verified: see `verifyAttestation`).
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeSignedAttestation (b: Uint8Array): SignedAttestation {
  return decodeExact(signedAttestationCodec, b, 'SignedAttestation', (s) => { checkSignedAttestation(s, failDecode) })
}

/**
 * Encodes a certificate. Every attestation must be over the certificate's (channel, slot, contentRoot,
 * leader) and come from a distinct attester; signatures are not checked here.
 *
 * @throws InvalidInputError when a field breaks SPEC.md
 */
export function encodeCertificate (c: Certificate): Uint8Array {
  checkCertificate(c, failInput)
  return certificateCodec.enc(c)
}

/**
 * Decodes exactly one certificate, with the same consistency rules as `encodeCertificate`. Signatures,
 * committee membership and the threshold are the verifier's job (`verifyAttestation` per entry).
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeCertificate (b: Uint8Array): Certificate {
  return decodeExact(certificateCodec, b, 'Certificate', (c) => { checkCertificate(c, failDecode) })
}
