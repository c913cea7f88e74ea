// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev genesis. DEV KEYS ONLY: the well-known Substrate development accounts (//Alice … //Ferdie,
 * sr25519), whose secret seeds are public; never use them outside the dev chain.
 */
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { runGenesis } from './hooks.ts'
import type { DevRuntime } from './runtime.ts'
import type { StateSnapshot } from './state.ts'
import { StateSnapshot as Snapshot } from './state.ts'

export const DEV_ACCOUNT_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const
/** 1,000,000 NSN (12 decimals) per dev account. */
export const DEV_ENDOWMENT = 1_000_000n * 10n ** 12n

export interface DevAccount { name: string, address: string }

/** The dev accounts' addresses (SS58, prefix 42). */
export async function devAccounts (): Promise<DevAccount[]> {
  await cryptoWaitReady()
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  return DEV_ACCOUNT_NAMES.map(name => ({ name, address: keyring.addFromUri(`//${name}`).address }))
}

export async function devGenesis (rt: DevRuntime): Promise<StateSnapshot> {
  const accounts = await devAccounts()
  const overlay = new Snapshot().overlay()
  for (const { address } of accounts) {
    rt.write(overlay, { nonce: 0, consumers: 0, providers: 1, sufficients: 0, data: { free: DEV_ENDOWMENT, reserved: 0, frozen: 0, flags: 0 } }, 'system', 'account', address)
  }
  rt.write(overlay, DEV_ENDOWMENT * BigInt(accounts.length), 'balances', 'totalIssuance')
  rt.write(overlay, accounts[0]?.address, 'sudo', 'key')
  rt.write(overlay, 0, 'system', 'number')
  // each pallet's own genesis config (hooks.ts), in hook order
  await runGenesis(rt, overlay)
  return overlay.freeze()
}

/**
 * The dev director candidates (//Director1 … //Director6, two each in NaWest, EuWest and Apac),
 * funded, staked and holding Ed25519 session keys from genesis (NsnDirector's genesis hook). DEV
 * KEYS ONLY: their account URIs and session seeds (blake2b-256 of `nsn-dev-session//DirectorN`) are public.
 */
export { devDirectors, DEV_DIRECTOR_ENDOWMENT, DEV_DIRECTOR_STAKE } from './pallets/nsn-director.ts'
export type { DevDirector } from './pallets/nsn-director.ts'
