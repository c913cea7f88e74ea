// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Reads chain storage with raw `state_getStorage` over an injected JSON-RPC transport: the viewer's
 * light path, without `@polkadot/api` (DESIGN.md "Operations").
 */
import { hexToU8a } from '@polkadot/util'
import {
  accountMapKey, currentEpochKey, decodeAccount, decodeCommittee, decodeEpoch, decodeSessionKey, decodeStake, epochCommitteeKey,
  sessionKeyStorageKey
} from './wire.ts'
import type { JsonRpcTransport } from './transport.ts'
import type { AccountSnapshot, EpochSnapshot, StakeSnapshot } from './wire.ts'
import type { AbortOptions } from '../options.ts'

/** Per-call options: `at` reads the state at a block hash (default: best block). */
export interface StorageReadOptions extends AbortOptions {
  at?: `0x${string}`
}

/** Dependencies of {@link RawStorageReader}. */
export interface RawStorageReaderComponents {
  transport: JsonRpcTransport
}

/** Options of {@link RawStorageReader}. */
export interface RawStorageReaderInit {
  /** SS58 prefix of the addresses it returns. @default 42 */
  ss58Format?: number
}

/** A committee member with its registered session key (`null` when none). */
export interface RawCommitteeMember {
  account: string
  sessionKey: `0x${string}` | null
}

/**
 * Typed reads of a few storage items by raw key.
 *
 * @example
 * ```ts
 * const reader = new RawStorageReader({ transport: webSocketTransport(url) })
 * const { free } = await reader.systemAccount(address)
 * ```
 */
export class RawStorageReader {
  private readonly transport: JsonRpcTransport
  private readonly ss58Format: number

  constructor (components: RawStorageReaderComponents, init: RawStorageReaderInit = {}) {
    this.transport = components.transport
    this.ss58Format = init.ss58Format ?? 42
  }

  /** The raw value at `key`, or `null` when absent. */
  async getStorage (key: `0x${string}`, options: StorageReadOptions = {}): Promise<Uint8Array | null> {
    const params: unknown[] = options.at != null ? [key, options.at] : [key]
    const value = await this.transport.request('state_getStorage', params, options)
    return typeof value === 'string' ? hexToU8a(value) : null
  }

  /** `System.Account`: nonce and balances of `address`. */
  async systemAccount (address: string, options: StorageReadOptions = {}): Promise<AccountSnapshot> {
    return decodeAccount(await this.getStorage(accountMapKey('System', 'Account', address), options))
  }

  /** `NsnStake.Stakes`: the stake of `address`. */
  async stake (address: string, options: StorageReadOptions = {}): Promise<StakeSnapshot> {
    return decodeStake(await this.getStorage(accountMapKey('NsnStake', 'Stakes', address), options))
  }

  /** `NsnDirector.SessionKeys(address)`: the registered Ed25519 session key, or `null`. */
  async sessionKey (address: string, options: StorageReadOptions = {}): Promise<`0x${string}` | null> {
    return decodeSessionKey(await this.getStorage(sessionKeyStorageKey(address), options))
  }

  /** `NsnDirector.CurrentEpoch`, or `null` before the first epoch. */
  async currentEpoch (options: StorageReadOptions = {}): Promise<EpochSnapshot | null> {
    return decodeEpoch(await this.getStorage(currentEpochKey(), options), this.ss58Format)
  }

  /**
   * `NsnDirector.EpochCommittees(epoch)` with each member's `SessionKeys` entry, read at one block
   * (the best block's hash unless `at` is given, so that members and keys agree).
   */
  async committee (epoch: bigint | number, options: StorageReadOptions = {}): Promise<RawCommitteeMember[]> {
    const at = options.at ?? await this.transport.request('chain_getBlockHash', [], options) as `0x${string}`
    const accounts = decodeCommittee(await this.getStorage(epochCommitteeKey(epoch), { ...options, at }), this.ss58Format)
    return Promise.all(accounts.map(async account => ({ account, sessionKey: await this.sessionKey(account, { ...options, at }) })))
  }

  /** Closes the transport, if it can be closed. */
  close (): void {
    this.transport.close?.()
  }
}
