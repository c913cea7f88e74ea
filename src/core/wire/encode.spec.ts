// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import {
  MAX_SEGMENT_PAYLOAD_BYTES, encodeAttestation, encodeCertificate, encodeSegmentHeader, encodeSegmentMessage,
  encodeSignedAttestation, encodeSignedSegmentHeader
} from './index.ts'
import { attestationFromJson, certificateFromJson, headerFromJson, signedHeaderFromJson } from './vectors/json.ts'
import type { Attestation, SegmentHeader } from './index.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const header = headerFromJson(vectors.segmentHeaders[1]?.input ?? ({} as never))
const signed = signedHeaderFromJson(vectors.signedSegmentHeaders[1]?.input ?? ({} as never))
const attestation = attestationFromJson(vectors.attestations[0]?.input ?? ({} as never))
const certificate = certificateFromJson(vectors.certificates[0]?.input ?? ({} as never))

function expectInvalid (fn: () => unknown, field: string): void {
  expect(fn).toThrow(expect.objectContaining({ name: InvalidInputError.name, field }))
}

describe('wire encoders on invalid input', () => {
  it('should name the offending segment header field', () => {
    const cases: Array<[Partial<SegmentHeader>, string]> = [
      [{ version: 1 }, 'version'],
      [{ channel: '' }, 'channel'], [{ channel: 'Main' }, 'channel'], [{ channel: 'x'.repeat(65) }, 'channel'],
      [{ slot: -1n }, 'slot'], [{ sequence: 1n << 64n }, 'sequence'], [{ slot: 1 as unknown as bigint }, 'slot'],
      [{ kind: 'delta' as never }, 'kind'],
      [{ codec: '' }, 'codec'], [{ codec: 'c'.repeat(129) }, 'codec'], [{ codec: 'video/webm\n' }, 'codec'],
      [{ timestampUs: -5n }, 'timestampUs'], [{ durationUs: 1.5 }, 'durationUs'], [{ durationUs: 2 ** 32 }, 'durationUs'],
      [{ keyframe: 1 as unknown as boolean }, 'keyframe'], [{ airTimeUs: -1n }, 'airTimeUs'],
      [{ payloadLength: MAX_SEGMENT_PAYLOAD_BYTES + 1 }, 'payloadLength'],
      [{ payloadHash: new Uint8Array(31) }, 'payloadHash'], [{ initHash: new Uint8Array(33) }, 'initHash'],
      [{ producer: new Uint8Array(0) }, 'producer'], [{ kind: 'init' }, 'initHash']
    ]
    for (const [change, field] of cases) expectInvalid(() => encodeSegmentHeader({ ...header, ...change }), field)
  })

  it('should check signatures and payload lengths', () => {
    expectInvalid(() => encodeSignedSegmentHeader({ ...signed, signature: new Uint8Array(63) }), 'signature')
    expectInvalid(() => encodeSignedSegmentHeader({ ...signed, header: { ...signed.header, version: 0 } }), 'header.version')
    expectInvalid(() => encodeSegmentMessage({ type: 'full', header: signed, payload: new Uint8Array(1) }), 'payload')
    expectInvalid(() => encodeSegmentMessage({ type: 'other', header: signed } as never), 'type')
  })

  it('should name the offending attestation field', () => {
    const cases: Array<[Partial<Attestation>, string]> = [
      [{ version: 3 }, 'version'], [{ channel: 'a b' }, 'channel'], [{ slot: -1n }, 'slot'],
      [{ contentRoot: new Uint8Array(1) }, 'contentRoot'], [{ leader: new Uint8Array(64) }, 'leader'],
      [{ verdict: 'maybe' as never }, 'verdict'], [{ attester: new Uint8Array(31) }, 'attester'],
      [{ scores: Array.from({ length: 9 }, () => ({ kind: 'clip' as const, value: 0 })) }, 'scores'],
      [{ scores: [{ kind: 'clip', value: 0 }, { kind: 'clip', value: 1 }] }, 'scores.1.kind'],
      [{ scores: [{ kind: 'mood' as never, value: 0 }] }, 'scores.0.kind'],
      [{ scores: [{ kind: 'face', value: 1_000_001 }] }, 'scores.0.value'],
      [{ scores: [{ kind: 'face', value: 0.5 }] }, 'scores.0.value']
    ]
    for (const [change, field] of cases) expectInvalid(() => encodeAttestation({ ...attestation, ...change }), field)
    expectInvalid(() => encodeSignedAttestation({ attestation, signature: new Uint8Array(0) }), 'signature')
  })

  it('should refuse inconsistent certificates', () => {
    const [a] = certificate.attestations
    if (a == null) throw new Error('no attestation')
    expectInvalid(() => encodeCertificate({ ...certificate, attestations: [] }), 'attestations')
    expectInvalid(() => encodeCertificate({ ...certificate, attestations: Array.from({ length: 17 }, () => a) }), 'attestations')
    expectInvalid(() => encodeCertificate({ ...certificate, slot: 1n }), 'attestations.0.attestation.slot')
    expectInvalid(() => encodeCertificate({ ...certificate, channel: 'other' }), 'attestations.0.attestation.channel')
    expectInvalid(() => encodeCertificate({ ...certificate, leader: new Uint8Array(32) }), 'attestations.0.attestation.leader')
    expectInvalid(() => encodeCertificate({ ...certificate, attestations: [a, a] }), 'attestations.1.attestation.attester')
  })
})
