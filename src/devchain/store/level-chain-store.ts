// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `ChainStore` on LevelDB (classic-level). Layout, all keys and values UTF-8:
 *   `s:<raw key hex>` → raw value hex   the current state (after the head block)
 *   `b:<number, 12 digits>` → JSON      block record { number, hash, header, extrinsics }
 *   `head` → JSON                       head pointer { number, hash }
 * `commitBlock` writes the block record, the state diff and the head pointer in ONE LevelDB batch
 * (atomic through LevelDB's write-ahead log, fsync'd with `sync: true`), so a crash leaves the store
 * at the previous block or at this one, never in between.
 */
import { ClassicLevel } from 'classic-level'
import { StoreClosedError, StoreCorruptError } from './errors.ts'
import type { ChainStore, LoadedChain, StateChange, StoredBlock } from './chain-store.ts'
import type { CrashHook } from './crash-hook.ts'
import type { AbortOptions } from '../../core/options.ts'
import type { Hex } from '../state.ts'

const STATE = 's:'
const BLOCK = 'b:'
const HEAD = 'head'

export interface LevelChainStoreInit {
  /** The LevelDB folder (created if missing). */
  location: string
  /** TEST HOOK ONLY (see `crash-hook.ts`). */
  crashHook?: CrashHook
}

function blockKey (n: number): string {
  return BLOCK + n.toString().padStart(12, '0')
}

/** Keys `prefix…` in order (`;` follows `:`). */
function range (prefix: string): { gte: string, lt: string } {
  return { gte: prefix, lt: prefix.slice(0, -1) + ';' }
}

export class LevelChainStore implements ChainStore {
  private readonly db: ClassicLevel<string, string>
  private readonly crashHook?: CrashHook
  private opened = false

  constructor (init: LevelChainStoreInit) {
    this.db = new ClassicLevel<string, string>(init.location, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    this.crashHook = init.crashHook
  }

  async open (options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    await this.db.open({ createIfMissing: true })
    this.opened = true
  }

  async load (options: AbortOptions = {}): Promise<LoadedChain | undefined> {
    this.assertOpen()
    const headJson = await this.db.get(HEAD)
    if (headJson == null) return undefined
    const head = JSON.parse(headJson) as { number: number, hash: Hex }
    const blocks: StoredBlock[] = []
    for await (const value of this.db.values(range(BLOCK))) {
      options.signal?.throwIfAborted()
      const b = JSON.parse(value) as StoredBlock
      if (b.number !== blocks.length) throw new StoreCorruptError(`Block #${blocks.length} is missing`)
      blocks.push(b)
    }
    const last = blocks.at(-1)
    if (last == null || last.number !== head.number || last.hash !== head.hash) {
      throw new StoreCorruptError(`Head pointer #${head.number} ${head.hash} does not match the last block record`)
    }
    const state = new Map<string, Hex>()
    for await (const [key, value] of this.db.iterator(range(STATE))) {
      options.signal?.throwIfAborted()
      state.set(key.slice(STATE.length), value as Hex)
    }
    return { blocks, state, finalizedNumber: head.number }
  }

  async commitBlock (block: StoredBlock, changes: StateChange[], options: AbortOptions = {}): Promise<void> {
    this.assertOpen()
    options.signal?.throwIfAborted()
    const batch = this.db.batch()
    for (const { key, value } of changes) {
      if (value == null) batch.del(STATE + key)
      else batch.put(STATE + key, value)
    }
    this.crashHook?.(block.number, 'mid-batch')
    batch.put(blockKey(block.number), JSON.stringify(block))
    batch.put(HEAD, JSON.stringify({ number: block.number, hash: block.hash }))
    this.crashHook?.(block.number, 'before-write')
    await batch.write({ sync: true })
    this.crashHook?.(block.number, 'after-write')
  }

  async close (): Promise<void> {
    if (!this.opened) return
    this.opened = false
    await this.db.close()
  }

  private assertOpen (): void {
    if (!this.opened) throw new StoreClosedError()
  }
}
