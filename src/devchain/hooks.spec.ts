// SPDX-License-Identifier: GPL-3.0-or-later
// Imports a pallet before the runtime on purpose: a pallet ↔ runtime ↔ hooks import cycle would
// leave an entry of HOOKS undefined when a pallet module is loaded first.
import { nsnDirectorHooks } from './pallets/nsn-director.ts'
import { describe, expect, it } from 'vitest'
import { HOOKS, unsignedValidator } from './hooks.ts'

describe('HOOKS', () => {
  it('should hold every pallet\'s hooks whatever module is imported first, NsnReputation last', () => {
    expect(nsnDirectorHooks).toBeDefined()
    expect(HOOKS.filter(([, h]) => h == null).map(([name]) => name)).toEqual([])
    expect(HOOKS.at(-1)?.[0]).toBe('NsnReputation')
  })

  it('should let only NsnBft take unsigned extrinsics', () => {
    expect(HOOKS.filter(([name]) => unsignedValidator(name) != null).map(([name]) => name)).toEqual(['NsnBft'])
    expect(unsignedValidator('Balances')).toBeUndefined()
  })
})
