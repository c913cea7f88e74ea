// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Per-pallet block hooks of the dev runtime. Block production runs every `onFinalize` after the
 * block's extrinsics, in the order of {@link HOOKS}, and records their events with the
 * `Finalization` phase.
 */
import { nsnReputationOnFinalize } from './pallets/nsn-reputation.ts'
import type { DevRuntime, EventToEmit } from './runtime.ts'
import type { StorageView } from './state.ts'

/** A pallet's hooks. */
export interface PalletHooks {
  /** `on_finalize(n)`: reads and writes storage through `view`, returns its events. */
  onFinalize?(rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[]
}

/**
 * Hooks by pallet, in execution order. NsnReputation must stay last: it commits the block's
 * reputation events to a Merkle root, so events that other pallets raise in their own `on_finalize`
 * land in the same block's root (section 13, weakness 24), unlike the original's index order.
 */
export const HOOKS: ReadonlyArray<readonly [string, PalletHooks]> = [
  ['NsnReputation', { onFinalize: nsnReputationOnFinalize }]
]

/** Runs every pallet's `onFinalize` for block `blockNumber` and returns their events in order. */
export function runOnFinalize (rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[] {
  return HOOKS.flatMap(([, hooks]) => hooks.onFinalize?.(rt, view, blockNumber) ?? [])
}
