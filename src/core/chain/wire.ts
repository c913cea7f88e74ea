// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Storage keys and SCALE wire types for the raw storage reader: the layouts of `System.Account` and
 * `NsnStake.Stakes` as in the runtime metadata (`src/devchain/metadata/pallets/`), decoded with
 * `scale-ts` so the viewer path needs no `@polkadot/types`.
 */
import { blake2AsU8a, decodeAddress, encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto'
import { u8aConcat, u8aToHex } from '@polkadot/util'
import { Bytes, Struct, Vector, u128, u32, u64, u8 } from 'scale-ts'
import { InvalidInputError } from '../errors.ts'

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

/** The domain prefix of a session-key proof: ASCII `nsn/session-key/2`. */
export const SESSION_KEY_PROOF_DOMAIN: Uint8Array = new TextEncoder().encode('nsn/session-key/2')

/**
 * The bytes a session key signs (Ed25519) to prove it consents to being registered for an account:
 * `"nsn/session-key/2" ++ accountId32` (the signer's 32 raw `AccountId` bytes). The proof goes to
 * `NsnDirector.register_session_key(session_key, proof)`.
 *
 * @throws InvalidInputError when `accountId32` is not 32 bytes
 */
export function sessionKeyProofMessage (accountId32: Uint8Array): Uint8Array {
  if (accountId32.length !== 32) throw new InvalidInputError(`An AccountId32 has 32 bytes, got ${accountId32.length}`, { field: 'accountId32' })
  return u8aConcat(SESSION_KEY_PROOF_DOMAIN, accountId32)
}

/** `u64` little-endian bytes. */
function u64Le (value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 64n) throw new InvalidInputError(`Not a u64: ${value}`, { field: 'epoch' })
  return u64.enc(value)
}

/** `twox64(key) ++ key`, the `Twox64Concat` hasher. */
export function twox64Concat (key: Uint8Array): Uint8Array {
  return u8aConcat(xxhashAsU8a(key, 64), key)
}

/** The hex key of `NsnDirector.EpochCommittees(epoch)` (`Twox64Concat` over the u64 epoch id). */
export function epochCommitteeKey (epoch: bigint | number): `0x${string}` {
  return u8aToHex(u8aConcat(storagePrefix('NsnDirector', 'EpochCommittees'), twox64Concat(u64Le(BigInt(epoch)))))
}

/** The hex key of `NsnDirector.SessionKeys(account)`. */
export function sessionKeyStorageKey (address: string): `0x${string}` {
  return accountMapKey('NsnDirector', 'SessionKeys', address)
}

/** The hex key of `NsnDirector.CurrentEpoch`. */
export function currentEpochKey (): `0x${string}` {
  return u8aToHex(storagePrefix('NsnDirector', 'CurrentEpoch'))
}

/** `BoundedVec<AccountId32, _>`. */
export const AccountVecCodec = Vector(Bytes(32))

/** The leading fields of `pallet_nsn_director::Epoch` (later fields, such as a status, are ignored). */
export const EpochHeadCodec = Struct({ id: u64, startBlock: u32, endBlock: u32, directors: AccountVecCodec })

/** An epoch as `NsnDirector.CurrentEpoch` holds it. */
export interface EpochSnapshot {
  id: bigint
  startBlock: number
  endBlock: number
  /** SS58 addresses of the epoch's directors. */
  directors: string[]
}

/** Decodes a committee (`Vec<AccountId32>`) to SS58 addresses; absent reads as empty. */
export function decodeCommittee (bytes: Uint8Array | null, ss58Format = 42): string[] {
  if (bytes == null) return []
  return AccountVecCodec.dec(bytes).map(a => encodeAddress(a, ss58Format))
}

/**
 * Decodes a `SessionKeys` value: the raw 32 bytes (`OptionQuery` over `[u8; 32]`), or an encoded
 * `Option<[u8; 32]>` (33 bytes) if the pallet stores the option itself. Absent or `None` is `null`.
 */
export function decodeSessionKey (bytes: Uint8Array | null): `0x${string}` | null {
  if (bytes == null) return null
  if (bytes.length === 32) return u8aToHex(bytes)
  if (bytes.length === 33 && bytes[0] === 1) return u8aToHex(bytes.subarray(1))
  if (bytes.length === 1 && bytes[0] === 0) return null
  throw new RangeError(`Unexpected SessionKeys value of ${bytes.length} bytes`)
}

/** Decodes `CurrentEpoch`'s leading fields; absent is `null`. */
export function decodeEpoch (bytes: Uint8Array | null, ss58Format = 42): EpochSnapshot | null {
  if (bytes == null) return null
  const e = EpochHeadCodec.dec(bytes)
  return { id: e.id, startBlock: e.startBlock, endBlock: e.endBlock, directors: e.directors.map(a => encodeAddress(a, ss58Format)) }
}
