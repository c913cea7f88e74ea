// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev chain's storage: raw key → value bytes (hex), one immutable snapshot per block, and an
 * overlay for the block being built that is committed or dropped as a whole (a failed extrinsic never
 * leaves half its writes).
 *
 * The state root is blake2b-256 over the SCALE encoding of the sorted (key, value) pairs: a
 * deterministic commitment to the whole state, not Substrate's Patricia-Merkle trie root (proofs are
 * not supported).
 */
import { blake2AsU8a } from '@polkadot/util-crypto'
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util'

export type Hex = `0x${string}`

export class StateSnapshot {
  private readonly entries: ReadonlyMap<string, Hex>
  private sortedKeys?: string[]

  constructor (entries: ReadonlyMap<string, Hex> = new Map()) {
    this.entries = entries
  }

  get (key: string): Hex | undefined {
    return this.entries.get(key)
  }

  get size (): number {
    return this.entries.size
  }

  /** Keys starting with `prefix`, sorted, after `startKey` (exclusive), at most `count`. */
  keysPaged (prefix: string, count: number, startKey?: string): string[] {
    const keys = this.keys()
    const out: string[] = []
    for (const k of keys) {
      if (!k.startsWith(prefix)) continue
      if (startKey != null && k <= startKey) continue
      out.push(k)
      if (out.length >= count) break
    }
    return out
  }

  keys (): string[] {
    this.sortedKeys ??= [...this.entries.keys()].sort()
    return this.sortedKeys
  }

  root (): Hex {
    const parts: Uint8Array[] = [compactToU8a(this.entries.size)]
    for (const k of this.keys()) {
      const key = hexToU8a(k)
      const value = hexToU8a(this.entries.get(k) as string)
      parts.push(compactToU8a(key.length), key, compactToU8a(value.length), value)
    }
    return u8aToHex(blake2AsU8a(u8aConcat(...parts), 256)) as Hex
  }

  /** A writable overlay on this snapshot. */
  overlay (): StateOverlay {
    return new StateOverlay(this)
  }

  toJSON (): Record<string, Hex> {
    return Object.fromEntries(this.entries)
  }
}

/**
 * Writes over a readable base: a block's snapshot (`freeze()` makes the next snapshot) or another
 * view (`commit()` hands the writes to it, e.g. when a call succeeds; dropping it discards them).
 */
export class StateOverlay implements StorageView {
  private readonly base: StateSnapshot | StorageView
  private readonly changes = new Map<string, Hex | null>()

  constructor (base: StateSnapshot | StorageView) {
    this.base = base
  }

  get (key: string): Hex | undefined {
    const v = this.changes.get(key)
    if (v === null) return undefined
    return v ?? this.base.get(key)
  }

  set (key: string, value: Hex | null): void {
    this.changes.set(key, value)
  }

  /** A nested overlay: its writes reach this one only on `commit()`. */
  child (): StateOverlay {
    return new StateOverlay(this)
  }

  /** Applies this nested overlay's writes to the view it was made over. */
  commit (): void {
    if (this.base instanceof StateSnapshot) throw new Error('commit() is for nested overlays: freeze() a block overlay')
    for (const [k, v] of this.changes) this.base.set(k, v)
    this.changes.clear()
  }

  /** The new snapshot: the base snapshot with these changes applied. */
  freeze (): StateSnapshot {
    if (!(this.base instanceof StateSnapshot)) throw new Error('freeze() is for block overlays: commit() a nested one')
    const next = new Map<string, Hex>()
    for (const k of this.base.keys()) next.set(k, this.base.get(k) as Hex)
    for (const [k, v] of this.changes) {
      if (v === null) next.delete(k)
      else next.set(k, v)
    }
    return new StateSnapshot(next)
  }

  /** Keys under `prefix` as this view sees them (base keys plus writes, minus deletions), sorted. */
  keys (prefix: string): string[] {
    const base = this.base instanceof StateSnapshot ? this.base.keysPaged(prefix, Number.POSITIVE_INFINITY) : this.base.keys(prefix)
    const out = new Set(base)
    for (const [k, v] of this.changes) {
      if (!k.startsWith(prefix)) continue
      if (v === null) out.delete(k)
      else out.add(k)
    }
    return [...out].sort()
  }

  /** Keys changed in this overlay (for storage subscriptions and the block's state diff). */
  changedKeys (): string[] {
    return [...this.changes.keys()]
  }
}

/** Storage access the runtime uses: an overlay or a nested one. */
export interface StorageView {
  get(key: string): Hex | undefined
  set(key: string, value: Hex | null): void
  /** Keys under `prefix` (hex), sorted. */
  keys(prefix: string): string[]
}
