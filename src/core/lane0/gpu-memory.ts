// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * GPU memory accounting for the budget: WebGPU has no "bytes in use" query, so the buffers a device
 * creates are counted when created and uncounted when destroyed (or when the device is destroyed).
 * Textures are not counted: the pipeline's stages use buffers only.
 */

/** Live and peak bytes of the buffers a device holds. */
export interface GpuMemoryTracker {
  /** Bytes of live buffers now. */
  readonly bytes: number
  /** Highest `bytes` seen. */
  readonly peakBytes: number
}

const TRACKERS = new WeakMap<GPUDevice, GpuMemoryTracker>()

/**
 * Starts counting the buffers `device` creates from now on (idempotent per device).
 *
 * @example
 * ```ts
 * const gpuMem = trackGpuMemory(device)
 * const budget = new MemoryBudget({ budgetBytes, measure: () => rss() + gpuMem.bytes })
 * ```
 */
export function trackGpuMemory (device: GPUDevice): GpuMemoryTracker {
  const existing = TRACKERS.get(device)
  if (existing != null) return existing
  const state = { bytes: 0, peakBytes: 0 }
  const live = new Set<GPUBuffer>()
  const create = device.createBuffer.bind(device)
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor)
    live.add(buffer)
    state.bytes += descriptor.size
    if (state.bytes > state.peakBytes) state.peakBytes = state.bytes
    const destroy = buffer.destroy.bind(buffer)
    buffer.destroy = (): undefined => {
      if (live.delete(buffer)) state.bytes -= descriptor.size
      return destroy()
    }
    return buffer
  }
  const destroyDevice = device.destroy.bind(device)
  device.destroy = (): undefined => {
    live.clear()
    state.bytes = 0
    return destroyDevice()
  }
  const tracker: GpuMemoryTracker = {
    get bytes () { return state.bytes },
    get peakBytes () { return state.peakBytes }
  }
  TRACKERS.set(device, tracker)
  return tracker
}
