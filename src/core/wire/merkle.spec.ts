// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { blake2b256, contentRoot, fromHex, toHex } from './index.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const leaves = Array.from({ length: 5 }, (_, i) => blake2b256(new TextEncoder().encode(`leaf ${i}`)))
const H = (...parts: Array<number[] | Uint8Array>): Uint8Array => blake2b256(Uint8Array.from(parts.flatMap((p) => [...p])))

describe('contentRoot', () => {
  it('should reproduce the vectors for n = 0, 1, 2, 3, 5', () => {
    expect(vectors.contentRoots.map((c) => c.leaves.length)).toEqual([0, 1, 2, 3, 5])
    for (const c of vectors.contentRoots) expect(toHex(contentRoot(c.leaves.map(fromHex)))).toBe(c.root)
  })

  it('should follow RFC 6962 with 0x00 leaf and 0x01 node prefixes', () => {
    const [a, b, c, d, e] = leaves as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    const leaf = (x: Uint8Array): Uint8Array => H([0], x)
    const node = (l: Uint8Array, r: Uint8Array): Uint8Array => H([1], l, r)
    expect(contentRoot([])).toEqual(blake2b256(new Uint8Array(0)))
    expect(contentRoot([a])).toEqual(leaf(a))
    expect(contentRoot([a, b])).toEqual(node(leaf(a), leaf(b)))
    expect(contentRoot([a, b, c])).toEqual(node(node(leaf(a), leaf(b)), leaf(c)))
    expect(contentRoot([a, b, c, d, e])).toEqual(node(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))), leaf(e)))
  })

  it('should depend on the order of the hashes', () => {
    expect(contentRoot(leaves.slice(0, 2))).not.toEqual(contentRoot(leaves.slice(0, 2).reverse()))
  })

  it('should not equal the leaf hash itself for one leaf (second-preimage separation)', () => {
    expect(contentRoot([leaves[0] as Uint8Array])).not.toEqual(leaves[0])
  })

  it('should refuse hashes that are not 32 bytes', () => {
    expect(() => contentRoot([new Uint8Array(31)])).toThrow(expect.objectContaining({ name: InvalidInputError.name }))
  })
})
