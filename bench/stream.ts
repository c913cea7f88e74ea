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
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { startDevnet } from '../src/app/devnet.ts'
import { startWebServer } from '../src/app/web-server.ts'
import { t0, progress, sleep, round, mean, percentile } from './bench-util.ts'
import { sampleOf, windowOf, summarize, protocolBreakdown, sampleHeadless, arrivalSummary, logWindows } from './traffic.ts'
import { watchPublishes, publishSummary, offSchedule, prioritizeDirector } from './director.ts'
import { rpcBreakdown, PROBE_SCRIPT, samplePage, readProbe, readPage } from './page-probe.ts'
import type { Devnet } from '../src/app/devnet.ts'
import type { WebServer } from '../src/app/web-server.ts'
import type { Browser } from 'playwright-core'
import type { TrafficSample } from './traffic.ts'

const HELP = `usage: npm run bench:stream [-- options]

  --viewers <n>        headless viewers per devnet (default 8)
  --mesh-degree <n>    gossipsub mesh degree D for every node (default: the node default, 6)
  --baseline-s <s>     baseline measuring window (default 15)
  --watch-s <s>        how long the browser viewer watches, from page open (default 30)
  --settle-s <s>       wait before a measuring window starts (default 2)
  --viewer-batch <n>   start headless viewers n at a time, each group once the previous one is
                       connected (default 4; 0 = all at once)
  --no-build           serve the existing dist/ instead of building first
  --no-renice          leave the director (node + ffmpeg) at normal CPU priority
  --verbose            print the nodes' logs to stderr
  -h, --help           this help`

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

const TTFF_TARGET_MS = 2000
const LATENCY_SLACK_MS = 500
const BYTES_TARGET = 1.3
const DEFAULT_SEGMENT_MS = 1000

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
      'no-renice': { type: 'boolean', default: false },
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
  const loadAtStart = loadavg()[0] ?? 0
  if (loadAtStart > availableParallelism()) progress(`warning: load average ${loadAtStart.toFixed(1)} on ${availableParallelism()} CPUs before the start: expect noisy numbers`)
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

  const dataDirs: string[] = []
  const startPhase = async (mode: 'push' | 'announce'): Promise<Devnet> => {
    const dataDir = await mkdtemp(join(tmpdir(), `nsn-bench-${mode}-`))
    dataDirs.push(dataDir)
    const ready = new AbortController()
    const renice = values['no-renice'] ? Promise.resolve() : prioritizeDirector(dataDir, ready.signal)
    try {
      return await startDevnet({ dataDir, mode, viewers, viewerBatch, meshDegree, log })
    } finally {
      // ffmpeg and its threads exist by now: the director published before the viewers came up.
      ready.abort()
      await renice
    }
  }

  try {
    // The production build first, on an idle machine; the server answers /nsn-config.json from the
    // devnet that is running when the page asks.
    progress(values['no-build'] ? 'serving the existing dist/' : 'building the web app (vite build)…')
    web = await startWebServer({ mode: 'preview', build: !values['no-build'], config: () => devnet?.webConfig ?? {} })
    progress(`web app at ${web.url}`)

    // ---- phase 1: baseline (push) ----
    progress(`baseline: starting devnet (push mode, ${viewers} headless viewers)…`)
    devnet = await startPhase('push')
    progress(`baseline: all viewers accepted segments; settling ${settleMs / 1000} s, then measuring ${baselineMs / 1000} s`)
    await sleep(settleMs)
    const b0 = await sampleHeadless(devnet)
    const baselinePublishes = watchPublishes(devnet)
    await sleep(baselineMs)
    const b1 = await sampleHeadless(devnet)
    const baselinePublished = await baselinePublishes.stop()
    const baselineDirector = publishSummary(baselinePublished.times, baselinePublished.spanMs, DEFAULT_SEGMENT_MS)
    progress(`baseline director: ${JSON.stringify(baselineDirector)}`)
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
    devnet = await startPhase('announce')
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
    const nsnPublishes = watchPublishes(devnet)
    const remaining = watchMs - (windowStart - openedAt)
    if (remaining < 5_000) progress(`nsn: warning: only ${Math.round(remaining / 1000)} s left of the watch time for the measuring window`)
    progress(`nsn: measuring ${Math.round(Math.max(remaining, 5_000) / 1000)} s`)
    await sleep(Math.max(remaining, 5_000))
    const [h1, p1] = await Promise.all([sampleHeadless(devnet), samplePage(page)])
    const published = await nsnPublishes.stop()
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
    const nsnDirector = publishSummary(published.times, published.spanMs, segmentMs)
    progress(`nsn director: ${JSON.stringify(nsnDirector)}`)
    if (offSchedule(nsnDirector, segmentMs)) progress('nsn: warning: the director\'s encoder was not real time in the window (CPU starved?): latency and arrival include its lag')
    const ttffMs = probe.connectedAt != null && probe.firstFrameAt != null ? probe.firstFrameAt - probe.connectedAt : undefined
    const headlessPeers = h1.map(s => s.videoPeers)
    if (Math.min(...headlessPeers) < 3) progress(`nsn: warning: a headless viewer has ${Math.min(...headlessPeers)} video-topic peers (< 3): try --viewers or --mesh-degree`)
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
      node_started_at_ms: round(probe.nodeAt ?? undefined),
      connected_at_ms: round(probe.connectedAt ?? undefined),
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
      director_window: nsnDirector,
      baseline_director_window: baselineDirector,
      window_s: round(windowS, 1),
      baseline_window_s: baselineMs / 1000,
      duration_s: round((performance.now() - t0) / 1000, 1),
      cpus: availableParallelism(),
      load_avg_1m: [round(loadAtStart, 2), round(loadavg()[0], 2)],
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
    // The nodes' throwaway keys.
    await Promise.allSettled(dataDirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}

main().then(code => { process.exit(code) }, (err: Error) => {
  progress(`failed: ${err.stack ?? err.message}`)
  process.exit(1)
})
