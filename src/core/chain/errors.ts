// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Chain errors. Match them by `err.name === X.name`, never `instanceof` (STYLE.md 5.3). Aborts reuse
 * `AbortError` from `src/core/errors.ts`.
 */
export { AbortError } from '../errors.ts'

/** Thrown when the chain endpoint cannot be reached, or the connection drops mid-call. */
export class ChainConnectError extends Error {
  static override name = 'ChainConnectError'
  readonly url?: string
  constructor (message = 'Could not connect to the chain', options?: ErrorOptions & { url?: string }) {
    super(message, options)
    this.name = 'ChainConnectError'
    this.url = options?.url
  }
}

/** An extrinsic was included but its call failed with a pallet error (`DispatchError::Module`). */
export class ChainModuleError extends Error {
  static override name = 'ChainModuleError'
  /** The pallet's name as in the metadata, e.g. `NsnStake`. */
  readonly pallet: string
  /** The error variant's name, e.g. `InsufficientStake`. */
  readonly error: string
  /** The error's doc comment from the metadata. */
  readonly docs: string
  constructor (init: { pallet: string, error: string, docs: string }, options?: ErrorOptions) {
    super(`${init.pallet}.${init.error}${init.docs !== '' ? `: ${init.docs}` : ''}`, options)
    this.name = 'ChainModuleError'
    this.pallet = init.pallet
    this.error = init.error
    this.docs = init.docs
  }
}

/** An extrinsic was included but failed with a non-module dispatch error (`BadOrigin`, `Token`, …). */
export class ChainDispatchError extends Error {
  static override name = 'ChainDispatchError'
  /** The `DispatchError` variant, e.g. `BadOrigin`. */
  readonly kind: string
  constructor (kind: string, options?: ErrorOptions) {
    super(`Dispatch failed: ${kind}`, options)
    this.name = 'ChainDispatchError'
    this.kind = kind
  }
}

/** Substrate's `InvalidTransaction` reasons (RPC error 1010), kebab-cased; `unknown` for anything else. */
export type InvalidTransactionReason = 'stale' | 'future' | 'bad-proof' | 'payment' | 'ancient-birth-block' |
'call' | 'bad-signer' | 'exhausts-resources' | 'unknown'

/** The node refused the extrinsic before inclusion (JSON-RPC error 1010). */
export class InvalidTransactionError extends Error {
  static override name = 'InvalidTransactionError'
  readonly reason: InvalidTransactionReason
  constructor (reason: InvalidTransactionReason, message = `Invalid transaction: ${reason}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidTransactionError'
    this.reason = reason
  }
}

/** The node dropped, retracted or invalidated a watched extrinsic, or its status stream ended early. */
export class TxDroppedError extends Error {
  static override name = 'TxDroppedError'
  readonly status: string
  constructor (status: string, options?: ErrorOptions) {
    super(`Transaction ${status}`, options)
    this.name = 'TxDroppedError'
    this.status = status
  }
}

/** Every way a submitted extrinsic can fail on the chain's side. */
export type ChainTxError = ChainModuleError | ChainDispatchError | InvalidTransactionError | TxDroppedError
