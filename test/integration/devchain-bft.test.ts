// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnBft (index 53) and NsnDirector's challenges on the dev chain through an unmodified `ApiPromise`:
 * certificates of 3 signed committee attestations submitted as unsigned extrinsics (the argument's
 * SCALE is the wire encoding), bad certificates refused by the pool with the right 1010 reason and
 * no state change, session-key rotation, and challenges with signed evidence (equivocation, root
 * mismatch) that slash only the signer. Tests for a fixed weakness of `reference/nsn-chain.md`
 * section 13 carry its number. Blocks are made only by `dev_newBlock`.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  WIRE_VERSION, blake2b256, contentRoot, decodeCertificate, encodeCertificate, encodeSignedAttestation, encodeSignedSegmentHeader,
  memorySessionSigner, signAttestation, signSegmentHeader
} from '../../src/core/wire/index.ts'
// genesis.ts first: it loads the runtime's hooks before the pallet module (their import cycle)
import { devDirectors } from '../../src/devchain/genesis.ts'
import { DIRECTOR_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-director.ts'
import { sessionKeyProofBytes } from '../../src/devchain/pallets/nsn-director.ts'
import { feePaid, startApiChain } from '../utils/devchain-api.ts'
import type { Certificate, SegmentKind, SignedAttestation, SignedSegmentHeader, Verdict } from '../../src/core/wire/index.ts'
import type { DevDirector } from '../../src/devchain/pallets/nsn-director.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'

const CHANNEL = 'main'
const K = DIRECTOR_CONSTANTS

let t: ApiChain
let directors: DevDirector[]
/** Session secrets by account (rotations update it). */
const secrets = new Map<string, Uint8Array>()
let committee: string[]
let outsider: DevDirector

/** Submits `tx` (signed by `signer`, or unsigned), builds one block and resolves with the finalized outcome. */
const sendOn = async (tx: Tx, signer?: KeyringPair): Promise<Sent> => await t.sendInBlock(tx, signer)

/** The pool's refusal of an unsigned `tx` (its error message), or throws if it was accepted. */
async function poolError (tx: Tx): Promise<string> {
  try {
    await tx.send()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('the pool accepted the extrinsic')
}

/** Builds blocks until the head is at least `n`. */
async function reach (n: number): Promise<void> {
  const head = await t.head()
  if (head < n) await t.newBlocks(n - head)
}

/** Flips one bit of `bytes[i]` (a forged signature). */
function flip (bytes: Uint8Array, i: number): void {
  bytes[i] = (bytes[i] as number) ^ 1
}

const director = (address: string): DevDirector => directors.find(d => d.address === address) as DevDirector
const keyOf = (address: string): Uint8Array => ed25519.getPublicKey(secrets.get(address) as Uint8Array)

async function attest (attester: string, slot: bigint, root: Uint8Array, leader: string, verdict: Verdict = 'accept'): Promise<SignedAttestation> {
  const signer = memorySessionSigner(secrets.get(attester) as Uint8Array)
  return await signAttestation({
    version: WIRE_VERSION, channel: CHANNEL, slot, contentRoot: root, leader: keyOf(leader), verdict, scores: [{ kind: 'clip', value: 910_000 }], attester: signer.publicKey
  }, signer)
}

async function certificate (slot: bigint, leader: string, attesters: string[], root = blake2b256(new TextEncoder().encode(`clip ${slot}`))): Promise<Certificate> {
  return { channel: CHANNEL, slot, contentRoot: root, leader: keyOf(leader), attestations: await Promise.all(attesters.map(a => attest(a, slot, root, leader))) }
}

/** `submit_certificate` with the argument decoded from the certificate's wire bytes. */
const submit = (c: Certificate): Tx => t.tx('nsnBft')['submitCertificate']!(t.api.createType(certificateType(), encodeCertificate(c)))
const certificateType = (): string => (t.api.tx['nsnBft']!['submitCertificate']!.meta.args[0]!.type.toString())
/** The slot's leader and the next three members (its attesters). */
function roles (slot: bigint): { leader: string, attesters: string[], idle: string } {
  const i = Number(slot % 5n)
  const at = (k: number): string => committee[(i + k) % 5] as string
  return { leader: at(0), attesters: [at(1), at(2), at(3)], idle: at(4) }
}

async function header (who: string, slot: bigint, sequence: bigint, kind: SegmentKind, payload: string, initHash?: Uint8Array): Promise<SignedSegmentHeader> {
  const bytes = new TextEncoder().encode(payload)
  const hash = blake2b256(bytes)
  const signer = memorySessionSigner(secrets.get(who) as Uint8Array)
  return await signSegmentHeader({
    version: WIRE_VERSION, channel: CHANNEL, slot, sequence, kind, codec: 'video/webm; codecs="vp8, opus"', timestampUs: sequence * 1_000_000n,
    durationUs: 1_000_000, keyframe: true, airTimeUs: 0n, payloadLength: bytes.length, payloadHash: hash, initHash: initHash ?? hash, producer: signer.publicKey
  }, signer)
}

const director0 = async (who: string): Promise<bigint> => BigInt((await t.query('nsnReputation')['reputationScores']!(who)).directorScore.toString())
const stake = async (who: string): Promise<bigint> => (await t.query('nsnStake')['stakes']!(who)).amount.toBigInt()
const issuance = async (): Promise<bigint> => (await t.api.query.balances.totalIssuance()).toBigInt()
const challengeTx = (slot: bigint, evidence: unknown): Tx => t.tx('nsnDirector')['challengeBftResult']!(slot, evidence)
const pair = (d: DevDirector): KeyringPair => t.keyring.addFromUri(d.uri)

/** Everything a refused certificate must leave alone. */
async function snapshot (): Promise<unknown> {
  const certs = (await t.query('nsnBft')['certificates']!.entries()).map(([k, v]) => [k.toHex(), v.toHex()])
  const stats = (await t.query('nsnBft')['consensusRoundStats']!()).toJSON()
  const reps = await Promise.all(directors.map(async d => (await t.query('nsnReputation')['reputationScores']!(d.address)).toJSON()))
  return { certs, stats, reps, pending: t.node.chain.pendingExtrinsics().length }
}

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
  directors = await devDirectors()
  for (const d of directors) secrets.set(d.address, d.sessionSecret)
  committee = [...await t.query('nsnDirector')['epochCommittees']!(0)].map((a: { toString(): string }) => a.toString())
  outsider = directors.find(d => !committee.includes(d.address)) as DevDirector
  // slots up to 3 can be certified from here (CertificateLeadSlots = 2)
  await reach(15)
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('NsnBft certificates', () => {
  it('should carry the wire encoding of the certificate as the call argument', async () => {
    const slot = 2n
    const { leader, attesters } = roles(slot)
    const cert = await certificate(slot, leader, attesters)
    const wire = encodeCertificate(cert)
    const arg = submit(cert).method.args[0] as unknown as { toU8a(): Uint8Array }
    expect(arg.toU8a()).toEqual(wire)
    expect(decodeCertificate(arg.toU8a())).toEqual(cert)
    // the same value built field by field through the metadata types
    const json = {
      channel: CHANNEL, slot, contentRoot: cert.contentRoot, leader: cert.leader,
      attestations: cert.attestations.map(s => ({
        attestation: { ...s.attestation, channel: CHANNEL, verdict: 'Accept', scores: s.attestation.scores.map(x => ({ kind: 'Clip', value: x.value })) },
        signature: s.signature
      }))
    }
    expect((t.tx('nsnBft')['submitCertificate']!(json).method.args[0] as unknown as { toU8a(): Uint8Array }).toU8a()).toEqual(wire)
  })

  it('should certify a slot with 3 committee signatures, led by the slot\'s rotation leader, crediting the leader and the attesters only (weakness 1, weakness 4, weakness 5)', async () => {
    const slot = 2n
    const { leader, attesters, idle } = roles(slot)
    const before = new Map(await Promise.all(directors.map(async d => [d.address, await director0(d.address)] as const)))
    const period = (await t.query('nsnTreasury')['contributionPeriod']!()).toNumber()
    const sent = await sendOn(submit(await certificate(slot, leader, attesters)))
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['nsnBft.ConsensusStored', 'nsnBft.CertificateAccepted', 'nsnDirector.BftConsensusFinalized', 'system.ExtrinsicSuccess']))
    const stored = (await t.query('nsnBft')['certificates']!(slot)).unwrap()
    expect(stored.leaderAccount.toString()).toBe(leader)
    expect([...stored.attesters].map((a: { toString(): string }) => a.toString())).toEqual(attesters)
    expect(stored.leader.toU8a()).toEqual(keyOf(leader))
    expect(stored.certifiedAt.toNumber()).toBe(sent.block)
    expect(stored.channel.toUtf8()).toBe(CHANNEL)
    for (const who of [leader, ...attesters]) expect(await director0(who)).toBe((before.get(who) as bigint) + 100n)
    for (const who of [idle, outsider.address]) expect(await director0(who)).toBe(before.get(who))
    expect((await t.query('nsnBft')['consensusRoundStats']!()).toJSON()).toEqual({ totalRounds: 1, successfulRounds: 1, failedRounds: 0, averageDirectorsAgreeing: 300 })
    const round = (await t.query('nsnBft')['consensusRounds']!(slot)).unwrap()
    expect(round.success.isTrue).toBe(true)
    expect([...round.directors].map((a: { toString(): string }) => a.toString())).toEqual([leader, ...attesters])
    const work = async (who: string): Promise<unknown> => (await t.query('nsnTreasury')['accumulatedContributionsMap']!(period, who)).toJSON()
    expect(await work(leader)).toMatchObject({ directorSlots: 1, validatorVotes: 0 })
    for (const who of attesters) expect(await work(who)).toMatchObject({ directorSlots: 0, validatorVotes: 1 })
    expect(await work(idle)).toMatchObject({ directorSlots: 0, validatorVotes: 0 })
  })

  it('should refuse bad certificates in the pool with the right reason and change nothing (weakness 4)', async () => {
    const slot = 3n
    const { leader, attesters, idle } = roles(slot)
    const before = await snapshot()
    const good = await certificate(slot, leader, attesters)
    const forged = structuredClone(good)
    flip((forged.attestations[0] as SignedAttestation).signature, 5)
    expect(await poolError(submit(forged))).toMatch(/1010.*bad signature/)
    // an outsider with a registered key is not on the committee
    expect(await poolError(submit(await certificate(slot, leader, [attesters[0] as string, attesters[1] as string, outsider.address])))).toMatch(/1010.*bad signature/)
    // a key nobody registered
    const stranger = memorySessionSigner(blake2b256(new TextEncoder().encode('stranger')))
    const strangeAtt = await signAttestation({ ...(good.attestations[0] as SignedAttestation).attestation, attester: stranger.publicKey }, stranger)
    expect(await poolError(submit({ ...good, attestations: [strangeAtt, ...good.attestations.slice(1)] }))).toMatch(/1010.*bad signature/)
    // only 2 signatures, or the leader attesting its own clip as the third
    expect(await poolError(submit(await certificate(slot, leader, attesters.slice(0, 2))))).toMatch(/1010.*bad signature/)
    expect(await poolError(submit(await certificate(slot, leader, [...attesters.slice(0, 2), leader])))).toMatch(/1010.*bad signature/)
    // a Reject verdict cannot certify
    const rejecting = { ...good, attestations: [...good.attestations.slice(0, 2), await attest(idle, slot, good.contentRoot, leader, 'reject')] }
    expect(await poolError(submit(rejecting))).toMatch(/1010.*bad signature/)
    // the leader key must be a committee member's
    expect(await poolError(submit(await certificate(slot, outsider.address, attesters)))).toMatch(/1010.*bad signature/)
    // a slot far ahead, and a malformed attestation (wrong version) that the wire decoder refuses
    expect(await poolError(submit(await certificate(50n, roles(50n).leader, roles(50n).attesters)))).toMatch(/1010.*not expected/)
    const json = { channel: CHANNEL, slot, contentRoot: good.contentRoot, leader: good.leader, attestations: good.attestations.map(s => ({ attestation: { ...s.attestation, version: 3, channel: CHANNEL, verdict: 'Accept', scores: [] }, signature: s.signature })) }
    expect(await poolError(t.tx('nsnBft')['submitCertificate']!(json))).toMatch(/1010.*not expected/)
    // a second certificate for an already certified slot is stale
    expect(await poolError(submit(await certificate(2n, roles(2n).leader, [roles(2n).attesters[1] as string, roles(2n).attesters[2] as string, roles(2n).idle])))).toMatch(/1010.*outdated/)
    await t.newBlocks(1)
    expect(await snapshot()).toEqual(before)
    // the good one still goes through
    expect((await sendOn(submit(good))).names).toContain('nsnBft.CertificateAccepted')
  })

  it('should accept only the new key after a serving member rotates its session key', async () => {
    const slot = 4n
    await reach(20)
    const { leader, attesters } = roles(slot)
    const rotating = attesters[0] as string
    const oldCert = await certificate(slot, leader, attesters)
    const fresh = blake2b256(new TextEncoder().encode('rotated key'))
    const proof = ed25519.sign(sessionKeyProofBytes(rotating), fresh)
    const sent = await sendOn(t.tx('nsnDirector')['registerSessionKey']!(ed25519.getPublicKey(fresh), proof), pair(director(rotating)))
    expect(sent.names).toContain('nsnDirector.SessionKeyRotated')
    expect(await poolError(submit(oldCert))).toMatch(/1010.*bad signature/)
    secrets.set(rotating, fresh)
    expect((await sendOn(submit(await certificate(slot, leader, attesters)))).names).toContain('nsnBft.CertificateAccepted')
    // the old key still belongs to the rotating account (for evidence)
    expect((await t.query('nsnDirector')['sessionKeyOwners']!(director(rotating).sessionPublic)).unwrap().toString()).toBe(rotating)
  })
})

describe('NsnDirector challenges', () => {
  it('should reject evidence that does not verify with a named error and take no bond', async () => {
    const slot = 2n
    const bob = t.k.Bob
    const { leader, attesters } = roles(slot)
    const honest = await attest(attesters[1] as string, slot, blake2b256(new TextEncoder().encode(`clip ${slot}`)), leader)
    const other = await attest(attesters[1] as string, slot, blake2b256(new TextEncoder().encode('another clip')), leader)
    const forged = structuredClone(other)
    flip(forged.signature, 0)
    const stranger = memorySessionSigner(blake2b256(new TextEncoder().encode('stranger 2')))
    const s1 = await signAttestation({ ...honest.attestation, attester: stranger.publicKey }, stranger)
    const s2 = await signAttestation({ ...other.attestation, attester: stranger.publicKey }, stranger)
    const eq = (a: SignedAttestation, b: SignedAttestation): unknown => ({ AttestationEquivocation: { first: encodeSignedAttestation(a), second: encodeSignedAttestation(b) } })
    const stakeBefore = await stake(attesters[1] as string)
    const cases: Array<[unknown, bigint, string]> = [
      [eq(honest, honest), slot, 'nsnDirector.NotConflicting'],
      [eq(honest, forged), slot, 'nsnDirector.InvalidEvidence'],
      [eq(honest, other), slot + 1n, 'nsnDirector.EvidenceSlotMismatch'],
      [eq(s1, s2), slot, 'nsnDirector.UnknownSessionKey'],
      [{ RootMismatch: { headers: [encodeSignedSegmentHeader(await header(leader, 9n, 0n, 'init', 'x'))] } }, 9n, 'nsnDirector.SlotNotCertified']
    ]
    for (const [evidence, s, error] of cases) {
      const before = await t.balance(bob.address)
      const sent = await sendOn(challengeTx(s, evidence), bob)
      expect(sent.error).toBe(error)
      expect((await t.balance(bob.address)).reserved).toBe(before.reserved)
      expect(sent.names).not.toContain('balances.Reserved')
    }
    expect(await stake(attesters[1] as string)).toBe(stakeBefore)
  })

  it('should decide a semantic dispute by the vote of the members who did not certify the slot', async () => {
    // slot 4: leader committee[4], attesters committee[0..2]; committee[3] is the only voter
    const slot = 4n
    const eve = t.k.Eve
    const dir = t.tx('nsnDirector')
    const voter = t.keyring.addFromUri(director(committee[3] as string).uri)
    const attester = t.keyring.addFromUri(director(committee[0] as string).uri)
    const repBefore = await director0(committee[4] as string)
    const opened = await sendOn(dir['openDispute']!(slot), eve)
    expect(opened.error).toBeNull()
    const data = opened.events.find(r => r.event.method === 'DisputeOpened')!.event.data
    expect([...data[2] as unknown as Array<{ toString(): string }>].map(a => a.toString())).toEqual([committee[3]])
    expect((await t.balance(eve.address)).reserved).toBe(K.disputeBond)
    expect((await sendOn(dir['voteDispute']!(slot, false), attester)).error).toBe('nsnDirector.NotDisputeVoter')
    expect((await sendOn(dir['openDispute']!(slot), t.k.Ferdie)).error).toBe('nsnDirector.DisputeExists')
    const voted = await sendOn(dir['voteDispute']!(slot, true), voter)
    expect(voted.names).toEqual(expect.arrayContaining(['nsnDirector.DisputeVoted', 'nsnDirector.DisputeUpheld']))
    expect(await director0(committee[4] as string)).toBe(repBefore > 200n ? repBefore - 200n : 0n)
    expect((await t.balance(eve.address)).reserved).toBe(0n)
    // a rejected dispute burns its bond
    const ferdie = t.k.Ferdie
    const slot2 = 2n
    const issuanceBefore = await issuance()
    const opened2 = await sendOn(dir['openDispute']!(slot2), ferdie)
    expect(opened2.error).toBeNull()
    const voter2 = t.keyring.addFromUri(director(roles(slot2).idle).uri)
    const rejected = await sendOn(dir['voteDispute']!(slot2, false), voter2)
    expect(rejected.names).toContain('nsnDirector.DisputeRejected')
    expect((await t.balance(ferdie.address)).reserved).toBe(0n)
    // fees are burned too
    expect(await issuance()).toBe(issuanceBefore - K.disputeBond - feePaid(opened2) - feePaid(rejected))
  })

  it('should slash a leader whose signed headers of a certified slot have another content root, within the challenge period', async () => {
    // slot 5: certified over the honest clip
    const slot = 5n
    await reach(30)
    const { leader, attesters } = roles(slot)
    const init = await header(leader, slot, 10n, 'init', 'honest init')
    const media = await header(leader, slot, 11n, 'media', 'honest media', init.header.payloadHash)
    const root = contentRoot([init.header.payloadHash, media.header.payloadHash])
    expect((await sendOn(submit(await certificate(slot, leader, attesters, root)))).names).toContain('nsnBft.CertificateAccepted')
    const headers = (hs: SignedSegmentHeader[]): unknown => ({ RootMismatch: { headers: hs.map(encodeSignedSegmentHeader) } })
    const dave = t.k.Dave
    expect((await sendOn(challengeTx(slot, headers([init, media])), dave)).error).toBe('nsnDirector.RootMatches')
    // headers signed by someone else than the certified leader prove nothing about it
    const other = await header(attesters[0] as string, slot, 10n, 'init', 'someone else')
    expect((await sendOn(challengeTx(slot, headers([other])), dave)).error).toBe('nsnDirector.InvalidEvidence')
    const swappedMedia = await header(leader, slot, 11n, 'media', 'other media', init.header.payloadHash)
    const before = await stake(leader)
    const sent = await sendOn(challengeTx(slot, headers([init, swappedMedia])), dave)
    expect(sent.error).toBeNull()
    const upheld = sent.events.find(r => r.event.method === 'ChallengeUpheld')!.event.data
    expect(upheld[2]!.toString()).toBe(leader)
    expect((upheld[3] as unknown as { type: string }).type).toBe('RootMismatch')
    expect(await stake(leader)).toBeLessThan(before)
  })

  it('should refuse root-mismatch evidence after the challenge period', async () => {
    const slot = 1n
    const { leader, attesters } = roles(slot)
    const init = await header(leader, slot, 20n, 'init', 'init 1')
    const cert = await sendOn(submit(await certificate(slot, leader, attesters, contentRoot([init.header.payloadHash]))))
    expect(cert.names).toContain('nsnBft.CertificateAccepted')
    const head = await t.head()
    await t.newBlocks(cert.block + K.challengePeriodBlocks - head)
    const late = await header(leader, slot, 20n, 'init', 'late init')
    const sent = await sendOn(challengeTx(slot, { RootMismatch: { headers: [encodeSignedSegmentHeader(late)] } }), t.k.Eve)
    expect(sent.error).toBe('nsnDirector.EvidenceExpired')
  })
  it('should slash an equivocating attester, return the bond with a reward without Root, and refuse the evidence twice (weakness 5, weakness 29)', async () => {
    const slot = 2n
    const bob = t.k.Bob
    const { leader, attesters } = roles(slot)
    const offender = attesters[1] as string
    expect(offender).toBe(committee[4])
    const a = await attest(offender, slot, blake2b256(new TextEncoder().encode(`clip ${slot}`)), leader)
    const b = await attest(offender, slot, blake2b256(new TextEncoder().encode('conflicting clip')), leader)
    const evidence = { AttestationEquivocation: { first: encodeSignedAttestation(a), second: encodeSignedAttestation(b) } }
    const [stakeBefore, repBefore, issuanceBefore, bobBefore, offenderBefore] = [await stake(offender), await director0(offender), await issuance(), await t.balance(bob.address), await t.balance(offender)]
    const tx = challengeTx(slot, evidence)
    const fee = (await tx.paymentInfo(bob)).partialFee.toBigInt()
    const sent = await sendOn(tx, bob)
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['nsnDirector.BftChallenged', 'nsnStake.StakeSlashed', 'nsnDirector.ChallengeUpheld', 'balances.Reserved', 'balances.Unreserved']))
    const upheld = sent.events.find(r => r.event.method === 'ChallengeUpheld')!.event.data
    expect(upheld[2]!.toString()).toBe(offender)
    expect((upheld[3] as unknown as { type: string }).type).toBe('AttestationEquivocation')
    const slash = stakeBefore < K.directorSlashAmount ? stakeBefore : K.directorSlashAmount
    expect(await stake(offender)).toBe(stakeBefore - slash)
    expect((await t.balance(offender)).reserved).toBe(offenderBefore.reserved - slash)
    expect(await issuance()).toBe(issuanceBefore - slash + K.challengerReward - feePaid(sent))
    expect(await director0(offender)).toBe(repBefore > 200n ? repBefore - 200n : 0n)
    expect(await t.balance(bob.address)).toEqual({ free: bobBefore.free - fee + K.challengerReward, reserved: bobBefore.reserved })
    expect((await sendOn(challengeTx(slot, evidence), bob)).error).toBe('nsnDirector.EvidenceAlreadyUsed')
    // the same offence with the pieces swapped is not punished twice
    const swapped = { AttestationEquivocation: { first: encodeSignedAttestation(b), second: encodeSignedAttestation(a) } }
    expect((await sendOn(challengeTx(slot, swapped), bob)).error).toBe('nsnDirector.EvidenceAlreadyUsed')
    expect(await stake(offender)).toBe(stakeBefore - slash)
  })

  it('should slash a leader that signed two different headers for one sequence', async () => {
    const slot = 3n
    const { leader } = roles(slot)
    const first = await header(leader, slot, 0n, 'init', 'init A')
    const second = await header(leader, slot, 0n, 'init', 'init B')
    const before = await stake(leader)
    const sent = await sendOn(challengeTx(slot, { SegmentEquivocation: { first: encodeSignedSegmentHeader(first), second: encodeSignedSegmentHeader(second) } }), t.k.Charlie)
    expect(sent.error).toBeNull()
    expect(sent.names).toContain('nsnDirector.ChallengeUpheld')
    expect(await stake(leader)).toBe(before - (before < K.directorSlashAmount ? before : K.directorSlashAmount))
  })
})
