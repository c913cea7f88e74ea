// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The local development network: a bootstrap/relay node, a director publishing the test channel and
 * optional headless viewers, each an `nsn-node` child process. Used by `npm start`, the e2e tests and
 * the benchmarks.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toHex } from '../core/wire/index.ts'
import { loadSessionSigner } from '../platform/node/key-store.ts'
import type { ChildProcess } from 'node:child_process'

const NODE_ENTRY = fileURLToPath(new URL('./node.ts', import.meta.url))
const CHAIN_ENTRY = fileURLToPath(new URL('../devchain/main.ts', import.meta.url))
const POLYFILL = new URL('../../bin/polyfill.js', import.meta.url).href

export interface DevnetNodeStatus {
  role: string
  peerId: string
  multiaddrs: string[]
  producerKey?: string
  connections: Array<{ peer: string, addr: string, transport: string }>
  videoPeers: string[]
  segmentsAccepted: number
  published: number
  bytesIn: number
  payloadBytes: number
  [key: string]: unknown
}

export class DevnetProcess {
  readonly name: string
  readonly child: ChildProcess
  statusUrl = ''
  private readonly output: string[] = []

  /** The first `ws://` URL the process printed (the dev chain's RPC endpoint). */
  wsUrl = ''

  constructor (name: string, args: string[], init: { log?: (line: string) => void, netns?: string, entry?: string }) {
    this.name = name
    const nodeArgs = ['--no-warnings=ExperimentalWarning', '--experimental-websocket', '--import', POLYFILL, '--import', 'tsx', init.entry ?? NODE_ENTRY, ...args]
    this.child = init.netns != null
      ? spawn('ip', ['netns', 'exec', init.netns, process.execPath, ...nodeArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'] })
    const onData = (buf: Buffer): void => {
      for (const line of buf.toString().split('\n').filter(Boolean)) {
        this.output.push(line)
        if (this.output.length > 200) this.output.shift()
        const m = /status (http:\/\/\S+)\/status/.exec(line)
        if (m?.[1] != null) this.statusUrl = m[1]
        const ws = /listening on (ws:\/\/\S+)/.exec(line)
        if (ws?.[1] != null && this.wsUrl === '') this.wsUrl = ws[1]
        init.log?.(`${name}: ${line}`)
      }
    }
    this.child.stdout?.on('data', onData)
    this.child.stderr?.on('data', onData)
  }

  /** The last lines the process printed (for error messages). */
  tail (n = 20): string {
    return this.output.slice(-n).join('\n')
  }

  async status (options: { signal?: AbortSignal } = {}): Promise<DevnetNodeStatus> {
    const res = await fetch(`${this.statusUrl}/status`, { signal: options.signal ?? AbortSignal.timeout(5_000) })
    return await res.json() as DevnetNodeStatus
  }

  /** Waits until the process printed a `ws://` endpoint (the dev chain). */
  async waitForWs (timeoutMs = 30_000): Promise<string> {
    const end = Date.now() + timeoutMs
    while (this.wsUrl === '') {
      if (this.child.exitCode != null) throw new Error(`${this.name} exited with code ${this.child.exitCode}:\n${this.tail()}`)
      if (Date.now() > end) throw new Error(`${this.name} printed no endpoint after ${timeoutMs} ms:\n${this.tail()}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    return this.wsUrl
  }

  /** Waits until the process serves its status and `ready(status)` holds. */
  async waitFor (ready: (s: DevnetNodeStatus) => boolean, timeoutMs = 30_000): Promise<DevnetNodeStatus> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      if (this.child.exitCode != null) throw new Error(`${this.name} exited with code ${this.child.exitCode}:\n${this.tail()}`)
      if (this.statusUrl !== '') {
        const s = await this.status().catch(() => undefined)
        if (s != null && ready(s)) return s
      }
      await new Promise(resolve => setTimeout(resolve, 200))
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`)
  }

  async stop (): Promise<void> {
    if (this.child.exitCode != null || this.child.signalCode != null) return
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
}

export interface DevnetInit {
  /** Data folder root (keys of each node). A fresh temporary folder when omitted. */
  dataDir?: string
  channel?: string
  /** Bootstrap listen ports (TCP, WebSocket, WebRTC-direct); 0 picks free ports. */
  ports?: { tcp: number, ws: number, webrtcDirect: number }
  /** Bootstrap runs relay-only (no video topics). */
  relayOnly?: boolean
  /** Headless viewer peers to start beside the director. */
  viewers?: number
  /**
   * Start the viewers this many at a time, each group once the previous one is connected. The
   * bootstrap refuses more than 5 inbound connections per second from one host (libp2p's
   * `inboundConnectionThreshold`) and a refused bootstrap dial is never retried, so many viewers
   * started at once leave some of them isolated. @default all at once
   */
  viewerBatch?: number
  mode?: 'announce' | 'push'
  meshDegree?: number
  /** Extra director flags (e.g. --width 320). */
  directorArgs?: string[]
  /** Run every node inside this network namespace. */
  netns?: string
  log?: (line: string) => void
}

/** Starts the dev chain (`src/devchain/main.ts`) as a child process and waits for its endpoint. */
export async function startDevchainProcess (init: { port: number, dataDir?: string, log?: (line: string) => void }): Promise<DevnetProcess> {
  const args = ['--port', String(init.port), ...(init.dataDir != null ? ['--data', init.dataDir, '--move-stale-data'] : [])]
  const p = new DevnetProcess('devchain', args, { log: init.log, entry: CHAIN_ENTRY })
  try {
    await p.waitForWs()
  } catch (err) {
    await p.stop()
    throw err
  }
  return p
}

export interface Devnet {
  /** Root of the nodes' data folders (`<dataDir>/<role>`). */
  dataDir: string
  channel: string
  producerKey: string
  bootstrap: DevnetProcess
  director: DevnetProcess
  viewers: DevnetProcess[]
  /** Bootstrap addresses a browser dials (WebSocket, with /p2p/<id>). */
  browserBootstrap: string[]
  /** Bootstrap addresses Node peers dial (TCP). */
  nodeBootstrap: string[]
  /** The page configuration (served as /nsn-config.json). */
  webConfig: Record<string, unknown>
  stop(): Promise<void>
}

/** Starts bootstrap, director (and viewers) and waits until the director has published its init. */
export async function startDevnet (init: DevnetInit = {}): Promise<Devnet> {
  const dataDir = resolve(init.dataDir ?? await mkdtemp(join(tmpdir(), 'nsn-devnet-')))
  const temporary = init.dataDir == null
  const channel = init.channel ?? 'test'
  const ports = init.ports ?? { tcp: 0, ws: 0, webrtcDirect: 0 }
  const common = ['--channel', channel, '--status-port', '0', ...(init.mode != null ? ['--mode', init.mode] : []),
    ...(init.meshDegree != null ? ['--mesh-degree', String(init.meshDegree)] : [])]
  // The director's session key is created up front so every node can be told to allow it.
  const producerKey = toHex((await loadSessionSigner(join(dataDir, 'director'))).publicKey)
  const procs: DevnetProcess[] = []
  const opts = { log: init.log, netns: init.netns }
  const stop = async (): Promise<void> => {
    await Promise.allSettled(procs.map(async p => p.stop()))
    // a temporary folder holds only this run's dev keys
    if (temporary) await rm(dataDir, { recursive: true, force: true })
  }
  try {
    const bootstrap = new DevnetProcess('bootstrap', ['--role', 'bootstrap', '--data', join(dataDir, 'bootstrap'), ...common,
      '--producer', producerKey, ...(init.relayOnly === true ? ['--relay-only'] : []),
      '--listen', `/ip4/127.0.0.1/tcp/${ports.tcp},/ip4/127.0.0.1/tcp/${ports.ws}/ws,/ip4/127.0.0.1/udp/${ports.webrtcDirect}/webrtc-direct`], opts)
    procs.push(bootstrap)
    const bs = await bootstrap.waitFor(s => s.multiaddrs.length >= 3)
    const nodeBootstrap = bs.multiaddrs.filter(a => /\/tcp\/\d+\/p2p\//.test(a))
    const browserBootstrap = bs.multiaddrs.filter(a => a.includes('/ws/'))
    const director = new DevnetProcess('director', ['--role', 'director', '--data', join(dataDir, 'director'), ...common,
      '--bootstrap', nodeBootstrap.join(','), ...(init.directorArgs ?? [])], opts)
    procs.push(director)
    const viewers: DevnetProcess[] = []
    for (let i = 0; i < (init.viewers ?? 0); i++) {
      const v = new DevnetProcess(`viewer-${i}`, ['--role', 'viewer', '--data', join(dataDir, `viewer-${i}`), ...common,
        '--producer', producerKey, '--bootstrap', nodeBootstrap.join(',')], opts)
      procs.push(v)
      viewers.push(v)
      const batch = init.viewerBatch ?? 0
      if (batch > 0 && viewers.length % batch === 0 && i + 1 < (init.viewers ?? 0)) {
        await Promise.all(viewers.slice(-batch).map(async p => p.waitFor(s => s.connections.length > 0, 60_000)))
      }
    }
    await director.waitFor(s => s.published > 0, 60_000)
    await Promise.all(viewers.map(async v => v.waitFor(s => s.segmentsAccepted > 0, 60_000)))
    return {
      dataDir,
      channel,
      producerKey,
      bootstrap,
      director,
      viewers,
      browserBootstrap,
      nodeBootstrap,
      webConfig: { channel, bootstrap: browserBootstrap, producers: [producerKey], testSource: true, localNetwork: true, mode: init.mode ?? 'announce' },
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
