// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnDirector (index 52): the epoch committee, session keys and evidence-backed challenges.
 *
 * Fixes of `reference/nsn-chain.md` section 13:
 * - weakness 1: ONE election per epoch. The committee of epoch e (`EpochCommittees[e]`) serves every
 *   slot of the epoch; slot s is led by `committee[s mod len]`, the following members being its
 *   fallbacks in order (`slotLeader`, `slotLeaders`). There is no per-slot election.
 * - weakness 2: the cooldown is counted in epochs: members of epochs e-`CooldownEpochs`..e-1 sit out
 *   epoch e. It never leaves fewer than `CommitteeSize` electable candidates: cooled-down
 *   candidates are re-admitted in an order drawn from the epoch seed until enough are electable.
 * - weakness 3 (documented, not solved): the randomness is
 *   `blake2b-256(parent block hash ++ epoch id u64 LE)` (`RANDOMNESS_SOURCE`, also a metadata
 *   constant). It is NOT a VRF: the author of the block that runs the election can grind it, and on
 *   the dev chain the single author can predict it. Jitter and draws are blake2b-256 sub-streams of
 *   that seed (no weak LCG).
 * - weakness 4/5/29: no signer-less `submit_bft_result` and no Root `resolve_challenge`. Certificates
 *   (NsnBft) carry session-key signatures; a challenge carries signed evidence (equivocation or a
 *   root mismatch) that is verified on chain and resolved at once, punishing only the signer of the
 *   evidence. Semantic disputes (the clip does not match its recipe: no signature proves that) go to
 *   a committee vote: `open_dispute` reserves `DisputeBond` within `ChallengePeriodBlocks` of the
 *   certification; the committee serving at that moment, minus the slot's leader and attesters (who
 *   already judged), votes once each with `vote_dispute`; a majority of them decides at once. Upheld:
 *   the leader and attesters get `DirectorSlotRejected` (reputation only: a judgement is not proof,
 *   so nobody is slashed) and the bond is returned. Rejected, or undecided after
 *   `DisputeVotingBlocks`: the bond is burned. The certificate itself stays.
 * - weakness 7: a candidate needs a Director-tier role, a stake of at least `MinStakeDirector` and a
 *   registered session key; roles written back never promote an account below the minimum.
 * - weakness 8: the On-Deck election (first block of slot `SlotsPerEpoch - ElectionLookaheadSlots`
 *   of epoch e, for epoch e+1) leaves live directors untouched; only on-deck accounts not serving now
 *   switch to `Draining`/`Reserve`. The switch happens at the first block of epoch e+1.
 * - weakness 9: with fewer electable candidates than `CommitteeSize` (or a region cap that blocks
 *   the rest), the committee is short and `CommitteeShort` says so; certificates still need
 *   `BftThreshold` attesters other than the leader, so a committee under 4 cannot certify.
 *
 * Timing (dev profile, `timing.ts`): epoch e is blocks [60e, 60e+59]; the On-Deck election for e+1
 * runs at block 60e+40 (two slots ahead, so the leader of the next epoch's first slot has the
 * generation lead of DESIGN.md, and NsnTaskMarket, which schedules 2 slots ahead, finds a leader);
 * the transition at block 60(e+1). Epoch 0 is elected at genesis.
 *
 * Session keys: `register_session_key` needs a stake (`NotStaked`) and a strict Ed25519 proof over
 * `nsn/session-key/2 ++ account id`. A rotation takes effect at once, also for a serving member: its
 * certificates must then carry the new key (the case of a browser that lost its key). Every key
 * ever registered keeps its owner in `SessionKeyOwners` and can never be registered by another
 * account.
 *
 * Evidence: equivocation (one key signing two different segment headers for one (channel, slot,
 * sequence), or two attestations for one (channel, slot) with a different root or verdict) is
 * accepted for slots of the last `EvidenceRetentionEpochs` epochs; root mismatch (the certified
 * leader's signed headers of a certified slot, init first then consecutive media sequences, whose
 * content root differs from the certified one) within `ChallengePeriodBlocks` of certification.
 * Limit of root mismatch: wire v2 headers do not say which segment is a clip's last, so a prefix of
 * an honest clip also has a different root; only challenge with the full clip (a wire v3 should
 * commit the segment count in the attestation). The signer must have been on the slot's epoch
 * committee. One punishment per (signer, slot); each evidence hash is used once (`UsedEvidence` is
 * not pruned on this dev chain). A slashed member stays listed on its committee for the rest of the
 * epoch (the slot rotation does not shift) but, below `MinStakeDirector`, its signatures no longer
 * count for certificates; an upheld root mismatch does not remove the slot's certificate.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { Keyring } from '@polkadot/keyring'
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { cryptoWaitReady, decodeAddress, xxhashAsU8a } from '@polkadot/util-crypto'
import { equalBytes } from '../../core/bytes.ts'
import { blake2b256, contentRoot, decodeSignedAttestation, decodeSignedSegmentHeader, encodeSegmentHeader, verifyAttestation, verifySegmentHeader } from '../../core/wire/index.ts'
import { DIRECTOR_CONSTANTS as K, SESSION_KEY_DOMAIN } from '../metadata/pallets/nsn-director.ts'
import { NSN, STAKE_CONSTANTS } from '../metadata/pallets/nsn-stake.ts'
import { BLOCKS_PER_EPOCH, BLOCKS_PER_SLOT, SLOTS_PER_EPOCH, epochOfSlot, slotOfBlock } from '../metadata/pallets/timing.ts'
import { DispatchModuleError } from '../runtime.ts'
import type { NodeRole, Region } from '../metadata/pallets/nsn-stake.ts'
import type { SignedAttestation, SignedSegmentHeader } from '../../core/wire/index.ts'
import type { PalletHooks } from '../hooks.ts'
import { burnReserved, mint, reserve, unreserve } from './currency.ts'
import { recordReputationEvent, reputationTotalOf } from './nsn-reputation.ts'
import { setModeAndRole, slashStake, stakeOf } from './nsn-stake.ts'
import { big, ensureSigned } from './origin.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

const PALLET = 'NsnDirector'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)
const DIRECTOR_ROLES: readonly NodeRole[] = ['Director', 'ActiveDirector', 'Reserve']
const U64 = (1n << 64n) - 1n
/** Candidate weights are isqrt(reputation + 1) in this fixed point. */
const WEIGHT_SCALE = 100n

interface Stringish { toString(): string }
interface NumCodec { toNumber(): number }
interface BigCodec { toBigInt(): bigint }
interface U8aCodec { toU8a(bare?: boolean): Uint8Array }

/** The epoch as stored in `CurrentEpoch`. */
export interface EpochInfo { id: bigint, startBlock: number, endBlock: number, directors: string[] }

// ---------------------------------------------------------------------------------------------
// storage access

const has = (rt: DevRuntime, view: StorageView, method: string, ...keys: unknown[]): boolean => view.get(rt.key('nsnDirector', method, ...keys)) != null
const put = (rt: DevRuntime, view: StorageView, value: unknown, method: string, ...keys: unknown[]): void => { rt.write(view, value, 'nsnDirector', method, ...keys) }
const now = (rt: DevRuntime, view: StorageView): number => rt.read<NumCodec>(view, 'system', 'number').toNumber()

/** The committee of `epoch` in leader-rotation order (empty when none was elected or it was pruned). */
export function committeeOf (rt: DevRuntime, view: StorageView, epoch: bigint): string[] {
  if (epoch < 0n) return []
  return [...rt.read<Iterable<Stringish>>(view, 'nsnDirector', 'epochCommittees', epoch)].map(a => a.toString())
}

/** The epoch now running, if any. */
export function currentEpoch (rt: DevRuntime, view: StorageView): EpochInfo | undefined {
  if (!has(rt, view, 'currentEpoch')) return undefined
  const e = rt.read<{ id: BigCodec, startBlock: NumCodec, endBlock: NumCodec, directors: Iterable<Stringish> }>(view, 'nsnDirector', 'currentEpoch')
  return { id: e.id.toBigInt(), startBlock: e.startBlock.toNumber(), endBlock: e.endBlock.toNumber(), directors: [...e.directors].map(a => a.toString()) }
}

/** `who`'s current session key. */
export function sessionKeyOf (rt: DevRuntime, view: StorageView, who: string): Uint8Array | undefined {
  if (!has(rt, view, 'sessionKeys', who)) return undefined
  return rt.read<U8aCodec>(view, 'nsnDirector', 'sessionKeys', who).toU8a()
}

/** The account that registered `key` (now or before a rotation). */
export function sessionKeyOwner (rt: DevRuntime, view: StorageView, key: Uint8Array): string | undefined {
  if (!has(rt, view, 'sessionKeyOwners', key)) return undefined
  return rt.read<Stringish>(view, 'nsnDirector', 'sessionKeyOwners', key).toString()
}

/**
 * The committee member whose CURRENT session key is `key`, if `key` is one and the member still
 * holds `MinStakeDirector` (a member slashed for upheld evidence no longer signs for its committee).
 */
export function memberWithKey (rt: DevRuntime, view: StorageView, committee: readonly string[], key: Uint8Array): string | undefined {
  const owner = sessionKeyOwner(rt, view, key)
  if (owner == null || !committee.includes(owner)) return undefined
  const current = sessionKeyOf(rt, view, owner)
  if (current == null || !equalBytes(current, key)) return undefined
  return stakeOf(rt, view, owner).amount >= STAKE_CONSTANTS.minStakeDirector ? owner : undefined
}

/** Every account with an NsnStake `Stakes` entry, sorted (the map prefix is computed here: `rt.key` needs a key). */
function stakedAccounts (rt: DevRuntime, view: StorageView): string[] {
  const prefix = u8aToHex(u8aConcat(xxhashAsU8a('NsnStake', 128), xxhashAsU8a('Stakes', 128)))
  return view.keys(prefix).map(k => rt.registry.createType('AccountId32', hexToU8a(`0x${k.slice(-64)}`)).toString()).sort()
}

/**
 * The accounts that lead `slot`, leader first then its fallbacks in order: the slot's epoch
 * committee rotated by `slot mod len`. Empty when that epoch has no committee.
 */
export function slotLeaders (rt: DevRuntime, view: StorageView, slot: bigint): string[] {
  const committee = committeeOf(rt, view, epochOfSlot(slot))
  if (committee.length === 0) return []
  const first = Number(slot % BigInt(committee.length))
  return [...committee.slice(first), ...committee.slice(0, first)]
}

/**
 * The account that leads `slot`: the slot's epoch committee in rotation (`committee[slot mod len]`,
 * fallbacks in committee order after it), or undefined when that epoch has no committee.
 * Used by NsnTaskMarket (which recipe task a slot's leader executes) and NsnBft.
 */
export function slotLeader (rt: DevRuntime, view: StorageView, slot: bigint): string | undefined {
  return slotLeaders(rt, view, slot)[0]
}

// ---------------------------------------------------------------------------------------------
// election

/** Integer square root (Newton), as the reference's `isqrt`. */
export function isqrt (n: bigint): bigint {
  if (n < 2n) return n
  let x = n
  let y = (x + 1n) / 2n
  while (y < x) {
    x = y
    y = (x + n / x) / 2n
  }
  return x
}

const u64le = (x: bigint): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, x & U64, true)
  return out
}
const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)
const readU32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true)

/** The election seed of `epoch`: blake2b-256(parent block hash ++ epoch u64 LE). Not a VRF (see the file header). */
export function electionSeed (parentHash: Uint8Array, epoch: bigint): Uint8Array {
  return blake2b256(u8aConcat(parentHash, u64le(epoch)))
}

const stream = (seed: Uint8Array, tag: string, data: Uint8Array): Uint8Array => blake2b256(u8aConcat(seed, stringToU8a(tag), data))

interface Candidate { who: string, region: Region, weight: bigint }

/** Electable candidates: Director-tier role, stake ≥ MinStakeDirector, a session key (weakness 7). */
function candidates (rt: DevRuntime, view: StorageView, seed: Uint8Array, events: EventToEmit[]): Candidate[] {
  const out: Candidate[] = []
  for (const who of stakedAccounts(rt, view)) {
    const s = stakeOf(rt, view, who)
    if (!DIRECTOR_ROLES.includes(s.role) || s.amount < STAKE_CONSTANTS.minStakeDirector || !has(rt, view, 'sessionKeys', who)) continue
    const { total, events: decay } = reputationTotalOf(rt, view, who)
    events.push(...decay)
    // ×100 fixed point: the reference's integer weights of 1 (no reputation) halve to 0 at the
    // first member of a region, which cut committees short (weakness 9)
    const base = isqrt(total + 1n) * WEIGHT_SCALE
    const span = BigInt(2 * K.jitterPercent)
    const jitter = BigInt(readU32(stream(seed, 'jitter', decodeAddress(who)))) % span - BigInt(K.jitterPercent)
    const weight = base * (100n + jitter) / 100n
    out.push({ who, region: s.region, weight: weight < 1n ? 1n : weight })
  }
  return out
}

/**
 * Elects the committee of `epoch` from `seed`: candidates weighted by isqrt(reputation + 1) with
 * ±20 % jitter; per round the weight doubles for a region with no member yet, halves with one, and
 * is 0 with `MaxDirectorsPerRegion`; cooled-down members (weakness 2) are re-admitted in seed order
 * while fewer than `CommitteeSize` are electable or the region cap blocks every remaining one.
 */
export function electCommittee (rt: DevRuntime, view: StorageView, epoch: bigint, seed: Uint8Array): { committee: string[], events: EventToEmit[] } {
  const events: EventToEmit[] = []
  const all = candidates(rt, view, seed, events)
  const cooled = new Set<string>()
  for (let i = 1n; i <= BigInt(K.cooldownEpochs); i++) for (const m of committeeOf(rt, view, epoch - i)) cooled.add(m)
  const pool = all.filter(c => !cooled.has(c.who))
  const readmit = all.filter(c => cooled.has(c.who))
    .map(c => ({ c, order: u8aToHex(stream(seed, 'readmit', decodeAddress(c.who))) }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(x => x.c)
  while (pool.length < K.committeeSize && readmit.length > 0) pool.push(readmit.shift() as Candidate)
  const picked: Candidate[] = []
  const perRegion = new Map<Region, number>()
  const adjusted = (c: Candidate): bigint => {
    const n = perRegion.get(c.region) ?? 0
    return n >= K.maxDirectorsPerRegion ? 0n : n === 0 ? c.weight * 2n : c.weight / 2n
  }
  for (let round = 0; picked.length < K.committeeSize; round++) {
    const weights = pool.map(adjusted)
    const total = weights.reduce((a, b) => a + b, 0n)
    if (total === 0n) {
      if (readmit.length === 0) break
      pool.push(readmit.shift() as Candidate)
      continue
    }
    let pick = readU64(stream(seed, 'draw', u64le(BigInt(round)))) % total
    let index = 0
    for (; index < pool.length; index++) {
      const w = weights[index] as bigint
      if (pick < w) break
      pick -= w
    }
    const [chosen] = pool.splice(index, 1) as [Candidate]
    picked.push(chosen)
    perRegion.set(chosen.region, (perRegion.get(chosen.region) ?? 0) + 1)
  }
  return { committee: picked.map(c => c.who), events }
}

const lane0 = (end: number): unknown => ({ Lane0Active: { epochEnd: end } })
const epochStart = (e: bigint): number => Number(e) * BLOCKS_PER_EPOCH
const epochEnd = (e: bigint): number => epochStart(e) + BLOCKS_PER_EPOCH - 1

/** Elects `epoch`'s committee, stores it and reports it (`DirectorsElected`, and `CommitteeShort` when short). */
function elect (rt: DevRuntime, view: StorageView, epoch: bigint): { committee: string[], events: EventToEmit[] } {
  const parent = rt.read<U8aCodec>(view, 'system', 'parentHash').toU8a()
  const { committee, events } = electCommittee(rt, view, epoch, electionSeed(parent, epoch))
  put(rt, view, committee, 'epochCommittees', epoch)
  events.push({ pallet: PALLET, name: 'DirectorsElected', data: [epoch, committee] })
  if (committee.length < K.committeeSize) events.push({ pallet: PALLET, name: 'CommitteeShort', data: [epoch, committee.length] })
  return { committee, events }
}

/** Starts `epoch` with its (elected) committee: modes and roles, `CurrentEpoch`, `EpochStarted`. */
function startEpoch (rt: DevRuntime, view: StorageView, epoch: bigint, committee: string[]): EventToEmit[] {
  const end = epochEnd(epoch)
  const events: EventToEmit[] = []
  for (const who of committee) {
    // weakness 7: never (re)activate an account that no longer holds the director minimum
    if (stakeOf(rt, view, who).amount >= STAKE_CONSTANTS.minStakeDirector) events.push(...setModeAndRole(rt, view, who, lane0(end), 'ActiveDirector'))
  }
  put(rt, view, { id: epoch, startBlock: epochStart(epoch), endBlock: end, directors: committee }, 'currentEpoch')
  events.push({ pallet: PALLET, name: 'EpochStarted', data: [epoch, committee, end] })
  return events
}

/** The On-Deck election of `epoch` (weakness 8: serving members keep their mode until the transition). */
function onDeck (rt: DevRuntime, view: StorageView, epoch: bigint, serving: readonly string[]): EventToEmit[] {
  const { committee, events } = elect(rt, view, epoch)
  for (const who of committee) {
    if (!serving.includes(who)) events.push(...setModeAndRole(rt, view, who, { Draining: { epochStart: epochStart(epoch) } }, 'Reserve'))
  }
  events.push({ pallet: PALLET, name: 'OnDeckElection', data: [epoch, committee, epochStart(epoch)] })
  return events
}

/** The transition to `next` at its first block: outgoing members back to Lane 1, incoming to Lane 0. */
function transition (rt: DevRuntime, view: StorageView, current: EpochInfo, next: bigint): EventToEmit[] {
  const events: EventToEmit[] = [{ pallet: PALLET, name: 'EpochCompleted', data: [current.id] }]
  let committee = committeeOf(rt, view, next)
  if (committee.length === 0) {
    const elected = elect(rt, view, next)
    committee = elected.committee
    events.push(...elected.events)
  }
  for (const who of current.directors) {
    if (committee.includes(who)) continue
    const s = stakeOf(rt, view, who)
    // weakness 7: an account below the minimum keeps the role the stake pallet gave it
    const role: NodeRole = DIRECTOR_ROLES.includes(s.role) && s.amount >= STAKE_CONSTANTS.minStakeDirector ? 'Director' : s.role
    events.push(...setModeAndRole(rt, view, who, 'Lane1Active', role))
  }
  events.push(...startEpoch(rt, view, next, committee))
  // committees are kept for the evidence retention: one removal per transition
  const old = next - BigInt(K.evidenceRetentionEpochs)
  if (old >= 0n) view.set(rt.key('nsnDirector', 'epochCommittees', old), null)
  return events
}

function onInitialize (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const epoch = BigInt(Math.floor(n / BLOCKS_PER_EPOCH))
  const current = currentEpoch(rt, view)
  if (current == null) {
    // no genesis committee (a genesis without candidates): start the running epoch now
    const { committee, events } = elect(rt, view, epoch)
    return [...events, ...startEpoch(rt, view, epoch, committee)]
  }
  const events: EventToEmit[] = expireDisputes(rt, view, n)
  if (epoch > current.id) events.push(...transition(rt, view, current, epoch))
  const onDeckBlock = (SLOTS_PER_EPOCH - K.electionLookaheadSlots) * BLOCKS_PER_SLOT
  if (n % BLOCKS_PER_EPOCH === onDeckBlock && committeeOf(rt, view, epoch + 1n).length === 0) {
    events.push(...onDeck(rt, view, epoch + 1n, currentEpoch(rt, view)?.directors ?? []))
  }
  return events
}

// ---------------------------------------------------------------------------------------------
// dev genesis

/** A dev director: DEV KEYS ONLY (public derivations), never use outside the dev chain. */
export interface DevDirector {
  name: string
  /** sr25519 account URI (`//Director1` …). */
  uri: string
  address: string
  /** Ed25519 session seed: blake2b-256(ASCII `nsn-dev-session//DirectorN`). */
  sessionSecret: Uint8Array
  sessionPublic: Uint8Array
  region: Region
}

/** The dev directors' regions: two each in NaWest, EuWest and Apac. */
export const DEV_DIRECTOR_REGIONS: readonly Region[] = ['NaWest', 'NaWest', 'EuWest', 'EuWest', 'Apac', 'Apac']
/** Free balance minted to each dev director at genesis (before its stake is reserved). */
export const DEV_DIRECTOR_ENDOWMENT = 10_000n * NSN
/** Each dev director's genesis stake: exactly `MinStakeDirector` (keeps the dev total under the region-cap threshold). */
export const DEV_DIRECTOR_STAKE = STAKE_CONSTANTS.minStakeDirector

/**
 * The dev director candidates //Director1 … //Director6 with their session keys. DEV KEYS ONLY:
 * both the account URIs and the session-seed derivation are public.
 */
export async function devDirectors (): Promise<DevDirector[]> {
  await cryptoWaitReady()
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  return DEV_DIRECTOR_REGIONS.map((region, i) => {
    const name = `Director${i + 1}`
    const sessionSecret = blake2b256(stringToU8a(`nsn-dev-session//${name}`))
    return { name, uri: `//${name}`, address: keyring.addFromUri(`//${name}`).address, sessionSecret, sessionPublic: ed25519.getPublicKey(sessionSecret), region }
  })
}

/** Dev genesis: funded, staked (reserved) director candidates with session keys, and epoch 0's committee. */
async function genesis (rt: DevRuntime, view: StorageView): Promise<void> {
  for (const d of await devDirectors()) {
    mint(rt, view, d.address, DEV_DIRECTOR_ENDOWMENT)
    reserve(rt, view, d.address, DEV_DIRECTOR_STAKE, fail('NotStaked'))
    rt.write(view, { amount: DEV_DIRECTOR_STAKE, lockedUntil: STAKE_CONSTANTS.minLockBlocks, role: 'Director', region: d.region, delegatedToMe: 0n }, 'nsnStake', 'stakes', d.address)
    const total = rt.read<BigCodec>(view, 'nsnStake', 'totalStaked').toBigInt()
    rt.write(view, total + DEV_DIRECTOR_STAKE, 'nsnStake', 'totalStaked')
    const region = rt.read<BigCodec>(view, 'nsnStake', 'regionStakes', d.region).toBigInt()
    rt.write(view, region + DEV_DIRECTOR_STAKE, 'nsnStake', 'regionStakes', d.region)
    put(rt, view, d.sessionPublic, 'sessionKeys', d.address)
    put(rt, view, d.address, 'sessionKeyOwners', d.sessionPublic)
  }
  const { committee } = elect(rt, view, 0n)
  startEpoch(rt, view, 0n, committee)
}

/** The pallet's hooks (see `hooks.ts`). */
export const nsnDirectorHooks: PalletHooks = { genesis, onInitialize }

// ---------------------------------------------------------------------------------------------
// calls

/** The bytes a session key signs to prove it is held for `account`: ASCII `nsn/session-key/2` ++ the 32-byte account id. */
export function sessionKeyProofBytes (account: string): Uint8Array {
  return u8aConcat(stringToU8a(SESSION_KEY_DOMAIN), decodeAddress(account))
}

function registerSessionKey (rt: DevRuntime, view: StorageView, who: string, key: Uint8Array, proof: Uint8Array): EventToEmit[] {
  if (stakeOf(rt, view, who).amount === 0n) throw fail('NotStaked')
  let valid = false
  try {
    // strict RFC 8032 verification, as the wire format's (src/core/wire/signing.ts)
    valid = ed25519.verify(proof, sessionKeyProofBytes(who), key, { zip215: false })
  } catch {
    valid = false
  }
  if (!valid) throw fail('InvalidSessionKeyProof')
  const owner = sessionKeyOwner(rt, view, key)
  if (owner != null && owner !== who) throw fail('SessionKeyInUse')
  const old = sessionKeyOf(rt, view, who)
  if (old != null && equalBytes(old, key)) throw fail('SessionKeyUnchanged')
  put(rt, view, key, 'sessionKeys', who)
  put(rt, view, who, 'sessionKeyOwners', key)
  return [old == null
    ? { pallet: PALLET, name: 'SessionKeyRegistered', data: [who, key] }
    : { pallet: PALLET, name: 'SessionKeyRotated', data: [who, old, key] }]
}

/** Decodes a wire object from the call argument's SCALE bytes; malformed → `InvalidEvidence`. */
function wire<T> (decode: (b: Uint8Array) => T, arg: U8aCodec): T {
  try {
    return decode(arg.toU8a())
  } catch {
    throw fail('InvalidEvidence')
  }
}

interface Verified { key: Uint8Array, kind: string }

function segmentEquivocation (a: SignedSegmentHeader, b: SignedSegmentHeader, slot: bigint): Verified {
  if (!verifySegmentHeader(a) || !verifySegmentHeader(b)) throw fail('InvalidEvidence')
  if (a.header.slot !== slot || b.header.slot !== slot) throw fail('EvidenceSlotMismatch')
  const same = equalBytes(a.header.producer, b.header.producer) && a.header.channel === b.header.channel && a.header.sequence === b.header.sequence
  if (!same || equalBytes(encodeSegmentHeader(a.header), encodeSegmentHeader(b.header))) throw fail('NotConflicting')
  return { key: a.header.producer, kind: 'SegmentEquivocation' }
}

function attestationEquivocation (a: SignedAttestation, b: SignedAttestation, slot: bigint): Verified {
  if (!verifyAttestation(a) || !verifyAttestation(b)) throw fail('InvalidEvidence')
  const [x, y] = [a.attestation, b.attestation]
  if (x.slot !== slot || y.slot !== slot) throw fail('EvidenceSlotMismatch')
  if (!equalBytes(x.attester, y.attester) || x.channel !== y.channel) throw fail('NotConflicting')
  if (equalBytes(x.contentRoot, y.contentRoot) && x.verdict === y.verdict) throw fail('NotConflicting')
  return { key: x.attester, kind: 'AttestationEquivocation' }
}

function rootMismatch (rt: DevRuntime, view: StorageView, headers: SignedSegmentHeader[], slot: bigint, n: number): Verified {
  if (view.get(rt.key('nsnBft', 'certificates', slot)) == null) throw fail('SlotNotCertified')
  const cert = rt.read<{ channel: U8aCodec & { toUtf8(): string }, contentRoot: U8aCodec, leader: U8aCodec, certifiedAt: NumCodec }>(view, 'nsnBft', 'certificates', slot)
  if (n > cert.certifiedAt.toNumber() + K.challengePeriodBlocks) throw fail('EvidenceExpired')
  const leader = cert.leader.toU8a()
  const channel = cert.channel.toUtf8()
  const init = headers[0]
  if (init == null || init.header.kind !== 'init' || headers.length > K.maxSegmentsPerClip) throw fail('InvalidEvidence')
  headers.forEach((h, i) => {
    if (!verifySegmentHeader(h)) throw fail('InvalidEvidence')
    if (h.header.slot !== slot) throw fail('EvidenceSlotMismatch')
    if (!equalBytes(h.header.producer, leader) || h.header.channel !== channel) throw fail('InvalidEvidence')
    if (i > 0 && (h.header.kind !== 'media' || !equalBytes(h.header.initHash, init.header.payloadHash) || h.header.sequence !== init.header.sequence + BigInt(i))) throw fail('InvalidEvidence')
  })
  if (equalBytes(contentRoot(headers.map(h => h.header.payloadHash)), cert.contentRoot.toU8a())) throw fail('RootMatches')
  return { key: leader, kind: 'RootMismatch' }
}

function challenge (rt: DevRuntime, view: StorageView, who: string, slot: bigint, evidence: CallArg & U8aCodec & { type: string, value: Record<string, unknown> }): EventToEmit[] {
  const n = now(rt, view)
  const value = evidence.value as unknown as { first: U8aCodec, second: U8aCodec, headers: Iterable<U8aCodec> }
  let verified: Verified
  switch (evidence.type) {
    case 'SegmentEquivocation':
      verified = segmentEquivocation(wire(decodeSignedSegmentHeader, value.first), wire(decodeSignedSegmentHeader, value.second), slot)
      break
    case 'AttestationEquivocation':
      verified = attestationEquivocation(wire(decodeSignedAttestation, value.first), wire(decodeSignedAttestation, value.second), slot)
      break
    case 'RootMismatch':
      if ([...value.headers].length > K.maxSegmentsPerClip) throw fail('InvalidEvidence')
      verified = rootMismatch(rt, view, [...value.headers].map(h => wire(decodeSignedSegmentHeader, h)), slot, n)
      break
    default:
      throw fail('InvalidEvidence')
  }
  const epoch = epochOfSlot(slot)
  if (epoch + BigInt(K.evidenceRetentionEpochs) <= epochOfSlot(slotOfBlock(n))) throw fail('EvidenceExpired')
  const offender = sessionKeyOwner(rt, view, verified.key)
  if (offender == null) throw fail('UnknownSessionKey')
  if (!committeeOf(rt, view, epoch).includes(offender)) throw fail('OffenderNotInCommittee')
  const hash = blake2b256(evidence.toU8a())
  if (has(rt, view, 'usedEvidence', hash) || has(rt, view, 'offences', offender, slot)) throw fail('EvidenceAlreadyUsed')
  const events: EventToEmit[] = [...reserve(rt, view, who, K.challengeBond, fail('InsufficientChallengeBond'))]
  events.push({ pallet: PALLET, name: 'BftChallenged', data: [slot, who] })
  events.push(...slashStake(rt, view, offender, K.directorSlashAmount, 'BftFailure'))
  events.push(...recordReputationEvent(rt, view, offender, 'DirectorSlotRejected', slot))
  events.push(...unreserve(rt, view, who, K.challengeBond))
  events.push(...mint(rt, view, who, K.challengerReward))
  put(rt, view, slot, 'usedEvidence', hash)
  put(rt, view, n, 'offences', offender, slot)
  events.push({ pallet: PALLET, name: 'ChallengeUpheld', data: [slot, who, offender, verified.kind] })
  return events
}

// ---------------------------------------------------------------------------------------------
// semantic disputes

interface DisputeInfo { challenger: string, openedAt: number, voters: string[], uphold: string[], reject: string[], outcome: boolean | null }
interface CertifiedInfo { leader: string, attesters: string[], certifiedAt: number }

function certified (rt: DevRuntime, view: StorageView, slot: bigint): CertifiedInfo | undefined {
  if (view.get(rt.key('nsnBft', 'certificates', slot)) == null) return undefined
  const c = rt.read<{ leaderAccount: Stringish, attesters: Iterable<Stringish>, certifiedAt: NumCodec }>(view, 'nsnBft', 'certificates', slot)
  return { leader: c.leaderAccount.toString(), attesters: [...c.attesters].map(a => a.toString()), certifiedAt: c.certifiedAt.toNumber() }
}

function disputeOf (rt: DevRuntime, view: StorageView, slot: bigint): DisputeInfo | undefined {
  if (!has(rt, view, 'disputes', slot)) return undefined
  type Accounts = Iterable<Stringish>
  const d = rt.read<{ challenger: Stringish, openedAt: NumCodec, voters: Accounts, uphold: Accounts, reject: Accounts, outcome: { isSome: boolean, unwrap(): { isTrue: boolean } } }>(view, 'nsnDirector', 'disputes', slot)
  const list = (a: Accounts): string[] => [...a].map(x => x.toString())
  return { challenger: d.challenger.toString(), openedAt: d.openedAt.toNumber(), voters: list(d.voters), uphold: list(d.uphold), reject: list(d.reject), outcome: d.outcome.isSome ? d.outcome.unwrap().isTrue : null }
}

function openDispute (rt: DevRuntime, view: StorageView, who: string, slot: bigint): EventToEmit[] {
  const n = now(rt, view)
  const cert = certified(rt, view, slot)
  if (cert == null) throw fail('SlotNotCertified')
  if (n > cert.certifiedAt + K.challengePeriodBlocks) throw fail('EvidenceExpired')
  if (has(rt, view, 'disputes', slot)) throw fail('DisputeExists')
  // the committee now serving judges; those who led or attested the slot already gave their verdict
  const voters = (currentEpoch(rt, view)?.directors ?? []).filter(m => m !== cert.leader && !cert.attesters.includes(m) && stakeOf(rt, view, m).amount >= STAKE_CONSTANTS.minStakeDirector)
  if (voters.length === 0) throw fail('NoDisputeVoters')
  const events = reserve(rt, view, who, K.disputeBond, fail('InsufficientChallengeBond'))
  put(rt, view, { challenger: who, openedAt: n, voters, uphold: [], reject: [], outcome: null }, 'disputes', slot)
  const deadline = n + K.disputeVotingBlocks
  const due = [...rt.read<Iterable<BigCodec>>(view, 'nsnDirector', 'disputeDeadlines', deadline)].map(x => x.toBigInt())
  put(rt, view, [...due, slot], 'disputeDeadlines', deadline)
  return [...events, { pallet: PALLET, name: 'DisputeOpened', data: [slot, who, voters] }]
}

function decideDispute (rt: DevRuntime, view: StorageView, slot: bigint, d: DisputeInfo, upheld: boolean): EventToEmit[] {
  const events: EventToEmit[] = []
  if (upheld) {
    const cert = certified(rt, view, slot)
    for (const who of cert == null ? [] : [cert.leader, ...cert.attesters]) events.push(...recordReputationEvent(rt, view, who, 'DirectorSlotRejected', slot))
    events.push(...unreserve(rt, view, d.challenger, K.disputeBond))
  } else {
    events.push(...burnReserved(rt, view, d.challenger, K.disputeBond))
  }
  put(rt, view, { ...d, outcome: upheld }, 'disputes', slot)
  return [...events, { pallet: PALLET, name: upheld ? 'DisputeUpheld' : 'DisputeRejected', data: [slot, d.challenger] }]
}

function voteDispute (rt: DevRuntime, view: StorageView, who: string, slot: bigint, uphold: boolean): EventToEmit[] {
  const d = disputeOf(rt, view, slot)
  if (d == null) throw fail('NoDispute')
  if (d.outcome != null) throw fail('DisputeClosed')
  if (!d.voters.includes(who)) throw fail('NotDisputeVoter')
  if (d.uphold.includes(who) || d.reject.includes(who)) throw fail('AlreadyVoted')
  const next = { ...d, uphold: uphold ? [...d.uphold, who] : d.uphold, reject: uphold ? d.reject : [...d.reject, who] }
  put(rt, view, next, 'disputes', slot)
  const events: EventToEmit[] = [{ pallet: PALLET, name: 'DisputeVoted', data: [slot, who, uphold] }]
  const majority = Math.floor(d.voters.length / 2) + 1
  if (next.uphold.length >= majority) events.push(...decideDispute(rt, view, slot, next, true))
  else if (next.reject.length >= majority) events.push(...decideDispute(rt, view, slot, next, false))
  return events
}

/** Rejects the disputes still open at their voting deadline `n` (the certificate stands). */
function expireDisputes (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const key = rt.key('nsnDirector', 'disputeDeadlines', n)
  if (view.get(key) == null) return []
  const events: EventToEmit[] = []
  for (const slot of [...rt.read<Iterable<BigCodec>>(view, 'nsnDirector', 'disputeDeadlines', n)].map(x => x.toBigInt())) {
    const d = disputeOf(rt, view, slot)
    if (d != null && d.outcome == null) events.push(...decideDispute(rt, view, slot, d, false))
  }
  view.set(key, null)
  return events
}

/**
 * Dispatches `nsnDirector.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnDirector (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const a = (i: number): CallArg & U8aCodec => args[i] as CallArg & U8aCodec
  switch (method) {
    case 'registerSessionKey':
      return registerSessionKey(rt, view, ensureSigned(origin), a(0).toU8a(), a(1).toU8a())
    case 'openDispute':
      return openDispute(rt, view, ensureSigned(origin), big(a(0)))
    case 'voteDispute':
      return voteDispute(rt, view, ensureSigned(origin), big(a(0)), (a(1) as unknown as { isTrue: boolean }).isTrue)
    case 'challengeBftResult':
      return challenge(rt, view, ensureSigned(origin), big(a(0)), a(1) as CallArg & U8aCodec & { type: string, value: Record<string, unknown> })
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}
