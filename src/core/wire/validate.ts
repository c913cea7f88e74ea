// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Value rules of SPEC.md shared by encoders (which throw InvalidInputError) and decoders (which throw
 * WireDecodeError): the `fail` argument picks the error, `path` prefixes field names.
 */
import {
  HASH_BYTES, MAX_ATTESTATIONS_PER_CERTIFICATE, MAX_CHANNEL_BYTES, MAX_CODEC_BYTES, MAX_SCORES,
  MAX_SEGMENT_PAYLOAD_BYTES, PUBLIC_KEY_BYTES, SCORE_ONE, SIGNATURE_BYTES, U32_MAX, U64_MAX, WIRE_VERSION
} from './constants.ts'
import { equalBytes, toHex } from './hash.ts'
import type { Fail } from './scale.ts'
import type { Attestation, Certificate, SegmentHeader, SignedAttestation, SignedSegmentHeader } from './types.ts'

const CHANNEL_RE = /^[a-z0-9._-]+$/
const CODEC_RE = /^[\x20-\x7e]+$/
const SEGMENT_KINDS: readonly string[] = ['init', 'media']
const VERDICTS: readonly string[] = ['accept', 'reject']
/** SCALE variant order of `ScoreKind`. */
export const SCORE_KINDS = ['clip', 'face', 'lipsync', 'duration', 'format'] as const

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function checkVersion (v: unknown, fail: Fail, field: string): void {
  if (v !== WIRE_VERSION) fail(`Unsupported version ${String(v)}, expected ${WIRE_VERSION}`, field)
}

/** 1..64 bytes of `[a-z0-9._-]` (ascii, so bytes and characters coincide). */
export function checkChannel (v: unknown, fail: Fail, field: string): void {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_CHANNEL_BYTES || !CHANNEL_RE.test(v)) {
    fail(`Channel must be 1..${MAX_CHANNEL_BYTES} characters of [a-z0-9._-]`, field)
  }
}

function checkCodec (v: unknown, fail: Fail, field: string): void {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_CODEC_BYTES || !CODEC_RE.test(v)) {
    fail(`Codec must be 1..${MAX_CODEC_BYTES} characters of printable ascii`, field)
  }
}

function checkU64 (v: unknown, fail: Fail, field: string): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) fail('Expected a u64 bigint', field)
}

function checkU32 (v: unknown, fail: Fail, field: string, max = U32_MAX): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) fail(`Expected an integer in [0, ${max}]`, field)
}

function checkBytes (v: unknown, n: number, fail: Fail, field: string): void {
  if (!(v instanceof Uint8Array) || v.byteLength !== n) fail(`Expected ${n} bytes`, field)
}

function checkOneOf (v: unknown, options: readonly string[], fail: Fail, field: string): void {
  if (typeof v !== 'string' || !options.includes(v)) fail(`Expected one of ${options.join(', ')}`, field)
}

/** Checks every field of a segment header. */
export function checkSegmentHeader (h: SegmentHeader, fail: Fail, path = ''): void {
  if (!isObject(h)) fail('Expected a segment header', path || 'header')
  checkVersion(h.version, fail, `${path}version`)
  checkChannel(h.channel, fail, `${path}channel`)
  checkU64(h.slot, fail, `${path}slot`)
  checkU64(h.sequence, fail, `${path}sequence`)
  checkOneOf(h.kind, SEGMENT_KINDS, fail, `${path}kind`)
  checkCodec(h.codec, fail, `${path}codec`)
  checkU64(h.timestampUs, fail, `${path}timestampUs`)
  checkU32(h.durationUs, fail, `${path}durationUs`)
  if (typeof h.keyframe !== 'boolean') fail('Expected a boolean', `${path}keyframe`)
  checkU64(h.airTimeUs, fail, `${path}airTimeUs`)
  checkU32(h.payloadLength, fail, `${path}payloadLength`, MAX_SEGMENT_PAYLOAD_BYTES)
  checkBytes(h.payloadHash, HASH_BYTES, fail, `${path}payloadHash`)
  checkBytes(h.initHash, HASH_BYTES, fail, `${path}initHash`)
  checkBytes(h.producer, PUBLIC_KEY_BYTES, fail, `${path}producer`)
  if (h.kind === 'init' && !equalBytes(h.initHash, h.payloadHash)) fail('An init segment\'s initHash must equal its payloadHash', `${path}initHash`)
}

/** Checks a signed segment header (the signature's length only, not its validity). */
export function checkSignedSegmentHeader (s: SignedSegmentHeader, fail: Fail, path = ''): void {
  if (!isObject(s)) fail('Expected a signed segment header', path || 'signed')
  checkSegmentHeader(s.header, fail, `${path}header.`)
  checkBytes(s.signature, SIGNATURE_BYTES, fail, `${path}signature`)
}

/** Checks that a full message's payload has the length its header declares (the hash is checked by `verifySegmentPayload`). */
export function checkPayload (s: SignedSegmentHeader, payload: unknown, fail: Fail): void {
  if (!(payload instanceof Uint8Array)) fail('Expected payload bytes', 'payload')
  if (payload.byteLength !== s.header.payloadLength) fail(`Payload is ${payload.byteLength} bytes, header says ${s.header.payloadLength}`, 'payload')
}

/** Checks every field of an attestation. */
export function checkAttestation (a: Attestation, fail: Fail, path = ''): void {
  if (!isObject(a)) fail('Expected an attestation', path || 'attestation')
  checkVersion(a.version, fail, `${path}version`)
  checkChannel(a.channel, fail, `${path}channel`)
  checkU64(a.slot, fail, `${path}slot`)
  checkBytes(a.contentRoot, HASH_BYTES, fail, `${path}contentRoot`)
  checkBytes(a.leader, PUBLIC_KEY_BYTES, fail, `${path}leader`)
  checkOneOf(a.verdict, VERDICTS, fail, `${path}verdict`)
  if (!Array.isArray(a.scores) || a.scores.length > MAX_SCORES) fail(`Expected at most ${MAX_SCORES} scores`, `${path}scores`)
  const seen = new Set<string>()
  a.scores.forEach((score, i) => {
    if (!isObject(score)) fail('Expected a score', `${path}scores.${i}`)
    checkOneOf(score.kind, SCORE_KINDS, fail, `${path}scores.${i}.kind`)
    checkU32(score.value, fail, `${path}scores.${i}.value`, SCORE_ONE)
    if (seen.has(score.kind)) fail(`Duplicate score kind ${score.kind}`, `${path}scores.${i}.kind`)
    seen.add(score.kind)
  })
  checkBytes(a.attester, PUBLIC_KEY_BYTES, fail, `${path}attester`)
}

/** Checks a signed attestation (the signature's length only, not its validity). */
export function checkSignedAttestation (s: SignedAttestation, fail: Fail, path = ''): void {
  if (!isObject(s)) fail('Expected a signed attestation', path || 'signed')
  checkAttestation(s.attestation, fail, `${path}attestation.`)
  checkBytes(s.signature, SIGNATURE_BYTES, fail, `${path}signature`)
}

/** Checks a certificate: its fields, then that every attestation is over the same subject by a distinct attester. */
export function checkCertificate (c: Certificate, fail: Fail): void {
  if (!isObject(c)) fail('Expected a certificate', 'certificate')
  checkChannel(c.channel, fail, 'channel')
  checkU64(c.slot, fail, 'slot')
  checkBytes(c.contentRoot, HASH_BYTES, fail, 'contentRoot')
  checkBytes(c.leader, PUBLIC_KEY_BYTES, fail, 'leader')
  if (!Array.isArray(c.attestations) || c.attestations.length < 1 || c.attestations.length > MAX_ATTESTATIONS_PER_CERTIFICATE) {
    fail(`Expected 1..${MAX_ATTESTATIONS_PER_CERTIFICATE} attestations`, 'attestations')
  }
  const attesters = new Set<string>()
  c.attestations.forEach((s, i) => {
    const path = `attestations.${i}.`
    checkSignedAttestation(s, fail, path)
    const a = s.attestation
    if (a.channel !== c.channel) fail('Attestation channel differs from the certificate\'s', `${path}attestation.channel`)
    if (a.slot !== c.slot) fail('Attestation slot differs from the certificate\'s', `${path}attestation.slot`)
    if (!equalBytes(a.contentRoot, c.contentRoot)) fail('Attestation contentRoot differs from the certificate\'s', `${path}attestation.contentRoot`)
    if (!equalBytes(a.leader, c.leader)) fail('Attestation leader differs from the certificate\'s', `${path}attestation.leader`)
    const key = toHex(a.attester)
    if (attesters.has(key)) fail('Duplicate attester', `${path}attestation.attester`)
    attesters.add(key)
  })
}
