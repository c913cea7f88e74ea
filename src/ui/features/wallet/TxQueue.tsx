// SPDX-License-Identifier: GPL-3.0-or-later
import type { TxItem } from './types.ts'

/** Props of {@link TxQueue}. */
export interface TxQueueProps {
  items: TxItem[]
  onDismiss?: (id: number) => void
}

function statusText (item: TxItem): string {
  const at = item.blockNumber != null ? ` in block #${item.blockNumber}` : ''
  switch (item.status) {
    case 'signing': return 'Waiting for the signature…'
    case 'ready': return 'Ready (in the transaction pool)'
    case 'in-block': return `In block${at}`
    case 'finalized': return `Finalized${at}`
    case 'failed': return `Failed: ${item.error ?? 'unknown error'}`
  }
}

/** The pending-transaction queue: one toast per transaction with its status, events or error. */
export function TxQueue ({ items, onDismiss }: TxQueueProps) {
  if (items.length === 0) return null
  return (
    <section className="tx-queue" aria-label="Transactions">
      <h2>Transactions</h2>
      <ul>
        {items.map(item => (
          <li key={item.id} className={`tx-toast tx-${item.status}`} data-tx-status={item.status}
            role={item.status === 'failed' ? 'alert' : 'status'} aria-live={item.status === 'failed' ? 'assertive' : 'polite'}>
            <div className="tx-head">
              <strong>{item.label}</strong>
              {onDismiss != null && item.status !== 'signing' && item.status !== 'ready' && (
                <button type="button" className="link" aria-label={`Dismiss ${item.label}`} onClick={() => { onDismiss(item.id) }}>×</button>
              )}
            </div>
            <div className="tx-status">{statusText(item)}</div>
            {item.events != null && item.events.length > 0 && (
              <div className="tx-events">Events: {item.events.map((e, i) => <code key={i}>{e}</code>)}</div>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
