// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Reads chain storage with raw `state_getStorage` over an injected JSON-RPC transport: the viewer's
 * light path, without `@polkadot/api` (DESIGN.md "Operations").
 */
import { hexToU8a } from '@polkadot/util'
import { accountMapKey, decodeAccount, decodeStake } from './wire.ts'
import type { JsonRpcTransport } from './transport.ts'
import type { AccountSnapshot, StakeSnapshot } from './wire.ts'
import type { AbortOptions } from '../options.ts'

/** Per-call options: `at` reads the state at a block hash (default: best block). */
export interface StorageReadOptions extends AbortOptions {
  at?: `0x${string}`
}

/** Dependencies of {@link RawStorageReader}. */
export interface RawStorageReaderComponents {
  transport: JsonRpcTransport
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

  constructor (components: RawStorageReaderComponents) {
    this.transport = components.transport
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

  /** Closes the transport, if it can be closed. */
  close (): void {
    this.transport.close?.()
  }
}
