// SPDX-License-Identifier: GPL-3.0-or-later
/** Test helpers: real WebM chunks from the checked-in fixture, signed into segments. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { WebmSplitter, webmCodecString } from '../../src/core/media/webm.ts'
import { blake2b256, memorySessionSigner, signSegmentHeader, toHex, WIRE_VERSION } from '../../src/core/wire/index.ts'
import type { WebmChunk } from '../../src/core/media/webm.ts'
import type { StoredSegment } from '../../src/core/p2p/index.ts'
import type { SegmentHeader, SessionSigner } from '../../src/core/wire/index.ts'

export const FIXTURE = fileURLToPath(new URL('../fixtures/testsrc-4s.webm', import.meta.url))

/** The fixture split into its init chunk and media chunks (one cluster each). */
export function fixtureChunks (): WebmChunk[] {
  const splitter = new WebmSplitter()
  return splitter.push(new Uint8Array(readFileSync(FIXTURE)))
}

export function fixtureCodec (): string {
  const init = fixtureChunks()[0]
  if (init == null) throw new Error('empty fixture')
  return webmCodecString(init.bytes)
}

/** A deterministic test signer: seed = 32 bytes of `fill`. */
export function testSigner (fill: number): SessionSigner {
  return memorySessionSigner(new Uint8Array(32).fill(fill))
}

export interface MakeSegmentOptions {
  channel?: string
  sequence: bigint
  airTimeUs?: bigint
  initHash?: Uint8Array
  /** Overrides applied to the header before signing. */
  header?: Partial<SegmentHeader>
}

/** Signs `chunk` as a segment of `channel` with `signer`. */
export async function makeSegment (chunk: WebmChunk, signer: SessionSigner, opts: MakeSegmentOptions): Promise<StoredSegment> {
  const payloadHash = blake2b256(chunk.bytes)
  const header: SegmentHeader = {
    version: WIRE_VERSION,
    channel: opts.channel ?? 'test',
    slot: 1n,
    sequence: opts.sequence,
    kind: chunk.kind,
    codec: 'video/webm; codecs="vp8, opus"',
    timestampUs: chunk.timestampUs,
    durationUs: chunk.durationUs,
    keyframe: chunk.keyframe,
    airTimeUs: opts.airTimeUs ?? BigInt(Date.now()) * 1000n,
    payloadLength: chunk.bytes.byteLength,
    payloadHash,
    initHash: chunk.kind === 'init' ? payloadHash : (opts.initHash ?? payloadHash),
    producer: signer.publicKey,
    ...opts.header
  }
  const signed = await signSegmentHeader(header, signer)
  return { signed, payload: chunk.bytes, hash: toHex(payloadHash) }
}

/** Signs the whole fixture: init first, then the media chunks with consecutive sequences. */
export async function fixtureSegments (signer: SessionSigner, opts: { channel?: string, firstSequence?: bigint } = {}): Promise<StoredSegment[]> {
  const chunks = fixtureChunks()
  const out: StoredSegment[] = []
  let seq = opts.firstSequence ?? 1n
  let initHash: Uint8Array | undefined
  for (const chunk of chunks) {
    const seg = await makeSegment(chunk, signer, { channel: opts.channel, sequence: seq++, initHash })
    if (chunk.kind === 'init') initHash = seg.signed.header.payloadHash
    out.push(seg)
  }
  return out
}
