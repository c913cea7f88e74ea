// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnBft on a bare runtime, hooks called directly: failed rounds when a certificate window closes,
 * statistics averaged over successful rounds only, bounded pruning, and `validate_unsigned`'s tag.
 */
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WIRE_VERSION, blake2b256, encodeCertificate, memorySessionSigner, signAttestation } from '../../core/wire/index.ts'
import { dispatchCall } from '../dispatch.ts'
import { devDirectors, devGenesis } from '../genesis.ts'
import { runOnFinalize, runOnInitialize } from '../hooks.ts'
import { BFT_CONSTANTS as K } from '../metadata/pallets/nsn-bft.ts'
import { DevRuntime, InvalidTransactionError } from '../runtime.ts'
import { nsnBftHooks } from './nsn-bft.ts'
import { DIRECTOR_CONSTANTS } from '../metadata/pallets/nsn-director.ts'
import { balanceOf } from './currency.ts'
import { committeeOf } from './nsn-director.ts'
import { slashStake } from './nsn-stake.ts'
import type { DevDirector } from './nsn-director.ts'
import type { CallArg } from './origin.ts'
import type { EventToEmit } from '../runtime.ts'
import type { StateOverlay } from '../state.ts'
import type { Call } from '@polkadot/types/interfaces'

let rt: DevRuntime
let view: StateOverlay
let directors: DevDirector[]

function block (n: number): EventToEmit[] {
  rt.write(view, n, 'system', 'number')
  rt.write(view, new Uint8Array(32).fill(n % 251), 'system', 'parentHash')
  return [...runOnInitialize(rt, view, n), ...runOnFinalize(rt, view, n)]
}
const run = (from: number, to: number): EventToEmit[] => {
  const out: EventToEmit[] = []
  for (let n = from; n <= to; n++) out.push(...block(n))
  return out
}
const stats = (): unknown => rt.read<{ toJSON(): unknown }>(view, 'nsnBft', 'consensusRoundStats').toJSON()
const has = (method: string, slot: bigint): boolean => view.get(rt.key('nsnBft', method, slot)) != null

/** A certificate call for `slot` by its epoch committee: leader committee[slot mod 5], the next `count` members attesting. */
async function certificateCall (slot: bigint, count = 3): Promise<Call> {
  const c = committeeOf(rt, view, slot / 6n)
  const secret = (who: string): Uint8Array => (directors.find(d => d.address === who) as DevDirector).sessionSecret
  const at = (k: number): string => c[(Number(slot % 5n) + k) % 5] as string
  const root = blake2b256(new TextEncoder().encode(`slot ${slot}`))
  const leader = memorySessionSigner(secret(at(0))).publicKey
  const attestations = await Promise.all(Array.from({ length: count }, (_, i) => {
    const s = memorySessionSigner(secret(at(i + 1)))
    return signAttestation({ version: WIRE_VERSION, channel: 'main', slot, contentRoot: root, leader, verdict: 'accept', scores: [], attester: s.publicKey }, s)
  }))
  const bytes = encodeCertificate({ channel: 'main', slot, contentRoot: root, leader, attestations })
  const type = rt.registry.findMetaCall(new Uint8Array([53, 0])).meta.args[0]!.type.toString()
  return (rt.tx['nsnBft'] as unknown as Record<string, (a: unknown) => Call>)['submitCertificate']!(rt.registry.createType(type, bytes))
}

beforeAll(async () => {
  await cryptoWaitReady()
  rt = new DevRuntime()
  directors = await devDirectors()
})

beforeEach(async () => {
  view = (await devGenesis(rt)).overlay()
})

describe('NsnBft rounds', () => {
  it('should provide one tag per slot to the pool and refuse calls it does not know', async () => {
    block(1)
    const call = await certificateCall(2n)
    expect(nsnBftHooks.validateUnsigned?.(rt, view, 'submitCertificate', call.args as unknown as CallArg[])).toEqual({ provides: 'nsnBft/certificate/2', priority: 100 })
    expect(() => nsnBftHooks.validateUnsigned?.(rt, view, 'somethingElse', [])).toThrow(InvalidTransactionError)
    // only unsigned: a signed origin is BadOrigin
    expect(() => dispatchCall(rt, view, call, directors[0]!.address)).toThrow(/BadOrigin/)
  })

  it('should stop counting a member\'s signatures once it is slashed below MinStakeDirector', async () => {
    block(1)
    const call = await certificateCall(2n)
    const attester = committeeOf(rt, view, 0n)[3] as string
    slashStake(rt, view, attester, 1n, 'BftFailure')
    expect(() => dispatchCall(rt, view, call, { none: true })).toThrow(/NsnBft.NotCommitteeMember/)
    expect(() => nsnBftHooks.validateUnsigned?.(rt, view, 'submitCertificate', call.args as unknown as CallArg[])).toThrow(/bad signature/)
  })

  it('should record a failed round when a window closes uncertified and average successful rounds only (weakness 10)', async () => {
    const failed = run(1, K.certificateWindowBlocks + 1)
    expect(failed.filter(e => e.name === 'ConsensusStored')).toEqual([{ pallet: 'NsnBft', name: 'ConsensusStored', data: [0n, new Uint8Array(32), false] }])
    expect(stats()).toEqual({ totalRounds: 1, successfulRounds: 0, failedRounds: 1, averageDirectorsAgreeing: 0 })
    const events = dispatchCall(rt, view, await certificateCall(7n), { none: true })
    expect(events.map(e => `${e.pallet}.${e.name}`)).toContain('NsnBft.CertificateAccepted')
    const four = dispatchCall(rt, view, await certificateCall(8n, 4), { none: true })
    expect(four.map(e => `${e.pallet}.${e.name}`)).toContain('NsnBft.CertificateAccepted')
    // (3 + 4) / 2 successful rounds, the failed one not counted: 350, not 233
    expect(stats()).toEqual({ totalRounds: 3, successfulRounds: 2, failedRounds: 1, averageDirectorsAgreeing: 350 })
    // a certified slot's window closing records nothing more
    run(K.certificateWindowBlocks + 2, 8 * 10 + K.certificateWindowBlocks + 1)
    expect(has('consensusRounds', 7n)).toBe(true)
    expect((stats() as { successfulRounds: number }).successfulRounds).toBe(2)
  })

  it('should finalize a certificate at once and prune old slots in order, a bounded number per block (weakness 6, weakness 10)', async () => {
    block(1)
    dispatchCall(rt, view, await certificateCall(2n), { none: true })
    expect(has('certificates', 2n)).toBe(true)
    expect(has('embeddingsHashes', 2n)).toBe(true)
    rt.write(view, 40, 'nsnBft', 'retentionPeriod')
    run(2, 99)
    // slots before min((99 - 40), (99 - 61)) / 10 = 3 are gone (failed 0, 1; certified 2); the failed round of 3 stays
    expect(has('certificates', 2n)).toBe(false)
    expect(has('consensusRounds', 2n)).toBe(false)
    expect(has('consensusRounds', 0n)).toBe(false)
    expect(has('consensusRounds', 3n)).toBe(true)
    expect(rt.read<{ toBigInt(): bigint }>(view, 'nsnBft', 'pruneCursor').toBigInt()).toBe(3n)
    // far behind: at most MaxPrunePerBlock slots per block
    rt.write(view, 0n, 'nsnBft', 'pruneCursor')
    rt.write(view, 1, 'nsnBft', 'retentionPeriod')
    block(10_000)
    expect(rt.read<{ toBigInt(): bigint }>(view, 'nsnBft', 'pruneCursor').toBigInt()).toBe(BigInt(K.maxPrunePerBlock))
  })
})

describe('NsnDirector semantic disputes (on certified slots)', () => {
  const dir = (): Record<string, (...args: unknown[]) => Call> => rt.tx['nsnDirector'] as unknown as Record<string, (...args: unknown[]) => Call>
  const names = (events: EventToEmit[]): string[] => events.map(e => `${e.pallet}.${e.name}`)
  let alice: string

  beforeAll(() => {
    alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice').address
  })

  it('should let only the members who did not certify vote, and uphold with their majority', async () => {
    block(1)
    dispatchCall(rt, view, await certificateCall(2n), { none: true })
    const c = committeeOf(rt, view, 0n)
    const opened = dispatchCall(rt, view, dir()['openDispute']!(2n), alice)
    expect(opened.at(-1)).toEqual({ pallet: 'NsnDirector', name: 'DisputeOpened', data: [2n, alice, [c[1]]] })
    expect(balanceOf(rt, view, alice).reserved).toBe(DIRECTOR_CONSTANTS.disputeBond)
    expect(() => dispatchCall(rt, view, dir()['openDispute']!(2n), alice)).toThrow(/DisputeExists/)
    expect(() => dispatchCall(rt, view, dir()['voteDispute']!(2n, true), c[3] as string)).toThrow(/NotDisputeVoter/)
    const voted = dispatchCall(rt, view, dir()['voteDispute']!(2n, true), c[1] as string)
    expect(names(voted)).toEqual(expect.arrayContaining(['NsnDirector.DisputeVoted', 'NsnDirector.DisputeUpheld']))
    expect(voted.filter(e => e.name === 'ReputationRecorded').map(e => e.data[0])).toEqual([c[2], c[3], c[4], c[0]])
    expect(balanceOf(rt, view, alice).reserved).toBe(0n)
    expect(() => dispatchCall(rt, view, dir()['voteDispute']!(2n, false), c[1] as string)).toThrow(/DisputeClosed/)
  })

  it('should reject an undecided dispute at its deadline and burn the bond', async () => {
    block(1)
    dispatchCall(rt, view, await certificateCall(2n), { none: true })
    dispatchCall(rt, view, dir()['openDispute']!(2n), alice)
    const issuance = rt.read<{ toBigInt(): bigint }>(view, 'balances', 'totalIssuance').toBigInt()
    const events = run(2, 1 + DIRECTOR_CONSTANTS.disputeVotingBlocks)
    expect(events.filter(e => e.name === 'DisputeRejected')).toEqual([{ pallet: 'NsnDirector', name: 'DisputeRejected', data: [2n, alice] }])
    expect(balanceOf(rt, view, alice).reserved).toBe(0n)
    expect(rt.read<{ toBigInt(): bigint }>(view, 'balances', 'totalIssuance').toBigInt()).toBe(issuance - DIRECTOR_CONSTANTS.disputeBond)
    // nor can a slot without a certificate
    expect(() => dispatchCall(rt, view, dir()['openDispute']!(3n), alice)).toThrow(/SlotNotCertified/)
  })
})
