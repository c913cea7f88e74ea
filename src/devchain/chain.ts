// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Block production for the dev chain: a transaction pool (ready and future queues by nonce), blocks
 * built on an interval or on demand (`dev_newBlock`), each finalized on the next tick, and the
 * notifications the RPC layer forwards (new heads, finalized heads, extrinsic status, storage).
 *
 * With a `ChainStore`, each block is committed to it (block record, state diff, head pointer in one
 * atomic write) before the chain's memory and RPC clients see it; a chain resumed from a store starts
 * at the last committed block, which counts as finalized. Only genesis and the head keep their state
 * after a restart (older blocks answer "state discarded").
 */
import { u8aConcat } from '@polkadot/util'
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto'
import { TypedEventEmitter } from '../core/events.ts'
import { dispatch, validateUnsigned } from './dispatch.ts'
import { runOnFinalize, runOnInitialize } from './hooks.ts'
import { DispatchModuleError, InvalidTransactionError } from './runtime.ts'
import { StateSnapshot } from './state.ts'
import { GenesisMismatchError, ReplayMismatchError, StoreCorruptError } from './store/errors.ts'
import type { ChainStore, LoadedChain, StateChange, StoredBlock } from './store/chain-store.ts'
import type { BlockContext, DevRuntime, EventToEmit } from './runtime.ts'
import type { Hex, StateOverlay } from './state.ts'
import type { Extrinsic, Header } from '@polkadot/types/interfaces'

export interface Block {
  number: number
  hash: Hex
  header: Header
  extrinsics: Hex[]
  /** Undefined once pruned (older than `STATE_HISTORY` blocks). */
  state: StateSnapshot | undefined
}

/** Blocks whose state is kept for queries (genesis is always kept). */
export const STATE_HISTORY = 256

/** Status events of a watched extrinsic, as `author_extrinsicUpdate` carries them. */
export type TxStatus = 'ready' | 'future' | { inBlock: Hex } | { finalized: Hex } | { invalid: string } | 'dropped'

interface PoolEntry { hash: Hex, bytes: Hex, signer?: string, nonce: number, provides?: string, onStatus?: (s: TxStatus) => void }

export interface DevChainEvents {
  'block:new': CustomEvent<Block>
  'block:finalized': CustomEvent<Block>
}

export interface DevChainInit {
  runtime: DevRuntime
  genesis: StateSnapshot
  /** Wall clock (ms) for the timestamp inherent; `dev_timeTravel` shifts it. */
  now?: () => number
  /** Where blocks are committed before they are imported; none keeps the chain in memory. */
  store?: ChainStore
  /** A chain loaded from `store`: the chain continues at its last block. */
  resume?: LoadedChain
}

interface BuiltBlock { block: Block, included: PoolEntry[], changes: StateChange[] }

export class DevChain extends TypedEventEmitter<DevChainEvents> {
  readonly runtime: DevRuntime
  private readonly blocks: Block[] = []
  private readonly byHash = new Map<string, Block>()
  private readonly pool = new Map<Hex, PoolEntry>()
  private finalizedNumber = 0
  private clockOffsetMs = 0
  private readonly now: () => number
  private readonly chainStore?: ChainStore
  /** The block being produced: productions run one after another. */
  private producing: Promise<unknown> = Promise.resolve()

  constructor (init: DevChainInit) {
    super()
    this.runtime = init.runtime
    this.now = init.now ?? Date.now
    this.chainStore = init.store
    const header = this.runtime.registry.createType('Header', {
      parentHash: new Uint8Array(32), number: 0, stateRoot: init.genesis.root(), extrinsicsRoot: blake2AsU8a(new Uint8Array(0)), digest: { logs: [] }
    })
    this.store({ number: 0, hash: header.hash.toHex() as Hex, header, extrinsics: [], state: init.genesis })
    if (init.resume != null) this.resume(init.resume)
  }

  /** The block as the store keeps it. */
  static toStored (b: Block): StoredBlock {
    return { number: b.number, hash: b.hash, header: b.header.toHex() as Hex, extrinsics: b.extrinsics }
  }

  /** Commits genesis (its whole state) to a fresh store. */
  async persistGenesis (): Promise<void> {
    const genesis = this.blocks[0] as Block & { state: StateSnapshot }
    await this.chainStore?.commitBlock(DevChain.toStored(genesis), genesis.state.keys().map(key => ({ key, value: genesis.state.get(key) as Hex })))
  }

  /** Resolves once no block is being produced. */
  async idle (): Promise<void> {
    await this.producing
  }

  private resume (loaded: LoadedChain): void {
    const [genesis, ...rest] = loaded.blocks
    if (genesis?.hash !== this.genesisHash) throw new GenesisMismatchError(`The data folder's genesis ${genesis?.hash} is not this dev genesis ${this.genesisHash}`)
    for (const b of rest) {
      const header = this.runtime.registry.createType('Header', b.header)
      if (header.hash.toHex() !== b.hash) throw new StoreCorruptError(`Block #${b.number}'s header does not hash to ${b.hash}`)
      this.store({ number: b.number, hash: b.hash, header, extrinsics: b.extrinsics, state: undefined })
    }
    const state = new StateSnapshot(loaded.state)
    if (state.root() !== this.head.header.stateRoot.toHex()) throw new StoreCorruptError(`The stored state's root ${state.root()} is not head #${this.head.number}'s state root`)
    this.head.state = state
    this.finalizedNumber = Math.min(loaded.finalizedNumber, this.head.number)
  }

  get genesisHash (): Hex { return (this.blocks[0] as Block).hash }
  get head (): Block & { state: StateSnapshot } { return this.blocks[this.blocks.length - 1] as Block & { state: StateSnapshot } }
  get finalized (): Block { return this.blocks[this.finalizedNumber] as Block }

  block (hashOrNumber?: string | number | null): Block | undefined {
    if (hashOrNumber == null) return this.head
    if (typeof hashOrNumber === 'number') return this.blocks[hashOrNumber]
    return this.byHash.get(hashOrNumber.toLowerCase())
  }

  /** Shifts the timestamp inherent's clock (chopsticks' `dev_timeTravel`). */
  timeTravel (toMs: number): void {
    this.clockOffsetMs = toMs - this.now()
  }

  context (number: number): BlockContext {
    return { number, genesisHash: this.genesisHash, blockHash: (n) => this.blocks[n]?.hash }
  }

  /** Validates and queues an extrinsic; throws `InvalidTransactionError` (→ RPC 1010). */
  submit (bytes: Hex, onStatus?: (s: TxStatus) => void): Hex {
    const ext = this.runtime.decodeExtrinsic(bytes)
    const hash = blake2AsHex(bytes, 256) as Hex
    const head = this.head
    if (!ext.isSigned) {
      // an unsigned extrinsic needs its pallet's `validate_unsigned`; one per `provides` tag
      const { provides } = validateUnsigned(this.runtime, head.state.overlay(), ext)
      if (this.pool.has(hash) || [...this.pool.values()].some(e => e.provides === provides)) throw new InvalidTransactionError('Stale')
      this.pool.set(hash, { hash, bytes, nonce: 0, provides, onStatus })
      onStatus?.('ready')
      return hash
    }
    let status: TxStatus = 'ready'
    try {
      this.runtime.check(head.state.overlay(), ext, this.context(head.number + 1))
    } catch (err) {
      if ((err as InvalidTransactionError).reason !== 'Future') throw err
      status = 'future'
    }
    this.pool.set(hash, { hash, bytes, signer: ext.signer.toString(), nonce: ext.nonce.toNumber(), onStatus })
    onStatus?.(status)
    return hash
  }

  pendingExtrinsics (): Hex[] {
    return [...this.pool.values()].map(e => e.bytes)
  }

  /** Builds, commits (with a store), imports and (on the next tick) finalizes one block. */
  async produceBlock (): Promise<Block> {
    return await this.serialize(async () => await this.commit(this.build(this.now() + this.clockOffsetMs, this.readyEntries(), false)))
  }

  /**
   * Re-applies a stored block's extrinsics (the timestamp inherent first) on the head: replaying a
   * chain from genesis must give the same blocks. Throws `ReplayMismatchError` when one cannot apply.
   */
  async replayBlock (extrinsics: Hex[]): Promise<Block> {
    const rt = this.runtime
    const [inherent, ...signed] = extrinsics
    const call = inherent != null ? rt.decodeExtrinsic(inherent).method : undefined
    if (call == null || call.section !== 'timestamp' || call.method !== 'set') throw new ReplayMismatchError('A block must start with the timestamp inherent')
    const nowMs = Number((call.args[0] as unknown as { toBigInt(): bigint }).toBigInt())
    const entries = signed.map(bytes => {
      const ext = rt.decodeExtrinsic(bytes)
      return ext.isSigned
        ? { hash: blake2AsHex(bytes, 256) as Hex, bytes, signer: ext.signer.toString(), nonce: ext.nonce.toNumber() }
        : { hash: blake2AsHex(bytes, 256) as Hex, bytes, nonce: 0 }
    })
    return await this.serialize(async () => await this.commit(this.build(nowMs, entries, true)))
  }

  private async serialize<T> (fn: () => Promise<T>): Promise<T> {
    const next = this.producing.then(fn)
    this.producing = next.catch(() => undefined)
    return await next
  }

  /**
   * Chopsticks' `dev_setStorage` for tests: builds a new block (timestamp inherent and hooks, no pool
   * extrinsics) whose state starts with the given raw writes (`null` deletes). The writes are in the
   * block's state diff, so they persist and survive a restart like any block; a replay from
   * extrinsics alone does not reproduce them.
   */
  async setStorage (writes: ReadonlyArray<readonly [Hex, Hex | null]>): Promise<Block> {
    return await this.serialize(async () => await this.commit(this.build(this.now() + this.clockOffsetMs, [], false, writes)))
  }

  private build (nowMs: number, entries: PoolEntry[], strict: boolean, writes: ReadonlyArray<readonly [Hex, Hex | null]> = []): BuiltBlock {
    const parent = this.head
    const number = parent.number + 1
    const rt = this.runtime
    const overlay = parent.state.overlay()
    const events: Array<{ phase: unknown, event: Uint8Array }> = []
    for (const [key, value] of writes) overlay.set(key, value)
    rt.write(overlay, number, 'system', 'number')
    rt.write(overlay, parent.hash, 'system', 'parentHash')
    rt.write(overlay, parent.hash, 'system', 'blockHash', parent.number)
    const extrinsics: Hex[] = []
    // inherent: timestamp.set(now)
    rt.write(overlay, nowMs, 'timestamp', 'now')
    extrinsics.push(rt.registry.createType('Extrinsic', rt.tx.timestamp!.set!(nowMs)).toHex() as Hex)
    events.push(...this.successEvents(0))
    // pallet on_initialize hooks (hooks.ts), after the timestamp inherent
    events.push(...runOnInitialize(rt, overlay, number).map(e => ({ phase: { Initialization: null }, event: rt.encodeEvent(e) })))
    const included: PoolEntry[] = []
    for (const entry of entries) {
      const index = extrinsics.length
      const applied = this.apply(overlay, entry, number, index)
      if (applied == null) {
        if (strict) throw new ReplayMismatchError(`Extrinsic ${entry.hash} of block #${number} does not apply`)
        continue
      }
      extrinsics.push(entry.bytes)
      events.push(...applied)
      included.push(entry)
    }
    // pallet on_finalize hooks (hooks.ts)
    events.push(...runOnFinalize(rt, overlay, number).map(e => ({ phase: { Finalization: null }, event: rt.encodeEvent(e) })))
    rt.write(overlay, events.map(e => ({ phase: e.phase, event: e.event, topics: [] })), 'system', 'events')
    rt.write(overlay, events.length, 'system', 'eventCount')
    const state = overlay.freeze()
    const header = rt.registry.createType('Header', {
      parentHash: parent.hash,
      number,
      stateRoot: state.root(),
      extrinsicsRoot: blake2AsU8a(u8aConcat(...extrinsics.map(e => rt.registry.createType('Bytes', e).toU8a())), 256),
      digest: { logs: [] }
    })
    const changes = overlay.changedKeys().map(key => ({ key, value: state.get(key) ?? null }))
    return { block: { number, hash: header.hash.toHex() as Hex, header, extrinsics, state }, included, changes }
  }

  /** Makes the block durable (with a store), then imports it and tells subscribers. */
  private async commit ({ block, included, changes }: BuiltBlock): Promise<Block> {
    await this.chainStore?.commitBlock(DevChain.toStored(block), changes)
    this.store(block)
    this.safeDispatchEvent('block:new', { detail: block })
    for (const e of included) e.onStatus?.({ inBlock: block.hash })
    setTimeout(() => { this.finalize(block, included) }, 20)
    return block
  }

  private finalize (block: Block, included: PoolEntry[]): void {
    if (block.number <= this.finalizedNumber) return
    this.finalizedNumber = block.number
    this.safeDispatchEvent('block:finalized', { detail: block })
    for (const e of included) e.onStatus?.({ finalized: block.hash })
  }

  private store (block: Block): void {
    this.blocks[block.number] = block
    this.byHash.set(block.hash, block)
    // keep the states of recent blocks only (queries at older blocks answer "state discarded")
    const old = this.blocks[block.number - STATE_HISTORY]
    if (old != null && old.number > 0) old.state = undefined
  }

  /** Pool entries in nonce order per signer, oldest submission first. */
  private readyEntries (): PoolEntry[] {
    return [...this.pool.values()].sort((a, b) => (a.signer === b.signer ? a.nonce - b.nonce : 0))
  }

  /** Applies one pooled extrinsic; returns its events, or undefined to leave it out of the block. */
  private apply (overlay: StateOverlay, entry: PoolEntry, number: number, index: number): Array<{ phase: unknown, event: Uint8Array }> | undefined {
    const rt = this.runtime
    const ext = rt.decodeExtrinsic(entry.bytes)
    if (!ext.isSigned) return this.applyUnsigned(overlay, entry, ext, index)
    let checked
    try {
      checked = rt.check(overlay, ext, this.context(number))
    } catch (err) {
      const reason = (err as InvalidTransactionError).reason
      if (reason === 'Future') return undefined
      this.pool.delete(entry.hash)
      entry.onStatus?.({ invalid: (err as Error).message })
      return undefined
    }
    this.pool.delete(entry.hash)
    // nonce and fee are taken even when the call fails
    const account = rt.read<{ toJSON(): Record<string, unknown>, nonce: { toNumber(): number }, data: { free: { toBigInt(): bigint }, toJSON(): Record<string, unknown> } }>(overlay, 'system', 'account', checked.signer)
    rt.write(overlay, { ...account.toJSON(), nonce: account.nonce.toNumber() + 1, data: { ...account.data.toJSON(), free: account.data.free.toBigInt() - checked.fee } }, 'system', 'account', checked.signer)
    // the fee is burned (pallet-transaction-payment's default with no fee handler), so the total
    // issuance stays the sum of all balances
    rt.write(overlay, rt.read<{ toBigInt(): bigint }>(overlay, 'balances', 'totalIssuance').toBigInt() - checked.fee, 'balances', 'totalIssuance')
    const emitted: EventToEmit[] = [{ pallet: 'Balances', name: 'Withdraw', data: [checked.signer, checked.fee] }]
    const child = overlay.child()
    const phase = { ApplyExtrinsic: index }
    let result: EventToEmit[]
    try {
      const callEvents = dispatch(rt, child, ext, checked.signer as string)
      child.commit()
      result = [...emitted, ...callEvents, { pallet: 'TransactionPayment', name: 'TransactionFeePaid', data: [checked.signer, checked.fee, 0] }, { pallet: 'System', name: 'ExtrinsicSuccess', data: [{ weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: 'Yes' }] }]
    } catch (err) {
      if ((err as Error).name !== DispatchModuleError.name) throw err
      const e = err as DispatchModuleError
      result = [...emitted, { pallet: 'TransactionPayment', name: 'TransactionFeePaid', data: [checked.signer, checked.fee, 0] }, { pallet: 'System', name: 'ExtrinsicFailed', data: [rt.moduleError(e), { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: 'Yes' }] }]
    }
    return result.map(e => ({ phase, event: rt.encodeEvent(e) }))
  }

  /** Applies a pooled unsigned extrinsic (re-validated on the block's state; no fee, no nonce). */
  private applyUnsigned (overlay: StateOverlay, entry: PoolEntry, ext: Extrinsic, index: number): Array<{ phase: unknown, event: Uint8Array }> | undefined {
    const rt = this.runtime
    this.pool.delete(entry.hash)
    try {
      validateUnsigned(rt, overlay, ext)
    } catch (err) {
      if ((err as Error).name !== InvalidTransactionError.name) throw err
      entry.onStatus?.({ invalid: (err as Error).message })
      return undefined
    }
    const info = { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: 'No' }
    const child = overlay.child()
    let result: EventToEmit[]
    try {
      result = [...dispatch(rt, child, ext, { none: true }), { pallet: 'System', name: 'ExtrinsicSuccess', data: [info] }]
      child.commit()
    } catch (err) {
      if ((err as Error).name !== DispatchModuleError.name) throw err
      result = [{ pallet: 'System', name: 'ExtrinsicFailed', data: [rt.moduleError(err as DispatchModuleError), info] }]
    }
    return result.map(e => ({ phase: { ApplyExtrinsic: index }, event: rt.encodeEvent(e) }))
  }

  private successEvents (index: number): Array<{ phase: unknown, event: Uint8Array }> {
    return [{ phase: { ApplyExtrinsic: index }, event: this.runtime.encodeEvent({ pallet: 'System', name: 'ExtrinsicSuccess', data: [{ weight: { refTime: 0, proofSize: 0 }, class: 'Mandatory', paysFee: 'Yes' }] }) }]
  }
}
