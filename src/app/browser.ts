// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The PWA's network node: composition root for the page (core + src/platform/browser). It joins the
 * channel through the bootstrap node(s), discovers other viewers, upgrades to direct WebRTC through
 * the relay, validates every segment and re-shares it.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { z } from 'zod'
import { NsnPeer, staticProducerRegistry } from '../core/p2p/index.ts'
import { fromHex } from '../core/wire/index.ts'
import { TypedEventEmitter } from '../core/events.ts'
import { BROWSER_LISTEN, browserTransports, localNetworkGater } from '../platform/browser/transports.ts'
import type { DialPolicy, StoredSegment } from '../core/p2p/index.ts'
import type { AcceptedSegment, ViewerNode, ViewerNodeEvents, ViewerStats } from './types.ts'

const configSchema = z.object({
  channel: z.string().regex(/^[a-z0-9._-]{1,64}$/).default('test'),
  /** Bootstrap multiaddrs with `/p2p/<id>` (WebSockets, WebRTC-direct or WebTransport). */
  bootstrap: z.array(z.string().startsWith('/')).default([]),
  /** Allowed producer session keys (hex) until chain elections. */
  producers: z.array(z.string().regex(/^[0-9a-f]{64}$/)).default([]),
  /** The channel is the ffmpeg test source (labelled as such in the UI). */
  testSource: z.boolean().default(false),
  /** Local/dev network: allow dialing loopback and private addresses. */
  localNetwork: z.boolean().default(false),
  /** 'webrtc-only': dial discovered peers only over relayed-then-direct WebRTC. */
  dialPolicy: z.enum(['any', 'webrtc-only']).default('any'),
  mode: z.enum(['announce', 'push']).default('announce'),
  /** The chain's JSON-RPC WebSocket endpoint (`ws://` or `wss://`), for the wallet and director pages. */
  chain: z.string().refine(isChainEndpoint, { message: 'expected a ws:// or wss:// URL' }).optional(),
  /** Where the generation panel fetches pinned models (`<models>/<id>/manifest.json`): a path on this site or an http(s) URL. */
  models: z.string().refine(isModelsUrl, { message: 'expected a path or an http:// or https:// URL' }).default('/models/')
})

/** Whether `url` is a path (resolved against the page) or an `http://` / `https://` URL. */
export function isModelsUrl (url: string): boolean {
  if (url === '') return false
  try {
    const u = new URL(url, 'http://page.invalid/')
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Whether `url` is a `ws://` or `wss://` URL with a host. */
export function isChainEndpoint (url: string): boolean {
  try {
    const u = new URL(url)
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname !== ''
  } catch {
    return false
  }
}

export type BrowserNodeConfig = z.infer<typeof configSchema>

/** Thrown when the page's configuration is invalid; the message names the field. */
export class BrowserConfigError extends Error {
  static override name = 'BrowserConfigError'
  constructor (message = 'Invalid configuration', options?: ErrorOptions) {
    super(message, options)
    this.name = 'BrowserConfigError'
  }
}

/** Parses and validates a configuration object. */
export function parseBrowserConfig (input: unknown): BrowserNodeConfig {
  const r = configSchema.safeParse(input)
  if (r.success) return r.data
  throw new BrowserConfigError(`Invalid configuration: ${r.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
}

/** Build-time defaults from `VITE_NSN_*` environment variables (comma-separated lists). */
function configFromEnv (): Record<string, unknown> {
  const env = import.meta.env as Record<string, string | undefined>
  const list = (v?: string): string[] | undefined => v != null && v !== '' ? v.split(',').map(s => s.trim()).filter(Boolean) : undefined
  const out: Record<string, unknown> = {}
  if (env.VITE_NSN_CHANNEL != null) out.channel = env.VITE_NSN_CHANNEL
  if (list(env.VITE_NSN_BOOTSTRAP) != null) out.bootstrap = list(env.VITE_NSN_BOOTSTRAP)
  if (list(env.VITE_NSN_PRODUCERS) != null) out.producers = list(env.VITE_NSN_PRODUCERS)
  if (env.VITE_NSN_CHAIN != null && env.VITE_NSN_CHAIN !== '') out.chain = env.VITE_NSN_CHAIN
  return out
}

/**
 * The configuration, later sources winning: `VITE_NSN_CHANNEL` / `VITE_NSN_BOOTSTRAP` /
 * `VITE_NSN_PRODUCERS` / `VITE_NSN_CHAIN` at build time, `/nsn-config.json` (written by `npm start`,
 * optional), then URL query parameters (`?channel=…&bootstrap=…&producer=…&local=1&dial=webrtc-only&chain=ws://…&models=/models/`).
 */
export async function loadBrowserConfig (options: { signal?: AbortSignal } = {}): Promise<BrowserNodeConfig> {
  let base: Record<string, unknown> = configFromEnv()
  const res = await fetch('/nsn-config.json', { signal: options.signal, cache: 'no-store' }).catch(() => undefined)
  if (res?.ok === true && (res.headers.get('content-type') ?? '').includes('json')) {
    base = { ...base, ...await res.json() as Record<string, unknown> }
  }
  const q = new URLSearchParams(globalThis.location?.search ?? '')
  const list = (name: string): string[] | undefined => {
    const v = q.getAll(name).flatMap(s => s.split(',')).map(s => s.trim()).filter(Boolean)
    return v.length > 0 ? v : undefined
  }
  const merged: Record<string, unknown> = { ...base }
  if (q.has('channel')) merged.channel = q.get('channel')
  if (list('bootstrap') != null) merged.bootstrap = list('bootstrap')
  if (list('producer') != null) merged.producers = list('producer')
  if (q.has('local')) merged.localNetwork = q.get('local') === '1'
  if (q.has('dial')) merged.dialPolicy = q.get('dial')
  if (q.has('mode')) merged.mode = q.get('mode')
  if (q.has('test')) merged.testSource = q.get('test') === '1'
  if (q.has('chain')) merged.chain = q.get('chain')
  if (q.has('models')) merged.models = q.get('models')
  return parseBrowserConfig(merged)
}

function toAccepted (segment: StoredSegment, from: string, receivedAtMs: number): AcceptedSegment {
  return { header: segment.signed.header, payload: segment.payload, hash: segment.hash, from, receivedAtMs }
}

class BrowserViewerNode extends TypedEventEmitter<ViewerNodeEvents> implements ViewerNode {
  readonly acceptedLog: string[] = []
  private readonly sources = new Map<string, string>()
  readonly peer: NsnPeer
  private readonly timer: ReturnType<typeof setInterval>

  constructor (peer: NsnPeer) {
    super()
    this.peer = peer
    peer.segments.addEventListener('segment:accepted', (evt) => {
      const { segment, from, receivedAtMs } = evt.detail
      this.acceptedLog.push(segment.hash)
      this.sources.set(segment.hash, from)
      this.safeDispatchEvent('segment:accepted', { detail: toAccepted(segment, from, receivedAtMs) })
    })
    this.timer = setInterval(() => { this.safeDispatchEvent('peer:change', { detail: this.stats() }) }, 1_000)
  }

  get peerId (): string { return this.peer.peerId.toString() }

  acceptedFrom (hash: string): string | undefined {
    return this.sources.get(hash)
  }
  get channel (): string { return this.peer.channel }

  async fetchLive (options: { signal?: AbortSignal } = {}): Promise<AcceptedSegment[]> {
    const now = Date.now()
    return (await this.peer.segments.fetchLive(this.channel, options)).map(s => toAccepted(s, 'fetch', now))
  }

  async fetchSegment (hash: string, options: { signal?: AbortSignal } = {}): Promise<AcceptedSegment> {
    const known = this.peer.segments.store.get(hash)
    if (known != null) return toAccepted(known, 'store', Date.now())
    const seg = await this.peer.segments.fetchByHash(this.channel, fromHex(hash), options)
    return toAccepted(seg, 'fetch', Date.now())
  }

  stats (): ViewerStats {
    const s = this.peer.stats()
    return {
      peerId: s.peerId,
      channel: s.channel,
      connections: s.connections,
      videoPeers: s.videoPeers,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      segmentsAccepted: s.segmentsAccepted,
      segmentsRejected: s.segmentsRejected,
      payloadBytes: s.payloadBytes
    }
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.peer.stop()
  }
}

/** Starts the page's node with `config`. */
export async function startBrowserNode (config: BrowserNodeConfig): Promise<ViewerNode & { peer: NsnPeer }> {
  if (config.bootstrap.length === 0) {
    throw new BrowserConfigError('No bootstrap address: start the network with `npm start`, or pass ?bootstrap=<multiaddr>')
  }
  const peer = await NsnPeer.create({
    privateKey: await generateKeyPair('Ed25519'),
    transports: browserTransports(),
    listen: BROWSER_LISTEN,
    bootstrap: config.bootstrap,
    connectionGater: config.localNetwork ? localNetworkGater() : undefined,
    channel: config.channel,
    registry: staticProducerRegistry({ producers: { [config.channel]: config.producers } }),
    video: true,
    mode: config.mode,
    dialPolicy: config.dialPolicy as DialPolicy,
    dht: false,
    targetConnections: 8,
    discoveryIntervalMs: 3_000
  })
  return new BrowserViewerNode(peer)
}
