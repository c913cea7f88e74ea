// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnStorage (index 54) on the dev chain through an unmodified `ApiPromise`: the deal lifecycle
 * (payment moved and reserved, region-diverse reputation-ranked pinners, exact accruals and claims,
 * expiry refund), Merkle-proof audits (pass, wrong proof and timeout with slash and reputation), the
 * pinner share of the treasury emission, bad input rejected with the pallet's errors and no state
 * change, and the fixes for weaknesses 6, 17 and 18 of `reference/nsn-chain.md` section 13 (tests
 * named after the weakness number). Blocks are built on demand only.
 */
import { stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { blake2AsU8a, encodeAddress } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXISTENTIAL_DEPOSIT } from '../../src/devchain/metadata/pallets/balances.ts'
import { NSN, STAKE_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { STORAGE_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-storage.ts'
import { BLOCK_TIME_MS } from '../../src/devchain/metadata/pallets/timing.ts'
import { DEFAULT_REWARD_DISTRIBUTION, PERBILL, TREASURY_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-treasury.ts'
import { feePaid, startApiChain } from '../utils/devchain-api.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'

let t: ApiChain
/** `modl` ++ `nsn/stor`, zero-padded: the storage pallet account, derived independently of the pallet. */
const POOL = encodeAddress(u8aConcat(stringToU8a('modlnsn/stor'), new Uint8Array(20)), 42)
const INTERVAL = STORAGE_CONSTANTS.rewardIntervalBlocks
const SLASH = STORAGE_CONSTANTS.auditSlashAmount
const STAKE = 70n * NSN

/** Submits `txs` (signer, tx) so they land in one new block; resolves with their finalized outcomes. */
const sendAll = async (txs: Array<[KeyringPair, Tx]>): Promise<Sent[]> => await t.sendAll(txs)
const send = async (tx: Tx, signer: KeyringPair = t.k.Alice): Promise<Sent> => (await sendAll([[signer, tx]]))[0]!
const sudo = async (call: Tx): Promise<Sent> => await send(t.api.tx.sudo.sudo(call))
const st = (): ReturnType<ApiChain['tx']> => t.tx('nsnStorage')
const q = (): ReturnType<ApiChain['query']> => t.query('nsnStorage')
const rewards = async (who: string): Promise<bigint> => (await q()['pinnerRewards']!(who)).toBigInt()
const H = (s: string): Uint8Array => blake2AsU8a(s, 256)
const hex = (u: Uint8Array): string => u8aToHex(u)

/** Builds blocks until the head is `n`. */
async function until (n: number): Promise<void> {
  const head = await t.head()
  if (n > head) await t.newBlocks(n - head)
}

/** Events of block `n` as `section.method` with JSON data. */
async function eventsAt (n: number): Promise<Array<{ name: string, data: unknown[] }>> {
  const records = await (await t.api.at(await t.api.rpc.chain.getBlockHash(n))).query.system.events()
  return records.map(r => ({ name: `${r.event.section}.${r.event.method}`, data: r.event.data.map(d => d.toJSON()) }))
}

/** A 256-leaf Merkle tree of 64-byte leaves, hashed as the reference: H(leaf), then H(left ‖ right). */
const LEAVES = Array.from({ length: 256 }, (_, i) => blake2AsU8a(`leaf-${i}`, 512))
const LEVELS: Uint8Array[][] = [LEAVES.map(l => blake2AsU8a(l, 256))]
while (LEVELS[LEVELS.length - 1]!.length > 1) {
  const prev = LEVELS[LEVELS.length - 1]!
  LEVELS.push(Array.from({ length: prev.length / 2 }, (_, i) => blake2AsU8a(u8aConcat(prev[2 * i]!, prev[2 * i + 1]!), 256)))
}
const TREE_ROOT = LEVELS[LEVELS.length - 1]![0]!
function proofFor (index: number): { leafData: string, siblings: string[], leafIndex: number } {
  const siblings = LEVELS.slice(0, -1).map((level, depth) => hex(level[(index >> depth) ^ 1]!))
  return { leafData: hex(LEAVES[index]!), siblings, leafIndex: index }
}

const SHARDS = Array.from({ length: 10 }, (_, i) => hex(H(`shard-${i}`)))
const ROOTS = [hex(TREE_ROOT), ...Array.from({ length: 9 }, (_, i) => hex(H(`root-${i + 1}`)))]

/** Pinners: three in NaWest (one too many), then EuWest, Apac, Latam. */
const REGIONS = ['NaWest', 'NaWest', 'NaWest', 'EuWest', 'Apac', 'Latam'] as const
let P: KeyringPair[] = []

async function stakeOf (who: string): Promise<{ amount: bigint, role: string }> {
  const s = await t.query('nsnStake')['stakes']!(who)
  return { amount: s.amount.toBigInt(), role: s.role.type }
}
const seeder = async (who: string): Promise<bigint> => (await t.query('nsnReputation')['reputationScores']!(who)).seederScore.toBigInt()

async function audit (pinner: string): Promise<{ id: string, leaf: number, deadline: number }> {
  const sent = await sudo(st()['initiateAudit']!(pinner, SHARDS[0]))
  expect(sent.error).toBeNull()
  const started = sent.events.find(r => r.event.method === 'AuditStarted')!
  const id = started.event.data[0]!.toHex()
  const a = (await q()['pendingAudits']!(id)).unwrap()
  const nonce = a.challenge.nonce.toU8a() as Uint8Array
  // the nonce picks the leaf: its first two bytes (LE) modulo the tree's 256 leaves
  return { id, leaf: (nonce[0]! | (nonce[1]! << 8)) % 256, deadline: a.deadline.toNumber() }
}

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
  P = REGIONS.map((_, i) => t.keyring.addFromUri(`//StoragePinner${i}`))
  await sendAll(P.map(p => [t.k.Alice, t.api.tx.balances.transferKeepAlive(p.address, 200n * NSN)]))
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('NsnStorage on the dev chain', () => {
  let deal1 = { id: '', block: 0 }
  /** Shards of deal 1 per pinner. */
  const slots = new Map<string, bigint>()
  const PAYMENT = 1_000n * NSN + 7n

  it('should expose the pallet at index 54 and pre-fund its account with the existential deposit (weakness 18)', async () => {
    const consts = t.api.consts['nsnStorage'] as unknown as Record<string, { toString(): string }>
    expect(consts['replicationFactor']!.toString()).toBe('5')
    expect(consts['auditSlashAmount']!.toString()).toBe(SLASH.toString())
    expect(st()['claimRewards']!().method.callIndex).toEqual(new Uint8Array([54, 4]))
    expect(await t.balance(POOL)).toEqual({ free: EXISTENTIAL_DEPOSIT, reserved: 0n })
  })

  it('should refuse a deal without enough SuperNodes', async () => {
    const sent = await send(st()['createDeal']!(SHARDS, ROOTS, 250, PAYMENT), t.k.Bob)
    expect(sent.error).toBe('nsnStorage.InsufficientSuperNodes')
    expect(await t.balance(POOL)).toEqual({ free: EXISTENTIAL_DEPOSIT, reserved: 0n })
  })

  it('should create a deal: payment moved and reserved, pinners region-diverse and ranked by reputation', async () => {
    const staked = await sendAll(P.map((p, i) => [p, t.tx('nsnStake')['depositStake']!(STAKE, 0, REGIONS[i])]))
    for (const s of staked) expect(s.error).toBeNull()
    // the three NaWest nodes rank highest, the Latam node lowest
    const rep = (who: KeyringPair, type: string): [KeyringPair, Tx] => [t.k.Alice, t.api.tx.sudo.sudo(t.tx('nsnReputation')['recordEvent']!(who.address, type, 0))]
    await sendAll([rep(P[0]!, 'DirectorSlotAccepted'), rep(P[1]!, 'DirectorSlotAccepted'), rep(P[2]!, 'DirectorSlotAccepted'), rep(P[3]!, 'PinningAuditPassed'), rep(P[4]!, 'PinningAuditPassed')])
    const bob = t.k.Bob
    const before = await t.balance(bob.address)
    const tx = st()['createDeal']!(SHARDS, ROOTS, 250, PAYMENT)
    const fee = (await tx.paymentInfo(bob)).partialFee.toBigInt()
    const sent = await send(tx, bob)
    expect(sent.error).toBeNull()
    expect(sent.names.filter(n => n === 'nsnStorage.ShardAssigned')).toHaveLength(50)
    const created = sent.events.find(r => r.event.method === 'DealCreated')!.event.data
    deal1 = { id: created[0]!.toHex(), block: sent.block }
    expect(BigInt(created[3]!.toString())).toBe(PAYMENT)
    expect((await t.balance(bob.address)).free).toBe(before.free - PAYMENT - fee)
    expect(await t.balance(POOL)).toEqual({ free: EXISTENTIAL_DEPOSIT, reserved: PAYMENT })
    // at most 2 per region: one of the three (equally ranked) NaWest nodes gives way to the
    // lowest-ranked Latam node on every shard; the tie between them is broken per shard
    const naWest = [P[0], P[1], P[2]].map(p => p!.address)
    for (const shard of SHARDS) {
      const pinners = [...await q()['shardAssignments']!(shard)].map((a: { toString(): string }) => a.toString())
      expect(new Set(pinners).size).toBe(5)
      expect(pinners).toEqual(expect.arrayContaining([P[3], P[4], P[5]].map(p => p!.address)))
      expect(pinners.filter(p => naWest.includes(p))).toHaveLength(2)
      for (const p of pinners) slots.set(p, (slots.get(p) ?? 0n) + 1n)
    }
    // the per-shard tie-break spreads the NaWest load over all three
    for (const p of naWest) expect(slots.get(p)).toBeGreaterThan(0n)
    const deal = (await q()['pinningDeals']!(deal1.id)).unwrap()
    expect(deal.toJSON()).toMatchObject({ createdAt: sent.block, expiresAt: sent.block + 250, intervals: 2, accruedIntervals: 0, paid: 0 })
  })

  it('should refuse to reuse a shard of a live deal instead of overwriting it (weakness 18)', async () => {
    const other = [SHARDS[3]!, ...Array.from({ length: 9 }, (_, i) => hex(H(`other-${i}`)))]
    const sent = await send(st()['createDeal']!(other, ROOTS, 250, PAYMENT), t.k.Charlie)
    expect(sent.error).toBe('nsnStorage.ShardInUse')
    expect((await q()['shardDeal']!(SHARDS[3])).unwrap().toHex()).toBe(deal1.id)
    expect((await q()['shardMerkleRoots']!(SHARDS[3])).unwrap().toHex()).toBe(ROOTS[3])
  })

  it('should accrue exactly `intervals` times, pay claims exactly and refund the rest at expiry (weakness 18)', async () => {
    const perSlot = PAYMENT / (2n * 50n)
    // P3 (the only EuWest node) pins all 10 shards
    const a = P[3]!.address
    expect(slots.get(a)).toBe(10n)
    await until(deal1.block + INTERVAL - 1)
    expect(await rewards(a)).toBe(0n)
    await until(deal1.block + INTERVAL)
    for (const p of P) expect(await rewards(p.address)).toBe(perSlot * (slots.get(p.address) ?? 0n))
    await until(deal1.block + 2 * INTERVAL)
    for (const p of P) expect(await rewards(p.address)).toBe(2n * perSlot * (slots.get(p.address) ?? 0n))
    const bob = await t.balance(t.k.Bob.address)
    await until(deal1.block + 250)
    const refund = PAYMENT - perSlot * 100n
    expect(refund).toBeGreaterThan(0n)
    const settled = (await eventsAt(deal1.block + 250)).find(e => e.name === 'nsnStorage.DealSettled')!
    expect(BigInt(settled.data[1] as number)).toBe(refund)
    expect((await t.balance(t.k.Bob.address)).free).toBe(bob.free + refund)
    // no accrual past the deal's intervals
    await t.newBlocks(INTERVAL + 1)
    expect(await rewards(a)).toBe(perSlot * 20n)
    expect(await t.balance(POOL)).toEqual({ free: EXISTENTIAL_DEPOSIT, reserved: perSlot * 100n })
    const before = await t.balance(a)
    const claim = st()['claimRewards']!()
    const fee = (await claim.paymentInfo(P[3]!)).partialFee.toBigInt()
    const claimed = await send(claim, P[3]!)
    expect(claimed.names).toEqual(expect.arrayContaining(['balances.ReserveRepatriated', 'nsnStorage.RewardsClaimed']))
    expect((await t.balance(a)).free).toBe(before.free + perSlot * 20n - fee)
    expect(await rewards(a)).toBe(0n)
    expect((await t.balance(POOL)).reserved).toBe(perSlot * 80n)
    expect((await send(st()['claimRewards']!(), P[3]!)).error).toBe('nsnStorage.NoRewards')
  })

  it('should remove finished deals and their shards, and keep the schedule bounded (weakness 6)', async () => {
    expect((await q()['pinningDeals']!(deal1.id)).isNone).toBe(true)
    expect([...await q()['shardAssignments']!(SHARDS[0])]).toEqual([])
    expect((await q()['shardDeal']!(SHARDS[0])).isNone).toBe(true)
    expect((await q()['shardMerkleRoots']!(SHARDS[0])).isNone).toBe(true)
    expect(await q()['pinningDeals']!.entries()).toHaveLength(0)
    expect(await q()['dealSchedule']!.entries()).toHaveLength(0)
    // the shards are free again
    const sent = await send(st()['createDeal']!(SHARDS, ROOTS, 2_000, 100n * NSN), t.k.Charlie)
    expect(sent.error).toBeNull()
    // one schedule entry per live deal, at its next accrual
    const schedule = await q()['dealSchedule']!.entries()
    expect(schedule).toHaveLength(1)
    expect(schedule[0][0].args[0].toNumber()).toBe(sent.block + INTERVAL)
  })

  it('should pass an audit answered with the challenged leaf and reward reputation', async () => {
    const pinner = P[3]!
    const before = await seeder(pinner.address)
    const { id, leaf } = await audit(pinner.address)
    const sent = await send(st()['submitAuditProof']!(id, proofFor(leaf)), pinner)
    expect(sent.error).toBeNull()
    const done = sent.events.find(r => r.event.method === 'AuditCompleted')!.event.data
    expect(done[1]!.toJSON()).toBe(true)
    expect(await seeder(pinner.address)).toBe(before + 10n)
    expect((await q()['pendingAudits']!(id)).isNone).toBe(true)
    expect((await send(st()['submitAuditProof']!(id, proofFor(leaf)), pinner)).error).toBe('nsnStorage.AuditNotFound')
  })

  it('should bind the challenged leaf to the audit nonce so a stored proof does not answer other audits (weakness 18)', async () => {
    // the Latam node pins every shard
    const pinner = P[5]!
    const first = await audit(pinner.address)
    expect((await send(st()['submitAuditProof']!(first.id, proofFor(first.leaf)), pinner)).events.some(r => r.event.method === 'AuditCompleted' && r.event.data[1]!.toJSON() === true)).toBe(true)
    let next = await audit(pinner.address)
    while (next.leaf === first.leaf) next = await audit(pinner.address)
    const stake = await stakeOf(pinner.address)
    const rep = await seeder(pinner.address)
    const reserved = (await t.balance(pinner.address)).reserved
    const issuance = (await t.api.query.balances.totalIssuance()).toBigInt()
    // the old, valid proof for another leaf fails: slashed and reputation lowered
    const sent = await send(st()['submitAuditProof']!(next.id, proofFor(first.leaf)), pinner)
    expect(sent.error).toBeNull()
    expect(sent.events.find(r => r.event.method === 'AuditCompleted')!.event.data[1]!.toJSON()).toBe(false)
    expect(sent.names).toEqual(expect.arrayContaining(['nsnStake.StakeSlashed', 'nsnReputation.ReputationRecorded']))
    expect((await stakeOf(pinner.address)).amount).toBe(stake.amount - SLASH)
    expect((await t.balance(pinner.address)).reserved).toBe(reserved - SLASH)
    expect((await t.api.query.balances.totalIssuance()).toBigInt()).toBe(issuance - SLASH - feePaid(sent))
    expect(await seeder(pinner.address)).toBe(rep > 50n ? rep - 50n : 0n)
  })

  it('should fail an unanswered audit at its deadline with a slash for AuditTimeout', async () => {
    const pinner = P[4]!
    const { id, deadline } = await audit(pinner.address)
    const stake = await stakeOf(pinner.address)
    await until(deadline)
    expect((await q()['pendingAudits']!(id)).isSome).toBe(true)
    await t.newBlocks(1)
    const events = await eventsAt(deadline + 1)
    expect(events.find(e => e.name === 'nsnStorage.AuditCompleted')!.data).toEqual([id, false])
    expect(events.find(e => e.name === 'nsnStake.StakeSlashed')!.data[2]).toBe('AuditTimeout')
    expect((await stakeOf(pinner.address)).amount).toBe(stake.amount - SLASH)
    expect((await q()['pendingAudits']!(id)).isNone).toBe(true)
  })

  it('should compute the audit probability from the stake in u128 maths, not the floor (weakness 18)', async () => {
    // billionths per block: 1 %/h at the minimum stake, scaled by 1/sqrt(stake/min), clamped to [0.25 %, 2 %]
    const expected = (stake: bigint): bigint => {
      const ratio = stake * 1_000_000n / STAKE_CONSTANTS.minStakeSuperNode
      let root = 0n
      while ((root + 1n) * (root + 1n) <= ratio) root++
      const perHour = 10_000_000n / root
      const clamped = perHour < 2_500n ? 2_500n : perHour > 20_000n ? 20_000n : perHour
      return clamped * 1_000n * BigInt(BLOCK_TIME_MS) / 3_600_000n
    }
    const values: bigint[] = []
    for (const p of [P[1]!, P[5]!]) {
      const sent = await sudo(st()['calculateAuditProbability']!(p.address))
      values.push(BigInt(sent.events.find(r => r.event.method === 'AuditProbabilityCalculated')!.event.data[1]!.toString()))
      expect(values[values.length - 1]).toBe(expected((await stakeOf(p.address)).amount))
    }
    // P1 keeps 70 NSN, P5 was slashed to 60 NSN: a smaller stake is audited more often
    expect(values[1]).toBeGreaterThan(values[0]!)
    expect(values[0]).toBeGreaterThan(1n)
    expect((await sudo(st()['calculateAuditProbability']!(t.k.Ferdie.address))).error).toBe('nsnStorage.InsufficientSuperNodes')
  })

  it('should pay the treasury emission\'s pinner pool to pinners by shards served (weakness 17)', async () => {
    const treasury = t.query('nsnTreasury')
    const period = (await treasury['contributionPeriod']!()).toNumber()
    const head = await t.head()
    const n = Math.ceil((head + 1) / TREASURY_CONSTANTS.distributionFrequency) * TREASURY_CONSTANTS.distributionFrequency
    // accruals up to the distribution block count too: read the work after building up to just before it
    await until(n - 1)
    const served = new Map<string, bigint>()
    for (const p of P) served.set(p.address, (await treasury['accumulatedContributionsMap']!(period, p.address)).pinnerShardsServed.toBigInt())
    const total = (await treasury['periodTotals']!(period)).pinnerShardsServed.toBigInt()
    expect(total).toBeGreaterThan(0n)
    expect([...served.values()].reduce((x, y) => x + y, 0n)).toBe(total)
    await t.newBlocks(1)
    const events = await eventsAt(n)
    const emission = BigInt(events.find(e => e.name === 'nsnTreasury.DistributionStarted')!.data[1] as string | number)
    const pool = emission * DEFAULT_REWARD_DISTRIBUTION.pinnerPercent / PERBILL
    const paid = events.filter(e => e.name === 'nsnTreasury.PinnerRewarded')
    for (const p of P) {
      const w = served.get(p.address)!
      const got = paid.find(e => e.data[0] === p.address)
      if (w === 0n) expect(got).toBeUndefined()
      else expect(BigInt(got!.data[1] as string | number)).toBe(pool * w / total)
    }
    expect(paid.length).toBeGreaterThan(0)
  })

  it('should reject bad input with the named error and change nothing', async () => {
    const bob = t.k.Bob
    const fresh = (tag: string, n = 10): string[] => Array.from({ length: n }, (_, i) => hex(H(`${tag}-${i}`)))
    const roots = (n: number): string[] => Array.from({ length: n }, (_, i) => hex(H(`r-${i}`)))
    const snapshot = async (): Promise<unknown> => [await t.balance(POOL), (await q()['pinningDeals']!.entries()).length, (await t.balance(bob.address)).reserved, (await q()['auditCounter']!()).toBigInt()]
    const before = await snapshot()
    const err = async (tx: Tx, signer: KeyringPair = bob): Promise<string | null> => (await send(tx, signer)).error
    expect(await err(st()['createDeal']!(fresh('a', 9), roots(9), 250, PAYMENT))).toBe('nsnStorage.InsufficientShards')
    expect(await err(st()['createDeal']!(fresh('b', 21), roots(21), 250, PAYMENT))).toBe('nsnStorage.TooManyShards')
    expect(await err(st()['createDeal']!(fresh('c'), roots(11), 250, PAYMENT))).toBe('nsnStorage.MerkleRootsMismatch')
    expect(await err(st()['createDeal']!([...fresh('d', 9), fresh('d', 1)[0]], roots(10), 250, PAYMENT))).toBe('nsnStorage.ShardInUse')
    expect(await err(st()['createDeal']!(fresh('e'), roots(10), INTERVAL - 1, PAYMENT))).toBe('nsnStorage.DurationTooShort')
    expect(await err(st()['createDeal']!(fresh('f'), roots(10), 0xffff_ffff, PAYMENT))).toBe('nsnStorage.Overflow')
    expect(await err(st()['createDeal']!(fresh('g'), roots(10), 250, 99n))).toBe('nsnStorage.PaymentTooLow')
    expect(await err(st()['createDeal']!(fresh('h'), roots(10), 250, (1n << 128n) - 1n))).toBe('nsnStorage.InsufficientBalance')
    expect(await err(st()['claimRewards']!(), t.k.Ferdie)).toBe('nsnStorage.NoRewards')
    expect(await err(st()['initiateAudit']!(P[0]!.address, SHARDS[0]))).toBe('BadOrigin')
    const assigned = [...await q()['shardAssignments']!(SHARDS[0])].map((a: { toString(): string }) => a.toString())
    const outsider = [P[0], P[1], P[2]].map(p => p!.address).find(p => !assigned.includes(p))!
    expect((await sudo(st()['initiateAudit']!(outsider, SHARDS[0]))).error).toBe('nsnStorage.PinnerNotAssigned')
    expect((await sudo(st()['initiateAudit']!(P[0]!.address, fresh('z', 1)[0]))).error).toBe('nsnStorage.DealNotFound')
    expect(await err(st()['submitAuditProof']!(hex(H('nope')), proofFor(0)))).toBe('nsnStorage.AuditNotFound')
    expect(await snapshot()).toEqual(before)
    // only the audited pinner may answer
    const { id, leaf } = await audit(P[3]!.address)
    expect(await err(st()['submitAuditProof']!(id, proofFor(leaf)), P[4]!)).toBe('nsnStorage.NotAuditTarget')
    expect((await q()['pendingAudits']!(id)).isSome).toBe(true)
  })
})
