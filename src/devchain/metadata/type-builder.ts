// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A small builder for a scale-info portable type registry (`PortableType[]`, the `lookup` of
 * metadata V14/V15). Structural types (primitives, arrays, sequences, tuples, compacts and the
 * generic `Option`/`Result`/`BTreeMap`/`BoundedVec` instances) are deduplicated by their full
 * definition; named types are built lazily on first use, so they may refer to each other
 * recursively (`RuntimeCall` → `Sudo::Call` → `Box<RuntimeCall>`).
 */
import { InvalidDeclarationError, TypeExpressionError, UnknownTypeError } from './errors.ts'
import { formatTypeExpr, parseTypeExpr } from './type-expr.ts'
import type { TypeExpr } from './type-expr.ts'
import type { FieldDef, NamedTypeDef, TypeParamDef, TypeRef, VariantDef } from './types.ts'

/** A scale-info primitive, as `Si0TypeDefPrimitive` names it. */
export type PrimitiveName = 'Bool' | 'Char' | 'Str' | 'U8' | 'U16' | 'U32' | 'U64' | 'U128' | 'U256' | 'I8' | 'I16' | 'I32' | 'I64' | 'I128' | 'I256'

/** A field with a resolved type id (`Si1Field`). */
export interface SiField {
  name: string | null
  type: number
  typeName: string | null
  docs: string[]
}

/** A variant with resolved field types (`Si1Variant`). */
export interface SiVariant {
  name: string
  fields: SiField[]
  index: number
  docs: string[]
}

/** A type definition (`Si1TypeDef`), in the JSON shape `createType('Si1TypeDef', …)` accepts. */
export type SiTypeDef =
  | { Composite: { fields: SiField[] } }
  | { Variant: { variants: SiVariant[] } }
  | { Sequence: { type: number } }
  | { Array: { len: number, type: number } }
  | { Tuple: number[] }
  | { Primitive: PrimitiveName }
  | { Compact: { type: number } }

/** A type (`Si1Type`). */
export interface SiType {
  path: string[]
  params: Array<{ name: string, type: number | null }>
  def: SiTypeDef
  docs: string[]
}

/** An entry of the portable registry (`PortableTypeV14`). */
export interface PortableTypeJson {
  id: number
  type: SiType
}

/** Input of {@link TypeBuilder.composite} / {@link TypeBuilder.variant}: params with resolved ids. */
export interface SiTypeHead {
  path?: string[]
  params?: Array<{ name: string, type: number | null }>
  docs?: string[]
}

const PRIMITIVES: Record<string, PrimitiveName> = {
  bool: 'Bool', char: 'Char', str: 'Str', u8: 'U8', u16: 'U16', u32: 'U32', u64: 'U64', u128: 'U128', u256: 'U256',
  i8: 'I8', i16: 'I16', i32: 'I32', i64: 'I64', i128: 'I128', i256: 'I256'
}

const BOUNDED_PATHS: Record<string, string[]> = {
  BoundedVec: ['bounded_collections', 'bounded_vec', 'BoundedVec'],
  WeakBoundedVec: ['bounded_collections', 'weak_bounded_vec', 'WeakBoundedVec']
}

/** Builds a portable registry; see the module docs. */
export class TypeBuilder {
  readonly #slots: Array<SiType | undefined> = []
  readonly #dedupe = new Map<string, number>()
  readonly #named = new Map<string, { def: NamedTypeDef, id?: number }>()
  readonly #exprs = new Map<string, number>()

  constructor (named: NamedTypeDef[] = []) {
    for (const def of named) this.define(def)
  }

  /** Declares a named type; it is added to the registry when first resolved. */
  define (def: NamedTypeDef): void {
    if (this.#named.has(def.name) || PRIMITIVES[def.name] != null) {
      throw new InvalidDeclarationError('duplicate-type', `Type '${def.name}' is declared twice`)
    }
    this.#named.set(def.name, { def })
  }

  /** True when `name` is a declared named type. */
  has (name: string): boolean {
    return this.#named.has(name)
  }

  /** Resolves a type expression to its portable type id, adding whatever types it needs. */
  resolve (ref: TypeRef): number {
    const cached = this.#exprs.get(ref)
    if (cached != null) return cached
    const id = this.#resolveExpr(parseTypeExpr(ref))
    this.#exprs.set(ref, id)
    return id
  }

  /** Registers a primitive (`bool`, `u8`…`u128`, `str`, …). */
  primitive (name: PrimitiveName): number {
    return this.#add({ path: [], params: [], def: { Primitive: name }, docs: [] })
  }

  /** Registers `[T; len]`. */
  array (len: number, type: number): number {
    return this.#add({ path: [], params: [], def: { Array: { len, type } }, docs: [] })
  }

  /** Registers `Vec<T>`. */
  sequence (type: number): number {
    return this.#add({ path: [], params: [], def: { Sequence: { type } }, docs: [] })
  }

  /** Registers a tuple; `tuple([])` is `()`. */
  tuple (types: number[]): number {
    return this.#add({ path: [], params: [], def: { Tuple: types }, docs: [] })
  }

  /** Registers `Compact<T>`. */
  compact (type: number): number {
    return this.#add({ path: [], params: [], def: { Compact: { type } }, docs: [] })
  }

  /** Registers `Option<T>` as scale-info does: `None` = 0, `Some(T)` = 1. */
  option (type: number): number {
    return this.variant({ path: ['Option'], params: [{ name: 'T', type }] }, [
      { name: 'None', fields: [], index: 0, docs: [] },
      { name: 'Some', fields: [field(type)], index: 1, docs: [] }
    ])
  }

  /** Registers `Result<T, E>`: `Ok` = 0, `Err` = 1. */
  result (ok: number, err: number): number {
    return this.variant({ path: ['Result'], params: [{ name: 'T', type: ok }, { name: 'E', type: err }] }, [
      { name: 'Ok', fields: [field(ok)], index: 0, docs: [] },
      { name: 'Err', fields: [field(err)], index: 1, docs: [] }
    ])
  }

  /** Registers a struct (named fields) or tuple struct (unnamed fields). */
  composite (head: SiTypeHead, fields: SiField[]): number {
    return this.#add({ path: head.path ?? [], params: head.params ?? [], def: { Composite: { fields } }, docs: head.docs ?? [] })
  }

  /** Registers an enum. */
  variant (head: SiTypeHead, variants: SiVariant[]): number {
    return this.#add({ path: head.path ?? [], params: head.params ?? [], def: { Variant: { variants } }, docs: head.docs ?? [] })
  }

  /** Reserves an id to {@link fill} later (for recursive types). */
  reserve (): number {
    this.#slots.push(undefined)
    return this.#slots.length - 1
  }

  /** Fills a reserved id. */
  fill (id: number, type: SiType): void {
    if (this.#slots[id] !== undefined) throw new InvalidDeclarationError('duplicate-type', `Type id ${id} is already filled`)
    this.#slots[id] = type
  }

  /** Resolves declared fields (type expressions) into `Si1Field`s. */
  fields (defs: FieldDef[] = []): SiField[] {
    return defs.map(f => ({ name: f.name ?? null, type: this.resolve(f.type), typeName: f.typeName ?? null, docs: f.docs ?? [] }))
  }

  /** Resolves declared variants into `Si1Variant`s. */
  variants (defs: VariantDef[]): SiVariant[] {
    return defs.map(v => ({ name: v.name, fields: this.fields(v.fields), index: v.index, docs: v.docs ?? [] }))
  }

  /** Resolves declared type parameters. */
  params (defs: TypeParamDef[] = []): Array<{ name: string, type: number | null }> {
    return defs.map(p => ({ name: p.name, type: p.type == null ? null : this.resolve(p.type) }))
  }

  /** The registry so far, ordered by id (every reserved id must be filled). */
  get types (): PortableTypeJson[] {
    return this.#slots.map((type, id) => {
      if (type == null) throw new InvalidDeclarationError('duplicate-type', `Type id ${id} was reserved but never filled`)
      return { id, type }
    })
  }

  #add (type: SiType): number {
    const key = JSON.stringify(type)
    const found = this.#dedupe.get(key)
    if (found != null) return found
    const id = this.reserve()
    this.#slots[id] = type
    this.#dedupe.set(key, id)
    return id
  }

  #resolveExpr (expr: TypeExpr): number {
    const key = formatTypeExpr(expr)
    const cached = this.#exprs.get(key)
    if (cached != null) return cached
    const id = this.#build(expr)
    this.#exprs.set(key, id)
    return id
  }

  #build (expr: TypeExpr): number {
    if (expr.kind === 'tuple') return this.tuple(expr.items.map(e => this.#resolveExpr(e)))
    if (expr.kind === 'array') return this.array(expr.len, this.#resolveExpr(expr.item))
    const { name, args } = expr
    const arg = (i: number): number => {
      const a = args[i]
      if (a == null) throw new TypeExpressionError(formatTypeExpr(expr), `'${name}' needs ${i + 1} type argument(s)`)
      return this.#resolveExpr(a)
    }
    const arity = (n: number): void => {
      if (args.length !== n) throw new TypeExpressionError(formatTypeExpr(expr), `'${name}' takes ${n} type argument(s), got ${args.length}`)
    }
    const primitive = PRIMITIVES[name]
    if (primitive != null) {
      arity(0)
      return this.primitive(primitive)
    }
    switch (name) {
      case 'Vec': arity(1); return this.sequence(arg(0))
      case 'Compact': arity(1); return this.compact(arg(0))
      case 'Option': arity(1); return this.option(arg(0))
      case 'Result': arity(2); return this.result(arg(0), arg(1))
      case 'Box': arity(1); return arg(0)
      case 'BTreeMap': {
        arity(2)
        const [k, v] = [arg(0), arg(1)]
        return this.composite({ path: ['BTreeMap'], params: [{ name: 'K', type: k }, { name: 'V', type: v }] }, [field(this.sequence(this.tuple([k, v])))])
      }
      case 'BoundedVec':
      case 'WeakBoundedVec': {
        arity(1)
        const t = arg(0)
        return this.composite({ path: BOUNDED_PATHS[name], params: [{ name: 'T', type: t }, { name: 'S', type: null }] }, [field(this.sequence(t))])
      }
    }
    arity(0)
    return this.#buildNamed(name)
  }

  #buildNamed (name: string): number {
    const entry = this.#named.get(name)
    if (entry == null) throw new UnknownTypeError(name)
    if (entry.id != null) return entry.id
    const id = this.reserve()
    entry.id = id
    const { def } = entry
    const head = { path: def.path, params: this.params(def.params), docs: def.docs ?? [] }
    this.fill(id, def.kind === 'composite'
      ? { ...head, def: { Composite: { fields: this.fields(def.fields) } } }
      : { ...head, def: { Variant: { variants: this.variants(def.variants) } } })
    return id
  }
}

/** An unnamed field of type `type`. */
export function field (type: number, typeName: string | null = null): SiField {
  return { name: null, type, typeName, docs: [] }
}
