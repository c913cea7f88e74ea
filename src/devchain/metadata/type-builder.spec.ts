// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { buildRuntimeMetadata } from './build.ts'
import { struct, u } from './def-helpers.ts'
import { InvalidDeclarationError, TypeExpressionError, UnknownTypeError } from './errors.ts'
import { PALLETS } from './pallets/index.ts'
import { TypeBuilder } from './type-builder.ts'
import { formatTypeExpr, parseTypeExpr } from './type-expr.ts'
import type { PalletDef } from './types.ts'

function errorName (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as Error).name
  }
  return undefined
}

describe('parseTypeExpr', () => {
  it('should parse nested generics, tuples and arrays', () => {
    expect(formatTypeExpr(parseTypeExpr('Vec<(AccountId32,Compact<u128>)>'))).toBe('Vec<(AccountId32, Compact<u128>)>')
    expect(parseTypeExpr('[u8; 32]')).toEqual({ kind: 'array', len: 32, item: { kind: 'named', name: 'u8', args: [] } })
    expect(parseTypeExpr('()')).toEqual({ kind: 'tuple', items: [] })
  })

  it('should reject bad syntax', () => {
    for (const bad of ['Vec<u8', '[u8; x]', 'u8 u16', 'Vec<u8>>', '', 'a-b']) {
      expect(errorName(() => parseTypeExpr(bad)), bad).toBe(TypeExpressionError.name)
    }
  })
})

describe('TypeBuilder', () => {
  it('should deduplicate identical definitions', () => {
    const b = new TypeBuilder()
    const bytes = b.resolve('Vec<u8>')
    expect(b.resolve('Vec<u8>')).toBe(bytes)
    expect(b.sequence(b.primitive('U8'))).toBe(bytes)
    expect(b.resolve('Option<Vec<u8>>')).toBe(b.option(bytes))
    expect(b.resolve('Box<u32>')).toBe(b.primitive('U32'))
    expect(b.types.length).toBe(4) // u8, Vec<u8>, Option<Vec<u8>>, u32
  })

  it('should build recursive named types', () => {
    const b = new TypeBuilder([
      struct('Tree', ['demo', 'Tree'], [u('Vec<Tree>')])
    ])
    const tree = b.resolve('Tree')
    const { def } = b.types[tree]!.type
    expect('Composite' in def && def.Composite.fields[0]!.type).toBe(b.resolve('Vec<Tree>'))
  })

  it('should reject unknown and duplicate types and wrong arity', () => {
    const b = new TypeBuilder([struct('A', ['demo', 'A'], [])])
    expect(errorName(() => b.resolve('Nope'))).toBe(UnknownTypeError.name)
    expect(errorName(() => b.define(struct('A', ['demo', 'A2'], [])))).toBe(InvalidDeclarationError.name)
    expect(errorName(() => b.resolve('Vec<u8, u8>'))).toBe(TypeExpressionError.name)
  })
})

describe('pallet declarations', () => {
  it('should reject a pallet index used twice', () => {
    const clash: PalletDef = { name: 'Clash', index: 5, crate: 'pallet_clash' }
    expect(errorName(() => buildRuntimeMetadata([...PALLETS, clash]))).toBe(InvalidDeclarationError.name)
  })

  it('should reject a misspelt field in a constant value', () => {
    const bad: PalletDef = {
      name: 'Bad',
      index: 120,
      crate: 'pallet_bad',
      constants: [{ name: 'Db', type: 'RuntimeDbWeight', value: { read: 1, wrte: 2 } }]
    }
    expect(errorName(() => buildRuntimeMetadata([...PALLETS, bad]))).toBe(InvalidDeclarationError.name)
  })

  it('should add a pallet from its declaration alone', () => {
    const demo: PalletDef = {
      name: 'NsnDemo',
      index: 120,
      crate: 'pallet_nsn_demo',
      types: [struct('DemoInfo', ['pallet_nsn_demo', 'types', 'DemoInfo'], [{ name: 'owner', type: 'AccountId32' }])],
      calls: [{ name: 'poke', index: 0, fields: [{ name: 'info', type: 'DemoInfo' }] }],
      storage: [{ name: 'Infos', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u32', type: 'DemoInfo' }]
    }
    const { registry } = buildRuntimeMetadata([...PALLETS, demo])
    expect(registry.findMetaCall(new Uint8Array([120, 0])).method).toBe('poke')
    expect(registry.lookup.names).toContain('PalletNsnDemoDemoInfo')
  })
})
