// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * WebGPU in a page or a Web Worker: the adapter and device, or the reason there is none (no
 * `navigator.gpu`, no adapter), so callers can say why they run on the CPU instead of hiding it.
 */
import type { AbortOptions } from '../../core/options.ts'

/** A WebGPU device, or why there is none. */
export type BrowserGpu =
  | { available: true, adapter: GPUAdapter, device: GPUDevice }
  | { available: false, reason: string }

/** Requests a high-performance adapter and a device with the adapter's default limits. */
export async function requestBrowserGpu (options: AbortOptions = {}): Promise<BrowserGpu> {
  options.signal?.throwIfAborted()
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu
  if (gpu == null) return { available: false, reason: 'this browser exposes no WebGPU (navigator.gpu is missing; in Chrome on Linux start it with --enable-unsafe-webgpu or enable chrome://flags/#enable-unsafe-webgpu)' }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (adapter == null) return { available: false, reason: 'navigator.gpu.requestAdapter() found no adapter (GPU blocklisted or disabled)' }
  options.signal?.throwIfAborted()
  const device = await adapter.requestDevice()
  return { available: true, adapter, device }
}
