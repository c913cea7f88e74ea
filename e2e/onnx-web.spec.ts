// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * onnxruntime-web through `browserSessionFactory` (src/platform/browser/onnx-session.ts) in Debian
 * Chromium, on the WASM and WebGPU (SwiftShader) execution providers, against the same tiny model
 * (MatMul + Add + Tanh, symbolic batch) run through onnxruntime-node in the test process.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { chromium, expect, test } from '@playwright/test'
import { build } from 'esbuild'
import { tensor } from '../src/core/ai/inference.ts'
import { nodeSessionFactory } from '../src/platform/node/onnx-session.ts'
import { int, tinyModel } from '../test/utils/tiny-onnx.ts'
import type { Page } from '@playwright/test'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { OnnxHarness, RunReport, RunRequest } from './harness/onnx-entry.ts'

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] } })

const ORT_DIST = join(import.meta.dirname, '../node_modules/onnxruntime-web/dist')
const IN = 4
const OUT = 3
const BATCH = 5
const TOLERANCE = 1e-4

/** Deterministic values in [-1, 1) (xorshift32). */
function valuesOf (length: number, seed: number): number[] {
  const out: number[] = []
  let x = seed >>> 0
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    out.push(x / 2 ** 31 - 1)
  }
  return out
}

/** y = tanh(x·W + b), x: [batch, 4], W: [4, 3], b: [3]; `inputName` lets a test break the signature. */
function model (inputName: string): Uint8Array {
  return tinyModel({
    inputs: [{ name: inputName, type: 'float32', shape: ['batch', IN] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['batch', OUT] }],
    initializers: {
      W: { type: 'float32', dims: [IN, OUT], values: valuesOf(IN * OUT, 7).map(v => 2 * v) },
      b: { type: 'float32', dims: [OUT], values: valuesOf(OUT, 11) }
    },
    nodes: [
      { op: 'MatMul', inputs: [inputName, 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['z'] },
      { op: 'Tanh', inputs: ['z'], outputs: ['y'] }
    ]
  })
}

/** y = cast(x) between float32 and float16 (IEEE half bits in a Uint16Array on both sides). */
function castModel (from: 'float32' | 'float16', to: 'float32' | 'float16'): Uint8Array {
  return tinyModel({
    inputs: [{ name: 'x', type: from, shape: ['batch', IN] }],
    outputs: [{ name: 'y', type: to, shape: ['batch', IN] }],
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: int(to === 'float16' ? 10 : 1) } }]
  })
}

const input = valuesOf(BATCH * IN, 3)
let server: Server
let origin: string
let reference: number[]
let halfReference: { array: string, bits: number[] }
let widenedReference: number[]
const ortRequests: string[] = []

test.beforeAll(async () => {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, 'harness/onnx-entry.ts')], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'es2022', logLevel: 'silent' })
  const js = bundle.outputFiles[0]!.text
  const models: Record<string, Uint8Array> = { 'tiny.onnx': model('x'), 'renamed.onnx': model('input'), 'half.onnx': castModel('float32', 'float16'), 'widen.onnx': castModel('float16', 'float32') }
  const ortFiles = new Map<string, Buffer>()
  server = createServer((req, res) => {
    const path = req.url ?? '/'
    if (path === '/onnx.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js)
      return
    }
    const ortFile = /^\/ort\/(ort-wasm-simd-threaded[\w.]*\.(wasm|mjs))$/.exec(path)
    if (ortFile !== null) {
      const name = ortFile[1]!
      ortRequests.push(name)
      let body = ortFiles.get(name)
      if (body === undefined) {
        body = readFileSync(join(ORT_DIST, name))
        ortFiles.set(name, body)
      }
      // COEP on the .mjs too: it is also the script of the WASM thread workers of an isolated page.
      res.writeHead(200, { 'content-type': ortFile[2] === 'wasm' ? 'application/wasm' : 'text/javascript', 'cross-origin-embedder-policy': 'require-corp' }).end(body)
      return
    }
    const modelFile = /^\/models\/([\w.]+)$/.exec(path)
    if (modelFile !== null) {
      const body = models[modelFile[1]!]
      if (body === undefined) res.writeHead(404).end()
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
      return
    }
    if (path !== '/' && path !== '/?isolated') { res.writeHead(404).end(); return }
    // `?isolated`: cross-origin isolated (SharedArrayBuffer, so WASM threads).
    const isolation = path === '/?isolated' ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}
    res.writeHead(200, { 'content-type': 'text/html', ...isolation }).end('<!doctype html><title>onnx</title><script src="/onnx.js"></script>')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  // The same model and input on onnxruntime-node (CPU) in this process.
  const session = await nodeSessionFactory(models['tiny.onnx']!)
  const out = await session.run({ x: tensor('float32', Float32Array.from(input), [BATCH, IN]) })
  await session.release()
  expect(out.y?.dims).toEqual([BATCH, OUT])
  reference = Array.from(out.y!.data as Float32Array)
  const half = await nodeSessionFactory(models['half.onnx']!)
  const halfOut = await half.run({ x: tensor('float32', Float32Array.from(input), [BATCH, IN]) })
  await half.release()
  halfReference = { array: halfOut.y!.data.constructor.name, bits: Array.from(halfOut.y!.data as Uint16Array) }
  const widen = await nodeSessionFactory(models['widen.onnx']!)
  const widenOut = await widen.run({ x: tensor('float16', Uint16Array.from(halfReference.bits), [BATCH, IN]) })
  await widen.release()
  widenedReference = Array.from(widenOut.y!.data as Float32Array)
})
test.afterAll(async () => { await new Promise(resolve => server?.close(resolve)) })

async function run (page: Page, request: Partial<RunRequest>, isolated = false): Promise<RunReport> {
  await page.goto(`${origin}/${isolated ? '?isolated' : ''}`)
  const full: RunRequest = {
    wasmPaths: `${origin}/ort/`,
    modelUrl: `${origin}/models/tiny.onnx`,
    input: { name: 'x', data: input, dims: [BATCH, IN] },
    expect: { inputs: ['x'], outputs: ['y'] },
    ...request
  }
  return await page.evaluate(async (r) => await (window as unknown as { nsnOnnx: OnnxHarness }).nsnOnnx.run(r), full)
}

function maxAbsDiff (a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length)
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)
}

test('should match onnxruntime-node on the wasm execution provider', async ({ page }) => {
  const report = await run(page, { executionProviders: ['wasm'] })

  expect(report.error).toBeUndefined()
  expect(report.session).toMatchObject({ executionProvider: 'wasm', requested: ['wasm'], skipped: [], inputNames: ['x'], outputNames: ['y'] })
  expect(report.outputs?.y?.dims).toEqual([BATCH, OUT])
  const diff = maxAbsDiff(report.outputs!.y!.data, reference)
  expect(diff).toBeLessThanOrEqual(TOLERANCE)
  expect(reference.some(v => Math.abs(v) > 0.1)).toBe(true)
  // The runtime came from the URL the factory was given, single-threaded outside cross-origin isolation.
  expect(ortRequests).toContain('ort-wasm-simd-threaded.jsep.wasm')
  expect(report.crossOriginIsolated).toBe(false)
  expect(report.wasmThreads).toBe(1)
  expect(report.gpuKernels).toEqual([])
  console.log(`wasm: max |web - node| = ${diff.toExponential(2)} over ${reference.length} values, ${report.ms.toFixed(0)} ms`)
})

test('should run WASM multi-threaded when the page is cross-origin isolated', async ({ page }) => {
  const workers: string[] = []
  page.on('worker', w => { workers.push(w.url()) })
  const report = await run(page, { executionProviders: ['wasm'] }, true)

  expect(report.crossOriginIsolated).toBe(true)
  expect(report.error).toBeUndefined()
  expect(report.wasmThreads).toBeGreaterThan(1)
  expect(workers).toContain(`${origin}/ort/ort-wasm-simd-threaded.jsep.mjs`)
  console.log(`cross-origin isolated: ${report.wasmThreads ?? 0} WASM threads, ${workers.length} worker(s)`)
  expect(maxAbsDiff(report.outputs!.y!.data, reference)).toBeLessThanOrEqual(TOLERANCE)
})

test('should match onnxruntime-node on the webgpu execution provider (SwiftShader)', async ({ page }) => {
  const report = await run(page, { executionProviders: ['webgpu'] })

  expect(report.error).toBeUndefined()
  expect(report.session).toMatchObject({ executionProvider: 'webgpu', requested: ['webgpu'], skipped: [] })
  // onnxruntime-web's WebGPU profiler saw the graph's kernels dispatched on the adapter.
  expect(report.gpuAdapter).toBeDefined()
  expect(report.gpuKernels).toContain('Tanh')
  const diff = maxAbsDiff(report.outputs!.y!.data, reference)
  expect(diff).toBeLessThanOrEqual(TOLERANCE)
  console.log(`webgpu: max |web - node| = ${diff.toExponential(2)} over ${reference.length} values, ${report.ms.toFixed(0)} ms, adapter ${report.gpuAdapter}, kernels ${report.gpuKernels.join(',')}`)
})

test('should default to webgpu then wasm where navigator.gpu exists, and report the provider used', async ({ page }) => {
  const report = await run(page, {})

  expect(report.defaultExecutionProviders).toEqual(['webgpu', 'wasm'])
  expect(report.error).toBeUndefined()
  expect(report.session?.requested).toEqual(['webgpu', 'wasm'])
  expect(report.session?.executionProvider).toBe('webgpu')
  expect(maxAbsDiff(report.outputs!.y!.data, reference)).toBeLessThanOrEqual(TOLERANCE)
})

test('should take and return float16 as raw half bits in a Uint16Array, as onnxruntime-node does', async ({ page }) => {
  const narrowed = await run(page, { modelUrl: `${origin}/models/half.onnx`, executionProviders: ['wasm'] })

  expect(narrowed.error).toBeUndefined()
  expect(halfReference.array).toBe('Uint16Array')
  expect(narrowed.outputs?.y).toMatchObject({ type: 'float16', dims: [BATCH, IN], array: 'Uint16Array' })
  expect(narrowed.outputs?.y?.data).toEqual(halfReference.bits)

  const widened = await run(page, { modelUrl: `${origin}/models/widen.onnx`, executionProviders: ['wasm'], input: { name: 'x', type: 'float16', data: halfReference.bits, dims: [BATCH, IN] } })
  expect(widened.error).toBeUndefined()
  expect(widened.outputs?.y?.data).toEqual(widenedReference)
  expect(maxAbsDiff(widenedReference, input)).toBeLessThan(1e-3) // half precision of values in [-1, 1)
})

test('should refuse a model whose input name differs with ModelSignatureError', async ({ page }) => {
  const report = await run(page, { modelUrl: `${origin}/models/renamed.onnx`, executionProviders: ['wasm'] })

  expect(report.session?.inputNames).toEqual(['input'])
  expect(report.outputs).toBeUndefined()
  expect(report.error?.name).toBe('ModelSignatureError')
  expect(report.error?.message).toContain('[input]')
})

test('should fail with NoExecutionProviderError naming each provider when none works', async ({ page }) => {
  const report = await run(page, { executionProviders: ['no-such-provider'] })

  expect(report.session).toBeUndefined()
  expect(report.error?.name).toBe('NoExecutionProviderError')
  expect(report.error?.message).toContain('[no-such-provider]')
  console.log(report.error?.message)
})

test('should fall back from webgpu to wasm and say why in a Chromium without --enable-unsafe-webgpu', async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
  try {
    const page = await browser.newPage()
    const report = await run(page, { executionProviders: ['webgpu', 'wasm'] })

    expect(report.error).toBeUndefined()
    expect(report.session?.executionProvider).toBe('wasm')
    expect(report.session?.skipped.map(s => s.provider)).toEqual(['webgpu'])
    expect(maxAbsDiff(report.outputs!.y!.data, reference)).toBeLessThanOrEqual(TOLERANCE)
    console.log(`no WebGPU flag: default providers ${JSON.stringify(report.defaultExecutionProviders)}; webgpu skipped: ${report.session?.skipped[0]?.message ?? ''}`)
  } finally {
    await browser.close()
  }
})
