// SPDX-License-Identifier: GPL-3.0-or-later
/** Errors of the typed worker RPC (STYLE.md 5.3, 5.5). Match them by `err.name === X.name`. */

/**
 * Every call pending on a port rejects with this when the other side dies: the worker threw an
 * uncaught error, exited, was terminated, or a message could not be deserialized. Calls made after
 * that reject with it at once. `cause` carries what the platform reported.
 */
export class WorkerCrashedError extends Error {
  static override name = 'WorkerCrashedError'
  constructor (message = 'The worker died', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WorkerCrashedError'
  }
}

/** Thrown when this side closed the client or server (`close()`); pending calls reject with it. */
export class RpcClosedError extends Error {
  static override name = 'RpcClosedError'
  constructor (message = 'The RPC endpoint was closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'RpcClosedError'
  }
}

/** Thrown when the other side speaks another protocol version or calls a method the service lacks. */
export class RpcProtocolError extends Error {
  static override name = 'RpcProtocolError'
  constructor (message = 'RPC protocol error', options?: ErrorOptions) {
    super(message, options)
    this.name = 'RpcProtocolError'
  }
}
