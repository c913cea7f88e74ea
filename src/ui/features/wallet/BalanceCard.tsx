// SPDX-License-Identifier: GPL-3.0-or-later
import { useAsync } from './useAsync.ts'
import { formatAmount } from './util.ts'
import type { ChainClient, ChainInfo } from '../../../core/chain/index.ts'

/** Props of {@link BalanceCard}. */
export interface BalanceCardProps {
  client: ChainClient
  info: ChainInfo
  address: string
  /** Re-read when this changes (pass the best block number). */
  refreshKey?: unknown
}

/** Free and reserved balance of an account, in the chain's token. */
export function BalanceCard ({ client, info, address, refreshKey }: BalanceCardProps) {
  const { value, error } = useAsync(async () => client.balance(address), [client, address, refreshKey])
  const fmt = (v: bigint): string => formatAmount(v, info.decimals, info.symbol)
  return (
    <section className="card" aria-labelledby="balance-title">
      <h2 id="balance-title">Balance</h2>
      {error != null && <p className="form-error" role="alert">Could not read the balance: {error.message}</p>}
      {value == null
        ? error == null && <p>Loading…</p>
        : (
          <dl className="kv">
            <div><dt>Free</dt><dd data-testid="balance-free">{fmt(value.free)}</dd></div>
            <div><dt>Reserved</dt><dd data-testid="balance-reserved">{fmt(value.reserved)}</dd></div>
            {value.frozen > 0n && <div><dt>Frozen</dt><dd>{fmt(value.frozen)}</dd></div>}
          </dl>
          )}
    </section>
  )
}
