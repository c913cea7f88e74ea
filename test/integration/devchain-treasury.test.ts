// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTreasury (index 55) on the dev chain through an unmodified `ApiPromise`: funding, Root payouts,
 * recorded work and the periodic distribution (pro-rata shares minted, the treasury share minted
 * into the real account, `TotalIssuance` consistent), bad input rejected with the pallet's errors and
 * no state change, and the fixes for weaknesses 17 and 28 of `reference/nsn-chain.md` section 13
 * (tests named after the weakness number). Blocks are built on demand only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXISTENTIAL_DEPOSIT } from '../../src/devchain/metadata/pallets/balances.ts'
import { NSN } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { DEFAULT_EMISSION_SCHEDULE, DEFAULT_REWARD_DISTRIBUTION, PERBILL, TREASURY_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-treasury.ts'
import { startApiChain } from '../utils/devchain-api.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import { stringToU8a, u8aConcat } from '@polkadot/util'
import { encodeAddress } from '@polkadot/util-crypto'

let t: ApiChain
/** `modl` ++ `nsn/trea`, zero-padded: the treasury pallet account, derived independently of the pallet. */
const TREASURY = encodeAddress(u8aConcat(stringToU8a('modlnsn/trea'), new Uint8Array(20)), 42)
const FREQ = TREASURY_CONSTANTS.distributionFrequency
const U64_MAX = (1n << 64n) - 1n

/** Submits `txs` (signer, tx) so they land in one new block; resolves with their finalized outcomes. */
const sendAll = async (txs: Array<[KeyringPair, Tx]>): Promise<Sent[]> => await t.sendAll(txs)
const send = async (tx: Tx, signer: KeyringPair = t.k.Alice): Promise<Sent> => (await sendAll([[signer, tx]]))[0]!
const sudo = async (call: Tx): Promise<Sent> => await send(t.api.tx.sudo.sudo(call))
const tre = (): ReturnType<ApiChain['tx']> => t.tx('nsnTreasury')
const q = (): ReturnType<ApiChain['query']> => t.query('nsnTreasury')
const issuance = async (): Promise<bigint> => (await t.api.query.balances.totalIssuance()).toBigInt()
const treasuryBalance = async (): Promise<bigint> => (await q()['treasuryBalance']!()).toBigInt()

/** Builds blocks up to the next distribution block and returns its number. */
async function toNextDistribution (): Promise<number> {
  const head = await t.head()
  const target = Math.ceil((head + 1) / FREQ) * FREQ
  await t.newBlocks(target - head)
  return target
}

/** Finalization events of block `n` as `section.method` with JSON data. */
async function finalization (n: number): Promise<Array<{ name: string, data: unknown[] }>> {
  const records = await (await t.api.at(await t.api.rpc.chain.getBlockHash(n))).query.system.events()
  return records.filter(r => r.phase.isFinalization).map(r => ({ name: `${r.event.section}.${r.event.method}`, data: r.event.data.map(d => d.toJSON()) }))
}

const momentAt = async (n: number): Promise<bigint> => (await (await t.api.at(await t.api.rpc.chain.getBlockHash(n))).query.timestamp.now()).toBigInt()
const big = (x: unknown): bigint => BigInt(x as string | number)

/** The reference's annual emission: base less 15 % per year, Perbill-floored each year. */
function annual (year: number): bigint {
  let x = DEFAULT_EMISSION_SCHEDULE.baseEmission
  for (let y = 1; y < year; y++) x = x * (PERBILL - DEFAULT_EMISSION_SCHEDULE.decayRate) / PERBILL
  return x
}
const share = (x: bigint, parts: bigint): bigint => x * parts / PERBILL

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('NsnTreasury on the dev chain', () => {
  it('should expose the pallet at index 55 and pre-fund the treasury account with the existential deposit', async () => {
    const consts = t.api.consts['nsnTreasury'] as unknown as Record<string, { toString(): string }>
    expect(consts['distributionFrequency']!.toString()).toBe(String(FREQ))
    expect(tre()['fundTreasury']!(1).method.callIndex).toEqual(new Uint8Array([55, 0]))
    expect((await t.balance(TREASURY)).free).toBe(EXISTENTIAL_DEPOSIT)
    expect(await treasuryBalance()).toBe(EXISTENTIAL_DEPOSIT)
  })

  it('should keep TreasuryBalance equal to the real account balance, plain transfers included (weakness 17)', async () => {
    const funded = await send(tre()['fundTreasury']!(1_000n * NSN), t.k.Bob)
    expect(funded.names).toEqual(expect.arrayContaining(['balances.Transfer', 'nsnTreasury.TreasuryFunded']))
    expect(await treasuryBalance()).toBe(EXISTENTIAL_DEPOSIT + 1_000n * NSN)
    // the task market pays its 20 % fee by a plain transfer: the counter follows the account
    await send(t.api.tx.balances.transferKeepAlive(TREASURY, 7n * NSN), t.k.Charlie)
    expect(await treasuryBalance()).toBe((await t.balance(TREASURY)).free)
    expect(await treasuryBalance()).toBe(EXISTENTIAL_DEPOSIT + 1_007n * NSN)
  })

  it('should pay approved proposals from the account and never below the existential deposit', async () => {
    const ferdie = t.k.Ferdie.address
    const before = await t.balance(ferdie)
    const paid = await sudo(tre()['approveProposal']!(ferdie, 500n * NSN, 7))
    expect(paid.names).toContain('nsnTreasury.ProposalApproved')
    expect((await t.balance(ferdie)).free).toBe(before.free + 500n * NSN)
    expect(await treasuryBalance()).toBe(EXISTENTIAL_DEPOSIT + 507n * NSN)
    // the whole balance would kill the account
    expect((await sudo(tre()['approveProposal']!(ferdie, 507n * NSN + EXISTENTIAL_DEPOSIT, 8))).error).toBe('nsnTreasury.InsufficientTreasuryFunds')
    expect((await send(tre()['approveProposal']!(ferdie, NSN, 9), t.k.Bob)).error).toBe('BadOrigin')
    expect(await treasuryBalance()).toBe(EXISTENTIAL_DEPOSIT + 507n * NSN)
  })

  it('should mint each distribution pro rata to recorded work and the treasury share into the account (weakness 17)', async () => {
    const [charlie, dave, eve] = [t.k.Charlie.address, t.k.Dave.address, t.k.Eve.address]
    const recorded = await sendAll([
      [t.k.Alice, t.api.tx.sudo.sudo(tre()['recordDirectorWork']!(charlie, 3))],
      [t.k.Alice, t.api.tx.sudo.sudo(tre()['recordDirectorWork']!(dave, 1))],
      [t.k.Alice, t.api.tx.sudo.sudo(tre()['recordValidatorWork']!(eve, 2))]
    ])
    for (const s of recorded) expect(s.error).toBeNull()
    expect(recorded[0]!.names).toContain('nsnTreasury.DirectorWorkRecorded')
    const period = (await q()['contributionPeriod']!()).toNumber()
    expect((await q()['periodTotals']!(period)).toJSON()).toEqual({ directorSlots: 4, validatorVotes: 2, pinnerShardsServed: 0 })
    const before = { charlie: await t.balance(charlie), dave: await t.balance(dave), eve: await t.balance(eve), treasury: await treasuryBalance(), issuance: await issuance() }
    const launch = (await q()['launchMoment']!()).toBigInt()
    const last = (await q()['lastDistributionMoment']!()).toBigInt()
    const n = await toNextDistribution()
    // the emission is the year-1 rate for the wall-clock time since the launch (first distribution)
    const emission = annual(1) * ((await momentAt(n)) - (last === 0n ? launch : last)) / TREASURY_CONSTANTS.yearMs
    expect(emission).toBeGreaterThan(0n)
    const dirPool = share(emission, DEFAULT_REWARD_DISTRIBUTION.directorPercent)
    const valPool = share(emission, DEFAULT_REWARD_DISTRIBUTION.validatorPercent)
    const treasuryShare = share(emission, DEFAULT_REWARD_DISTRIBUTION.treasuryPercent)
    const events = await finalization(n)
    expect(events.find(e => e.name === 'nsnTreasury.DistributionStarted')!.data.map(big)).toEqual([BigInt(period), emission, treasuryShare])
    expect((await t.balance(charlie)).free - before.charlie.free).toBe(dirPool * 3n / 4n)
    expect((await t.balance(dave)).free - before.dave.free).toBe(dirPool / 4n)
    expect((await t.balance(eve)).free - before.eve.free).toBe(valPool)
    // no pinner work was recorded: the pinner pool is not minted; dust goes to the treasury
    const pools = dirPool + valPool
    const dust = pools - dirPool * 3n / 4n - dirPool / 4n - valPool
    expect(events.some(e => e.name === 'nsnTreasury.PinnerRewarded')).toBe(false)
    expect(await treasuryBalance()).toBe(before.treasury + treasuryShare + dust)
    expect(await treasuryBalance()).toBe((await t.balance(TREASURY)).free)
    expect(await issuance()).toBe(before.issuance + pools + treasuryShare)
    expect(events.find(e => e.name === 'nsnTreasury.RewardsDistributed')!.data.map(big)).toEqual([BigInt(n), pools + treasuryShare])
    // paid work is removed; new work goes to the next period
    expect((await q()['contributionPeriod']!()).toNumber()).toBe(period + 1)
    expect((await q()['accumulatedContributionsMap']!(period, charlie)).toJSON()).toEqual({ directorSlots: 0, validatorVotes: 0, pinnerShardsServed: 0 })
    expect((await q()['lastDistributionBlock']!()).toNumber()).toBe(n)
  })

  it('should pay a large distribution a bounded number of contributors per block (weakness 17)', async () => {
    const count = TREASURY_CONSTANTS.maxPayoutsPerBlock + 6
    const accounts = Array.from({ length: count }, (_, i) => t.keyring.addFromUri(`//TreasuryWorker${i}`).address)
    const sent = await sendAll(accounts.map(a => [t.k.Alice, t.api.tx.sudo.sudo(tre()['recordValidatorWork']!(a, 1))]))
    for (const s of sent) expect(s.error).toBeNull()
    const n = await toNextDistribution()
    const first = (await finalization(n)).filter(e => e.name === 'nsnTreasury.ValidatorRewarded')
    expect(first).toHaveLength(TREASURY_CONSTANTS.maxPayoutsPerBlock)
    expect((await finalization(n)).some(e => e.name === 'nsnTreasury.RewardsDistributed')).toBe(false)
    expect((await q()['activeDistribution']!()).isSome).toBe(true)
    await t.newBlocks(1)
    const rest = await finalization(n + 1)
    expect(rest.filter(e => e.name === 'nsnTreasury.ValidatorRewarded')).toHaveLength(6)
    expect(rest.some(e => e.name === 'nsnTreasury.RewardsDistributed')).toBe(true)
    expect((await q()['activeDistribution']!()).isNone).toBe(true)
    // every worker got the same share, once
    const paid = [...first, ...rest.filter(e => e.name === 'nsnTreasury.ValidatorRewarded')].map(e => e.data[0])
    expect(new Set(paid).size).toBe(count)
    expect(new Set([...first, ...rest.filter(e => e.name === 'nsnTreasury.ValidatorRewarded')].map(e => big(e.data[1]))).size).toBe(1)
  })

  it('should take the emission year and amount from the timestamp, not block counts (weakness 28)', async () => {
    expect((await q()['emissionScheduleStorage']!()).currentYear.toNumber()).toBe(1)
    await send(t.api.tx.sudo.sudo(tre()['recordDirectorWork']!(t.k.Dave.address, 1)))
    const now = (await t.api.query.timestamp.now()).toNumber()
    // 400 days later, only a few blocks on
    await t.provider.send('dev_timeTravel', [now + 400 * 86_400_000])
    await t.newBlocks(1)
    expect((await q()['emissionScheduleStorage']!()).currentYear.toNumber()).toBe(2)
    const before = await t.balance(t.k.Dave.address)
    const n = await toNextDistribution()
    // more than a year since the last distribution: one year of the year-2 rate
    const started = (await finalization(n)).find(e => e.name === 'nsnTreasury.DistributionStarted')!
    expect(big(started.data[1])).toBe(annual(2))
    expect((await t.balance(t.k.Dave.address)).free - before.free).toBe(share(annual(2), DEFAULT_REWARD_DISTRIBUTION.directorPercent))
  })

  it('should reject bad input with the named error and change nothing', async () => {
    const who = t.k.Ferdie.address
    const period = (await q()['contributionPeriod']!()).toNumber()
    expect((await sudo(tre()['recordDirectorWork']!(who, U64_MAX))).error).toBeNull()
    const snapshot = async (): Promise<unknown> => [(await q()['accumulatedContributionsMap']!(period, who)).toJSON(), (await q()['periodTotals']!(period)).toJSON(), await treasuryBalance()]
    const before = await snapshot()
    expect((await sudo(tre()['recordDirectorWork']!(who, 1))).error).toBe('nsnTreasury.Overflow')
    expect((await send(tre()['recordDirectorWork']!(who, 1), t.k.Bob)).error).toBe('BadOrigin')
    expect((await send(tre()['recordValidatorWork']!(who, 1), t.k.Bob)).error).toBe('BadOrigin')
    expect((await send(tre()['fundTreasury']!((1n << 128n) - 1n), t.k.Bob)).error).toBe('nsnTreasury.InsufficientBalance')
    expect(await snapshot()).toEqual(before)
  })
})
