// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser Web Worker entry (wiring only): serves one Lane-0 stage over the worker's port. The page
 * names the stage in the worker's `name` as JSON (`Lane0StageWorkerConfig` of src/app/lane0-browser.ts,
 * which starts them): `{"stage":"speech"}` (eSpeak NG) or `{"stage":"speech","kokoro":<manifest>}`
 * (Kokoro-82M), `{"stage":"keyframe"}`, `{"stage":"animation","width":384,"height":384,"frames":96}`
 * (the warp) or with `"liveportrait":<manifest>` (LivePortrait), `{"stage":"encode"}`.
 *
 * onnxruntime-web's WASM binary is a build asset (`?url`: Vite copies it and gives its URL); the
 * runtime's glue is the one bundled into `onnxruntime-web`'s default build, so single-threaded WASM
 * (`numThreads: 1`) needs no other file.
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url'
import { parseModelManifest } from '../src/core/ai/manifest.ts'
import { WarpAnimationStage } from '../src/core/lane0/animation-stage.ts'
import { ProceduralKeyframeStage } from '../src/core/lane0/keyframe-procedural.ts'
import { serveStage } from '../src/core/rpc/stage.ts'
import { browserEspeakSpeech } from '../src/platform/browser/espeak.ts'
import { browserKokoroSpeech } from '../src/platform/browser/kokoro.ts'
import { browserLivePortraitAnimation } from '../src/platform/browser/liveportrait.ts'
import { WebCodecsEncodeStage } from '../src/platform/browser/webcodecs-encode.ts'
import { requestBrowserGpu } from '../src/platform/browser/webgpu.ts'
import { workerScopePort } from '../src/platform/browser/worker-port.ts'
import type { Lane0StageWorkerConfig } from '../src/app/lane0-browser.ts'
import type { Lane0Stages } from '../src/core/lane0/pipeline.ts'

const scope = globalThis as unknown as { name: string } & Parameters<typeof workerScopePort>[0]
const config = JSON.parse(scope.name) as Lane0StageWorkerConfig
const port = workerScopePort(scope)
const ort = { wasmPaths: { wasm: new URL(ortWasmUrl, globalThis.location.href).href }, numThreads: 1 }

switch (config.stage) {
  case 'speech': {
    const speech: Lane0Stages['speech'] = config.kokoro !== undefined
      ? browserKokoroSpeech({ manifest: parseModelManifest(config.kokoro), ...ort })
      : browserEspeakSpeech()
    serveStage(port, speech)
    break
  }
  case 'keyframe': serveStage(port, new ProceduralKeyframeStage()); break
  case 'animation': {
    const expected = { width: config.width, height: config.height, frames: config.frames }
    const animation: Lane0Stages['animation'] = config.liveportrait !== undefined
      ? browserLivePortraitAnimation({ manifest: parseModelManifest(config.liveportrait), expected, ...ort })
      : new WarpAnimationStage({
        // no WebGPU here: the stage runs the CPU warp and reports backend 'cpu' (the panel shows it)
        device: async () => { const gpu = await requestBrowserGpu(); return gpu.available ? gpu.device : undefined }
      }, expected)
    serveStage(port, animation)
    break
  }
  case 'encode': serveStage(port, new WebCodecsEncodeStage()); break
  default: throw new Error(`lane0-stage.worker: unknown stage ${(config as { stage: string }).stage}`)
}
