// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A real Substrate runtime for tests: chopsticks, in this process, running the Rococo Asset Hub genesis
 * that `@substrate/connect-known-chains` ships (wasm runtime `statemine` spec 900, SS58 prefix 2, 12 decimals, ROC).
 * No network: the chain starts at genesis. Blocks are built as soon as an extrinsic arrives
 * (`Instant`), and no database is used (in memory only, so sqlite3's native binding is never loaded).
 *
 * The genesis endows nobody, so `endow` writes `System.Account` entries before the first block.
 */
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'

/** Options for {@link startChopsticks}. */
export interface StartChopsticksInit {
  /** Free balance (planck) per secret URI or SS58 address, e.g. `{ '//Alice': 10n ** 18n }`. */
  endow?: Record<string, bigint>
  /** @default 0 (a free port) */
  port?: number
  /** chopsticks' log level (its `LOG_LEVEL`), applied on the first start in a process. @default 'warn' */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
}

/** A running chopsticks node. */
export interface ChopsticksNode {
  /** `ws://127.0.0.1:<port>` */
  url: string
  /** The genesis hash. */
  genesisHash: `0x${string}`
  /** Milliseconds from the call to the node listening. */
  startMs: number
  /** Stops the node and frees its port. */
  close(): Promise<void>
}

/** The part of `@acala-network/chopsticks` used here. */
interface ChopsticksModule {
  destroyWorker(): Promise<void>
  setupWithServer(argv: Record<string, unknown>): Promise<{
    addr: string
    close(): Promise<void>
    chain: { head: { hash: string }, getBlockAt(n: number): Promise<{ hash: string } | undefined> }
  }>
}

// Imported through a variable so TypeScript does not load chopsticks' types: they import
// '@polkadot/api-augment', which would re-type `api.query`/`api.tx` across the whole program.
const CHOPSTICKS = '@acala-network/chopsticks'
const GENESIS = '@substrate/connect-known-chains/rococo_v2_2_asset_hub'

/** Nodes running in this process: the wasm executor thread is shared, and stopped with the last one. */
let running = 0

/**
 * Starts chopsticks on 127.0.0.1.
 *
 * @example
 * ```ts
 * const node = await startChopsticks({ endow: { '//Alice': 1_000n * 10n ** 12n } })
 * try { … connectChain(node.url) … } finally { await node.close() }
 * ```
 */
export async function startChopsticks (init: StartChopsticksInit = {}): Promise<ChopsticksNode> {
  const t0 = Date.now()
  // chopsticks reads LOG_LEVEL once, when its logger module loads
  process.env['LOG_LEVEL'] ??= init.logLevel ?? 'warn'
  const [{ setupWithServer, destroyWorker }, { chainSpec }] = await Promise.all([
    import(CHOPSTICKS) as Promise<ChopsticksModule>,
    import(GENESIS) as Promise<{ chainSpec: string }>
  ])
  const storage = init.endow == null ? undefined : { System: { Account: await accountEntries(init.endow) } }
  running++
  const stop = async (): Promise<void> => { if (--running === 0) await destroyWorker() }
  let ctx: Awaited<ReturnType<ChopsticksModule['setupWithServer']>>
  try {
    ctx = await setupWithServer({
      genesis: JSON.parse(chainSpec) as unknown,
      host: '127.0.0.1',
      port: init.port ?? 0,
      'build-block-mode': 'Instant',
      'import-storage': storage
    })
  } catch (err) {
    await stop()
    throw err
  }
  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing ??= (async () => { try { await ctx.close() } finally { await stop() } })()
    return closing
  }
  const genesis = await ctx.chain.getBlockAt(0)
  if (genesis == null) {
    await close()
    throw new Error('chopsticks started without a genesis block')
  }
  return {
    url: `ws://${ctx.addr}`,
    genesisHash: genesis.hash as `0x${string}`,
    startMs: Date.now() - t0,
    close
  }
}

async function accountEntries (endow: Record<string, bigint>): Promise<Array<[[string], unknown]>> {
  await cryptoWaitReady()
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  return Object.entries(endow).map(([who, free]) => {
    const address = who.startsWith('/') || who.includes(' ') ? keyring.addFromUri(who).address : who
    return [[address], { providers: 1, data: { free: free.toString() } }]
  })
}
