// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Per-pallet hooks of the dev runtime: genesis build, `on_initialize` (before the block's
 * extrinsics, after the timestamp inherent), `on_finalize` (after them, events in the
 * `Finalization` phase) and `validate_unsigned` (which unsigned extrinsics the pool and a block
 * accept). Each list runs in the order of {@link HOOKS}.
 */
import { nsnBftHooks } from './pallets/nsn-bft.ts'
import { nsnBootstrapHooks } from './pallets/nsn-bootstrap.ts'
import { nsnDirectorHooks } from './pallets/nsn-director.ts'
import { nsnModelRegistryHooks } from './pallets/nsn-model-registry.ts'
import { nsnReputationOnFinalize } from './pallets/nsn-reputation.ts'
import { nsnStorageHooks } from './pallets/nsn-storage.ts'
import { nsnTaskMarketHooks } from './pallets/nsn-task-market.ts'
import { nsnTreasuryHooks } from './pallets/nsn-treasury.ts'
import type { CallArg } from './pallets/origin.ts'
import type { DevRuntime, EventToEmit } from './runtime.ts'
import type { StorageView } from './state.ts'

/** What `validate_unsigned` grants an acceptable unsigned extrinsic. */
export interface UnsignedValidity {
  /** A tag no other pooled or included extrinsic may share (e.g. the slot a certificate is for). */
  provides: string
  priority?: number
}

/** A pallet's hooks. */
export interface PalletHooks {
  /** Writes the pallet's dev-genesis storage. */
  genesis?(rt: DevRuntime, view: StorageView): Promise<void> | void
  /** `on_initialize(n)`: reads and writes storage through `view`, returns its events. */
  onInitialize?(rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[]
  /** `on_finalize(n)`: reads and writes storage through `view`, returns its events. */
  onFinalize?(rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[]
  /**
   * `validate_unsigned` for the pallet's unsigned calls: throws `InvalidTransactionError` (`Call`,
   * `BadProof`, `Stale`, …) to refuse, else says what the extrinsic provides. Without this hook
   * the pallet's calls cannot be submitted unsigned.
   */
  validateUnsigned?(rt: DevRuntime, view: StorageView, method: string, args: CallArg[]): UnsignedValidity
}

/**
 * Hooks by pallet name, in execution order. NsnReputation must stay last: it commits the block's
 * reputation events to a Merkle root, so events that other pallets raise in their own `on_finalize`
 * land in the same block's root (section 13, weakness 24), unlike the original's index order.
 */
export const HOOKS: ReadonlyArray<readonly [string, PalletHooks]> = [
  ['NsnDirector', nsnDirectorHooks],
  ['NsnBft', nsnBftHooks],
  ['NsnStorage', nsnStorageHooks],
  ['NsnTreasury', nsnTreasuryHooks],
  ['NsnTaskMarket', nsnTaskMarketHooks],
  ['NsnModelRegistry', nsnModelRegistryHooks],
  ['NsnBootstrap', nsnBootstrapHooks],
  ['NsnReputation', { onFinalize: nsnReputationOnFinalize }]
]

/** Runs every pallet's genesis build in order. */
export async function runGenesis (rt: DevRuntime, view: StorageView): Promise<void> {
  for (const [, hooks] of HOOKS) await hooks.genesis?.(rt, view)
}

/** Runs every pallet's `onInitialize` for block `blockNumber` and returns their events in order. */
export function runOnInitialize (rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[] {
  return HOOKS.flatMap(([, hooks]) => hooks.onInitialize?.(rt, view, blockNumber) ?? [])
}

/** Runs every pallet's `onFinalize` for block `blockNumber` and returns their events in order. */
export function runOnFinalize (rt: DevRuntime, view: StorageView, blockNumber: number): EventToEmit[] {
  return HOOKS.flatMap(([, hooks]) => hooks.onFinalize?.(rt, view, blockNumber) ?? [])
}

/** The `validateUnsigned` hook of the pallet named `pallet` (PascalCase), if it has one. */
export function unsignedValidator (pallet: string): PalletHooks['validateUnsigned'] {
  return HOOKS.find(([name]) => name === pallet)?.[1].validateUnsigned
}
