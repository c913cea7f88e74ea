// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A minimal JSON-RPC 2.0 client over a WebSocket, for the viewer path (no `@polkadot/api`). The socket
 * constructor defaults to the global `WebSocket` (browsers, Node ≥ 22) and can be injected.
 */
import { AbortError, ChainConnectError } from './errors.ts'
import type { AbortOptions } from '../options.ts'

/** Sends JSON-RPC requests; `request` rejects with the server's error as `JsonRpcError`. */
export interface JsonRpcTransport {
  /** Calls `method` with positional `params` and resolves with its `result`. */
  request(method: string, params: unknown[], options?: AbortOptions): Promise<unknown>
  /** Closes the connection; pending requests reject with `ChainConnectError`. */
  close?(): void
}

/** A JSON-RPC error response; `code` is Substrate's (1010 invalid transaction, 4003 unknown block, …). */
export class JsonRpcError extends Error {
  static override name = 'JsonRpcError'
  readonly code: number
  readonly data?: unknown
  constructor (code: number, message: string, data?: unknown) {
    super(`${code}: ${message}`)
    this.name = 'JsonRpcError'
    this.code = code
    this.data = data
  }
}

/** The subset of the `WebSocket` API the transport uses. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void
}

/** Options for {@link webSocketTransport}. */
export interface WebSocketTransportInit {
  /** Socket constructor. @default globalThis.WebSocket */
  WebSocket?: new (url: string) => WebSocketLike
}

interface Pending { resolve: (v: unknown) => void, reject: (e: Error) => void }

/**
 * A {@link JsonRpcTransport} over one lazily opened WebSocket.
 *
 * @example
 * ```ts
 * const reader = new RawStorageReader({ transport: webSocketTransport('ws://127.0.0.1:9944') })
 * ```
 */
export function webSocketTransport (url: string, init: WebSocketTransportInit = {}): JsonRpcTransport {
  const Ctor = init.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket
  const pending = new Map<number, Pending>()
  let nextId = 1
  let opening: Promise<WebSocketLike> | undefined

  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
    opening = undefined
  }
  const open = async (): Promise<WebSocketLike> => {
    if (Ctor == null) throw new ChainConnectError('No WebSocket implementation: inject one', { url })
    opening ??= new Promise<WebSocketLike>((resolve, reject) => {
      const ws = new Ctor(url)
      let isOpen = false
      ws.addEventListener('open', () => { isOpen = true; resolve(ws) })
      ws.addEventListener('error', () => {
        if (!isOpen) { opening = undefined; reject(new ChainConnectError(`Could not connect to ${url}`, { url })) }
      })
      ws.addEventListener('close', () => { failAll(new ChainConnectError(`Connection to ${url} closed`, { url })) })
      ws.addEventListener('message', (event) => {
        const msg = JSON.parse(String(event.data)) as { id?: number, result?: unknown, error?: { code: number, message: string, data?: unknown } }
        const p = msg.id == null ? undefined : pending.get(msg.id)
        if (p == null || msg.id == null) return
        pending.delete(msg.id)
        if (msg.error != null) p.reject(new JsonRpcError(msg.error.code, msg.error.message, msg.error.data))
        else p.resolve(msg.result)
      })
    })
    return opening
  }

  return {
    async request (method, params, options = {}) {
      options.signal?.throwIfAborted()
      const ws = await open()
      const id = nextId++
      return new Promise((resolve, reject) => {
        const onAbort = (): void => { pending.delete(id); reject(new AbortError()) }
        const done = <T>(fn: (v: T) => void) => (v: T): void => { options.signal?.removeEventListener('abort', onAbort); fn(v) }
        pending.set(id, { resolve: done(resolve), reject: done(reject) })
        options.signal?.addEventListener('abort', onAbort, { once: true })
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      })
    },
    close () {
      const was = opening
      failAll(new ChainConnectError(`Connection to ${url} closed`, { url }))
      void was?.then(ws => { ws.close() }, () => {})
    }
  }
}
