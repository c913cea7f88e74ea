// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Application-level validation of video segments, run before a message is forwarded (gossipsub
 * topic validator) and before it is played. Invalid content is `reject` (the forwarder is penalised);
 * content that may be honest but is not useful now is `ignore` (DESIGN.md, "The network").
 */
import { equalBytes } from '../bytes.ts'
import { inspectWebm } from '../media/webm.ts'
import { blake2b256, toHex, verifySegmentHeader, WIRE_VERSION, MAX_SEGMENT_PAYLOAD_BYTES } from '../wire/index.ts'
import { MAX_SEGMENT_AGE_MS } from './constants.ts'
import type { SegmentRejectReason } from './errors.ts'
import type { ProducerRegistry } from './producer-registry.ts'
import type { SequenceTracker } from './sequence-tracker.ts'
import type { SegmentHeader, SignedSegmentHeader } from '../wire/index.ts'

export type SegmentIgnoreReason = 'unknown-producer' | 'duplicate' | 'replay' | 'stale' | 'rate-limited' | 'unavailable'

export type ValidationResult =
  | { result: 'accept' }
  | { result: 'reject', reason: SegmentRejectReason }
  | { result: 'ignore', reason: SegmentIgnoreReason }

export interface HeaderValidationContext {
  /** The channel of the topic the message arrived on. */
  channel: string
  registry: ProducerRegistry
  sequences: SequenceTracker
  /** Wall clock, unix µs. */
  nowUs: bigint
  maxPayloadBytes?: number
  maxAgeMs?: number
}

const ACCEPT: ValidationResult = { result: 'accept' }

export function sequenceKey (header: SegmentHeader): string {
  return `${header.channel}/${toHex(header.producer)}`
}

/** Checks a signed header alone: version, channel, size, signature, producer, freshness, replay. */
export function validateHeader (signed: SignedSegmentHeader, ctx: HeaderValidationContext): ValidationResult {
  const h = signed.header
  if (h.version !== WIRE_VERSION) return { result: 'reject', reason: 'bad-version' }
  if (h.channel !== ctx.channel) return { result: 'reject', reason: 'wrong-channel' }
  if (h.payloadLength > (ctx.maxPayloadBytes ?? MAX_SEGMENT_PAYLOAD_BYTES)) return { result: 'reject', reason: 'oversize' }
  if (!h.codec.startsWith('video/webm')) return { result: 'reject', reason: 'malformed' }
  if (!verifySegmentHeader(signed)) return { result: 'reject', reason: 'bad-signature' }
  const status = ctx.registry.check({ channel: h.channel, slot: h.slot, producer: h.producer })
  if (status === 'denied') return { result: 'reject', reason: 'denied-producer' }
  if (status === 'unknown') return { result: 'ignore', reason: 'unknown-producer' }
  const maxAgeUs = BigInt(ctx.maxAgeMs ?? MAX_SEGMENT_AGE_MS) * 1000n
  if (h.airTimeUs + maxAgeUs < ctx.nowUs) return { result: 'ignore', reason: 'stale' }
  const seq = ctx.sequences.check(sequenceKey(h), h.sequence)
  if (seq !== 'new') return { result: 'ignore', reason: seq }
  return ACCEPT
}

/** Checks a payload against its (already validated) header: length, blake2b-256 hash, container kind. */
export function validatePayload (header: SegmentHeader, payload: Uint8Array): ValidationResult {
  if (payload.byteLength !== header.payloadLength) return { result: 'reject', reason: 'length-mismatch' }
  const hash = blake2b256(payload)
  if (!equalBytes(hash, header.payloadHash)) return { result: 'reject', reason: 'hash-mismatch' }
  if (header.kind === 'init' && !equalBytes(header.initHash, header.payloadHash)) return { result: 'reject', reason: 'malformed' }
  const kind = inspectWebm(payload)
  if (kind !== header.kind) return { result: 'reject', reason: 'kind-mismatch' }
  return ACCEPT
}
