// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Assembles an NSN libp2p node. Transports, listen addresses and the connection gater are injected by
 * the platform (src/platform/{browser,node}); everything else is the same in the page and in Node.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import { createLibp2p } from 'libp2p'
import { DISCOVERY_TOPIC, MAX_GOSSIP_MESSAGE_BYTES } from './constants.ts'
import { msgIdFn, scoreParams, SCORE_THRESHOLDS } from './gossip-params.ts'
import { videoTopic } from './topics.ts'
import type { TrafficMetrics } from './traffic-metrics.ts'
import type { ConnectionGater, PeerDiscovery, PrivateKey } from '@libp2p/interface'
import type { Libp2p, Libp2pOptions } from 'libp2p'

export interface NsnNodeInit {
  privateKey: PrivateKey
  transports: NonNullable<Libp2pOptions['transports']>
  /** Multiaddrs to listen on (e.g. `/ip4/127.0.0.1/tcp/0/ws`, `/p2p-circuit`, `/webrtc`). */
  listen?: string[]
  /** Addresses to announce instead of the listen addresses. */
  announce?: string[]
  /** Bootstrap multiaddrs (with `/p2p/<id>`), dialled at start. */
  bootstrap?: string[]
  connectionGater?: ConnectionGater
  /** Video channels whose topics get score parameters. */
  channels: string[]
  /** Run a circuit relay v2 server (bootstrap role). */
  relayServer?: boolean
  /** Kademlia: 'server' on well-connected Node peers, 'client' elsewhere, false for none. */
  dht?: 'server' | 'client' | false
  /** Keep private addresses in the DHT (local networks). */
  dhtPrivateAddresses?: boolean
  /** Peer discovery broadcast interval (ms) on the discovery topic. @default 10_000 */
  discoveryIntervalMs?: number
  metrics?: TrafficMetrics
  /** Gossipsub mesh degree for all topics. @default 6 */
  meshDegree?: number
  maxConnections?: number
  /**
   * Inbound connections accepted per second from one host. libp2p's default (5) suits the public
   * internet; a local network puts every peer on one IP. @default 5
   */
  inboundConnectionsPerSecond?: number
}

export type NsnLibp2p = Libp2p<Record<string, unknown>>

export async function createNsnLibp2p (init: NsnNodeInit): Promise<NsnLibp2p> {
  const D = init.meshDegree ?? 6
  const peerDiscovery: Array<(components: never) => PeerDiscovery> = [
    pubsubPeerDiscovery({ topics: [DISCOVERY_TOPIC], interval: init.discoveryIntervalMs ?? 10_000 }) as never
  ]
  if (init.bootstrap != null && init.bootstrap.length > 0) {
    peerDiscovery.push(bootstrap({ list: init.bootstrap, timeout: 0 }) as never)
  }
  const services: Record<string, any> = { // eslint-disable-line @typescript-eslint/no-explicit-any
    identify: identify() as never,
    identifyPush: identifyPush() as never,
    ping: ping() as never,
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      D,
      Dlo: Math.max(2, Math.min(D - 1, 4)),
      Dhi: D * 2,
      Dout: Math.min(2, Math.floor(D / 2)),
      msgIdFn: msgIdFn as never,
      scoreParams: scoreParams(init.channels.map(videoTopic)),
      scoreThresholds: SCORE_THRESHOLDS,
      maxInboundDataLength: MAX_GOSSIP_MESSAGE_BYTES,
      maxOutboundBufferSize: 64 * MAX_GOSSIP_MESSAGE_BYTES,
      // Our announce messages are small; IDONTWANT matters only in push mode.
      idontwantMinDataSize: 16 * 1024,
      doPX: init.relayServer === true
    }) as never
  }
  if (init.dht !== false && init.dht != null) {
    services.dht = kadDHT({
      protocol: '/nsn/kad/1.0.0',
      clientMode: init.dht === 'client',
      peerInfoMapper: init.dhtPrivateAddresses === true ? (p) => p : removePrivateAddressesMapper
    }) as never
  }
  if (init.relayServer === true) {
    services.relay = circuitRelayServer({ reservations: { maxReservations: 512 } }) as never
  }
  const node = await createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen ?? [], announce: init.announce ?? [] },
    transports: init.transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: init.connectionGater,
    connectionManager: {
      maxConnections: init.maxConnections ?? 100,
      inboundConnectionThreshold: init.inboundConnectionsPerSecond ?? 5
    },
    peerDiscovery: peerDiscovery as never,
    metrics: init.metrics?.factory(),
    services
  })
  return node as unknown as NsnLibp2p
}
