// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTaskMarket slot scheduling and settlement on a bare runtime, with NsnDirector's `slotLeader`
 * replaced by a fake (the integration tests use the real one).
 */
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { dispatchCall } from '../dispatch.ts'
import { devGenesis } from '../genesis.ts'
import { NSN } from '../metadata/pallets/nsn-stake.ts'
import { TASK_MARKET_CONSTANTS as K, TREASURY_PALLET_ID } from '../metadata/pallets/nsn-task-market.ts'
import { DevRuntime } from '../runtime.ts'
import { balanceOf, palletAccount } from './currency.ts'
import { escrowSplit, nsnTaskMarketHooks, settleLane0Task, taskOf } from './nsn-task-market.ts'
import type * as Director from './nsn-director.ts'
import type { StateOverlay } from '../state.ts'
import type { EventToEmit } from '../runtime.ts'
import type { Call } from '@polkadot/types/interfaces'

const leader = vi.hoisted(() => ({ fn: (_slot: bigint): string | undefined => undefined }))
vi.mock('./nsn-director.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof Director>()),
  slotLeader: (_rt: unknown, _view: unknown, slot: bigint) => leader.fn(slot)
}))

let rt: DevRuntime
let view: StateOverlay
let alice: string
let bob: string
let charlie: string

const tm = (): Record<string, (...args: unknown[]) => Call> => rt.tx['nsnTaskMarket'] as unknown as Record<string, (...args: unknown[]) => Call>
const call = (c: Call, who: string): EventToEmit[] => dispatchCall(rt, view, c, who)
const names = (events: EventToEmit[]): string[] => events.map(e => `${e.pallet}.${e.name}`)
/** Runs the pallet's on_initialize for block `n` (after setting `System.Number`). */
function block (n: number): EventToEmit[] {
  rt.write(view, n, 'system', 'number')
  return nsnTaskMarketHooks.onInitialize?.(rt, view, n) ?? []
}
const slotTask = (slot: bigint): bigint | null => (view.get(rt.key('nsnTaskMarket', 'slotTasks', slot)) == null ? null : rt.read<{ toBigInt(): bigint }>(view, 'nsnTaskMarket', 'slotTasks', slot).toBigInt())
const queue = (): bigint[] => [...rt.read<Iterable<{ toBigInt(): bigint }>>(view, 'nsnTaskMarket', 'openLane0Tasks')].map(x => x.toBigInt())
const issuance = (): bigint => rt.read<{ toBigInt(): bigint }>(view, 'balances', 'totalIssuance').toBigInt()
const recipe = (n: number): string => `0x${n.toString(16).padStart(2, '0').repeat(32)}`

beforeAll(async () => {
  await cryptoWaitReady()
  rt = new DevRuntime()
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  ;[alice, bob, charlie] = ['Alice', 'Bob', 'Charlie'].map(n => keyring.addFromUri(`//${n}`).address) as [string, string, string]
})

beforeEach(async () => {
  view = (await devGenesis(rt)).overlay()
  leader.fn = () => undefined
  block(1)
})

describe('NsnTaskMarket slots', () => {
  it('should give each slot start the oldest open recipe, for the slot two ahead, and leave the queue without a leader', () => {
    for (const n of [1, 2, 3]) call(tm()['submitRecipe']!(recipe(n), NSN), alice)
    expect(queue()).toEqual([0n, 1n, 2n])
    expect(names(block(10))).toEqual([])
    expect(queue()).toEqual([0n, 1n, 2n])
    leader.fn = (slot) => (slot % 2n === 0n ? bob : charlie)
    const events = block(20)
    expect(events).toEqual([{ pallet: 'NsnTaskMarket', name: 'RecipeScheduled', data: [4n, 0n, bob] }])
    expect(slotTask(4n)).toBe(0n)
    expect(taskOf(rt, view, 0n)).toMatchObject({ status: 'Assigned', executor: bob, inputCid: recipe(1) })
    expect(names(block(21))).toEqual([])
    block(30)
    expect(slotTask(5n)).toBe(1n)
    expect(taskOf(rt, view, 1n)).toMatchObject({ status: 'Assigned', executor: charlie })
    expect(queue()).toEqual([2n])
  })

  it('should leave a scheduled recipe to its slot: no cancellation, no expiry by the deadline index', () => {
    call(tm()['createTaskIntent']!('Lane0', 'High', 'nsn-lane0-v2', recipe(7), 0, 12, NSN), alice)
    leader.fn = () => bob
    block(10)
    expect(slotTask(3n)).toBe(0n)
    expect(() => call(tm()['failTask']!(0, 'Cancelled'), alice)).toThrow('NsnTaskMarket.Lane0ScheduledBySlot')
    expect(() => call(tm()['submitResult']!(0, 'out', null), bob)).toThrow('NsnTaskMarket.Lane0ScheduledBySlot')
    // its deadline (block 13) passes while the slot is out: the slot settles it
    for (const n of [11, 12, 13, 14]) expect(block(n)).toEqual([])
    expect(taskOf(rt, view, 0n)).toMatchObject({ status: 'Assigned', executor: bob })
    expect(names(settleLane0Task(rt, view, 3n, false))).toEqual(['Balances.Unreserved', 'NsnTaskMarket.TaskExpired', 'NsnTaskMarket.RecipeSettled'])
  })

  it('should pay a certified slot 70/20/10 out of the reserved escrow', () => {
    const escrow = 1_000_000_000_007n
    call(tm()['submitRecipe']!(recipe(9), escrow), alice)
    leader.fn = () => bob
    block(10)
    const [a0, b0, t0, i0] = [balanceOf(rt, view, alice), balanceOf(rt, view, bob), balanceOf(rt, view, palletAccount(TREASURY_PALLET_ID)), issuance()]
    const split = escrowSplit(escrow)
    expect(split).toEqual({ executor: 700_000_000_004n, treasury: 200_000_000_001n, burned: 100_000_000_002n })
    const events = settleLane0Task(rt, view, 3n, true)
    expect(names(events)).toEqual(expect.arrayContaining(['Balances.ReserveRepatriated', 'Balances.Slashed', 'NsnTaskMarket.TaskVerified', 'NsnTaskMarket.RecipeSettled', 'NsnReputation.ReputationRecorded']))
    expect(balanceOf(rt, view, alice)).toEqual({ free: a0.free, reserved: a0.reserved - escrow })
    expect(balanceOf(rt, view, bob).free).toBe(b0.free + split.executor)
    expect(balanceOf(rt, view, palletAccount(TREASURY_PALLET_ID)).free).toBe(t0.free + split.treasury)
    expect(issuance()).toBe(i0 - split.burned)
    expect(taskOf(rt, view, 0n)?.status).toBe('Verified')
    // a second settlement of the same slot changes nothing
    expect(settleLane0Task(rt, view, 3n, true)).toEqual([])
    expect(settleLane0Task(rt, view, 3n, false)).toEqual([])
  })

  it('should return an uncertified recipe to the queue in age order, then refund it past its deadline', () => {
    for (const n of [1, 2]) call(tm()['submitRecipe']!(recipe(n), NSN), alice)
    leader.fn = () => bob
    block(10)
    block(20)
    expect([slotTask(3n), slotTask(4n)]).toEqual([0n, 1n])
    call(tm()['submitRecipe']!(recipe(3), NSN), alice)
    expect(queue()).toEqual([2n])
    // slot 3 is settled uncertified by the hook at the first block of slot 5; slot 5 takes task 0 again
    leader.fn = () => charlie
    const events = block(50)
    expect(events.filter(e => e.pallet === 'NsnTaskMarket')).toEqual([
      { pallet: 'NsnTaskMarket', name: 'RecipeSettled', data: [3n, 0n, false] },
      { pallet: 'NsnTaskMarket', name: 'RecipeScheduled', data: [7n, 0n, charlie] }
    ])
    expect(slotTask(3n)).toBeNull()
    // task 1 comes back before the younger task 2
    expect(settleLane0Task(rt, view, 4n, false).map(e => e.name)).toEqual(['RecipeSettled'])
    expect(queue()).toEqual([1n, 2n])
    // past the deadline an uncertified recipe is refunded
    const reserved = balanceOf(rt, view, alice).reserved
    block(K.recipeLifetimeBlocks + 11)
    expect(names(settleLane0Task(rt, view, 7n, false))).toEqual(['Balances.Unreserved', 'NsnTaskMarket.TaskExpired', 'NsnTaskMarket.RecipeSettled'])
    expect(taskOf(rt, view, 0n)?.status).toBe('Expired')
    expect(balanceOf(rt, view, alice).reserved).toBe(reserved - NSN)
  })
})
