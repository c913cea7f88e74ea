// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTaskMarket (index 56) on the dev chain through an unmodified `ApiPromise`: Lane 0 recipes
 * (`submit_recipe`) with reserved escrow in a first-come queue, taken by slots for their leaders and
 * settled by the slot outcome; the Lane 1 claim / submit / attest flow paying 70/20/10; bad input
 * rejected with the pallet's errors and no state change; and the fixes for weaknesses 19-22 of
 * `reference/nsn-chain.md` section 13 (tests named after the weakness number). Blocks are built on
 * demand only. Two chains: Lane 1 work never crosses a slot start with recipes queued, so it does not
 * depend on NsnDirector's `slotLeader`; the recipe chain does.
 */
import { stringToU8a, u8aToHex } from '@polkadot/util'
import { blake2AsU8a } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NSN } from '../../src/devchain/metadata/pallets/nsn-stake.ts'
import { LANE0_RENDERER_ID, TASK_MARKET_CONSTANTS as K, TREASURY_PALLET_ID } from '../../src/devchain/metadata/pallets/nsn-task-market.ts'
import { BLOCKS_PER_SLOT } from '../../src/devchain/metadata/pallets/timing.ts'
import { palletAccount, U128_MAX } from '../../src/devchain/pallets/currency.ts'
import { slotLeader } from '../../src/devchain/pallets/nsn-director.ts'
import { escrowSplit } from '../../src/devchain/pallets/nsn-task-market.ts'
import { feePaid, startApiChain } from '../utils/devchain-api.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { EventRecord } from '@polkadot/types/interfaces'

/** Signs and submits `tx` on `t`, builds one block, and resolves with its finalized outcome. */
const sendOn = async (t: ApiChain, tx: Tx, signer: KeyringPair): Promise<Sent> => await t.sendInBlock(tx, signer)

interface TaskView { lane: string, status: string, requester: string, executor: string | null, escrow: bigint, deadline: number, modelRequirements: string, inputCid: string }

async function taskOn (t: ApiChain, id: bigint): Promise<TaskView | null> {
  const o = await t.query('nsnTaskMarket')['tasks']!(id)
  if (o.isNone === true) return null
  const x = o.unwrap()
  return {
    lane: x.lane.type,
    status: x.status.type,
    requester: x.requester.toString(),
    executor: x.executor.isSome === true ? x.executor.unwrap().toString() : null,
    escrow: x.escrow.toBigInt(),
    deadline: x.deadline.toNumber(),
    modelRequirements: x.modelRequirements.toUtf8(),
    inputCid: x.inputCid.toHex()
  }
}

const idsOn = async (t: ApiChain, method: string): Promise<bigint[]> => [...await t.query('nsnTaskMarket')[method]!()].map((x: { toBigInt(): bigint }) => x.toBigInt())
const issuanceOn = async (t: ApiChain): Promise<bigint> => (await t.api.query.balances.totalIssuance()).toBigInt()

/** `section.Method` and the JSON data of every event of block `n`. */
async function eventsAt (t: ApiChain, n: number): Promise<Array<{ name: string, data: unknown[] }>> {
  const hash = await t.api.rpc.chain.getBlockHash(n)
  const records = (await t.api.query.system.events.at(hash)) as unknown as EventRecord[]
  return records.map(r => ({ name: `${r.event.section}.${r.event.method}`, data: r.event.data.toJSON() as unknown[] }))
}

/** The first event `name` of `sent` with its data as JSON. */
function eventData (sent: Sent, name: string): unknown[] {
  const record = sent.events.find(r => `${r.event.section}.${r.event.method}` === name)
  if (record == null) throw new Error(`no ${name} in ${sent.names.join(', ')}`)
  return record.event.data.toJSON() as unknown[]
}

const recipeHash = (json: string): string => u8aToHex(blake2AsU8a(stringToU8a(json), 256))
const TREASURY = palletAccount(TREASURY_PALLET_ID)

describe('NsnTaskMarket Lane 1 and the market rules on the dev chain', () => {
  let t: ApiChain
  let exec: KeyringPair
  let exec2: KeyringPair
  let val1: KeyringPair
  let val2: KeyringPair
  const send = async (tx: Tx, signer: KeyringPair): Promise<Sent> => await sendOn(t, tx, signer)
  const sudo = async (call: Tx): Promise<Sent> => await sendOn(t, t.api.tx.sudo.sudo(call), t.k.Alice)
  const tm = (): ReturnType<ApiChain['tx']> => t.tx('nsnTaskMarket')
  const task = async (id: bigint): Promise<TaskView | null> => await taskOn(t, id)
  const stake = async (who: string): Promise<bigint> => (await t.query('nsnStake')['stakes']!(who)).amount.toBigInt()

  /** Creates a Lane 1 task for the `gpu-small` renderer (as Dave unless `requester` says otherwise) and returns its id. */
  async function lane1Task (escrow: bigint, deadlineBlocks = 500, priority = 'Normal', requester: KeyringPair = t.k.Dave): Promise<bigint> {
    const sent = await send(tm()['createTaskIntent']!('Lane1', priority, 'gpu-small', 'bafy-input', 1_000, deadlineBlocks, escrow), requester)
    expect(sent.error).toBeNull()
    return BigInt(eventData(sent, 'nsnTaskMarket.TaskCreated')[0] as number)
  }

  /** Builds blocks until the next block is the second of a slot, so ~8 blocks pass before the next slot start. */
  async function toSlotStart (): Promise<void> {
    const head = await t.head()
    await t.newBlocks((BLOCKS_PER_SLOT - (head % BLOCKS_PER_SLOT)) % BLOCKS_PER_SLOT + 1)
  }

  beforeAll(async () => {
    t = await startApiChain({ blockTimeMs: 3_600_000 })
    const fund = async (uri: string, amount: bigint): Promise<KeyringPair> => {
      const pair = t.keyring.addFromUri(uri)
      expect((await send(t.api.tx.balances.transferKeepAlive(pair.address, amount), t.k.Alice)).error).toBeNull()
      return pair
    }
    ;[exec, exec2, val1, val2] = [await fund('//TmExec', 1_000n * NSN), await fund('//TmExec2', 1_000n * NSN), await fund('//TmVal1', 100n * NSN), await fund('//TmVal2', 100n * NSN)]
    const st = t.tx('nsnStake')
    // regions the dev genesis directors do not use, so the 20 % region cap never bites
    expect((await send(st['depositStake']!(150n * NSN, 0, 'NaEast'), exec)).error).toBeNull()
    expect((await send(st['depositStake']!(150n * NSN, 0, 'EuEast'), exec2)).error).toBeNull()
    expect((await send(st['depositStake']!(10n * NSN, 0, 'Latam'), val1)).error).toBeNull()
    expect((await send(st['depositStake']!(10n * NSN, 0, 'Mena'), val2)).error).toBeNull()
  }, 60_000)

  afterAll(async () => { await t?.stop() })

  it('should expose the pallet at index 56 with the reference constants and the built-in Lane 0 renderer', async () => {
    const consts = t.api.consts['nsnTaskMarket'] as unknown as Record<string, { toString(): string, toUtf8?(): string }>
    expect(consts['minEscrow']!.toString()).toBe((NSN / 10n).toString())
    expect(consts['verificationPeriod']!.toString()).toBe('100')
    expect(consts['minAttestationScore']!.toString()).toBe('70')
    expect(consts['lane0RendererId']!.toUtf8!()).toBe(LANE0_RENDERER_ID)
    expect(tm()['submitRecipe']!(new Uint8Array(32), NSN).method.callIndex).toEqual(new Uint8Array([56, 9]))
    expect(tm()['finalizeTask']!(0).method.callIndex).toEqual(new Uint8Array([56, 8]))
    const registry = (await t.query('nsnTaskMarket')['rendererRegistry']!()).toJSON() as Record<string, { lane: string, deterministic: boolean }>
    expect(Object.values(registry)).toEqual([expect.objectContaining({ lane: 'Lane0', deterministic: true })])
    expect(Object.keys(registry)).toEqual([u8aToHex(stringToU8a(LANE0_RENDERER_ID))])
  })

  it('should run a Lane 1 task from claim to attestation and pay 70/20/10 out of the reserved escrow', async () => {
    const reg = await sudo(tm()['registerRenderer']!('gpu-small', 'Lane1', false, 60_000, 8_000))
    expect(reg.error).toBeNull()
    expect(reg.names).toContain('nsnTaskMarket.RendererRegistered')
    const dave = t.k.Dave.address
    const escrow = 3n * NSN + 7n
    const reservedBefore = (await t.balance(dave)).reserved
    const id = await lane1Task(escrow)
    expect((await t.balance(dave)).reserved).toBe(reservedBefore + escrow)
    expect(await idsOn(t, 'openLane1Tasks')).toContain(id)
    const claim = await send(tm()['acceptAssignment']!(id), exec)
    expect(claim.error).toBeNull()
    expect(eventData(claim, 'nsnTaskMarket.TaskAssigned')).toEqual([Number(id), exec.address])
    expect(await task(id)).toMatchObject({ status: 'Assigned', executor: exec.address })
    expect(await idsOn(t, 'openLane1Tasks')).not.toContain(id)
    expect(await idsOn(t, 'assignedLane1Tasks')).toContain(id)
    expect((await send(tm()['startTask']!(id), exec2)).error).toBe('nsnTaskMarket.NotExecutor')
    expect((await send(tm()['startTask']!(id), exec)).names).toContain('nsnTaskMarket.TaskStarted')
    const submitted = await send(tm()['submitResult']!(id, 'bafy-output', null), exec)
    expect(submitted.error).toBeNull()
    expect(eventData(submitted, 'nsnTaskMarket.TaskSubmitted')).toEqual([Number(id), exec.address, u8aToHex(stringToU8a('bafy-output')), null, submitted.block + 100, 2])
    expect(await idsOn(t, 'pendingVerificationTasks')).toEqual([id])
    expect(await idsOn(t, 'assignedLane1Tasks')).not.toContain(id)
    expect((await send(tm()['finalizeTask']!(id), t.k.Ferdie)).error).toBe('nsnTaskMarket.VerificationPending')
    expect((await send(tm()['submitAttestation']!(id, 80, null), val1)).names).toContain('nsnTaskMarket.AttestationSubmitted')
    expect(await task(id)).toMatchObject({ status: 'PendingVerification' })
    const [execFree, treasuryFree, daveBalance, issuance] = [(await t.balance(exec.address)).free, (await t.balance(TREASURY)).free, await t.balance(dave), await issuanceOn(t)]
    const last = await send(tm()['submitAttestation']!(id, 65, 'bafy-att'), val2)
    expect(last.error).toBeNull()
    const split = escrowSplit(escrow)
    expect(split.executor + split.treasury + split.burned).toBe(escrow)
    expect(split.executor).toBe(escrow * 70n / 100n)
    expect(eventData(last, 'nsnTaskMarket.TaskVerified')).toEqual([Number(id), exec.address, Number(split.executor), 72])
    expect(await task(id)).toMatchObject({ status: 'Verified' })
    expect((await t.balance(exec.address)).free).toBe(execFree + split.executor)
    expect((await t.balance(TREASURY)).free).toBe(treasuryFree + split.treasury)
    expect(await t.balance(dave)).toEqual({ free: daveBalance.free, reserved: daveBalance.reserved - escrow })
    expect(await issuanceOn(t)).toBe(issuance - split.burned - feePaid(last))
    expect(await idsOn(t, 'pendingVerificationTasks')).toEqual([])
    expect((await t.query('nsnTaskMarket')['attestations']!(id)).length).toBe(0)
    expect(last.names).toContain('nsnReputation.ReputationRecorded')
  })

  it('should reject a low-scored result, refund the escrow and slash the executor for the verification outcome', async () => {
    const id = await lane1Task(NSN)
    expect((await send(tm()['acceptAssignment']!(id), exec2)).error).toBeNull()
    expect((await send(tm()['submitResult']!(id, 'bafy-bad', null), exec2)).error).toBeNull()
    const [staked, dave] = [await stake(exec2.address), await t.balance(t.k.Dave.address)]
    expect((await send(tm()['submitAttestation']!(id, 40, null), val1)).error).toBeNull()
    const last = await send(tm()['submitAttestation']!(id, 50, null), val2)
    expect(eventData(last, 'nsnTaskMarket.TaskRejected')).toEqual([Number(id), exec2.address, 45, false])
    expect(await stake(exec2.address)).toBe(staked - K.verificationFailureSlash)
    expect(await t.balance(t.k.Dave.address)).toEqual({ free: dave.free + NSN, reserved: dave.reserved - NSN })
    expect(await task(id)).toMatchObject({ status: 'Rejected' })
  })

  it('should let the requester neither blame the executor nor cancel after submit_result (weakness 19)', async () => {
    const dave = t.k.Dave
    const id = await lane1Task(NSN)
    expect((await send(tm()['acceptAssignment']!(id), exec)).error).toBeNull()
    const staked = await stake(exec.address)
    for (const reason of ['ExecutorFailed', 'Preempted', 'DeadlineExceeded']) {
      expect((await send(tm()['failTask']!(id, reason), dave)).error).toBe('nsnTaskMarket.InvalidFailReason')
    }
    expect((await send(tm()['failTask']!(id, 'Cancelled'), t.k.Ferdie)).error).toBe('nsnTaskMarket.NotExecutor')
    expect(await task(id)).toMatchObject({ status: 'Assigned', executor: exec.address })
    expect((await send(tm()['submitResult']!(id, 'bafy-out', null), exec)).error).toBeNull()
    const reserved = (await t.balance(dave.address)).reserved
    expect((await send(tm()['failTask']!(id, 'Cancelled'), dave)).error).toBe('nsnTaskMarket.ResultAlreadySubmitted')
    expect((await send(tm()['failTask']!(id, 'ExecutorFailed'), exec)).error).toBe('nsnTaskMarket.ResultAlreadySubmitted')
    expect((await t.balance(dave.address)).reserved).toBe(reserved)
    expect(await task(id)).toMatchObject({ status: 'Submitted' })
    expect(await stake(exec.address)).toBe(staked)
    // before submission the requester may cancel an assigned task: refunded, nobody slashed
    const other = await lane1Task(NSN)
    expect((await send(tm()['acceptAssignment']!(other), exec)).error).toBeNull()
    const cancelled = await send(tm()['failTask']!(other, 'Cancelled'), dave)
    expect(cancelled.error).toBeNull()
    expect(cancelled.names).toContain('balances.Unreserved')
    expect(cancelled.names).not.toContain('nsnStake.StakeSlashed')
    expect(await stake(exec.address)).toBe(staked)
    expect(await task(other)).toMatchObject({ status: 'Failed' })
    // the executor's own admission of failure is slashed
    const third = await lane1Task(NSN)
    expect((await send(tm()['acceptAssignment']!(third), exec)).error).toBeNull()
    const own = await send(tm()['failTask']!(third, 'ExecutorFailed'), exec)
    expect(own.names).toEqual(expect.arrayContaining(['nsnStake.StakeSlashed', 'nsnTaskMarket.TaskFailed', 'balances.Unreserved']))
    expect(await stake(exec.address)).toBe(staked - K.taskAbandonmentSlash)
  })

  it('should keep Lane 1 claims and starts going while a Lane 0 recipe is open, preempting nobody (weakness 20)', async () => {
    await toSlotStart()
    const recipe = await send(tm()['submitRecipe']!(recipeHash('{"script":"w20"}'), NSN), t.k.Charlie)
    expect(recipe.error).toBeNull()
    const recipeId = BigInt(eventData(recipe, 'nsnTaskMarket.RecipeSubmitted')[0] as number)
    expect(await idsOn(t, 'openLane0Tasks')).toEqual([recipeId])
    // Lane 0 tasks are scheduled by slots, not claimed
    expect((await send(tm()['acceptAssignment']!(recipeId), exec)).error).toBe('nsnTaskMarket.Lane0ScheduledBySlot')
    const id = await lane1Task(NSN)
    const staked = await stake(exec2.address)
    expect((await send(tm()['acceptAssignment']!(id), exec2)).error).toBeNull()
    expect((await send(tm()['startTask']!(id), exec2)).error).toBeNull()
    await t.newBlocks(2)
    expect(await task(id)).toMatchObject({ status: 'Executing', executor: exec2.address })
    expect(await stake(exec2.address)).toBe(staked)
    expect(await idsOn(t, 'openLane0Tasks')).toEqual([recipeId])
    // the recipe leaves before the next slot start takes it
    const cancel = await send(tm()['failTask']!(recipeId, 'Cancelled'), t.k.Charlie)
    expect(cancel.error).toBeNull()
    expect(await idsOn(t, 'openLane0Tasks')).toEqual([])
    expect((await send(tm()['submitResult']!(id, 'bafy-w20', null), exec2)).error).toBeNull()
  })

  it('should bar the requester and the executor from attesting, and not slash an executor whose validators missed the window (weakness 21)', async () => {
    const eve = t.k.Eve
    const id = await lane1Task(NSN, 500, 'Normal', eve)
    expect((await send(tm()['acceptAssignment']!(id), exec)).error).toBeNull()
    const submitted = await send(tm()['submitResult']!(id, 'bafy-w21', null), exec)
    expect(submitted.error).toBeNull()
    // Eve (the requester) stakes to become a validator: still not allowed on her own task
    expect((await send(t.tx('nsnStake')['depositStake']!(10n * NSN, 0, 'Mena'), eve)).error).toBeNull()
    expect((await send(tm()['submitAttestation']!(id, 100, null), eve)).error).toBe('nsnTaskMarket.ConflictOfInterest')
    expect((await send(tm()['submitAttestation']!(id, 100, null), exec)).error).toBe('nsnTaskMarket.ConflictOfInterest')
    expect((await send(tm()['submitAttestation']!(id, 90, null), t.k.Ferdie)).error).toBe('nsnTaskMarket.NotValidator')
    expect((await send(tm()['submitAttestation']!(id, 101, null), val1)).error).toBe('nsnTaskMarket.InvalidAttestationScore')
    expect((await send(tm()['submitAttestation']!(id, 90, null), val1)).error).toBeNull()
    expect((await send(tm()['submitAttestation']!(id, 90, null), val1)).error).toBe('nsnTaskMarket.DuplicateAttestation')
    const reserved = (await t.balance(eve.address)).reserved
    const staked = await stake(exec.address)
    const deadline = submitted.block + K.verificationPeriod
    await t.newBlocks(deadline + 1 - await t.head())
    const events = await eventsAt(t, deadline + 1)
    const rejected = events.find(e => e.name === 'nsnTaskMarket.TaskRejected')
    expect(rejected?.data).toEqual([Number(id), exec.address, 90, true])
    expect(events.map(e => e.name)).not.toContain('nsnStake.StakeSlashed')
    expect(await stake(exec.address)).toBe(staked)
    expect((await t.balance(eve.address)).reserved).toBe(reserved - NSN)
    expect(await task(id)).toMatchObject({ status: 'Rejected' })
    expect((await send(tm()['submitAttestation']!(id, 90, null), val2)).error).toBe('nsnTaskMarket.TaskNotSubmitted')
  })

  it('should expire open and claimed tasks at their deadline with the escrow refunded, and take claims only from eligible non-requesters (weakness 22)', async () => {
    const charlie = t.k.Charlie
    const reserved = (await t.balance(charlie.address)).reserved
    const open = await lane1Task(NSN, 4, 'Low', charlie)
    const claimed = await lane1Task(2n * NSN, 12, 'High', charlie)
    expect((await t.balance(charlie.address)).reserved).toBe(reserved + 3n * NSN)
    // High sorts before Low in the claim queue
    const queue = await idsOn(t, 'openLane1Tasks')
    expect(queue.indexOf(claimed)).toBeLessThan(queue.indexOf(open))
    expect((await send(tm()['acceptAssignment']!(claimed), charlie)).error).toBe('nsnTaskMarket.ConflictOfInterest')
    expect((await send(tm()['acceptAssignment']!(claimed), val1)).error).toBe('nsnTaskMarket.NotEligibleExecutor')
    expect((await send(tm()['acceptAssignment']!(claimed), t.k.Ferdie)).error).toBe('nsnTaskMarket.NotEligibleExecutor')
    expect((await send(tm()['acceptAssignment']!(claimed), exec2)).error).toBeNull()
    expect((await send(tm()['acceptAssignment']!(claimed), exec)).error).toBe('nsnTaskMarket.TaskNotOpen')
    const [openTask, claimedTask] = [await task(open), await task(claimed)]
    const staked = await stake(exec2.address)
    await t.newBlocks((claimedTask as TaskView).deadline - await t.head())
    const atOpen = (await eventsAt(t, (openTask as TaskView).deadline)).map(e => e.name)
    expect(atOpen).toEqual(expect.arrayContaining(['nsnTaskMarket.TaskExpired', 'balances.Unreserved']))
    const atClaimed = await eventsAt(t, (claimedTask as TaskView).deadline)
    expect(atClaimed.find(e => e.name === 'nsnTaskMarket.TaskExpired')?.data).toEqual([Number(claimed)])
    expect(await task(open)).toMatchObject({ status: 'Expired' })
    expect(await task(claimed)).toMatchObject({ status: 'Expired', executor: exec2.address })
    expect((await t.balance(charlie.address)).reserved).toBe(reserved)
    // exec2 claimed it and let it lapse: abandonment
    expect(await stake(exec2.address)).toBe(staked - K.taskAbandonmentSlash)
    expect(await idsOn(t, 'assignedLane1Tasks')).not.toContain(claimed)
    expect(await idsOn(t, 'openLane1Tasks')).not.toContain(open)
    expect((await send(tm()['submitResult']!(claimed, 'late', null), exec2)).error).toBe('nsnTaskMarket.TaskNotAssigned')
  })

  it('should reject bad input with the named error and change nothing', async () => {
    const ferdie = t.k.Ferdie
    const snapshot = async (): Promise<unknown> => [
      await t.balance(ferdie.address).then(b => b.reserved), (await t.query('nsnTaskMarket')['nextTaskId']!()).toBigInt(),
      await idsOn(t, 'openLane0Tasks'), await idsOn(t, 'openLane1Tasks'), (await t.query('nsnTaskMarket')['rendererRegistry']!()).toHex()
    ]
    const before = await snapshot()
    const hash = recipeHash('{"script":"bad"}')
    expect((await send(tm()['submitRecipe']!(hash, K.minEscrow - 1n), ferdie)).error).toBe('nsnTaskMarket.InsufficientEscrow')
    expect((await send(tm()['submitRecipe']!(hash, U128_MAX), ferdie)).error).toBe('nsnTaskMarket.InsufficientBalance')
    // more than u128 cannot even be encoded
    expect(() => tm()['submitRecipe']!(hash, U128_MAX + 1n)).toThrow()
    const create = (renderer: string, lane = 'Lane1', deadline = 10, escrow = NSN, input = 'in'): Tx => tm()['createTaskIntent']!(lane, 'Normal', renderer, input, 0, deadline, escrow)
    expect((await send(create('no-such-renderer'), ferdie)).error).toBe('nsnTaskMarket.RendererNotRegistered')
    expect((await send(create(''), ferdie)).error).toBe('nsnTaskMarket.InvalidRendererId')
    expect((await send(create('gpu-small', 'Lane0'), ferdie)).error).toBe('nsnTaskMarket.RendererLaneMismatch')
    expect((await send(create('gpu-small', 'Lane1', 0), ferdie)).error).toBe('nsnTaskMarket.InvalidDeadline')
    expect((await send(create('gpu-small', 'Lane1', 0xffff_ffff), ferdie)).error).toBe('nsnTaskMarket.Overflow')
    expect((await send(create('gpu-small', 'Lane1', 10, NSN, ''), ferdie)).error).toBe('nsnTaskMarket.InvalidAttestationCid')
    expect((await send(create('gpu-small', 'Lane1', 10, NSN, 'c'.repeat(129)), ferdie)).error).toBe('nsnTaskMarket.InvalidAttestationCid')
    expect((await send(tm()['acceptAssignment']!(9_999), exec)).error).toBe('nsnTaskMarket.TaskNotFound')
    expect((await send(tm()['registerRenderer']!('x', 'Lane1', true, 1, 1), ferdie)).error).toBe('BadOrigin')
    expect((await sudo(tm()['registerRenderer']!('nd', 'Lane0', false, 1, 1))).error).toBe('nsnTaskMarket.RendererNotDeterministic')
    expect((await sudo(tm()['registerRenderer']!('big', 'Lane1', true, 1, 11_501))).error).toBe('nsnTaskMarket.RendererVramExceeded')
    expect((await sudo(tm()['registerRenderer']!('slow', 'Lane0', true, 15_001, 1))).error).toBe('nsnTaskMarket.RendererLatencyExceeded')
    expect((await sudo(tm()['registerRenderer']!('gpu-small', 'Lane1', true, 1, 1))).error).toBe('nsnTaskMarket.RendererAlreadyRegistered')
    expect((await sudo(tm()['deregisterRenderer']!('nope'))).error).toBe('nsnTaskMarket.RendererNotRegistered')
    expect(await snapshot()).toEqual(before)
  })
})

describe('NsnTaskMarket Lane 0 recipes on the dev chain', () => {
  let t: ApiChain
  const send = async (tx: Tx, signer: KeyringPair): Promise<Sent> => await sendOn(t, tx, signer)
  const tm = (): ReturnType<ApiChain['tx']> => t.tx('nsnTaskMarket')
  const slotTask = async (slot: bigint): Promise<bigint | null> => {
    const o = await t.query('nsnTaskMarket')['slotTasks']!(slot)
    return o.isSome === true ? o.unwrap().toBigInt() : null
  }
  const recipes: bigint[] = []
  /** The slot that first took `recipes[0]`. */
  let firstSlot: bigint | undefined

  beforeAll(async () => { t = await startApiChain({ blockTimeMs: 3_600_000 }) }, 60_000)
  afterAll(async () => { await t?.stop() })

  it('should reserve a recipe\'s escrow and queue recipes oldest first', async () => {
    const bob = t.k.Bob.address
    const before = await t.balance(bob)
    const escrows = [NSN / 10n, 2n * NSN, NSN]
    for (const [i, escrow] of escrows.entries()) {
      const hash = recipeHash(`{"script":"recipe ${i}"}`)
      const sent = await send(tm()['submitRecipe']!(hash, escrow), t.k.Bob)
      expect(sent.error).toBeNull()
      const created = eventData(sent, 'nsnTaskMarket.TaskCreated')
      const id = BigInt(created[0] as number)
      expect(created.slice(1)).toEqual([bob, Number(escrow), sent.block + K.recipeLifetimeBlocks, 'Lane0', 'Normal', u8aToHex(stringToU8a(LANE0_RENDERER_ID))])
      expect(eventData(sent, 'nsnTaskMarket.RecipeSubmitted')).toEqual([Number(id), bob, hash, Number(escrow)])
      expect(eventData(sent, 'balances.Reserved')).toEqual([bob, Number(escrow)])
      expect(await taskOn(t, id)).toMatchObject({ lane: 'Lane0', status: 'Open', requester: bob, executor: null, escrow, inputCid: hash, modelRequirements: LANE0_RENDERER_ID })
      recipes.push(id)
    }
    // a Lane 0 task made with create_task_intent joins the same queue by age, whatever its priority
    const direct = await send(tm()['createTaskIntent']!('Lane0', 'High', LANE0_RENDERER_ID, 'bafy-recipe', 0, 300, NSN), t.k.Charlie)
    expect(direct.error).toBeNull()
    recipes.push(BigInt(eventData(direct, 'nsnTaskMarket.TaskCreated')[0] as number))
    expect(recipes).toEqual([...recipes].sort((a, b) => (a < b ? -1 : 1)))
    expect(await idsOn(t, 'openLane0Tasks')).toEqual(recipes)
    const total = escrows.reduce((s, e) => s + e, 0n)
    expect((await t.balance(bob)).reserved).toBe(before.reserved + total)
    // reserved escrow cannot be spent: Bob cannot transfer more than his free balance
    const free = (await t.balance(bob)).free
    expect((await send(t.api.tx.balances.transferAllowDeath(t.k.Eve.address, free + NSN / 10n), t.k.Bob)).error).toBe('balances.InsufficientBalance')
  })

  it('should give the slot two ahead the oldest open recipe for its leader at each slot start', async () => {
    const rt = t.node.chain.runtime
    // advance slot by slot until a slot has a leader (the first committee may need an election), at most two epochs
    let scheduled: { name: string, data: unknown[] } | undefined
    let at = 0
    for (let i = 0; i < 12 && scheduled == null; i++) {
      const head = await t.head()
      at = (Math.floor(head / BLOCKS_PER_SLOT) + 1) * BLOCKS_PER_SLOT
      await t.newBlocks(at - head)
      scheduled = (await eventsAt(t, at)).find(e => e.name === 'nsnTaskMarket.RecipeScheduled')
    }
    expect(scheduled).toBeDefined()
    const [slot, id, executor] = (scheduled as unknown as { data: [number, number, string] }).data
    expect(BigInt(slot)).toBe(BigInt(at / BLOCKS_PER_SLOT) + BigInt(K.scheduleLookaheadSlots))
    expect(BigInt(id)).toBe(recipes[0])
    expect(executor).toBe(slotLeader(rt, t.node.chain.head.state.overlay(), BigInt(slot)))
    expect(await slotTask(BigInt(slot))).toBe(recipes[0])
    firstSlot = BigInt(slot)
    expect(await taskOn(t, BigInt(id))).toMatchObject({ status: 'Assigned', executor })
    expect(await idsOn(t, 'openLane0Tasks')).toEqual(recipes.slice(1))
    // the next slot start takes the next oldest
    await t.newBlocks(BLOCKS_PER_SLOT)
    const next = (await eventsAt(t, at + BLOCKS_PER_SLOT)).find(e => e.name === 'nsnTaskMarket.RecipeScheduled')
    expect(next?.data).toEqual([slot + 1, Number(recipes[1]), slotLeader(rt, t.node.chain.head.state.overlay(), BigInt(slot) + 1n)])
    expect(await slotTask(BigInt(slot) + 1n)).toBe(recipes[1])
  })

  it('should return an uncertified slot\'s recipe to the queue front, keeping its escrow reserved and slashing nobody', async () => {
    const first = recipes[0] as bigint
    const bob = t.k.Bob.address
    const reserved = (await t.balance(bob)).reserved
    expect(firstSlot).toBeDefined()
    const slot = firstSlot as bigint
    const head = await t.head()
    expect(await slotTask(slot)).toBe(first)
    const settleBlock = Number(slot + BigInt(K.settlementGraceSlots)) * BLOCKS_PER_SLOT
    await t.newBlocks(settleBlock - head)
    const events = await eventsAt(t, settleBlock)
    expect(events.find(e => e.name === 'nsnTaskMarket.RecipeSettled')?.data).toEqual([Number(slot), Number(first), false])
    expect(events.map(e => e.name)).not.toContain('nsnStake.StakeSlashed')
    expect(await slotTask(slot)).toBeNull()
    // it is the oldest again, so this very slot start schedules it once more (before the younger ones)
    const again = events.find(e => e.name === 'nsnTaskMarket.RecipeScheduled')
    if (again != null) expect(again.data[1]).toBe(Number(first))
    else expect((await idsOn(t, 'openLane0Tasks'))[0]).toBe(first)
    expect((await t.balance(bob)).reserved).toBe(reserved)
  })
})
