// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Shorthands for writing type and pallet declarations (see `types.ts`).
 */
import type { CompositeTypeDef, FieldDef, TypeParamDef, TypeRef, VariantDef, VariantTypeDef } from './types.ts'

/** Optional parts of a named type. */
export interface NamedExtra {
  params?: TypeParamDef[]
  docs?: string[]
}

/** A named field: `f('free', 'u128', 'Balance')`. */
export function f (name: string, type: TypeRef, typeName?: string, docs?: string[]): FieldDef {
  return { name, type, ...(typeName == null ? {} : { typeName }), ...(docs == null ? {} : { docs }) }
}

/** An unnamed (tuple) field. */
export function u (type: TypeRef, typeName?: string): FieldDef {
  return { type, ...(typeName == null ? {} : { typeName }) }
}

/** A struct or tuple struct. */
export function struct (name: string, path: string[], fields: FieldDef[], extra: NamedExtra = {}): CompositeTypeDef {
  return { kind: 'composite', name, path, fields, ...extra }
}

/** An enum. */
export function enumType (name: string, path: string[], variants: VariantDef[], extra: NamedExtra = {}): VariantTypeDef {
  return { kind: 'variant', name, path, variants, ...extra }
}

/** A variant (call, event, error): `v('Transfer', 2, [f('from', 'AccountId32')], ['Transfer succeeded.'])`. */
export function v (name: string, index: number, fields: FieldDef[] = [], docs: string[] = []): VariantDef {
  return { name, index, fields, docs }
}

/** Field-less variants indexed in order from `start`. */
export function units (names: string[], start = 0): VariantDef[] {
  return names.map((name, i) => v(name, start + i))
}

/** A phantom `T: Config` parameter, as scale-info records it (no type). */
export const PHANTOM_T: TypeParamDef[] = [{ name: 'T', type: null }]
