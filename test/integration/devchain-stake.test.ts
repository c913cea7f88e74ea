// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnStake (index 50) on the dev chain through an unmodified `ApiPromise`: staking, reserved-balance
 * accounting, withdraw and lock rules, delegation, root slashing and node modes, bad input rejected
 * with the pallet's errors and no state change, and the fixes for the stake weaknesses of
 * `reference/nsn-chain.md` section 13 (tests named after the weakness number).
 */
import '@polkadot/api-augment'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNode } from '../../src/devchain/dev-node.ts'
import { NSN } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { U128_MAX } from '../../src/devchain/pallets/nsn-stake.ts'
import { feePaid } from '../utils/devchain-api.ts'
import type { DevNode } from '../../src/devchain/dev-node.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { SubmittableExtrinsic } from '@polkadot/api/types'
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces'

let node: DevNode
let api: ApiPromise
let provider: WsProvider
let keyring: Keyring
const k: Record<string, KeyringPair> = {}

interface Sent { events: EventRecord[], names: string[], error: string | null, block: number }
interface StakeJson { amount: bigint, lockedUntil: number, role: string, region: string, delegatedToMe: bigint }

type Tx = SubmittableExtrinsic<'promise'>
/* eslint-disable @typescript-eslint/no-explicit-any -- custom pallets have no augmented types */
const stakeTx = (): Record<string, (...args: any[]) => Tx> => api.tx['nsnStake'] as any
const stakeQuery = (): Record<string, (...args: any[]) => Promise<any>> => api.query['nsnStake'] as any
/* eslint-enable @typescript-eslint/no-explicit-any */

function errorName (e: DispatchError): string {
  if (!e.isModule) return e.type
  const meta = api.registry.findMetaError(e.asModule)
  return `${meta.section}.${meta.name}`
}

/** Signs, sends and waits for finalization; reports the dispatch error (or a failed sudo call's). */
async function send (tx: Tx, signer: KeyringPair, nonce = -1): Promise<Sent> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce }, (result) => {
      if (!result.status.isFinalized) return
      const sudid = result.events.find(r => r.event.section === 'sudo' && r.event.method === 'Sudid')
      const inner = sudid == null ? null : (sudid.event.data[0] as unknown as { isErr: boolean, asErr: DispatchError })
      const error = result.dispatchError != null ? errorName(result.dispatchError) : inner?.isErr === true ? errorName(inner.asErr) : null
      api.rpc.chain.getHeader(result.status.asFinalized).then(h => {
        resolve({ events: result.events, names: result.events.map(r => `${r.event.section}.${r.event.method}`), error, block: h.number.toNumber() })
      }, reject)
    }).catch(reject)
  })
}

const sudo = async (call: Tx): Promise<Sent> => send(api.tx.sudo.sudo(call), k['Alice'] as KeyringPair)

async function stakeOf (who: string): Promise<StakeJson> {
  const s = (await stakeQuery()['stakes']!(who)) as { amount: { toBigInt(): bigint }, lockedUntil: { toNumber(): number }, role: { type: string }, region: { type: string }, delegatedToMe: { toBigInt(): bigint } }
  return { amount: s.amount.toBigInt(), lockedUntil: s.lockedUntil.toNumber(), role: s.role.type, region: s.region.type, delegatedToMe: s.delegatedToMe.toBigInt() }
}

async function balance (who: string): Promise<{ free: bigint, reserved: bigint }> {
  const info = await api.query.system.account(who)
  return { free: info.data.free.toBigInt(), reserved: info.data.reserved.toBigInt() }
}

async function big (method: string, ...keys: unknown[]): Promise<bigint> {
  return ((await stakeQuery()[method]!(...keys)) as { toBigInt(): bigint }).toBigInt()
}

async function newBlocks (count: number): Promise<void> {
  await provider.send('dev_newBlock', [{ count }])
}

/** A fresh account funded with `amount` by Alice. */
async function funded (name: string, amount: bigint): Promise<KeyringPair> {
  const pair = keyring.addFromUri(`//${name}`)
  const sent = await send(api.tx.balances.transferKeepAlive(pair.address, amount), k['Alice'] as KeyringPair)
  expect(sent.error).toBeNull()
  return pair
}

beforeAll(async () => {
  await cryptoWaitReady()
  node = await startDevNode({ port: 0, blockTimeMs: 200 })
  provider = new WsProvider(node.url)
  api = await ApiPromise.create({ provider, noInitWarn: true })
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) k[name] = keyring.addFromUri(`//${name}`)
}, 60_000)

afterAll(async () => {
  await api?.disconnect()
  await node?.stop()
})

describe('NsnStake on the dev chain', () => {
  it('should expose NsnStake at index 50 with the reference constants', () => {
    const consts = api.consts['nsnStake'] as unknown as Record<string, { toString(): string }>
    expect(consts['minStakeDirector']!.toString()).toBe((100n * NSN).toString())
    expect(consts['minStakeRelay']!.toString()).toBe((5n * NSN).toString())
    expect(consts['maxStakePerNode']!.toString()).toBe((1_000n * NSN).toString())
    expect(consts['delegationMultiplier']!.toString()).toBe('5')
    expect(stakeTx()['depositStake']!(NSN, 0, 'NaWest').method.callIndex).toEqual(new Uint8Array([50, 0]))
  })

  it('should let a dev account stake as Director from genesis, reserving the stake (weakness 16)', async () => {
    const alice = k['Alice'] as KeyringPair
    const before = await balance(alice.address)
    // the dev genesis already holds the director candidates' stakes
    const [totalBefore, euWestBefore] = [await big('totalStaked'), await big('regionStakes', 'EuWest')]
    const tx = stakeTx()['depositStake']!(150n * NSN, 0, 'EuWest')
    const fee = (await tx.paymentInfo(alice)).partialFee.toBigInt()
    const sent = await send(tx, alice)
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['balances.Reserved', 'nsnStake.StakeDeposited', 'system.ExtrinsicSuccess']))
    const deposited = sent.events.find(r => r.event.method === 'StakeDeposited')!.event.data
    expect(deposited[0]!.toString()).toBe(alice.address)
    expect(BigInt(deposited[1]!.toString())).toBe(150n * NSN)
    expect((deposited[2] as unknown as { type: string }).type).toBe('Director')
    expect(await stakeOf(alice.address)).toEqual({ amount: 150n * NSN, lockedUntil: sent.block + 60, role: 'Director', region: 'EuWest', delegatedToMe: 0n })
    expect(await big('totalStaked')).toBe(totalBefore + 150n * NSN)
    expect(await big('regionStakes', 'EuWest')).toBe(euWestBefore + 150n * NSN)
    expect(await balance(alice.address)).toEqual({ free: before.free - 150n * NSN - fee, reserved: before.reserved + 150n * NSN })
  })

  it('should back stake and delegation with distinct reserved tokens, never the same ones (weakness 11)', async () => {
    const small = await funded('StakeSmall', 20n * NSN)
    expect((await send(stakeTx()['depositStake']!(15n * NSN, 0, 'NaWest'), small)).error).toBeNull()
    expect(await balance(small.address)).toMatchObject({ reserved: 15n * NSN })
    // the 15 NSN backing the stake cannot also back a delegation: only ~5 NSN are free
    const alice = (k['Alice'] as KeyringPair).address
    const tooMuch = await send(stakeTx()['delegate']!(alice, 10n * NSN), small)
    expect(tooMuch.error).toBe('nsnStake.InsufficientBalance')
    expect(await big('delegations', small.address, alice)).toBe(0n)
    expect((await stakeOf(alice)).delegatedToMe).toBe(0n)
    const ok = await send(stakeTx()['delegate']!(alice, 4n * NSN), small)
    expect(ok.error).toBeNull()
    expect(ok.names).toEqual(expect.arrayContaining(['balances.Reserved', 'nsnStake.Delegated']))
    expect(await balance(small.address)).toMatchObject({ reserved: 19n * NSN })
    expect((await stakeOf(alice)).delegatedToMe).toBe(4n * NSN)
    const revoked = await send(stakeTx()['revokeDelegation']!(alice), small)
    expect(revoked.names).toEqual(expect.arrayContaining(['balances.Unreserved', 'nsnStake.DelegationRevoked']))
    expect(await balance(small.address)).toMatchObject({ reserved: 15n * NSN })
    expect((await stakeOf(alice)).delegatedToMe).toBe(0n)
  })

  it('should slash a node even when its delegations then exceed the cap, burning reserved stake (weakness 12)', async () => {
    const bob = k['Bob'] as KeyringPair
    expect((await send(stakeTx()['depositStake']!(20n * NSN, 0, 'NaEast'), bob)).error).toBeNull()
    expect((await send(stakeTx()['delegate']!(bob.address, 100n * NSN), k['Charlie'] as KeyringPair)).error).toBeNull()
    const issuance = (await api.query.balances.totalIssuance()).toBigInt()
    const before = await balance(bob.address)
    const sent = await sudo(stakeTx()['slash']!(bob.address, 10n * NSN, 'MissedSlot'))
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['balances.Slashed', 'nsnStake.StakeSlashed']))
    expect(await stakeOf(bob.address)).toMatchObject({ amount: 10n * NSN, role: 'Validator', delegatedToMe: 100n * NSN })
    expect(await balance(bob.address)).toEqual({ free: before.free, reserved: before.reserved - 10n * NSN })
    expect((await api.query.balances.totalIssuance()).toBigInt()).toBe(issuance - 10n * NSN - feePaid(sent))
    expect(await big('regionStakes', 'NaEast')).toBe(10n * NSN)
    // the cap still holds for new delegations
    expect((await send(stakeTx()['delegate']!(bob.address, NSN), k['Charlie'] as KeyringPair)).error).toBe('nsnStake.DelegationCapExceeded')
  })

  it('should move the whole stake when a node re-stakes in another region (weakness 13)', async () => {
    const dave = k['Dave'] as KeyringPair
    const [naWest, apac] = [await big('regionStakes', 'NaWest'), await big('regionStakes', 'Apac')]
    expect((await send(stakeTx()['depositStake']!(10n * NSN, 0, 'NaWest'), dave)).error).toBeNull()
    expect(await big('regionStakes', 'NaWest')).toBe(naWest + 10n * NSN)
    expect((await send(stakeTx()['depositStake']!(5n * NSN, 0, 'Apac'), dave)).error).toBeNull()
    expect(await big('regionStakes', 'NaWest')).toBe(naWest)
    expect(await big('regionStakes', 'Apac')).toBe(apac + 15n * NSN)
    expect(await stakeOf(dave.address)).toMatchObject({ amount: 15n * NSN, region: 'Apac', role: 'Validator' })
    await newBlocks(61)
    expect((await send(stakeTx()['withdrawStake']!(15n * NSN), dave)).error).toBeNull()
    expect(await big('regionStakes', 'Apac')).toBe(apac)
    expect(await big('regionStakes', 'NaWest')).toBe(naWest)
  })

  it('should lock stake for at least MinLockBlocks and while the node serves Lane 0 (weakness 15)', async () => {
    const eve = k['Eve'] as KeyringPair
    const staked = await send(stakeTx()['depositStake']!(10n * NSN, 0, 'Mena'), eve)
    expect((await stakeOf(eve.address)).lockedUntil).toBe(staked.block + 60)
    expect((await send(stakeTx()['withdrawStake']!(NSN), eve)).error).toBe('nsnStake.StakeLocked')
    await newBlocks(61)
    const mode = await sudo(stakeTx()['setNodeMode']!(eve.address, { Lane0Active: { epochEnd: 1_000 } }))
    expect(mode.names).toContain('nsnStake.NodeModeChanged')
    expect(((await stakeQuery()['nodeModes']!(eve.address)) as { type: string }).type).toBe('Lane0Active')
    expect((await send(stakeTx()['withdrawStake']!(NSN), eve)).error).toBe('nsnStake.StakeLocked')
    expect((await sudo(stakeTx()['setNodeMode']!(eve.address, 'Lane1Active'))).error).toBeNull()
    const before = await balance(eve.address)
    const sent = await send(stakeTx()['withdrawStake']!(10n * NSN), eve)
    expect(sent.names).toEqual(expect.arrayContaining(['balances.Unreserved', 'nsnStake.StakeWithdrawn']))
    expect((await balance(eve.address)).reserved).toBe(before.reserved - 10n * NSN)
    expect(await stakeOf(eve.address)).toMatchObject({ amount: 0n, role: 'None' })
  })

  it('should reject bad input with the pallet error and change nothing', async () => {
    const alice = k['Alice'] as KeyringPair
    const ferdie = k['Ferdie'] as KeyringPair
    const snapshot = async (): Promise<unknown> => [await stakeOf(alice.address), (await balance(alice.address)).reserved, await big('totalStaked'), await stakeOf(ferdie.address)]
    const before = await snapshot()
    expect((await send(stakeTx()['depositStake']!(U128_MAX, 0, 'EuWest'), alice)).error).toBe('nsnStake.Overflow')
    expect((await send(stakeTx()['depositStake']!(1n << 127n, 0, 'EuWest'), ferdie)).error).toBe('nsnStake.PerNodeCapExceeded')
    expect((await send(stakeTx()['depositStake']!(851n * NSN, 0, 'EuWest'), alice)).error).toBe('nsnStake.PerNodeCapExceeded')
    expect((await send(stakeTx()['delegate']!(ferdie.address, NSN), alice)).error).toBe('nsnStake.ValidatorNotFound')
    // Bob already holds 100 NSN of delegations: adding u128::MAX overflows
    expect((await send(stakeTx()['delegate']!((k['Bob'] as KeyringPair).address, U128_MAX), ferdie)).error).toBe('nsnStake.Overflow')
    expect((await send(stakeTx()['delegate']!(alice.address, 0n), ferdie)).error).toBe('nsnStake.ZeroAmount')
    expect((await send(stakeTx()['revokeDelegation']!(alice.address), ferdie)).error).toBe('nsnStake.DelegationNotFound')
    expect((await send(stakeTx()['withdrawStake']!(151n * NSN), alice)).error).toBe('nsnStake.InsufficientStake')
    expect((await send(stakeTx()['slash']!(alice.address, NSN, 'BftFailure'), ferdie)).error).toBe('BadOrigin')
    expect((await sudo(stakeTx()['setNodeMode']!(ferdie.address, 'Offline'))).error).toBe('nsnStake.NotStaked')
    expect((await send(api.tx.sudo.sudo(stakeTx()['slash']!(alice.address, NSN, 'BftFailure')), ferdie)).error).toBe('sudo.RequireSudo')
    expect(await snapshot()).toEqual(before)
  })

  it('should reject an unknown region index before it reaches the chain state', async () => {
    const tx = stakeTx()['depositStake']!(NSN, 0, 'NaWest')
    await tx.signAsync(k['Ferdie'] as KeyringPair, { nonce: -1 })
    const hex = tx.toHex()
    const method = tx.method.toHex().slice(2)
    // the region is the call's last byte: 7 is past Mena (6)
    const forged = hex.replace(method, method.slice(0, -2) + '07')
    await expect(provider.send('author_submitExtrinsic', [forged])).rejects.toThrow(/1010/)
  })

  it('should cap a region at 20 % once 1 000 NSN are staked', async () => {
    const ferdie = k['Ferdie'] as KeyringPair
    expect((await send(stakeTx()['depositStake']!(1_000n * NSN, 0, 'Latam'), ferdie)).error).toBeNull()
    expect(await big('totalStaked')).toBeGreaterThanOrEqual(1_000n * NSN)
    const charlie = k['Charlie'] as KeyringPair
    expect((await send(stakeTx()['depositStake']!(100n * NSN, 0, 'Latam'), charlie)).error).toBe('nsnStake.RegionCapExceeded')
    expect((await send(stakeTx()['depositStake']!(100n * NSN, 0, 'EuEast'), charlie)).error).toBeNull()
  })
})
