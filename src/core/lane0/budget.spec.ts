// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { BudgetExceededError, MemoryBudget } from './budget.ts'
import type { Stage } from './stage.ts'

const MiB = 2 ** 20

/** A stage whose "memory" is a counter the probe reads, so the measured peak is real for this test. */
function fakeStage (id: string, bytes: number, mem: { now: number }, log: string[]): Stage<number, number> {
  let loaded = false
  return {
    info: { kind: 'speech', id, neural: false, description: id },
    memoryEstimateBytes: () => bytes,
    async load () {
      if (!loaded) { loaded = true; mem.now += bytes; log.push(`load ${id}`) }
    },
    async run (x) {
      if (!loaded) throw new Error(`${id} not loaded`)
      await new Promise(resolve => setTimeout(resolve, 5))
      return x * 2
    },
    async unload () {
      if (loaded) { loaded = false; mem.now -= bytes; log.push(`unload ${id}`) }
    }
  }
}

describe('MemoryBudget', () => {
  it('should finish stages whose sum exceeds the budget by unloading idle ones, peak within the budget', async () => {
    const mem = { now: 0 }
    const log: string[] = []
    const budget = new MemoryBudget({ budgetBytes: 300 * MiB, measure: () => mem.now })
    const [a, b, c] = [fakeStage('a', 200 * MiB, mem, log), fakeStage('b', 150 * MiB, mem, log), fakeStage('c', 100 * MiB, mem, log)]
    expect(await budget.use(a, async s => await s.run(1))).toBe(2)
    expect(await budget.use(b, async s => await s.run(2))).toBe(4)
    expect(await budget.use(c, async s => await s.run(3))).toBe(6)
    expect(log).toEqual(['load a', 'unload a', 'load b', 'load c'])
    expect(budget.events.filter(e => e.type === 'unload').length).toBeGreaterThanOrEqual(1)
    expect(budget.peakBytes).toBeLessThanOrEqual(300 * MiB)
    expect(budget.peakBytes).toBe(250 * MiB)
  })

  it('should run two stages side by side when they fit, and one after the other when they do not', async () => {
    const mem = { now: 0 }
    const log: string[] = []
    const roomy = new MemoryBudget({ budgetBytes: 400 * MiB, measure: () => mem.now })
    const [a, b] = [fakeStage('a', 200 * MiB, mem, log), fakeStage('b', 150 * MiB, mem, log)]
    await Promise.all([roomy.use(a, async s => await s.run(1)), roomy.use(b, async s => await s.run(1))])
    expect(roomy.peakBytes).toBe(350 * MiB)
    await roomy.releaseAll()
    const tight = new MemoryBudget({ budgetBytes: 250 * MiB, measure: () => mem.now })
    await Promise.all([tight.use(a, async s => await s.run(1)), tight.use(b, async s => await s.run(1))])
    expect(tight.peakBytes).toBeLessThanOrEqual(250 * MiB)
    expect(tight.events.map(e => `${e.type} ${e.stage}`)).toEqual(['load a', 'unload a', 'load b'])
  })

  it('should refuse a stage larger than the whole budget by name', async () => {
    const budget = new MemoryBudget({ budgetBytes: 100 * MiB })
    const err = await budget.use(fakeStage('huge', 101 * MiB, { now: 0 }, []), async s => await s.run(1)).catch((e: unknown) => e as BudgetExceededError)
    expect(err).toMatchObject({ name: BudgetExceededError.name, stage: 'huge' })
  })

  it('should preload what fits without unloading anything, and load the rest on use', async () => {
    const mem = { now: 0 }
    const log: string[] = []
    const budget = new MemoryBudget({ budgetBytes: 300 * MiB, measure: () => mem.now })
    const [a, b, c] = [fakeStage('a', 200 * MiB, mem, log), fakeStage('b', 150 * MiB, mem, log), fakeStage('c', 100 * MiB, mem, log)]
    expect(await budget.preload(a)).toBe(true)
    expect(await budget.preload(b)).toBe(false)
    expect(await budget.preload(c)).toBe(true)
    expect(await budget.preload(a)).toBe(true)
    expect(log).toEqual(['load a', 'load c'])
    expect([a, b, c].map(s => budget.isLoaded(s))).toEqual([true, false, true])
    // a preloaded stage is used without a load; b makes room by unloading the least recently used idle one
    expect(await budget.use(c, async s => await s.run(1))).toBe(2)
    expect(await budget.use(b, async s => await s.run(2))).toBe(4)
    expect(log).toEqual(['load a', 'load c', 'unload a', 'load b'])
    expect(budget.peakBytes).toBeLessThanOrEqual(300 * MiB)
    await expect(budget.preload(fakeStage('huge', 301 * MiB, mem, log))).rejects.toMatchObject({ name: BudgetExceededError.name, stage: 'huge' })
  })

  it('should release one idle stage on request, never a busy one, and restart the peak', async () => {
    const mem = { now: 0 }
    const log: string[] = []
    const budget = new MemoryBudget({ budgetBytes: 300 * MiB, measure: () => mem.now })
    const [a, b] = [fakeStage('a', 200 * MiB, mem, log), fakeStage('b', 50 * MiB, mem, log)]
    await budget.preload(a)
    await budget.preload(b)
    expect(budget.peakBytes).toBe(250 * MiB)
    let releasedWhileBusy: boolean | undefined
    await budget.use(b, async s => {
      releasedWhileBusy = await budget.release(b)
      return await s.run(1)
    })
    expect(releasedWhileBusy).toBe(false)
    expect(await budget.release(a)).toBe(true)
    expect(await budget.release(a)).toBe(false)
    expect(log).toEqual(['load a', 'load b', 'unload a'])
    budget.resetPeak()
    expect(budget.peakBytes).toBe(50 * MiB)
    await budget.releaseAll()
    expect(budget.loadedBytes).toBe(0)
  })
})
