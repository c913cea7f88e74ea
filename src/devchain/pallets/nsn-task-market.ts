// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTaskMarket (index 56) call implementations and hooks: an escrowed compute market in two lanes
 * (`reference/nsn-chain.md` section 8), plus DESIGN.md "Lane 0" step 2: users submit recipes
 * (`submit_recipe`, call 9) as Lane 0 tasks, each slot takes the oldest open one for its leader,
 * and the slot's certificate settles it. Escrow is always **reserved** (currency.ts), so it can never
 * also back stake or be spent (weakness 11); every amount is u128 with named errors.
 *
 * Fixed here (section 13):
 * - weakness 19 (requester griefing): the requester can only cancel (`Cancelled`), never name the
 *   executor at fault, and never after `submit_result` (`ResultAlreadySubmitted`); an executor is
 *   slashed only for its own `fail_task`, a claimed Lane 1 task it lets expire, or a low verification
 *   score.
 * - weakness 20 (Lane 0 as a DoS lever): open Lane 0 tasks no longer block Lane 1 claims or starts,
 *   and nothing preempts Lane 1 work (so nobody is slashed for a preemption). Lane 0 tasks are taken
 *   by slots in on_initialize, not by `accept_assignment` (`Lane0ScheduledBySlot`), and settled by
 *   the slot's certificate (`settleLane0Task`), not by attestations.
 * - weakness 21: a task's requester and executor cannot attest it (`ConflictOfInterest`); a result
 *   whose validators miss the window is rejected and refunded without slashing the executor.
 * - weakness 22: Open, Assigned and Executing tasks expire at their deadline with the escrow refunded
 *   (`ExpiringTasks`, a per-block deadline index). The random, consent-free executor lottery over
 *   the first 100 stakers in hash order is replaced by **claims**: `accept_assignment` makes the
 *   caller the executor if it is an eligible Lane 1 node (staked, `Lane1Active`, role Director or
 *   Reserve) and not the requester. Stake is an eligibility gate, not a lottery weight; every
 *   eligible node can claim, and the claimant has consented (it then answers for the deadline).
 *   `compute_budget` is **dropped** as a rule: the argument and field are kept for compatibility and
 *   recorded as advice to executors, but the chain cannot meter off-chain compute and never acts on
 *   it; the deadline is the enforced limit.
 *
 * Lane 0 recipes: `OpenLane0Tasks` is first-come first-served (task ids, so age). At the first block
 * of slot k, on_initialize first settles slot k − `SettlementGraceSlots` (2) as uncertified if its
 * task is still out, then gives slot k + `ScheduleLookaheadSlots` (2) the oldest open task, assigned
 * to that slot's leader (`NsnDirector.slotLeader`; no leader: the queue is left alone and the slot
 * falls back to the built-in rotation off chain) and recorded in `SlotTasks`. The lookahead is the
 * DESIGN's generation window: the leader of slot S generates during S-2..S-1. `settleLane0Task`
 * (NsnBft, on a certificate) pays 70 % to the executor, 20 % to the `nsn/trea` account and burns
 * 10 %, all out of the reserved escrow; an uncertified slot returns its task to the queue in age
 * order, or refunds it past its deadline (`RecipeLifetimeBlocks`), slashing nobody (director
 * penalties are NsnDirector's). Reputation: TaskCompleted for a paid executor, TaskFailed for a
 * slashed one; in hooks and settlements a full reputation queue skips the event rather than halting
 * the block or failing a certificate.
 *
 * Bounded work per block (on_initialize): one `ExpiringTasks` bucket (at most `MaxExpiredPerBlock`
 * = 100 tasks, enforced at creation with `DeadlineBucketFull`); at most
 * `MaxVerificationExpiriesPerBlock` = 100 pending verifications, examined from the front of a list
 * kept in deadline order; at a slot's first block one uncertified settlement and one scheduling.
 * Queue updates rewrite one bounded list (at most 1 000 ids) each; ordered inserts binary-search.
 *
 * Not addressed: tasks are never deleted (kept as history); the verification quorum stays 2.
 */
import { u8aToHex } from '@polkadot/util'
import { BLOCKS_PER_SLOT, slotOfBlock } from '../metadata/pallets/timing.ts'
import { LANE0_RENDERER, LANE0_RENDERER_ID, TASK_MARKET_CONSTANTS as K, TASK_PRIORITIES, TREASURY_PALLET_ID } from '../metadata/pallets/nsn-task-market.ts'
import { DispatchModuleError } from '../runtime.ts'
import { burnReserved, palletAccount, repatriateReserved, reserve, unreserve, U128_MAX } from './currency.ts'
import { slotLeader } from './nsn-director.ts'
import { recordReputationEvent } from './nsn-reputation.ts'
import { nodeModeOf, slashStake, stakeOf } from './nsn-stake.ts'
import { ensureRoot, ensureSigned } from './origin.ts'
import type { FailReason, TaskLane, TaskPriority, TaskStatus } from '../metadata/pallets/nsn-task-market.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import { PalletStore } from './pallet-store.ts'
import type { Hex, StorageView } from '../state.ts'

const PALLET = 'NsnTaskMarket'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)
const U32_MAX = 0xffff_ffff
const U64_MAX = (1n << 64n) - 1n

/** A task as the pallet works with it (the `TaskIntent` storage value). */
export interface Task {
  id: bigint
  lane: TaskLane
  priority: TaskPriority
  requester: string
  executor: string | null
  status: TaskStatus
  escrow: bigint
  createdAt: number
  deadline: number
  modelRequirements: Hex
  inputCid: Hex
  computeBudget: bigint
  outputCid: Hex | null
  attestationCid: Hex | null
}

interface Attestation { validator: string, score: number, attestationCid: Hex | null }

interface BytesCodec { toU8a(bare?: boolean): Uint8Array }
interface OptionCodec<T> { isSome: boolean, unwrap(): T }
interface TaskCodec {
  id: { toBigInt(): bigint }, lane: { type: string }, priority: { type: string }, requester: { toString(): string }
  executor: OptionCodec<{ toString(): string }>, status: { type: string }, escrow: { toBigInt(): bigint }
  createdAt: { toNumber(): number }, deadline: { toNumber(): number }, modelRequirements: BytesCodec, inputCid: BytesCodec
  computeBudget: { toBigInt(): bigint }, outputCid: OptionCodec<BytesCodec>, attestationCid: OptionCodec<BytesCodec>
}
interface RendererCodec { lane: { type: string }, deterministic: { isTrue: boolean }, maxLatencyMs: { toNumber(): number }, vramRequiredMb: { toNumber(): number }, registeredAt: { toNumber(): number } }
interface RendererInfo { lane: TaskLane, deterministic: boolean, maxLatencyMs: number, vramRequiredMb: number, registeredAt: number }

const hexOf = (b: BytesCodec): Hex => u8aToHex(b.toU8a(true))
const optHex = (o: OptionCodec<BytesCodec>): Hex | null => (o.isSome ? hexOf(o.unwrap()) : null)
const TERMINAL: readonly TaskStatus[] = ['Completed', 'Failed', 'Expired', 'Verified', 'Rejected']
const VALIDATOR_ROLES = ['Validator', 'SuperNode', 'Director', 'ActiveDirector', 'Reserve']
const LANE1_EXECUTOR_ROLES = ['Director', 'Reserve']

/** Storage access for one dispatch or hook. */
class MarketStore extends PalletStore {
  constructor (rt: DevRuntime, view: StorageView) { super(rt, view, 'nsnTaskMarket') }

  now (): number { return this.block() }

  task (id: bigint): Task | undefined {
    if (!this.has('tasks', id)) return undefined
    const t = this.read<TaskCodec>('tasks', id)
    return {
      id: t.id.toBigInt(),
      lane: t.lane.type as TaskLane,
      priority: t.priority.type as TaskPriority,
      requester: t.requester.toString(),
      executor: t.executor.isSome ? t.executor.unwrap().toString() : null,
      status: t.status.type as TaskStatus,
      escrow: t.escrow.toBigInt(),
      createdAt: t.createdAt.toNumber(),
      deadline: t.deadline.toNumber(),
      modelRequirements: hexOf(t.modelRequirements),
      inputCid: hexOf(t.inputCid),
      computeBudget: t.computeBudget.toBigInt(),
      outputCid: optHex(t.outputCid),
      attestationCid: optHex(t.attestationCid)
    }
  }

  mustTask (id: bigint): Task {
    const t = this.task(id)
    if (t == null) throw fail('TaskNotFound')
    return t
  }

  putTask (t: Task): void { this.put(t, 'tasks', t.id) }

  ids (method: string, ...keys: unknown[]): bigint[] {
    return [...this.read<Iterable<{ toBigInt(): bigint }>>(method, ...keys)].map(x => x.toBigInt())
  }

  setIds (ids: bigint[], method: string, ...keys: unknown[]): void {
    if (ids.length === 0) this.remove(method, ...keys)
    else this.put(ids, method, ...keys)
  }

  /** Removes `id` from the id list `method` (a no-op when absent). */
  dropId (method: string, id: bigint): void {
    const ids = this.ids(method)
    const i = ids.indexOf(id)
    if (i < 0) return
    ids.splice(i, 1)
    this.setIds(ids, method)
  }

  renderers (): Map<Hex, RendererInfo> {
    const map = this.read<Map<BytesCodec, RendererCodec>>('rendererRegistry')
    const out = new Map<Hex, RendererInfo>()
    for (const [k, r] of map) {
      out.set(hexOf(k), { lane: r.lane.type as TaskLane, deterministic: r.deterministic.isTrue, maxLatencyMs: r.maxLatencyMs.toNumber(), vramRequiredMb: r.vramRequiredMb.toNumber(), registeredAt: r.registeredAt.toNumber() })
    }
    return out
  }

  setRenderers (map: Map<Hex, RendererInfo>): void {
    this.put(new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), 'rendererRegistry')
  }

  attestations (id: bigint): Attestation[] {
    const list = this.read<Iterable<{ validator: { toString(): string }, score: { toNumber(): number }, attestationCid: OptionCodec<BytesCodec> }>>('attestations', id)
    return [...list].map(a => ({ validator: a.validator.toString(), score: a.score.toNumber(), attestationCid: optHex(a.attestationCid) }))
  }

  num (method: string, ...keys: unknown[]): number { return this.read<{ toNumber(): number }>(method, ...keys).toNumber() }
}

/** A non-empty byte string of at most `max` bytes, else `error`. */
function bounded (bytes: Uint8Array, max: number, error: string): Hex {
  if (bytes.length === 0 || bytes.length > max) throw fail(error)
  return u8aToHex(bytes)
}

const laneMaxLatency = (lane: TaskLane): number => (lane === 'Lane0' ? K.maxLane0LatencyMs : K.maxLane1LatencyMs)
const openQueue = (lane: TaskLane): string => (lane === 'Lane0' ? 'openLane0Tasks' : 'openLane1Tasks')

/** The renderer `id` if it is registered for `lane` within the current limits. */
function checkRenderer (st: MarketStore, rawId: Uint8Array, lane: TaskLane): Hex {
  const id = bounded(rawId, K.maxModelIdLen, 'InvalidRendererId')
  const r = st.renderers().get(id)
  if (r == null) throw fail('RendererNotRegistered')
  if (r.lane !== lane) throw fail('RendererLaneMismatch')
  if (r.maxLatencyMs > laneMaxLatency(lane)) throw fail('RendererLatencyExceeded')
  if (r.vramRequiredMb > K.maxRendererVramMb) throw fail('RendererVramExceeded')
  if (lane === 'Lane0' && !r.deterministic) throw fail('RendererNotDeterministic')
  return id
}

/** Lane 1 queue order: higher priority (lower variant index) first, then earlier deadline, then lower id. */
function lane1Before (a: Task, b: Task): boolean {
  const pa = TASK_PRIORITIES.indexOf(a.priority)
  const pb = TASK_PRIORITIES.indexOf(b.priority)
  if (pa !== pb) return pa < pb
  if (a.deadline !== b.deadline) return a.deadline < b.deadline
  return a.id < b.id
}

/** Inserts `task` into its lane's open queue: Lane 0 by id (age), Lane 1 by `lane1Before` (binary search). */
function enqueue (st: MarketStore, task: Task): void {
  const method = openQueue(task.lane)
  const ids = st.ids(method)
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const other = ids[mid] as bigint
    const before = task.lane === 'Lane0' ? other < task.id : lane1Before(st.mustTask(other), task)
    if (before) lo = mid + 1
    else hi = mid
  }
  ids.splice(lo, 0, task.id)
  st.setIds(ids, method)
}

interface NewTask { lane: TaskLane, priority: TaskPriority, modelRequirements: Uint8Array, inputCid: Uint8Array, computeBudget: bigint, deadlineBlocks: number, escrow: bigint }

function createTask (st: MarketStore, who: string, n: NewTask): { task: Task, events: EventToEmit[] } {
  if (n.deadlineBlocks <= 0) throw fail('InvalidDeadline')
  const renderer = checkRenderer(st, n.modelRequirements, n.lane)
  const inputCid = bounded(n.inputCid, K.maxCidLen, 'InvalidAttestationCid')
  if (n.escrow < 0n || n.escrow > U128_MAX) throw fail('Overflow')
  if (n.escrow < K.minEscrow) throw fail('InsufficientEscrow')
  const now = st.now()
  const deadline = now + n.deadlineBlocks
  if (deadline > U32_MAX) throw fail('Overflow')
  if (st.ids(openQueue(n.lane)).length >= K.maxPendingTasks) throw fail('TooManyPendingTasks')
  const expiring = st.ids('expiringTasks', deadline)
  if (expiring.length >= K.maxExpiredPerBlock) throw fail('DeadlineBucketFull')
  const id = st.read<{ toBigInt(): bigint }>('nextTaskId').toBigInt()
  if (id >= U64_MAX) throw fail('Overflow')
  const events = reserve(st.rt, st.view, who, n.escrow, fail('InsufficientBalance'))
  st.put(id + 1n, 'nextTaskId')
  const task: Task = {
    id, lane: n.lane, priority: n.priority, requester: who, executor: null, status: 'Open', escrow: n.escrow, createdAt: now, deadline,
    modelRequirements: renderer, inputCid, computeBudget: n.computeBudget, outputCid: null, attestationCid: null
  }
  st.putTask(task)
  enqueue(st, task)
  st.setIds([...expiring, id], 'expiringTasks', deadline)
  events.push({ pallet: PALLET, name: 'TaskCreated', data: [id, who, n.escrow, deadline, n.lane, n.priority, renderer] })
  return { task, events }
}

function submitRecipe (st: MarketStore, who: string, hash: Uint8Array, escrow: bigint): EventToEmit[] {
  if (hash.length !== 32) throw fail('InvalidAttestationCid')
  const { task, events } = createTask(st, who, {
    lane: 'Lane0', priority: 'Normal', modelRequirements: new TextEncoder().encode(LANE0_RENDERER_ID), inputCid: hash, computeBudget: 0n, deadlineBlocks: K.recipeLifetimeBlocks, escrow
  })
  return [...events, { pallet: PALLET, name: 'RecipeSubmitted', data: [task.id, who, u8aToHex(hash), escrow] }]
}

/** Is `who` an eligible Lane 1 executor: staked, `Lane1Active`, role Director or Reserve. */
function isLane1Executor (st: MarketStore, who: string): boolean {
  const s = stakeOf(st.rt, st.view, who)
  return s.amount > 0n && LANE1_EXECUTOR_ROLES.includes(s.role) && nodeModeOf(st.rt, st.view, who) === 'Lane1Active'
}

function acceptAssignment (st: MarketStore, who: string, id: bigint): EventToEmit[] {
  const task = st.mustTask(id)
  if (task.lane === 'Lane0') throw fail('Lane0ScheduledBySlot')
  if (task.status !== 'Open') throw fail('TaskNotOpen')
  if (task.requester === who) throw fail('ConflictOfInterest')
  if (!isLane1Executor(st, who)) throw fail('NotEligibleExecutor')
  const assigned = st.ids('assignedLane1Tasks')
  if (assigned.length >= K.maxAssignedLane1Tasks) throw fail('TooManyAssignedLane1Tasks')
  st.dropId('openLane1Tasks', id)
  st.setIds([...assigned, id], 'assignedLane1Tasks')
  st.putTask({ ...task, executor: who, status: 'Assigned' })
  return [{ pallet: PALLET, name: 'TaskAssigned', data: [id, who] }]
}

/** A Lane 1 task in one of `statuses`, executed by `who`. */
function executorTask (st: MarketStore, who: string, id: bigint, statuses: TaskStatus[]): Task {
  const task = st.mustTask(id)
  if (task.lane === 'Lane0') throw fail('Lane0ScheduledBySlot')
  if (!statuses.includes(task.status)) throw fail('TaskNotAssigned')
  if (task.executor !== who) throw fail('NotExecutor')
  return task
}

function startTask (st: MarketStore, who: string, id: bigint): EventToEmit[] {
  const task = executorTask(st, who, id, ['Assigned'])
  st.putTask({ ...task, status: 'Executing' })
  return [{ pallet: PALLET, name: 'TaskStarted', data: [id, who] }]
}

function submitResult (st: MarketStore, who: string, id: bigint, output: Uint8Array, attestation: Uint8Array | null): EventToEmit[] {
  const task = executorTask(st, who, id, ['Assigned', 'Executing'])
  const outputCid = bounded(output, K.maxCidLen, 'InvalidAttestationCid')
  const attestationCid = attestation == null ? null : bounded(attestation, K.maxCidLen, 'InvalidAttestationCid')
  const quorum: number = K.verificationQuorum
  if (quorum === 0 || quorum > K.maxAttestations) throw fail('InvalidVerificationQuorum')
  const pending = st.ids('pendingVerificationTasks')
  if (pending.length >= K.maxPendingVerifications) throw fail('TooManyPendingVerifications')
  const deadline = st.now() + K.verificationPeriod
  if (deadline > U32_MAX) throw fail('Overflow')
  st.put(quorum, 'requiredQuorum', id)
  st.put(deadline, 'verificationDeadline', id)
  st.remove('attestations', id)
  st.setIds([...pending, id], 'pendingVerificationTasks')
  st.dropId('assignedLane1Tasks', id)
  st.putTask({ ...task, status: 'Submitted', outputCid, attestationCid })
  return [{ pallet: PALLET, name: 'TaskSubmitted', data: [id, who, outputCid, attestationCid, deadline, quorum] }]
}

/** Records a reputation event; in a hook (`tolerant`) a full reputation queue skips it instead of failing the block. */
function reputation (st: MarketStore, who: string, type: 'TaskCompleted' | 'TaskFailed', slot: bigint, tolerant: boolean): EventToEmit[] {
  if (!tolerant) return recordReputationEvent(st.rt, st.view, who, type, slot)
  try {
    return recordReputationEvent(st.rt, st.view, who, type, slot)
  } catch (err) {
    if ((err as Error).name !== DispatchModuleError.name) throw err
    return []
  }
}

/** Slashes `amount` of the executor's stake (reason TaskAbandonment) and records TaskFailed. */
function penalize (st: MarketStore, executor: string, amount: bigint, tolerant: boolean): EventToEmit[] {
  return [...slashStake(st.rt, st.view, executor, amount, 'TaskAbandonment'), ...reputation(st, executor, 'TaskFailed', slotOfBlock(st.now()), tolerant)]
}

/** Returns the escrow to the requester. */
const refund = (st: MarketStore, task: Task): EventToEmit[] => unreserve(st.rt, st.view, task.requester, task.escrow)

function failTask (st: MarketStore, who: string, id: bigint, reason: FailReason): EventToEmit[] {
  const task = st.mustTask(id)
  if (TERMINAL.includes(task.status)) throw fail('TaskNotAssigned')
  const submitted = task.status === 'Submitted' || task.status === 'PendingVerification'
  const events: EventToEmit[] = []
  if (who === task.requester) {
    // weakness 19: the requester cancels; it cannot blame the executor, nor cancel a delivered result
    if (reason !== 'Cancelled') throw fail('InvalidFailReason')
    if (submitted) throw fail('ResultAlreadySubmitted')
    if (task.lane === 'Lane0' && task.status !== 'Open') throw fail('Lane0ScheduledBySlot')
  } else if (task.status === 'Open') {
    throw fail('NotRequester')
  } else if (who === task.executor) {
    if (task.lane === 'Lane0') throw fail('Lane0ScheduledBySlot')
    if (submitted) throw fail('ResultAlreadySubmitted')
    if (!['ExecutorFailed', 'InvalidInput', 'Other'].includes(reason)) throw fail('InvalidFailReason')
    // the executor's own admission of failure is the one case a fail_task slashes
    if (reason !== 'InvalidInput') events.push(...penalize(st, who, K.taskAbandonmentSlash, false))
  } else {
    throw fail('NotExecutor')
  }
  if (task.status === 'Open') st.dropId(openQueue(task.lane), id)
  else st.dropId('assignedLane1Tasks', id)
  st.putTask({ ...task, status: 'Failed' })
  return [...refund(st, task), ...events, { pallet: PALLET, name: 'TaskFailed', data: [id, reason] }]
}

function registerRenderer (st: MarketStore, raw: Uint8Array, lane: TaskLane, deterministic: boolean, latency: number, vram: number): EventToEmit[] {
  const id = bounded(raw, K.maxModelIdLen, 'InvalidRendererId')
  if (vram > K.maxRendererVramMb) throw fail('RendererVramExceeded')
  if (latency > laneMaxLatency(lane)) throw fail('RendererLatencyExceeded')
  if (lane === 'Lane0' && !deterministic) throw fail('RendererNotDeterministic')
  const map = st.renderers()
  if (map.has(id)) throw fail('RendererAlreadyRegistered')
  if (map.size >= K.maxRegisteredRenderers) throw fail('RendererRegistryFull')
  map.set(id, { lane, deterministic, maxLatencyMs: latency, vramRequiredMb: vram, registeredAt: st.now() })
  st.setRenderers(map)
  return [{ pallet: PALLET, name: 'RendererRegistered', data: [id, lane, deterministic, latency, vram] }]
}

function deregisterRenderer (st: MarketStore, raw: Uint8Array): EventToEmit[] {
  const id = bounded(raw, K.maxModelIdLen, 'InvalidRendererId')
  const map = st.renderers()
  if (!map.delete(id)) throw fail('RendererNotRegistered')
  st.setRenderers(map)
  return [{ pallet: PALLET, name: 'RendererDeregistered', data: [id] }]
}

/** Removes a settled task's verification state. */
function clearVerification (st: MarketStore, id: bigint): void {
  st.remove('attestations', id)
  st.remove('requiredQuorum', id)
  st.remove('verificationDeadline', id)
  st.dropId('pendingVerificationTasks', id)
}

/** The executor's and the treasury's shares of `escrow` (floor of 70 % and 20 %); the rest is burned. */
export function escrowSplit (escrow: bigint): { executor: bigint, treasury: bigint, burned: bigint } {
  const executor = escrow * BigInt(K.executorPercent) / 100n
  const treasury = escrow * BigInt(K.treasuryPercent) / 100n
  return { executor, treasury, burned: escrow - executor - treasury }
}

/** Pays a verified task out of the requester's reserved escrow: 70 % executor, 20 % treasury account, 10 % burned. */
function payVerified (st: MarketStore, task: Task, executor: string, averageScore: number, slot: bigint, tolerant: boolean): EventToEmit[] {
  const split = escrowSplit(task.escrow)
  const events = [
    ...repatriateReserved(st.rt, st.view, task.requester, executor, split.executor),
    ...repatriateReserved(st.rt, st.view, task.requester, palletAccount(TREASURY_PALLET_ID), split.treasury),
    ...burnReserved(st.rt, st.view, task.requester, split.burned)
  ]
  st.putTask({ ...task, executor, status: 'Verified' })
  events.push({ pallet: PALLET, name: 'TaskVerified', data: [task.id, executor, split.executor, averageScore] })
  return [...events, ...reputation(st, executor, 'TaskCompleted', slot, tolerant)]
}

/** Rejects a submitted result: escrow refunded; the executor is slashed for a low score only, never for a missed window (weakness 21). */
function rejectResult (st: MarketStore, task: Task, average: number | null, deadlineExceeded: boolean, tolerant: boolean): EventToEmit[] {
  const executor = task.executor as string
  clearVerification(st, task.id)
  st.putTask({ ...task, status: 'Rejected' })
  const events = refund(st, task)
  if (!deadlineExceeded) events.push(...penalize(st, executor, K.verificationFailureSlash, tolerant))
  return [...events, { pallet: PALLET, name: 'TaskRejected', data: [task.id, executor, average, deadlineExceeded] }]
}

const averageOf = (list: Attestation[]): number | null => (list.length === 0 ? null : Math.floor(list.reduce((s, a) => s + a.score, 0) / list.length))

/** Settles a submitted result by its attestations' average. */
function settleByScore (st: MarketStore, task: Task, list: Attestation[]): EventToEmit[] {
  const average = averageOf(list) as number
  if (average < K.minAttestationScore) return rejectResult(st, task, average, false, false)
  clearVerification(st, task.id)
  return payVerified(st, task, task.executor as string, average, slotOfBlock(st.now()), false)
}

function isValidator (st: MarketStore, who: string): boolean {
  const s = stakeOf(st.rt, st.view, who)
  return s.amount > 0n && VALIDATOR_ROLES.includes(s.role)
}

function submitAttestation (st: MarketStore, who: string, id: bigint, score: number, cid: Uint8Array | null): EventToEmit[] {
  if (!isValidator(st, who)) throw fail('NotValidator')
  if (score > 100) throw fail('InvalidAttestationScore')
  const attestationCid = cid == null ? null : bounded(cid, K.maxCidLen, 'InvalidAttestationCid')
  const task = st.mustTask(id)
  if (task.status !== 'Submitted' && task.status !== 'PendingVerification') throw fail('TaskNotSubmitted')
  // weakness 21: nobody attests a task it requested or executed
  if (who === task.requester || who === task.executor) throw fail('ConflictOfInterest')
  if (st.now() > st.num('verificationDeadline', id)) throw fail('VerificationDeadlinePassed')
  const list = st.attestations(id)
  if (list.some(a => a.validator === who)) throw fail('DuplicateAttestation')
  if (list.length >= K.maxAttestations) throw fail('TooManyAttestations')
  list.push({ validator: who, score, attestationCid })
  st.put(list, 'attestations', id)
  const pending = { ...task, status: 'PendingVerification' as const }
  st.putTask(pending)
  const events: EventToEmit[] = [{ pallet: PALLET, name: 'AttestationSubmitted', data: [id, who, score] }]
  if (list.length >= st.num('requiredQuorum', id)) events.push(...settleByScore(st, pending, list))
  return events
}

function finalizeTask (st: MarketStore, id: bigint): EventToEmit[] {
  const task = st.mustTask(id)
  if (task.status !== 'Submitted' && task.status !== 'PendingVerification') throw fail('TaskNotSubmitted')
  const list = st.attestations(id)
  if (st.now() > st.num('verificationDeadline', id)) return rejectResult(st, task, averageOf(list), true, false)
  if (list.length < st.num('requiredQuorum', id)) throw fail('VerificationPending')
  return settleByScore(st, task, list)
}

/**
 * Dispatches `nsnTaskMarket.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnTaskMarket (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const st = new MarketStore(rt, view)
  const a = (i: number): CallArg => args[i] as CallArg
  const bytes = (i: number): Uint8Array => (args[i] as unknown as BytesCodec).toU8a(true)
  const optBytes = (i: number): Uint8Array | null => {
    const o = args[i] as unknown as OptionCodec<BytesCodec>
    return o.isSome ? o.unwrap().toU8a(true) : null
  }
  const bigArg = (i: number): bigint => (a(i).toBigInt as () => bigint).call(a(i))
  const num = (i: number): number => (a(i).toNumber as () => number).call(a(i))
  switch (method) {
    case 'createTaskIntent':
      return createTask(st, ensureSigned(origin), {
        lane: a(0).type as TaskLane, priority: a(1).type as TaskPriority, modelRequirements: bytes(2), inputCid: bytes(3), computeBudget: bigArg(4), deadlineBlocks: num(5), escrow: bigArg(6)
      }).events
    case 'acceptAssignment':
      return acceptAssignment(st, ensureSigned(origin), bigArg(0))
    case 'startTask':
      return startTask(st, ensureSigned(origin), bigArg(0))
    case 'submitResult':
      return submitResult(st, ensureSigned(origin), bigArg(0), bytes(1), optBytes(2))
    case 'failTask':
      return failTask(st, ensureSigned(origin), bigArg(0), a(1).type as FailReason)
    case 'registerRenderer':
      ensureRoot(origin)
      return registerRenderer(st, bytes(0), a(1).type as TaskLane, (args[2] as unknown as { isTrue: boolean }).isTrue, num(3), num(4))
    case 'deregisterRenderer':
      ensureRoot(origin)
      return deregisterRenderer(st, bytes(0))
    case 'submitAttestation':
      return submitAttestation(st, ensureSigned(origin), bigArg(0), num(1), optBytes(2))
    case 'finalizeTask':
      ensureSigned(origin)
      return finalizeTask(st, bigArg(0))
    case 'submitRecipe':
      return submitRecipe(st, ensureSigned(origin), bytes(0), bigArg(1))
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** Expires the tasks whose deadline is block `n` (one bucket, at most `MaxExpiredPerBlock`). */
function expireTasks (st: MarketStore, n: number): EventToEmit[] {
  const ids = st.ids('expiringTasks', n)
  if (ids.length === 0) return []
  st.remove('expiringTasks', n)
  const events: EventToEmit[] = []
  for (const id of ids) {
    const task = st.task(id)
    if (task == null) continue
    if (task.status === 'Open') {
      st.dropId(openQueue(task.lane), id)
    } else if ((task.status === 'Assigned' || task.status === 'Executing') && task.lane === 'Lane1') {
      // the executor claimed the task (weakness 22: it consented) and let its deadline pass
      st.dropId('assignedLane1Tasks', id)
      events.push(...penalize(st, task.executor as string, K.taskAbandonmentSlash, true))
    } else {
      // a slot's Lane 0 task is settled by its slot; submitted results by their verification
      continue
    }
    st.putTask({ ...task, status: 'Expired' })
    events.push(...refund(st, task), { pallet: PALLET, name: 'TaskExpired', data: [id] })
  }
  return events
}

/** Rejects (without slashing) results whose verification window closed before block `n`; bounded and in deadline order. */
function expireVerifications (st: MarketStore, n: number): EventToEmit[] {
  const pending = st.ids('pendingVerificationTasks').slice(0, K.maxVerificationExpiriesPerBlock)
  const events: EventToEmit[] = []
  for (const id of pending) {
    if (st.num('verificationDeadline', id) >= n) break
    const task = st.task(id)
    if (task == null || (task.status !== 'Submitted' && task.status !== 'PendingVerification')) {
      clearVerification(st, id)
      continue
    }
    events.push(...rejectResult(st, task, averageOf(st.attestations(id)), true, true))
  }
  return events
}

/** Gives `slot`'s leader the oldest open Lane 0 task, unless the slot has one or no leader. */
function scheduleSlot (st: MarketStore, slot: bigint): EventToEmit[] {
  if (st.has('slotTasks', slot)) return []
  const queue = st.ids('openLane0Tasks')
  const id = queue[0]
  if (id == null) return []
  const leader = slotLeader(st.rt, st.view, slot)
  if (leader == null) return []
  const task = st.mustTask(id)
  st.setIds(queue.slice(1), 'openLane0Tasks')
  st.putTask({ ...task, status: 'Assigned', executor: leader })
  st.put(id, 'slotTasks', slot)
  return [{ pallet: PALLET, name: 'RecipeScheduled', data: [slot, id, leader] }]
}

function settle (st: MarketStore, slot: bigint, certified: boolean, producer: string | undefined, tolerant: boolean): EventToEmit[] {
  if (!st.has('slotTasks', slot)) return []
  const id = st.read<{ toBigInt(): bigint }>('slotTasks', slot).toBigInt()
  const task = st.task(id)
  if (task?.lane !== 'Lane0' || task.status !== 'Assigned') return []
  const settled: EventToEmit = { pallet: PALLET, name: 'RecipeSettled', data: [slot, id, certified] }
  if (certified) return [...payVerified(st, task, producer ?? (task.executor as string), 100, slot, tolerant), settled]
  st.remove('slotTasks', slot)
  if (st.now() >= task.deadline) {
    st.putTask({ ...task, status: 'Expired' })
    return [...refund(st, task), { pallet: PALLET, name: 'TaskExpired', data: [id] }, settled]
  }
  if (st.ids('openLane0Tasks').length >= K.maxPendingTasks) {
    st.putTask({ ...task, status: 'Failed' })
    return [...refund(st, task), { pallet: PALLET, name: 'TaskFailed', data: [id, 'Other'] }, settled]
  }
  // back to the queue in age order: it is taken again before every younger recipe
  const reopened: Task = { ...task, status: 'Open', executor: null }
  st.putTask(reopened)
  enqueue(st, reopened)
  return [settled]
}

/**
 * Settles the Lane-0 task (recipe) that `slot` took from the queue, if any: paid out to its
 * executor when the slot is certified, otherwise refunded or returned to the queue. Called by
 * NsnBft when a certificate is stored (`certified = true`) and when a slot ends without one.
 *
 * Pays 70 % of the escrow to `producer` when given (a fallback leader whose content was
 * certified), else to the scheduled leader; 20 % to the treasury account (`nsn/trea`); burns 10 %.
 * Uncertified: the task goes back to the open queue in age order (before every younger recipe),
 * or is refunded (`TaskExpired`) once its deadline has passed; nobody is slashed here. A slot with no
 * task, or one already settled, is a no-op. NsnTaskMarket settles a slot as uncertified by itself
 * at the first block of slot + `SettlementGraceSlots`. Never fails: a full reputation queue skips
 * the executor's TaskCompleted event rather than failing the caller's certificate.
 */
export function settleLane0Task (rt: DevRuntime, view: StorageView, slot: bigint, certified: boolean, producer?: string): EventToEmit[] {
  // tolerant: a full reputation queue must not fail the certificate that calls this
  return settle(new MarketStore(rt, view), slot, certified, producer, true)
}

/**
 * `on_initialize(n)`: expires block `n`'s deadline bucket, rejects results whose verification window
 * closed, and at a slot's first block settles slot − `SettlementGraceSlots` as uncertified (if its
 * task is still out) and schedules slot + `ScheduleLookaheadSlots`. Bounded: see the file comment.
 */
function onInitialize (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const st = new MarketStore(rt, view)
  const events = [...expireTasks(st, n), ...expireVerifications(st, n)]
  if (n % BLOCKS_PER_SLOT === 0) {
    const slot = slotOfBlock(n)
    const grace = BigInt(K.settlementGraceSlots)
    if (slot >= grace) events.push(...settle(st, slot - grace, false, undefined, true))
    events.push(...scheduleSlot(st, slot + BigInt(K.scheduleLookaheadSlots)))
  }
  return events
}

/** Dev genesis: the built-in Lane 0 renderer that recipes run on. */
function genesis (rt: DevRuntime, view: StorageView): void {
  const st = new MarketStore(rt, view)
  const map = st.renderers()
  map.set(u8aToHex(new TextEncoder().encode(LANE0_RENDERER_ID)), {
    lane: LANE0_RENDERER.lane, deterministic: LANE0_RENDERER.deterministic, maxLatencyMs: LANE0_RENDERER.maxLatencyMs, vramRequiredMb: LANE0_RENDERER.vramRequiredMb, registeredAt: 0
  })
  st.setRenderers(map)
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnTaskMarketHooks: PalletHooks = { genesis, onInitialize }

/** The task `id` as stored (undefined when absent), for other pallets and tests. */
export function taskOf (rt: DevRuntime, view: StorageView, id: bigint): Task | undefined {
  return new MarketStore(rt, view).task(id)
}
