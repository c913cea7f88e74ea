// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Crash safety of the persistent dev chain: the chain runs as a child process with `--data`, takes
 * bursts of signed transfers from four dev accounts, and is killed with SIGKILL mid-burst six times
 * (twice by the commit test hook, between the writes of a block commit and right after the write).
 * After each kill the stored chain is replayed from genesis in this process: every stored block must
 * re-apply to the same hash, the restarted chain must resume at the replay's head with the same state
 * root and genesis, its head never goes back, and no transfer is applied twice.
 */
import '@polkadot/api-augment'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { DevChain } from '../../src/devchain/chain.ts'
import { DEV_ENDOWMENT, devGenesis } from '../../src/devchain/genesis.ts'
import { DevRuntime } from '../../src/devchain/runtime.ts'
import { CRASH_ENV } from '../../src/devchain/store/crash-hook.ts'
import { LevelChainStore } from '../../src/devchain/store/level-chain-store.ts'
import type { ChildProcess } from 'node:child_process'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { CrashPhase } from '../../src/devchain/store/crash-hook.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const NODE_ARGS = ['--no-warnings=ExperimentalWarning', ...(typeof globalThis.WebSocket !== 'function' ? ['--experimental-websocket'] : []), '--import', pathToFileURL(join(ROOT, 'bin/polyfill.js')).href, '--import', 'tsx']
/** Kills: undefined = `kill -9` from outside mid-burst; a phase = the commit test hook. */
const ROUNDS: Array<CrashPhase | undefined> = [undefined, 'mid-batch', undefined, 'after-write', undefined, 'before-write']

interface Started { child: ChildProcess, url: string, head: { number: number, hash: string, stateRoot: string }, exited: Promise<NodeJS.Signals | null> }

async function startChain (dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [...NODE_ARGS, join(ROOT, 'src/devchain/main.ts'), '--port', '0', '--data', dataDir, '--block-time', '100'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<NodeJS.Signals | null>(resolve => child.once('exit', (_code, signal) => { resolve(signal) }))
  let out = ''
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  return await new Promise<Started>((resolve, reject) => {
    let head: Started['head'] | undefined
    const timer = setTimeout(() => { reject(new Error(`dev chain did not start: ${out}`)) }, 20_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const h = /at #(\d+) (0x[0-9a-f]{64}) \(state root (0x[0-9a-f]{64})\)/.exec(out)
      if (h != null) head = { number: Number(h[1]), hash: h[2]!, stateRoot: h[3]! }
      const url = /listening on (ws:\/\/\S+)/.exec(out)?.[1]
      if (url != null && head != null) { clearTimeout(timer); resolve({ child, url, head, exited }) }
    })
    void exited.then(() => { clearTimeout(timer); reject(new Error(`dev chain exited: ${out}`)) })
  })
}

/** The stored chain, replayed block by block on `replay` (which holds the blocks checked so far). */
async function replayStored (dataDir: string, replay: DevChain): Promise<void> {
  const store = new LevelChainStore({ location: join(dataDir, 'chain') })
  await store.open()
  try {
    const loaded = await store.load()
    if (loaded == null) throw new Error('empty store')
    expect(loaded.blocks[0]!.hash).toBe(replay.genesisHash)
    // blocks already replayed must not have changed (no rewrite of committed history)
    for (let n = 1; n <= replay.head.number; n++) expect(loaded.blocks[n]?.hash).toBe(replay.block(n)!.hash)
    for (const b of loaded.blocks.slice(replay.head.number + 1)) {
      const again = await replay.replayBlock(b.extrinsics)
      expect(again.hash).toBe(b.hash)
    }
    expect([...loaded.state.keys()].length).toBe(replay.head.state.size)
    expect(replay.head.state.root()).toBe(replay.head.header.stateRoot.toHex())
  } finally {
    await store.close()
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

let dataDir: string | undefined
let live: ChildProcess | undefined
afterAll(async () => {
  live?.kill('SIGKILL')
  if (dataDir != null) await rm(dataDir, { recursive: true, force: true })
})

describe('dev chain crash safety (--data, kill -9)', () => {
  it('should resume at the replayed state root after every kill, apply no transfer twice and keep the head going', async () => {
    await cryptoWaitReady()
    dataDir = await mkdtemp(join(tmpdir(), 'nsn-devchain-'))
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
    const senders: KeyringPair[] = ['Alice', 'Bob', 'Charlie', 'Dave'].map(n => keyring.addFromUri(`//${n}`))
    const eve = keyring.addFromUri('//Eve').address
    const runtime = new DevRuntime()
    const replay = new DevChain({ runtime, genesis: await devGenesis(runtime) })
    const sent = new Set<bigint>()
    let lastSeen = 0
    let genesis: string | undefined
    const stats = { kills: 0, hookKills: 0, sent: 0, heads: [] as number[] }
    for (const [round, phase] of [...ROUNDS, 'final' as const].entries()) {
      const before = replay.head.number
      const crashAt = phase != null && phase !== 'final' ? before + 15 : undefined
      const node = await startChain(dataDir, crashAt != null ? { [CRASH_ENV]: `${crashAt}:${phase}` } : {})
      live = node.child
      // resumed exactly at the replayed head: same block, same state root
      expect(node.head.number).toBe(replay.head.number)
      expect(node.head.hash).toBe(replay.head.hash)
      expect(node.head.stateRoot).toBe(replay.head.state.root())
      expect(node.head.number).toBeGreaterThanOrEqual(lastSeen)
      stats.heads.push(node.head.number)
      const api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
      await api.isReady
      genesis ??= api.genesisHash.toHex()
      expect(api.genesisHash.toHex()).toBe(genesis)
      expect((await api.rpc.chain.getHeader(node.head.hash)).stateRoot.toHex()).toBe(node.head.stateRoot)
      if (phase === 'final') {
        await sleep(400)
        expect((await api.rpc.chain.getHeader()).number.toNumber()).toBeGreaterThan(node.head.number)
        await api.disconnect()
        node.child.kill('SIGTERM')
        await node.exited
        break
      }
      // a burst: 4 senders × up to 20 transfers with explicit nonces, each amount unique
      const submissions: Array<Promise<unknown>> = []
      const burst = async (): Promise<void> => {
        const nonces = await Promise.all(senders.map(async s => (await api.rpc.system.accountNextIndex(s.address)).toNumber()))
        const t0 = Date.now()
        for (let i = 0; i < 20 && node.child.exitCode == null && node.child.signalCode == null; i++) {
          for (const [k, s] of senders.entries()) {
            const amount = 10n ** 12n + BigInt(round * 10_000 + i * 10 + k)
            const tx = await api.tx.balances.transferKeepAlive(eve, amount).signAsync(s, { nonce: nonces[k]! + i })
            sent.add(amount)
            stats.sent++
            submissions.push(api.rpc.author.submitExtrinsic(tx).catch(() => undefined))
          }
          if (phase == null && Date.now() - t0 > 400 + round * 100) return
          await sleep(25)
        }
      }
      // with the hook armed the chain may die under the burst: its requests then fail
      await burst().catch(err => { if (phase == null) throw err })
      if (phase == null) {
        lastSeen = (await api.rpc.chain.getHeader()).number.toNumber()
        node.child.kill('SIGKILL')
      } else {
        // the hook kills the chain while committing block `crashAt`
        await Promise.race([node.exited, sleep(15_000)])
      }
            expect(await node.exited).toBe('SIGKILL')
      stats.kills++
      if (phase != null) stats.hookKills++
      await api.disconnect()
      await Promise.all(submissions)
            await replayStored(dataDir, replay)
      if (phase === 'mid-batch' || phase === 'before-write') expect(replay.head.number).toBe((crashAt as number) - 1)
      if (phase === 'after-write') expect(replay.head.number).toBe(crashAt)
    }
    // no transfer twice: per signer the nonces run 0, 1, 2, … and every amount appears once
    const nonceOf = new Map<string, number>()
    const applied: bigint[] = []
    for (let n = 1; n <= replay.head.number; n++) {
      for (const bytes of replay.block(n)!.extrinsics.slice(1)) {
        const ext = runtime.decodeExtrinsic(bytes)
        const signer = ext.signer.toString()
        expect(ext.nonce.toNumber()).toBe(nonceOf.get(signer) ?? 0)
        nonceOf.set(signer, ext.nonce.toNumber() + 1)
        applied.push((ext.method.args[1] as unknown as { toBigInt(): bigint }).toBigInt())
      }
    }
    expect(new Set(applied).size).toBe(applied.length)
    for (const a of applied) expect(sent.has(a)).toBe(true)
    const eveFree = runtime.read<{ data: { free: { toBigInt(): bigint } } }>(replay.head.state.overlay(), 'system', 'account', eve).data.free.toBigInt()
    expect(eveFree).toBe(DEV_ENDOWMENT + applied.reduce((a, b) => a + b, 0n))
    expect(stats.kills).toBeGreaterThanOrEqual(5)
    expect(applied.length).toBeGreaterThan(0)
    console.log(`devchain crash test: ${stats.kills} kill -9 (${stats.hookKills} by the commit hook), ${stats.sent} transfers sent, ${applied.length} applied once each, resumed heads ${stats.heads.join(', ')}, final head #${replay.head.number}`)
  }, 60_000)
})

describe('dev chain data folder of another genesis', () => {
  it('should stop with a clear message, or move the folder aside and start fresh with --move-stale-data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nsn-stale-'))
    try {
      const store = new LevelChainStore({ location: join(dir, 'chain') })
      await store.open()
      await store.commitBlock({ number: 0, hash: `0x${'11'.repeat(32)}`, header: '0x', extrinsics: [] }, [])
      await store.close()
      const run = async (...extra: string[]): Promise<{ code: number | null, out: string }> => {
        const child = spawn(process.execPath, [...NODE_ARGS, join(ROOT, 'src/devchain/main.ts'), '--port', '0', '--data', dir, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString()
          if (out.includes('listening on')) child.kill('SIGTERM')
        })
        child.stderr.on('data', (d: Buffer) => { out += d.toString() })
        const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
        return { code, out }
      }
      const refused = await run()
      expect(refused.code).toBe(1)
      expect(refused.out).toMatch(/holds a chain from another dev genesis/)
      const moved = await run('--move-stale-data')
      expect(moved.out).toMatch(/moved it to .*\.stale-/)
      expect(moved.out).toMatch(/fresh data folder at #0/)
      const aside = /moved it to (\S+),/.exec(moved.out)?.[1] as string
      await rm(aside, { recursive: true, force: true })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
