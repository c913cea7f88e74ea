// SPDX-License-Identifier: GPL-3.0-or-later
/** The callee side of the typed worker protocol (see protocol.ts). */
import { RpcClosedError, RpcProtocolError } from './errors.ts'
import { RPC_VERSION, isRpcMessage } from './protocol.ts'
import { deserializeError, errorRegistry, serializeError } from './serialize-error.ts'
import { takeTransferables } from './transfer.ts'
import type { RpcPort } from './port.ts'
import type { CallOptions, RpcRequest } from './protocol.ts'
import type { ErrorClass } from './serialize-error.ts'

export interface RpcServerInit {
  /** Error classes to rebuild by name for abort reasons besides the core ones. */
  errors?: readonly ErrorClass[]
}

/** A service served on a port. */
export interface RpcServer {
  /** Calls running now. */
  readonly running: number
  /** Stops serving: running calls are aborted with `RpcClosedError` and their results dropped. */
  close(): void
}

type AnyMethod = (params: unknown, options: CallOptions) => Promise<unknown>

/**
 * Serves `service` (the in-thread implementation of a contract) on `port`. Each call gets its own
 * `AbortController`, aborted by the caller's `abort` message; progress payloads, results and errors go
 * back under the call's id, with the transfer lists their {@link transfer} marks name.
 */
export function serveRpc<T extends object> (port: RpcPort, service: T, init: RpcServerInit = {}): RpcServer {
  const registry = errorRegistry(init.errors)
  const running = new Map<number, AbortController>()

  const reply = (id: number, type: 'result' | 'progress', payload: unknown): void => {
    const key = type === 'result' ? 'value' : 'progress'
    try {
      port.postMessage({ v: RPC_VERSION, type, id, [key]: payload }, takeTransferables(payload))
    } catch (err) {
      // e.g. a DataCloneError: the caller must still hear about it
      if (type === 'result') port.postMessage({ v: RPC_VERSION, type: 'error', id, error: serializeError(err) }, [])
      else throw err
    }
  }

  const handle = async (id: number, method: string, params: unknown): Promise<void> => {
    const controller = new AbortController()
    running.set(id, controller)
    try {
      const fn = (service as Record<string, unknown>)[method]
      if (typeof fn !== 'function' || Object.hasOwn(Object.prototype, method)) throw new RpcProtocolError(`The service has no method ${method}`)
      const value = await (fn as AnyMethod).call(service, params, {
        signal: controller.signal,
        onProgress: (progress: unknown) => { if (running.has(id)) reply(id, 'progress', progress) }
      })
      if (running.has(id)) reply(id, 'result', value)
    } catch (err) {
      if (running.has(id)) port.postMessage({ v: RPC_VERSION, type: 'error', id, error: serializeError(err) }, [])
    } finally {
      running.delete(id)
    }
  }

  const offMessage = port.onMessage(data => {
    if (!isRpcMessage(data)) return
    const msg = data as RpcRequest
    if (msg.v !== RPC_VERSION) {
      port.postMessage({ v: RPC_VERSION, type: 'error', id: msg.id, error: serializeError(new RpcProtocolError(`Unsupported RPC version ${String(msg.v)}; this worker speaks ${RPC_VERSION}`)) }, [])
      return
    }
    if (msg.type === 'call') void handle(msg.id, msg.method, msg.params)
    else if (msg.type === 'abort') running.get(msg.id)?.abort(deserializeError(msg.reason, registry))
  })
  const abortAll = (reason: Error): void => {
    const controllers = [...running.values()]
    running.clear()
    for (const c of controllers) c.abort(reason)
  }
  const offClose = port.onClose(cause => { abortAll(new RpcClosedError('The caller went away', { cause })) })

  return {
    get running () { return running.size },
    close () {
      offMessage()
      offClose()
      abortAll(new RpcClosedError())
    }
  }
}
