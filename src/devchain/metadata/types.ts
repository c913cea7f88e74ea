// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The contract for declaring runtime metadata in code: named types and pallets are plain objects,
 * and every type is written as a {@link TypeRef} expression that the {@link TypeBuilder} resolves
 * into a scale-info portable type id.
 */

/**
 * A type expression, Rust-like:
 * - primitives `bool`, `char`, `str`, `u8`…`u256`, `i8`…`i256`;
 * - `[u8; 32]`, `(u32, u64)`, `()`;
 * - `Vec<T>`, `Option<T>`, `Compact<T>`, `Result<T, E>`, `BTreeMap<K, V>`, `BoundedVec<T>`,
 *   `WeakBoundedVec<T>`, `Box<T>` (transparent, as in scale-info);
 * - any named type from {@link NamedTypeDef} (`AccountId32`, `MultiAddress`, `RuntimeCall`, …).
 *
 * @example 'Vec<(AccountId32, Compact<u128>)>'
 */
export type TypeRef = string

/** A field of a composite type, a variant, a call argument or an event. */
export interface FieldDef {
  /** The Rust field name (snake_case); leave out for tuple-like fields. */
  name?: string
  type: TypeRef
  /** The Rust type as written in the source, e.g. `T::AccountId`, `T::Balance`, `BlockNumberFor<T>`. */
  typeName?: string
  docs?: string[]
}

/** One variant of an enum (or one call, event or error of a pallet). */
export interface VariantDef {
  name: string
  /** The SCALE index: the first byte of the encoded variant. */
  index: number
  fields?: FieldDef[]
  docs?: string[]
}

/** A generic parameter as scale-info records it; `type: null` for phantom parameters (`T: Config`). */
export interface TypeParamDef {
  name: string
  type: TypeRef | null
}

interface NamedTypeBase {
  /** The key other type expressions use to refer to this type (unique across the runtime). */
  name: string
  /** The Rust path, e.g. `['sp_runtime', 'multiaddress', 'MultiAddress']`; polkadot-js names types by it. */
  path: string[]
  params?: TypeParamDef[]
  docs?: string[]
}

/** A struct (named fields) or tuple struct (unnamed fields). */
export interface CompositeTypeDef extends NamedTypeBase {
  kind: 'composite'
  fields: FieldDef[]
}

/** An enum. */
export interface VariantTypeDef extends NamedTypeBase {
  kind: 'variant'
  variants: VariantDef[]
}

/** A named type that other {@link TypeRef}s can refer to by `name`. */
export type NamedTypeDef = CompositeTypeDef | VariantTypeDef

/** A storage hasher, as in `StorageHasherV14`. */
export type StorageHasher = 'Blake2_128' | 'Blake2_256' | 'Blake2_128Concat' | 'Twox128' | 'Twox256' | 'Twox64Concat' | 'Identity'

/** One storage item of a pallet. With `hashers` it is a map (one hasher per key; several keys: `key` is a tuple). */
export interface StorageEntryDef {
  name: string
  /** `Optional`: absent reads as `None`; `Default`: absent reads as `default`. */
  modifier: 'Optional' | 'Default'
  /** The value type. */
  type: TypeRef
  hashers?: StorageHasher[]
  key?: TypeRef
  /** For `Default`: the default as a polkadot-js JS value (camelCase struct keys); the type's zero value when left out. */
  default?: unknown
  docs?: string[]
}

/** A pallet constant: `value` is a JS value encoded with `type`, or `bytes` are the raw SCALE bytes. */
export interface ConstantDef {
  name: string
  type: TypeRef
  value?: unknown
  bytes?: Uint8Array
  docs?: string[]
}

/**
 * A pallet. Add one by writing a file in `pallets/` that exports a `PalletDef` and listing it in
 * `pallets/index.ts`.
 */
export interface PalletDef {
  /** The name in `construct_runtime!` (PascalCase), e.g. `Balances`. */
  name: string
  /** The pallet index: the first byte of its calls, events and errors. */
  index: number
  /** The crate, used for the `Call`/`Event`/`Error` paths, e.g. `pallet_balances` or `frame_system`. */
  crate: string
  docs?: string[]
  /** Named types this pallet introduces (visible to every pallet). */
  types?: NamedTypeDef[]
  calls?: VariantDef[]
  events?: VariantDef[]
  errors?: VariantDef[]
  storage?: StorageEntryDef[]
  constants?: ConstantDef[]
}

/** One method of a runtime API (metadata V15). */
export interface RuntimeApiMethodDef {
  /** The snake_case method name; the `state_call` name is `${api}_${method}`. */
  name: string
  inputs: Array<{ name: string, type: TypeRef }>
  output: TypeRef
  docs?: string[]
}

/** A runtime API trait: declared in metadata V15 and, with `version`, in `RuntimeVersion.apis`. */
export interface RuntimeApiDef {
  /** The trait name exactly as in Substrate, e.g. `TransactionPaymentApi`. */
  name: string
  version: number
  methods: RuntimeApiMethodDef[]
  docs?: string[]
}

/** A signed (transaction) extension: its extrinsic-encoded type and its additional signed data. */
export interface SignedExtensionDef {
  identifier: string
  type: TypeRef
  additionalSigned: TypeRef
}
