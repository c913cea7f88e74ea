// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev timing profile (DESIGN.md): blocks of 1 s, slots of 10 blocks, epochs of 6 slots. Block 0
 * is genesis; slot `s` covers blocks `[10s, 10s + 9]`, epoch `e` covers slots `[6e, 6e + 5]`.
 */

/** Blocks per slot. */
export const BLOCKS_PER_SLOT = 10
/** Slots per epoch. */
export const SLOTS_PER_EPOCH = 6
/** Blocks per epoch. */
export const BLOCKS_PER_EPOCH = BLOCKS_PER_SLOT * SLOTS_PER_EPOCH
/** Target block time of the dev chain (ms). */
export const BLOCK_TIME_MS = 1_000

/** The slot that block `n` belongs to. */
export const slotOfBlock = (n: number): bigint => BigInt(Math.floor(n / BLOCKS_PER_SLOT))
/** The epoch that `slot` belongs to. */
export const epochOfSlot = (slot: bigint): bigint => slot / BigInt(SLOTS_PER_EPOCH)
/** The first block of `slot`. */
export const slotStartBlock = (slot: bigint): number => Number(slot) * BLOCKS_PER_SLOT
