// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A headless node's HTTP endpoint on 127.0.0.1 by default: `GET /status` (JSON) and `GET /metrics`
 * (Prometheus text, `nsn_` names with units).
 */
import { createServer } from 'node:http'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { NsnPeer } from '../../core/p2p/index.ts'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface NodeMetrics {
  registry: Registry
  published: Counter
  segmentLatency: Histogram
}

/** Registers the node's metrics; counters that mirror peer stats are collected on scrape. */
export function nodeMetrics (peer: NsnPeer, role: string): NodeMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ role })
  const stats = (): ReturnType<NsnPeer['stats']> => peer.stats()
  new Gauge({ name: 'nsn_peers_connected', help: 'Open libp2p connections', registers: [registry], collect () { this.set(stats().connections.length) } })
  new Gauge({ name: 'nsn_video_mesh_peers', help: 'Peers in the gossipsub mesh of the channel video topic', registers: [registry], collect () { this.set(stats().videoPeers.length) } })
  new Counter({ name: 'nsn_received_bytes_total', help: 'Bytes received over all connections (after encryption)', registers: [registry], collect () { this.reset(); this.inc(stats().bytesIn) } })
  new Counter({ name: 'nsn_sent_bytes_total', help: 'Bytes sent over all connections (after encryption)', registers: [registry], collect () { this.reset(); this.inc(stats().bytesOut) } })
  new Counter({ name: 'nsn_segment_payload_bytes_total', help: 'Unique segment payload bytes accepted', registers: [registry], collect () { this.reset(); this.inc(stats().payloadBytes) } })
  new Counter({ name: 'nsn_segments_accepted_total', help: 'Segments accepted after validation', registers: [registry], collect () { this.reset(); this.inc(stats().segmentsAccepted) } })
  new Counter({
    name: 'nsn_segments_rejected_total', help: 'Segments rejected (forwarder penalised), by reason', labelNames: ['reason'], registers: [registry],
    collect () { this.reset(); for (const [reason, n] of Object.entries(stats().rejected)) this.inc({ reason }, n) }
  })
  new Counter({
    name: 'nsn_segments_ignored_total', help: 'Segments ignored (not forwarded, no penalty), by reason', labelNames: ['reason'], registers: [registry],
    collect () { this.reset(); for (const [reason, n] of Object.entries(stats().ignored)) this.inc({ reason }, n) }
  })
  new Counter({ name: 'nsn_segments_served_total', help: 'Segments served over the fetch protocol', registers: [registry], collect () { this.reset(); this.inc(stats().served) } })
  const published = new Counter({ name: 'nsn_segments_published_total', help: 'Segments this node produced and published', registers: [registry] })
  const segmentLatency = new Histogram({
    name: 'nsn_segment_arrival_latency_seconds',
    help: 'Accept time minus air time of received segments',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10],
    registers: [registry]
  })
  peer.segments.addEventListener('segment:accepted', (evt) => {
    const { segment, from, receivedAtMs } = evt.detail
    if (from === 'self') return
    segmentLatency.observe(Math.max(0, receivedAtMs / 1000 - Number(segment.signed.header.airTimeUs) / 1e6))
  })
  return { registry, published, segmentLatency }
}

export interface StatusServer {
  url: string
  close(): Promise<void>
}

/** Serves `/status` (the JSON of `status()`) and `/metrics` on host:port (port 0 picks a free one). */
export async function startStatusServer (init: { host: string, port: number, status: () => unknown, metrics: Registry }): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') { res.writeHead(405).end(); return }
    if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(init.status(), jsonBigint, 2))
    } else if (path === '/metrics') {
      init.metrics.metrics().then(
        text => res.writeHead(200, { 'content-type': init.metrics.contentType }).end(text),
        err => res.writeHead(500).end(String(err))
      )
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /status or /metrics\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, init.host, () => resolve())
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `http://${host}:${addr.port}`,
    close: async () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

function jsonBigint (_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
