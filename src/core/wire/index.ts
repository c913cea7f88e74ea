// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The normative NSN wire format, version 2: SCALE layouts of segment headers, segment gossip messages,
 * attestations and certificates, their signing bytes, blake2b-256 hashing, the clip content root and
 * fixed-point scores. SPEC.md is the prose; vectors/vectors.json the golden test vectors.
 *
 * @example
 * ```ts
 * import { encodeSegmentMessage, signSegmentHeader, memorySessionSigner } from '../wire/index.ts'
 * const signed = await signSegmentHeader(header, memorySessionSigner(seed))
 * const bytes = encodeSegmentMessage({ type: 'full', header: signed, payload })
 * ```
 */
export {
  ATTESTATION_DOMAIN,
  HASH_BYTES,
  MAX_ATTESTATIONS_PER_CERTIFICATE,
  MAX_CHANNEL_BYTES,
  MAX_CODEC_BYTES,
  MAX_SCORES,
  MAX_SEGMENT_PAYLOAD_BYTES,
  PUBLIC_KEY_BYTES,
  SCORE_ONE,
  SECRET_KEY_BYTES,
  SEGMENT_DOMAIN,
  SIGNATURE_BYTES,
  WIRE_VERSION
} from './constants.ts'
export { WireDecodeError } from './errors.ts'
export { blake2b256, fromHex, messageId, toHex } from './hash.ts'
export {
  decodeSegmentHeader,
  decodeSegmentMessage,
  decodeSignedSegmentHeader,
  encodeSegmentHeader,
  encodeSegmentMessage,
  encodeSignedSegmentHeader
} from './segment-codec.ts'
export {
  decodeAttestation,
  decodeCertificate,
  decodeSignedAttestation,
  encodeAttestation,
  encodeCertificate,
  encodeSignedAttestation
} from './attestation-codec.ts'
export {
  attestationSigningBytes,
  segmentSigningBytes,
  signAttestation,
  signSegmentHeader,
  verifyAttestation,
  verifySegmentHeader,
  verifySegmentPayload
} from './signing.ts'
export { generateSessionSecret, memorySessionSigner } from './keys.ts'
export { contentRoot } from './merkle.ts'
export { fromFixedScore, toFixedScore } from './scores.ts'
export type {
  Attestation,
  Certificate,
  Score,
  ScoreKind,
  SegmentHeader,
  SegmentKind,
  SegmentMessage,
  SessionSigner,
  SignedAttestation,
  SignedSegmentHeader,
  Verdict
} from './types.ts'
