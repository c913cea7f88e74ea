// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Encodes constant values and storage defaults, given as polkadot-js JS values, with the portable
 * registry being built. polkadot-js fills missing struct keys with zeros and ignores unknown ones,
 * so a misspelt key would go unnoticed: `encode` rejects keys that the type does not have.
 */
import { Struct, TypeRegistry } from '@polkadot/types'
import { isU8a } from '@polkadot/util'
import { InvalidDeclarationError } from './errors.ts'
import type { InvalidDeclarationReason } from './errors.ts'
import type { PortableTypeJson } from './type-builder.ts'
import type { PortableRegistry } from '@polkadot/types'
import type { Codec } from '@polkadot/types/types'

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value) && !isU8a(value) &&
    Object.getPrototypeOf(value) === Object.prototype
}

function unwrapOption (codec: Codec): Codec {
  const opt = codec as Codec & { isSome?: boolean, unwrap?: () => Codec }
  return opt.isSome === true && typeof opt.unwrap === 'function' ? opt.unwrap() : codec
}

/** Throws when `value` has an object key that the decoded struct `codec` lacks (recursively). */
function assertKnownKeys (codec: Codec, value: unknown, where: string): string | null {
  const inner = unwrapOption(codec)
  if (!isPlainObject(value) || !(inner instanceof Struct)) return null
  for (const [key, sub] of Object.entries(value)) {
    const field = inner.get(key)
    if (field == null) return `${where}.${key}`
    const bad = assertKnownKeys(field, sub, `${where}.${key}`)
    if (bad != null) return bad
  }
  return null
}

/** SCALE-encodes JS values by portable type id. */
export class ValueEncoder {
  readonly #registry = new TypeRegistry()

  constructor (types: PortableTypeJson[]) {
    this.#registry.setLookup(this.#registry.createType<PortableRegistry>('PortableRegistry', { types }))
  }

  /** Encodes `value` (the type's zero value when `undefined`) as type `id`; `what` names it in errors. */
  encode (id: number, value: unknown, what: string, reason: InvalidDeclarationReason): Uint8Array {
    let codec: Codec
    try {
      codec = this.#registry.createType(this.#registry.createLookupType(id), value)
    } catch (err) {
      throw new InvalidDeclarationError(reason, `${what}: cannot encode the value: ${String(err)}`, { cause: err })
    }
    const bad = assertKnownKeys(codec, value, what)
    if (bad != null) throw new InvalidDeclarationError(reason, `${what}: unknown field ${bad}`)
    return codec.toU8a()
  }
}
