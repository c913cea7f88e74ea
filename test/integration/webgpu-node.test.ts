// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * WebGPU in Node through Dawn (SwiftShader here): an adapter, a device and a compute shader whose
 * result is read back and checked element by element.
 */
import { describe, expect, it } from 'vitest'
import { createNodeGpu } from '../../src/platform/node/webgpu.ts'

const SHADER = /* wgsl */`
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&data)) { data[id.x] = data[id.x] * 2.0 + 1.0; }
}`

describe('createNodeGpu', () => {
  it('should run a compute shader on Dawn and read the result back', async () => {
    const { adapter, info } = await createNodeGpu()
    console.log(`WebGPU adapter: ${info.vendor} ${info.architecture} ${info.description} (fallback: ${String(info.isFallbackAdapter)})`)
    const device = await adapter.requestDevice()
    const input = Float32Array.from({ length: 1000 }, (_, i) => i - 500)
    const storage = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })
    device.queue.writeBuffer(storage, 0, input)
    const readback = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } })
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: storage } }] })
    const enc = device.createCommandEncoder()
    const pass = enc.beginComputePass()
    pass.setPipeline(pipeline)
    pass.setBindGroup(0, bind)
    pass.dispatchWorkgroups(Math.ceil(input.length / 64))
    pass.end()
    enc.copyBufferToBuffer(storage, 0, readback, 0, input.byteLength)
    device.queue.submit([enc.finish()])
    await readback.mapAsync(GPUMapMode.READ)
    const out = new Float32Array(readback.getMappedRange().slice(0))
    readback.unmap()
    expect(Array.from(out)).toEqual(Array.from(input, x => x * 2 + 1))
    device.destroy()
  }, 60_000)
})
