// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Turns a director's encoded chunks into signed segments and publishes them. The init segment is
 * published first and repeated at every slot start, so joiners and late fetchers always find it.
 */
import { blake2b256, signSegmentHeader, toHex, WIRE_VERSION } from '../wire/index.ts'
import type { AbortOptions } from '../options.ts'
import type { SegmentHeader, SessionSigner } from '../wire/index.ts'
import type { SegmentGossip } from './segment-gossip.ts'
import type { StoredSegment } from './segment-store.ts'

/** Dev timing profile: a slot is 10 blocks of 1 s (DESIGN.md). */
export const DEV_SLOT_MS = 10_000

export interface ProducedChunk {
  kind: 'init' | 'media'
  bytes: Uint8Array
  timestampUs: bigint
  durationUs: number
  keyframe: boolean
  /** Unix µs when the chunk's first frame is due at the live edge. */
  airTimeUs: bigint
}

export interface SegmentProducerInit {
  channel: string
  codec: string
  signer: SessionSigner
  slotMs?: number
  /**
   * First sequence number. Defaults to the wall clock in 1/10 s, so a restarted producer continues
   * above its previous numbers (it emits fewer than 10 segments per second) without keeping state.
   */
  firstSequence?: bigint
  now?: () => number
}

export class SegmentProducer {
  private readonly gossip: SegmentGossip
  private readonly init: SegmentProducerInit
  private sequence: bigint
  private initSegment?: StoredSegment
  private initSlot = -1n
  published = 0

  constructor (gossip: SegmentGossip, init: SegmentProducerInit) {
    this.gossip = gossip
    this.init = init
    this.sequence = init.firstSequence ?? BigInt(Math.floor((init.now ?? Date.now)() / 100))
  }

  /** Signs and publishes one chunk (and the init segment again when a new slot starts). */
  async produce (chunk: ProducedChunk, options: AbortOptions = {}): Promise<StoredSegment> {
    const slot = BigInt(Math.floor(Number(chunk.airTimeUs / 1000n) / (this.init.slotMs ?? DEV_SLOT_MS)))
    if (chunk.kind === 'init') {
      this.initSegment = await this.sign(chunk, slot, options)
      this.initSlot = slot
      await this.gossip.publish(this.initSegment)
      this.published++
      return this.initSegment
    }
    if (this.initSegment == null) throw new Error('A media chunk came before the init chunk')
    if (slot !== this.initSlot) {
      const h = this.initSegment.signed.header
      this.initSegment = await this.sign({ kind: 'init', bytes: this.initSegment.payload, timestampUs: 0n, durationUs: 0, keyframe: false, airTimeUs: chunk.airTimeUs }, slot, options, h.payloadHash)
      this.initSlot = slot
      await this.gossip.publish(this.initSegment)
      this.published++
    }
    const seg = await this.sign(chunk, slot, options, this.initSegment.signed.header.payloadHash)
    await this.gossip.publish(seg)
    this.published++
    return seg
  }

  private async sign (chunk: ProducedChunk, slot: bigint, options: AbortOptions, initHash?: Uint8Array): Promise<StoredSegment> {
    const payloadHash = blake2b256(chunk.bytes)
    const header: SegmentHeader = {
      version: WIRE_VERSION,
      channel: this.init.channel,
      slot,
      sequence: this.sequence++,
      kind: chunk.kind,
      codec: this.init.codec,
      timestampUs: chunk.timestampUs,
      durationUs: chunk.durationUs,
      keyframe: chunk.keyframe,
      airTimeUs: chunk.airTimeUs,
      payloadLength: chunk.bytes.byteLength,
      payloadHash,
      initHash: chunk.kind === 'init' ? payloadHash : (initHash ?? payloadHash),
      producer: this.init.signer.publicKey
    }
    const signed = await signSegmentHeader(header, this.init.signer, options)
    return { signed, payload: chunk.bytes, hash: toHex(payloadHash) }
  }
}
