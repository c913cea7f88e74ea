// SPDX-License-Identifier: GPL-3.0-or-later
import { useId, useState } from 'react'
import { REGIONS } from '../../../core/chain/wire.ts'
import { useAsync } from './useAsync.ts'
import { formatAmount, parseAmount } from './util.ts'
import type { ChainClient, ChainInfo, Region, StakeThresholds, TxSigner } from '../../../core/chain/index.ts'
import type { TrackTx } from './types.ts'

/** The roles one can stake for, highest first, with their threshold in {@link StakeThresholds}. */
export const STAKE_ROLES = [
  { role: 'Director', key: 'director' },
  { role: 'SuperNode', key: 'superNode' },
  { role: 'Validator', key: 'validator' },
  { role: 'Relay', key: 'relay' }
] as const satisfies ReadonlyArray<{ role: string, key: keyof StakeThresholds }>

type StakeRole = typeof STAKE_ROLES[number]['role']

/** Props of {@link StakeForm}. */
export interface StakeFormProps {
  client: ChainClient
  info: ChainInfo
  address: string
  signer?: TxSigner
  track: TrackTx
  /** Re-read the stake when this changes (pass the best block number). */
  refreshKey?: unknown
}

const REGION_LABELS: Record<Region, string> = {
  NaWest: 'North America West', NaEast: 'North America East', EuWest: 'Europe West', EuEast: 'Europe East',
  Apac: 'Asia-Pacific', Latam: 'Latin America', Mena: 'Middle East & North Africa'
}

/** Stake for a role: the role's threshold from the chain's constants, a region, an amount; and withdraw. */
export function StakeForm ({ client, info, address, signer, track, refreshKey }: StakeFormProps) {
  const ids = { role: useId(), region: useId(), amount: useId(), lock: useId(), withdraw: useId() }
  const thresholds = useAsync(async () => client.stakeThresholds(), [client])
  const stake = useAsync(async () => client.stake(address), [client, address, refreshKey])
  const [role, setRole] = useState<StakeRole>('Director')
  const [region, setRegion] = useState<Region>('EuEast')
  const [amountText, setAmountText] = useState<string>()
  const [lockText, setLockText] = useState<string>()
  const [withdrawText, setWithdrawText] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const fmt = (v: bigint): string => formatAmount(v, info.decimals, info.symbol)

  const t = thresholds.value
  const current = stake.value?.amount ?? 0n
  const threshold = t?.[STAKE_ROLES.find(r => r.role === role)!.key] as bigint | undefined
  // Suggest the top-up that reaches the role's threshold.
  const suggested = threshold != null && threshold > current ? formatAmount(threshold - current, info.decimals).replace(/,/g, '') : ''
  const amountValue = amountText ?? suggested
  const lockValue = lockText ?? String(t?.minLockBlocks ?? 0)

  const onStake = async (): Promise<void> => {
    setError(undefined)
    if (signer == null) { setError('Connect the extension and choose an account first.'); return }
    let amount: bigint
    try {
      amount = parseAmount(amountValue, info.decimals)
    } catch (err) {
      setError((err as Error).message); return
    }
    if (amount <= 0n) { setError('Enter an amount greater than zero.'); return }
    if (threshold != null && current + amount < threshold) {
      setError(`${role} needs at least ${fmt(threshold)} staked in total; you would have ${fmt(current + amount)}.`); return
    }
    const lockBlocks = Number(lockValue)
    if (!Number.isInteger(lockBlocks) || lockBlocks < 0) { setError('The lock must be a whole number of blocks.'); return }
    setBusy(true)
    try {
      await track(`Stake ${fmt(amount)} as ${role} in ${region}`, () => client.stakeDeposit({ amount, lockBlocks, region }, signer))
      setAmountText(undefined)
    } catch {
      // the queue shows the error
    } finally {
      setBusy(false)
    }
  }

  const onWithdraw = async (): Promise<void> => {
    setError(undefined)
    if (signer == null) { setError('Connect the extension and choose an account first.'); return }
    let amount: bigint
    try {
      amount = parseAmount(withdrawText, info.decimals)
    } catch (err) {
      setError((err as Error).message); return
    }
    setBusy(true)
    try {
      await track(`Withdraw ${fmt(amount)} of stake`, () => client.stakeWithdraw(amount, signer))
      setWithdrawText('')
    } catch {
      // the queue shows the error
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="stake-title">
      <h2 id="stake-title">Stake</h2>
      {stake.error != null && <p className="form-error" role="alert">Could not read the stake: {stake.error.message}</p>}
      {stake.value != null && (
        <dl className="kv" aria-label="Current stake">
          <div><dt>Staked</dt><dd data-testid="stake-amount">{fmt(stake.value.amount)}</dd></div>
          <div><dt>Role</dt><dd data-testid="stake-role">{stake.value.role}</dd></div>
          {stake.value.amount > 0n && <div><dt>Region</dt><dd>{stake.value.region}</dd></div>}
          {stake.value.amount > 0n && <div><dt>Locked until block</dt><dd>#{stake.value.lockedUntil}</dd></div>}
        </dl>
      )}
      {thresholds.error != null && <p className="form-error" role="alert">Could not read the role thresholds: {thresholds.error.message}</p>}
      <form onSubmit={e => { e.preventDefault(); void onStake() }}>
        <fieldset className="roles">
          <legend>Role</legend>
          {STAKE_ROLES.map(r => (
            <label key={r.role} className="radio">
              <input type="radio" name={ids.role} value={r.role} checked={role === r.role} onChange={() => { setRole(r.role); setAmountText(undefined) }} />
              {r.role} <span className="muted">(≥ {t != null ? fmt(t[r.key]) : '…'})</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={ids.region}>Region</label>
          <select id={ids.region} value={region} onChange={e => { setRegion(e.target.value as Region) }}>
            {REGIONS.map(r => <option key={r} value={r}>{REGION_LABELS[r]} ({r})</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.amount}>Amount to stake ({info.symbol})</label>
          <input id={ids.amount} inputMode="decimal" value={amountValue} onChange={e => { setAmountText(e.target.value) }} />
        </div>
        <div className="field">
          <label htmlFor={ids.lock}>Lock (blocks)</label>
          <input id={ids.lock} inputMode="numeric" value={lockValue} onChange={e => { setLockText(e.target.value) }} />
        </div>
        {t?.maxRegionPercentage != null && (
          <p className="muted">A region may hold at most {t.maxRegionPercentage}% of all stake; at most {fmt(t.maxPerNode)} per node.</p>
        )}
        <button type="submit" disabled={busy || signer == null}>Stake as {role}</button>
      </form>
      {stake.value != null && stake.value.amount > 0n && (
        <form className="inline-form" onSubmit={e => { e.preventDefault(); void onWithdraw() }}>
          <div className="field">
            <label htmlFor={ids.withdraw}>Amount to withdraw ({info.symbol})</label>
            <input id={ids.withdraw} inputMode="decimal" value={withdrawText} onChange={e => { setWithdrawText(e.target.value) }} />
          </div>
          <button type="submit" disabled={busy || signer == null}>Withdraw</button>
        </form>
      )}
      {error != null && <p className="form-error" role="alert">{error}</p>}
    </section>
  )
}
