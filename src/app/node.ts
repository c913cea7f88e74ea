// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `nsn-node`: the headless NSN node (bootstrap/relay, director, viewer). Composition root for Node:
 * core + src/platform/node. See `nsn-node --help` and README.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { configFromEnv, parseNodeConfig, ROLES } from '../core/config.ts'
import { BudgetExceededError } from '../core/lane0/budget.ts'
import { RecipeValidationError, recipeHash } from '../core/lane0/recipe.ts'
import { NsnPeer, SegmentProducer, staticProducerRegistry } from '../core/p2p/index.ts'
import { toHex } from '../core/wire/index.ts'
import { checkFfmpeg, ffmpegSource } from '../platform/node/ffmpeg-source.ts'
import { loadPeerKey, loadSessionSigner } from '../platform/node/key-store.ts'
import { nodeMetrics, startStatusServer } from '../platform/node/status-server.ts'
import { nodeTransports } from '../platform/node/transports.ts'
import { BUDGET_MAX_MB, BUDGET_MIN_MB, BudgetTooSmallError, DEFAULT_BUDGET_MB, NodeLane0Pipeline, loadRecipeFile, parseBudgetMb, recipeShape } from './lane0-node.ts'
import type { StagePlan } from '../core/lane0/stage-plan.ts'
import type { CommanderError } from 'commander'
import type { NodeConfig } from '../core/config.ts'
import type { Recipe } from '../core/lane0/recipe.ts'

const DEFAULT_LISTEN: Record<NodeConfig['role'], string[]> = {
  bootstrap: ['/ip4/127.0.0.1/tcp/9090', '/ip4/127.0.0.1/tcp/9091/ws', '/ip4/127.0.0.1/udp/9092/webrtc-direct'],
  director: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'],
  viewer: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
}

const GENERATE_DEVICES = ['cpu', 'webgpu']
/** Exit codes (as `npm run generate`): 2 invalid flags, configuration or recipe; 3 the budget cannot hold the run. */
const EXIT_INVALID = 2
const EXIT_BUDGET = 3

/** A director's `--recipe` and what generating it takes. */
interface Generation {
  recipeFile: string
  recipe: Recipe
  device: 'cpu' | 'webgpu'
  budgetMb: number
  /** The stages the recipe's pins select (checked against models/<id>/manifest.json before any work). */
  plan: StagePlan
}

/** A flag problem found before any work started (exit 2). */
class UsageError extends Error {
  static override name = 'UsageError'
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
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
  director   Publishes a channel: signs segments with its session key and gossips them, WebM
             VP8 + Opus in 1-2 s segments. Its media, looped:
               --recipe FILE  a Lane-0 clip generated from the recipe at start (eSpeak NG speech,
                              procedural keyframe, audio-driven warp, encode; offline, not neural;
                              recipe fields: npm run generate -- --help). Progress on stderr;
                              exit 2 on an invalid recipe (naming the fields), 3 when --budget-mb
                              cannot hold the run. --width/--height/--fps default to the recipe's.
               --input FILE   a media file;
               otherwise      a TEST SOURCE: an ffmpeg test pattern with a burnt-in clock and a
                              440 Hz tone.
  viewer     A headless viewer peer: validates, stores and re-shares a channel (benches, seeding).

Configuration comes from --config FILE (JSON, flag names in camelCase), then NSN_* environment
variables (NSN_CHANNEL, NSN_BOOTSTRAP=a,b, NSN_STATUS_PORT, ...), then flags; later wins.
The data folder (0700) holds the peer identity and the session key; neither is ever printed.
Status JSON and Prometheus metrics: GET <status-url>/status and /metrics (127.0.0.1 by default).

Examples:
  nsn-node --role bootstrap --producer <director-session-key-hex>
  nsn-node --role director --bootstrap /ip4/127.0.0.1/tcp/9090/p2p/<bootstrap-peer-id>
  nsn-node --role director --recipe recipe.json --device cpu --budget-mb 2048 --bootstrap <multiaddr>
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
    .option('--recipe <file.json>', 'director: generate a Lane-0 clip from this recipe at start and loop it')
    .addOption(new Option('--device <device>', 'director with --recipe: where the animation runs (default cpu)').choices(GENERATE_DEVICES))
    .option('--budget-mb <n>', `director with --recipe: memory budget in MiB, process RSS + GPU buffers, ${BUDGET_MIN_MB}-${BUDGET_MAX_MB} (default ${DEFAULT_BUDGET_MB})`)
    .option('--width <px>', 'director: video width (default 640)', int)
    .option('--height <px>', 'director: video height (default 360)', int)
    .option('--fps <n>', 'director: frames per second (default 24)', int)
    .option('--segment-ms <ms>', 'director: segment duration, 1000-2000 (default 1000)', int)
    .option('--video-bitrate-kbps <n>', 'director: VP8 bitrate (default 800)', int)
    .option('--tone-hz <hz>', 'director: test tone frequency (default 440)', int)
    .showHelpAfterError()
}

async function loadConfig (opts: Record<string, unknown>): Promise<{ config: NodeConfig, given: Set<string> }> {
  let file: Record<string, unknown> = {}
  if (typeof opts.config === 'string') {
    try {
      file = JSON.parse(await readFile(opts.config, 'utf8')) as Record<string, unknown>
    } catch (err) {
      throw new Error(`Cannot read config file ${opts.config}: ${(err as Error).message}`)
    }
  }
  const { config: _file, producer, recipe: _recipe, device: _device, budgetMb: _budgetMb, ...flags } = opts
  if (producer != null) flags.producers = producer
  const merged: Record<string, unknown> = { ...file, ...configFromEnv(process.env), ...flags }
  const role = merged.role as NodeConfig['role'] | undefined
  if (role == null) throw new Error('missing --role (bootstrap, director or viewer); see nsn-node --help')
  merged.data ??= role != null ? resolve('.nsn', role) : undefined
  return { config: parseNodeConfig(merged), given: new Set(Object.keys(merged).filter(k => merged[k] !== undefined)) }
}

/** Validates `--recipe`, `--device` and `--budget-mb` (before any work); undefined without `--recipe`. */
async function loadGeneration (opts: Record<string, unknown>, config: NodeConfig): Promise<Generation | undefined> {
  if (typeof opts.recipe !== 'string') {
    if (opts.device != null || opts.budgetMb != null) throw new UsageError('--device and --budget-mb need --recipe')
    return undefined
  }
  if (config.role !== 'director') throw new UsageError(`--recipe: only a director generates (this is a ${config.role})`)
  if (config.input != null) throw new UsageError('--recipe and --input: give one media source')
  const budgetMb = parseBudgetMb(opts.budgetMb)
  const { recipe, plan } = await loadRecipeFile(opts.recipe)
  return { recipeFile: opts.recipe, recipe, device: (opts.device ?? 'cpu') as Generation['device'], budgetMb, plan }
}

/**
 * Generates the recipe's clip with a Lane-0 pipeline (opened, run once, closed), progress on stderr,
 * and writes it to `<data>/generated/<recipe hash>.webm`; returns that path.
 */
async function generateClip (gen: Generation, dataDir: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const { signal } = options
  const say = (msg: string): void => { console.error(`[nsn-node director] generate: ${msg}`) }
  const hash = toHex(recipeHash(gen.recipe))
  say(`recipe ${gen.recipeFile} is valid (hash 0x${hash}, ${gen.recipe.durationSec} s, ${gen.recipe.width}x${gen.recipe.height} @ ${gen.recipe.fps} fps); device ${gen.device}, budget ${gen.budgetMb} MiB`)
  const pipeline = new NodeLane0Pipeline({ device: gen.device, budgetMb: gen.budgetMb, shape: recipeShape(gen.recipe), plan: gen.plan, pins: gen.recipe.pins.models })
  const lastShown = new Map<string, number>()
  let clip: Uint8Array
  try {
    const opened = await pipeline.open({ signal })
    say(`pipeline open in ${Math.round(opened.loadMs)} ms (loaded ${opened.loaded.join(', ')})`)
    const result = await pipeline.run(gen.recipe, {
      signal,
      onProgress: (p) => {
        // at most one line per stage per 10 %
        const step = Math.floor(p.fraction * 10)
        if (lastShown.get(p.stage) === step && p.fraction < 1) return
        lastShown.set(p.stage, step)
        say(`${p.stage.padEnd(9)} ${String(Math.round(p.fraction * 100)).padStart(3)} %${p.message != null ? `  ${p.message}` : ''}`)
      }
    })
    clip = result.clip.webm
    say(`done in ${Math.round(result.timings.wallMs)} ms: ${result.clip.segments.length - 1} segments, ${clip.byteLength} bytes, peak ${Math.round(pipeline.peakBytes / 2 ** 20)} of ${gen.budgetMb} MiB; stages ${result.stages.map(s => `${s.id}${s.neural ? '' : ' (not neural)'}`).join(', ')}`)
  } finally {
    await pipeline.close()
  }
  const dir = join(dataDir, 'generated')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = join(dir, `${hash}.webm`)
  await writeFile(file, clip, { mode: 0o600 })
  return file
}

async function main (): Promise<void> {
  const cmd = program().exitOverride()
  try {
    cmd.parse(process.argv)
  } catch (err) {
    // commander has printed the help, or its flag error (a bad choice, an unknown flag); a value parser's error it has not
    const e = err as Partial<CommanderError>
    if (e.code?.startsWith('commander.') !== true) console.error(`nsn-node: ${(err as Error).message}`)
    process.exit(e.exitCode === 0 ? 0 : EXIT_INVALID)
  }
  let config: NodeConfig
  let given: Set<string>
  let generation: Generation | undefined
  try {
    ({ config, given } = await loadConfig(cmd.opts()))
    generation = await loadGeneration(cmd.opts(), config)
  } catch (err) {
    const e = err as Error
    if (e.name === RecipeValidationError.name) {
      console.error(`nsn-node: invalid recipe ${String(cmd.opts().recipe)}:`)
      for (const issue of (e as RecipeValidationError).issues) console.error(`  ${issue.field}: ${issue.message}`)
    } else {
      console.error(`nsn-node: ${e.message}`)
    }
    process.exit(EXIT_INVALID)
  }
  const log = (msg: string): void => { console.log(`[nsn-node ${config.role}] ${msg}`) }
  if (config.role === 'director') await checkFfmpeg()
  if (generation != null) {
    // the generated clip goes through the same path as --input; the frame size and rate default to the recipe's
    try {
      config.input = await generateClip(generation, config.data)
    } catch (err) {
      const e = err as Error
      if (e.name === BudgetTooSmallError.name || e.name === BudgetExceededError.name) {
        console.error(`nsn-node: ${e.message}`)
        process.exit(EXIT_BUDGET)
      }
      throw err
    }
    if (!given.has('width')) config.width = generation.recipe.width
    if (!given.has('height')) config.height = generation.recipe.height
    if (!given.has('fps')) config.fps = generation.recipe.fps
  }

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
    if (generation != null) log(`media: GENERATED Lane-0 clip of recipe ${generation.recipeFile} (${config.input ?? ''}), looped at ${config.width}x${config.height} @ ${config.fps} fps`)
    else if (config.input != null) log(`media: file ${config.input}, looped`)
    else log('media: TEST SOURCE (ffmpeg test pattern + tone; no --recipe or --input)')
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
