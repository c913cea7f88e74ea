// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `nsn-node`: the headless NSN node (bootstrap/relay, director, viewer). Composition root for Node:
 * core + src/platform/node. See `nsn-node --help` and README.md.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Command, Option } from 'commander'
import { configFromEnv, parseNodeConfig, ROLES } from '../core/config.ts'
import { NsnPeer, SegmentProducer, staticProducerRegistry } from '../core/p2p/index.ts'
import { toHex } from '../core/wire/index.ts'
import { checkFfmpeg, ffmpegSource } from '../platform/node/ffmpeg-source.ts'
import { loadPeerKey, loadSessionSigner } from '../platform/node/key-store.ts'
import { nodeMetrics, startStatusServer } from '../platform/node/status-server.ts'
import { nodeTransports } from '../platform/node/transports.ts'
import type { NodeConfig } from '../core/config.ts'

const DEFAULT_LISTEN: Record<NodeConfig['role'], string[]> = {
  bootstrap: ['/ip4/127.0.0.1/tcp/9090', '/ip4/127.0.0.1/tcp/9091/ws', '/ip4/127.0.0.1/udp/9092/webrtc-direct'],
  director: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
  viewer: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
}

function program (): Command {
  const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map(s => s.trim()).filter(Boolean)]
  const int = (v: string): number => {
    const n = Number(v)
    if (!Number.isInteger(n)) throw new Error(`not an integer: ${v}`)
    return n
  }
  return new Command('nsn-node')
    .description('Headless NSN Web node: bootstrap/relay, director or headless viewer.')
    .addHelpText('after', `
Roles:
  bootstrap  Entry point of the network: TCP + WebSocket + WebRTC-direct listeners, a circuit
             relay v2 server (browsers signal WebRTC through it), identify, ping, Kademlia,
             gossipsub and peer discovery. It also carries video unless --relay-only.
  director   Publishes a channel: signs segments with its session key and gossips them. Until
             Lane-0 generation lands its media is a TEST SOURCE: an ffmpeg test pattern with a
             burnt-in clock and a 440 Hz tone (or --input FILE), WebM VP8 + Opus, 1-2 s segments.
  viewer     A headless viewer peer: validates, stores and re-shares a channel (benches, seeding).

Configuration comes from --config FILE (JSON, flag names in camelCase), then NSN_* environment
variables (NSN_CHANNEL, NSN_BOOTSTRAP=a,b, NSN_STATUS_PORT, ...), then flags; later wins.
The data folder (0700) holds the peer identity and the session key; neither is ever printed.
Status JSON and Prometheus metrics: GET <status-url>/status and /metrics (127.0.0.1 by default).

Examples:
  nsn-node --role bootstrap --producer <director-session-key-hex>
  nsn-node --role director --bootstrap /ip4/127.0.0.1/tcp/9090/p2p/<bootstrap-peer-id>
  nsn-node --role viewer --producer <hex> --bootstrap /ip4/127.0.0.1/tcp/9090/p2p/<id>`)
    .addOption(new Option('--role <role>', 'node role').choices(ROLES as unknown as string[]))
    .option('--config <file>', 'JSON configuration file')
    .option('--data <dir>', 'data folder for keys (default: .nsn/<role>)')
    .option('--channel <name>', 'channel to publish/view (default: test)')
    .option('--listen <multiaddr>', 'listen address, repeatable or comma-separated (default depends on role)', list)
    .option('--announce <multiaddr>', 'address to announce instead of the listen addresses', list)
    .option('--bootstrap <multiaddr>', 'bootstrap peer multiaddr with /p2p/<id>, repeatable', list)
    .option('--relay-only', 'bootstrap: relay, DHT and discovery only; never join video topics')
    .option('--producer <hex>', 'allowed producer session key (hex), repeatable; until chain elections', list)
    .addOption(new Option('--mode <mode>', 'segment transport: announce (pull payloads) or push (plain gossipsub)').choices(['announce', 'push']))
    .option('--mesh-degree <n>', 'gossipsub mesh degree D (default 6)', int)
    .option('--status-host <host>', 'status/metrics bind address (default 127.0.0.1)')
    .option('--status-port <n>', 'status/metrics port, 0 = any free port (default 0)', int)
    .option('--input <file>', 'director: media file to loop instead of the test pattern')
    .option('--width <px>', 'director: video width (default 640)', int)
    .option('--height <px>', 'director: video height (default 360)', int)
    .option('--fps <n>', 'director: frames per second (default 24)', int)
    .option('--segment-ms <ms>', 'director: segment duration, 1000-2000 (default 1000)', int)
    .option('--video-bitrate-kbps <n>', 'director: VP8 bitrate (default 800)', int)
    .option('--tone-hz <hz>', 'director: test tone frequency (default 440)', int)
    .showHelpAfterError()
}

async function loadConfig (opts: Record<string, unknown>): Promise<NodeConfig> {
  let file: Record<string, unknown> = {}
  if (typeof opts.config === 'string') {
    try {
      file = JSON.parse(await readFile(opts.config, 'utf8')) as Record<string, unknown>
    } catch (err) {
      throw new Error(`Cannot read config file ${opts.config}: ${(err as Error).message}`)
    }
  }
  const { config: _file, producer, ...flags } = opts
  if (producer != null) flags.producers = producer
  const merged: Record<string, unknown> = { ...file, ...configFromEnv(process.env), ...flags }
  const role = merged.role as NodeConfig['role'] | undefined
  if (role == null) throw new Error('missing --role (bootstrap, director or viewer); see nsn-node --help')
  merged.data ??= role != null ? resolve('.nsn', role) : undefined
  return parseNodeConfig(merged)
}

async function main (): Promise<void> {
  const cmd = program()
  cmd.parse(process.argv)
  let config: NodeConfig
  try {
    config = await loadConfig(cmd.opts())
  } catch (err) {
    console.error(`nsn-node: ${(err as Error).message}`)
    process.exit(2)
  }
  const log = (msg: string): void => { console.log(`[nsn-node ${config.role}] ${msg}`) }
  if (config.role === 'director') await checkFfmpeg()

  const privateKey = await loadPeerKey(config.data)
  const signer = config.role === 'director' ? await loadSessionSigner(config.data) : undefined
  const producers = [...config.producers, ...(signer != null ? [toHex(signer.publicKey)] : [])]
  const isBootstrap = config.role === 'bootstrap'
  const peer = await NsnPeer.create({
    privateKey,
    transports: nodeTransports(),
    listen: config.listen ?? DEFAULT_LISTEN[config.role],
    announce: config.announce,
    bootstrap: config.bootstrap,
    channel: config.channel,
    registry: staticProducerRegistry({ producers: { [config.channel]: producers } }),
    video: !(isBootstrap && config.relayOnly),
    mode: config.mode,
    meshDegree: config.meshDegree,
    relayServer: isBootstrap,
    dht: isBootstrap ? 'server' : 'client',
    dhtPrivateAddresses: config.localNetwork,
    targetConnections: isBootstrap ? 500 : 12,
    maxConnections: isBootstrap ? 1000 : 100,
    // a local network puts every peer on one IP: libp2p's 5 inbound connections/s per host would refuse them
    inboundConnectionsPerSecond: config.localNetwork ? 1000 : undefined
  })
  const metrics = nodeMetrics(peer, config.role)
  let producer: SegmentProducer | undefined
  const status = (): unknown => ({
    role: config.role,
    relayOnly: config.relayOnly,
    mode: config.mode,
    multiaddrs: peer.libp2p.getMultiaddrs().map(String),
    producerKey: signer != null ? toHex(signer.publicKey) : undefined,
    producers,
    published: producer?.published ?? 0,
    ...peer.stats(),
    // Stream bytes per negotiated protocol, in and out (npm run bench:stream breaks traffic down by it).
    protocols: peer.traffic.counters.protocols
  })
  const server = await startStatusServer({ host: config.statusHost, port: config.statusPort, status, metrics: metrics.registry })
  log(`peer ${peer.peerId.toString()} on channel ${config.channel}${config.relayOnly ? ' (relay only)' : ''}`)
  for (const a of peer.libp2p.getMultiaddrs()) log(`listening ${a.toString()}`)
  log(`status ${server.url}/status  metrics ${server.url}/metrics`)

  const shutdown = new AbortController()
  let stopping = false
  const stop = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    shutdown.abort()
    log('stopping')
    await Promise.race([
      Promise.allSettled([peer.stop(), server.close()]),
      new Promise(resolve => setTimeout(resolve, 3_000))
    ])
    // node-datachannel keeps the event loop alive after libp2p.stop(): exit explicitly.
    process.exit(code)
  }
  process.on('SIGINT', () => { void stop(0) })
  process.on('SIGTERM', () => { void stop(0) })

  if (signer != null) {
    log(`session key (public) ${toHex(signer.publicKey)}`)
    log('media: TEST SOURCE (ffmpeg test pattern + tone; no AI generation yet)')
    const source = ffmpegSource({
      input: config.input,
      width: config.width,
      height: config.height,
      fps: config.fps,
      segmentMs: config.segmentMs,
      videoBitrateKbps: config.videoBitrateKbps,
      toneHz: config.toneHz
    })
    try {
      for await (const chunk of source.segments({ signal: shutdown.signal })) {
        producer ??= new SegmentProducer(peer.segments, { channel: config.channel, codec: source.codec, signer })
        await producer.produce({ ...chunk, airTimeUs: chunk.captureTimeUs }, { signal: shutdown.signal })
        metrics.published.inc()
      }
    } catch (err) {
      if (!shutdown.signal.aborted) {
        console.error(`nsn-node: media source failed: ${(err as Error).message}`)
        await stop(1)
      }
    }
  }
}

main().catch(err => {
  console.error('nsn-node:', err)
  process.exit(1)
})
