// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Typed access to one pallet's storage for one dispatch or hook: the accessors every pallet's store
 * class shares (the pallet's own classes add their domain reads on top).
 */
import type { DevRuntime } from '../runtime.ts'
import type { StorageView } from '../state.ts'

export class PalletStore {
  readonly rt: DevRuntime
  readonly view: StorageView
  /** The pallet's polkadot-js section name, e.g. `nsnStorage`. */
  readonly section: string

  constructor (rt: DevRuntime, view: StorageView, section: string) {
    this.rt = rt
    this.view = view
    this.section = section
  }

  /** The block being built (`System.Number`). */
  block (): number { return this.rt.read<{ toNumber(): number }>(this.view, 'system', 'number').toNumber() }
  /** Its timestamp in ms (`Timestamp.Now`). */
  moment (): bigint { return this.rt.read<{ toBigInt(): bigint }>(this.view, 'timestamp', 'now').toBigInt() }
  /** Decodes `method(...keys)` of this pallet (the default value when absent). */
  read<T> (method: string, ...keys: unknown[]): T { return this.rt.read<T>(this.view, this.section, method, ...keys) }
  put (value: unknown, method: string, ...keys: unknown[]): void { this.rt.write(this.view, value, this.section, method, ...keys) }
  has (method: string, ...keys: unknown[]): boolean { return this.view.get(this.rt.key(this.section, method, ...keys)) != null }
  remove (method: string, ...keys: unknown[]): void { this.view.set(this.rt.key(this.section, method, ...keys), null) }
}
