// SPDX-License-Identifier: GPL-3.0-or-later
import { useId, useState } from 'react'
import { decodeAddress } from '@polkadot/util-crypto'
import { formatAmount, parseAmount } from './util.ts'
import type { ChainClient, ChainInfo, TxSigner } from '../../../core/chain/index.ts'
import type { TrackTx } from './types.ts'

/** Props of {@link TransferForm}. */
export interface TransferFormProps {
  client: ChainClient
  info: ChainInfo
  signer?: TxSigner
  track: TrackTx
}

/** Send tokens (`balances.transferKeepAlive`): works on any Substrate chain. */
export function TransferForm ({ client, info, signer, track }: TransferFormProps) {
  const ids = { to: useId(), amount: useId() }
  const [to, setTo] = useState('')
  const [amountText, setAmountText] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const onSubmit = async (): Promise<void> => {
    setError(undefined)
    if (signer == null) { setError('Connect the extension and choose an account first.'); return }
    try {
      decodeAddress(to.trim())
    } catch {
      setError('Recipient: not a valid SS58 address.'); return
    }
    let amount: bigint
    try {
      amount = parseAmount(amountText, info.decimals)
    } catch (err) {
      setError(`Amount: ${(err as Error).message}`); return
    }
    if (amount <= 0n) { setError('Amount: enter more than zero.'); return }
    setBusy(true)
    try {
      await track(`Send ${formatAmount(amount, info.decimals, info.symbol)}`, () => client.transfer({ to: to.trim(), amount }, signer))
      setAmountText('')
    } catch {
      // the queue shows the error
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">Transfer</h2>
      <form onSubmit={e => { e.preventDefault(); void onSubmit() }}>
        <div className="field">
          <label htmlFor={ids.to}>Recipient</label>
          <input id={ids.to} value={to} onChange={e => { setTo(e.target.value) }} placeholder="5…" autoComplete="off" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={ids.amount}>Amount</label>
          <input id={ids.amount} inputMode="decimal" value={amountText} onChange={e => { setAmountText(e.target.value) }} placeholder={`0 ${info.symbol}`} />
        </div>
        <button type="submit" disabled={busy || signer == null}>Send</button>
      </form>
      {error != null && <p className="form-error" role="alert">{error}</p>}
    </section>
  )
}
