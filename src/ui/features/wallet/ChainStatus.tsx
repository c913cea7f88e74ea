// SPDX-License-Identifier: GPL-3.0-or-later
import { useAsync } from './useAsync.ts'
import { shorten, slotOf } from './util.ts'
import type { ChainClient, NsnFeatures } from '../../../core/chain/index.ts'
import type { ChainHeads } from './types.ts'

/** Props of {@link ChainStatus}. */
export interface ChainStatusProps {
  client: ChainClient
  heads: ChainHeads
  features: NsnFeatures
  /** Chain name and endpoint, for the heading. */
  name?: string
  endpoint?: string
}

/** Live chain head, finalized head, slot, epoch and the epoch's committee with session keys. */
export function ChainStatus ({ client, heads, features, name, endpoint }: ChainStatusProps) {
  // epoch and committee change at most once per block: re-read on each finalized head
  const epoch = useAsync(features.epochs ? async () => client.epochInfo() : undefined, [client, features.epochs, heads.finalized])
  const epochId = epoch.value?.id
  const committee = useAsync(features.epochs && epochId != null ? async () => client.committee(epochId) : undefined,
    [client, features.epochs, epochId, heads.finalized])
  return (
    <section className="card" aria-labelledby="chain-title">
      <h2 id="chain-title">Chain</h2>
      <dl className="kv">
        {name != null && <div><dt>Chain</dt><dd>{name}{endpoint != null && <> (<code>{endpoint}</code>)</>}</dd></div>}
        <div><dt>Best block</dt><dd data-testid="best-block">{heads.best != null ? `#${heads.best}` : '…'}</dd></div>
        <div><dt>Finalized</dt><dd data-testid="finalized-block">{heads.finalized != null ? `#${heads.finalized}` : '…'}</dd></div>
        <div><dt>Slot</dt><dd data-testid="slot">{heads.best != null ? slotOf(heads.best) : '…'}</dd></div>
        {features.epochs && (
          <div>
            <dt>Epoch</dt>
            <dd data-testid="epoch">
              {epoch.value === undefined ? '…' : epoch.value === null ? 'none yet' : `${epoch.value.id} (blocks #${epoch.value.startBlock}–#${epoch.value.endBlock})`}
            </dd>
          </div>
        )}
      </dl>
      {(heads.error ?? epoch.error ?? committee.error) != null && (
        <p className="form-error" role="alert">Chain read failed: {(heads.error ?? epoch.error ?? committee.error)?.message}</p>
      )}
      {!features.epochs
        ? <p className="muted">This chain has no NSN director epochs (no NsnDirector pallet).</p>
        : committee.value != null && (
          <div className="committee">
            <h3>Committee of epoch {String(epochId)}</h3>
            {committee.value.length === 0
              ? <p className="muted">No committee elected.</p>
              : (
                <ul aria-label="Committee">
                  {committee.value.map(m => (
                    <li key={m.account}>
                      <code title={m.account}>{shorten(m.account)}</code>{' '}
                      {m.sessionKey != null ? <>session key <code title={m.sessionKey}>{shorten(m.sessionKey, 10)}</code></> : <span className="warn">no session key</span>}
                    </li>
                  ))}
                </ul>
                )}
          </div>
        )}
    </section>
  )
}
