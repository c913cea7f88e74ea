// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev chain as one object: runtime, dev genesis, block production and the JSON-RPC server. With
 * `dataDir` the chain persists in a LevelDB store there (a fresh folder starts from the dev genesis,
 * an existing one resumes at its last committed block); without it the chain lives in memory.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { DevChain } from './chain.ts'
import { devGenesis } from './genesis.ts'
import { registerMethods } from './rpc-methods.ts'
import { RpcServer } from './rpc-server.ts'
import { DevRuntime } from './runtime.ts'
import { LevelChainStore } from './store/level-chain-store.ts'
import type { AbortOptions } from '../core/options.ts'
import type { Hex } from './state.ts'
import type { ChainStore } from './store/chain-store.ts'
import type { CrashHook } from './store/crash-hook.ts'

export interface DevNodeInit {
  host?: string
  /** @default 9944 (0 picks a free port) */
  port?: number
  /** Block interval in ms. @default 1000 */
  blockTimeMs?: number
  /** Build a block as soon as a transaction arrives instead of on an interval. */
  instant?: boolean
  /** Data folder (created with mode 0700); absent: state in memory only. */
  dataDir?: string
  /** TEST HOOK ONLY: kills the process during a block commit (see `store/crash-hook.ts`). */
  crashHook?: CrashHook
}

/** Where a persistent chain started: its head when loaded (or genesis for a fresh folder). */
export interface ResumedHead { number: number, hash: Hex, stateRoot: Hex, fresh: boolean }

export interface DevNode {
  url: string
  chain: DevChain
  /** Set with `dataDir`. */
  resumed?: ResumedHead
  stop(): Promise<void>
}

async function openStore (dataDir: string, crashHook: CrashHook | undefined, options: AbortOptions): Promise<ChainStore> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const store = new LevelChainStore({ location: join(dataDir, 'chain'), crashHook })
  await store.open(options)
  return store
}

export async function startDevNode (init: DevNodeInit = {}, options: AbortOptions = {}): Promise<DevNode> {
  await cryptoWaitReady()
  const runtime = new DevRuntime()
  const genesis = await devGenesis(runtime)
  const store = init.dataDir != null ? await openStore(init.dataDir, init.crashHook, options) : undefined
  let chain: DevChain
  let resumed: ResumedHead | undefined
  try {
    const loaded = await store?.load(options)
    chain = new DevChain({ runtime, genesis, store, resume: loaded })
    if (store != null && loaded == null) await chain.persistGenesis()
    if (store != null) resumed = { number: chain.head.number, hash: chain.head.hash, stateRoot: chain.head.state.root(), fresh: loaded == null }
  } catch (err) {
    await store?.close()
    throw err
  }
  const server = new RpcServer()
  let busy = false
  const produce = async (): Promise<void> => {
    if (busy) return
    busy = true
    try {
      await chain.produceBlock()
    } catch (err) {
      console.error('devchain: block production failed:', err)
    } finally {
      busy = false
    }
  }
  registerMethods(server, chain, { produce: async () => await chain.produceBlock() })
  const url = await server.listen({ host: init.host, port: init.port ?? 9944 })
  let timer: ReturnType<typeof setInterval> | undefined
  if (init.instant === true) {
    let scheduled = false
    timer = setInterval(() => {
      if (scheduled || chain.pendingExtrinsics().length === 0) return
      scheduled = true
      setTimeout(() => { void produce().finally(() => { scheduled = false }) }, 5)
    }, 10)
  } else {
    timer = setInterval(() => { void produce() }, init.blockTimeMs ?? 1000)
  }
  return {
    url,
    chain,
    resumed,
    stop: async () => {
      clearInterval(timer)
      await server.close()
      await chain.idle()
      await store?.close()
    }
  }
}
