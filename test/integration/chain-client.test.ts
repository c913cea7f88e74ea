// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `src/core/chain` against the in-process dev chain: ChainClient reads, tx status events, pallet and
 * RPC errors mapped to named classes, abort, and the raw storage reader cross-checked with ApiPromise.
 */
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNode } from '../../src/devchain/dev-node.ts'
import {
  AbortError, ChainModuleError, InvalidTransactionError, RawStorageReader, connectChain, keyringSigner, webSocketTransport
} from '../../src/core/chain/index.ts'
import type { ChainClient, TxSigner, WebSocketLike } from '../../src/core/chain/index.ts'
import type { DevNode } from '../../src/devchain/dev-node.ts'

const NSN = 10n ** 12n

let node: DevNode
let client: ChainClient
let api: ApiPromise
let reader: RawStorageReader
let alice: TxSigner
let bob: TxSigner

beforeAll(async () => {
  await cryptoWaitReady()
  node = await startDevNode({ port: 0, blockTimeMs: 200 })
  client = await connectChain(node.url, { signal: AbortSignal.timeout(30_000) })
  api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
  // Node 20 has no global WebSocket: inject `ws` (browsers use the global)
  reader = new RawStorageReader({ transport: webSocketTransport(node.url, { WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike }) })
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  alice = keyringSigner(keyring.addFromUri('//Alice'))
  bob = keyringSigner(keyring.addFromUri('//Bob'), { registry: client.registry })
}, 60_000)

afterAll(async () => {
  reader?.close()
  await client?.disconnect()
  await api?.disconnect()
  await node?.stop()
})

describe('ChainClient on the dev chain', () => {
  it('should read heads, balance and nonce', async () => {
    const head = await client.head()
    expect(head.hash).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await client.finalizedHead()).number).toBeLessThanOrEqual(head.number + 1)
    const heads: number[] = []
    const unsub = await client.subscribeHeads(h => { heads.push(h.number) })
    await new Promise(resolve => setTimeout(resolve, 700))
    unsub()
    expect(heads.length).toBeGreaterThan(0)
    const b = await client.balance(alice.address)
    expect(b.free).toBeGreaterThan(0n)
    expect(typeof b.reserved).toBe('bigint')
    expect(typeof b.frozen).toBe('bigint')
    expect(await client.nonce(alice.address)).toBeGreaterThanOrEqual(0)
  })

  it('should transfer with ready → in-block → finalized events and move the balance', async () => {
    const tx = { section: 'balances', method: 'transferKeepAlive', args: [bob.address, 3n * NSN] }
    const fee = await client.paymentInfo(tx, alice.address)
    expect(fee).toBeGreaterThan(0n)
    const [a0, b0] = [await client.balance(alice.address), await client.balance(bob.address)]
    const handle = client.submit(tx, alice)
    const seen: string[] = []
    for (const type of ['tx:ready', 'tx:in-block', 'tx:finalized', 'tx:failed'] as const) handle.addEventListener(type, () => { seen.push(type) })
    const done = await handle.finalized
    expect(seen).toEqual(['tx:ready', 'tx:in-block', 'tx:finalized'])
    expect(done.events.map(e => `${e.section}.${e.method}`)).toEqual(expect.arrayContaining(['balances.Transfer', 'system.ExtrinsicSuccess']))
    const [a1, b1] = [await client.balance(alice.address), await client.balance(bob.address)]
    expect(b1.free - b0.free).toBe(3n * NSN)
    expect(a0.free - a1.free).toBe(3n * NSN + fee)
  })

  it('should map a pallet error to ChainModuleError with its name and docs', async () => {
    // Bob has no stake: withdrawing any fails in the pallet
    const handle = client.submit({ section: 'nsnStake', method: 'withdrawStake', args: [NSN] }, bob)
    const failed = new Promise<Error>(resolve => { handle.addEventListener('tx:failed', e => { resolve(e.detail) }, { once: true }) })
    const err = await handle.finalized.then(() => { throw new Error('expected failure') }, (e: unknown) => e as ChainModuleError)
    expect(err.name).toBe(ChainModuleError.name)
    expect(err.pallet).toBe('NsnStake')
    expect(['NotStaked', 'InsufficientStake']).toContain(err.error)
    expect(err.docs.length).toBeGreaterThan(0)
    expect(await failed).toBe(err)
  })

  it('should map a stale nonce to InvalidTransactionError', async () => {
    const nonce = await client.nonce(alice.address)
    expect(nonce).toBeGreaterThan(0)
    const handle = client.submit({ section: 'system', method: 'remark', args: ['0x01'] }, alice, { nonce: nonce - 1 })
    const err = await handle.finalized.then(() => { throw new Error('expected failure') }, (e: unknown) => e as InvalidTransactionError)
    expect(err.name).toBe(InvalidTransactionError.name)
    expect(err.reason).toBe('stale')
  })

  it('should reject with AbortError when aborted', async () => {
    const pre = client.submit({ section: 'system', method: 'remark', args: ['0x02'] }, alice, { signal: AbortSignal.abort() })
    await expect(pre.finalized).rejects.toMatchObject({ name: AbortError.name })
    const before = (await api.query.system.account(alice.address)).nonce.toNumber()
    const controller = new AbortController()
    const handle = client.submit({ section: 'system', method: 'remark', args: ['0x03'] }, alice, { signal: controller.signal })
    handle.addEventListener('tx:ready', () => { controller.abort() }, { once: true })
    await expect(handle.finalized).rejects.toMatchObject({ name: AbortError.name })
    expect(handle.done).toBe(true)
    // aborting only stops watching: the remark still lands (and must before Alice's next tx)
    await expect.poll(async () => (await api.query.system.account(alice.address)).nonce.toNumber(), { timeout: 5_000 }).toBe(before + 1)
  })

  it('should throw for an unknown call', () => {
    expect(() => client.submit({ section: 'nope', method: 'nope', args: [] }, alice)).toThrow(/Unknown call/)
  })
})

describe('RawStorageReader on the dev chain', () => {
  it('should match ApiPromise for System.Account', async () => {
    for (const who of [alice.address, bob.address, '5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z']) {
      const at = (await api.rpc.chain.getFinalizedHead()).toHex()
      const raw = await reader.systemAccount(who, { at })
      const viaApi = await (await api.at(at)).query.system.account(who)
      expect(raw).toEqual({
        nonce: viaApi.nonce.toNumber(),
        free: viaApi.data.free.toBigInt(),
        reserved: viaApi.data.reserved.toBigInt(),
        frozen: viaApi.data.frozen.toBigInt()
      })
    }
  })

  it('should match ChainClient.stakeOf for NsnStake.Stakes, staked and not', async () => {
    expect(await reader.stake(bob.address)).toEqual({ amount: 0n, lockedUntil: 0, role: 'None', region: 'NaWest', delegatedToMe: 0n })
    const handle = client.submit({ section: 'nsnStake', method: 'depositStake', args: [12n * NSN, 0, 'EuEast'] }, alice)
    await handle.finalized
    const at = (await api.rpc.chain.getFinalizedHead()).toHex()
    const raw = await reader.stake(alice.address, { at })
    expect(raw).toMatchObject({ amount: 12n * NSN, role: 'Validator', region: 'EuEast' })
    expect(await client.stakeOf(alice.address)).toEqual(raw)
    const viaApi = (await (await api.at(at)).query['nsnStake']!['stakes']!(alice.address)).toJSON() as { lockedUntil: number }
    expect(raw.lockedUntil).toBe(viaApi.lockedUntil)
  })

  it('should reject an aborted read with AbortError', async () => {
    await expect(reader.systemAccount(alice.address, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
