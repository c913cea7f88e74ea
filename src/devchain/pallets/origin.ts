// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Dispatch origins and decoded call arguments, shared by every pallet dispatcher of the dev runtime.
 */
import { DispatchModuleError } from '../runtime.ts'

/** A dispatch origin: a signed account (SS58), root (sudo), or none (a validated unsigned extrinsic). */
export type Origin = string | { root: true } | { none: true }

/** A decoded call argument (a polkadot-js codec). */
export interface CallArg {
  toString(): string
  toBigInt?(): bigint
  toNumber?(): number
  toU8a?(bare?: boolean): Uint8Array
  type?: string
}

/** The signing account, or `BadOrigin`. */
export function ensureSigned (origin: Origin): string {
  if (typeof origin !== 'string') throw new DispatchModuleError('DispatchError', 'BadOrigin')
  return origin
}

/** Passes for root only, else `BadOrigin`. */
export function ensureRoot (origin: Origin): void {
  if (typeof origin === 'string' || !('root' in origin)) throw new DispatchModuleError('DispatchError', 'BadOrigin')
}

/** Passes for an unsigned (validated) extrinsic only, else `BadOrigin`. */
export function ensureNone (origin: Origin): void {
  if (typeof origin === 'string' || !('none' in origin)) throw new DispatchModuleError('DispatchError', 'BadOrigin')
}

/** A decoded numeric call argument as bigint. */
export const big = (a: CallArg | undefined): bigint => (a?.toBigInt as () => bigint).call(a)
