// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * What this browser offers the Lane-0 pipeline: WebGPU (adapter and the limits the warp shader uses),
 * WebCodecs VP8/Opus encoding, Web Workers, memory hints and storage quota. Read once for the
 * generation panel's capability report.
 */
import type { AbortOptions } from '../../core/options.ts'

/** The WebGPU limits the report shows (bytes or counts, as the adapter reports them). */
export const REPORTED_GPU_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup', 'maxTextureDimension2D'] as const

/** The capability report. */
export interface Capabilities {
  webgpu:
  | { available: true, vendor: string, architecture: string, description: string, isFallbackAdapter: boolean, limits: Record<(typeof REPORTED_GPU_LIMITS)[number], number>, features: string[] }
  | { available: false, reason: string }
  webcodecs: { videoEncoder: boolean, audioEncoder: boolean, vp8: boolean, opus: boolean }
  workers: boolean
  /** `navigator.hardwareConcurrency`. */
  cores?: number
  /** `navigator.deviceMemory` (GiB, rounded and capped by the browser), where exposed. */
  deviceMemoryGb?: number
  /** The JS heap limit (`performance.memory`, Chromium only), bytes. */
  jsHeapLimitBytes?: number
  /** `navigator.storage.estimate()`: quota and usage in bytes. */
  storage?: { quotaBytes: number, usageBytes: number }
}

interface ChromiumPerformance { memory?: { jsHeapSizeLimit: number } }
interface NavigatorHints { deviceMemory?: number }

async function probeWebGpu (options: AbortOptions): Promise<Capabilities['webgpu']> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu
  if (gpu == null) return { available: false, reason: 'navigator.gpu is missing: this browser has WebGPU disabled or unsupported (Chrome on Linux: --enable-unsafe-webgpu). The warp runs on the CPU.' }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  options.signal?.throwIfAborted()
  if (adapter == null) return { available: false, reason: 'requestAdapter() found no adapter. The warp runs on the CPU.' }
  const limits = Object.fromEntries(REPORTED_GPU_LIMITS.map(k => [k, Number(adapter.limits[k])])) as Record<(typeof REPORTED_GPU_LIMITS)[number], number>
  const info = adapter.info
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    limits,
    features: [...adapter.features].sort()
  }
}

async function probeWebCodecs (): Promise<Capabilities['webcodecs']> {
  const videoEncoder = typeof VideoEncoder !== 'undefined'
  const audioEncoder = typeof AudioEncoder !== 'undefined'
  const vp8 = videoEncoder && (await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 384, height: 384, bitrate: 800_000, framerate: 24 })).supported === true
  const opus = audioEncoder && (await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48_000, numberOfChannels: 1, bitrate: 64_000 })).supported === true
  return { videoEncoder, audioEncoder, vp8, opus }
}

/** Probes the browser (page or worker). */
export async function probeCapabilities (options: AbortOptions = {}): Promise<Capabilities> {
  const [webgpu, webcodecs, storage] = await Promise.all([
    probeWebGpu(options),
    probeWebCodecs(),
    (globalThis.navigator as Navigator | undefined)?.storage?.estimate?.().then(e => ({ quotaBytes: e.quota ?? 0, usageBytes: e.usage ?? 0 }), () => undefined)
  ])
  options.signal?.throwIfAborted()
  const nav = globalThis.navigator as (Navigator & NavigatorHints) | undefined
  const heap = (globalThis.performance as Performance & ChromiumPerformance).memory?.jsHeapSizeLimit
  return {
    webgpu,
    webcodecs,
    workers: typeof Worker !== 'undefined',
    cores: nav?.hardwareConcurrency,
    deviceMemoryGb: nav?.deviceMemory,
    jsHeapLimitBytes: heap,
    storage
  }
}
