// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Lane 0 chain path across pallets on the dev chain, through an unmodified `ApiPromise`:
 * stake (NsnStake) → reputation (NsnReputation) → On-Deck election and epoch start (NsnDirector)
 * → session key → a recipe scheduled for a slot's leader (NsnTaskMarket calls `slotLeader`) → a
 * certificate of 3 signed committee attestations (NsnBft, unsigned) that pays the recipe (NsnTaskMarket
 * `settleLane0Task`) and records treasury work (NsnTreasury) → equivocation evidence → slash, and
 * the slashed director is not elected again. Blocks are made only by `dev_newBlock`.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  WIRE_VERSION, blake2b256, encodeCertificate, encodeSignedAttestation, encodeSignedSegmentHeader, memorySessionSigner, signAttestation, signSegmentHeader
} from '../../src/core/wire/index.ts'
// genesis.ts first: it loads the runtime's hooks before the pallet module (their import cycle)
import { devDirectors } from '../../src/devchain/genesis.ts'
import { DIRECTOR_CONSTANTS as K } from '../../src/devchain/metadata/pallets/nsn-director.ts'
import { NSN } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { sessionKeyProofBytes } from '../../src/devchain/pallets/nsn-director.ts'
import { feePaid, startApiChain } from '../utils/devchain-api.ts'
import type { Certificate, SignedAttestation } from '../../src/core/wire/index.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { EventRecord } from '@polkadot/types/interfaces'

const CHANNEL = 'main'
const ESCROW = 10n * NSN

let t: ApiChain
let operator: KeyringPair
const operatorSecret = blake2b256(new TextEncoder().encode('lane0 flow operator session key'))
/** Session secrets by account. */
const secrets = new Map<string, Uint8Array>()

const sendOn = async (tx: Tx, signer?: KeyringPair): Promise<Sent> => await t.sendInBlock(tx, signer)

async function reach (n: number): Promise<void> {
  const head = await t.head()
  if (head < n) await t.newBlocks(n - head)
}

async function eventsAt (n: number): Promise<EventRecord[]> {
  return [...await t.api.query.system.events.at(await t.api.rpc.chain.getBlockHash(n))]
}
const dataOf = (events: EventRecord[], name: string): Array<{ toString(): string }> | undefined =>
  events.find(e => `${e.event.section}.${e.event.method}` === name)?.event.data as unknown as Array<{ toString(): string }> | undefined

const committee = async (epoch: number): Promise<string[]> => [...await t.query('nsnDirector')['epochCommittees']!(epoch)].map((a: { toString(): string }) => a.toString())
const stake = async (who: string): Promise<{ amount: bigint, role: string }> => {
  const s = await t.query('nsnStake')['stakes']!(who)
  return { amount: s.amount.toBigInt(), role: s.role.type }
}
const directorScore = async (who: string): Promise<bigint> => BigInt((await t.query('nsnReputation')['reputationScores']!(who)).directorScore.toString())
const keyOf = (who: string): Uint8Array => ed25519.getPublicKey(secrets.get(who) as Uint8Array)

async function attest (attester: string, slot: bigint, root: Uint8Array, leader: string): Promise<SignedAttestation> {
  const signer = memorySessionSigner(secrets.get(attester) as Uint8Array)
  return await signAttestation({ version: WIRE_VERSION, channel: CHANNEL, slot, contentRoot: root, leader: keyOf(leader), verdict: 'accept', scores: [{ kind: 'face', value: 800_000 }], attester: signer.publicKey }, signer)
}

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
  for (const d of await devDirectors()) secrets.set(d.address, d.sessionSecret)
  operator = t.keyring.addFromUri('//Lane0FlowOperator')
  secrets.set(operator.address, operatorSecret)
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('Lane 0 on the dev chain: stake → reputation → election → certificate → challenge', () => {
  let slot: bigint
  let leader: string
  let attesters: string[]
  let taskId: string
  const root = blake2b256(new TextEncoder().encode('the certified clip'))

  it('should elect a freshly staked, reputable operator with a session key at the next On-Deck election', async () => {
    expect((await sendOn(t.api.tx.balances.transferKeepAlive(operator.address, 1_000n * NSN), t.k.Alice)).error).toBeNull()
    const staked = await sendOn(t.tx('nsnStake')['depositStake']!(100n * NSN, 0, 'Latam'), operator)
    expect(staked.error).toBeNull()
    expect((await stake(operator.address)).role).toBe('Director')
    const events = Array.from({ length: 30 }, () => ({ eventType: 'DirectorSlotAccepted', slot: 0 }))
    expect((await sendOn(t.api.tx.sudo.sudo(t.tx('nsnReputation')['recordAggregatedEvents']!(operator.address, events)), t.k.Alice)).error).toBeNull()
    const key = ed25519.getPublicKey(operatorSecret)
    const registered = await sendOn(t.tx('nsnDirector')['registerSessionKey']!(key, ed25519.sign(sessionKeyProofBytes(operator.address), operatorSecret)), operator)
    expect(registered.names).toContain('nsnDirector.SessionKeyRegistered')
    expect(await committee(0)).not.toContain(operator.address)
    await reach(40)
    // 7 candidates, 5 of them benched after epoch 0: the two fresh ones (the operator and the dev
    // director that sat out) and three re-admitted by the seed make exactly 5 electable, all elected
    expect(await committee(1)).toContain(operator.address)
    expect((await stake(operator.address)).role).toBe('Reserve')
  })

  it('should schedule a recipe for the slot leader that NsnDirector names', async () => {
    const sent = await sendOn(t.tx('nsnTaskMarket')['submitRecipe']!(blake2b256(new TextEncoder().encode('recipe json')), ESCROW), t.k.Dave)
    expect(sent.error).toBeNull()
    await reach(50)
    const scheduled = dataOf(await eventsAt(50), 'nsnTaskMarket.RecipeScheduled')
    expect(scheduled).toBeDefined()
    slot = BigInt(scheduled![0]!.toString())
    taskId = scheduled![1]!.toString()
    const c1 = await committee(1)
    expect(slot).toBe(7n)
    leader = c1[Number(slot % BigInt(c1.length))] as string
    expect(scheduled![2]!.toString()).toBe(leader)
    const others = c1.filter(w => w !== leader)
    // the operator attests unless it leads
    attesters = leader === operator.address ? others.slice(0, 3) : [operator.address, ...others.filter(w => w !== operator.address).slice(0, 2)]
    await reach(60)
    expect(dataOf(await eventsAt(60), 'nsnDirector.EpochStarted')?.[0]?.toString()).toBe('1')
    expect((await stake(operator.address)).role).toBe('ActiveDirector')
  })

  it('should certify the slot with 3 committee signatures, paying the recipe and recording the work', async () => {
    const cert: Certificate = { channel: CHANNEL, slot, contentRoot: root, leader: keyOf(leader), attestations: await Promise.all(attesters.map(a => attest(a, slot, root, leader))) }
    const type = t.api.tx['nsnBft']!['submitCertificate']!.meta.args[0]!.type.toString()
    const repBefore = await directorScore(operator.address)
    const leaderBefore = await t.balance(leader)
    const period = (await t.query('nsnTreasury')['contributionPeriod']!()).toNumber()
    const sent = await sendOn(t.tx('nsnBft')['submitCertificate']!(t.api.createType(type, encodeCertificate(cert))))
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['nsnBft.CertificateAccepted', 'nsnDirector.BftConsensusFinalized']))
    expect(await directorScore(operator.address)).toBe(repBefore + 100n)
    // NsnTaskMarket: the scheduled recipe is settled as certified and its leader paid 70 % of the escrow
    const settled = sent.events.find(e => e.event.section === 'nsnTaskMarket' && e.event.method === 'RecipeSettled')?.event.data
    expect(settled?.map(x => x.toString())).toEqual([slot.toString(), taskId, 'true'])
    expect((await t.balance(leader)).free).toBe(leaderBefore.free + ESCROW * 70n / 100n)
    // NsnTreasury: director work for the leader, validator work for each attester
    const work = async (who: string): Promise<unknown> => (await t.query('nsnTreasury')['accumulatedContributionsMap']!(period, who)).toJSON()
    expect(await work(leader)).toMatchObject({ directorSlots: 1 })
    for (const who of attesters) expect(await work(who)).toMatchObject({ validatorVotes: 1 })
  })

  it('should slash the operator for equivocation evidence and not elect it again', async () => {
    const bob = t.k.Bob
    let evidence: unknown
    if (leader === operator.address) {
      const signer = memorySessionSigner(operatorSecret)
      const header = async (payload: string): Promise<Uint8Array> => {
        const bytes = new TextEncoder().encode(payload)
        const hash = blake2b256(bytes)
        return encodeSignedSegmentHeader(await signSegmentHeader({
          version: WIRE_VERSION, channel: CHANNEL, slot, sequence: 0n, kind: 'init', codec: 'video/webm; codecs="vp8, opus"', timestampUs: 0n, durationUs: 0,
          keyframe: true, airTimeUs: 0n, payloadLength: bytes.length, payloadHash: hash, initHash: hash, producer: signer.publicKey
        }, signer))
      }
      evidence = { SegmentEquivocation: { first: await header('one'), second: await header('two') } }
    } else {
      const other = blake2b256(new TextEncoder().encode('a conflicting clip'))
      evidence = { AttestationEquivocation: { first: encodeSignedAttestation(await attest(operator.address, slot, root, leader)), second: encodeSignedAttestation(await attest(operator.address, slot, other, leader)) } }
    }
    const [stakeBefore, reserved, repBefore, issuance, bobBefore] = [
      (await stake(operator.address)).amount, (await t.balance(operator.address)).reserved, await directorScore(operator.address),
      (await t.api.query.balances.totalIssuance()).toBigInt(), await t.balance(bob.address)
    ]
    const tx = t.tx('nsnDirector')['challengeBftResult']!(slot, evidence)
    const fee = (await tx.paymentInfo(bob)).partialFee.toBigInt()
    const sent = await sendOn(tx, bob)
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['nsnDirector.BftChallenged', 'nsnStake.StakeSlashed', 'nsnReputation.ReputationRecorded', 'nsnDirector.ChallengeUpheld']))
    expect(await stake(operator.address)).toEqual({ amount: stakeBefore - K.directorSlashAmount, role: 'None' })
    expect((await t.balance(operator.address)).reserved).toBe(reserved - K.directorSlashAmount)
    expect(await directorScore(operator.address)).toBe(repBefore - 200n)
    expect((await t.api.query.balances.totalIssuance()).toBigInt()).toBe(issuance - K.directorSlashAmount + K.challengerReward - feePaid(sent))
    expect(await t.balance(bob.address)).toEqual({ free: bobBefore.free - fee + K.challengerReward, reserved: bobBefore.reserved })
    await reach(100)
    expect(await committee(2)).toHaveLength(5)
    expect(await committee(2)).not.toContain(operator.address)
  })

  it('should keep TotalIssuance equal to the sum of every account\'s free and reserved balance after the whole flow', async () => {
    const entries = await t.api.query.system.account.entries()
    const sum = entries.reduce((acc, [, info]) => acc + info.data.free.toBigInt() + info.data.reserved.toBigInt(), 0n)
    expect(entries.length).toBeGreaterThan(12)
    expect((await t.api.query.balances.totalIssuance()).toBigInt()).toBe(sum)
  })
})
