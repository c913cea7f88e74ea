// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A JSON-RPC 2.0 server over WebSocket in the shape Substrate nodes speak: request/response methods,
 * and subscriptions (`<name>_subscribe…` returns an id, notifications carry
 * `{ subscription, result }`, `<name>_unsubscribe…` ends them). Binds 127.0.0.1 by default.
 */
import { WebSocketServer } from 'ws'
import type { AddressInfo } from 'node:net'
import type { WebSocket } from 'ws'

/** A JSON-RPC error with Substrate's codes (e.g. 1010 invalid transaction, -32601 no such method). */
export class RpcError extends Error {
  static override name = 'RpcError'
  readonly code: number
  readonly data?: unknown
  constructor (code: number, message: string, data?: unknown) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    this.data = data
  }
}

export type RpcParams = unknown[]
export type MethodHandler = (params: RpcParams) => unknown

/** A subscription: `start` returns what to send first (or nothing) and gets an `emit` to notify with. */
export interface SubscriptionSpec {
  /** Notification method name, e.g. `chain_newHead`. */
  notification: string
  /** The unsubscribe method, e.g. `chain_unsubscribeNewHeads`. */
  unsubscribe: string
  start(params: RpcParams, emit: (result: unknown) => void, end: () => void): (() => void)
}

interface Connection {
  socket: WebSocket
  subscriptions: Map<string, () => void>
}

export interface RpcServerInit {
  host?: string
  port?: number
}

export class RpcServer {
  private readonly methods = new Map<string, MethodHandler>()
  private readonly subscriptions = new Map<string, SubscriptionSpec>()
  private readonly unsubscribers = new Map<string, string>()
  private readonly connections = new Set<Connection>()
  private wss?: WebSocketServer
  private nextId = 1

  method (name: string, handler: MethodHandler): this {
    this.methods.set(name, handler)
    return this
  }

  subscription (name: string, spec: SubscriptionSpec): this {
    this.subscriptions.set(name, spec)
    this.unsubscribers.set(spec.unsubscribe, name)
    return this
  }

  /** Every method name, subscriptions included (`rpc_methods`). */
  methodNames (): string[] {
    return [...this.methods.keys(), ...this.subscriptions.keys(), ...this.unsubscribers.keys()].sort()
  }

  async listen (init: RpcServerInit = {}): Promise<string> {
    const wss = new WebSocketServer({ host: init.host ?? '127.0.0.1', port: init.port ?? 9944, maxPayload: 16 * 1024 * 1024 })
    this.wss = wss
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve)
      wss.once('error', reject)
    })
    wss.on('connection', (socket) => { this.accept(socket) })
    const addr = wss.address() as AddressInfo
    return `ws://127.0.0.1:${addr.port}`
  }

  async close (): Promise<void> {
    for (const c of this.connections) c.socket.terminate()
    const wss = this.wss
    if (wss == null) return
    await new Promise<void>(resolve => { wss.close(() => resolve()) })
  }

  private accept (socket: WebSocket): void {
    const conn: Connection = { socket, subscriptions: new Map() }
    this.connections.add(conn)
    socket.on('message', (data) => { void this.onMessage(conn, data.toString()) })
    socket.on('close', () => {
      for (const stop of conn.subscriptions.values()) stop()
      this.connections.delete(conn)
    })
  }

  private send (conn: Connection, message: unknown): void {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(message))
  }

  private async onMessage (conn: Connection, text: string): Promise<void> {
    let req: { id?: unknown, method?: unknown, params?: unknown }
    try {
      req = JSON.parse(text) as typeof req
    } catch {
      this.send(conn, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
      return
    }
    const id = req.id ?? null
    const method = typeof req.method === 'string' ? req.method : ''
    const params = Array.isArray(req.params) ? req.params : []
    try {
      const result = await this.dispatch(conn, method, params)
      this.send(conn, { jsonrpc: '2.0', id, result })
    } catch (err) {
      const e = err as RpcError
      const code = typeof e.code === 'number' ? e.code : -32603
      this.send(conn, { jsonrpc: '2.0', id, error: { code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) } })
    }
  }

  private async dispatch (conn: Connection, method: string, params: RpcParams): Promise<unknown> {
    const handler = this.methods.get(method)
    if (handler != null) return await handler(params)
    const spec = this.subscriptions.get(method)
    if (spec != null) {
      const subId = `nsn${this.nextId++}`
      let stopped = false
      let cleanup: (() => void) | undefined
      const stop = (): void => {
        if (stopped) return
        stopped = true
        conn.subscriptions.delete(subId)
        cleanup?.()
      }
      const emit = (result: unknown): void => {
        // delivered after the subscription id has been answered
        setImmediate(() => { if (!stopped) this.send(conn, { jsonrpc: '2.0', method: spec.notification, params: { subscription: subId, result } }) })
      }
      conn.subscriptions.set(subId, stop)
      try {
        cleanup = spec.start(params, emit, stop)
      } catch (err) {
        stop()
        throw err
      }
      return subId
    }
    if (this.unsubscribers.has(method)) {
      const subId = String(params[0])
      const stop = conn.subscriptions.get(subId)
      if (stop == null) return false
      stop()
      return true
    }
    throw new RpcError(-32601, `Method not found: ${method}`)
  }
}
