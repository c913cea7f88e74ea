// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Bundled by e2e/onnx-web.spec.ts for the page: runs a served `.onnx` file through
 * `browserSessionFactory` and reports the outputs as plain JSON (`window.nsnOnnx`).
 */
import { env } from 'onnxruntime-web'
import { checkSignature, tensor } from '../../src/core/ai/inference.ts'
import { browserSessionFactory, defaultExecutionProviders } from '../../src/platform/browser/onnx-session.ts'
import type { BrowserInferenceSession } from '../../src/platform/browser/onnx-session.ts'

/** One model run as the spec describes it. */
export interface RunRequest {
  /** URL prefix of the onnxruntime-web dist files. */
  wasmPaths: string
  modelUrl: string
  /** Omitted: the factory's default for this context. */
  executionProviders?: string[]
  /** float16 data are raw half bits. @default type 'float32' */
  input: { name: string, type?: 'float32' | 'float16', data: number[], dims: number[] }
  /** Checked with `checkSignature` before the run. */
  expect: { inputs: string[], outputs: string[] }
}

/** What happened, as JSON. */
export interface RunReport {
  defaultExecutionProviders: string[]
  crossOriginIsolated: boolean
  /** `env.wasm.numThreads` as the factory set it. */
  wasmThreads?: number
  session?: { executionProvider: string, requested: string[], skipped: Array<{ provider: string, message: string }>, inputNames: string[], outputNames: string[] }
  /** `array`: the typed array's class (float16 must come back as raw bits in a `Uint16Array`). */
  outputs?: Record<string, { type: string, dims: number[], data: number[], array: string }>
  error?: { name: string, message: string }
  /** The WebGPU adapter onnxruntime-web set up (only once a webgpu session was created). */
  gpuAdapter?: string
  /** Kernel types onnxruntime-web's WebGPU profiler saw run on the GPU (needs timestamp queries). */
  gpuKernels: string[]
  ms: number
}

async function run (request: RunRequest): Promise<RunReport> {
  const started = performance.now()
  const report: RunReport = { defaultExecutionProviders: defaultExecutionProviders(), crossOriginIsolated: globalThis.crossOriginIsolated, gpuKernels: [], ms: 0 }
  env.webgpu.profiling = { mode: 'default', ondata: (d) => { report.gpuKernels.push(d.kernelType) } }
  let session: BrowserInferenceSession | undefined
  try {
    const response = await fetch(request.modelUrl)
    if (!response.ok) throw new Error(`GET ${request.modelUrl}: HTTP ${response.status}`)
    const model = new Uint8Array(await response.arrayBuffer())
    const create = browserSessionFactory({ wasmPaths: request.wasmPaths })
    session = await create(model, request.executionProviders === undefined ? {} : { executionProviders: request.executionProviders }) as BrowserInferenceSession
    report.wasmThreads = env.wasm.numThreads
    report.session = {
      executionProvider: session.executionProvider,
      requested: [...session.requestedExecutionProviders],
      skipped: [...session.skippedExecutionProviders],
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames]
    }
    checkSignature('tiny', session, request.expect.inputs, request.expect.outputs)
    const { name, type, data, dims } = request.input
    const feed = type === 'float16' ? tensor('float16', Uint16Array.from(data), dims) : tensor('float32', Float32Array.from(data), dims)
    const out = await session.run({ [name]: feed })
    report.outputs = {}
    for (const [k, t] of Object.entries(out)) report.outputs[k] = { type: t.type, dims: [...t.dims], data: Array.from(t.data as Float32Array), array: t.data.constructor.name }
  } catch (err) {
    report.error = { name: (err as Error).name, message: (err as Error).message }
  } finally {
    await session?.release()
  }
  const adapter = (env.webgpu as { adapter?: GPUAdapter }).adapter
  if (adapter !== undefined) report.gpuAdapter = `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim()
  report.ms = performance.now() - started
  return report
}

Object.assign(globalThis, { nsnOnnx: { run } })

/** The page API, for the spec's `page.evaluate` calls. */
export interface OnnxHarness {
  run: typeof run
}
