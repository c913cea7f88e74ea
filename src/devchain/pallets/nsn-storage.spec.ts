// SPDX-License-Identifier: GPL-3.0-or-later
import { u8aConcat } from '@polkadot/util'
import { blake2AsU8a } from '@polkadot/util-crypto'
import { describe, expect, it } from 'vitest'
import { NSN } from '../metadata/pallets/nsn-stake.ts'
import { auditProbability, challengedLeaf, isqrt, merkleRootOfPath, selectPinners } from './nsn-storage.ts'

describe('NsnStorage helpers', () => {
  it('should take integer square roots exactly, beyond 2^64', () => {
    for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 999_999n, 1_000_000n]) {
      const r = isqrt(n)
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true)
    }
    const big = (1n << 100n) + 12345n
    const r = isqrt(big)
    expect(r * r <= big && (r + 1n) * (r + 1n) > big).toBe(true)
  })

  it('should scale the audit probability with the stake and clamp it', () => {
    // 1 %/h at the minimum stake, 1 s blocks: 10 000 millionths/h = 10^7 billionths / 3 600 blocks
    expect(auditProbability(50n * NSN, 1_000)).toBe(10_000n * 1_000n / 3_600n)
    expect(auditProbability(99n * NSN, 1_000)).toBeLessThan(auditProbability(50n * NSN, 1_000))
    // far above the minimum: clamped at 0.25 %/h
    expect(auditProbability(1_000_000n * NSN, 1_000)).toBe(2_500n * 1_000n / 3_600n)
    // tiny stake: clamped at 2 %/h, never below 1
    expect(auditProbability(1n, 1_000)).toBe(20_000n * 1_000n / 3_600n)
    expect(auditProbability(1_000_000n * NSN, 1)).toBe(1n)
  })

  it('should fold a Merkle path with the index bits choosing the side', () => {
    const leaves = [1, 2, 3, 4].map(i => new Uint8Array(64).fill(i))
    const h = (...p: Uint8Array[]): Uint8Array => blake2AsU8a(u8aConcat(...p), 256)
    const [a, b, c, d] = leaves.map(l => h(l)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    const root = h(h(a, b), h(c, d))
    expect(merkleRootOfPath(leaves[2]!, [d, h(a, b)], 2)).toEqual(root)
    expect(merkleRootOfPath(leaves[2]!, [d, h(a, b)], 3)).not.toEqual(root)
  })

  it('should pick the challenged leaf from the nonce modulo the tree size', () => {
    const nonce = new Uint8Array(16)
    nonce[0] = 0x34
    nonce[1] = 0x12
    expect(challengedLeaf(nonce, 16)).toBe(0x1234)
    expect(challengedLeaf(nonce, 8)).toBe(0x34)
    expect(challengedLeaf(nonce, 1)).toBe(0)
  })

  it('should keep at most two pinners per region while others remain, then fill by rank', () => {
    const shard = new Uint8Array(32)
    const who = (i: number): string => `5${'F'.repeat(46)}${i}`
    const ranked = [
      { who: who(1), score: 9n, region: 'NaWest' }, { who: who(2), score: 8n, region: 'NaWest' }, { who: who(3), score: 7n, region: 'NaWest' },
      { who: who(4), score: 6n, region: 'EuWest' }, { who: who(5), score: 1n, region: 'Apac' }, { who: who(6), score: 0n, region: 'Latam' }
    ]
    expect(selectPinners(shard, ranked)).toEqual([who(1), who(2), who(4), who(5), who(6)])
    // only two regions: the cap gives way to filling by rank
    expect(selectPinners(shard, ranked.slice(0, 5).map(c => ({ ...c, region: c.region === 'NaWest' ? 'NaWest' : 'EuWest' })))).toEqual([who(1), who(2), who(4), who(5), who(3)])
  })
})
