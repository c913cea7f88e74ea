// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnDirector (index 52) on the dev chain through an unmodified `ApiPromise`: the dev genesis
 * candidates and epoch 0 committee, session-key registration and rotation (bad input rejected with
 * named errors and no state change), and elections across epochs: On-Deck election, transition,
 * cooldown in epochs, stake and session-key filters, short committees. Tests for a fixed weakness of
 * `reference/nsn-chain.md` section 13 carry its number. Blocks are made only by `dev_newBlock`.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blake2b256 } from '../../src/core/wire/index.ts'
// genesis.ts first: it loads the runtime's hooks before the pallet module (their import cycle)
import { DEV_DIRECTOR_STAKE, devDirectors } from '../../src/devchain/genesis.ts'
import { NSN } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { sessionKeyProofBytes } from '../../src/devchain/pallets/nsn-director.ts'
import { startApiChain } from '../utils/devchain-api.ts'
import type { DevDirector } from '../../src/devchain/pallets/nsn-director.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { EventRecord } from '@polkadot/types/interfaces'

let t: ApiChain
let directors: DevDirector[]
/** Accounts that must never be elected: a high-reputation SuperNode-tier stake and a director stake without a session key. */
let lowStake: KeyringPair
let noKey: KeyringPair

/** Signs and submits `tx`, builds one block and resolves with the finalized outcome. */
const sendOn = async (tx: Tx, signer: KeyringPair): Promise<Sent> => await t.sendInBlock(tx, signer)

/** A fresh account funded by Alice. */
async function funded (uri: string, amount: bigint): Promise<KeyringPair> {
  const pair = t.keyring.addFromUri(uri)
  expect((await sendOn(t.api.tx.balances.transferKeepAlive(pair.address, amount), t.k.Alice)).error).toBeNull()
  return pair
}

async function reach (n: number): Promise<void> {
  const head = await t.head()
  if (head < n) await t.newBlocks(n - head)
}

/** The events of block `n` (it must be recent: older states are discarded). */
async function eventsAt (n: number): Promise<EventRecord[]> {
  const hash = await t.api.rpc.chain.getBlockHash(n)
  return [...await t.api.query.system.events.at(hash)]
}
const named = (events: EventRecord[], name: string): EventRecord[] => events.filter(e => `${e.event.section}.${e.event.method}` === name)

const dq = (): Record<string, ((...args: unknown[]) => Promise<any>) & { entries: () => Promise<any[]> }> => t.query('nsnDirector') // eslint-disable-line @typescript-eslint/no-explicit-any
const committee = async (epoch: number): Promise<string[]> => [...await dq()['epochCommittees']!(epoch)].map((a: { toString(): string }) => a.toString())
const sessionKey = async (who: string): Promise<string | null> => {
  const o = await dq()['sessionKeys']!(who)
  return o.isNone === true ? null : o.unwrap().toHex()
}
const owner = async (key: Uint8Array): Promise<string | null> => {
  const o = await dq()['sessionKeyOwners']!(key)
  return o.isNone === true ? null : o.unwrap().toString()
}
const stakeInfo = async (who: string): Promise<{ amount: bigint, role: string, region: string }> => {
  const s = await t.query('nsnStake')['stakes']!(who)
  return { amount: s.amount.toBigInt(), role: s.role.type, region: s.region.type }
}
/** `Lane0Active:59`, `Draining:60`, `Lane1Active`. */
const mode = async (who: string): Promise<string> => {
  const m = await t.query('nsnStake')['nodeModes']!(who)
  return m.isLane0Active === true ? `Lane0Active:${m.asLane0Active.epochEnd.toNumber()}` : m.isDraining === true ? `Draining:${m.asDraining.epochStart.toNumber()}` : m.type
}
const proof = (account: string, secret: Uint8Array): Uint8Array => ed25519.sign(sessionKeyProofBytes(account), secret)
const register = (key: Uint8Array, sig: Uint8Array): Tx => t.tx('nsnDirector')['registerSessionKey']!(key, sig)
const secret = (label: string): Uint8Array => blake2b256(new TextEncoder().encode(label))
const eligible = (): string[] => directors.map(d => d.address)

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
  directors = await devDirectors()
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('NsnDirector genesis', () => {
  it('should start with 6 funded, staked director candidates in 3 regions, each with a session key', async () => {
    const regions = new Set<string>()
    for (const d of directors) {
      expect(await stakeInfo(d.address)).toMatchObject({ amount: DEV_DIRECTOR_STAKE, region: d.region })
      expect(['Director', 'ActiveDirector']).toContain((await stakeInfo(d.address)).role)
      expect((await t.balance(d.address)).reserved).toBe(DEV_DIRECTOR_STAKE)
      expect(await sessionKey(d.address)).toBe(`0x${Buffer.from(d.sessionPublic).toString('hex')}`)
      expect(await owner(d.sessionPublic)).toBe(d.address)
      regions.add(d.region)
    }
    expect(directors).toHaveLength(6)
    expect(regions).toEqual(new Set(['NaWest', 'EuWest', 'Apac']))
    expect((await t.query('nsnStake')['totalStaked']!()).toBigInt()).toBe(6n * DEV_DIRECTOR_STAKE)
    for (const r of regions) expect((await t.query('nsnStake')['regionStakes']!(r)).toBigInt()).toBe(2n * DEV_DIRECTOR_STAKE)
    // TotalIssuance is the sum of every account's free + reserved
    const accounts = await t.api.query.system.account.entries()
    const sum = accounts.reduce((acc, [, a]) => acc + a.data.free.toBigInt() + a.data.reserved.toBigInt(), 0n)
    expect((await t.api.query.balances.totalIssuance()).toBigInt()).toBe(sum)
  })

  it('should elect epoch 0 at genesis: 5 members with session keys, at most 2 per region, serving Lane 0', async () => {
    const c = await committee(0)
    expect(c).toHaveLength(5)
    expect(new Set(c).size).toBe(5)
    const perRegion = new Map<string, number>()
    for (const who of c) {
      expect(await sessionKey(who)).not.toBeNull()
      const { region, role } = await stakeInfo(who)
      expect(role).toBe('ActiveDirector')
      expect(await mode(who)).toBe('Lane0Active:59')
      perRegion.set(region, (perRegion.get(region) ?? 0) + 1)
    }
    expect(Math.max(...perRegion.values())).toBeLessThanOrEqual(2)
    const epoch = (await dq()['currentEpoch']!()).unwrap()
    expect({ id: epoch.id.toNumber(), start: epoch.startBlock.toNumber(), end: epoch.endBlock.toNumber(), directors: [...epoch.directors].map((a: { toString(): string }) => a.toString()) })
      .toEqual({ id: 0, start: 0, end: 59, directors: c })
    const out = directors.find(d => !c.includes(d.address)) as DevDirector
    expect(await mode(out.address)).toBe('Lane1Active')
    const consts = t.api.consts['nsnDirector'] as unknown as Record<string, { toString(): string, toUtf8?(): string }>
    expect(['committeeSize', 'blocksPerSlot', 'slotsPerEpoch', 'maxDirectorsPerRegion', 'cooldownEpochs'].map(k => consts[k]!.toString())).toEqual(['5', '10', '6', '2', '1'])
    expect(consts['randomnessSource']!.toUtf8!()).toMatch(/NOT a VRF/)
    expect(consts['sessionKeyProofDomain']!.toUtf8!()).toBe('nsn/session-key/2')
  })
})

describe('NsnDirector session keys', () => {
  it('should register and rotate a session key, refusing bad proofs and keys in use with no state change', async () => {
    const user = await funded('//SessionKeyUser', 50n * NSN)
    const [a, b] = [secret('user key a'), secret('user key b')]
    const [keyA, keyB] = [ed25519.getPublicKey(a), ed25519.getPublicKey(b)]
    expect((await sendOn(register(keyA, proof(user.address, a)), user)).error).toBe('nsnDirector.NotStaked')
    expect((await sendOn(t.tx('nsnStake')['depositStake']!(10n * NSN, 0, 'Mena'), user)).error).toBeNull()
    const director1 = directors[0] as DevDirector
    const before = [await sessionKey(user.address), await owner(keyA), await owner(keyB)]
    // a proof for another account, a proof by another key, a proof over the wrong domain
    expect((await sendOn(register(keyA, proof(director1.address, a)), user)).error).toBe('nsnDirector.InvalidSessionKeyProof')
    expect((await sendOn(register(keyA, proof(user.address, b)), user)).error).toBe('nsnDirector.InvalidSessionKeyProof')
    const wrongDomain = ed25519.sign(new TextEncoder().encode('nsn/session-key/1'), a)
    expect((await sendOn(register(keyA, wrongDomain), user)).error).toBe('nsnDirector.InvalidSessionKeyProof')
    // a dev director's key, with a valid proof for the user: the key belongs to the director
    expect((await sendOn(register(director1.sessionPublic, proof(user.address, director1.sessionSecret)), user)).error).toBe('nsnDirector.SessionKeyInUse')
    expect([await sessionKey(user.address), await owner(keyA), await owner(keyB)]).toEqual(before)
    expect(before).toEqual([null, null, null])

    const registered = await sendOn(register(keyA, proof(user.address, a)), user)
    expect(registered.error).toBeNull()
    const ev = named(registered.events, 'nsnDirector.SessionKeyRegistered')[0]!.event.data
    expect([ev[0]!.toString(), ev[1]!.toHex()]).toEqual([user.address, `0x${Buffer.from(keyA).toString('hex')}`])
    expect(await owner(keyA)).toBe(user.address)
    expect((await sendOn(register(keyA, proof(user.address, a)), user)).error).toBe('nsnDirector.SessionKeyUnchanged')

    const rotated = await sendOn(register(keyB, proof(user.address, b)), user)
    expect(rotated.names).toContain('nsnDirector.SessionKeyRotated')
    const rot = named(rotated.events, 'nsnDirector.SessionKeyRotated')[0]!.event.data
    expect([rot[1]!.toHex(), rot[2]!.toHex()]).toEqual([`0x${Buffer.from(keyA).toString('hex')}`, `0x${Buffer.from(keyB).toString('hex')}`])
    expect(await sessionKey(user.address)).toBe(`0x${Buffer.from(keyB).toString('hex')}`)
    // the old key stays attributed to the user and can never go to another account
    expect(await owner(keyA)).toBe(user.address)
    const d1 = t.keyring.addFromUri(director1.uri)
    expect((await sendOn(register(keyA, proof(director1.address, a)), d1)).error).toBe('nsnDirector.SessionKeyInUse')
    expect(await sessionKey(director1.address)).toBe(`0x${Buffer.from(director1.sessionPublic).toString('hex')}`)
  })
})

describe('NsnDirector elections', () => {
  it('should prepare candidates that must never be elected (weakness 7)', async () => {
    lowStake = await funded('//LowStakeCandidate', 200n * NSN)
    noKey = await funded('//NoKeyCandidate', 200n * NSN)
    expect((await sendOn(t.tx('nsnStake')['depositStake']!(50n * NSN, 0, 'Latam'), lowStake)).error).toBeNull()
    const k = secret('low stake key')
    expect((await sendOn(register(ed25519.getPublicKey(k), proof(lowStake.address, k)), lowStake)).error).toBeNull()
    expect((await sendOn(t.tx('nsnStake')['depositStake']!(100n * NSN, 0, 'EuEast'), noKey)).error).toBeNull()
    expect((await stakeInfo(noKey.address)).role).toBe('Director')
    // both rank far above the dev directors by reputation, so only the filters keep them out
    const boost = (who: string): Tx => t.api.tx.sudo.sudo(t.tx('nsnReputation')['recordAggregatedEvents']!(who, Array.from({ length: 30 }, () => ({ eventType: 'DirectorSlotAccepted', slot: 0 }))))
    expect((await sendOn(boost(lowStake.address), t.k.Alice)).error).toBeNull()
    expect((await sendOn(boost(noKey.address), t.k.Alice)).error).toBeNull()
  })

  it('should elect the next committee On-Deck at the last slots without touching live directors (weakness 8), then switch at the epoch start', async () => {
    const c0 = await committee(0)
    await reach(39)
    expect(await committee(1)).toEqual([])
    await t.newBlocks(1)
    const at40 = await eventsAt(40)
    const onDeck = named(at40, 'nsnDirector.OnDeckElection')[0]!.event.data
    const c1 = await committee(1)
    expect(c1).toHaveLength(5)
    expect([onDeck[0]!.toString(), [...onDeck[1] as unknown as Array<{ toString(): string }>].map(a => a.toString()), onDeck[2]!.toString()]).toEqual(['1', c1, '60'])
    expect(named(at40, 'nsnDirector.DirectorsElected')).toHaveLength(1)
    for (const who of c0) {
      // live directors keep serving their epoch, re-elected or not
      expect(await mode(who)).toBe('Lane0Active:59')
      expect((await stakeInfo(who)).role).toBe('ActiveDirector')
    }
    for (const who of c1.filter(w => !c0.includes(w))) {
      expect(await mode(who)).toBe('Draining:60')
      expect((await stakeInfo(who)).role).toBe('Reserve')
    }
    await reach(59)
    expect((await dq()['currentEpoch']!()).unwrap().id.toNumber()).toBe(0)
    await t.newBlocks(1)
    const at60 = await eventsAt(60)
    expect(named(at60, 'nsnDirector.EpochCompleted')[0]!.event.data[0]!.toString()).toBe('0')
    const started = named(at60, 'nsnDirector.EpochStarted')[0]!.event.data
    expect([started[0]!.toString(), started[2]!.toString()]).toEqual(['1', '119'])
    for (const who of c1) expect(await mode(who)).toBe('Lane0Active:119')
    for (const who of c0.filter(w => !c1.includes(w))) {
      expect(await mode(who)).toBe('Lane1Active')
      expect((await stakeInfo(who)).role).toBe('Director')
    }
  })

  it('should count the cooldown in epochs and never elect fewer than 5 while 5 candidates exist (weakness 2, weakness 9)', async () => {
    await reach(3 * 60 + 1)
    const served = new Set<string>()
    for (const e of [0, 1, 2, 3]) {
      const c = await committee(e)
      expect(c).toHaveLength(5)
      c.forEach(w => served.add(w))
      if (e === 0) continue
      // whoever sat out epoch e-1 serves epoch e: the cooldown benches last epoch's members, not slots
      const previous = await committee(e - 1)
      for (const who of eligible().filter(w => !previous.includes(w))) expect(c).toContain(who)
    }
    expect(served).toEqual(new Set(eligible()))
  })

  it('should never elect a candidate below MinStakeDirector or without a session key (weakness 7)', async () => {
    for (const e of [0, 1, 2, 3, 4]) {
      const c = await committee(e)
      expect(c).not.toContain(lowStake.address)
      expect(c).not.toContain(noKey.address)
    }
    expect(BigInt((await t.query('nsnReputation')['reputationScores']!(lowStake.address)).directorScore.toString())).toBe(3_000n)
  })

  it('should elect a short committee and say so when fewer than 5 candidates are left (weakness 9)', async () => {
    // two candidates slashed below MinStakeDirector drop out
    for (const d of directors.slice(0, 2)) expect((await sendOn(t.api.tx.sudo.sudo(t.tx('nsnStake')['slash']!(d.address, 1n, 'BftFailure')), t.k.Alice)).error).toBeNull()
    const head = await t.head()
    const next = Math.floor(head / 60) + 1
    const onDeckBlock = (next - 1) * 60 + 40
    await reach(onDeckBlock)
    const short = named(await eventsAt(onDeckBlock), 'nsnDirector.CommitteeShort')[0]!.event.data
    expect([short[0]!.toString(), short[1]!.toString()]).toEqual([String(next), '4'])
    const c = await committee(next)
    expect(c).toHaveLength(4)
    for (const d of directors.slice(0, 2)) expect(c).not.toContain(d.address)
  })
})
