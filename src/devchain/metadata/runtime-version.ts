// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev runtime's `RuntimeVersion` (what `state_getRuntimeVersion` and `Core_version` return).
 */
import { blake2AsHex } from '@polkadot/util-crypto'
import { RUNTIME_APIS } from './runtime-apis.ts'

/** `RuntimeVersion` in the JSON shape of polkadot-js `createType('RuntimeVersion', …)`. */
export interface RuntimeVersionJson {
  specName: string
  implName: string
  authoringVersion: number
  specVersion: number
  implVersion: number
  /** `[blake2_64(trait name) as 0x-hex, version]`, as `sp_api` computes the ids. */
  apis: Array<[string, number]>
  transactionVersion: number
  stateVersion: number
}

/** The id of a runtime API: blake2b-64 of its trait name (`sp_api`'s `blake2_64(b"Core")`). */
export function runtimeApiId (name: string): string {
  return blake2AsHex(name, 64)
}

/** The dev runtime's version; `apis` lists every {@link RUNTIME_APIS} entry with its version. */
export const RUNTIME_VERSION: RuntimeVersionJson = {
  specName: 'nsn-dev',
  implName: 'nsn-web-devchain',
  authoringVersion: 1,
  specVersion: 100,
  implVersion: 1,
  apis: RUNTIME_APIS.map(api => [runtimeApiId(api.name), api.version]),
  transactionVersion: 1,
  stateVersion: 1
}
