// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser Web Worker entry (wiring only): serves one Lane-0 stage over the worker's port. The page
 * names the stage in the worker's `name` as JSON: `{"stage":"speech"}`, `{"stage":"keyframe"}`,
 * `{"stage":"animation","width":384,"height":384,"frames":96}` or `{"stage":"encode"}`
 * (src/app/lane0-browser.ts starts them).
 */
import { WarpAnimationStage } from '../src/core/lane0/animation-stage.ts'
import { ProceduralKeyframeStage } from '../src/core/lane0/keyframe-procedural.ts'
import { serveStage } from '../src/core/rpc/stage.ts'
import { browserEspeakSpeech } from '../src/platform/browser/espeak.ts'
import { WebCodecsEncodeStage } from '../src/platform/browser/webcodecs-encode.ts'
import { requestBrowserGpu } from '../src/platform/browser/webgpu.ts'
import { workerScopePort } from '../src/platform/browser/worker-port.ts'

const scope = globalThis as unknown as { name: string } & Parameters<typeof workerScopePort>[0]
const config = JSON.parse(scope.name) as { stage: string, width?: number, height?: number, frames?: number }
const port = workerScopePort(scope)

switch (config.stage) {
  case 'speech': serveStage(port, browserEspeakSpeech()); break
  case 'keyframe': serveStage(port, new ProceduralKeyframeStage()); break
  case 'animation': serveStage(port, new WarpAnimationStage({
    // no WebGPU here: the stage runs the CPU warp and reports backend 'cpu' (the panel shows it)
    device: async () => { const gpu = await requestBrowserGpu(); return gpu.available ? gpu.device : undefined }
  }, { width: config.width ?? 384, height: config.height ?? 384, frames: config.frames ?? 240 })); break
  case 'encode': serveStage(port, new WebCodecsEncodeStage()); break
  default: throw new Error(`lane0-stage.worker: unknown stage ${config.stage}`)
}
