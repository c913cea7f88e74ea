// SPDX-License-Identifier: GPL-3.0-or-later
/** SCALE codecs of segment headers and segment gossip messages (SPEC.md "SegmentHeader", "SegmentMessage"). */
import { Enum, Struct, Tuple, _void, bool, str, u32, u64, u8 } from 'scale-ts'
import { HASH_BYTES, MAX_SEGMENT_PAYLOAD_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './constants.ts'
import { boundedBytes, decodeExact, failDecode, failInput, field, fixedBytes, unitEnum } from './scale.ts'
import { checkPayload, checkSegmentHeader, checkSignedSegmentHeader } from './validate.ts'
import type { SegmentHeader, SegmentKind, SegmentMessage, SignedSegmentHeader } from './types.ts'
import type { Codec } from 'scale-ts'

const segmentKind: Codec<SegmentKind> = unitEnum(Enum({ init: _void, media: _void }))

/** SCALE layout of `SegmentHeader`; the key order is the field order on the wire. */
export const segmentHeaderCodec: Codec<SegmentHeader> = Struct({
  version: field('version', u8),
  channel: field('channel', str),
  slot: field('slot', u64),
  sequence: field('sequence', u64),
  kind: field('kind', segmentKind),
  codec: field('codec', str),
  timestampUs: field('timestampUs', u64),
  durationUs: field('durationUs', u32),
  keyframe: field('keyframe', bool),
  airTimeUs: field('airTimeUs', u64),
  payloadLength: field('payloadLength', u32),
  payloadHash: field('payloadHash', fixedBytes(HASH_BYTES)),
  initHash: field('initHash', fixedBytes(HASH_BYTES)),
  producer: field('producer', fixedBytes(PUBLIC_KEY_BYTES))
})

/** SCALE layout of `SignedSegmentHeader`: the header, then the 64-byte signature. */
export const signedSegmentHeaderCodec: Codec<SignedSegmentHeader> = Struct({
  header: field('header', segmentHeaderCodec),
  signature: field('signature', fixedBytes(SIGNATURE_BYTES))
})

const messageCodec = Enum({
  full: Tuple(field('header', signedSegmentHeaderCodec), field('payload', boundedBytes(MAX_SEGMENT_PAYLOAD_BYTES))),
  announce: field('header', signedSegmentHeaderCodec)
})
type RawMessage = ReturnType<typeof messageCodec.dec>

/**
 * Encodes a segment header to its SCALE bytes.
 *
 * @throws InvalidInputError when a field breaks SPEC.md (its `field` names it)
 */
export function encodeSegmentHeader (h: SegmentHeader): Uint8Array {
  checkSegmentHeader(h, failInput)
  return segmentHeaderCodec.enc(h)
}

/**
 * Decodes exactly one segment header.
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeSegmentHeader (b: Uint8Array): SegmentHeader {
  return decodeExact(segmentHeaderCodec, b, 'SegmentHeader', (h) => { checkSegmentHeader(h, failDecode) })
}

/**
 * Encodes a signed segment header: the header bytes followed by the 64 signature bytes.
 *
 * @throws InvalidInputError when a field breaks SPEC.md
 */
export function encodeSignedSegmentHeader (s: SignedSegmentHeader): Uint8Array {
  checkSignedSegmentHeader(s, failInput)
  return signedSegmentHeaderCodec.enc(s)
}

/**
 * Decodes exactly one signed segment header (the signature is not verified: see `verifySegmentHeader`).
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeSignedSegmentHeader (b: Uint8Array): SignedSegmentHeader {
  return decodeExact(signedSegmentHeaderCodec, b, 'SignedSegmentHeader', (s) => { checkSignedSegmentHeader(s, failDecode) })
}

function toRaw (m: SegmentMessage): RawMessage {
  return m.type === 'full' ? { tag: 'full', value: [m.header, m.payload] } : { tag: 'announce', value: m.header }
}

function fromRaw (raw: RawMessage): SegmentMessage {
  return raw.tag === 'full'
    ? { type: 'full', header: raw.value[0], payload: raw.value[1] }
    : { type: 'announce', header: raw.value }
}

function checkMessage (m: SegmentMessage, fail: typeof failInput): void {
  if (typeof m !== 'object' || m === null || (m.type !== 'full' && m.type !== 'announce')) fail('Expected type full or announce', 'type')
  checkSignedSegmentHeader(m.header, fail, 'header.')
  if (m.type === 'full') checkPayload(m.header, m.payload, fail)
}

/**
 * Encodes a gossip message: `Full` (variant 0) carries the signed header and the payload, `Announce`
 * (variant 1) the signed header only. Its blake2b-256 is the gossip message id (see `messageId`).
 *
 * @throws InvalidInputError when a field breaks SPEC.md or a full payload's length differs from `payloadLength`
 */
export function encodeSegmentMessage (m: SegmentMessage): Uint8Array {
  checkMessage(m, failInput)
  return messageCodec.enc(toRaw(m))
}

/**
 * Decodes exactly one gossip message. Checks structure and the payload length, not the payload hash
 * nor the signature (see `verifySegmentPayload`, `verifySegmentHeader`).
 *
 * @throws WireDecodeError on any malformed input
 */
export function decodeSegmentMessage (b: Uint8Array): SegmentMessage {
  const raw = decodeExact(messageCodec, b, 'SegmentMessage', (r) => { checkMessage(fromRaw(r), failDecode) })
  return fromRaw(raw)
}
