// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnBft (index 53): slot certificates as unsigned extrinsics, checked against the registered
 * session keys, and the consensus-round archive.
 *
 * Fixes of `reference/nsn-chain.md` section 13:
 * - weakness 4: a certificate is `BftThreshold` (3) signed Accept attestations (strict Ed25519, as
 *   `src/core/wire/signing.ts`) by distinct members of the slot's epoch committee under their
 *   CURRENT session keys, over one (channel, slot, content root, leader); the leader key must be
 *   the current key of a committee member (the slot's leader or one of its fallbacks: every member
 *   is in the fallback order) and the leader's own attestation does not count. Only the first
 *   certificate of a slot is stored; later ones are refused as `Stale` (harmless duplicates). A
 *   slot can be certified from `CertificateLeadSlots` slots before it starts (content is generated
 *   ahead of air time, DESIGN.md "Lane 0") until `CertificateWindowBlocks` after its first block
 *   (so only slots of the current or the previous epoch), never further ahead.
 * - weakness 5: reputation (`DirectorSlotAccepted`), treasury work (`recordDirectorWork` for the
 *   leader, `recordValidatorWork` for each attester) go to the leader and the attesters only.
 * - weakness 6: a certificate is final when it is stored (challenges are resolved at once from
 *   evidence), so nothing waits for an `on_finalize` scan that could skip slots once there are many.
 * - weakness 10: the pallet is fed by certificates, not Root; the statistics average counts
 *   successful rounds only; failed rounds (a window that closed without a certificate, at most one
 *   slot per block) are recorded; pruning walks slots in order from `PruneCursor`,
 *   `MaxPrunePerBlock` per block.
 *
 * `validate_unsigned` (pool and block) refuses with: `Call` for a malformed certificate, a slot
 * outside the window or an epoch without a committee; `BadProof` for a bad signature, a signer
 * that is not a committee member with that current key (or is the leader), a leader key that is
 * not a member's, a `Reject` verdict, or fewer than 3 valid Accept attestations; `Stale` when the
 * slot is already certified. Dispatch re-checks everything with the named module errors.
 */
import { u8aToHex } from '@polkadot/util'
import { decodeCertificate, verifyAttestation } from '../../core/wire/index.ts'
import { BFT_CONSTANTS as K } from '../metadata/pallets/nsn-bft.ts'
import { DIRECTOR_CONSTANTS } from '../metadata/pallets/nsn-director.ts'
import { BLOCKS_PER_SLOT, epochOfSlot, slotStartBlock } from '../metadata/pallets/timing.ts'
import { DispatchModuleError, InvalidTransactionError } from '../runtime.ts'
import type { Certificate } from '../../core/wire/index.ts'
import type { InvalidReason } from '../runtime.ts'
import type { PalletHooks, UnsignedValidity } from '../hooks.ts'
import { committeeOf, memberWithKey } from './nsn-director.ts'
import { recordReputationEvent } from './nsn-reputation.ts'
import { settleLane0Task } from './nsn-task-market.ts'
import { recordDirectorWork, recordValidatorWork } from './nsn-treasury.ts'
import { ensureNone } from './origin.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

const PALLET = 'NsnBft'

interface NumCodec { toNumber(): number }
interface BigCodec { toBigInt(): bigint }

/** A certificate check that failed: the pool's reason and the dispatch error. */
export class CertificateRejection extends Error {
  static override name = 'CertificateRejection'
  readonly reason: InvalidReason
  readonly error: string
  constructor (reason: InvalidReason, error: string) {
    super(`${PALLET}.${error} (${reason})`)
    this.name = 'CertificateRejection'
    this.reason = reason
    this.error = error
  }
}

/** A certificate that passed every check. */
export interface CheckedCertificate {
  certificate: Certificate
  leader: string
  /** The counted attesters' accounts, in the certificate's order. */
  attesters: string[]
}

const now = (rt: DevRuntime, view: StorageView): number => rt.read<NumCodec>(view, 'system', 'number').toNumber()
const has = (rt: DevRuntime, view: StorageView, method: string, ...keys: unknown[]): boolean => view.get(rt.key('nsnBft', method, ...keys)) != null

/** Checks a certificate (its SCALE bytes, which are the wire encoding) at block `n`. Throws `CertificateRejection`. */
export function checkCertificate (rt: DevRuntime, view: StorageView, bytes: Uint8Array, n: number): CheckedCertificate {
  let certificate: Certificate
  try {
    certificate = decodeCertificate(bytes)
  } catch {
    throw new CertificateRejection('Call', 'MalformedCertificate')
  }
  const { slot } = certificate
  const start = slotStartBlock(slot)
  if (n + K.certificateLeadSlots * BLOCKS_PER_SLOT < start || n > start + K.certificateWindowBlocks) throw new CertificateRejection('Call', 'SlotOutsideWindow')
  if (has(rt, view, 'certificates', slot)) throw new CertificateRejection('Stale', 'SlotAlreadyCertified')
  const committee = committeeOf(rt, view, epochOfSlot(slot))
  if (committee.length === 0) throw new CertificateRejection('Call', 'NoCommittee')
  const leader = memberWithKey(rt, view, committee, certificate.leader)
  if (leader == null) throw new CertificateRejection('BadProof', 'LeaderNotInCommittee')
  const attesters: string[] = []
  for (const signed of certificate.attestations) {
    if (signed.attestation.verdict !== 'accept' || !verifyAttestation(signed)) throw new CertificateRejection('BadProof', 'InvalidAttestation')
    const member = memberWithKey(rt, view, committee, signed.attestation.attester)
    if (member == null || member === leader) throw new CertificateRejection('BadProof', 'NotCommitteeMember')
    attesters.push(member)
  }
  // distinct keys (the decoder) of distinct accounts (one current key per account)
  if (new Set(attesters).size < DIRECTOR_CONSTANTS.bftThreshold) throw new CertificateRejection('BadProof', 'InsufficientAttestations')
  return { certificate, leader, attesters }
}

/** The call argument's SCALE bytes (equal to the wire encoding of the certificate). */
const certificateBytes = (arg: CallArg | undefined): Uint8Array => (arg?.toU8a as () => Uint8Array).call(arg)

/** `validate_unsigned` of `submit_certificate` (see the file header for the reasons). */
function validateUnsigned (rt: DevRuntime, view: StorageView, method: string, args: CallArg[]): UnsignedValidity {
  if (method !== 'submitCertificate') throw new InvalidTransactionError('Call')
  try {
    const { certificate } = checkCertificate(rt, view, certificateBytes(args[0]), now(rt, view))
    return { provides: `nsnBft/certificate/${certificate.slot}`, priority: 100 }
  } catch (err) {
    if ((err as Error).name !== CertificateRejection.name) throw err
    throw new InvalidTransactionError((err as CertificateRejection).reason, { cause: err })
  }
}

interface Stats { totalRounds: bigint, successfulRounds: bigint, failedRounds: bigint, averageDirectorsAgreeing: number }

function stats (rt: DevRuntime, view: StorageView): Stats {
  const s = rt.read<{ totalRounds: BigCodec, successfulRounds: BigCodec, failedRounds: BigCodec, averageDirectorsAgreeing: NumCodec }>(view, 'nsnBft', 'consensusRoundStats')
  return { totalRounds: s.totalRounds.toBigInt(), successfulRounds: s.successfulRounds.toBigInt(), failedRounds: s.failedRounds.toBigInt(), averageDirectorsAgreeing: s.averageDirectorsAgreeing.toNumber() }
}

function submitCertificate (rt: DevRuntime, view: StorageView, arg: CallArg | undefined): EventToEmit[] {
  const n = now(rt, view)
  let checked: CheckedCertificate
  try {
    checked = checkCertificate(rt, view, certificateBytes(arg), n)
  } catch (err) {
    if ((err as Error).name !== CertificateRejection.name) throw err
    throw new DispatchModuleError(PALLET, (err as CertificateRejection).error)
  }
  const { certificate: c, leader, attesters } = checked
  // hex: polkadot-js reads a Uint8Array given for `Vec<u8>` as SCALE (length-prefixed)
  const channel = u8aToHex(new TextEncoder().encode(c.channel))
  rt.write(view, { channel, contentRoot: c.contentRoot, leader: c.leader, leaderAccount: leader, attesters, certifiedAt: n }, 'nsnBft', 'certificates', c.slot)
  rt.write(view, c.contentRoot, 'nsnBft', 'embeddingsHashes', c.slot)
  rt.write(view, { slot: c.slot, embeddingsHash: c.contentRoot, directors: [leader, ...attesters], timestamp: n, success: true }, 'nsnBft', 'consensusRounds', c.slot)
  // weakness 10: the average is over successful rounds only
  const s = stats(rt, view)
  const successful = s.successfulRounds + 1n
  const average = (BigInt(s.averageDirectorsAgreeing) * s.successfulRounds + BigInt(attesters.length * 100)) / successful
  rt.write(view, { ...s, totalRounds: s.totalRounds + 1n, successfulRounds: successful, averageDirectorsAgreeing: Number(average) }, 'nsnBft', 'consensusRoundStats')
  const events: EventToEmit[] = [
    { pallet: PALLET, name: 'ConsensusStored', data: [c.slot, c.contentRoot, true] },
    { pallet: PALLET, name: 'CertificateAccepted', data: [c.slot, c.contentRoot, leader, attesters] },
    { pallet: 'NsnDirector', name: 'BftConsensusFinalized', data: [c.slot] }
  ]
  // weakness 5: the leader and the attesters only
  for (const who of [leader, ...attesters]) events.push(...recordReputationEvent(rt, view, who, 'DirectorSlotAccepted', c.slot))
  events.push(...recordDirectorWork(rt, view, leader, 1n))
  for (const who of attesters) events.push(...recordValidatorWork(rt, view, who, 1n))
  events.push(...settleLane0Task(rt, view, c.slot, true, leader))
  return events
}

/** Records a failed round for the slot whose certificate window closed at the previous block (one slot per block at most). */
function onInitialize (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const closedAt = n - K.certificateWindowBlocks - 1
  if (closedAt < 0 || closedAt % BLOCKS_PER_SLOT !== 0) return []
  const slot = BigInt(closedAt / BLOCKS_PER_SLOT)
  if (has(rt, view, 'consensusRounds', slot) || committeeOf(rt, view, epochOfSlot(slot)).length === 0) return []
  const zero = new Uint8Array(32)
  rt.write(view, { slot, embeddingsHash: zero, directors: [], timestamp: n, success: false }, 'nsnBft', 'consensusRounds', slot)
  const s = stats(rt, view)
  rt.write(view, { ...s, totalRounds: s.totalRounds + 1n, failedRounds: s.failedRounds + 1n }, 'nsnBft', 'consensusRoundStats')
  return [{ pallet: PALLET, name: 'ConsensusStored', data: [slot, zero, false] }]
}

/** Prunes rounds and certificates older than `RetentionPeriod` (and past their window), at most `MaxPrunePerBlock` slots per block, in slot order. */
function onFinalize (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const retention = rt.read<NumCodec>(view, 'nsnBft', 'retentionPeriod').toNumber()
  if (n <= retention) return []
  // never a slot whose certificate window is still open (its failed round is recorded when it closes)
  const cutoff = BigInt(Math.max(0, Math.floor(Math.min(n - retention, n - K.certificateWindowBlocks - 1) / BLOCKS_PER_SLOT)))
  const start = rt.read<BigCodec>(view, 'nsnBft', 'pruneCursor').toBigInt()
  let cursor = start
  let count = 0
  for (; cursor < cutoff && cursor - start < BigInt(K.maxPrunePerBlock); cursor++) {
    const found = has(rt, view, 'consensusRounds', cursor) || has(rt, view, 'certificates', cursor)
    for (const method of ['certificates', 'embeddingsHashes', 'consensusRounds']) view.set(rt.key('nsnBft', method, cursor), null)
    if (found) count++
  }
  if (cursor === start) return []
  rt.write(view, cursor, 'nsnBft', 'pruneCursor')
  return count > 0 ? [{ pallet: PALLET, name: 'ConsensusPruned', data: [cursor, count] }] : []
}

/**
 * Dispatches `nsnBft.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnBft (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  switch (method) {
    case 'submitCertificate':
      ensureNone(origin)
      return submitCertificate(rt, view, args[0])
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnBftHooks: PalletHooks = { onInitialize, onFinalize, validateUnsigned }
