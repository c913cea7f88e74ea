// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ArrivalJitter } from './arrival-jitter.ts'

const AIR0 = 1_700_000_000_000_000n

function feed (j: ArrivalJitter, delaysMs: number[]): void {
  delaysMs.forEach((d, i) => { j.add(Number(AIR0 / 1000n) + i * 1000 + d, AIR0 + BigInt(i) * 1_000_000n) })
}

describe('ArrivalJitter', () => {
  it('should keep the initial margin until a few segments arrived', () => {
    const j = new ArrivalJitter({ initialSec: 0.3 })
    feed(j, [1100, 1100, 1100])
    expect(j.targetSec()).toBe(0.3)
  })

  it('should keep the minimum on a steady path', () => {
    const j = new ArrivalJitter()
    feed(j, Array(10).fill(1070))
    expect(j.targetSec()).toBe(0.15)
  })

  it('should cover the spread of arrival delays, within bounds', () => {
    const j = new ArrivalJitter()
    feed(j, [1060, 1080, 1400, 1070, 1065, 1090, 1300, 1075, 1060, 1070])
    expect(j.targetSec()).toBeCloseTo(0.34 + 0.1, 5)
    feed(j, Array(20).fill(0).map((_, i) => i % 2 === 0 ? 1000 : 4000))
    expect(j.targetSec()).toBe(1)
  })

  it('should forget old segments', () => {
    const j = new ArrivalJitter({ window: 5 })
    feed(j, [1000, 2500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000])
    expect(j.targetSec()).toBe(0.15)
  })
})
