// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_task_market` (index 56): the escrowed Lane 0 / Lane 1 compute market. Names and
 * indices follow `reference/nsn-chain.md` section 8 (calls 0-8, the reference's storage items,
 * events and errors 0-34). This port's additions, for DESIGN.md "Lane 0" step 2 and the fixes of
 * section 13 (weaknesses 19-22, see the pallet's implementation file):
 * - call 9 `submit_recipe` (a Lane-0 task for a recipe whose JSON travels off chain);
 * - storage `SlotTasks` (which task a slot's leader executes) and `ExpiringTasks` (deadline index);
 * - events `RecipeSubmitted`, `RecipeScheduled`, `RecipeSettled`;
 * - errors from `ConflictOfInterest` on;
 * - the constants after `TaskAbandonmentSlash`.
 *
 * Amounts are at the dev chain's 12 decimals (see `nsn-stake.ts`).
 */
import { compactToU8a, stringToU8a, u8aConcat } from '@polkadot/util'
import { NSN } from './nsn-stake.ts'
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { ConstantDef, FieldDef, PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const TASK_MARKET_CONSTANTS = {
  /** Open tasks per lane queue. */
  maxPendingTasks: 1_000,
  /** Lane 1 tasks assigned (claimed) and not yet submitted, all executors together. */
  maxAssignedLane1Tasks: 1_000,
  /** Tasks that may expire at one block (the size of one `ExpiringTasks` bucket): bounds the expiry work per block. */
  maxExpiredPerBlock: 100,
  maxModelIdLen: 64,
  maxCidLen: 128,
  maxRegisteredRenderers: 256,
  maxLane0LatencyMs: 15_000,
  maxLane1LatencyMs: 120_000,
  maxRendererVramMb: 11_500,
  /** 0.1 NSN. */
  minEscrow: NSN / 10n,
  maxAttestations: 5,
  maxPendingVerifications: 1_000,
  verificationQuorum: 2,
  /** Blocks after `submit_result` during which validators attest. */
  verificationPeriod: 100,
  /** The lowest average score (0-100) that verifies a task. */
  minAttestationScore: 70,
  verificationFailureSlash: 5n * NSN,
  taskAbandonmentSlash: 5n * NSN,
  /** Pending verifications examined per block by the expiry hook. */
  maxVerificationExpiriesPerBlock: 100,
  /** A recipe's lifetime in blocks: an open (or returned) recipe not aired by then is refunded. */
  recipeLifetimeBlocks: 600,
  /** A slot's recipe task is scheduled this many slots ahead (the leader of slot S generates during S-2..S-1). */
  scheduleLookaheadSlots: 2,
  /** A scheduled slot with no certificate this many slots after it is settled as uncertified. */
  settlementGraceSlots: 2,
  /** Executor share of a verified task's escrow (percent); the treasury gets `treasuryPercent`, the rest is burned. */
  executorPercent: 70,
  treasuryPercent: 20
} as const
const K = TASK_MARKET_CONSTANTS

/** The built-in Lane-0 renderer every recipe (`submit_recipe`) runs on; registered at genesis. */
export const LANE0_RENDERER_ID = 'nsn-lane0-v2'
/** The built-in renderer's declared limits. */
export const LANE0_RENDERER = { lane: 'Lane0', deterministic: true, maxLatencyMs: 15_000, vramRequiredMb: 4_096 } as const
/** The treasury's pallet id (its account receives the treasury share). */
export const TREASURY_PALLET_ID = 'nsn/trea'

/** `TaskStatus` variants by SCALE index. */
export const TASK_STATUSES = ['Open', 'Assigned', 'Executing', 'Completed', 'Failed', 'Expired', 'Submitted', 'PendingVerification', 'Verified', 'Rejected'] as const
export type TaskStatus = typeof TASK_STATUSES[number]
/** `FailReason` variants by SCALE index. */
export const FAIL_REASONS = ['ExecutorFailed', 'Cancelled', 'DeadlineExceeded', 'Preempted', 'InvalidInput', 'Other'] as const
export type FailReason = typeof FAIL_REASONS[number]
/** `TaskPriority` variants by SCALE index (High sorts first). */
export const TASK_PRIORITIES = ['High', 'Normal', 'Low'] as const
export type TaskPriority = typeof TASK_PRIORITIES[number]
export type TaskLane = 'Lane0' | 'Lane1'

const path = (name: string): string[] => ['pallet_nsn_task_market', 'types', name]
const account = (name: string): FieldDef => f(name, 'AccountId32', 'T::AccountId')
const balance = (name: string): FieldDef => f(name, 'u128', 'BalanceOf<T>')
const block = (name: string): FieldDef => f(name, 'u32', 'BlockNumberFor<T>')
const taskId = f('task_id', 'u64', 'u64')
const bytes = (name: string, bound: string): FieldDef => f(name, 'BoundedVec<u8>', `BoundedVec<u8, T::${bound}>`)
const optCid = (name: string): FieldDef => f(name, 'Option<BoundedVec<u8>>', 'Option<BoundedVec<u8, T::MaxCidLen>>')
const lane = f('lane', 'TaskLane', 'TaskLane')
const c = (name: string, type: string, value: bigint | number, doc: string): ConstantDef => ({ name, type, value, docs: [` ${doc}`] })

/** The NsnTaskMarket pallet. */
export const nsnTaskMarket: PalletDef = {
  name: 'NsnTaskMarket',
  index: 56,
  crate: 'pallet_nsn_task_market',
  types: [
    enumType('TaskLane', ['nsn_primitives', 'Lane'], units(['Lane0', 'Lane1']), { docs: ['Lane 0: slot-scheduled video (recipes); Lane 1: general compute.'] }),
    enumType('TaskStatus', path('TaskStatus'), units([...TASK_STATUSES])),
    enumType('FailReason', path('FailReason'), units([...FAIL_REASONS])),
    enumType('TaskPriority', path('TaskPriority'), units([...TASK_PRIORITIES])),
    struct('TaskIntent', path('TaskIntent'), [
      f('id', 'u64', 'u64'), lane, f('priority', 'TaskPriority', 'TaskPriority'), account('requester'),
      f('executor', 'Option<AccountId32>', 'Option<T::AccountId>'), f('status', 'TaskStatus', 'TaskStatus'), balance('escrow'),
      block('created_at'), block('deadline'), bytes('model_requirements', 'MaxModelIdLen'), bytes('input_cid', 'MaxCidLen'),
      f('compute_budget', 'u64', 'u64', [' Advisory only: recorded for executors, never enforced on chain (weakness 22).']),
      optCid('output_cid'), optCid('attestation_cid')
    ]),
    struct('RendererInfo', path('RendererInfo'), [
      lane, f('deterministic', 'bool', 'bool'), f('max_latency_ms', 'u32', 'u32'), f('vram_required_mb', 'u32', 'u32'), block('registered_at')
    ]),
    struct('TaskAttestation', path('TaskAttestation'), [account('validator'), f('score', 'u8', 'u8'), optCid('attestation_cid')])
  ],
  calls: [
    v('create_task_intent', 0, [
      lane, f('priority', 'TaskPriority', 'TaskPriority'), bytes('model_requirements', 'MaxModelIdLen'), bytes('input_cid', 'MaxCidLen'),
      f('compute_budget', 'u64', 'u64'), block('deadline_blocks'), balance('escrow_amount')
    ], ['Create a task for a registered renderer, reserving `escrow_amount` (at least `MinEscrow`) until it is settled.',
      'Lane 0 tasks join the slot queue (oldest first); Lane 1 tasks the claim queue (priority, deadline, id).']),
    v('accept_assignment', 1, [taskId], ['Claim an open Lane 1 task as its executor: the caller must be an eligible Lane 1 node',
      '(staked, `Lane1Active`, role Director or Reserve) and not its requester. Lane 0 tasks are scheduled by slots.']),
    v('start_task', 2, [taskId], ['The executor marks its assigned Lane 1 task as executing (optional).']),
    v('submit_result', 3, [taskId, bytes('output_cid', 'MaxCidLen'), optCid('attestation_cid')],
      ['The executor submits its Lane 1 result; validators then attest within `VerificationPeriod` blocks.']),
    v('fail_task', 4, [taskId, f('reason', 'FailReason', 'FailReason')], [
      'Requester: cancel (`Cancelled`) an open task, or an assigned Lane 1 task before its result is submitted; nobody is slashed.',
      'Executor: give up its Lane 1 task (`ExecutorFailed` or `Other`: slashed `TaskAbandonmentSlash`; `InvalidInput`: not slashed).',
      'The escrow goes back to the requester.']),
    v('register_renderer', 5, [bytes('renderer_id', 'MaxModelIdLen'), lane, f('deterministic', 'bool', 'bool'), f('max_latency_ms', 'u32', 'u32'), f('vram_required_mb', 'u32', 'u32')],
      ['Register a renderer tasks may require. Root only.']),
    v('deregister_renderer', 6, [bytes('renderer_id', 'MaxModelIdLen')], ['Remove a renderer (existing tasks keep running). Root only.']),
    v('submit_attestation', 7, [taskId, f('score', 'u8', 'u8'), optCid('attestation_cid')], [
      'A staked validator scores a submitted Lane 1 result (0-100). The task\'s requester and executor may not attest.',
      'At `VerificationQuorum` attestations the task is verified (average >= `MinAttestationScore`) or rejected.']),
    v('finalize_task', 8, [taskId], ['Settle a submitted task: by its attestations once the quorum is reached, or, after the',
      'verification deadline without a quorum, rejected with a refund and no slash.']),
    v('submit_recipe', 9, [f('recipe_hash', '[u8; 32]', '[u8; 32]'), balance('escrow_amount')], [
      'Submit a Lane 0 recipe: its JSON travels on the recipes topic, its blake2b-256 hash is the task\'s `input_cid`.',
      'Reserves `escrow_amount` (at least `MinEscrow`); slots take the oldest open recipe. Paid 70/20/10 when its slot is',
      'certified; returned to the queue (or refunded after `RecipeLifetimeBlocks`) otherwise.'])
  ],
  events: [
    v('TaskCreated', 0, [taskId, account('requester'), balance('escrow'), block('deadline'), lane, f('priority', 'TaskPriority', 'TaskPriority'), bytes('model_requirements', 'MaxModelIdLen')], ['A task was created and its escrow reserved.']),
    v('TaskAssigned', 1, [taskId, account('executor')], ['An executor claimed a Lane 1 task.']),
    v('TaskStarted', 2, [taskId, account('executor')], ['The executor started a task.']),
    v('TaskSubmitted', 3, [taskId, account('executor'), bytes('output_cid', 'MaxCidLen'), optCid('attestation_cid'), block('verification_deadline'), f('required_quorum', 'u32', 'u32')], ['A result was submitted for verification.']),
    v('AttestationSubmitted', 4, [taskId, account('validator'), f('score', 'u8', 'u8')], ['A validator attested a result.']),
    v('TaskVerified', 5, [taskId, account('executor'), balance('payment'), f('average_score', 'u8', 'u8')],
      ['A task was verified and paid: `payment` (70 %) to the executor, 20 % to the treasury, 10 % burned.',
        'Lane 0 tasks are verified by their slot\'s BFT certificate and report `average_score` 100.']),
    v('TaskRejected', 6, [taskId, account('executor'), f('average_score', 'Option<u8>', 'Option<u8>'), f('deadline_exceeded', 'bool', 'bool')],
      ['A result was rejected and the escrow refunded; the executor is slashed only for a low score, not for a missed window.']),
    v('TaskFailed', 7, [taskId, f('reason', 'FailReason', 'FailReason')], ['A task was cancelled or failed and its escrow refunded.']),
    v('TaskExpired', 8, [taskId], ['A task reached its deadline unfinished and its escrow was refunded.']),
    v('RendererRegistered', 9, [bytes('renderer_id', 'MaxModelIdLen'), lane, f('deterministic', 'bool', 'bool'), f('max_latency_ms', 'u32', 'u32'), f('vram_required_mb', 'u32', 'u32')], ['A renderer was registered.']),
    v('RendererDeregistered', 10, [bytes('renderer_id', 'MaxModelIdLen')], ['A renderer was removed.']),
    v('RecipeSubmitted', 11, [taskId, account('requester'), f('recipe_hash', '[u8; 32]', '[u8; 32]'), balance('escrow')], ['A Lane 0 recipe joined the slot queue.']),
    v('RecipeScheduled', 12, [f('slot', 'u64', 'u64'), taskId, account('executor')], ['A slot took the oldest open Lane 0 task; its leader executes it.']),
    v('RecipeSettled', 13, [f('slot', 'u64', 'u64'), taskId, f('certified', 'bool', 'bool')],
      ['A slot\'s Lane 0 task was settled: paid when certified, otherwise returned to the queue front (or refunded past its deadline).'])
  ],
  errors: [
    v('TaskNotFound', 0, [], ['No task with this id.']),
    v('TaskNotOpen', 1, [], ['The task is not open.']),
    v('TaskNotAssigned', 2, [], ['The task is not assigned or executing (or is already settled).']),
    v('TaskNotExecuting', 3, [], ['Declared to keep the reference\'s indices; never raised.']),
    v('TaskNotSubmitted', 4, [], ['The task has no submitted result awaiting verification.']),
    v('NotExecutor', 5, [], ['Only the task\'s executor may do this.']),
    v('NotValidator', 6, [], ['Only a staked validator (Validator, SuperNode, Director, ActiveDirector or Reserve) may attest.']),
    v('DuplicateAttestation', 7, [], ['This validator already attested the task.']),
    v('TooManyAttestations', 8, [], ['The task already holds `MaxAttestations` attestations.']),
    v('InvalidAttestationScore', 9, [], ['A score is between 0 and 100.']),
    v('InvalidVerificationQuorum', 10, [], ['The verification quorum must be between 1 and `MaxAttestations`.']),
    v('VerificationDeadlinePassed', 11, [], ['The verification window of this task has closed.']),
    v('VerificationPending', 12, [], ['Not enough attestations yet and the verification window is still open.']),
    v('NotRequester', 13, [], ['Only the task\'s requester or executor may do this.']),
    v('TooManyPendingTasks', 14, [], ['The lane\'s open queue is full (`MaxPendingTasks`).']),
    v('TooManyAssignedLane1Tasks', 15, [], ['`MaxAssignedLane1Tasks` Lane 1 tasks are already assigned.']),
    v('TooManyPendingVerifications', 16, [], ['`MaxPendingVerifications` results already await verification.']),
    v('Overflow', 17, [], ['Arithmetic overflow (a deadline past the largest block number, or a counter).']),
    v('InsufficientBalance', 18, [], ['The free balance (keeping the existential deposit) cannot cover the escrow.']),
    v('InsufficientEscrow', 19, [], ['The escrow is below `MinEscrow`.']),
    v('InvalidDeadline', 20, [], ['`deadline_blocks` must be greater than zero.']),
    v('TaskAlreadyAssigned', 21, [], ['Declared to keep the reference\'s indices; never raised.']),
    v('NoEligibleExecutors', 22, [], ['Declared to keep the reference\'s indices; never raised (executors claim tasks, see `NotEligibleExecutor`).']),
    v('Lane0Priority', 23, [], ['Declared to keep the reference\'s indices; never raised: open Lane 0 tasks no longer block Lane 1 (weakness 20).']),
    v('BurnFailed', 24, [], ['Declared to keep the reference\'s indices; never raised (the burned share comes out of the reserved escrow).']),
    v('RendererRegistryFull', 25, [], ['`MaxRegisteredRenderers` renderers are registered.']),
    v('RendererAlreadyRegistered', 26, [], ['A renderer with this id is registered.']),
    v('InvalidRendererId', 27, [], ['The renderer id (`model_requirements`) is empty or longer than `MaxModelIdLen`.']),
    v('RendererNotRegistered', 28, [], ['No renderer with this id is registered.']),
    v('RendererLaneMismatch', 29, [], ['The renderer serves the other lane.']),
    v('RendererLatencyExceeded', 30, [], ['The renderer\'s latency is above the lane\'s maximum.']),
    v('RendererNotDeterministic', 31, [], ['Lane 0 renderers must be deterministic.']),
    v('RendererVramExceeded', 32, [], ['The renderer needs more than `MaxRendererVramMb`.']),
    v('MissingAttestation', 33, [], ['Declared to keep the reference\'s indices; never raised (Lane 0 results are certified by slots).']),
    v('InvalidAttestationCid', 34, [], ['A CID is empty or longer than `MaxCidLen`.']),
    v('ConflictOfInterest', 35, [], ['The task\'s requester or executor may not attest it, and a requester may not execute its own task (weaknesses 21, 22).']),
    v('ResultAlreadySubmitted', 36, [], ['The result is submitted: the requester can no longer cancel, verification decides (weakness 19).']),
    v('InvalidFailReason', 37, [], ['The requester may only cancel (`Cancelled`); the executor may report `ExecutorFailed`, `InvalidInput` or `Other` (weakness 19).']),
    v('Lane0ScheduledBySlot', 38, [], ['Lane 0 tasks are scheduled by slots and settled by their certificates, not by these calls (weakness 20).']),
    v('DeadlineBucketFull', 39, [], ['`MaxExpiredPerBlock` tasks already expire at this block: choose another deadline.']),
    v('NotEligibleExecutor', 40, [], ['The caller is not an eligible Lane 1 executor (staked, `Lane1Active`, role Director or Reserve).'])
  ],
  storage: [
    { name: 'NextTaskId', modifier: 'Default', type: 'u64', docs: [' The next task id.'] },
    { name: 'Tasks', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'TaskIntent', docs: [' Tasks by id (kept after settlement as history).'] },
    { name: 'Attestations', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u64', type: 'BoundedVec<TaskAttestation>', docs: [' Attestations of a submitted task.'] },
    { name: 'RequiredQuorum', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u64', type: 'u32', docs: [' Attestations a submitted task needs.'] },
    { name: 'VerificationDeadline', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u64', type: 'u32', docs: [' The last block at which a submitted task can be attested.'] },
    { name: 'PendingVerificationTasks', modifier: 'Default', type: 'BoundedVec<u64>', docs: [' Submitted tasks in submission order (so in verification-deadline order).'] },
    { name: 'OpenLane0Tasks', modifier: 'Default', type: 'BoundedVec<u64>', docs: [' Open Lane 0 tasks, oldest first: each slot takes the first.'] },
    { name: 'OpenLane1Tasks', modifier: 'Default', type: 'BoundedVec<u64>', docs: [' Open Lane 1 tasks: higher priority first, then earlier deadline, then lower id.'] },
    { name: 'AssignedLane1Tasks', modifier: 'Default', type: 'BoundedVec<u64>', docs: [' Claimed Lane 1 tasks without a submitted result.'] },
    { name: 'RendererRegistry', modifier: 'Default', type: 'BTreeMap<BoundedVec<u8>, RendererInfo>', docs: [' Registered renderers by id.'] },
    { name: 'SlotTasks', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'u64', docs: [' The Lane 0 task a slot\'s leader executes (kept after a certified settlement, removed after an uncertified one).'] },
    { name: 'ExpiringTasks', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'BoundedVec<u64>', docs: [' Tasks whose deadline is a block (at most `MaxExpiredPerBlock`); emptied by that block\'s `on_initialize`.'] }
  ],
  constants: [
    c('MaxPendingTasks', 'u32', K.maxPendingTasks, 'Open tasks per lane queue.'),
    c('MaxAssignedLane1Tasks', 'u32', K.maxAssignedLane1Tasks, 'Claimed Lane 1 tasks without a result.'),
    c('MaxExpiredPerBlock', 'u32', K.maxExpiredPerBlock, 'Tasks that may expire at one block.'),
    c('MaxModelIdLen', 'u32', K.maxModelIdLen, 'Longest renderer id.'),
    c('MaxCidLen', 'u32', K.maxCidLen, 'Longest CID.'),
    c('MaxRegisteredRenderers', 'u32', K.maxRegisteredRenderers, 'Renderers in the registry.'),
    c('MaxLane0LatencyMs', 'u32', K.maxLane0LatencyMs, 'Highest Lane 0 renderer latency (ms).'),
    c('MaxLane1LatencyMs', 'u32', K.maxLane1LatencyMs, 'Highest Lane 1 renderer latency (ms).'),
    c('MaxRendererVramMb', 'u32', K.maxRendererVramMb, 'Most VRAM a renderer may need (MB).'),
    c('MinEscrow', 'u128', K.minEscrow, 'Smallest escrow of a task.'),
    c('MaxAttestations', 'u32', K.maxAttestations, 'Attestations per task.'),
    c('MaxPendingVerifications', 'u32', K.maxPendingVerifications, 'Results awaiting verification.'),
    c('VerificationQuorum', 'u32', K.verificationQuorum, 'Attestations that settle a result.'),
    c('VerificationPeriod', 'u32', K.verificationPeriod, 'Blocks validators have to attest a result.'),
    c('MinAttestationScore', 'u8', K.minAttestationScore, 'Lowest average score that verifies a result.'),
    c('VerificationFailureSlash', 'u128', K.verificationFailureSlash, 'Slashed from an executor whose result scores too low.'),
    c('TaskAbandonmentSlash', 'u128', K.taskAbandonmentSlash, 'Slashed from an executor that gives up or lets its claimed Lane 1 task expire.'),
    c('MaxVerificationExpiriesPerBlock', 'u32', K.maxVerificationExpiriesPerBlock, 'Pending verifications examined per block.'),
    c('RecipeLifetimeBlocks', 'u32', K.recipeLifetimeBlocks, 'Blocks a recipe waits for a certified slot before it is refunded.'),
    c('ScheduleLookaheadSlots', 'u64', K.scheduleLookaheadSlots, 'At slot S\'s first block the oldest open recipe is scheduled for slot S + this.'),
    c('SettlementGraceSlots', 'u64', K.settlementGraceSlots, 'At slot S\'s first block an uncertified recipe of slot S - this is settled.'),
    { name: 'Lane0RendererId', type: 'Vec<u8>', bytes: u8aConcat(compactToU8a(LANE0_RENDERER_ID.length), stringToU8a(LANE0_RENDERER_ID)), docs: [' The built-in Lane 0 renderer recipes run on.'] }
  ],
  docs: ['An escrowed task market: Lane 0 recipes scheduled by slots and settled by certificates; Lane 1 tasks claimed by executors and verified by attestations.']
}
