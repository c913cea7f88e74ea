// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { AbortError, InvalidInputError } from '../errors.ts'
import {
  decodeSignedSegmentHeader, encodeSignedSegmentHeader, fromHex, generateSessionSecret, memorySessionSigner,
  segmentSigningBytes, signAttestation, signSegmentHeader, verifyAttestation, verifySegmentHeader
} from './index.ts'
import { attestationFromJson, signedAttestationFromJson, signedHeaderFromJson } from './vectors/json.ts'
import type { SegmentHeader, SessionSigner, SignedSegmentHeader } from './index.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const signed = signedHeaderFromJson(vectors.signedSegmentHeaders[1]?.input ?? ({} as never))
const producerSeed = fromHex(vectors.keys[0]?.seed ?? '')
const otherSeed = fromHex(vectors.keys[1]?.seed ?? '')

async function rejects (promise: Promise<unknown>, name: string): Promise<void> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  expect((err as Error | undefined)?.name).toBe(name)
}

function flipBit (bytes: Uint8Array, bit = 0): Uint8Array {
  const out = new Uint8Array(bytes)
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7))
  return out
}

describe('segment header signatures', () => {
  it('should verify the vector', () => {
    expect(verifySegmentHeader(signed)).toBe(true)
  })

  it('should fail for a change in any header field', () => {
    const h = signed.header
    const changes: Array<Partial<SegmentHeader>> = [
      { version: 3 }, { channel: 'maio' }, { channel: 'MAIN' }, { slot: h.slot ^ 1n }, { sequence: h.sequence ^ 1n },
      { kind: 'init' }, { codec: h.codec.replace('vp8', 'vp9') }, { timestampUs: h.timestampUs ^ 1n },
      { durationUs: h.durationUs ^ 1 }, { keyframe: !h.keyframe }, { airTimeUs: h.airTimeUs ^ 1n },
      { payloadLength: h.payloadLength ^ 1 }, { payloadHash: flipBit(h.payloadHash) }, { initHash: flipBit(h.initHash, 255) },
      { producer: flipBit(h.producer, 9) }
    ]
    for (const change of changes) {
      expect(verifySegmentHeader({ header: { ...h, ...change }, signature: signed.signature })).toBe(false)
    }
  })

  it('should fail for every flipped bit of the encoded signed header', () => {
    const bytes = encodeSignedSegmentHeader(signed)
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      let copy: SignedSegmentHeader
      try {
        copy = decodeSignedSegmentHeader(flipBit(bytes, bit))
      } catch {
        continue
      }
      expect(verifySegmentHeader(copy)).toBe(false)
    }
  })

  it('should fail for a different key', async () => {
    const other = memorySessionSigner(otherSeed)
    expect(verifySegmentHeader({ header: { ...signed.header, producer: other.publicKey }, signature: signed.signature })).toBe(false)
    const byOther = await other.sign(segmentSigningBytes(signed.header))
    expect(verifySegmentHeader({ header: signed.header, signature: byOther })).toBe(false)
  })

  it('should return false, not throw, on malformed keys, signatures and headers', () => {
    const h = signed.header
    expect(verifySegmentHeader({ header: { ...h, producer: new Uint8Array(31) }, signature: signed.signature })).toBe(false)
    expect(verifySegmentHeader({ header: h, signature: signed.signature.subarray(0, 63) })).toBe(false)
    expect(verifySegmentHeader({ header: { ...h, producer: new Uint8Array(32).fill(0xff) }, signature: signed.signature })).toBe(false)
    expect(verifySegmentHeader({ header: null, signature: signed.signature } as unknown as SignedSegmentHeader)).toBe(false)
    expect(verifySegmentHeader(undefined as unknown as SignedSegmentHeader)).toBe(false)
  })

  it('should refuse a small-order key whose signature verifies under ZIP-215', () => {
    // A = R = the identity point and s = 0 satisfy [s]B = R + [k]A for every message.
    const identity = new Uint8Array(32)
    identity[0] = 1
    const signature = new Uint8Array(64)
    signature.set(identity)
    const header = { ...signed.header, producer: identity }
    expect(ed25519.verify(signature, segmentSigningBytes(header), identity, { zip215: true })).toBe(true)
    expect(verifySegmentHeader({ header, signature })).toBe(false)
  })

  it('should refuse a non-canonical s (s + L)', () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signed.signature[32 + i] as number)
    const big = s + L
    const signature = new Uint8Array(signed.signature)
    for (let i = 0; i < 32; i++) signature[32 + i] = Number((big >> BigInt(8 * i)) & 0xffn)
    expect(big < 2n ** 256n).toBe(true)
    expect(verifySegmentHeader({ header: signed.header, signature })).toBe(false)
  })
})

describe('signSegmentHeader', () => {
  it('should refuse a header whose producer is not the signer', async () => {
    await rejects(signSegmentHeader(signed.header, memorySessionSigner(otherSeed)), InvalidInputError.name)
  })

  it('should refuse an invalid header', async () => {
    await rejects(signSegmentHeader({ ...signed.header, channel: 'Main' }, memorySessionSigner(producerSeed)), InvalidInputError.name)
  })

  it('should honour an aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    await rejects(signSegmentHeader(signed.header, memorySessionSigner(producerSeed), { signal: controller.signal }), AbortError.name)
  })

  it('should refuse a signer that returns a malformed signature', async () => {
    const inner = memorySessionSigner(producerSeed)
    const broken: SessionSigner = { publicKey: inner.publicKey, sign: async () => new Uint8Array(10) }
    await rejects(signSegmentHeader(signed.header, broken), InvalidInputError.name)
  })
})

describe('attestation signatures', () => {
  const signedAttestation = signedAttestationFromJson(vectors.signedAttestations[0]?.input ?? ({} as never))

  it('should verify the vector and fail for any change', () => {
    const a = signedAttestation.attestation
    expect(verifyAttestation(signedAttestation)).toBe(true)
    for (const change of [{ slot: a.slot + 1n }, { verdict: 'reject' as const }, { scores: a.scores.slice(1) }, { contentRoot: flipBit(a.contentRoot) }, { leader: flipBit(a.leader, 3) }]) {
      expect(verifyAttestation({ attestation: { ...a, ...change }, signature: signedAttestation.signature })).toBe(false)
    }
    expect(verifyAttestation({ attestation: a, signature: flipBit(signedAttestation.signature, 400) })).toBe(false)
  })

  it('should not accept a segment signature as an attestation signature (domain separation)', async () => {
    const signer = memorySessionSigner(producerSeed)
    const attestation = { ...attestationFromJson(vectors.attestations[0]?.input ?? ({} as never)), attester: signer.publicKey }
    const own = await signAttestation(attestation, signer)
    expect(verifyAttestation(own)).toBe(true)
    expect(verifySegmentHeader({ header: signed.header, signature: own.signature })).toBe(false)
  })
})

describe('session keys', () => {
  it('should generate distinct 32-byte secrets', () => {
    const a = generateSessionSecret()
    expect(a).toHaveLength(32)
    expect(a).not.toEqual(generateSessionSecret())
  })

  it('should refuse a secret that is not 32 bytes', () => {
    expect(() => memorySessionSigner(new Uint8Array(31))).toThrow(expect.objectContaining({ name: InvalidInputError.name }))
  })

  it('should not let a caller change the key through its buffers', async () => {
    const seed = new Uint8Array(producerSeed)
    const signer = memorySessionSigner(seed)
    seed.fill(9)
    signer.publicKey.fill(0)
    const header = signed.header
    expect(verifySegmentHeader(await signSegmentHeader(header, signer))).toBe(true)
  })
})
