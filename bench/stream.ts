// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `npm run bench:stream`: live-stream benchmark on a local devnet (see bench/README.md).
 *
 * Phase "baseline": director + N headless viewers in `push` mode (plain gossipsub, full payloads),
 * measuring the bytes each viewer receives per unique payload byte it accepts.
 * Phase "nsn": the same in `announce` mode (signed headers gossiped, payloads pulled once), plus one
 * Chromium viewer playing the channel from the production build: time to first frame, display latency,
 * stalls and the same byte ratio for every viewer.
 *
 * Progress goes to stderr; the last line of stdout is one JSON object with the results.
 * Exit code 0 whether or not the targets are met; non-zero only when the benchmark could not run.
 */
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { startDevnet } from '../src/app/devnet.ts'
import { startWebServer } from '../src/app/web-server.ts'
import type { Devnet, DevnetNodeStatus } from '../src/app/devnet.ts'
import type { WebServer } from '../src/app/web-server.ts'
import type { Browser, Page } from 'playwright-core'

const HELP = `usage: npm run bench:stream [-- options]

  --viewers <n>        headless viewers per devnet (default 8)
  --mesh-degree <n>    gossipsub mesh degree D for every node (default: the node default, 6)
  --baseline-s <s>     baseline measuring window (default 15)
  --watch-s <s>        how long the browser viewer watches, from page open (default 30)
  --settle-s <s>       wait before a measuring window starts (default 2)
  --viewer-batch <n>   start headless viewers n at a time, each group once the previous one is
                       connected (default 4; 0 = all at once)
  --no-build           serve the existing dist/ instead of building first
  --verbose            print the nodes' logs to stderr
  -h, --help           this help`

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const TTFF_TARGET_MS = 2000
const LATENCY_SLACK_MS = 500
const BYTES_TARGET = 1.3
const DEFAULT_SEGMENT_MS = 1000

const t0 = performance.now()
function progress (msg: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`)
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const round = (n: number | undefined, digits = 0): number | null => {
  if (n == null || !Number.isFinite(n)) return null
  const f = 10 ** digits
  return Math.round(n * f) / f
}
const mean = (xs: number[]): number | undefined => xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined

/** Traffic counters of one viewer at one moment. */
interface TrafficSample {
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

interface ViewerWindow {
  name: string
  ratio: number | undefined
  bytesIn: number
  payloadBytes: number
  segments: number
  videoPeers: number
  protocolsIn?: Record<string, number>
}

function sampleOf (s: DevnetNodeStatus | ViewerStatsLike): TrafficSample {
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
function windowOf (name: string, a: TrafficSample, b: TrafficSample): ViewerWindow {
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

interface RatioSummary {
  mean: number | undefined
  max: number | undefined
  min: number | undefined
  /** Viewers that accepted no payload in the window (their ratio is undefined). */
  starved: string[]
}

function summarize (windows: ViewerWindow[]): RatioSummary {
  const ratios = windows.map(w => w.ratio).filter((r): r is number => r != null)
  return {
    mean: mean(ratios),
    max: ratios.length > 0 ? Math.max(...ratios) : undefined,
    min: ratios.length > 0 ? Math.min(...ratios) : undefined,
    starved: windows.filter(w => w.ratio == null).map(w => w.name)
  }
}

/** Received stream bytes per protocol over all viewers, divided by their accepted payload bytes. */
function protocolBreakdown (windows: ViewerWindow[]): Record<string, number> | undefined {
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
async function afterNextSegment<T> (read: () => Promise<T>, accepted: (t: T) => number, timeoutMs = 3_000): Promise<T> {
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
function arrivalBuckets (text: string): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const m of text.matchAll(/^nsn_segment_arrival_latency_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    const le = /(?:^|,)le="([^"]+)"/.exec(m[1] ?? '')?.[1]
    if (le != null) out.push([le === '+Inf' ? Infinity : Number(le), Number(m[2])])
  }
  return out
}

async function sampleHeadless (devnet: Devnet): Promise<TrafficSample[]> {
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
function arrivalSummary (a: TrafficSample[], b: TrafficSample[]): { p50_le_s: number | null, p99_le_s: number | null, within_s: Record<string, number> } | undefined {
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

function logWindows (phase: string, windows: ViewerWindow[]): void {
  for (const w of windows) {
    progress(`${phase} ${w.name}: ${w.ratio != null ? w.ratio.toFixed(3) : 'n/a'} bytes/payload byte ` +
      `(${(w.bytesIn / 1e6).toFixed(2)} MB in, ${(w.payloadBytes / 1e6).toFixed(2)} MB payload, ${w.segments} segments, ${w.videoPeers} video peers)`)
  }
}

// ---- page probe -------------------------------------------------------------------------------

/** What the probe injected into the page records (performance.now() timestamps, ms since navigation). */
interface PageProbe {
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
interface RpcCounters {
  bytes: number
  /** Published message bytes (data, signature, key, from, seqno, topic) by topic. */
  topics: Record<string, number>
  /** Message id bytes in IHAVE / IWANT / IDONTWANT control messages. */
  ihave: number
  iwant: number
  idontwant: number
}

/** Gossipsub bytes received between two readings per unique payload byte accepted, by part. */
function rpcBreakdown (a: RpcCounters, b: RpcCounters, payloadBytes: number): Record<string, number> | undefined {
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

interface ViewerStatsLike {
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
const PROBE_SCRIPT = `(() => {
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

async function samplePage (page: Page): Promise<PageReading | undefined> {
  return await afterNextSegment(async () => await readPage(page), p => p?.node.segmentsAccepted ?? 0)
}

async function readProbe (page: Page): Promise<PageProbe> {
  return await page.evaluate(() => (window as unknown as { __bench: PageProbe }).__bench)
}

interface PagePlayerStats {
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

interface PageReading { node: ViewerStatsLike, player: PagePlayerStats, rpc?: RpcCounters }

async function readPage (page: Page): Promise<PageReading | undefined> {
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

function percentile (xs: number[], p: number): number | undefined {
  if (xs.length === 0) return undefined
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]
}

// ---- main -------------------------------------------------------------------------------------

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      viewers: { type: 'string', default: '8' },
      'mesh-degree': { type: 'string' },
      'baseline-s': { type: 'string', default: '15' },
      'watch-s': { type: 'string', default: '30' },
      'settle-s': { type: 'string', default: '2' },
      'viewer-batch': { type: 'string', default: '4' },
      'no-build': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) { console.log(HELP); return 0 }
  const viewers = Number(values.viewers)
  const meshDegree = values['mesh-degree'] != null ? Number(values['mesh-degree']) : undefined
  const baselineMs = Number(values['baseline-s']) * 1000
  const watchMs = Number(values['watch-s']) * 1000
  const settleMs = Number(values['settle-s']) * 1000
  const viewerBatch = Number(values['viewer-batch'])
  const log = values.verbose ? (line: string) => { process.stderr.write(`${line}\n`) } : undefined

  let devnet: Devnet | undefined
  let web: WebServer | undefined
  let browser: Browser | undefined
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled([browser?.close(), web?.close(), devnet?.stop()])
    browser = undefined
    web = undefined
    devnet = undefined
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      progress(`${sig}: stopping`)
      void stopAll().finally(() => process.exit(130))
    })
  }

  try {
    // The production build first, on an idle machine; the server answers /nsn-config.json from the
    // devnet that is running when the page asks.
    progress(values['no-build'] ? 'serving the existing dist/' : 'building the web app (vite build)…')
    web = await startWebServer({ mode: 'preview', build: !values['no-build'], config: () => devnet?.webConfig ?? {} })
    progress(`web app at ${web.url}`)

    // ---- phase 1: baseline (push) ----
    progress(`baseline: starting devnet (push mode, ${viewers} headless viewers)…`)
    devnet = await startDevnet({ mode: 'push', viewers, viewerBatch, meshDegree, log })
    progress(`baseline: all viewers accepted segments; settling ${settleMs / 1000} s, then measuring ${baselineMs / 1000} s`)
    await sleep(settleMs)
    const b0 = await sampleHeadless(devnet)
    await sleep(baselineMs)
    const b1 = await sampleHeadless(devnet)
    const baselineWindows = b1.map((s, i) => windowOf(`viewer-${i}`, b0[i] as TrafficSample, s))
    logWindows('baseline', baselineWindows)
    const baseline = summarize(baselineWindows)
    const baselineBreakdown = protocolBreakdown(baselineWindows)
    const baselineArrival = arrivalSummary(b0, b1)
    if (baselineArrival != null) progress(`baseline headless accept − air time: ${JSON.stringify(baselineArrival)}`)
    if (baselineBreakdown != null) progress(`baseline bytes in per payload byte by protocol: ${JSON.stringify(baselineBreakdown)}`)
    progress(`baseline: mean ${baseline.mean?.toFixed(3)} max ${baseline.max?.toFixed(3)}; stopping`)
    await devnet.stop()
    devnet = undefined

    // ---- phase 2: nsn (announce) + a browser viewer ----
    progress(`nsn: starting devnet (announce mode, ${viewers} headless viewers)…`)
    devnet = await startDevnet({ mode: 'announce', viewers, viewerBatch, meshDegree, log })
    progress('nsn: all headless viewers accepted segments; launching Chromium')
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', err => { pageErrors.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error' || values.verbose) log?.(`page ${msg.type()}: ${msg.text()}`) })
    await page.addInitScript({ content: PROBE_SCRIPT })
    const openedAt = Date.now()
    await page.goto(web.url)
    progress('nsn: page opened; waiting for the first frame')
    let probe = await readProbe(page)
    while (probe.firstFrameAt == null && Date.now() - openedAt < watchMs) {
      await sleep(100)
      probe = await readProbe(page)
    }
    if (probe.firstFrameAt == null) {
      const state = await readPage(page).catch(() => undefined)
      throw new Error(`the browser viewer rendered no frame within ${watchMs / 1000} s (player ${JSON.stringify(state?.player)}; page errors: ${pageErrors.join('; ') || 'none'})`)
    }
    progress(`nsn: first frame ${Math.round(probe.firstFrameAt - (probe.connectedAt ?? 0))} ms after the node connected; settling ${settleMs / 1000} s`)
    await sleep(settleMs)
    const windowStart = Date.now()
    const [h0, p0] = await Promise.all([sampleHeadless(devnet), samplePage(page)])
    const remaining = watchMs - (windowStart - openedAt)
    if (remaining < 5_000) progress(`nsn: warning: only ${Math.round(remaining / 1000)} s left of the watch time for the measuring window`)
    progress(`nsn: measuring ${Math.round(Math.max(remaining, 5_000) / 1000)} s`)
    await sleep(Math.max(remaining, 5_000))
    const [h1, p1] = await Promise.all([sampleHeadless(devnet), samplePage(page)])
    const windowEnd = Date.now()
    const windowS = (windowEnd - windowStart) / 1000
    probe = await readProbe(page)
    if (p0 == null || p1 == null) throw new Error('the page exposes no window.__nsn')

    const nsnWindows = h1.map((s, i) => windowOf(`viewer-${i}`, h0[i] as TrafficSample, s))
    nsnWindows.push(windowOf('browser', sampleOf(p0.node), sampleOf(p1.node)))
    logWindows('nsn', nsnWindows)
    const nsn = summarize(nsnWindows)
    const nsnBreakdown = protocolBreakdown(nsnWindows)
    const nsnArrival = arrivalSummary(h0, h1)
    if (nsnArrival != null) progress(`nsn headless accept − air time: ${JSON.stringify(nsnArrival)}`)
    if (nsnBreakdown != null) progress(`nsn bytes in per payload byte by protocol: ${JSON.stringify(nsnBreakdown)}`)
    const browserBreakdown = protocolBreakdown(nsnWindows.filter(w => w.name === 'browser'))
    if (browserBreakdown != null) progress(`nsn browser bytes in per payload byte by protocol: ${JSON.stringify(browserBreakdown)}`)
    const browserWindow = nsnWindows.at(-1)
    const gossipBreakdown = p0.rpc != null && p1.rpc != null && browserWindow != null ? rpcBreakdown(p0.rpc, p1.rpc, browserWindow.payloadBytes) : undefined
    if (gossipBreakdown != null) progress(`nsn browser gossipsub bytes in per payload byte: ${JSON.stringify(gossipBreakdown)}`)
    const directorStatus = await devnet.director.status().catch(() => undefined)
    // Segments ignored (e.g. a pull that failed: 'unavailable') or rejected since start, all nsn viewers.
    const dropped: Record<string, number> = {}
    for (const x of [...h1, sampleOf(p1.node)]) {
      for (const [k, n] of Object.entries(x.ignored)) dropped[`ignored:${k}`] = (dropped[`ignored:${k}`] ?? 0) + n
      for (const [k, n] of Object.entries(x.rejected)) dropped[`rejected:${k}`] = (dropped[`rejected:${k}`] ?? 0) + n
    }
    progress(`nsn: segments ignored/rejected since start (all viewers): ${JSON.stringify(dropped)}`)

    const player = p1.player
    const durationUs = mean(probe.segments.map(x => x.durationUs).filter(d => d > 0))
    const inWindow = (atMs: number): boolean => atMs >= windowStart && atMs <= windowEnd
    const arrivals = probe.segments.map(x => x.arrivalMs)
    const windowArrivals = probe.segments.filter(x => inWindow(x.atMs)).map(x => x.arrivalMs)
    const windowLatency = probe.latency.filter(x => inWindow(x.atMs)).map(x => x.latencyMs)
    const late = probe.segments.filter(x => x.arrivalMs > 3 * (durationUs ?? 1e6) / 1000)
    if (late.length > 0) {
      progress(`nsn: ${late.length} of ${probe.segments.length} media segments reached the page > 3 segment durations after air time: ` +
        late.slice(0, 8).map(x => `${Math.round(x.arrivalMs)} ms at +${((x.atMs - openedAt) / 1000).toFixed(1)} s from ${x.from.slice(-6)}`).join(', '))
    }
    const segmentMs = durationUs != null ? durationUs / 1000 : DEFAULT_SEGMENT_MS
    const ttffMs = probe.connectedAt != null && probe.firstFrameAt != null ? probe.firstFrameAt - probe.connectedAt : undefined
    const headlessPeers = h1.map(s => s.videoPeers)
    const targets = { latency_p99_ms: Math.round(segmentMs + LATENCY_SLACK_MS), ttff_ms: TTFF_TARGET_MS, bytes_per_payload_byte: BYTES_TARGET }
    const met = {
      latency_p99_ms: player.latencyP99 != null && player.latencyP99 <= targets.latency_p99_ms,
      ttff_ms: ttffMs != null && ttffMs <= targets.ttff_ms,
      bytes_per_payload_byte: nsn.mean != null && nsn.mean <= targets.bytes_per_payload_byte
    }
    const result = {
      bench: 'stream',
      segment_ms: round(segmentMs),
      segment_ms_source: durationUs != null ? 'mean header durationUs of media segments the page accepted' : 'director default',
      ttff_ms: round(ttffMs),
      ttff_player_ms: round(player.ttffMs),
      ttff_from_navigation_ms: round(probe.firstFrameAt ?? undefined),
      connected_after_ws_open_ms: round(probe.connectedAt != null && probe.wsOpenAt != null ? probe.connectedAt - probe.wsOpenAt : undefined),
      latency_p50_ms: round(player.latencyP50),
      latency_p99_ms: round(player.latencyP99),
      latency_window_p50_ms: round(percentile(windowLatency, 50)),
      latency_window_p99_ms: round(percentile(windowLatency, 99)),
      arrival_p50_ms: round(percentile(arrivals, 50)),
      arrival_p99_ms: round(percentile(arrivals, 99)),
      arrival_window_p50_ms: round(percentile(windowArrivals, 50)),
      arrival_window_p99_ms: round(percentile(windowArrivals, 99)),
      stalls: player.stalls.count,
      stall_longest_ms: player.stalls.longestMs,
      bytes_per_payload_byte: round(nsn.mean, 3),
      bytes_per_payload_byte_max: round(nsn.max, 3),
      bytes_per_payload_byte_browser: round(nsnWindows.at(-1)?.ratio, 3),
      baseline_bytes_per_payload_byte: round(baseline.mean, 3),
      baseline_bytes_per_payload_byte_max: round(baseline.max, 3),
      viewers: viewers + 1,
      starved_viewers: nsn.starved.length,
      baseline_starved_viewers: baseline.starved.length,
      video_topic_peers_min: headlessPeers.length > 0 ? Math.min(...headlessPeers) : null,
      video_topic_peers_browser: p1.node.videoPeers.length,
      mesh_degree: meshDegree ?? 6,
      frames_decoded: player.framesDecoded,
      frames_dropped: player.framesDropped,
      player_state: player.state,
      seeks: player.seeks,
      director_published: directorStatus?.published ?? null,
      window_s: round(windowS, 1),
      baseline_window_s: baselineMs / 1000,
      duration_s: round((performance.now() - t0) / 1000, 1),
      targets,
      met,
      dropped_segments: dropped,
      headless_arrival: nsnArrival ?? null,
      baseline_headless_arrival: baselineArrival ?? null,
      bytes_breakdown: nsnBreakdown ?? null,
      browser_gossipsub_breakdown: gossipBreakdown ?? null,
      baseline_bytes_breakdown: baselineBreakdown ?? null,
      page_errors: pageErrors.length
    }
    progress(`done: ttff ${result.ttff_ms} ms, latency p50/p99 ${result.latency_p50_ms}/${result.latency_p99_ms} ms, stalls ${result.stalls}, ` +
      `bytes/payload ${result.bytes_per_payload_byte} (baseline ${result.baseline_bytes_per_payload_byte})`)
    await stopAll()
    console.log(JSON.stringify(result))
    return 0
  } finally {
    await stopAll()
  }
}

main().then(code => { process.exit(code) }, (err: Error) => {
  progress(`failed: ${err.stack ?? err.message}`)
  process.exit(1)
})
