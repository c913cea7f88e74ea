// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { blake2b256, toHex } from '../wire/hash.ts'
import { exampleRecipe } from '../lane0/recipe.ts'
import { canonicalJson, parseRecipe, recipeHash } from './recipe.ts'
import { SESSION_KEY_PROOF_DOMAIN, decodeSessionKey, epochCommitteeKey, sessionKeyProofMessage, storagePrefix } from './wire.ts'

describe('recipe hashing', () => {
  it('should sort keys at every depth and drop whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2.5 }] })).toBe('{"a":[true,null,{"c":2.5,"d":"x"}],"b":1}')
  })

  it('should hash equal recipes equally whatever the key order or spacing', () => {
    const example = exampleRecipe()
    const a = parseRecipe(JSON.stringify(example, null, 2))
    const b = parseRecipe(JSON.stringify(Object.fromEntries(Object.entries(example).reverse())))
    expect(toHex(a.hash)).toBe(toHex(b.hash))
    expect(toHex(a.hash)).toBe(toHex(blake2b256(new TextEncoder().encode(canonicalJson(example)))))
    expect(toHex(recipeHash({ ...example, seed: example.seed + 1 }))).not.toBe(toHex(a.hash))
  })

  it('should reject what the Lane-0 schema refuses, naming the field', () => {
    expect(() => parseRecipe('{"a":')).toThrow(/not valid JSON/)
    expect(() => parseRecipe(JSON.stringify({ ...exampleRecipe(), fps: 7 }))).toThrow(/fps:/)
    expect(() => parseRecipe(JSON.stringify({ ...exampleRecipe(), visualPrompt: 'x' }))).toThrow(/visualPrompt: unknown field/)
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a: not a finite number/)
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/)
  })
})

describe('NsnDirector wire', () => {
  it('should build the session-key proof message from the domain and the 32 account bytes', () => {
    const account = new Uint8Array(32).fill(7)
    const msg = sessionKeyProofMessage(account)
    expect(new TextDecoder().decode(msg.subarray(0, 17))).toBe('nsn/session-key/2')
    expect(SESSION_KEY_PROOF_DOMAIN.length).toBe(17)
    expect(msg.subarray(17)).toEqual(account)
    expect(() => sessionKeyProofMessage(new Uint8Array(33))).toThrow(/32 bytes/)
  })

  it('should key EpochCommittees by Twox64Concat over the u64 LE epoch', () => {
    const key = epochCommitteeKey(258n)
    const prefix = toHex(storagePrefix('NsnDirector', 'EpochCommittees'))
    expect(key.slice(2, 66)).toBe(prefix)
    // 16 hex chars of twox64, then the u64 LE epoch itself
    expect(key.slice(66 + 16)).toBe('0201000000000000')
    expect(epochCommitteeKey(1)).not.toBe(epochCommitteeKey(2))
  })

  it('should decode SessionKeys values', () => {
    expect(decodeSessionKey(null)).toBeNull()
    expect(decodeSessionKey(new Uint8Array(32).fill(1))).toBe(`0x${'01'.repeat(32)}`)
    expect(decodeSessionKey(Uint8Array.from([1, ...new Uint8Array(32).fill(2)]))).toBe(`0x${'02'.repeat(32)}`)
    expect(() => decodeSessionKey(new Uint8Array(5))).toThrow(RangeError)
  })
})
