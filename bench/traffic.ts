// SPDX-License-Identifier: GPL-3.0-or-later
/** Traffic sampling of viewers: bytes received per unique payload byte over a window, per-protocol breakdowns and arrival times. */
import { progress, sleep, round, mean } from './bench-util.ts'
import type { Devnet, DevnetNodeStatus } from '../src/app/devnet.ts'
import type { ViewerStatsLike } from './page-probe.ts'

export interface TrafficSample {
  bytesIn: number
  payloadBytes: number
  segmentsAccepted: number
  videoPeers: number
  connections: number
  /** Per-protocol stream bytes in, when the node exposes them. */
  protocols?: Record<string, { in: number, out: number }>
  /** Segments ignored/rejected since start, by reason. */
  ignored: Record<string, number>
  rejected: Record<string, number>
  /** Cumulative buckets `[le seconds, count]` of the node's accept − air time histogram (/metrics). */
  arrival?: Array<[number, number]>
}

export interface ViewerWindow {
  name: string
  ratio: number | undefined
  bytesIn: number
  payloadBytes: number
  segments: number
  videoPeers: number
  protocolsIn?: Record<string, number>
}

export function sampleOf (s: DevnetNodeStatus | ViewerStatsLike): TrafficSample {
  return {
    bytesIn: s.bytesIn,
    payloadBytes: s.payloadBytes,
    segmentsAccepted: s.segmentsAccepted,
    videoPeers: s.videoPeers.length,
    connections: s.connections.length,
    ignored: { ...(s.ignored as Record<string, number> | undefined) },
    rejected: { ...(s.rejected as Record<string, number> | undefined) },
    protocols: (s as { protocols?: TrafficSample['protocols'] }).protocols
  }
}

/** Bytes received per unique payload byte accepted between two samples of one viewer. */
export function windowOf (name: string, a: TrafficSample, b: TrafficSample): ViewerWindow {
  const bytesIn = b.bytesIn - a.bytesIn
  const payloadBytes = b.payloadBytes - a.payloadBytes
  let protocolsIn: Record<string, number> | undefined
  if (a.protocols != null && b.protocols != null) {
    protocolsIn = {}
    for (const [p, c] of Object.entries(b.protocols)) protocolsIn[p] = c.in - (a.protocols[p]?.in ?? 0)
  }
  return {
    name,
    ratio: payloadBytes > 0 ? bytesIn / payloadBytes : undefined,
    bytesIn,
    payloadBytes,
    segments: b.segmentsAccepted - a.segmentsAccepted,
    videoPeers: b.videoPeers,
    protocolsIn
  }
}

export interface RatioSummary {
  mean: number | undefined
  max: number | undefined
  min: number | undefined
  /** Viewers that accepted no payload in the window (their ratio is undefined). */
  starved: string[]
}

export function summarize (windows: ViewerWindow[]): RatioSummary {
  const ratios = windows.map(w => w.ratio).filter((r): r is number => r != null)
  return {
    mean: mean(ratios),
    max: ratios.length > 0 ? Math.max(...ratios) : undefined,
    min: ratios.length > 0 ? Math.min(...ratios) : undefined,
    starved: windows.filter(w => w.ratio == null).map(w => w.name)
  }
}

/** Received stream bytes per protocol over all viewers, divided by their accepted payload bytes. */
export function protocolBreakdown (windows: ViewerWindow[]): Record<string, number> | undefined {
  const withProtocols = windows.filter(w => w.protocolsIn != null && w.payloadBytes > 0)
  if (withProtocols.length === 0) return undefined
  const payload = withProtocols.reduce((a, w) => a + w.payloadBytes, 0)
  const wire = withProtocols.reduce((a, w) => a + w.bytesIn, 0)
  const sums: Record<string, number> = {}
  let streams = 0
  for (const w of withProtocols) {
    for (const [p, n] of Object.entries(w.protocolsIn ?? {})) {
      sums[p] = (sums[p] ?? 0) + n
      streams += n
    }
  }
  const out: Record<string, number> = {}
  for (const [p, n] of Object.entries(sums).sort((x, y) => y[1] - x[1])) out[p] = round(n / payload, 4) ?? 0
  // What the wire carries beyond protocol stream payloads: noise + yamux framing, multistream-select.
  out['(framing+encryption)'] = round((wire - streams) / payload, 4) ?? 0
  return out
}

/**
 * Reads `read()` until `accepted` grows, and returns that first reading: a window whose both ends are
 * taken just after a segment was accepted spans whole segment periods, so the segment that is half
 * received at an edge does not skew the ratio. Gives the last reading after `timeoutMs`.
 */
export async function afterNextSegment<T> (read: () => Promise<T>, accepted: (t: T) => number, timeoutMs = 3_000): Promise<T> {
  const first = await read()
  const end = Date.now() + timeoutMs
  let last = first
  while (Date.now() < end) {
    await sleep(50)
    last = await read()
    if (accepted(last) > accepted(first)) return last
  }
  return last
}

/** The buckets of `nsn_segment_arrival_latency_seconds` in a Prometheus text exposition. */
export function arrivalBuckets (text: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const m of text.matchAll(/^nsn_segment_arrival_latency_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    const le = /(?:^|,)le="([^"]+)"/.exec(m[1] ?? '')?.[1]
    if (le != null) out.push([le === '+Inf' ? Infinity : Number(le), Number(m[2])])
  }
  return out
}

export async function sampleHeadless (devnet: Devnet): Promise<TrafficSample[]> {
  return await Promise.all(devnet.viewers.map(async v => {
    const sample = sampleOf(await afterNextSegment(async () => await v.status(), s => s.segmentsAccepted))
    const metrics = await fetch(`${v.statusUrl}/metrics`, { signal: AbortSignal.timeout(5_000) }).then(async r => await r.text()).catch(() => '')
    return { ...sample, arrival: arrivalBuckets(metrics) }
  }))
}

/**
 * Accept − air time of the segments all headless viewers received between two samples: the share
 * within each histogram bucket bound, and the bucket bounds holding the median and the 99th percentile.
 */
export function arrivalSummary (a: TrafficSample[], b: TrafficSample[]): { p50_le_s: number | null, p99_le_s: number | null, within_s: Record<string, number> } | undefined {
  const sums = new Map<number, number>()
  b.forEach((s, i) => {
    for (const [le, n] of s.arrival ?? []) {
      const before = a[i]?.arrival?.find(x => x[0] === le)?.[1] ?? 0
      sums.set(le, (sums.get(le) ?? 0) + n - before)
    }
  })
  const buckets = [...sums].sort((x, y) => x[0] - y[0])
  const total = buckets.at(-1)?.[1] ?? 0
  if (total === 0) return undefined
  const at = (q: number): number | null => {
    const le = buckets.find(([, n]) => n >= q * total)?.[0]
    return le != null && Number.isFinite(le) ? le : null
  }
  const within: Record<string, number> = {}
  for (const [le, n] of buckets) if (Number.isFinite(le)) within[String(le)] = round(n / total, 3) ?? 0
  return { p50_le_s: at(0.5), p99_le_s: at(0.99), within_s: within }
}

/**
 * Polls the director's `published` count every 100 ms until `stop()`; returns the wall-clock times at
 * which it grew. A real-time encoder publishes one segment per segment duration; more means ffmpeg
 * had fallen behind the wall clock (CPU starvation) and is catching up, which shows as latency at every
 * viewer whatever the transport.
 */
export function logWindows (phase: string, windows: ViewerWindow[]): void {
  for (const w of windows) {
    progress(`${phase} ${w.name}: ${w.ratio != null ? w.ratio.toFixed(3) : 'n/a'} bytes/payload byte ` +
      `(${(w.bytesIn / 1e6).toFixed(2)} MB in, ${(w.payloadBytes / 1e6).toFixed(2)} MB payload, ${w.segments} segments, ${w.videoPeers} video peers)`)
  }
}

// ---- page probe -------------------------------------------------------------------------------

/** What the probe injected into the page records (performance.now() timestamps, ms since navigation). */
