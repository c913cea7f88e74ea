// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * An NSN network peer: the libp2p node, the segment transport of one channel, and the policy that
 * dials discovered peers. Used by every role, in the page and in Node.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { createNsnLibp2p } from './create-node.ts'
import { SegmentGossip } from './segment-gossip.ts'
import { TrafficMetrics } from './traffic-metrics.ts'
import { videoTopic } from './topics.ts'
import type { NsnLibp2p, NsnNodeInit } from './create-node.ts'
import type { ProducerRegistry } from './producer-registry.ts'
import type { PubSubLike, SegmentMode } from './segment-gossip.ts'
import type { PeerId, PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Which discovered addresses to dial:
 * - `any`: whatever the transports can dial;
 * - `webrtc-only`: only browser peers through a relay (`/p2p-circuit/webrtc`), upgraded to direct
 *   WebRTC; used to keep a viewer's video path browser-to-browser.
 */
export type DialPolicy = 'any' | 'webrtc-only'

export interface NsnPeerInit extends Omit<NsnNodeInit, 'channels' | 'metrics'> {
  channel: string
  registry: ProducerRegistry
  /** Join the channel's video topic (false for relay-only bootstrap nodes). */
  video: boolean
  mode?: SegmentMode
  dialPolicy?: DialPolicy
  /** Stop dialing discovered peers above this many connections. @default 12 */
  targetConnections?: number
  /** Wall clock in ms; injectable for tests. */
  now?: () => number
}

export interface ConnectionSummary {
  peer: string
  addr: string
  transport: string
  limited: boolean
}

export interface NsnPeerStats {
  peerId: string
  channel: string
  connections: ConnectionSummary[]
  videoPeers: string[]
  bytesIn: number
  bytesOut: number
  segmentsAccepted: number
  segmentsRejected: number
  payloadBytes: number
  rejected: Record<string, number>
  ignored: Record<string, number>
  served: number
}

/** A short transport name for a connection's remote address. */
export function transportOf (addr: string): string {
  if (addr.includes('/p2p-circuit/webrtc') || (addr.includes('/webrtc/') && !addr.includes('/p2p-circuit'))) return 'webrtc'
  if (addr.includes('/p2p-circuit')) return 'relayed'
  if (addr.includes('/webrtc-direct')) return 'webrtc-direct'
  if (addr.includes('/webtransport')) return 'webtransport'
  if (addr.includes('/ws') || addr.includes('/wss')) return 'websockets'
  if (addr.includes('/tcp/')) return 'tcp'
  return 'other'
}

export class NsnPeer {
  readonly libp2p: NsnLibp2p
  readonly segments: SegmentGossip
  readonly traffic: TrafficMetrics
  readonly channel: string
  private readonly init: NsnPeerInit
  private readonly dialing = new Set<string>()

  private constructor (libp2p: NsnLibp2p, traffic: TrafficMetrics, init: NsnPeerInit) {
    this.libp2p = libp2p
    this.traffic = traffic
    this.init = init
    this.channel = init.channel
    this.segments = new SegmentGossip({
      pubsub: libp2p.services.pubsub as unknown as PubSubLike,
      handle: libp2p.handle.bind(libp2p),
      unhandle: libp2p.unhandle.bind(libp2p),
      dialProtocol: libp2p.dialProtocol.bind(libp2p)
    }, { registry: init.registry, mode: init.mode, now: init.now })
  }

  /** Creates and starts a peer. */
  static async create (init: NsnPeerInit): Promise<NsnPeer> {
    const traffic = new TrafficMetrics()
    const libp2p = await createNsnLibp2p({ ...init, channels: [init.channel], metrics: traffic })
    const peer = new NsnPeer(libp2p, traffic, init)
    await peer.segments.start()
    if (init.video) peer.segments.subscribe(init.channel)
    libp2p.addEventListener('peer:discovery', (evt) => { peer.onDiscovery(evt.detail) })
    return peer
  }

  get peerId (): PeerId {
    return this.libp2p.peerId
  }

  async stop (): Promise<void> {
    await this.segments.stop()
    await this.libp2p.stop()
  }

  /** Dials a multiaddr (string) and returns the remote peer id. */
  async dial (addr: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const conn = await this.libp2p.dial(multiaddr(addr), options)
    return conn.remotePeer.toString()
  }

  stats (): NsnPeerStats {
    const s = this.segments.stats
    return {
      peerId: this.libp2p.peerId.toString(),
      channel: this.channel,
      connections: this.libp2p.getConnections().map(c => {
        const addr = c.remoteAddr.toString()
        return { peer: c.remotePeer.toString(), addr, transport: transportOf(addr), limited: c.limits != null }
      }),
      videoPeers: this.init.video ? this.segments.meshPeers(this.channel) : [],
      bytesIn: this.traffic.counters.bytesIn,
      bytesOut: this.traffic.counters.bytesOut,
      segmentsAccepted: s.accepted,
      segmentsRejected: Object.values(s.rejected).reduce((a, b) => a + b, 0),
      payloadBytes: s.payloadBytes,
      rejected: { ...s.rejected },
      ignored: { ...s.ignored },
      served: this.segments.fetcher.stats.served
    }
  }

  /** The gossipsub score of a peer (tests and the dashboard). */
  score (peer: string): number {
    const pubsub = this.libp2p.services.pubsub as { getScore?: (p: string) => number }
    return pubsub.getScore?.(peer) ?? 0
  }

  /** Peers subscribed to the channel's video topic. */
  videoSubscribers (): string[] {
    return (this.libp2p.services.pubsub as unknown as PubSubLike).getSubscribers(videoTopic(this.channel)).map(p => p.toString())
  }

  private onDiscovery (info: PeerInfo): void {
    const id = info.id.toString()
    if (this.dialing.has(id)) return
    if (this.libp2p.getConnections(info.id).length > 0) return
    if (this.libp2p.getConnections().length >= (this.init.targetConnections ?? 12)) return
    const addrs = this.pickAddrs(info.multiaddrs)
    if (addrs.length === 0) return
    this.dialing.add(id)
    this.libp2p.dial(addrs, { signal: AbortSignal.timeout(15_000) })
      .catch(() => { /* unreachable peers are common: discovery retries on its next broadcast */ })
      .finally(() => this.dialing.delete(id))
  }

  private pickAddrs (addrs: Multiaddr[]): Multiaddr[] {
    // A plain relayed connection is limited (no gossipsub, no fetch): only worth it as WebRTC signalling.
    const useful = addrs.filter(a => { const s = a.toString(); return !s.includes('/p2p-circuit') || s.includes('/p2p-circuit/webrtc') })
    if ((this.init.dialPolicy ?? 'any') === 'any') return useful
    return useful.filter(a => a.toString().includes('/p2p-circuit/webrtc'))
  }
}
