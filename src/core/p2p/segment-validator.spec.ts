// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { fixtureChunks, makeSegment, testSigner } from '../../../test/utils/segments.ts'
import { decodeSignedSegmentHeader, encodeSignedSegmentHeader, MAX_SEGMENT_PAYLOAD_BYTES, toHex, WireDecodeError } from '../wire/index.ts'
import { staticProducerRegistry } from './producer-registry.ts'
import { SequenceTracker } from './sequence-tracker.ts'
import { sequenceKey, validateHeader, validatePayload } from './segment-validator.ts'
import type { HeaderValidationContext, ValidationResult } from './segment-validator.ts'
import type { StoredSegment } from './segment-store.ts'

const director = testSigner(7)
const stranger = testSigner(9)
const NOW_US = BigInt(Date.now()) * 1000n

function ctx (over: Partial<HeaderValidationContext> = {}): HeaderValidationContext {
  return {
    channel: 'test',
    registry: staticProducerRegistry({ producers: { test: [toHex(director.publicKey)] } }),
    sequences: new SequenceTracker(),
    nowUs: NOW_US,
    ...over
  }
}

function full (seg: StoredSegment, c = ctx()): ValidationResult {
  const h = validateHeader(seg.signed, c)
  return h.result === 'accept' ? validatePayload(seg.signed.header, seg.payload) : h
}

async function media (over: Parameters<typeof makeSegment>[2]['header'] = {}, signer = director): Promise<StoredSegment> {
  const chunk = fixtureChunks()[1]
  if (chunk == null) throw new Error('fixture has no media chunk')
  return makeSegment(chunk, signer, { sequence: 10n, airTimeUs: NOW_US, header: over })
}

describe('segment validation', () => {
  it('should accept a valid init and media segment', async () => {
    const [initChunk] = fixtureChunks()
    const init = await makeSegment(initChunk!, director, { sequence: 9n, airTimeUs: NOW_US })
    expect(full(init)).toEqual({ result: 'accept' })
    expect(full(await media())).toEqual({ result: 'accept' })
  })

  it('should reject a header with any single tampered byte', async () => {
    const seg = await media()
    const bytes = encodeSignedSegmentHeader(seg.signed)
    let rejected = 0
    // every byte of the encoded header and signature, flipped one at a time
    for (let i = 0; i < bytes.byteLength; i++) {
      const copy = bytes.slice()
      copy[i] = (copy[i] as number) ^ 0x01
      let verdict: ValidationResult
      try {
        verdict = validateHeader(decodeSignedSegmentHeader(copy), ctx())
      } catch (err) {
        expect((err as Error).name).toBe(WireDecodeError.name)
        rejected++
        continue
      }
      expect(verdict.result, `byte ${i}`).not.toBe('accept')
      if (verdict.result === 'reject') rejected++
    }
    // flips in the producer key can only make the key unknown (ignore); everything else is a reject
    expect(rejected).toBeGreaterThanOrEqual(bytes.byteLength - 32)
  })

  it('should reject a payload with a tampered byte', async () => {
    const seg = await media()
    const payload = seg.payload.slice()
    payload[payload.byteLength >> 1]! ^= 0xff
    expect(validatePayload(seg.signed.header, payload)).toEqual({ result: 'reject', reason: 'hash-mismatch' })
    expect(validatePayload(seg.signed.header, seg.payload.subarray(1))).toEqual({ result: 'reject', reason: 'length-mismatch' })
  })

  it('should reject a header signed by another key than its producer field', async () => {
    const forged = await media({}, stranger)
    // a stranger's signature presented under the director's (allowed) key
    forged.signed = { ...forged.signed, header: { ...forged.signed.header, producer: director.publicKey } }
    expect(full(forged)).toEqual({ result: 'reject', reason: 'bad-signature' })
  })

  it('should ignore, not reject, a validly signed segment of an unknown producer', async () => {
    expect(full(await media({}, stranger))).toEqual({ result: 'ignore', reason: 'unknown-producer' })
  })

  it('should reject a producer the registry denies', async () => {
    const registry = { check: () => 'denied' as const }
    expect(full(await media(), ctx({ registry }))).toEqual({ result: 'reject', reason: 'denied-producer' })
  })

  it('should ignore a replayed old sequence and a duplicate', async () => {
    const c = ctx()
    const seg = await media()
    expect(full(seg, c).result).toBe('accept')
    c.sequences.mark(sequenceKey(seg.signed.header), 10n)
    expect(validateHeader(seg.signed, c)).toEqual({ result: 'ignore', reason: 'duplicate' })
    c.sequences.mark(sequenceKey(seg.signed.header), 500n)
    const old = await media({ sequence: 11n })
    expect(validateHeader(old.signed, c)).toEqual({ result: 'ignore', reason: 'replay' })
  })

  it('should ignore a stale segment (old air time)', async () => {
    const seg = await media({ airTimeUs: NOW_US - 600_000_000n })
    expect(full(seg)).toEqual({ result: 'ignore', reason: 'stale' })
  })

  it('should reject init/media kind swapped by the producer', async () => {
    const asInit = await media({ kind: 'init' })
    // kind init must name itself as init: caught as malformed or kind mismatch
    expect(full(asInit).result).toBe('reject')
    const [initChunk] = fixtureChunks()
    const initAsMedia = await makeSegment(initChunk!, director, { sequence: 3n, airTimeUs: NOW_US, header: { kind: 'media', keyframe: true } })
    expect(full(initAsMedia)).toEqual({ result: 'reject', reason: 'kind-mismatch' })
  })

  it('should reject a kind flipped in transit (signature)', async () => {
    const seg = await media()
    const flipped = { ...seg.signed, header: { ...seg.signed.header, kind: 'init' as const } }
    expect(validateHeader(flipped, ctx())).toEqual({ result: 'reject', reason: 'bad-signature' })
  })

  it('should reject an oversize segment before fetching it', async () => {
    expect(validateHeader((await media()).signed, ctx({ maxPayloadBytes: 1000 }))).toEqual({ result: 'reject', reason: 'oversize' })
    // above the wire maximum the header does not even decode (gossip validation maps that to Reject)
    const bytes = encodeSignedSegmentHeader((await media()).signed)
    const tooBig = { ...(await media()).signed.header, payloadLength: MAX_SEGMENT_PAYLOAD_BYTES + 1 }
    expect(() => encodeSignedSegmentHeader({ signature: new Uint8Array(64), header: tooBig })).toThrow()
    expect(bytes.byteLength).toBeGreaterThan(0)
  })

  it('should reject a segment of another channel', async () => {
    expect(validateHeader((await media()).signed, ctx({ channel: 'other' }))).toEqual({ result: 'reject', reason: 'wrong-channel' })
  })
})
