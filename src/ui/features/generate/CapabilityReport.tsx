// SPDX-License-Identifier: GPL-3.0-or-later
import type { Capabilities } from '../../../platform/browser/capabilities.ts'

const MiB = 2 ** 20
const GiB = 2 ** 30

function bytes (n: number): string {
  return n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : `${Math.round(n / MiB)} MiB`
}

/** What this browser offers the pipeline: WebGPU adapter and limits, WebCodecs, memory, storage. */
export function CapabilityReport ({ capabilities, error }: { capabilities?: Capabilities, error?: string }) {
  if (error != null) return <section className="card" aria-label="Capabilities"><h2>This device</h2><p className="form-error" role="alert">Could not probe this browser: {error}</p></section>
  if (capabilities == null) return <section className="card" aria-label="Capabilities"><h2>This device</h2><p role="status">Probing WebGPU and WebCodecs…</p></section>
  const { webgpu, webcodecs } = capabilities
  return (
    <section className="card" aria-label="Capabilities" data-testid="capabilities">
      <h2>This device</h2>
      <dl className="kv kv-wide capabilities">
        <div>
          <dt>WebGPU</dt>
          {webgpu.available
            ? <dd data-testid="cap-webgpu">{[webgpu.vendor, webgpu.architecture, webgpu.description].filter(s => s !== '').join(' · ') || 'adapter without a name'}{webgpu.isFallbackAdapter ? ' (software fallback adapter)' : ''}</dd>
            : <dd data-testid="cap-webgpu" className="warn">not available: {webgpu.reason}</dd>}
        </div>
        {webgpu.available && (
          <div>
            <dt>GPU limits</dt>
            <dd>max buffer {bytes(webgpu.limits.maxBufferSize)}, storage binding {bytes(webgpu.limits.maxStorageBufferBindingSize)}, workgroup {webgpu.limits.maxComputeInvocationsPerWorkgroup} invocations, 2D texture {webgpu.limits.maxTextureDimension2D} px</dd>
          </div>
        )}
        <div>
          <dt>WebCodecs</dt>
          <dd data-testid="cap-webcodecs" className={webcodecs.vp8 && webcodecs.opus ? undefined : 'warn'}>
            VP8 encode {webcodecs.vp8 ? 'yes' : 'no'}, Opus encode {webcodecs.opus ? 'yes' : 'no'}{webcodecs.vp8 && webcodecs.opus ? '' : ': this browser cannot encode clips'}
          </dd>
        </div>
        <div>
          <dt>Workers</dt>
          <dd>{capabilities.workers ? 'yes' : 'no'}{capabilities.cores != null ? `, ${capabilities.cores} logical cores` : ''}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            {capabilities.deviceMemoryGb != null ? `device ≥ ${capabilities.deviceMemoryGb} GiB (browser hint)` : 'device memory not exposed'}
            {capabilities.jsHeapLimitBytes != null ? `, JS heap limit ${bytes(capabilities.jsHeapLimitBytes)}` : ''}
          </dd>
        </div>
        {capabilities.storage != null && (
          <div>
            <dt>Storage</dt>
            <dd>{bytes(capabilities.storage.usageBytes)} used of {bytes(capabilities.storage.quotaBytes)} (model cache)</dd>
          </div>
        )}
      </dl>
    </section>
  )
}
