// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `worker_threads` as {@link RpcPort}s: the parent side of a `Worker`, and a `MessagePort` (the
 * worker's `parentPort`, or one end of a `MessageChannel`); {@link startTsWorker} starts a worker on a
 * TypeScript entry file.
 */
import { Worker } from 'node:worker_threads'
import type { MessagePort, TransferListItem, WorkerOptions } from 'node:worker_threads'
import type { RpcPort } from '../../core/rpc/port.ts'

/** The parent's port to a worker; `terminate()` ends the worker (pending calls reject as crashed). */
export interface NodeWorkerPort extends RpcPort {
  terminate(): Promise<number>
}

function closeOnce (): { fire(cause: Error): void, add(handler: (cause: Error) => void): () => void } {
  const handlers = new Set<(cause: Error) => void>()
  let fired = false
  return {
    fire (cause) {
      if (fired) return
      fired = true
      for (const h of [...handlers]) h(cause)
      handlers.clear()
    },
    add (handler) {
      handlers.add(handler)
      return () => { handlers.delete(handler) }
    }
  }
}

/**
 * Adapts a `worker_threads` `Worker`. Its `error` (an uncaught exception in the worker), `messageerror`
 * and `exit` (including `process.exit()` in the worker and `terminate()`) close the port, once.
 */
export function nodeWorkerPort (worker: Worker): NodeWorkerPort {
  const close = closeOnce()
  worker.on('error', (err: Error) => { close.fire(err) })
  worker.on('messageerror', (err: Error) => { close.fire(err) })
  worker.on('exit', (code: number) => { close.fire(new Error(`the worker exited with code ${code}`)) })
  return {
    postMessage (message, transfer) { worker.postMessage(message, transfer as unknown as TransferListItem[]) },
    onMessage (handler) {
      const listener = (data: unknown): void => { handler(data) }
      worker.on('message', listener)
      return () => { worker.off('message', listener) }
    },
    onClose: handler => close.add(handler),
    terminate: async () => await worker.terminate()
  }
}

/** Adapts a `MessagePort`, e.g. `parentPort` inside a worker; its `close` event closes the RPC port. */
export function nodeMessagePort (port: MessagePort): RpcPort {
  const close = closeOnce()
  port.on('close', () => { close.fire(new Error('the message port was closed')) })
  port.on('messageerror', (err: Error) => { close.fire(err) })
  return {
    postMessage (message, transfer) { port.postMessage(message, transfer as unknown as TransferListItem[]) },
    onMessage (handler) {
      const listener = (data: unknown): void => { handler(data) }
      port.on('message', listener)
      return () => { port.off('message', listener) }
    },
    onClose: handler => close.add(handler)
  }
}

/**
 * Starts a `worker_threads` worker on a TypeScript entry file. Node 20 applies no `--import` loader
 * to worker threads, so a `.ts` entry is loaded through tsx's `tsImport` from a one-line ESM shim;
 * any other entry starts as is.
 */
export function startTsWorker (entry: URL, options: WorkerOptions = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options)
  const tsx = import.meta.resolve('tsx/esm/api')
  const shim = `import { tsImport } from ${JSON.stringify(tsx)}; await tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(entry.href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(shim)}`), options)
}
