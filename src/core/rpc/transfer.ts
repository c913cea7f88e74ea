// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Transfer lists. A value marked with {@link transfer} has its listed objects moved, not copied, when
 * it crosses a port as call parameters, a result or a progress payload (the Comlink idiom: the mark is
 * kept in a WeakMap, so the value itself is unchanged and in-thread callers see it as is).
 */

const marks = new WeakMap<object, Transferable[]>()

/**
 * Marks `value` so that `transferables` are moved when it is sent. Returns `value`.
 *
 * @example
 * ```ts
 * return transfer(output, [output.pcm.buffer]) // the worker gives the PCM away instead of copying it
 * ```
 */
export function transfer<T> (value: T, transferables: Transferable[]): T {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) marks.set(value, transferables)
  return value
}

/** The transfer list {@link transfer} attached to `value` (empty when none), removing the mark. */
export function takeTransferables (value: unknown): Transferable[] {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return []
  const list = marks.get(value)
  if (list == null) return []
  marks.delete(value)
  return list
}

/**
 * Every distinct `ArrayBuffer` reachable from `value` through plain objects, arrays and typed-array
 * views (not `SharedArrayBuffer`s, which are shared anyway): a transfer list that moves all the bulk
 * data of a stage output. Only for values the sender will not touch again.
 */
export function collectTransferables (value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>()
  const seen = new Set<unknown>()
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 16) return
    seen.add(v)
    if (v instanceof ArrayBuffer) {
      found.add(v)
    } else if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer)
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1)
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      for (const item of Object.values(v)) walk(item, depth + 1)
    }
  }
  walk(value, 0)
  return [...found]
}
