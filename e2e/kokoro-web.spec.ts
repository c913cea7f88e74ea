// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Kokoro-82M speech stage as `browserKokoroSpeech` wires it (src/platform/browser/kokoro.ts) in
 * Debian Chromium: the tiny stand-in Kokoro (test/fixtures/lane0-standin-models.ts: Kokoro's exact I/O,
 * a closed-form graph) downloaded through `loadModel` into `browserModelStore()`, run by onnxruntime-web
 * (WASM, and WebGPU on SwiftShader), with eSpeak NG WASM as the G2P through src/core/lane0/espeak-ipa.ts.
 * The page's phonemes and PCM are compared with the same stage run by `nodeKokoroSpeech` in this
 * process on the same files (onnxruntime-node, eSpeak NG WASM from the model registry).
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { build } from 'esbuild'
import { parseModelManifest } from '../src/core/ai/manifest.ts'
import { nodeKokoroSpeech } from '../src/platform/node/kokoro.ts'
import { FsModelStore } from '../src/platform/node/model-cache.ts'
import { kokoroFiles, kokoroManifestInit, standinManifestJson } from '../test/fixtures/lane0-standin-models.ts'
import type { Page } from '@playwright/test'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KokoroSpeechOutput } from '../src/core/lane0/speech-kokoro.ts'
import type { KokoroHarness, SpeakReport, SpeakRequest } from './harness/kokoro-entry.ts'

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] } })

const ORT_DIST = join(import.meta.dirname, '../node_modules/onnxruntime-web/dist')
const ESPEAK_WASM = join(import.meta.dirname, '../node_modules/espeak-ng/dist/espeak-ng.wasm')
/** Samples per phoneme id in the tiny graph. */
const K = 48
const VOICE_FILE = 'af_heart'
const SCRIPT = 'Hello, world. The quick brown fox jumps over the lazy dog!'
const TOLERANCE = 1e-4
const MODEL_PREFIX = 'models/kokoro-tiny/'

let server: Server
let origin: string
let manifestJson: Record<string, unknown>
let reference: KokoroSpeechOutput
let cacheDir: string
/** Every path the server was asked for, in order (no leading slash). */
const requests: string[] = []

test.beforeAll(async () => {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, 'harness/kokoro-entry.ts')], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'es2022', external: ['module'], logLevel: 'silent' })
  const js = bundle.outputFiles[0]!.text
  const files = kokoroFiles({ samplesPerId: K, voice: VOICE_FILE })
  const espeakWasm = readFileSync(ESPEAK_WASM)
  const ortFiles = new Map<string, Buffer>()
  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').slice(1))
    requests.push(path)
    // No HTTP caching anywhere: a file the page does not ask for again came from the model store.
    const noStore = { 'cache-control': 'no-store' }
    if (path === 'kokoro.js') { res.writeHead(200, { 'content-type': 'text/javascript', ...noStore }).end(js); return }
    if (path === 'espeak-ng.wasm') { res.writeHead(200, { 'content-type': 'application/wasm', ...noStore }).end(espeakWasm); return }
    const ortFile = /^ort\/(ort-wasm-simd-threaded[\w.]*\.(wasm|mjs))$/.exec(path)
    if (ortFile !== null) {
      const name = ortFile[1]!
      let body = ortFiles.get(name)
      if (body === undefined) {
        body = readFileSync(join(ORT_DIST, name))
        ortFiles.set(name, body)
      }
      res.writeHead(200, { 'content-type': ortFile[2] === 'wasm' ? 'application/wasm' : 'text/javascript', ...noStore }).end(body)
      return
    }
    if (path.startsWith(MODEL_PREFIX)) {
      const body = files[path.slice(MODEL_PREFIX.length)]
      if (body === undefined) res.writeHead(404).end()
      else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.byteLength, ...noStore }).end(body)
      return
    }
    if (path !== '') { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'text/html', ...noStore }).end('<!doctype html><title>kokoro</title><script src="/kokoro.js"></script>')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  manifestJson = standinManifestJson(kokoroManifestInit('kokoro-tiny'), files, path => `${origin}/${MODEL_PREFIX}${path}`)

  // The same stage on the same files in this process: onnxruntime-node, eSpeak NG from the registry.
  cacheDir = await mkdtemp(join(tmpdir(), 'nsn-kokoro-web-'))
  const stage = nodeKokoroSpeech({ manifest: parseModelManifest(manifestJson), store: new FsModelStore(cacheDir) })
  await stage.load()
  try {
    reference = await stage.run({ script: SCRIPT, voice: 'en-us' })
  } finally {
    await stage.unload()
  }
  requests.length = 0
})

test.afterAll(async () => {
  await new Promise(resolve => server?.close(resolve))
  if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true })
})

async function speak (page: Page, executionProviders: string[]): Promise<SpeakReport> {
  const request: SpeakRequest = {
    manifest: manifestJson,
    wasmPaths: `${origin}/ort/`,
    espeakWasmUrl: `${origin}/espeak-ng.wasm`,
    executionProviders,
    script: SCRIPT,
    voice: 'en-us'
  }
  return await page.evaluate(async (r) => await (window as unknown as { nsnKokoro: KokoroHarness }).nsnKokoro.speak(r), request)
}

function maxAbsDiff (a: readonly number[], b: Float32Array): number {
  expect(a).toHaveLength(b.length)
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)
}

const modelRequests = (): string[] => requests.filter(r => r.startsWith(MODEL_PREFIX)).sort()

/** Phonemes identical, PCM within {@link TOLERANCE} of the Node stage's; returns the max difference. */
function expectSameAsNode (report: SpeakReport): number {
  expect(report.error).toBeUndefined()
  expect(report.sampleRate).toBe(reference.sampleRate)
  expect(report.voice).toBe(VOICE_FILE)
  expect(report.chunks?.map(c => c.phonemes)).toEqual(reference.chunks.map(c => c.phonemes))
  expect(report.chunks?.map(c => c.tokens)).toEqual(reference.chunks.map(c => c.tokens))
  expect(report.droppedSymbols).toEqual(reference.droppedSymbols)
  const diff = maxAbsDiff(report.pcm!, reference.pcm)
  expect(diff).toBeLessThanOrEqual(TOLERANCE)
  return diff
}

test('should speak like the Node stage on the wasm provider, and load from the browser model store the second time', async ({ page }) => {
  // The reference is a real two-sentence utterance: both sentences' IPA, in one chunk of tokens + 2 pads.
  expect(reference.chunks).toHaveLength(1)
  const phonemes = reference.chunks[0]!.phonemes
  expect(phonemes).toContain('həlˈoʊ, wˈɜːld.')
  expect(phonemes.endsWith('!')).toBe(true)
  expect(reference.pcm.length).toBe((reference.chunks[0]!.tokens + 2) * K)
  expect(Math.max(...reference.pcm.map(Math.abs))).toBeGreaterThan(0.1)

  await page.goto(`${origin}/`)
  const first = await speak(page, ['wasm'])
  const diff = expectSameAsNode(first)
  // The model files came through the loader over HTTP, once each, into the store.
  expect(modelRequests()).toEqual([`${MODEL_PREFIX}model.onnx`, `${MODEL_PREFIX}tokenizer.json`, `${MODEL_PREFIX}voices/${VOICE_FILE}.bin`])
  expect(requests).toContain('espeak-ng.wasm')
  expect(requests).toContain('ort/ort-wasm-simd-threaded.jsep.wasm')
  expect(first.store.keys).toEqual(expect.arrayContaining(['kokoro-tiny/model.onnx', 'kokoro-tiny/tokenizer.json', `kokoro-tiny/voices/${VOICE_FILE}.bin`]))
  console.log(`wasm: ${first.pcm!.length} samples, max |web - node| = ${diff.toExponential(2)}, load ${first.loadMs.toFixed(0)} ms, run ${first.runMs.toFixed(0)} ms, store ${first.store.kind}`)

  // A second, fresh stage in the same page: the files come from the browser model store, not the server.
  const before = modelRequests().length
  const second = await speak(page, ['wasm'])
  expectSameAsNode(second)
  expect(second.pcm).toEqual(first.pcm)
  expect(modelRequests()).toHaveLength(before)
  console.log(`second run: no model request, load ${second.loadMs.toFixed(0)} ms`)
})

test('should speak like the Node stage on the webgpu provider (SwiftShader)', async ({ page }) => {
  await page.goto(`${origin}/`)
  const report = await speak(page, ['webgpu'])
  const diff = expectSameAsNode(report)
  // onnxruntime-web's WebGPU profiler saw the graph's kernels dispatched on the adapter.
  expect(report.gpuKernels).toContain('Tanh')
  console.log(`webgpu: max |web - node| = ${diff.toExponential(2)}, load ${report.loadMs.toFixed(0)} ms, run ${report.runMs.toFixed(0)} ms, kernels ${[...new Set(report.gpuKernels)].join(',')}`)
})
