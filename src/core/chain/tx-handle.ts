// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A submitted extrinsic's status as typed events (`tx:ready` → `tx:in-block` → `tx:finalized`, or
 * `tx:failed`) plus a `finalized` promise.
 */
import { TypedEventEmitter } from '../events.ts'
import type { AbortError, ChainTxError } from './errors.ts'

/** An event emitted by the extrinsic, decoded to primitives. */
export interface ChainEvent {
  section: string
  method: string
  data: unknown[]
}

/** Detail of `tx:in-block`. */
export interface TxInBlock {
  blockHash: `0x${string}`
  /** The block's number, when the node reported it. */
  blockNumber?: number
}

/** Detail of `tx:finalized`, and what `finalized` resolves with. */
export interface TxFinalized {
  blockHash: `0x${string}`
  /** The block's number, when the node reported it. */
  blockNumber?: number
  /** The extrinsic's own events (those in its `ApplyExtrinsic` phase). */
  events: ChainEvent[]
}

/** The events a {@link TxHandle} emits. */
export interface TxEvents {
  'tx:ready': CustomEvent<undefined>
  'tx:in-block': CustomEvent<TxInBlock>
  'tx:finalized': CustomEvent<TxFinalized>
  'tx:failed': CustomEvent<ChainTxError | AbortError>
}

/** Status of one submitted extrinsic. Listen right after `submit()`: nothing is emitted synchronously. */
export class TxHandle extends TypedEventEmitter<TxEvents> {
  /** Resolves once finalized; rejects with the `tx:failed` error. */
  readonly finalized: Promise<TxFinalized>
  private settled = false
  private resolveFinalized!: (v: TxFinalized) => void
  private rejectFinalized!: (e: Error) => void

  constructor () {
    super()
    this.finalized = new Promise<TxFinalized>((resolve, reject) => {
      this.resolveFinalized = resolve
      this.rejectFinalized = reject
    })
    // callers that only listen to events must not see an unhandled rejection
    this.finalized.catch(() => {})
  }

  /** Whether `tx:finalized` or `tx:failed` was emitted. */
  get done (): boolean {
    return this.settled
  }

  /** @internal */
  ready (): void {
    if (!this.settled) this.safeDispatchEvent('tx:ready', { detail: undefined })
  }

  /** @internal */
  inBlock (detail: TxInBlock): void {
    if (!this.settled) this.safeDispatchEvent('tx:in-block', { detail })
  }

  /** @internal */
  finalize (detail: TxFinalized): void {
    if (this.settled) return
    this.settled = true
    this.safeDispatchEvent('tx:finalized', { detail })
    this.resolveFinalized(detail)
  }

  /** @internal */
  fail (err: ChainTxError | AbortError): void {
    if (this.settled) return
    this.settled = true
    this.safeDispatchEvent('tx:failed', { detail: err })
    this.rejectFinalized(err)
  }
}
