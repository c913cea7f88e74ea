// SPDX-License-Identifier: GPL-3.0-or-later
/** The caller side of the typed worker protocol (see protocol.ts). */
import { AbortError } from '../errors.ts'
import { RpcClosedError, RpcProtocolError, WorkerCrashedError } from './errors.ts'
import { RPC_VERSION, isRpcMessage } from './protocol.ts'
import { deserializeError, errorRegistry, serializeError } from './serialize-error.ts'
import { takeTransferables } from './transfer.ts'
import type { RpcPort } from './port.ts'
import type { CallOptions, RpcResponse } from './protocol.ts'
import type { ErrorClass } from './serialize-error.ts'

export interface RpcClientInit {
  /** Error classes to rebuild by name besides the core ones (`AbortError`, `InvalidInputError`, RPC errors). */
  errors?: readonly ErrorClass[]
}

/** A contract implemented over a port, and the handle that owns it. */
export interface RpcClient<T> {
  /** The contract: each method sends a `call` and settles with the callee's result or error. */
  readonly service: T
  /** Calls sent and not settled yet. */
  readonly pending: number
  /** Stops listening; pending and later calls reject with `RpcClosedError`. Does not end the worker. */
  close(): void
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
  onProgress?(progress: unknown): void
}

/** The error a call aborted through `signal` rejects with: its reason when that is an abort or timeout error. */
export function abortReason (signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason !== null && typeof reason === 'object' && ['AbortError', 'TimeoutError'].includes((reason as Error).name)) return reason as Error
  return new AbortError(undefined, { cause: reason })
}

/**
 * Implements the contract `T` over `port`: correlated request ids, progress, abort (the caller's
 * `signal` aborts the callee's `AbortController`, and the call rejects at once), transfer lists from
 * {@link transfer} marks on the params, errors rebuilt with their name. When the other side dies every
 * pending call, and every later one, rejects with `WorkerCrashedError`.
 */
export function createRpcClient<T extends object> (port: RpcPort, init: RpcClientInit = {}): RpcClient<T> {
  const registry = errorRegistry(init.errors)
  const pending = new Map<number, Pending>()
  let nextId = 1
  let dead: Error | undefined

  const fail = (err: Error): void => {
    dead ??= err
    const calls = [...pending.values()]
    pending.clear()
    for (const call of calls) call.reject(dead)
  }

  const offMessage = port.onMessage(data => {
    if (!isRpcMessage(data)) return
    const msg = data as RpcResponse
    const call = pending.get(msg.id)
    if (call == null) return // settled already (aborted) or not ours
    if (msg.v !== RPC_VERSION) {
      pending.delete(msg.id)
      call.reject(new RpcProtocolError(`The callee speaks RPC version ${String(msg.v)}, not ${RPC_VERSION}`))
      return
    }
    switch (msg.type) {
      case 'progress':
        call.onProgress?.(msg.progress)
        break
      case 'result':
        pending.delete(msg.id)
        call.resolve(msg.value)
        break
      case 'error':
        pending.delete(msg.id)
        call.reject(deserializeError(msg.error, registry))
        break
    }
  })
  const offClose = port.onClose(cause => {
    fail(new WorkerCrashedError(`The worker died: ${cause.message}`, { cause }))
  })

  const call = (method: string, params: unknown, options: CallOptions = {}): Promise<unknown> => {
    const { signal, onProgress } = options
    if (dead != null) return Promise.reject(dead)
    if (signal?.aborted === true) return Promise.reject(abortReason(signal))
    const id = nextId++
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (!pending.delete(id)) return
        const reason = abortReason(signal!)
        try {
          port.postMessage({ v: RPC_VERSION, type: 'abort', id, reason: serializeError(reason) }, [])
        } finally {
          reject(reason)
        }
      }
      const done = (): void => { signal?.removeEventListener('abort', onAbort) }
      pending.set(id, {
        resolve: v => { done(); resolve(v) },
        reject: e => { done(); reject(e) },
        onProgress
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        port.postMessage({ v: RPC_VERSION, type: 'call', id, method, params }, takeTransferables(params))
      } catch (err) {
        pending.delete(id)
        done()
        reject(err as Error)
      }
    })
  }

  const methods = new Map<string, (params: unknown, options?: CallOptions) => Promise<unknown>>()
  const service = new Proxy({}, {
    get (_target, key) {
      // not a thenable: the proxy may be returned from an async function
      if (typeof key !== 'string' || key === 'then') return undefined
      let fn = methods.get(key)
      if (fn == null) {
        fn = (params, options) => call(key, params, options)
        methods.set(key, fn)
      }
      return fn
    }
  }) as T

  return {
    service,
    get pending () { return pending.size },
    close () {
      offMessage()
      offClose()
      fail(new RpcClosedError())
    }
  }
}
