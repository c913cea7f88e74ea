// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnDirector on a bare runtime: the dev genesis, elections across epochs (cooldown, region cap,
 * stake and session-key filters) and slot-leader rotation, driven by calling the hooks directly.
 */
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { devGenesis } from '../genesis.ts'
import { runOnFinalize, runOnInitialize } from '../hooks.ts'
import { BLOCKS_PER_EPOCH } from '../metadata/pallets/timing.ts'
import { DevRuntime } from '../runtime.ts'
import { RANDOMNESS_SOURCE } from '../metadata/pallets/nsn-director.ts'
import { committeeOf, currentEpoch, devDirectors, electCommittee, electionSeed, isqrt, slotLeader, slotLeaders } from './nsn-director.ts'
import { stakeOf } from './nsn-stake.ts'
import type { DevDirector } from './nsn-director.ts'
import type { EventToEmit } from '../runtime.ts'
import type { StateOverlay } from '../state.ts'

let rt: DevRuntime
let view: StateOverlay
let directors: DevDirector[]

/** Runs on_initialize and on_finalize of block `n` with a parent hash derived from `n`. */
function block (n: number): EventToEmit[] {
  rt.write(view, n, 'system', 'number')
  rt.write(view, new Uint8Array(32).fill(n % 251), 'system', 'parentHash')
  return [...runOnInitialize(rt, view, n), ...runOnFinalize(rt, view, n)]
}
const names = (events: EventToEmit[]): string[] => events.map(e => `${e.pallet}.${e.name}`)
const regionOf = (who: string): string => stakeOf(rt, view, who).region

beforeAll(async () => {
  await cryptoWaitReady()
  rt = new DevRuntime()
  directors = await devDirectors()
})

beforeEach(async () => {
  view = (await devGenesis(rt)).overlay()
})

describe('NsnDirector elections', () => {
  it('should compute isqrt exactly', () => {
    expect([0n, 1n, 2n, 3n, 4n, 99n, 100n, 101n, 10n ** 18n].map(isqrt)).toEqual([0n, 1n, 1n, 1n, 2n, 9n, 10n, 10n, 10n ** 9n])
  })

  it('should elect epoch 0 at genesis: 5 distinct candidates, at most 2 per region', () => {
    const c = committeeOf(rt, view, 0n)
    expect(c).toHaveLength(5)
    expect(new Set(c).size).toBe(5)
    for (const who of c) expect(directors.map(d => d.address)).toContain(who)
    const perRegion = new Map<string, number>()
    for (const who of c) perRegion.set(regionOf(who), (perRegion.get(regionOf(who)) ?? 0) + 1)
    expect(Math.max(...perRegion.values())).toBeLessThanOrEqual(2)
    expect(currentEpoch(rt, view)).toEqual({ id: 0n, startBlock: 0, endBlock: 59, directors: c })
  })

  it('should run the On-Deck election at block 40 and the transition at block 60, never short with 6 candidates', () => {
    for (let n = 1; n < 40; n++) expect(names(block(n)).filter(x => x.startsWith('NsnDirector'))).toEqual([])
    const onDeck = names(block(40))
    expect(onDeck).toEqual(expect.arrayContaining(['NsnDirector.DirectorsElected', 'NsnDirector.OnDeckElection']))
    expect(committeeOf(rt, view, 1n)).toHaveLength(5)
    for (let n = 41; n < 60; n++) block(n)
    const t = names(block(60))
    expect(t).toEqual(expect.arrayContaining(['NsnDirector.EpochCompleted', 'NsnDirector.EpochStarted']))
    expect(currentEpoch(rt, view)?.id).toBe(1n)
  })

  it('should elect once per epoch, and rotate every slot\'s leader through that one committee (weakness 1)', () => {
    const electedAt: number[] = []
    for (let n = 1; n <= 2 * BLOCKS_PER_EPOCH; n++) if (block(n).some(e => e.name === 'DirectorsElected')) electedAt.push(n)
    expect(electedAt).toEqual([40, 100])
    const c1 = committeeOf(rt, view, 1n)
    expect([6n, 7n, 8n, 9n, 10n, 11n].map(s => slotLeader(rt, view, s))).toEqual([c1[1], c1[2], c1[3], c1[4], c1[0], c1[1]])
  })

  it('should rotate slot leaders through the committee', () => {
    const c = committeeOf(rt, view, 0n)
    expect([0n, 1n, 2n, 3n, 4n, 5n].map(s => slotLeader(rt, view, s))).toEqual([c[0], c[1], c[2], c[3], c[4], c[0]])
    expect(slotLeaders(rt, view, 2n)).toEqual([c[2], c[3], c[4], c[0], c[1]])
    expect(slotLeader(rt, view, 6n)).toBeUndefined()
  })

  it('should derive the election seed from the parent hash and the epoch, documented as not a VRF (weakness 3)', () => {
    expect(RANDOMNESS_SOURCE).toMatch(/NOT a VRF/)
    const a = electionSeed(new Uint8Array(32), 1n)
    expect(a).not.toEqual(electionSeed(new Uint8Array(32), 2n))
    expect(a).not.toEqual(electionSeed(new Uint8Array(32).fill(1), 1n))
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7].map(i => electCommittee(rt, view, 5n, electionSeed(new Uint8Array(32).fill(i), 5n)).committee.join())
    expect(new Set(seeds).size).toBeGreaterThan(1)
  })

  it('should run across epochs', () => {
    for (let n = 1; n <= BLOCKS_PER_EPOCH * 4; n++) block(n)
    for (const e of [0n, 1n, 2n, 3n, 4n]) expect(committeeOf(rt, view, e)).toHaveLength(5)
  })
})
