// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The typed worker protocol (STYLE.md 5.5). A service contract is an interface whose methods all take
 * `(params, options?)` and return a promise; the in-thread implementation of the contract is what
 * {@link serveRpc} serves, and {@link createRpcClient} implements the same contract over a port.
 *
 * Messages (every one carries `v`, the protocol version):
 * - caller → callee: `call` (id, method, params), `abort` (id, reason);
 * - callee → caller: `progress` (id, payload), then exactly one `result` (id, value) or `error`
 *   (id, serialized error).
 *
 * @example
 * ```ts
 * interface Upscaler {
 *   run(image: RgbaImage, options?: CallOptions<StageProgress>): Promise<RgbaImage>
 * }
 * serveRpc<Upscaler>(port, localUpscaler)                        // in the worker
 * const { service } = createRpcClient<Upscaler>(workerPort(w)) // in the page
 * await service.run(transfer(image, [image.data.buffer]), { signal, onProgress })
 * ```
 */
import type { AbortOptions } from '../options.ts'
import type { SerializedError } from './serialize-error.ts'

/** The protocol version in every message. */
export const RPC_VERSION = 1

/** Per-call options of every contract method: abort and progress. */
export interface CallOptions<P = unknown> extends AbortOptions {
  /** Called with each progress payload the callee reports, in order, before the call settles. */
  onProgress?(progress: P): void
}

/** A contract method: one (structured-cloneable) parameter value, then the options. */
export type RpcMethod = (params: never, options?: CallOptions<never>) => Promise<unknown>

/** The method names of a contract. */
export type RpcMethodName<T> = { [K in keyof T]: T[K] extends RpcMethod ? K : never }[keyof T] & string

/** The parameter value of a contract method. */
export type RpcParams<F> = F extends (params: infer P, options?: CallOptions<never>) => Promise<unknown> ? P : never

/** The progress payload of a contract method. */
export type RpcProgress<F> = F extends (params: never, options?: CallOptions<infer P>) => Promise<unknown> ? P : never

/** The result of a contract method. */
export type RpcResult<F> = F extends (...args: never[]) => Promise<infer R> ? R : never

/** A `call` message, typed by the contract: `method` fixes `params`. */
export type RpcCallMessage<T> = {
  [K in RpcMethodName<T>]: { v: typeof RPC_VERSION, type: 'call', id: number, method: K, params: RpcParams<T[K]> }
}[RpcMethodName<T>]

/** Messages from caller to callee. */
export type RpcRequest<T = Record<string, RpcMethod>> =
  | RpcCallMessage<T>
  | { v: typeof RPC_VERSION, type: 'abort', id: number, reason: SerializedError }

/** Messages from callee to caller. */
export type RpcResponse =
  | { v: typeof RPC_VERSION, type: 'progress', id: number, progress: unknown }
  | { v: typeof RPC_VERSION, type: 'result', id: number, value: unknown }
  | { v: typeof RPC_VERSION, type: 'error', id: number, error: SerializedError }

/** True when `data` looks like a message of this protocol (ports may carry other traffic too). */
export function isRpcMessage (data: unknown): data is { v: unknown, type: unknown, id: unknown } {
  return data !== null && typeof data === 'object' && 'v' in data && 'type' in data && 'id' in data && typeof (data as { id: unknown }).id === 'number'
}
