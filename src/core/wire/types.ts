// SPDX-License-Identifier: GPL-3.0-or-later
/** The normative wire types (SPEC.md). Field order here is the SCALE field order. */
import type { AbortOptions } from '../options.ts'

/** Segment kind, SCALE enum: `Init` = 0, `Media` = 1. */
export type SegmentKind = 'init' | 'media'

/**
 * A segment header: every field is inside the signed bytes (SPEC.md "SegmentHeader").
 *
 * @example
 * ```ts
 * const header: SegmentHeader = { version: WIRE_VERSION, channel: 'main', slot: 7n, sequence: 0n, kind: 'init',
 *   codec: 'video/webm; codecs="vp8, opus"', timestampUs: 0n, durationUs: 0, keyframe: false, airTimeUs: 0n,
 *   payloadLength: payload.length, payloadHash: blake2b256(payload), initHash: blake2b256(payload), producer: signer.publicKey }
 * ```
 */
export interface SegmentHeader {
  /** u8, must be `WIRE_VERSION`. */
  version: number
  /** SCALE str, 1..64 bytes of `[a-z0-9._-]`. */
  channel: string
  /** u64 slot number. */
  slot: bigint
  /** u64, strictly increasing per (channel, producer). */
  sequence: bigint
  /** SCALE enum: Init = 0, Media = 1. */
  kind: SegmentKind
  /** SCALE str, MSE mime type such as `video/webm; codecs="vp8, opus"`: 1..128 bytes of printable ascii. */
  codec: string
  /** u64, media presentation time of the first frame in µs. */
  timestampUs: bigint
  /** u32 duration in µs. */
  durationUs: number
  /** bool, the segment starts on a keyframe. */
  keyframe: boolean
  /** u64 unix time in µs when the first frame is due at the live edge. */
  airTimeUs: bigint
  /** u32 payload length in bytes, at most `MAX_SEGMENT_PAYLOAD_BYTES`. */
  payloadLength: number
  /** [u8; 32] blake2b-256 of the payload: also the segment's fetch id. */
  payloadHash: Uint8Array
  /** [u8; 32] payload hash of the init segment a media segment needs; equals `payloadHash` for `init`. */
  initHash: Uint8Array
  /** [u8; 32] Ed25519 session public key of the producer. */
  producer: Uint8Array
}

/** A segment header with its Ed25519 signature over `SEGMENT_DOMAIN ++ encodeSegmentHeader(header)`. */
export interface SignedSegmentHeader {
  header: SegmentHeader
  /** [u8; 64] Ed25519 signature. */
  signature: Uint8Array
}

/**
 * A gossip message on a video topic, SCALE enum: `Full` = 0 carries `(SignedSegmentHeader, Vec<u8>)`,
 * `Announce` = 1 carries the signed header only (the payload is pulled by `payloadHash`).
 */
export type SegmentMessage =
  | { type: 'full', header: SignedSegmentHeader, payload: Uint8Array }
  | { type: 'announce', header: SignedSegmentHeader }

/** Verdict of an attestation, SCALE enum: `Accept` = 0, `Reject` = 1. */
export type Verdict = 'accept' | 'reject'

/** Kind of a verification score, SCALE enum in this order: clip, face, lipsync, duration, format. */
export type ScoreKind = 'clip' | 'face' | 'lipsync' | 'duration' | 'format'

/** One verification score. */
export interface Score {
  kind: ScoreKind
  /** u32 fixed point, parts per million: `SCORE_ONE` (1_000_000) is 1.0; at most `SCORE_ONE`. */
  value: number
}

/** A director's signed judgement of a slot's clip (SPEC.md "Attestation"). */
export interface Attestation {
  /** u8, must be `WIRE_VERSION`. */
  version: number
  /** SCALE str, same rules as `SegmentHeader.channel`. */
  channel: string
  /** u64 slot number. */
  slot: bigint
  /** [u8; 32] content root of the clip (see `contentRoot`). */
  contentRoot: Uint8Array
  /** [u8; 32] session key of the slot's leader that signed the content. */
  leader: Uint8Array
  verdict: Verdict
  /** Vec<Score>, at most `MAX_SCORES`, each kind at most once. */
  scores: Score[]
  /** [u8; 32] session key of the attesting director. */
  attester: Uint8Array
}

/** An attestation with its Ed25519 signature over `ATTESTATION_DOMAIN ++ encodeAttestation(attestation)`. */
export interface SignedAttestation {
  attestation: Attestation
  /** [u8; 64] Ed25519 signature by `attestation.attester`. */
  signature: Uint8Array
}

/**
 * Signed attestations over one (channel, slot, contentRoot, leader): every attestation must match
 * these four fields, attesters are distinct, 1..`MAX_ATTESTATIONS_PER_CERTIFICATE` of them.
 */
export interface Certificate {
  channel: string
  slot: bigint
  contentRoot: Uint8Array
  leader: Uint8Array
  attestations: SignedAttestation[]
}

/** Signs with a director's Ed25519 session key; in the browser the key may live elsewhere (a worker, a vault). */
export interface SessionSigner {
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array
  /** Returns the 64-byte Ed25519 signature of `message`. */
  sign(message: Uint8Array, options?: AbortOptions): Promise<Uint8Array>
}
