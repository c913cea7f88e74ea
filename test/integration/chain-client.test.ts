// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `src/core/chain` against the in-process dev chain: ChainClient reads, tx status events, pallet and
 * RPC errors mapped to named classes, abort, and the raw storage reader cross-checked with ApiPromise.
 */
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { u8aToHex } from '@polkadot/util'
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNode } from '../../src/devchain/dev-node.ts'
import {
  AbortError, ChainModuleError, InvalidTransactionError, RawStorageReader, connectChain, keyringSigner, recipeHash,
  sessionKeyProofMessage, webSocketTransport
} from '../../src/core/chain/index.ts'
import { InvalidInputError } from '../../src/core/errors.ts'
import { STAKE_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { startChopsticks } from '../utils/chopsticks.ts'
import type { ChopsticksNode } from '../utils/chopsticks.ts'
import type { ChainClient, TxSigner, WebSocketLike } from '../../src/core/chain/index.ts'
import type { DevNode } from '../../src/devchain/dev-node.ts'

const NSN = 10n ** 12n

let node: DevNode
let client: ChainClient
let api: ApiPromise
let reader: RawStorageReader
let alice: TxSigner
let bob: TxSigner
let keyring: Keyring

beforeAll(async () => {
  await cryptoWaitReady()
  node = await startDevNode({ port: 0, blockTimeMs: 200 })
  client = await connectChain(node.url, { signal: AbortSignal.timeout(30_000) })
  api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
  // Node 20 has no global WebSocket: inject `ws` (browsers use the global)
  reader = new RawStorageReader({ transport: webSocketTransport(node.url, { WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike }) })
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
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

describe('ChainClient typed NSN calls on the dev chain', () => {
  /** A fresh account funded by Alice through `ChainClient.transfer`. */
  const fundedSigner = async (uri: string, amount: bigint): Promise<TxSigner> => {
    const pair = keyring.addFromUri(uri)
    const done = await client.transfer({ to: pair.address, amount }, alice).finalized
    expect(done.events.map(e => `${e.section}.${e.method}`)).toContain('balances.Transfer')
    return keyringSigner(pair, { registry: client.registry })
  }

  it('should read chain info, NSN features and the stake thresholds from the constants', async () => {
    expect(await client.chainInfo()).toMatchObject({ decimals: 12, symbol: 'NSN', ss58Format: 42 })
    expect(client.hasNsnPallets()).toBe(true)
    expect(client.nsnFeatures().stake).toBe(true)
    expect(client.stakeThresholds()).toEqual({
      director: STAKE_CONSTANTS.minStakeDirector,
      superNode: STAKE_CONSTANTS.minStakeSuperNode,
      validator: STAKE_CONSTANTS.minStakeValidator,
      relay: STAKE_CONSTANTS.minStakeRelay,
      maxPerNode: STAKE_CONSTANTS.maxStakePerNode,
      minLockBlocks: STAKE_CONSTANTS.minLockBlocks,
      maxRegionPercentage: STAKE_CONSTANTS.maxRegionPercentage
    })
  })

  it('should stake as Director with stakeDeposit, with the block number, and refuse a locked withdrawal', async () => {
    const carol = await fundedSigner('//WalletClientTest', 500n * NSN)
    const done = await client.stakeDeposit({ amount: 100n * NSN, lockBlocks: 0, region: 'EuEast' }, carol).finalized
    expect(done.events.map(e => `${e.section}.${e.method}`)).toContain('nsnStake.StakeDeposited')
    expect(done.blockNumber).toBe((await api.rpc.chain.getHeader(done.blockHash)).number.toNumber())
    const stake = await client.stake(carol.address)
    expect(stake).toMatchObject({ amount: 100n * NSN, role: 'Director', region: 'EuEast' })
    expect(stake.lockedUntil).toBeGreaterThanOrEqual((done.blockNumber ?? 0) + STAKE_CONSTANTS.minLockBlocks)
    expect((await client.balance(carol.address)).reserved).toBe(100n * NSN)
    const err = await client.stakeWithdraw(NSN, carol).finalized.then(() => { throw new Error('expected failure') }, (e: unknown) => e as ChainModuleError)
    expect(err).toMatchObject({ name: ChainModuleError.name, pallet: 'NsnStake', error: 'StakeLocked' })
    expect((await client.stake(carol.address)).amount).toBe(100n * NSN)
  })

  it('should refuse malformed arguments before signing', () => {
    expect(() => client.registerSessionKey({ sessionKey: new Uint8Array(31), proof: new Uint8Array(64) }, alice)).toThrow(InvalidInputError)
    expect(() => client.registerSessionKey({ sessionKey: new Uint8Array(32), proof: new Uint8Array(63) }, alice)).toThrow(/64 bytes/)
    expect(() => client.submitRecipe({ recipeHash: new Uint8Array(32), escrow: 0n }, alice)).toThrow(/escrow/)
    expect(() => client.stakeDeposit({ amount: NSN, lockBlocks: 0, region: 'Mars' as 'EuEast' }, alice)).toThrow(/region/)
    expect(() => client.transfer({ to: bob.address, amount: 0n }, alice)).toThrow(/positive/)
  })
})

describe('ChainClient NsnDirector and NsnTaskMarket calls on the dev chain', () => {
  it('should register a session key with an Ed25519 proof, readable by ChainClient and RawStorageReader', async () => {
    expect(client.nsnFeatures().sessionKeys).toBe(true)
    const dave = keyringSigner(keyring.addFromUri('//WalletClientDave'), { registry: client.registry })
    await client.transfer({ to: dave.address, amount: 50n * NSN }, alice).finalized
    // only a staked account may register a session key
    await client.stakeDeposit({ amount: 10n * NSN, lockBlocks: 0, region: 'NaWest' }, dave).finalized
    const secret = ed25519.utils.randomSecretKey()
    const sessionKey = ed25519.getPublicKey(secret)
    expect(await client.sessionKey(dave.address)).toBeNull()

    // a proof over another account's bytes is refused by the pallet
    const wrong = ed25519.sign(sessionKeyProofMessage(decodeAddress(bob.address)), secret)
    const err = await client.registerSessionKey({ sessionKey, proof: wrong }, dave).finalized.then(() => { throw new Error('expected failure') }, (e: unknown) => e as ChainModuleError)
    expect(err).toMatchObject({ name: ChainModuleError.name, pallet: 'NsnDirector', error: 'InvalidSessionKeyProof' })
    expect(await client.sessionKey(dave.address)).toBeNull()

    const proof = ed25519.sign(sessionKeyProofMessage(decodeAddress(dave.address)), secret)
    const done = await client.registerSessionKey({ sessionKey, proof }, dave).finalized
    expect(done.events.map(e => `${e.section}.${e.method}`)).toContain('nsnDirector.SessionKeyRegistered')
    expect(await client.sessionKey(dave.address)).toBe(u8aToHex(sessionKey))
    expect(await reader.sessionKey(dave.address, { at: done.blockHash })).toBe(u8aToHex(sessionKey))
  })

  it('should read the epoch and its committee with session keys alike through ChainClient and RawStorageReader', async () => {
    expect(client.nsnFeatures().epochs).toBe(true)
    const at = (await api.rpc.chain.getFinalizedHead()).toHex()
    const atApi = await api.at(at)
    const epoch = await reader.currentEpoch({ at })
    // the dev genesis elects a committee for epoch 0 (its directors hold session keys)
    expect(epoch).not.toBeNull()
    const viaApi = (await atApi.query['nsnDirector']!['currentEpoch']!()).toJSON() as { id: number, startBlock: number, endBlock: number, directors: string[] }
    expect(epoch).toEqual({ id: BigInt(viaApi.id), startBlock: viaApi.startBlock, endBlock: viaApi.endBlock, directors: viaApi.directors.map(d => keyring.encodeAddress(d)) })
    const committeeRaw = await reader.committee(epoch!.id, { at })
    expect(committeeRaw.length).toBeGreaterThan(0)
    const members = (await atApi.query['nsnDirector']!['epochCommittees']!(epoch!.id)).toJSON() as string[]
    expect(committeeRaw.map(m => m.account)).toEqual(members.map(m => keyring.encodeAddress(m)))
    for (const m of committeeRaw) {
      const key = (await atApi.query['nsnDirector']!['sessionKeys']!(m.account)).toJSON() as string | null
      expect(m.sessionKey).toBe(key)
    }
    // committees are kept by epoch id, so the best-block read through ApiPromise agrees
    expect(await client.committee(epoch!.id)).toEqual(committeeRaw)
    const live = await client.epochInfo()
    expect(live!.id).toBeGreaterThanOrEqual(epoch!.id)
  })

  it('should submit a recipe hash with escrow as a Lane-0 task', async () => {
    expect(client.nsnFeatures().recipes).toBe(true)
    const erin = keyringSigner(keyring.addFromUri('//WalletClientErin'), { registry: client.registry })
    await client.transfer({ to: erin.address, amount: 50n * NSN }, alice).finalized
    const before = await client.balance(erin.address)
    const hash = recipeHash({ script: 'hello', seed: 1 })
    const done = await client.submitRecipe({ recipeHash: hash, escrow: 5n * NSN }, erin).finalized
    const submitted = done.events.find(e => e.section === 'nsnTaskMarket' && e.method === 'RecipeSubmitted')
    expect(submitted, 'RecipeSubmitted among the extrinsic\'s events').toBeDefined()
    const [taskId, requester, hashOnChain] = submitted!.data as [number, string, string]
    expect([requester, hashOnChain]).toEqual([erin.address, u8aToHex(hash)])
    const task = (await api.query['nsnTaskMarket']!['tasks']!(taskId)).toJSON() as { requester: string, inputCid: string, lane: string } | null
    expect(task).toMatchObject({ requester: erin.address, inputCid: u8aToHex(hash), lane: 'Lane0' })
    const after = await client.balance(erin.address)
    expect(after.reserved - before.reserved).toBe(5n * NSN)
  })
})

describe('ChainClient on a chain without NSN pallets (chopsticks, Rococo Asset Hub)', () => {
  let hub: ChopsticksNode
  let hubClient: ChainClient

  beforeAll(async () => {
    hub = await startChopsticks({ endow: { '//Alice': 1_000n * NSN } })
    hubClient = await connectChain(hub.url, { signal: AbortSignal.timeout(60_000) })
  }, 90_000)

  afterAll(async () => {
    await hubClient?.disconnect()
    await hub?.close()
  })

  it('should say it has no NSN pallets, refuse NSN reads by name, and still read balances and transfer', async () => {
    expect(hubClient.hasNsnPallets()).toBe(false)
    expect(hubClient.nsnFeatures()).toEqual({ stake: false, sessionKeys: false, epochs: false, recipes: false })
    expect(() => hubClient.stakeThresholds()).toThrow(/no NsnStake pallet/)
    await expect(hubClient.stake(alice.address)).rejects.toMatchObject({ name: InvalidInputError.name })
    expect(() => hubClient.stakeDeposit({ amount: NSN, lockBlocks: 0, region: 'EuEast' }, alice)).toThrow(/Unknown call nsnStake.depositStake/)
    const info = await hubClient.chainInfo()
    expect(info.decimals).toBe(12)
    expect(info.name.length).toBeGreaterThan(0)
    expect((await hubClient.balance(alice.address)).free).toBe(1_000n * NSN)
    const hubAlice = keyringSigner(keyring.addFromUri('//Alice'), { registry: hubClient.registry })
    const target = keyring.addFromUri('//WalletClientHub').address
    const done = await hubClient.transfer({ to: target, amount: 2n * NSN }, hubAlice).finalized
    expect(done.events.map(e => `${e.section}.${e.method}`)).toContain('balances.Transfer')
    expect((await hubClient.balance(target)).free).toBe(2n * NSN)
  }, 60_000)
})
