// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { MemoryBudget } from './budget.ts'
import { runLane0 } from './pipeline.ts'
import { exampleRecipe } from './recipe.ts'
import type { Lane0Stages } from './pipeline.ts'
import type { Stage } from './stage.ts'

const MiB = 2 ** 20

/** A stage that takes `ms` of (fake) time per run and records its loads; `make` builds its output. */
function fake<I, O> (kind: Stage<I, O>['info']['kind'], ms: number, clock: { t: number }, log: string[], make: (input: I) => O): Stage<I, O> {
  let loaded = false
  return {
    info: { kind, id: kind, neural: false, description: kind },
    memoryEstimateBytes: () => 10 * MiB,
    async load () { if (!loaded) { loaded = true; log.push(`load ${kind}`) } },
    async run (input) {
      if (!loaded) throw new Error(`${kind} not loaded`)
      clock.t += ms
      return make(input)
    },
    async unload () { if (loaded) { loaded = false; log.push(`unload ${kind}`) } }
  }
}

function stages (clock: { t: number }, log: string[]): Lane0Stages {
  const image = { width: 2, height: 2, data: new Uint8ClampedArray(16) }
  return {
    speech: fake('speech', 30, clock, log, () => ({ sampleRate: 16000, pcm: new Float32Array(16) })),
    keyframe: fake('keyframe', 20, clock, log, () => ({ image, rig: {} as never })),
    animation: fake('animation', 100, clock, log, () => ({ frames: [image], params: [], backend: 'cpu' as const })),
    encode: fake('encode', 50, clock, log, () => ({ webm: new Uint8Array(4), segments: [] }))
  }
}

describe('runLane0', () => {
  it('should time each stage and count the parallel phase once in the critical path', async () => {
    const clock = { t: 0 }
    const result = await runLane0(exampleRecipe(), stages(clock, []), { budget: { budgetBytes: 100 * MiB }, now: () => clock.t })
    const t = result.timings
    expect([t.speechMs, t.keyframeMs, t.animationMs, t.encodeMs]).toEqual([30, 20, 100, 50])
    // the fake clock advances in each run only: (speech ∥ keyframe) + animation + encode is the whole wall time
    expect(t.parallelMs + t.animationMs + t.encodeMs).toBe(t.wallMs)
  })

  it('should unload every stage at the end by default, keep them with keepLoaded, and report each run\'s own events', async () => {
    const clock = { t: 0 }
    const log: string[] = []
    const s = stages(clock, log)
    const budget = new MemoryBudget({ budgetBytes: 100 * MiB })
    const first = await runLane0(exampleRecipe(), s, { budget, keepLoaded: true })
    expect(first.budgetEvents.map(e => `${e.type} ${e.stage}`).sort()).toEqual(['load animation', 'load encode', 'load keyframe', 'load speech'])
    const second = await runLane0(exampleRecipe(), s, { budget, keepLoaded: true })
    expect(second.budgetEvents).toEqual([])
    const third = await runLane0(exampleRecipe(), s, { budget })
    expect(third.budgetEvents.map(e => e.type)).toEqual(['unload', 'unload', 'unload', 'unload'])
    expect(log.filter(l => l.startsWith('load'))).toHaveLength(4)
    expect(budget.loadedBytes).toBe(0)
  })
})
