// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors across a port (STYLE.md 5.3). Structured clone keeps only the built-in error names, so an
 * error travels as plain data and is rebuilt on the other side with its `name`, message, remote stack,
 * `cause` chain and JSON-safe own fields (`field`, `issues`, `reason`, …). A name found in the registry
 * gets that class's prototype, so `instanceof` works too; matching by `name` always does.
 */
import { AbortError, InvalidInputError } from '../errors.ts'
import { RpcClosedError, RpcProtocolError, WorkerCrashedError } from './errors.ts'

/** An error as it crosses a port. */
export interface SerializedError {
  name: string
  message: string
  stack?: string
  cause?: SerializedError
  /** Own enumerable fields that survive JSON (e.g. `field`, `issues`). */
  fields?: Record<string, unknown>
}

/** An error class the receiving side rebuilds by name. */
export type ErrorClass = abstract new (...args: never[]) => Error

/** Classes every RPC endpoint rebuilds by name. */
export const DEFAULT_ERROR_CLASSES: readonly ErrorClass[] = [AbortError, InvalidInputError, WorkerCrashedError, RpcClosedError, RpcProtocolError]

const MAX_CAUSE_DEPTH = 4
const RESERVED = new Set(['name', 'message', 'stack', 'cause'])

function jsonSafe (value: unknown): unknown {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? undefined : JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Turns anything thrown into data that every port can clone. */
export function serializeError (err: unknown, depth = 0): SerializedError {
  if (err === null || typeof err !== 'object') return { name: 'Error', message: String(err) }
  const e = err as Partial<Error> & Record<string, unknown>
  const out: SerializedError = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err)
  }
  if (typeof e.stack === 'string') out.stack = e.stack
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(e.cause, depth + 1)
  for (const key of Object.keys(e)) {
    if (RESERVED.has(key)) continue
    const value = jsonSafe(e[key])
    if (value !== undefined) (out.fields ??= {})[key] = value
  }
  return out
}

/** A name → class registry for {@link deserializeError}. */
export function errorRegistry (classes: readonly ErrorClass[] = []): Map<string, ErrorClass> {
  const registry = new Map<string, ErrorClass>()
  for (const cls of [...DEFAULT_ERROR_CLASSES, ...classes]) registry.set(cls.name, cls)
  return registry
}

/** Rebuilds an error sent by {@link serializeError}; `name` and fields are preserved whatever the class. */
export function deserializeError (data: SerializedError, registry: Map<string, ErrorClass> = errorRegistry()): Error {
  const cls = registry.get(data.name)
  const err = Object.create((cls ?? Error).prototype as object) as Error
  Object.defineProperty(err, 'message', { value: data.message, writable: true, configurable: true })
  Object.defineProperty(err, 'name', { value: data.name, writable: true, configurable: true, enumerable: false })
  Object.defineProperty(err, 'stack', { value: data.stack ?? `${data.name}: ${data.message}`, writable: true, configurable: true })
  if (data.cause != null) Object.defineProperty(err, 'cause', { value: deserializeError(data.cause, registry), writable: true, configurable: true })
  if (data.fields != null) {
    for (const [key, value] of Object.entries(data.fields)) {
      if (!RESERVED.has(key)) Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable: true })
    }
  }
  return err
}
