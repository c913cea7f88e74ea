// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * JSON forms of the wire types for the golden vectors: u64 as decimal strings, byte arrays as
 * lowercase hex, everything else as is.
 */
import { fromHex, toHex } from '../hash.ts'
import type { Attestation, Certificate, SegmentHeader, SegmentMessage, SignedAttestation, SignedSegmentHeader } from '../types.ts'

type Json<T> = {
  [K in keyof T]: T[K] extends bigint ? string
    : T[K] extends Uint8Array ? string
      : T[K] extends Array<infer E> ? Array<Json<E>>
        : T[K] extends object ? Json<T[K]> : T[K]
}

/** JSON forms of the wire types (u64 as decimal strings, bytes as hex). */
export type SegmentHeaderJson = Json<SegmentHeader>
export interface SignedSegmentHeaderJson { header: SegmentHeaderJson, signature: string }
export type SegmentMessageJson =
  | { type: 'full', header: SignedSegmentHeaderJson, payload: string }
  | { type: 'announce', header: SignedSegmentHeaderJson }
export type AttestationJson = Json<Attestation>
export interface SignedAttestationJson { attestation: AttestationJson, signature: string }
export interface CertificateJson { channel: string, slot: string, contentRoot: string, leader: string, attestations: SignedAttestationJson[] }

/** JSON form of a segment header. */
export function headerToJson (h: SegmentHeader): SegmentHeaderJson {
  return {
    version: h.version,
    channel: h.channel,
    slot: h.slot.toString(),
    sequence: h.sequence.toString(),
    kind: h.kind,
    codec: h.codec,
    timestampUs: h.timestampUs.toString(),
    durationUs: h.durationUs,
    keyframe: h.keyframe,
    airTimeUs: h.airTimeUs.toString(),
    payloadLength: h.payloadLength,
    payloadHash: toHex(h.payloadHash),
    initHash: toHex(h.initHash),
    producer: toHex(h.producer)
  }
}

/** Segment header from its JSON form. */
export function headerFromJson (j: SegmentHeaderJson): SegmentHeader {
  return {
    version: j.version,
    channel: j.channel,
    slot: BigInt(j.slot),
    sequence: BigInt(j.sequence),
    kind: j.kind,
    codec: j.codec,
    timestampUs: BigInt(j.timestampUs),
    durationUs: j.durationUs,
    keyframe: j.keyframe,
    airTimeUs: BigInt(j.airTimeUs),
    payloadLength: j.payloadLength,
    payloadHash: fromHex(j.payloadHash),
    initHash: fromHex(j.initHash),
    producer: fromHex(j.producer)
  }
}

/** JSON form of a signed segment header. */
export function signedHeaderToJson (s: SignedSegmentHeader): SignedSegmentHeaderJson {
  return { header: headerToJson(s.header), signature: toHex(s.signature) }
}

/** Signed segment header from its JSON form. */
export function signedHeaderFromJson (j: SignedSegmentHeaderJson): SignedSegmentHeader {
  return { header: headerFromJson(j.header), signature: fromHex(j.signature) }
}

/** JSON form of a segment message. */
export function messageToJson (m: SegmentMessage): SegmentMessageJson {
  return m.type === 'full'
    ? { type: 'full', header: signedHeaderToJson(m.header), payload: toHex(m.payload) }
    : { type: 'announce', header: signedHeaderToJson(m.header) }
}

/** Segment message from its JSON form. */
export function messageFromJson (j: SegmentMessageJson): SegmentMessage {
  return j.type === 'full'
    ? { type: 'full', header: signedHeaderFromJson(j.header), payload: fromHex(j.payload) }
    : { type: 'announce', header: signedHeaderFromJson(j.header) }
}

/** JSON form of an attestation. */
export function attestationToJson (a: Attestation): AttestationJson {
  return {
    version: a.version,
    channel: a.channel,
    slot: a.slot.toString(),
    contentRoot: toHex(a.contentRoot),
    leader: toHex(a.leader),
    verdict: a.verdict,
    scores: a.scores.map((s) => ({ kind: s.kind, value: s.value })),
    attester: toHex(a.attester)
  }
}

/** Attestation from its JSON form. */
export function attestationFromJson (j: AttestationJson): Attestation {
  return {
    version: j.version,
    channel: j.channel,
    slot: BigInt(j.slot),
    contentRoot: fromHex(j.contentRoot),
    leader: fromHex(j.leader),
    verdict: j.verdict,
    scores: j.scores.map((s) => ({ kind: s.kind, value: s.value })),
    attester: fromHex(j.attester)
  }
}

/** JSON form of a signed attestation. */
export function signedAttestationToJson (s: SignedAttestation): SignedAttestationJson {
  return { attestation: attestationToJson(s.attestation), signature: toHex(s.signature) }
}

/** Signed attestation from its JSON form. */
export function signedAttestationFromJson (j: SignedAttestationJson): SignedAttestation {
  return { attestation: attestationFromJson(j.attestation), signature: fromHex(j.signature) }
}

/** JSON form of a certificate. */
export function certificateToJson (c: Certificate): CertificateJson {
  return {
    channel: c.channel,
    slot: c.slot.toString(),
    contentRoot: toHex(c.contentRoot),
    leader: toHex(c.leader),
    attestations: c.attestations.map(signedAttestationToJson)
  }
}

/** Certificate from its JSON form. */
export function certificateFromJson (j: CertificateJson): Certificate {
  return {
    channel: j.channel,
    slot: BigInt(j.slot),
    contentRoot: fromHex(j.contentRoot),
    leader: fromHex(j.leader),
    attestations: j.attestations.map(signedAttestationFromJson)
  }
}
