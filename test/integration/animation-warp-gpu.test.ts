// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The animation warp's WebGPU shader against its CPU reference, on Dawn in Node (SwiftShader here):
 * every channel of every pixel within one rounding step, and fewer than 0.1 % of channels differing at all, over frames that exercise jaw, cavity,
 * blink and head motion together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GpuWarper, warpFrameCpu } from '../../src/core/lane0/animation-warp.ts'
import { trackGpuMemory } from '../../src/core/lane0/gpu-memory.ts'
import { createNodeGpu } from '../../src/platform/node/webgpu.ts'
import { testCard } from '../utils/warp-test-card.ts'
import type { WarpParams } from '../../src/core/lane0/animation-warp.ts'

let device: GPUDevice
beforeAll(async () => {
  const { adapter } = await createNodeGpu()
  device = await adapter.requestDevice()
})
afterAll(() => { device?.destroy() })

const FRAMES: WarpParams[] = [
  { mouthOpen: 0, blink: 0, roll: 0, shiftX: 0, shiftY: 0 },
  { mouthOpen: 1, blink: 0, roll: 0, shiftX: 0, shiftY: 0 },
  { mouthOpen: 0.35, blink: 0.6, roll: 0.03, shiftX: 1.5, shiftY: -0.75 },
  { mouthOpen: 0.8, blink: 1, roll: -0.05, shiftX: -2.25, shiftY: 1 }
]

describe('GpuWarper (WebGPU) against warpFrameCpu', () => {
  it('should match the CPU reference within one step per channel on every pixel', async () => {
    const { image, rig } = testCard(160)
    const gpuMem = trackGpuMemory(device)
    const before = gpuMem.bytes
    const warper = new GpuWarper(device, image)
    expect(warper.gpuBytes).toBe(24 * 4 + 160 * 160 * 4 * 3)
    // the tracker counts the buffers the warper created
    expect(gpuMem.bytes - before).toBe(warper.gpuBytes)
    for (const params of FRAMES) {
      const cpu = warpFrameCpu(image, rig, params)
      const gpu = await warper.frame(rig, params)
      let max = 0
      let off = 0
      for (let i = 0; i < cpu.data.length; i++) {
        const d = Math.abs(cpu.data[i]! - gpu.data[i]!)
        if (d > max) max = d
        if (d > 0) off++
      }
      console.log(`warp ${JSON.stringify(params)}: max channel difference ${max}, ${off} of ${cpu.data.length} channels differ`)
      expect(max).toBeLessThanOrEqual(1)
      expect(off / cpu.data.length).toBeLessThan(0.001)
    }
    warper.destroy()
    expect(gpuMem.bytes).toBe(before)
    expect(gpuMem.peakBytes).toBeGreaterThanOrEqual(before + warper.gpuBytes)
  }, 120_000)
})
