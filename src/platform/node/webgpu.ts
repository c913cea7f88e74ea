// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * WebGPU in Node through Dawn (npm `webgpu`). On a machine without a GPU driver it uses the
 * SwiftShader Vulkan ICD that Debian's Chromium ships (`/usr/lib/chromium/vk_swiftshader_icd.json`):
 * correct but slow, a correctness path rather than a benchmark (see README, "Limits"). On a desktop
 * NVIDIA machine the system's Vulkan driver is used as is.
 *
 * Traps handled here (measured, `reference/platform-notes.md`): the Vulkan loader reads
 * `VK_ICD_FILENAMES` and needs `XDG_RUNTIME_DIR` (a 0700 folder) when the GPU object is created, and
 * the object from `create()` must stay referenced or the process crashes.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The SwiftShader ICD of Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'

/** Thrown when no WebGPU adapter can be had; the message says what to install or set. */
export class WebGpuUnavailableError extends Error {
  static override name = 'WebGpuUnavailableError'
  constructor (message = 'WebGPU is not available', options?: ErrorOptions) {
    super(message, options)
    this.name = 'WebGpuUnavailableError'
  }
}

/** Options of {@link createNodeGpu}. */
export interface NodeGpuInit {
  /** Use this Vulkan ICD file; default: keep `VK_ICD_FILENAMES` if set, else SwiftShader when present. */
  icd?: string
  /** Dawn toggles/flags passed to `create()`, e.g. `['enable-dawn-features=allow_unsafe_apis']`. */
  flags?: string[]
  powerPreference?: 'low-power' | 'high-performance'
}

/** A WebGPU adapter and what it is. */
export interface NodeGpu {
  gpu: GPU
  adapter: GPUAdapter
  /** Vendor/architecture/description as the adapter reports them. */
  info: { vendor: string, architecture: string, description: string, isFallbackAdapter: boolean }
}

// the object `create()` returns must outlive every use of its adapters and devices
const keepAlive: GPU[] = []

/**
 * Creates Dawn's `GPU` and requests an adapter.
 *
 * @example
 * ```ts
 * const { adapter } = await createNodeGpu()
 * const device = await adapter.requestDevice()
 * ```
 */
export async function createNodeGpu (init: NodeGpuInit = {}): Promise<NodeGpu> {
  const icd = init.icd ?? process.env['VK_ICD_FILENAMES'] ?? (existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined)
  if (icd != null) process.env['VK_ICD_FILENAMES'] = icd
  if (process.env['XDG_RUNTIME_DIR'] == null || !existsSync(process.env['XDG_RUNTIME_DIR'])) {
    process.env['XDG_RUNTIME_DIR'] = mkdtempSync(join(tmpdir(), 'nsn-xdg-'))
  }
  let create: (flags: string[]) => GPU
  let globals: Record<string, unknown>
  try {
    ({ create, globals } = await import('webgpu') as unknown as { create: (flags: string[]) => GPU, globals: Record<string, unknown> })
  } catch (err) {
    throw new WebGpuUnavailableError('The npm package `webgpu` (Dawn) could not be loaded', { cause: err })
  }
  // the WebGPU enums and classes a browser has as globals (GPUBufferUsage, GPUMapMode, …), so
  // platform-free code runs unchanged
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })
  }
  const gpu = create(init.flags ?? [])
  keepAlive.push(gpu)
  const adapter = await gpu.requestAdapter({ powerPreference: init.powerPreference ?? 'high-performance' })
  if (adapter == null) {
    throw new WebGpuUnavailableError(icd == null
      ? `No WebGPU adapter: no Vulkan driver found; install chromium (for ${SWIFTSHADER_ICD}) or a GPU driver`
      : `No WebGPU adapter with the Vulkan ICD ${icd}`)
  }
  const a = adapter as GPUAdapter & { info?: GPUAdapterInfo, isFallbackAdapter?: boolean }
  const info = a.info ?? ({} as Partial<GPUAdapterInfo>)
  return {
    gpu,
    adapter,
    info: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter: a.isFallbackAdapter ?? (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false
    }
  }
}
