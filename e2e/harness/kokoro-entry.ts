// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Bundled by e2e/kokoro-web.spec.ts for the page: runs the Kokoro speech stage as `browserKokoroSpeech`
 * wires it (onnxruntime-web, `loadModel` on `browserModelStore()`, eSpeak NG IPA from a served WASM) and
 * reports the output as plain JSON (`window.nsnKokoro`).
 */
import { env } from 'onnxruntime-web'
import { parseModelManifest } from '../../src/core/ai/manifest.ts'
import { browserKokoroSpeech } from '../../src/platform/browser/kokoro.ts'
import { browserModelStore } from '../../src/platform/browser/model-cache.ts'

/** One load + run of a fresh stage, as the spec describes it. */
export interface SpeakRequest {
  /** The manifest JSON (validated in the page with `parseModelManifest`). */
  manifest: unknown
  /** URL prefix of the onnxruntime-web dist files. */
  wasmPaths: string
  espeakWasmUrl: string
  executionProviders: string[]
  script: string
  voice: string
}

/** What the stage gave, as JSON. */
export interface SpeakReport {
  sampleRate?: number
  voice?: string
  chunks?: Array<{ phonemes: string, tokens: number, startSec: number, endSec: number }>
  pcm?: number[]
  droppedSymbols?: string[]
  error?: { name: string, message: string }
  /** The class of the store `browserModelStore()` opened, and its keys after the run. */
  store: { kind: string, keys: string[] }
  /** Kernel types onnxruntime-web's WebGPU profiler saw run on the GPU (webgpu sessions only). */
  gpuKernels: string[]
  loadMs: number
  runMs: number
}

async function speak (request: SpeakRequest): Promise<SpeakReport> {
  const report: SpeakReport = { store: { kind: '', keys: [] }, gpuKernels: [], loadMs: 0, runMs: 0 }
  env.webgpu.profiling = { mode: 'default', ondata: (d) => { report.gpuKernels.push(d.kernelType) } }
  const stage = browserKokoroSpeech({
    manifest: parseModelManifest(request.manifest),
    wasmPaths: request.wasmPaths,
    espeakWasmUrl: request.espeakWasmUrl,
    executionProviders: request.executionProviders
  })
  try {
    const started = performance.now()
    await stage.load()
    const loaded = performance.now()
    report.loadMs = loaded - started
    const out = await stage.run({ script: request.script, voice: request.voice })
    report.runMs = performance.now() - loaded
    report.sampleRate = out.sampleRate
    report.voice = out.voice
    report.chunks = out.chunks.map(c => ({ phonemes: c.phonemes, tokens: c.tokens, startSec: c.startSec, endSec: c.endSec }))
    report.pcm = Array.from(out.pcm)
    report.droppedSymbols = [...out.droppedSymbols]
  } catch (err) {
    report.error = { name: (err as Error).name, message: (err as Error).message }
  } finally {
    await stage.unload()
  }
  const store = await browserModelStore()
  report.store = { kind: store.constructor.name, keys: await store.list() }
  return report
}

Object.assign(globalThis, { nsnKokoro: { speak } })

/** The page API, for the spec's `page.evaluate` calls. */
export interface KokoroHarness {
  speak: typeof speak
}
