// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnTreasury (index 55) call implementations and hooks: the treasury account (`nsn/trea`), Root
 * payouts, and the periodic minting of emission to directors, validators and pinners in proportion
 * to their recorded work (`reference/nsn-chain.md` section 7).
 *
 * Fixed here (section 13):
 * - weakness 17, work fed only through Root: NsnBft calls {@link recordDirectorWork} (the slot
 *   leader, 1 slot) and {@link recordValidatorWork} (each attester, 1 vote) for every certified slot,
 *   and NsnStorage calls {@link recordPinnerWork} for every shard reward interval a pinner serves.
 *   The Root calls `record_director_work`/`record_validator_work` remain.
 * - weakness 17, treasury inconsistency: the treasury share is minted into the treasury account,
 *   and `TreasuryBalance` is the account's real free balance, brought up to date after each call of
 *   this pallet and in this pallet's `on_finalize` every block, so the task market's payments (made
 *   in calls, in its `on_initialize` and from NsnBft's `on_finalize`, which runs before this one)
 *   show up in the same block. A hook running after this one that paid the treasury would show up
 *   one block late; none does today.
 *   `approve_proposal` checks the account itself (keeping the existential deposit), never a counter.
 * - weakness 17, pinner pool dropped: the 20 % pinner pool is minted to the pinners pro rata by
 *   `pinner_shards_served`. A pool with no recorded work is not minted at all (no inflation without
 *   work); rounding dust of the pro-rata shares is minted into the treasury account, so a
 *   distribution mints exactly `emission` when every pool had contributors.
 * - weakness 17, unbounded distribution: contributions are keyed by (period, account). At a
 *   distribution the period closes (new work goes to the next one) and its contributors are paid
 *   `MaxPayoutsPerBlock` per block, walking the period's keys in order from a cursor; paid entries
 *   are removed. If a payout is still running when the next distribution is due, that distribution
 *   waits, and the later one emits for the whole time since the last.
 * - weakness 28: the emission year comes from `Timestamp.Now` (365 days from the first block), and
 *   each distribution emits `annual(year) × (ms since the last distribution) / year`, so neither the
 *   amount nor the year depends on the block time. The dev profile distributes every 600 blocks.
 * - amounts are u128 (overflow: `DistributionOverflow`/`EmissionOverflow`); work counters are u64
 *   and overflow with `Overflow`.
 *
 * Not addressed: `approve_proposal` and the record calls stay Root (weakness 29: no on-chain
 * governance); the year's rate applies to a whole elapsed interval, even one that crosses a year
 * boundary (at most one distribution interval is affected); there is no setter for the shares or
 * the schedule (as in the reference).
 */
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { xxhashAsU8a } from '@polkadot/util-crypto'
import { EXISTENTIAL_DEPOSIT } from '../metadata/pallets/balances.ts'
import { PERBILL, TREASURY_CONSTANTS as K } from '../metadata/pallets/nsn-treasury.ts'
import { DispatchModuleError } from '../runtime.ts'
import { balanceOf, mint, palletAccount, transfer, U128_MAX } from './currency.ts'
import { big, ensureRoot, ensureSigned } from './origin.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import { PalletStore } from './pallet-store.ts'
import type { StorageView } from '../state.ts'

const PALLET = 'NsnTreasury'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)
const U64_MAX = (1n << 64n) - 1n

/** The treasury account: `palletAccount('nsn/trea')`. */
export const TREASURY_ACCOUNT = palletAccount(K.palletId)

interface BigCodec { toBigInt(): bigint }
interface NumCodec { toNumber(): number }

/** Work of one account (or a period's sum). */
export interface Contributions { directorSlots: bigint, validatorVotes: bigint, pinnerShardsServed: bigint }
type WorkKind = keyof Contributions

/** A distribution being paid out. */
interface Distribution {
  period: number
  directorPool: bigint
  validatorPool: bigint
  pinnerPool: bigint
  treasuryShare: bigint
  paid: bigint
  cursor: string | null
}

/** `x · parts / 10^9`, floored (Perbill `mul_floor`). */
export const perbillOf = (x: bigint, parts: bigint): bigint => x * parts / PERBILL

/** The annual emission of `year` (1-based): `base`, less `decayRate` per year, floored each year as the reference does. */
export function annualEmission (base: bigint, decayRate: bigint, year: number): bigint {
  let x = base
  for (let y = 1; y < year && x > 0n; y++) x = perbillOf(x, PERBILL - decayRate)
  return x
}

class TreasuryStore extends PalletStore {
  constructor (rt: DevRuntime, view: StorageView) { super(rt, view, 'nsnTreasury') }

  num (method: string): number { return this.read<NumCodec>(method).toNumber() }
  big (method: string): bigint { return this.read<BigCodec>(method).toBigInt() }
  now (): bigint { return this.moment() }

  contributions (method: 'accumulatedContributionsMap' | 'periodTotals', ...keys: unknown[]): Contributions {
    const c = this.read<Record<WorkKind, BigCodec>>(method, ...keys)
    return { directorSlots: c.directorSlots.toBigInt(), validatorVotes: c.validatorVotes.toBigInt(), pinnerShardsServed: c.pinnerShardsServed.toBigInt() }
  }

  distribution (): Distribution | undefined {
    if (!this.has('activeDistribution')) return undefined
    const d = this.read<Record<string, BigCodec & NumCodec> & { cursor: { isSome: boolean, unwrap(): { toString(): string } } }>('activeDistribution')
    return {
      period: d['period']!.toNumber(),
      directorPool: d['directorPool']!.toBigInt(),
      validatorPool: d['validatorPool']!.toBigInt(),
      pinnerPool: d['pinnerPool']!.toBigInt(),
      treasuryShare: d['treasuryShare']!.toBigInt(),
      paid: d['paid']!.toBigInt(),
      cursor: d.cursor.isSome ? d.cursor.unwrap().toString() : null
    }
  }

  /** `TreasuryBalance` := the treasury account's free balance. */
  sync (): void {
    this.put(balanceOf(this.rt, this.view, TREASURY_ACCOUNT).free, 'treasuryBalance')
  }

  /** The storage keys of period `period`'s contributions, sorted (Twox64Concat(period) ++ Blake2_128Concat(account)). */
  periodKeys (period: number): string[] {
    const le = new Uint8Array(4)
    new DataView(le.buffer).setUint32(0, period, true)
    // twox128(pallet) ++ twox128(item) ++ twox64(period) ++ period
    const prefix = u8aToHex(u8aConcat(xxhashAsU8a('NsnTreasury', 128), xxhashAsU8a('AccumulatedContributionsMap', 128), xxhashAsU8a(le, 64), le))
    return this.view.keys(prefix)
  }

  accountOfKey (key: string): string {
    return this.rt.registry.createType('AccountId32', hexToU8a(`0x${key.slice(-64)}`)).toString()
  }
}

const EVENT_OF: Record<WorkKind, string> = { directorSlots: 'DirectorWorkRecorded', validatorVotes: 'ValidatorWorkRecorded', pinnerShardsServed: 'PinnerWorkRecorded' }

/** Adds `amount` of `kind` work to `account` in the current period (and to the period's total). */
function recordWork (rt: DevRuntime, view: StorageView, account: string, kind: WorkKind, amount: bigint): EventToEmit[] {
  if (amount < 0n || amount > U64_MAX) throw fail('Overflow')
  const st = new TreasuryStore(rt, view)
  const period = st.num('contributionPeriod')
  const mine = st.contributions('accumulatedContributionsMap', period, account)
  const total = st.contributions('periodTotals', period)
  if (mine[kind] + amount > U64_MAX || total[kind] + amount > U64_MAX) throw fail('Overflow')
  st.put({ ...mine, [kind]: mine[kind] + amount }, 'accumulatedContributionsMap', period, account)
  st.put({ ...total, [kind]: total[kind] + amount }, 'periodTotals', period)
  return [{ pallet: PALLET, name: EVENT_OF[kind], data: [account, amount] }]
}

/** Credits `account` with `slots` certified director slots towards the next distribution (called by NsnBft). Throws `NsnTreasury.Overflow` past u64. */
export function recordDirectorWork (rt: DevRuntime, view: StorageView, account: string, slots: bigint): EventToEmit[] {
  return recordWork(rt, view, account, 'directorSlots', slots)
}

/** Credits `account` with `votes` attestations towards the next distribution (called by NsnBft). Throws `NsnTreasury.Overflow` past u64. */
export function recordValidatorWork (rt: DevRuntime, view: StorageView, account: string, votes: bigint): EventToEmit[] {
  return recordWork(rt, view, account, 'validatorVotes', votes)
}

/** Credits `account` with `shards` served shard reward intervals towards the next distribution's pinner pool (called by NsnStorage). */
export function recordPinnerWork (rt: DevRuntime, view: StorageView, account: string, shards: bigint): EventToEmit[] {
  return recordWork(rt, view, account, 'pinnerShardsServed', shards)
}

function fundTreasury (st: TreasuryStore, who: string, amount: bigint): EventToEmit[] {
  const { free } = balanceOf(st.rt, st.view, who)
  if (amount > free || free - amount < EXISTENTIAL_DEPOSIT) throw fail('InsufficientBalance')
  const events = transfer(st.rt, st.view, who, TREASURY_ACCOUNT, amount, true)
  st.sync()
  return [...events, { pallet: PALLET, name: 'TreasuryFunded', data: [who, amount] }]
}

function approveProposal (st: TreasuryStore, beneficiary: string, amount: bigint, proposalId: number): EventToEmit[] {
  const { free } = balanceOf(st.rt, st.view, TREASURY_ACCOUNT)
  if (amount > free || free - amount < EXISTENTIAL_DEPOSIT) throw fail('InsufficientTreasuryFunds')
  const events = transfer(st.rt, st.view, TREASURY_ACCOUNT, beneficiary, amount, true)
  st.sync()
  return [...events, { pallet: PALLET, name: 'ProposalApproved', data: [proposalId, beneficiary, amount] }]
}

/** Closes the current contribution period: computes the emission and pools, mints the treasury share. */
function startDistribution (st: TreasuryStore, n: number): EventToEmit[] {
  const now = st.now()
  const schedule = st.read<{ baseEmission: BigCodec, decayRate: NumCodec, currentYear: NumCodec }>('emissionScheduleStorage')
  const shares = st.read<Record<'directorPercent' | 'validatorPercent' | 'pinnerPercent' | 'treasuryPercent', NumCodec>>('rewardDistributionConfig')
  const last = st.big('lastDistributionMoment')
  const since = last === 0n ? st.big('launchMoment') : last
  const elapsed = now > since ? (now - since < K.yearMs ? now - since : K.yearMs) : 0n
  const annual = annualEmission(schedule.baseEmission.toBigInt(), BigInt(schedule.decayRate.toNumber()), schedule.currentYear.toNumber())
  const emission = annual * elapsed / K.yearMs
  if (emission > U128_MAX) throw fail('EmissionOverflow')
  const period = st.num('contributionPeriod')
  const totals = st.contributions('periodTotals', period)
  const pool = (share: NumCodec, weight: bigint): bigint => (weight === 0n ? 0n : perbillOf(emission, BigInt(share.toNumber())))
  const d: Distribution = {
    period,
    directorPool: pool(shares.directorPercent, totals.directorSlots),
    validatorPool: pool(shares.validatorPercent, totals.validatorVotes),
    pinnerPool: pool(shares.pinnerPercent, totals.pinnerShardsServed),
    treasuryShare: perbillOf(emission, BigInt(shares.treasuryPercent.toNumber())),
    paid: 0n,
    cursor: null
  }
  st.put(period + 1, 'contributionPeriod')
  st.put(n, 'lastDistributionBlock')
  st.put(now, 'lastDistributionMoment')
  st.put(d, 'activeDistribution')
  const events = mint(st.rt, st.view, TREASURY_ACCOUNT, d.treasuryShare)
  return [...events, { pallet: PALLET, name: 'DistributionStarted', data: [period, emission, d.treasuryShare] }]
}

/** Pays up to `MaxPayoutsPerBlock` contributors of the active distribution; finishes it when none are left. */
function payOut (st: TreasuryStore, n: number): EventToEmit[] {
  const d = st.distribution()
  if (d == null) return []
  const totals = st.contributions('periodTotals', d.period)
  const events: EventToEmit[] = []
  const cursorKey = d.cursor == null ? null : st.rt.key('nsnTreasury', 'accumulatedContributionsMap', d.period, d.cursor)
  const keys = st.periodKeys(d.period).filter(k => cursorKey == null || k > cursorKey).slice(0, K.maxPayoutsPerBlock)
  for (const key of keys) {
    const who = st.accountOfKey(key)
    const c = st.contributions('accumulatedContributionsMap', d.period, who)
    const pay = (poolAmount: bigint, w: bigint, total: bigint, event: string): void => {
      if (w === 0n || total === 0n) return
      const amount = poolAmount * w / total
      if (amount === 0n) return
      events.push(...mint(st.rt, st.view, who, amount), { pallet: PALLET, name: event, data: [who, amount] })
      d.paid += amount
    }
    pay(d.directorPool, c.directorSlots, totals.directorSlots, 'DirectorRewarded')
    pay(d.validatorPool, c.validatorVotes, totals.validatorVotes, 'ValidatorRewarded')
    pay(d.pinnerPool, c.pinnerShardsServed, totals.pinnerShardsServed, 'PinnerRewarded')
    st.view.set(key, null)
    d.cursor = who
  }
  if (keys.length === K.maxPayoutsPerBlock && st.periodKeys(d.period).some(k => k > st.rt.key('nsnTreasury', 'accumulatedContributionsMap', d.period, d.cursor))) {
    st.put(d, 'activeDistribution')
    return events
  }
  // done: rounding dust goes to the treasury account
  const pools = d.directorPool + d.validatorPool + d.pinnerPool
  const dust = pools - d.paid
  if (dust > 0n) events.push(...mint(st.rt, st.view, TREASURY_ACCOUNT, dust))
  st.remove('activeDistribution')
  st.remove('periodTotals', d.period)
  events.push({ pallet: PALLET, name: 'RewardsDistributed', data: [n, pools + d.treasuryShare] })
  return events
}

/** `on_finalize(n)`: emission year from the timestamp, distribution start and payout, `TreasuryBalance` sync. */
function onFinalize (rt: DevRuntime, view: StorageView, n: number): EventToEmit[] {
  const st = new TreasuryStore(rt, view)
  const now = st.now()
  if (st.big('launchMoment') === 0n && now > 0n) st.put(now, 'launchMoment')
  const schedule = st.read<{ toJSON(): Record<string, unknown>, currentYear: NumCodec }>('emissionScheduleStorage')
  const launch = st.big('launchMoment')
  const year = Number((now > launch ? now - launch : 0n) / K.yearMs) + 1
  if (year !== schedule.currentYear.toNumber()) st.put({ ...schedule.toJSON(), currentYear: year }, 'emissionScheduleStorage')
  const events: EventToEmit[] = []
  if (n > 0 && n % K.distributionFrequency === 0 && st.distribution() == null) events.push(...startDistribution(st, n))
  events.push(...payOut(st, n))
  st.sync()
  return events
}

/**
 * Dispatches `nsnTreasury.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnTreasury (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const st = new TreasuryStore(rt, view)
  const a = (i: number): CallArg => args[i] as CallArg
  switch (method) {
    case 'fundTreasury':
      return fundTreasury(st, ensureSigned(origin), big(a(0)))
    case 'approveProposal':
      ensureRoot(origin)
      return approveProposal(st, a(0).toString(), big(a(1)), (a(2).toNumber as () => number).call(a(2)))
    case 'recordDirectorWork':
      ensureRoot(origin)
      return recordDirectorWork(rt, view, a(0).toString(), big(a(1)))
    case 'recordValidatorWork':
      ensureRoot(origin)
      return recordValidatorWork(rt, view, a(0).toString(), big(a(1)))
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** The pallet's hooks (see `hooks.ts`): the treasury account holds the existential deposit from genesis. */
export const nsnTreasuryHooks: PalletHooks = {
  genesis (rt, view) {
    mint(rt, view, TREASURY_ACCOUNT, EXISTENTIAL_DEPOSIT)
    new TreasuryStore(rt, view).sync()
  },
  onFinalize
}
