// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The one thing the RPC needs from a platform: a message port. src/platform/browser/worker-port.ts
 * adapts a `Worker`, a `MessagePort` or a worker's global scope, src/platform/node/worker-port.ts a
 * `worker_threads` `Worker`, `parentPort` or `MessagePort`; {@link memoryPortPair} links two in-thread
 * ports with the same copy-and-transfer semantics (tests, the in-thread Node runner).
 */

/** A bidirectional message port, as the RPC client and server see it. */
export interface RpcPort {
  /**
   * Sends a structured-cloneable message; `transfer` lists the objects that are moved, not copied
   * (an `ArrayBuffer` in it is detached on this side).
   *
   * @throws the platform's `DataCloneError` when the message cannot be cloned
   */
  postMessage(message: unknown, transfer: Transferable[]): void
  /** Subscribes to incoming messages (their data); returns the unsubscribe function. */
  onMessage(handler: (data: unknown) => void): () => void
  /**
   * Subscribes to the death of the other side (error, exit, termination, undeserializable message);
   * the handler runs at most once, with what the platform reported. Returns the unsubscribe function.
   */
  onClose(handler: (cause: Error) => void): () => void
}

/** One end of {@link memoryPortPair}, which can also be closed (as a dying worker would). */
export interface MemoryPort extends RpcPort {
  /** Closes both ends: each end's `onClose` handlers run with `cause`. */
  close(cause?: Error): void
}

/**
 * Two linked in-thread ports. Messages are copied with `structuredClone` (transferred objects are
 * detached on the sender, as over a real port) and delivered in a later task, in order.
 */
export function memoryPortPair (): [MemoryPort, MemoryPort] {
  const ends = [0, 1].map(() => ({ message: new Set<(data: unknown) => void>(), close: new Set<(cause: Error) => void>() }))
  let closed = false
  const close = (cause: Error): void => {
    if (closed) return
    closed = true
    for (const end of ends) for (const h of [...end.close]) h(cause)
    for (const end of ends) { end.message.clear(); end.close.clear() }
  }
  const port = (self: number): MemoryPort => {
    const mine = ends[self]!
    const other = ends[1 - self]!
    return {
      postMessage (message, transfer) {
        if (closed) return
        const copy = structuredClone(message, { transfer })
        setTimeout(() => { for (const h of [...other.message]) h(copy) }, 0)
      },
      onMessage (handler) {
        mine.message.add(handler)
        return () => { mine.message.delete(handler) }
      },
      onClose (handler) {
        mine.close.add(handler)
        return () => { mine.close.delete(handler) }
      },
      close (cause = new Error('the port was closed')) { close(cause) }
    }
  }
  return [port(0), port(1)]
}
