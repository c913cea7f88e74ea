// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Segment transport: one gossipsub topic per channel, application-level validation before forwarding,
 * and a request/response protocol to pull payloads by hash and a channel's live head.
 *
 * Mode `announce` (default) gossips only the signed header; each peer pulls the payload once, from the
 * peer that announced it, inside the topic validator, so a header is forwarded only by peers that hold
 * (and have checked) its payload. Mode `push` gossips header and payload together (plain gossipsub; the
 * baseline of `npm run bench:stream`).
 */
import { TypedEventEmitter } from '../events.ts'
import { decodeSegmentMessage, encodeSegmentMessage, toHex, blake2b256 } from '../wire/index.ts'
import { PULL_TIMEOUT_MS } from './constants.ts'
import { SegmentFetchError } from './errors.ts'
import { ByteRateLimiter } from './rate-limiter.ts'
import { SegmentFetcher } from './segment-fetch.ts'
import { MemorySegmentStore } from './segment-store.ts'
import { SequenceTracker } from './sequence-tracker.ts'
import { channelOfTopic, videoTopic } from './topics.ts'
import { sequenceKey, validateHeader, validatePayload } from './segment-validator.ts'
import type { AbortOptions } from '../options.ts'
import type { SegmentMessage } from '../wire/index.ts'
import type { FetchComponents } from './segment-fetch.ts'
import type { ProducerRegistry } from './producer-registry.ts'
import type { SegmentStore, StoredSegment } from './segment-store.ts'
import type { SegmentIgnoreReason, ValidationResult } from './segment-validator.ts'
import type { SegmentRejectReason } from './errors.ts'
import type { PeerId } from '@libp2p/interface'

/** The gossipsub surface this service uses (a subset of `@libp2p/gossipsub`'s class). */
export interface PubSubLike {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  topicValidators: Map<string, (peer: PeerId, msg: { topic: string, data: Uint8Array }) => Promise<string> | string>
  getMeshPeers(topic: string): string[]
  getSubscribers(topic: string): PeerId[]
}

export type SegmentMode = 'announce' | 'push'

export interface SegmentGossipComponents extends FetchComponents {
  pubsub: PubSubLike
}

export interface SegmentGossipInit {
  registry: ProducerRegistry
  /** @default 'announce' */
  mode?: SegmentMode
  store?: SegmentStore
  /** Wall clock in ms since the epoch; injectable for tests. */
  now?: () => number
  rateLimiter?: ByteRateLimiter
  /** @default PULL_TIMEOUT_MS */
  pullTimeoutMs?: number
}

export interface AcceptedSegmentDetail {
  segment: StoredSegment
  /** Peer the payload came from, or 'self' when published here. */
  from: string
  receivedAtMs: number
}

export interface SegmentGossipEvents {
  'segment:accepted': CustomEvent<AcceptedSegmentDetail>
  'segment:rejected': CustomEvent<{ from: string, channel: string, reason: SegmentRejectReason }>
  'segment:ignored': CustomEvent<{ from: string, channel: string, reason: SegmentIgnoreReason }>
}

export interface SegmentGossipStats {
  accepted: number
  rejected: Record<string, number>
  ignored: Record<string, number>
  /** Unique payload bytes accepted (published or received). */
  payloadBytes: number
}

// gossipsub's TopicValidatorResult values
const ACCEPT = 'accept'
const IGNORE = 'ignore'
const REJECT = 'reject'

export class SegmentGossip extends TypedEventEmitter<SegmentGossipEvents> {
  readonly mode: SegmentMode
  readonly store: SegmentStore
  readonly fetcher: SegmentFetcher
  readonly stats: SegmentGossipStats = { accepted: 0, rejected: {}, ignored: {}, payloadBytes: 0 }
  private readonly components: SegmentGossipComponents
  private readonly registry: ProducerRegistry
  private readonly sequences = new SequenceTracker()
  private readonly limiter: ByteRateLimiter
  private readonly now: () => number
  private readonly pullTimeoutMs: number
  private readonly channels = new Set<string>()
  private readonly shutdown = new AbortController()

  constructor (components: SegmentGossipComponents, init: SegmentGossipInit) {
    super()
    this.components = components
    this.registry = init.registry
    this.mode = init.mode ?? 'announce'
    this.store = init.store ?? new MemorySegmentStore()
    this.now = init.now ?? Date.now
    this.limiter = init.rateLimiter ?? new ByteRateLimiter()
    this.pullTimeoutMs = init.pullTimeoutMs ?? PULL_TIMEOUT_MS
    this.fetcher = new SegmentFetcher(components, { store: this.store })
  }

  async start (): Promise<void> {
    await this.fetcher.start()
  }

  async stop (): Promise<void> {
    this.shutdown.abort()
    for (const channel of [...this.channels]) this.unsubscribe(channel)
    await this.fetcher.stop()
  }

  /** Joins a channel's video topic: validates, stores, re-shares and emits its segments. */
  subscribe (channel: string): void {
    const topic = videoTopic(channel)
    if (this.channels.has(channel)) return
    this.channels.add(channel)
    this.components.pubsub.topicValidators.set(topic, async (peer, msg) => this.validate(peer, msg.topic, msg.data))
    this.components.pubsub.subscribe(topic)
  }

  unsubscribe (channel: string): void {
    const topic = videoTopic(channel)
    if (!this.channels.delete(channel)) return
    this.components.pubsub.unsubscribe(topic)
    this.components.pubsub.topicValidators.delete(topic)
  }

  /** Peers in this node's gossipsub mesh for the channel. */
  meshPeers (channel: string): string[] {
    return this.components.pubsub.getMeshPeers(videoTopic(channel))
  }

  /**
   * Publishes a segment this node produced (its header already signed). It is stored first, so that
   * peers pulling it after the announcement find it.
   */
  async publish (segment: StoredSegment): Promise<void> {
    const h = segment.signed.header
    this.sequences.mark(sequenceKey(h), h.sequence)
    this.accept(segment, 'self')
    const message: SegmentMessage = this.mode === 'announce'
      ? { type: 'announce', header: segment.signed }
      : { type: 'full', header: segment.signed, payload: segment.payload }
    await this.components.pubsub.publish(videoTopic(h.channel), encodeSegmentMessage(message))
  }

  /**
   * Fetches the channel's init segment and latest keyframe segment from the first peer that has them
   * (mesh peers first), validates them and emits them as accepted. Returns what was accepted.
   */
  async fetchLive (channel: string, options: AbortOptions = {}): Promise<StoredSegment[]> {
    const peers = this.channelPeers(channel)
    if (peers.length === 0) throw new SegmentFetchError('no-peers', `No peer of channel ${channel} to fetch from`)
    let lastError: unknown
    for (const peer of peers) {
      try {
        const messages = await this.fetcher.fetch(peer, { type: 'live', channel }, options)
        const out: StoredSegment[] = []
        for (const bytes of messages) {
          const seg = this.admitFetched(peer, channel, bytes)
          if (seg != null) out.push(seg)
        }
        if (out.length > 0) return out
      } catch (err) {
        if (options.signal?.aborted === true) throw err
        lastError = err
      }
    }
    throw new SegmentFetchError('not-found', `No peer had the live head of ${channel}`, { cause: lastError })
  }

  /** Fetches one segment of `channel` by payload hash from the first peer that has it, validating it. */
  async fetchByHash (channel: string, hash: Uint8Array, options: AbortOptions = {}): Promise<StoredSegment> {
    const known = this.store.get(toHex(hash))
    if (known != null) return known
    let lastError: unknown
    for (const peer of this.channelPeers(channel)) {
      try {
        const [bytes] = await this.fetcher.fetch(peer, { type: 'by-hash', hash }, options)
        const seg = bytes != null ? this.admitFetched(peer, channel, bytes) : undefined
        if (seg != null && seg.hash === toHex(hash)) return seg
      } catch (err) {
        if (options.signal?.aborted === true) throw err
        lastError = err
      }
    }
    throw new SegmentFetchError('not-found', `No peer had segment ${toHex(hash)}`, { cause: lastError })
  }

  /** Mesh peers of the channel first, then its other subscribers. */
  private channelPeers (channel: string): string[] {
    const topic = videoTopic(channel)
    const mesh = this.components.pubsub.getMeshPeers(topic)
    const subscribers = this.components.pubsub.getSubscribers(topic).map(p => p.toString())
    return [...new Set([...mesh, ...subscribers])]
  }

  private admitFetched (peer: string, channel: string, bytes: Uint8Array): StoredSegment | undefined {
    const msg = decodeSegmentMessage(bytes)
    if (msg.type !== 'full') throw new SegmentFetchError('protocol', 'Fetch answered with a header only')
    const hash = toHex(msg.header.header.payloadHash)
    const known = this.store.get(hash)
    if (known != null) return known
    const verdict = this.check(peer, channel, msg, msg.payload)
    if (verdict.result !== 'accept') {
      this.report(peer, channel, verdict)
      return undefined
    }
    const seg = { signed: msg.header, payload: msg.payload, hash }
    this.accept(seg, peer)
    return seg
  }

  private async validate (peer: PeerId, topic: string, data: Uint8Array): Promise<string> {
    const from = peer.toString()
    const channel = channelOfTopic(topic)
    if (channel == null) return REJECT
    let msg: SegmentMessage
    try {
      msg = decodeSegmentMessage(data)
    } catch {
      return this.report(from, channel, { result: 'reject', reason: 'malformed' })
    }
    let payload: Uint8Array | undefined = msg.type === 'full' ? msg.payload : undefined
    const header = msg.header.header
    const headerVerdict = this.check(from, channel, msg, undefined)
    if (headerVerdict.result !== 'accept') return this.report(from, channel, headerVerdict)
    if (!this.limiter.take(from, header.payloadLength, this.now())) {
      return this.report(from, channel, { result: 'ignore', reason: 'rate-limited' })
    }
    const hash = toHex(header.payloadHash)
    if (payload == null) {
      const stored = this.store.get(hash)
      if (stored != null) return ACCEPT
      try {
        payload = await this.pull(from, header.payloadHash)
      } catch (err) {
        if ((err as Error).name === SegmentFetchError.name && (err as SegmentFetchError).reason === 'hash-mismatch') {
          return this.report(from, channel, { result: 'reject', reason: 'hash-mismatch' })
        }
        return this.report(from, channel, { result: 'ignore', reason: 'unavailable' })
      }
    }
    const payloadVerdict = validatePayload(header, payload)
    if (payloadVerdict.result !== 'accept') return this.report(from, channel, payloadVerdict)
    // Re-check the sequence: a concurrent validation may have accepted the same segment meanwhile.
    if (this.sequences.check(sequenceKey(header), header.sequence) !== 'new') return IGNORE
    this.accept({ signed: msg.header, payload, hash }, from)
    return ACCEPT
  }

  /** Header checks, plus the payload when it is given. */
  private check (from: string, channel: string, msg: SegmentMessage, payload: Uint8Array | undefined): ValidationResult {
    const verdict = validateHeader(msg.header, {
      channel,
      registry: this.registry,
      sequences: this.sequences,
      nowUs: BigInt(this.now()) * 1000n
    })
    if (verdict.result !== 'accept' || payload == null) return verdict
    return validatePayload(msg.header.header, payload)
  }

  private async pull (from: string, payloadHash: Uint8Array): Promise<Uint8Array> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.pullTimeoutMs)])
    const messages = await this.fetcher.fetch(from, { type: 'by-hash', hash: payloadHash }, { signal })
    const first = messages[0]
    if (first == null) throw new SegmentFetchError('not-found')
    const msg = decodeSegmentMessage(first)
    if (msg.type !== 'full') throw new SegmentFetchError('protocol', 'Fetch answered with a header only')
    const got = blake2b256(msg.payload)
    if (toHex(got) !== toHex(payloadHash)) throw new SegmentFetchError('hash-mismatch')
    return msg.payload
  }

  private accept (segment: StoredSegment, from: string): void {
    const h = segment.signed.header
    this.sequences.mark(sequenceKey(h), h.sequence)
    if (this.store.has(segment.hash)) return
    this.store.put(segment)
    this.stats.accepted++
    this.stats.payloadBytes += segment.payload.byteLength
    this.safeDispatchEvent('segment:accepted', { detail: { segment, from, receivedAtMs: this.now() } })
  }

  private report (from: string, channel: string, verdict: ValidationResult): string {
    if (verdict.result === 'reject') {
      this.stats.rejected[verdict.reason] = (this.stats.rejected[verdict.reason] ?? 0) + 1
      this.safeDispatchEvent('segment:rejected', { detail: { from, channel, reason: verdict.reason } })
      return REJECT
    }
    if (verdict.result === 'ignore') {
      this.stats.ignored[verdict.reason] = (this.stats.ignored[verdict.reason] ?? 0) + 1
      this.safeDispatchEvent('segment:ignored', { detail: { from, channel, reason: verdict.reason } })
      return IGNORE
    }
    return ACCEPT
  }
}
