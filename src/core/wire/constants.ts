// SPDX-License-Identifier: GPL-3.0-or-later
/** Normative constants of the wire format (SPEC.md). A change to any layout bumps WIRE_VERSION and the topic version. */

const ascii = new TextEncoder()

/** The wire format version carried in every segment header and attestation. */
export const WIRE_VERSION = 2

/** Domain-separation prefix of segment header signatures: ascii `nsn/segment/2`. */
export const SEGMENT_DOMAIN: Uint8Array = ascii.encode('nsn/segment/2')

/** Domain-separation prefix of attestation signatures: ascii `nsn/attestation/2`. */
export const ATTESTATION_DOMAIN: Uint8Array = ascii.encode('nsn/attestation/2')

/** Largest segment payload in bytes (4 MiB). */
export const MAX_SEGMENT_PAYLOAD_BYTES = 4 * 1024 * 1024

/** Longest channel name in bytes. */
export const MAX_CHANNEL_BYTES = 64

/** Longest codec (MSE mime) string in bytes. */
export const MAX_CODEC_BYTES = 128

/** Most attestations one certificate may carry. */
export const MAX_ATTESTATIONS_PER_CERTIFICATE = 16

/** Most scores one attestation may carry. */
export const MAX_SCORES = 8

/** Length of a blake2b-256 hash in bytes. */
export const HASH_BYTES = 32

/** Length of an Ed25519 public key (session key) in bytes. */
export const PUBLIC_KEY_BYTES = 32

/** Length of an Ed25519 secret seed in bytes. */
export const SECRET_KEY_BYTES = 32

/** Length of an Ed25519 signature in bytes. */
export const SIGNATURE_BYTES = 64

/** Fixed-point 1.0 of a score: scores are parts per million. */
export const SCORE_ONE = 1_000_000

/** Largest u32. */
export const U32_MAX = 0xffff_ffff

/** Largest u64. */
export const U64_MAX = (1n << 64n) - 1n
