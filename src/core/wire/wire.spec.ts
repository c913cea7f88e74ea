// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ATTESTATION_DOMAIN, SEGMENT_DOMAIN, WIRE_VERSION, attestationSigningBytes, blake2b256, decodeAttestation,
  decodeCertificate, decodeSegmentHeader, decodeSegmentMessage, decodeSignedAttestation, decodeSignedSegmentHeader,
  encodeAttestation, encodeCertificate, encodeSegmentHeader, encodeSegmentMessage, encodeSignedAttestation,
  encodeSignedSegmentHeader, fromHex, memorySessionSigner, messageId, segmentSigningBytes, signAttestation,
  signSegmentHeader, toHex, verifyAttestation, verifySegmentHeader, verifySegmentPayload
} from './index.ts'
import { buildVectors } from './vectors/build-vectors.ts'
import {
  attestationFromJson, certificateFromJson, headerFromJson, messageFromJson, signedAttestationFromJson, signedHeaderFromJson
} from './vectors/json.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const seedOf = (name: string): Uint8Array => fromHex(vectors.keys.find((k) => k.name === name)?.seed ?? '')

describe('wire golden vectors', () => {
  it('should match a fresh build of the generator (regenerate with npm run vectors)', async () => {
    expect(JSON.parse(JSON.stringify(await buildVectors()))).toEqual(vectors)
  })

  it('should carry the wire version and the ascii domains', () => {
    expect(vectors.wireVersion).toBe(WIRE_VERSION)
    expect(vectors.domains.segment).toBe(toHex(new TextEncoder().encode('nsn/segment/2')))
    expect(vectors.domains.attestation).toBe(toHex(new TextEncoder().encode('nsn/attestation/2')))
    expect(toHex(SEGMENT_DOMAIN)).toBe(vectors.domains.segment)
    expect(toHex(ATTESTATION_DOMAIN)).toBe(vectors.domains.attestation)
  })

  it('should derive the public keys from the seeds', () => {
    for (const key of vectors.keys) expect(toHex(memorySessionSigner(fromHex(key.seed)).publicKey)).toBe(key.publicKey)
  })

  it('should hash the payloads', () => {
    for (const p of vectors.payloads) {
      expect(toHex(new TextEncoder().encode(p.ascii))).toBe(p.hex)
      expect(toHex(blake2b256(fromHex(p.hex)))).toBe(p.blake2b256)
    }
  })

  it('should encode, decode, hash and sign segment headers', async () => {
    expect(vectors.segmentHeaders.map((c) => c.name)).toEqual(['init', 'media', 'limits'])
    for (const c of vectors.segmentHeaders) {
      const header = headerFromJson(c.input)
      const bytes = encodeSegmentHeader(header)
      expect(toHex(bytes)).toBe(c.encoded)
      expect(toHex(blake2b256(bytes))).toBe(c.blake2b256)
      expect(decodeSegmentHeader(fromHex(c.encoded))).toEqual(header)
      expect(toHex(segmentSigningBytes(header))).toBe(c.signingBytes)
      const signed = await signSegmentHeader(header, memorySessionSigner(seedOf(c.signer)))
      expect(toHex(signed.signature)).toBe(c.signature)
      expect(verifySegmentHeader({ header, signature: fromHex(c.signature) })).toBe(true)
    }
  })

  it('should encode, decode and verify signed segment headers', () => {
    for (const c of vectors.signedSegmentHeaders) {
      const signed = signedHeaderFromJson(c.input)
      expect(toHex(encodeSignedSegmentHeader(signed))).toBe(c.encoded)
      expect(toHex(blake2b256(fromHex(c.encoded)))).toBe(c.blake2b256)
      const decoded = decodeSignedSegmentHeader(fromHex(c.encoded))
      expect(decoded).toEqual(signed)
      expect(verifySegmentHeader(decoded)).toBe(true)
    }
  })

  it('should encode and decode full and announce messages, whose message id is the hash of the bytes', () => {
    expect(vectors.segmentMessages.map((c) => c.input.type)).toEqual(['full', 'full', 'announce'])
    for (const c of vectors.segmentMessages) {
      const message = messageFromJson(c.input)
      const bytes = encodeSegmentMessage(message)
      expect(toHex(bytes)).toBe(c.encoded)
      expect(toHex(messageId(bytes))).toBe(c.blake2b256)
      const decoded = decodeSegmentMessage(fromHex(c.encoded))
      expect(decoded).toEqual(message)
      expect(verifySegmentHeader(decoded.header)).toBe(true)
      if (decoded.type === 'full') expect(verifySegmentPayload(decoded.header.header, decoded.payload)).toBe(true)
    }
  })

  it('should give a tampered payload a different message id', () => {
    const bytes = fromHex(vectors.segmentMessages[0]?.encoded ?? '')
    const tampered = new Uint8Array(bytes)
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
    const decoded = decodeSegmentMessage(tampered)
    expect(decoded.type === 'full' && verifySegmentPayload(decoded.header.header, decoded.payload)).toBe(false)
    expect(verifySegmentHeader(decoded.header)).toBe(true)
    expect(toHex(messageId(tampered))).not.toBe(toHex(messageId(bytes)))
  })

  it('should encode, decode, hash and sign attestations', async () => {
    for (const c of vectors.attestations) {
      const attestation = attestationFromJson(c.input)
      const bytes = encodeAttestation(attestation)
      expect(toHex(bytes)).toBe(c.encoded)
      expect(toHex(blake2b256(bytes))).toBe(c.blake2b256)
      expect(decodeAttestation(fromHex(c.encoded))).toEqual(attestation)
      expect(toHex(attestationSigningBytes(attestation))).toBe(c.signingBytes)
      const signed = await signAttestation(attestation, memorySessionSigner(seedOf(c.signer)))
      expect(toHex(signed.signature)).toBe(c.signature)
      expect(verifyAttestation(signed)).toBe(true)
    }
  })

  it('should encode, decode and verify signed attestations', () => {
    for (const c of vectors.signedAttestations) {
      const signed = signedAttestationFromJson(c.input)
      expect(toHex(encodeSignedAttestation(signed))).toBe(c.encoded)
      expect(toHex(blake2b256(fromHex(c.encoded)))).toBe(c.blake2b256)
      const decoded = decodeSignedAttestation(fromHex(c.encoded))
      expect(decoded).toEqual(signed)
      expect(verifyAttestation(decoded)).toBe(true)
    }
  })

  it('should encode and decode a certificate of three verifying attestations', () => {
    const [c] = vectors.certificates
    if (c == null) throw new Error('no certificate vector')
    const certificate = certificateFromJson(c.input)
    expect(certificate.attestations).toHaveLength(3)
    expect(toHex(encodeCertificate(certificate))).toBe(c.encoded)
    expect(toHex(blake2b256(fromHex(c.encoded)))).toBe(c.blake2b256)
    const decoded = decodeCertificate(fromHex(c.encoded))
    expect(decoded).toEqual(certificate)
    for (const a of decoded.attestations) expect(verifyAttestation(a)).toBe(true)
  })

  it('should decode from a view that does not start at offset 0 of its buffer', () => {
    const bytes = fromHex(vectors.segmentMessages[0]?.encoded ?? '')
    const padded = new Uint8Array(bytes.length + 7)
    padded.fill(0xee)
    padded.set(bytes, 3)
    expect(decodeSegmentMessage(padded.subarray(3, 3 + bytes.length))).toEqual(decodeSegmentMessage(bytes))
  })

  it('should not alias the input in decoded byte fields', () => {
    const bytes = fromHex(vectors.signedSegmentHeaders[0]?.encoded ?? '')
    const decoded = decodeSignedSegmentHeader(bytes)
    bytes.fill(0)
    expect(verifySegmentHeader(decoded)).toBe(true)
  })
})

describe('hex and hashing', () => {
  it('should hash like Substrate blake2_256', () => {
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8')
    expect(toHex(blake2b256(new TextEncoder().encode('abc')))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319')
  })

  it('should round-trip lowercase hex', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(fromHex(toHex(bytes))).toEqual(bytes)
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff')
    expect(fromHex('')).toEqual(new Uint8Array(0))
  })

  it('should throw InvalidInputError on bad hex', () => {
    for (const bad of ['abc', '0x00', 'AB', 'zz', ' 00', undefined]) {
      expect(() => fromHex(bad as string)).toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
    }
  })
})
