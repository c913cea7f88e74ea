// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { compact } from 'scale-ts'
import { describe, expect, it } from 'vitest'
import { attestationCodec, certificateCodec, signedAttestationCodec } from './attestation-codec.ts'
import {
  MAX_SEGMENT_PAYLOAD_BYTES, WireDecodeError, decodeAttestation, decodeCertificate, decodeSegmentHeader,
  decodeSegmentMessage, decodeSignedAttestation, decodeSignedSegmentHeader, encodeAttestation, encodeCertificate,
  encodeSegmentHeader, encodeSegmentMessage, encodeSignedAttestation, encodeSignedSegmentHeader, fromHex, toHex
} from './index.ts'
import { segmentHeaderCodec, signedSegmentHeaderCodec } from './segment-codec.ts'
import { attestationFromJson, certificateFromJson, headerFromJson, signedHeaderFromJson } from './vectors/json.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const first = <T>(list: T[]): T => list[0] as T

const initHeader = headerFromJson(first(vectors.segmentHeaders).input)
const signedInit = signedHeaderFromJson(first(vectors.signedSegmentHeaders).input)
const attestation = attestationFromJson(first(vectors.attestations).input)
const certificate = certificateFromJson(first(vectors.certificates).input)

// Every decoder with one valid encoding; 'main' is the channel, so offsets below are fixed.
type Decode = (b: Uint8Array) => unknown
type Encode = (v: never) => Uint8Array
const decoders: Array<[string, Decode, Encode, string]> = [
  ['decodeSegmentHeader', decodeSegmentHeader, encodeSegmentHeader, first(vectors.segmentHeaders).encoded],
  ['decodeSignedSegmentHeader', decodeSignedSegmentHeader, encodeSignedSegmentHeader, first(vectors.signedSegmentHeaders).encoded],
  ['decodeSegmentMessage (full)', decodeSegmentMessage, encodeSegmentMessage, first(vectors.segmentMessages).encoded],
  ['decodeSegmentMessage (announce)', decodeSegmentMessage, encodeSegmentMessage, vectors.segmentMessages[2]?.encoded ?? ''],
  ['decodeAttestation', decodeAttestation, encodeAttestation, first(vectors.attestations).encoded],
  ['decodeSignedAttestation', decodeSignedAttestation, encodeSignedAttestation, first(vectors.signedAttestations).encoded],
  ['decodeCertificate', decodeCertificate, encodeCertificate, first(vectors.certificates).encoded]
]

function expectDecodeError (decode: (b: Uint8Array) => unknown, bytes: Uint8Array, field?: string): void {
  let error: unknown
  try {
    decode(bytes)
  } catch (err) {
    error = err
  }
  expect(error).toBeInstanceOf(Error)
  expect((error as Error).name).toBe(WireDecodeError.name)
  if (field !== undefined) expect((error as WireDecodeError).field).toBe(field)
}

function patched (hex: string, offset: number, value: number): Uint8Array {
  const bytes = fromHex(hex)
  bytes[offset] = value
  return bytes
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

// Tiny deterministic PRNG (mulberry32) for the fuzz test.
function prng (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('wire decoders on malformed input', () => {
  for (const [name, decode, encode, hex] of decoders) {
    describe(name, () => {
      it('should throw WireDecodeError on every truncation', () => {
        const bytes = fromHex(hex)
        for (let n = 0; n < bytes.length; n++) expectDecodeError(decode, bytes.subarray(0, n))
      })

      it('should throw WireDecodeError on trailing bytes', () => {
        expectDecodeError(decode, concat(fromHex(hex), new Uint8Array([0])))
        expectDecodeError(decode, concat(fromHex(hex), fromHex(hex)))
      })

      it('should throw WireDecodeError on input that is not a Uint8Array', () => {
        expectDecodeError(decode, hex as unknown as Uint8Array)
        expectDecodeError(decode, undefined as unknown as Uint8Array)
      })

      it('should throw WireDecodeError or round-trip on random corruption', () => {
        const random = prng(hex.length)
        const valid = fromHex(hex)
        for (let i = 0; i < 300; i++) {
          const bytes = new Uint8Array(valid)
          for (let k = 0; k < 1 + Math.floor(random() * 3); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256)
          let value: unknown
          try {
            value = decode(bytes)
          } catch (err) {
            expect((err as Error).name).toBe(WireDecodeError.name)
            continue
          }
          // what decodes must be the one canonical encoding of its value
          expect(toHex((encode as (v: unknown) => Uint8Array)(value))).toBe(toHex(bytes))
        }
      })
    })
  }

  it('should reject a wrong version', () => {
    expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, version: 1 }), 'version')
    expectDecodeError(decodeSegmentHeader, patched(first(vectors.segmentHeaders).encoded, 0, 3), 'version')
    expectDecodeError(decodeSignedSegmentHeader, patched(first(vectors.signedSegmentHeaders).encoded, 0, 3), 'header.version')
    expectDecodeError(decodeSegmentMessage, patched(first(vectors.segmentMessages).encoded, 1, 3), 'header.header.version')
    expectDecodeError(decodeAttestation, attestationCodec.enc({ ...attestation, version: 3 }), 'version')
    expectDecodeError(decodeSignedAttestation, patched(first(vectors.signedAttestations).encoded, 0, 0), 'attestation.version')
    const bad = { ...certificate, attestations: [{ ...first(certificate.attestations), attestation: { ...first(certificate.attestations).attestation, version: 1 } }] }
    expectDecodeError(decodeCertificate, certificateCodec.enc(bad), 'attestations.0.attestation.version')
  })

  it('should reject a bad channel', () => {
    for (const channel of ['Main', 'ma in', 'main/x', 'é', '', 'x'.repeat(65)]) {
      expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, channel }), 'channel')
      expectDecodeError(decodeAttestation, attestationCodec.enc({ ...attestation, channel }), 'channel')
      expectDecodeError(decodeCertificate, certificateCodec.enc({ ...certificate, channel }), 'channel')
    }
    // byte 2 is the first character of 'main' (byte 0 version, byte 1 the length prefix)
    expectDecodeError(decodeSegmentHeader, patched(first(vectors.segmentHeaders).encoded, 2, 0x4d), 'channel')
  })

  it('should reject unknown enum variants', () => {
    // header: version 1 + channel 5 + slot 8 + sequence 8 = offset 22 of kind
    expectDecodeError(decodeSegmentHeader, patched(first(vectors.segmentHeaders).encoded, 22, 2), 'kind')
    expectDecodeError(decodeSegmentMessage, patched(first(vectors.segmentMessages).encoded, 0, 2))
    // attestation: version 1 + channel 5 + slot 8 + root 32 + leader 32 = offset 78 of verdict, 79 the score count
    expectDecodeError(decodeAttestation, patched(first(vectors.attestations).encoded, 78, 2), 'verdict')
    expectDecodeError(decodeAttestation, patched(first(vectors.attestations).encoded, 80, 5), 'scores.kind')
  })

  it('should reject non-canonical encodings', () => {
    const header = first(vectors.segmentHeaders).encoded
    // keyframe (offset 22 + 1 kind + 31 codec + 8 timestamp + 4 duration = 66) as bool 2
    expectDecodeError(decodeSegmentHeader, patched(header, 66, 2))
    // the channel length prefix in two-byte compact mode
    const long = concat(new Uint8Array([2, (4 << 2) | 1, 0]), fromHex(header).subarray(2))
    expectDecodeError(decodeSegmentHeader, long)
    // invalid utf-8 in the codec string (first codec character at offset 24)
    expectDecodeError(decodeSegmentHeader, patched(header, 24, 0xff))
  })

  it('should reject out-of-range values inside well-formed SCALE', () => {
    expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, payloadLength: MAX_SEGMENT_PAYLOAD_BYTES + 1 }), 'payloadLength')
    expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, initHash: new Uint8Array(32) }), 'initHash')
    expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, codec: 'x'.repeat(129) }), 'codec')
    expectDecodeError(decodeSegmentHeader, segmentHeaderCodec.enc({ ...initHeader, codec: '' }), 'codec')
    const scores = Array.from({ length: 9 }, () => ({ kind: 'clip' as const, value: 1 }))
    // version 1 + channel 5 + slot 8 + root 32 + leader 32 + verdict 1 = 79 bytes before the scores
    const nineScores = concat(attestationCodec.enc(attestation).subarray(0, 79), compact.enc(9),
      ...scores.map(() => new Uint8Array([0, 1, 0, 0, 0])), attestation.attester)
    expectDecodeError(decodeAttestation, nineScores, 'scores')
    expectDecodeError(decodeAttestation, attestationCodec.enc({ ...attestation, scores: scores.slice(0, 2) }), 'scores.1.kind')
    expectDecodeError(decodeAttestation, attestationCodec.enc({ ...attestation, scores: [{ kind: 'face', value: 1_000_001 }] }), 'scores.0.value')
  })

  it('should reject a full message whose payload length differs from the header', () => {
    const raw = concat(new Uint8Array([0]), signedSegmentHeaderCodec.enc(signedInit), compact.enc(3), new Uint8Array(3))
    expectDecodeError(decodeSegmentMessage, raw, 'payload')
  })

  it('should reject a payload longer than the maximum before reading it', () => {
    const raw = concat(new Uint8Array([0]), signedSegmentHeaderCodec.enc(signedInit), compact.enc(MAX_SEGMENT_PAYLOAD_BYTES + 1))
    expectDecodeError(decodeSegmentMessage, raw, 'payload')
  })

  it('should reject inconsistent certificates', () => {
    const [a, b, c] = certificate.attestations as [typeof certificate.attestations[0], typeof certificate.attestations[0], typeof certificate.attestations[0]]
    expectDecodeError(decodeCertificate, certificateCodec.enc({ ...certificate, slot: 43n }), 'attestations.0.attestation.slot')
    expectDecodeError(decodeCertificate, certificateCodec.enc({ ...certificate, contentRoot: new Uint8Array(32) }), 'attestations.0.attestation.contentRoot')
    expectDecodeError(decodeCertificate, certificateCodec.enc({ ...certificate, attestations: [a, b, a] }), 'attestations.2.attestation.attester')
    expectDecodeError(decodeCertificate, certificateCodec.enc({ ...certificate, attestations: [] }), 'attestations')
    // channel 5 + slot 8 + root 32 + leader 32 = 77 bytes before the attestations
    const many = concat(certificateCodec.enc(certificate).subarray(0, 77), compact.enc(17),
      ...Array.from({ length: 17 }, () => signedAttestationCodec.enc(c)))
    expectDecodeError(decodeCertificate, many, 'attestations')
    expectDecodeError(decodeSignedAttestation, signedAttestationCodec.enc(a).subarray(0, 150), 'signature')
  })

  it('should reject a huge vector length without decoding items', () => {
    const head = attestationCodec.enc(attestation).subarray(0, 79)
    const raw = concat(head, compact.enc(0x3fff_ffff), new Uint8Array(32))
    const started = performance.now()
    expectDecodeError(decodeAttestation, raw, 'scores')
    expect(performance.now() - started).toBeLessThan(100)
  })
})
