// SPDX-License-Identifier: GPL-3.0-or-later
/** What the benchmark reads from the page: the node's and player's stats, and a probe of gossipsub RPC bytes. */
import { round } from './bench-util.ts'
import { afterNextSegment } from './traffic.ts'
import type { Page } from 'playwright-core'

export interface PageProbe {
  wsOpenAt: number | null
  nodeAt: number | null
  connectedAt: number | null
  firstFrameAt: number | null
  /** Media segments the page node accepted: wall clock, header duration, arrival − air time, source. */
  segments: Array<{ atMs: number, durationUs: number, arrivalMs: number, from: string }>
  /** The player's current display latency, sampled every 100 ms after the first frame (wall clock). */
  latency: Array<{ atMs: number, latencyMs: number }>
  rpc: RpcCounters
}

/** Gossipsub RPC bytes the page node received, cumulative. */
export interface RpcCounters {
  bytes: number
  /** Published message bytes (data, signature, key, from, seqno, topic) by topic. */
  topics: Record<string, number>
  /** Message id bytes in IHAVE / IWANT / IDONTWANT control messages. */
  ihave: number
  iwant: number
  idontwant: number
}

/** Gossipsub bytes received between two readings per unique payload byte accepted, by part. */
export function rpcBreakdown (a: RpcCounters, b: RpcCounters, payloadBytes: number): Record<string, number> | undefined {
  if (payloadBytes <= 0) return undefined
  const out: Record<string, number> = {}
  let parts = 0
  for (const [t, n] of Object.entries(b.topics)) {
    const d = n - (a.topics[t] ?? 0)
    out[`messages ${t}`] = round(d / payloadBytes, 4) ?? 0
    parts += d
  }
  for (const k of ['ihave', 'iwant', 'idontwant'] as const) {
    out[k] = round((b[k] - a[k]) / payloadBytes, 4) ?? 0
    parts += b[k] - a[k]
  }
  out['other (framing, subscriptions, graft/prune)'] = round((b.bytes - a.bytes - parts) / payloadBytes, 4) ?? 0
  out.total = round((b.bytes - a.bytes) / payloadBytes, 4) ?? 0
  return out
}

export interface ViewerStatsLike {
  bytesIn: number
  payloadBytes: number
  segmentsAccepted: number
  videoPeers: string[]
  connections: unknown[]
  protocols?: Record<string, { in: number, out: number }>
  ignored?: Record<string, number>
  rejected?: Record<string, number>
}

/**
 * Runs in the page before its scripts: polls every 50 ms for the node (`window.__nsn`), its first
 * connection and the first decoded frame, and records the first WebSocket 'open' (the bootstrap dial)
 * and the header of every media segment the node accepts. Plain JavaScript (a string), so that the
 * TypeScript loader's helpers never end up in the page.
 */
export const PROBE_SCRIPT = `(() => {
  const probe = { wsOpenAt: null, nodeAt: null, connectedAt: null, firstFrameAt: null, segments: [], latency: [],
    rpc: { bytes: 0, topics: {}, ihave: 0, iwant: 0, idontwant: 0 } }
  window.__bench = probe
  const NativeWebSocket = window.WebSocket
  window.WebSocket = class extends NativeWebSocket {
    constructor (url, protocols) {
      super(url, protocols)
      this.addEventListener('open', () => { probe.wsOpenAt ??= performance.now() })
    }
  }
  let ticks = 0
  setInterval(() => {
    const now = performance.now()
    const nsn = window.__nsn
    if (nsn != null && probe.nodeAt == null) {
      probe.nodeAt = now
      nsn.node.addEventListener('segment:accepted', e => {
        const h = e.detail.header
        if (h.kind !== 'media') return
        probe.segments.push({ atMs: e.detail.receivedAtMs, durationUs: h.durationUs, arrivalMs: e.detail.receivedAtMs - Number(h.airTimeUs) / 1000, from: e.detail.from })
      })
      // Gossipsub RPC bytes received, split into published messages by topic and control message ids
      // (diagnostics: gossipsub's own metrics are not recorded by the node).
      const pubsub = nsn.node.peer?.libp2p?.services?.pubsub
      if (pubsub != null && typeof pubsub.decodeRpc === 'function') {
        const decode = pubsub.decodeRpc.bind(pubsub)
        const idBytes = xs => (xs ?? []).reduce((a, x) => a + (x.messageIDs ?? []).reduce((b, id) => b + id.length, 0), 0)
        pubsub.decodeRpc = bytes => {
          const rpc = decode(bytes)
          const r = probe.rpc
          r.bytes += bytes.length
          for (const m of rpc.messages ?? []) {
            const t = m.topic ?? '?'
            r.topics[t] = (r.topics[t] ?? 0) + (m.data?.length ?? 0) + (m.signature?.length ?? 0) + (m.key?.length ?? 0) + (m.from?.length ?? 0) + (m.seqno?.length ?? 0) + t.length
          }
          r.ihave += idBytes(rpc.control?.ihave)
          r.iwant += idBytes(rpc.control?.iwant)
          r.idontwant += idBytes(rpc.control?.idontwant)
          return rpc
        }
      }
    }
    if (nsn != null && probe.connectedAt == null && nsn.node.stats().connections.length > 0) probe.connectedAt = now
    const video = document.querySelector('video')
    if (probe.firstFrameAt == null && video != null && (video.getVideoPlaybackQuality?.().totalVideoFrames ?? 0) > 0) probe.firstFrameAt = now
    // After the first frame: the player's current display latency every 100 ms.
    if (probe.firstFrameAt != null && nsn != null && ++ticks % 2 === 0) {
      const latencyMs = nsn.player.stats().latencyMs
      if (latencyMs != null) probe.latency.push({ atMs: Date.now(), latencyMs })
    }
  }, 50)
})()`

export async function samplePage (page: Page): Promise<PageReading | undefined> {
  return await afterNextSegment(async () => await readPage(page), p => p?.node.segmentsAccepted ?? 0)
}

export async function readProbe (page: Page): Promise<PageProbe> {
  return await page.evaluate(() => (window as unknown as { __bench: PageProbe }).__bench)
}

export interface PagePlayerStats {
  state: string
  latencyP50?: number
  latencyP99?: number
  stalls: { count: number, longestMs: number }
  ttffMs?: number
  framesDecoded: number
  framesDropped: number
  seeks: Record<string, number>
  error?: string
}

export interface PageReading { node: ViewerStatsLike, player: PagePlayerStats, rpc?: RpcCounters }

export async function readPage (page: Page): Promise<PageReading | undefined> {
  return await page.evaluate(() => {
    type Peer = { traffic?: { counters?: { protocols?: ViewerStatsLike['protocols'] } }, segments?: { stats?: { ignored?: Record<string, number>, rejected?: Record<string, number> } } }
    const nsn = (window as unknown as { __nsn?: { node: { stats: () => ViewerStatsLike, peer?: Peer }, player: { stats: () => PagePlayerStats } } }).__nsn
    if (nsn == null) return undefined
    const s = nsn.node.stats()
    const protocols = nsn.node.peer?.traffic?.counters?.protocols
    const gossip = nsn.node.peer?.segments?.stats
    const node = {
      bytesIn: s.bytesIn, payloadBytes: s.payloadBytes, segmentsAccepted: s.segmentsAccepted, videoPeers: s.videoPeers, connections: s.connections,
      protocols: protocols != null ? structuredClone(protocols) : undefined,
      ignored: { ...gossip?.ignored },
      rejected: { ...gossip?.rejected }
    }
    const p = nsn.player.stats()
    const bench = (window as unknown as { __bench?: { rpc: RpcCounters } }).__bench
    return { node, rpc: bench != null ? structuredClone(bench.rpc) : undefined, player: { state: p.state, latencyP50: p.latencyP50, latencyP99: p.latencyP99, stalls: p.stalls, ttffMs: p.ttffMs, framesDecoded: p.framesDecoded, framesDropped: p.framesDropped, seeks: p.seeks, error: p.error } }
  })
}
