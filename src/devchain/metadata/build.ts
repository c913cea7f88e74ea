// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Builds the dev runtime's metadata in code: a portable type registry from the core, extrinsic,
 * runtime-API and pallet declarations, then `RuntimeMetadataPrefixed` bytes (`meta` magic + version
 * byte + `MetadataV14`/`MetadataV15`) encoded with `@polkadot/types`.
 */
import { Metadata, TypeRegistry } from '@polkadot/types'
import { u8aConcat, u8aToHex } from '@polkadot/util'
import { CORE_TYPES } from './core-types.ts'
import { enumType, PHANTOM_T, u } from './def-helpers.ts'
import { InvalidDeclarationError } from './errors.ts'
import { EXTRINSIC_TYPES, EXTRINSIC_VERSION, SIGNED_EXTENSIONS, SIGNED_EXTRA } from './extrinsic.ts'
import { PALLETS } from './pallets/index.ts'
import { API_TYPES, RUNTIME_APIS } from './runtime-apis.ts'
import { TypeBuilder } from './type-builder.ts'
import { ValueEncoder } from './value-encoder.ts'
import type { PortableTypeJson } from './type-builder.ts'
import type { PalletDef, VariantDef } from './types.ts'

export { RUNTIME_VERSION, runtimeApiId } from './runtime-version.ts'
export type { RuntimeVersionJson } from './runtime-version.ts'

/** `RuntimeMetadataPrefixed` magic: the bytes of `meta` (`0x6d657461`). */
export const METADATA_MAGIC = new Uint8Array([0x6d, 0x65, 0x74, 0x61])

/** The metadata versions this runtime serves (`Metadata_metadata_versions`). */
export const METADATA_VERSIONS: readonly number[] = [14, 15]

/** What {@link buildRuntimeMetadata} returns. */
export interface BuiltRuntimeMetadata {
  /** `RuntimeMetadataPrefixed` with `RuntimeMetadata::V14` (what `state_getMetadata` returns). */
  v14: Uint8Array
  /** `RuntimeMetadataPrefixed` with `RuntimeMetadata::V15` (for `Metadata_metadata_at_version(15)`). */
  v15: Uint8Array
  /** A registry with the V15 metadata set (`registry.setMetadata(metadata)`). */
  registry: TypeRegistry
  /** The V15 metadata, decoded from `v15`. */
  metadata: Metadata
}

type Kind = 'Call' | 'Event' | 'Error'
const KINDS: Array<{ kind: Kind, key: 'calls' | 'events' | 'errors', docs: string }> = [
  { kind: 'Call', key: 'calls', docs: 'Contains a variant per dispatchable extrinsic that this pallet has.' },
  { kind: 'Event', key: 'events', docs: 'The `Event` enum of this pallet' },
  { kind: 'Error', key: 'errors', docs: 'The `Error` enum of this pallet.' }
]

function checkUnique (pallets: readonly PalletDef[]): void {
  const names = new Set<string>()
  const indices = new Set<number>()
  for (const { name, index } of pallets) {
    if (names.has(name)) throw new InvalidDeclarationError('duplicate-pallet', `Pallet ${name} is listed twice`)
    if (indices.has(index)) throw new InvalidDeclarationError('duplicate-index', `Pallet index ${index} is used twice (${name})`)
    names.add(name)
    indices.add(index)
  }
}

/** The pallet's enum type name for `kind` (`BalancesCall`), when the pallet has one. */
function enumName (pallet: PalletDef, kind: Kind): string | null {
  const items = pallet[KINDS.find(k => k.kind === kind)!.key]
  return items == null || items.length === 0 ? null : `${pallet.name}${kind}`
}

/** Declares every pallet's `Call`/`Event`/`Error` enum and the outer `Runtime{Call,Event,Error}` enums. */
function declareEnums (builder: TypeBuilder, pallets: readonly PalletDef[]): void {
  for (const { kind, key, docs } of KINDS) {
    const outer: VariantDef[] = []
    for (const p of pallets) {
      const name = enumName(p, kind)
      if (name == null) continue
      builder.define(enumType(name, [p.crate, 'pallet', kind], p[key] ?? [], { params: PHANTOM_T, docs: [docs] }))
      const typeName = kind === 'Call'
        ? `self::sp_api_hidden_includes_construct_runtime::hidden_include::dispatch::CallableCallFor<${p.name}, Runtime>`
        : `${p.crate}::${kind}<Runtime>`
      outer.push({ name: p.name, index: p.index, fields: [u(name, typeName)], docs: [] })
    }
    builder.define(enumType(`Runtime${kind}`, ['nsn_runtime', `Runtime${kind}`], outer))
  }
}

/**
 * Resolves every pallet's types into `PalletMetadataV15`-shaped JSON; values are encoded afterwards.
 * Bytes go in as hex: `createType('Bytes', u8a)` would read a `Uint8Array` as length-prefixed.
 */
function palletJson (builder: TypeBuilder, p: PalletDef): { json: Record<string, unknown>, encode: (enc: ValueEncoder) => void } {
  const ref = (kind: Kind): { type: number } | null => {
    const name = enumName(p, kind)
    return name == null ? null : { type: builder.resolve(name) }
  }
  const calls = ref('Call')
  const events = ref('Event')
  const errors = ref('Error')
  const items = (p.storage ?? []).map(e => {
    const value = builder.resolve(e.type)
    const type = e.hashers == null
      ? { Plain: value }
      : { Map: { hashers: e.hashers, key: builder.resolve(e.key ?? '()'), value } }
    return { entry: e, value, json: { name: e.name, modifier: e.modifier, type, fallback: '0x00', docs: e.docs ?? [] } }
  })
  const constants = (p.constants ?? []).map(c => ({ def: c, json: { name: c.name, type: builder.resolve(c.type), value: c.bytes == null ? '0x' : u8aToHex(c.bytes), docs: c.docs ?? [] } }))
  const json = {
    name: p.name,
    storage: items.length === 0 ? null : { prefix: p.name, items: items.map(i => i.json) },
    calls,
    events,
    constants: constants.map(c => c.json),
    errors,
    index: p.index,
    docs: p.docs ?? []
  }
  const encode = (enc: ValueEncoder): void => {
    for (const { entry, value, json } of items) {
      if (entry.modifier === 'Default') json.fallback = u8aToHex(enc.encode(value, entry.default, `${p.name}.${entry.name} default`, 'storage-default'))
    }
    for (const { def, json } of constants) {
      if (def.bytes == null) json.value = u8aToHex(enc.encode(json.type, def.value, `${p.name}.${def.name}`, 'constant-value'))
    }
  }
  return { json, encode }
}

/** The metadata parts shared by V14 and V15, with all type ids resolved. */
interface Parts {
  types: PortableTypeJson[]
  pallets: Array<Record<string, unknown>>
  runtime: number
  extrinsic: { uxt: number, address: number, call: number, signature: number, extra: number, signedExtensions: Array<{ identifier: string, type: number, additionalSigned: number }> }
  outer: { callType: number, eventType: number, errorType: number }
  apis: unknown[]
}

function collect (pallets: readonly PalletDef[]): Parts {
  checkUnique(pallets)
  const builder = new TypeBuilder([...CORE_TYPES, ...EXTRINSIC_TYPES, ...API_TYPES, ...pallets.flatMap(p => p.types ?? [])])
  declareEnums(builder, pallets)
  const outer = { callType: builder.resolve('RuntimeCall'), eventType: builder.resolve('RuntimeEvent'), errorType: builder.resolve('RuntimeError') }
  const built = pallets.map(p => palletJson(builder, p))
  const extrinsic = {
    uxt: builder.resolve('UncheckedExtrinsic'),
    address: builder.resolve('MultiAddress'),
    call: outer.callType,
    signature: builder.resolve('MultiSignature'),
    extra: builder.resolve(SIGNED_EXTRA),
    signedExtensions: SIGNED_EXTENSIONS.map(e => ({ identifier: e.identifier, type: builder.resolve(e.type), additionalSigned: builder.resolve(e.additionalSigned) }))
  }
  const apis = RUNTIME_APIS.map(api => ({
    name: api.name,
    methods: api.methods.map(m => ({
      name: m.name,
      inputs: m.inputs.map(i => ({ name: i.name, type: builder.resolve(i.type) })),
      output: builder.resolve(m.output),
      docs: m.docs ?? []
    })),
    docs: api.docs ?? []
  }))
  const runtime = builder.resolve('Runtime')
  // every type is resolved now: encode constant values and storage defaults with the final lookup
  const types = builder.types
  const encoder = new ValueEncoder(types)
  for (const b of built) b.encode(encoder)
  return { types, pallets: built.map(b => b.json), runtime, extrinsic, outer, apis }
}

function prefixed (version: number, body: Uint8Array): Uint8Array {
  return u8aConcat(METADATA_MAGIC, new Uint8Array([version]), body)
}

/**
 * Builds the runtime metadata from `pallets` (default: {@link PALLETS}) and returns V14 and V15
 * `RuntimeMetadataPrefixed` bytes plus a registry with the V15 metadata set.
 *
 * @example
 * const { v14, registry } = buildRuntimeMetadata()
 * registry.createType('Call', { callIndex: [5, 3], args: { dest, value } })
 */
export function buildRuntimeMetadata (pallets: readonly PalletDef[] = PALLETS): BuiltRuntimeMetadata {
  const parts = collect(pallets)
  const base = new TypeRegistry()
  const lookup = { types: parts.types }
  const { extrinsic: x } = parts
  const v14 = prefixed(14, base.createType('MetadataV14', {
    lookup,
    pallets: parts.pallets.map(({ docs: _docs, ...rest }) => rest),
    extrinsic: { type: x.uxt, version: EXTRINSIC_VERSION, signedExtensions: x.signedExtensions },
    type: parts.runtime
  }).toU8a())
  const v15 = prefixed(15, base.createType('MetadataV15', {
    lookup,
    pallets: parts.pallets,
    extrinsic: {
      version: EXTRINSIC_VERSION,
      addressType: x.address,
      callType: x.call,
      signatureType: x.signature,
      extraType: x.extra,
      signedExtensions: x.signedExtensions
    },
    type: parts.runtime,
    apis: parts.apis,
    outerEnums: parts.outer,
    custom: { map: new Map() }
  }).toU8a())
  const registry = new TypeRegistry()
  const metadata = new Metadata(registry, v15)
  registry.setMetadata(metadata)
  return { v14, v15, registry, metadata }
}
