// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Storage keys and SCALE wire types for the raw storage reader: the layouts of `System.Account` and
 * `NsnStake.Stakes` as in the runtime metadata (`src/devchain/metadata/pallets/`), decoded with
 * `scale-ts` so the viewer path needs no `@polkadot/types`.
 */
import { blake2AsU8a, decodeAddress, xxhashAsU8a } from '@polkadot/util-crypto'
import { u8aConcat, u8aToHex } from '@polkadot/util'
import { Struct, u128, u32, u8 } from 'scale-ts'

/** `NodeRole` variants by SCALE index (pallet_nsn_stake). */
export const NODE_ROLES = ['None', 'Relay', 'Validator', 'SuperNode', 'Director', 'ActiveDirector', 'Reserve'] as const
/** A node's role tier. */
export type NodeRole = typeof NODE_ROLES[number]
/** `Region` variants by SCALE index (pallet_nsn_stake). */
export const REGIONS = ['NaWest', 'NaEast', 'EuWest', 'EuEast', 'Apac', 'Latam', 'Mena'] as const
/** A stake region. */
export type Region = typeof REGIONS[number]

/** `frame_system::AccountInfo<u32, pallet_balances::AccountData<u128>>`. */
export const AccountInfoCodec = Struct({
  nonce: u32,
  consumers: u32,
  providers: u32,
  sufficients: u32,
  data: Struct({ free: u128, reserved: u128, frozen: u128, flags: u128 })
})

/** `pallet_nsn_stake::StakeInfo<u128, u32>`; role and region are enum indices. */
export const StakeInfoCodec = Struct({ amount: u128, lockedUntil: u32, role: u8, region: u8, delegatedToMe: u128 })

/** An account's nonce and balances. */
export interface AccountSnapshot {
  nonce: number
  free: bigint
  reserved: bigint
  frozen: bigint
}

/** An account's `NsnStake.Stakes` entry (all zero, role `None`, for an unstaked account). */
export interface StakeSnapshot {
  amount: bigint
  lockedUntil: number
  role: NodeRole
  region: Region
  delegatedToMe: bigint
}

/** `twox128(pallet) ++ twox128(item)`: the prefix of every key of a storage item. */
export function storagePrefix (pallet: string, item: string): Uint8Array {
  return u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128))
}

/** `blake2_128(key) ++ key`, the `Blake2_128Concat` hasher. */
export function blake2128Concat (key: Uint8Array): Uint8Array {
  return u8aConcat(blake2AsU8a(key, 128), key)
}

/** The hex storage key of a single-`AccountId32`-keyed `Blake2_128Concat` map entry. */
export function accountMapKey (pallet: string, item: string, address: string): `0x${string}` {
  return u8aToHex(u8aConcat(storagePrefix(pallet, item), blake2128Concat(decodeAddress(address))))
}

/** Decodes `AccountInfo`; `null` (absent) reads as the default, as the runtime's `ValueQuery` does. */
export function decodeAccount (bytes: Uint8Array | null): AccountSnapshot {
  if (bytes == null) return { nonce: 0, free: 0n, reserved: 0n, frozen: 0n }
  const info = AccountInfoCodec.dec(bytes)
  return { nonce: info.nonce, free: info.data.free, reserved: info.data.reserved, frozen: info.data.frozen }
}

/** Decodes `StakeInfo`; `null` (absent) reads as the default. */
export function decodeStake (bytes: Uint8Array | null): StakeSnapshot {
  if (bytes == null) return { amount: 0n, lockedUntil: 0, role: 'None', region: 'NaWest', delegatedToMe: 0n }
  const s = StakeInfoCodec.dec(bytes)
  const role = NODE_ROLES[s.role]
  const region = REGIONS[s.region]
  if (role == null || region == null) throw new RangeError(`Unknown StakeInfo enum index (role ${s.role}, region ${s.region})`)
  return { amount: s.amount, lockedUntil: s.lockedUntil, role, region, delegatedToMe: s.delegatedToMe }
}
