// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The segment fetch protocol (`/nsn/segment-fetch/2.0.0`): one request, one response, per stream.
 * Serves payloads by hash and a channel's live head (init + latest keyframe segment) from the store.
 */
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import { encodeSegmentMessage, toHex } from '../wire/index.ts'
import { FETCH_MAX_CONCURRENT_PER_PEER, FETCH_PROTOCOL, FETCH_TIMEOUT_MS, MAX_GOSSIP_MESSAGE_BYTES } from './constants.ts'
import { SegmentFetchError } from './errors.ts'
import { decodeFetchRequest, decodeFetchResponse, encodeFetchRequest, encodeFetchResponse } from './fetch-codec.ts'
import type { AbortOptions } from '../options.ts'
import type { FetchRequest } from './fetch-codec.ts'
import type { SegmentStore, StoredSegment } from './segment-store.ts'
import type { Connection, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** The libp2p surface the fetcher uses (a subset of `Libp2p`). */
export interface FetchComponents {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
  dialProtocol(peer: PeerId, protocols: string, options?: AbortOptions): Promise<Stream>
}

/** Two segments (init + keyframe) plus framing. */
const MAX_RESPONSE_BYTES = 2 * MAX_GOSSIP_MESSAGE_BYTES + 1024
const MAX_REQUEST_BYTES = 256

export interface FetchServerStats {
  served: number
  servedBytes: number
  notFound: number
}

export class SegmentFetcher {
  readonly stats: FetchServerStats = { served: 0, servedBytes: 0, notFound: 0 }
  private readonly components: FetchComponents
  private readonly store: SegmentStore
  private readonly active = new Map<string, number>()

  constructor (components: FetchComponents, init: { store: SegmentStore }) {
    this.components = components
    this.store = init.store
  }

  async start (): Promise<void> {
    await this.components.handle(FETCH_PROTOCOL, (stream, connection) => {
      this.serve(stream, connection).catch(err => { stream.abort(err as Error) })
    }, { maxInboundStreams: 64, runOnLimitedConnection: false })
  }

  async stop (): Promise<void> {
    await this.components.unhandle(FETCH_PROTOCOL)
  }

  /** Sends `request` to `peer` and returns the encoded full segment messages it answered with. */
  async fetch (peer: string, request: FetchRequest, options: AbortOptions = {}): Promise<Uint8Array[]> {
    const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS)
    const signal = options.signal != null ? AbortSignal.any([options.signal, timeout]) : timeout
    let stream: Stream
    try {
      stream = await this.components.dialProtocol(peerIdFromString(peer), FETCH_PROTOCOL, { signal })
    } catch (err) {
      throw new SegmentFetchError(signal.aborted ? 'timeout' : 'peer-closed', `Could not open a fetch stream to ${peer}`, { cause: err })
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
      await lp.write(encodeFetchRequest(request), { signal })
      const response = decodeFetchResponse((await lp.read({ signal })).subarray())
      await stream.close({ signal }).catch(() => {})
      if (response.type === 'not-found') throw new SegmentFetchError('not-found', `${peer} does not have the segment`)
      return response.messages
    } catch (err) {
      stream.abort(err as Error)
      if ((err as Error).name === SegmentFetchError.name) throw err
      throw new SegmentFetchError(signal.aborted ? 'timeout' : 'peer-closed', `Fetch from ${peer} failed`, { cause: err })
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const active = this.active.get(peer) ?? 0
    if (active >= FETCH_MAX_CONCURRENT_PER_PEER) {
      stream.abort(new SegmentFetchError('protocol', 'Too many concurrent fetches'))
      return
    }
    this.active.set(peer, active + 1)
    try {
      const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS)
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
      const request = decodeFetchRequest((await lp.read({ signal })).subarray())
      const found = this.lookup(request)
      if (found.length === 0) this.stats.notFound++
      const messages = found.map(s => encodeSegmentMessage({ type: 'full', header: s.signed, payload: s.payload }))
      const response = encodeFetchResponse(found.length > 0 ? { type: 'found', messages } : { type: 'not-found' })
      await lp.write(response, { signal })
      this.stats.served += found.length
      this.stats.servedBytes += response.byteLength
      await stream.close({ signal })
    } finally {
      const n = (this.active.get(peer) ?? 1) - 1
      if (n <= 0) this.active.delete(peer)
      else this.active.set(peer, n)
    }
  }

  private lookup (request: FetchRequest): StoredSegment[] {
    if (request.type === 'live') return this.store.live(request.channel)
    const seg = this.store.get(toHex(request.hash))
    return seg != null ? [seg] : []
  }
}
