// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Web Workers as {@link RpcPort}s: the page's side of a `Worker`, the worker's own global scope, and a
 * `MessagePort` (one end of a `MessageChannel`).
 */
import type { RpcPort } from '../../core/rpc/port.ts'

/** The page's port to a worker; `terminate()` ends the worker (pending calls reject as crashed). */
export interface BrowserWorkerPort extends RpcPort {
  terminate(): void
}

/** What the RPC needs of a message target: a `Worker`, a worker's `self` or a `MessagePort`. */
interface MessageTarget {
  postMessage(message: unknown, transfer: Transferable[]): void
  addEventListener(type: string, listener: (event: Event) => void): void
  removeEventListener(type: string, listener: (event: Event) => void): void
}

function adapt (target: MessageTarget, closeEvents: string[]): { port: RpcPort, fire(cause: Error): void } {
  const handlers = new Set<(cause: Error) => void>()
  let fired = false
  const fire = (cause: Error): void => {
    if (fired) return
    fired = true
    for (const h of [...handlers]) h(cause)
    handlers.clear()
  }
  for (const type of closeEvents) {
    target.addEventListener(type, (event: Event) => {
      const message = (event as ErrorEvent).message
      fire(new Error(type === 'error' && typeof message === 'string' && message !== '' ? `worker error: ${message}` : `${type} event`))
    })
  }
  const port: RpcPort = {
    postMessage (message, transfer) { target.postMessage(message, transfer) },
    onMessage (handler) {
      const listener = (event: Event): void => { handler((event as MessageEvent).data) }
      target.addEventListener('message', listener)
      return () => { target.removeEventListener('message', listener) }
    },
    onClose (handler) {
      handlers.add(handler)
      return () => { handlers.delete(handler) }
    }
  }
  return { port, fire }
}

/**
 * Adapts the page's `Worker`. A browser worker survives an uncaught exception, but its state is then
 * unknown: the `error` event (and `messageerror`) terminates it and closes the port, so every pending
 * call rejects with `WorkerCrashedError` and the owner starts a fresh worker.
 */
export function workerPort (worker: Worker): BrowserWorkerPort {
  const { port, fire } = adapt(worker, [])
  for (const type of ['error', 'messageerror']) {
    worker.addEventListener(type, (event: Event) => {
      worker.terminate()
      const message = (event as ErrorEvent).message
      fire(new Error(typeof message === 'string' && message !== '' ? `worker ${type}: ${message}` : `worker ${type}`))
    })
  }
  return {
    ...port,
    terminate () {
      worker.terminate()
      fire(new Error('the worker was terminated'))
    }
  }
}

/** Adapts a worker's global scope (`self` in a worker entry file). */
export function workerScopePort (scope: MessageTarget): RpcPort {
  return adapt(scope, ['messageerror']).port
}

/** Adapts a `MessagePort`, starting it; its `close` event (where browsers fire one) closes the RPC port. */
export function messagePort (port: MessagePort): RpcPort {
  const adapted = adapt(port, ['close', 'messageerror']).port
  port.start()
  return adapted
}
