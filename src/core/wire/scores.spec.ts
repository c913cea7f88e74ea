// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { SCORE_ONE, fromFixedScore, toFixedScore } from './index.ts'
import type { VectorsFile } from './vectors/build-vectors.ts'

const vectors = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorsFile
const invalid = expect.objectContaining({ name: InvalidInputError.name })

describe('fixed-point scores', () => {
  it('should reproduce the vectors', () => {
    const inputs = vectors.fixedScores.map((c) => c.input)
    for (const x of [0, 0.5, 0.1234565, 1, 1.7]) expect(inputs).toContain(x)
    for (const c of vectors.fixedScores) expect(toFixedScore(c.input)).toBe(c.fixed)
  })

  it('should round half away from zero and clamp to [0, SCORE_ONE]', () => {
    expect(toFixedScore(0.5)).toBe(500_000)
    expect(toFixedScore(0.0000005)).toBe(1)
    expect(toFixedScore(0.0000004)).toBe(0)
    expect(toFixedScore(1.7)).toBe(SCORE_ONE)
    expect(toFixedScore(Infinity)).toBe(SCORE_ONE)
    expect(toFixedScore(-0.3)).toBe(0)
    expect(Object.is(toFixedScore(-0.0000001), 0)).toBe(true)
    expect(toFixedScore(-Infinity)).toBe(0)
  })

  it('should throw InvalidInputError for NaN', () => {
    expect(() => toFixedScore(Number.NaN)).toThrow(invalid)
    expect(() => toFixedScore('0.5' as unknown as number)).toThrow(invalid)
  })

  it('should convert back to numbers', () => {
    expect(fromFixedScore(500_000)).toBe(0.5)
    expect(fromFixedScore(SCORE_ONE)).toBe(1)
    expect(fromFixedScore(toFixedScore(0.3127))).toBe(0.3127)
    expect(() => fromFixedScore(SCORE_ONE + 1)).toThrow(invalid)
    expect(() => fromFixedScore(1.5)).toThrow(invalid)
    expect(() => fromFixedScore(-1)).toThrow(invalid)
  })
})
