// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Builds the golden vectors from fixed seeds and payloads (platform-free, deterministic: Ed25519
 * signatures are deterministic too). scripts/generate-vectors.ts writes the result to vectors.json; wire.spec.ts
 * checks the checked-in file against the code and against a fresh build.
 */
import {
  ATTESTATION_DOMAIN, SEGMENT_DOMAIN, WIRE_VERSION, attestationSigningBytes, blake2b256, contentRoot, encodeAttestation,
  encodeCertificate, encodeSegmentHeader, encodeSegmentMessage, encodeSignedAttestation, encodeSignedSegmentHeader,
  memorySessionSigner, segmentSigningBytes, signAttestation, signSegmentHeader, toFixedScore, toHex
} from '../index.ts'
import {
  attestationToJson, certificateToJson, headerToJson, messageToJson, signedAttestationToJson, signedHeaderToJson
} from './json.ts'
import type { Attestation, SegmentHeader, SegmentMessage, SessionSigner } from '../index.ts'
import type {
  AttestationJson, CertificateJson, SegmentHeaderJson, SegmentMessageJson, SignedAttestationJson, SignedSegmentHeaderJson
} from './json.ts'

/** One encoded case: its input, the SCALE bytes and their blake2b-256. */
export interface EncodedCase<I> { name: string, input: I, encoded: string, blake2b256: string }
/** A signable case adds the signing bytes (domain ++ encoding) and the Ed25519 signature by the seed's key. */
export interface SignedCase<I> extends EncodedCase<I> { signer: string, signingBytes: string, signature: string }

/** Shape of vectors.json. */
export interface VectorsFile {
  wireVersion: number
  notes: string[]
  domains: { segment: string, attestation: string }
  keys: Array<{ name: string, seed: string, publicKey: string }>
  payloads: Array<{ name: string, ascii: string, hex: string, blake2b256: string }>
  segmentHeaders: Array<SignedCase<SegmentHeaderJson>>
  signedSegmentHeaders: Array<EncodedCase<SignedSegmentHeaderJson>>
  segmentMessages: Array<EncodedCase<SegmentMessageJson>>
  attestations: Array<SignedCase<AttestationJson>>
  signedAttestations: Array<EncodedCase<SignedAttestationJson>>
  certificates: Array<EncodedCase<CertificateJson>>
  contentRoots: Array<{ name: string, leaves: string[], root: string }>
  fixedScores: Array<{ input: number, fixed: number }>
}

const ascii = new TextEncoder()
const CODEC = 'video/webm; codecs="vp8, opus"'
const AIR_TIME_US = 1_700_000_000_000_000n

function seed (byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte)
}

function encoded<I> (name: string, input: I, bytes: Uint8Array): EncodedCase<I> {
  return { name, input, encoded: toHex(bytes), blake2b256: toHex(blake2b256(bytes)) }
}

/** Builds every vector; the same code always gives the same file. */
export async function buildVectors (): Promise<VectorsFile> {
  const names = ['producer', 'attester-a', 'attester-b', 'attester-c']
  const seeds = names.map((_, i) => seed(i + 1))
  const signers: SessionSigner[] = seeds.map((s) => memorySessionSigner(s))
  const [producer, ...attesters] = signers as [SessionSigner, SessionSigner, SessionSigner, SessionSigner]

  const payloadText = { init: 'nsn init segment', media: 'nsn media segment 1' }
  const initPayload = ascii.encode(payloadText.init)
  const mediaPayload = ascii.encode(payloadText.media)
  const initHash = blake2b256(initPayload)
  const mediaHash = blake2b256(mediaPayload)

  const initHeader: SegmentHeader = {
    version: WIRE_VERSION, channel: 'main', slot: 42n, sequence: 0n, kind: 'init', codec: CODEC,
    timestampUs: 0n, durationUs: 0, keyframe: false, airTimeUs: AIR_TIME_US,
    payloadLength: initPayload.length, payloadHash: initHash, initHash, producer: producer.publicKey
  }
  const mediaHeader: SegmentHeader = {
    ...initHeader, sequence: 1n, kind: 'media', durationUs: 1_500_000, keyframe: true,
    payloadLength: mediaPayload.length, payloadHash: mediaHash, initHash
  }
  // Every bound at its limit: 64-byte channel, 128-byte codec, u64 and u32 maxima, 4 MiB length.
  const limitsHeader: SegmentHeader = {
    ...mediaHeader, channel: 'a-z.0_9'.padEnd(64, 'x'), slot: (1n << 64n) - 1n, sequence: (1n << 64n) - 1n,
    codec: CODEC.padEnd(128, ' '), timestampUs: (1n << 64n) - 1n, durationUs: 0xffff_ffff, keyframe: false,
    airTimeUs: (1n << 64n) - 1n, payloadLength: 4 * 1024 * 1024
  }

  const segmentHeaders: Array<SignedCase<SegmentHeaderJson>> = []
  for (const [name, h] of [['init', initHeader], ['media', mediaHeader], ['limits', limitsHeader]] as const) {
    const signed = await signSegmentHeader(h, producer)
    segmentHeaders.push({
      ...encoded(name, headerToJson(h), encodeSegmentHeader(h)),
      signer: 'producer',
      signingBytes: toHex(segmentSigningBytes(h)),
      signature: toHex(signed.signature)
    })
  }

  const signedInit = await signSegmentHeader(initHeader, producer)
  const signedMedia = await signSegmentHeader(mediaHeader, producer)
  const signedSegmentHeaders = [
    encoded('init', signedHeaderToJson(signedInit), encodeSignedSegmentHeader(signedInit)),
    encoded('media', signedHeaderToJson(signedMedia), encodeSignedSegmentHeader(signedMedia))
  ]

  const messages: Array<[string, SegmentMessage]> = [
    ['full-init', { type: 'full', header: signedInit, payload: initPayload }],
    ['full-media', { type: 'full', header: signedMedia, payload: mediaPayload }],
    ['announce-media', { type: 'announce', header: signedMedia }]
  ]
  const segmentMessages = messages.map(([name, m]) => encoded(name, messageToJson(m), encodeSegmentMessage(m)))

  const root = contentRoot([initHash, mediaHash])
  const accept = (attester: SessionSigner, scores: Array<[Attestation['scores'][number]['kind'], number]>): Attestation => ({
    version: WIRE_VERSION, channel: 'main', slot: 42n, contentRoot: root, leader: producer.publicKey, verdict: 'accept',
    scores: scores.map(([kind, x]) => ({ kind, value: toFixedScore(x) })), attester: attester.publicKey
  })
  const attestationInputs: Array<[string, Attestation, number]> = [
    ['accept', accept(attesters[0], [['clip', 0.3127], ['face', 0.98], ['lipsync', 0.81], ['duration', 1], ['format', 1]]), 0],
    ['reject-no-scores', { ...accept(attesters[1], []), verdict: 'reject' }, 1]
  ]
  const attestations: Array<SignedCase<AttestationJson>> = []
  const signedAttestations: Array<EncodedCase<SignedAttestationJson>> = []
  for (const [name, a, i] of attestationInputs) {
    const signed = await signAttestation(a, attesters[i] as SessionSigner)
    attestations.push({
      ...encoded(name, attestationToJson(a), encodeAttestation(a)),
      signer: names[i + 1] as string,
      signingBytes: toHex(attestationSigningBytes(a)),
      signature: toHex(signed.signature)
    })
    signedAttestations.push(encoded(name, signedAttestationToJson(signed), encodeSignedAttestation(signed)))
  }

  const certified = await Promise.all(attesters.map(async (signer, i) =>
    signAttestation(accept(signer, [['clip', 0.3 + i / 10], ['face', 1], ['lipsync', 0.75]]), signer)))
  const certificate = { channel: 'main', slot: 42n, contentRoot: root, leader: producer.publicKey, attestations: certified }
  const certificates = [encoded('three-attestations', certificateToJson(certificate), encodeCertificate(certificate))]

  const leaves = Array.from({ length: 5 }, (_, i) => blake2b256(ascii.encode(`leaf ${i}`)))
  const contentRoots = [0, 1, 2, 3, 5].map((n) => ({
    name: `n=${n}`, leaves: leaves.slice(0, n).map(toHex), root: toHex(contentRoot(leaves.slice(0, n)))
  }))

  const fixedScores = [0, 0.5, 0.1234565, 1, 1.7, -0.25, 0.0000005, 0.0000004, 0.9999995, 0.3127]
    .map((input) => ({ input, fixed: toFixedScore(input) }))

  return {
    wireVersion: WIRE_VERSION,
    notes: [
      'Generated by scripts/generate-vectors.ts; the normative prose is src/core/wire/SPEC.md.',
      'u64 values are decimal strings, byte strings lowercase hex; blake2b256 is blake2b with a 32-byte digest.',
      'keys[].seed is the 32-byte Ed25519 secret seed (RFC 8032); signatures are deterministic.',
      'leaves of contentRoots are blake2b256 of ascii "leaf <i>".'
    ],
    domains: { segment: toHex(SEGMENT_DOMAIN), attestation: toHex(ATTESTATION_DOMAIN) },
    keys: names.map((name, i) => ({ name, seed: toHex(seeds[i] as Uint8Array), publicKey: toHex((signers[i] as SessionSigner).publicKey) })),
    payloads: [
      { name: 'init', ascii: payloadText.init, hex: toHex(initPayload), blake2b256: toHex(initHash) },
      { name: 'media', ascii: payloadText.media, hex: toHex(mediaPayload), blake2b256: toHex(mediaHash) }
    ],
    segmentHeaders,
    signedSegmentHeaders,
    segmentMessages,
    attestations,
    signedAttestations,
    certificates,
    contentRoots,
    fixedScores
  }
}
