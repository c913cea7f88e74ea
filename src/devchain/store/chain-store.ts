// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The contract of the dev chain's persistent store: blocks (header and extrinsics as SCALE hex), the
 * current state as raw key/value pairs, and the head pointer, each block committed atomically with its
 * state diff so that a crash never leaves a half-applied block.
 */
import type { AbortOptions } from '../../core/options.ts'
import type { Hex } from '../state.ts'

/** A block as stored: enough to rebuild the header and to replay the block. */
export interface StoredBlock {
  number: number
  hash: Hex
  /** SCALE-encoded header. */
  header: Hex
  /** SCALE-encoded extrinsics, the timestamp inherent first. */
  extrinsics: Hex[]
}

/** One raw storage write of a block: `value: null` deletes the key. */
export interface StateChange {
  key: string
  value: Hex | null
}

/** What a non-empty store holds. */
export interface LoadedChain {
  /** Every committed block, genesis first, index = block number. */
  blocks: StoredBlock[]
  /** The state after the last committed block (raw key → value). */
  state: Map<string, Hex>
  /**
   * The finalized block number. Blocks are finalized on the tick after their commit; after a restart
   * the last committed block counts as finalized (it is durable, and nothing can revert it).
   */
  finalizedNumber: number
}

export interface ChainStore {
  open(options?: AbortOptions): Promise<void>
  /** The stored chain, or undefined for an empty (fresh) store. */
  load(options?: AbortOptions): Promise<LoadedChain | undefined>
  /**
   * Writes the block record, its state diff and the new head pointer as one atomic write: after a
   * crash either all of it is there or none.
   */
  commitBlock(block: StoredBlock, changes: StateChange[], options?: AbortOptions): Promise<void>
  close(): Promise<void>
}
