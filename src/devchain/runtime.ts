// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev chain's runtime: decodes extrinsics with the metadata built in code, checks them as a
 * Substrate runtime does (sr25519/ed25519 signatures over the rebuilt payload, nonces, mortal eras,
 * fees) and dispatches calls to pallet implementations, writing raw storage through an overlay.
 */
import { expandMetadata } from '@polkadot/types'
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { ed25519Verify as wasmEd25519Verify, sr25519Verify as wasmSr25519Verify } from '@polkadot/wasm-crypto'
import { blake2AsU8a, decodeAddress, signatureVerify } from '@polkadot/util-crypto'
import { buildRuntimeMetadata, RUNTIME_VERSION } from './metadata/build.ts'
import type { Hex, StorageView } from './state.ts'
import type { Metadata, TypeRegistry } from '@polkadot/types'
import type { Extrinsic } from '@polkadot/types/interfaces'

/** Substrate's `InvalidTransaction` reasons, reported as JSON-RPC error 1010. */
export type InvalidReason = 'BadProof' | 'Stale' | 'Future' | 'AncientBirthBlock' | 'Payment' | 'Call' | 'BadSigner' | 'ExhaustsResources'

const INVALID_TEXT: Record<InvalidReason, string> = {
  BadProof: 'Transaction has a bad signature',
  Stale: 'Transaction is outdated',
  Future: 'Transaction will be valid in the future',
  AncientBirthBlock: 'Transaction has an ancient birth block',
  Payment: 'Inability to pay some fees (e.g. account balance too low)',
  Call: 'Transaction call is not expected',
  BadSigner: 'Invalid signing address',
  ExhaustsResources: 'Transaction would exhaust the block limits'
}

/** Thrown when an extrinsic cannot be included at all (error 1010). */
export class InvalidTransactionError extends Error {
  static override name = 'InvalidTransactionError'
  readonly reason: InvalidReason
  constructor (reason: InvalidReason, options?: ErrorOptions) {
    super(`Invalid Transaction: ${INVALID_TEXT[reason]}`, options)
    this.name = 'InvalidTransactionError'
    this.reason = reason
  }
}

/** A dispatch error of a pallet: becomes `System.ExtrinsicFailed { dispatch_error: Module }`. */
export class DispatchModuleError extends Error {
  static override name = 'DispatchModuleError'
  readonly pallet: string
  readonly error: string
  constructor (pallet: string, error: string) {
    super(`${pallet}.${error}`)
    this.name = 'DispatchModuleError'
    this.pallet = pallet
    this.error = error
  }
}

interface MultiSignatureLike {
  isSr25519: boolean
  isEd25519: boolean
  value: { toU8a(): Uint8Array }
  toU8a(): Uint8Array
}

/**
 * Verifies the extrinsic's MultiSignature with the scheme its type byte names: sr25519 and ed25519
 * through @polkadot/wasm-crypto (util-crypto's sr25519 is pure JS and ~30x slower), ECDSA through
 * util-crypto.
 */
function verifyMultiSignature (ext: Extrinsic, message: Uint8Array, signer: string): boolean {
  const multi = (ext.inner as unknown as { signature: { multiSignature: MultiSignatureLike } }).signature.multiSignature
  const publicKey = decodeAddress(signer)
  if (multi.isSr25519) return wasmSr25519Verify(multi.value.toU8a(), message, publicKey)
  if (multi.isEd25519) return wasmEd25519Verify(multi.value.toU8a(), message, publicKey)
  return signatureVerify(message, multi.toU8a(), signer).isValid
}

/** Fee model (documented in README): base + per byte; no weight-based part yet. */
export const BASE_FEE = 1_000_000_000n
export const BYTE_FEE = 1_000_000n

export interface BlockContext {
  number: number
  genesisHash: Hex
  /** Block hash by number, for mortal era checks. */
  blockHash(number: number): Hex | undefined
}

export interface CheckedExtrinsic {
  ext: Extrinsic
  signer?: string
  nonce: number
  fee: bigint
}

export interface EventToEmit {
  pallet: string
  name: string
  /** Field values in declaration order, as polkadot-js `createType` accepts them. */
  data: unknown[]
}

export class DevRuntime {
  readonly registry: TypeRegistry
  readonly metadata: Metadata
  readonly v14: Uint8Array
  readonly v15: Uint8Array
  readonly version = RUNTIME_VERSION
  readonly query: ReturnType<typeof expandMetadata>['query']
  /** Call constructors (`tx.balances.transferKeepAlive(dest, value)` → `Call`). */
  readonly tx: ReturnType<typeof expandMetadata>['tx']

  constructor () {
    const built = buildRuntimeMetadata()
    this.registry = built.registry
    this.metadata = built.metadata
    this.v14 = built.v14
    this.v15 = built.v15
    const decorated = expandMetadata(this.registry, this.metadata)
    this.query = decorated.query
    this.tx = decorated.tx
  }

  /** The raw storage key of `section.method(...keys)`, hex without the SCALE length prefix. */
  key (section: string, method: string, ...keys: unknown[]): Hex {
    const entry = this.query[section]?.[method]
    if (entry == null) throw new Error(`No storage ${section}.${method}`)
    // double maps take their keys spread: `entry(key1, key2)`
    const raw = entry(...keys)
    // decorated storage keys carry a compact length prefix: strip it
    return u8aToHex(this.registry.createType('StorageKey', raw).toU8a(true)) as Hex
  }

  /** The raw key prefix of a storage item (`twox128(pallet) ++ twox128(item)`), hex: the start of every key of a map. */
  prefix (section: string, method: string): Hex {
    const entry = this.query[section]?.[method]
    if (entry == null) throw new Error(`No storage ${section}.${method}`)
    return u8aToHex(entry.keyPrefix()) as Hex
  }

  /** Reads and decodes a storage value (the entry's default when absent). */
  read<T = unknown> (view: StorageView, section: string, method: string, ...keys: unknown[]): T {
    const entry = this.query[section]?.[method]
    if (entry == null) throw new Error(`No storage ${section}.${method}`)
    const type = this.registry.createLookupType(entry.meta.type.isPlain ? entry.meta.type.asPlain : entry.meta.type.asMap.value)
    const bytes = view.get(this.key(section, method, ...keys))
    // bytes, not a hex string: `createType('u32', '0x…')` would read the hex as a big-endian number
    return this.registry.createType(type, bytes == null ? entry.meta.fallback : hexToU8a(bytes)) as T
  }

  write (view: StorageView, value: unknown, section: string, method: string, ...keys: unknown[]): void {
    const entry = this.query[section]?.[method]
    if (entry == null) throw new Error(`No storage ${section}.${method}`)
    const type = this.registry.createLookupType(entry.meta.type.isPlain ? entry.meta.type.asPlain : entry.meta.type.asMap.value)
    view.set(this.key(section, method, ...keys), u8aToHex(this.registry.createType(type, value).toU8a()) as Hex)
  }

  decodeExtrinsic (bytes: Uint8Array | Hex): Extrinsic {
    try {
      return this.registry.createType('Extrinsic', bytes)
    } catch (err) {
      throw new InvalidTransactionError('Call', { cause: err })
    }
  }

  fee (length: number): bigint {
    return BASE_FEE + BYTE_FEE * BigInt(length)
  }

  /**
   * Checks a signed extrinsic against `view` at `ctx`: signature over the rebuilt payload (hashed
   * when over 256 bytes), era, nonce (a future nonce throws `Future`), fee affordability.
   */
  check (view: StorageView, ext: Extrinsic, ctx: BlockContext): CheckedExtrinsic {
    if (!ext.isSigned) return { ext, nonce: 0, fee: 0n }
    const signer = ext.signer.toString()
    const era = ext.era
    let birthHash = ctx.genesisHash
    if (era.isMortalEra) {
      const birth = era.asMortalEra.birth(ctx.number)
      const death = era.asMortalEra.death(ctx.number)
      if (ctx.number >= death) throw new InvalidTransactionError('Stale')
      const hash = ctx.blockHash(birth)
      if (hash == null) throw new InvalidTransactionError('AncientBirthBlock')
      birthHash = hash
    }
    const payload = this.registry.createType('ExtrinsicPayload', {
      method: ext.method.toHex(),
      era: ext.era,
      nonce: ext.nonce,
      tip: ext.tip,
      specVersion: this.version.specVersion,
      transactionVersion: this.version.transactionVersion,
      genesisHash: ctx.genesisHash,
      blockHash: birthHash
    }, { version: ext.version & 0x7f })
    let message = payload.toU8a({ method: true })
    if (message.length > 256) message = blake2AsU8a(message, 256)
    let valid = false
    try {
      valid = verifyMultiSignature(ext, message, signer)
    } catch {
      valid = false
    }
    if (!valid) throw new InvalidTransactionError('BadProof')
    const account = this.read<{ nonce: { toNumber(): number }, data: { free: { toBigInt(): bigint } } }>(view, 'system', 'account', signer)
    const nonce = ext.nonce.toNumber()
    const expected = account.nonce.toNumber()
    if (nonce < expected) throw new InvalidTransactionError('Stale')
    if (nonce > expected) throw new InvalidTransactionError('Future')
    const fee = this.fee(ext.encodedLength) + ext.tip.toBigInt()
    if (account.data.free.toBigInt() < fee) throw new InvalidTransactionError('Payment')
    return { ext, signer, nonce, fee }
  }

  /**
   * `DispatchError::Module` for a pallet error, as `System.ExtrinsicFailed` carries it; pallet
   * `DispatchError` names a plain variant (`new DispatchModuleError('DispatchError', 'BadOrigin')`).
   */
  moduleError (e: DispatchModuleError): { Module: { index: number, error: Uint8Array } } | Record<string, string | null> {
    // a plain `DispatchError` variant (`BadOrigin`, …) rather than a pallet's error
    if (e.pallet === 'DispatchError') return e.error === 'Arithmetic' ? { Arithmetic: 'Overflow' } : { [e.error]: null }
    const pallet = this.metadata.asLatest.pallets.find(p => p.name.toString() === e.pallet)
    if (pallet == null || pallet.errors.isNone) throw new Error(`No errors in ${e.pallet}`)
    const variants = this.registry.lookup.getSiType(pallet.errors.unwrap().type).def.asVariant.variants
    const variant = variants.find(v => v.name.toString() === e.error)
    if (variant == null) throw new Error(`No error ${e.pallet}.${e.error}`)
    return { Module: { index: pallet.index.toNumber(), error: new Uint8Array([variant.index.toNumber(), 0, 0, 0]) } }
  }

  /** Encodes an event record's `event` field from a pallet event name and field values. */
  encodeEvent (e: EventToEmit): Uint8Array {
    const pallet = this.metadata.asLatest.pallets.find(p => p.name.toString() === e.pallet)
    if (pallet == null || pallet.events.isNone) throw new Error(`No events in ${e.pallet}`)
    const lookup = this.registry.lookup.getSiType(pallet.events.unwrap().type)
    const variant = lookup.def.asVariant.variants.find(v => v.name.toString() === e.name)
    if (variant == null) throw new Error(`No event ${e.pallet}.${e.name}`)
    const fields = variant.fields.map((f, i) => this.registry.createType(this.registry.createLookupType(f.type), e.data[i]).toU8a())
    return u8aConcat(new Uint8Array([pallet.index.toNumber(), variant.index.toNumber()]), ...fields)
  }
}
