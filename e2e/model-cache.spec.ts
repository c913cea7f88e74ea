// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The model loader (`loadModel`) with the browser `fetch` over both browser model stores (OPFS and the
 * Cache API) in Debian Chromium, against a local HTTP server that records every request: progress,
 * resume of a cut transfer with a `Range` request, sha256 refusal and deletion, offline mode.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { build } from 'esbuild'
import type { Page } from '@playwright/test'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Api, ModelCacheHarness, StoreKind, Where } from './harness/model-cache-entry.ts'
import { bytesOf } from '../test/utils/bytes.ts'

const SIZE = 300_000
const CUT_AFTER = 100_000

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

interface Served {
  body: Uint8Array
  /** First request only: send this many bytes of the body, then close the connection. */
  cutFirstAfter?: number
}

/** One request for a model file, as the server saw it. */
interface Seen {
  name: string
  range?: string
  status: number
  /** Bytes of the body the server wrote. */
  sent: number
}

let server: Server
let origin: string
const files = new Map<string, Served>()
const seen: Seen[] = []

test.beforeAll(async () => {
  const bundle = await build({ entryPoints: [join(import.meta.dirname, 'harness/model-cache-entry.ts')], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'es2022' })
  const js = bundle.outputFiles[0]!.text
  server = createServer((req, res) => {
    // One connection per request, so that no request meets a connection the server is closing.
    res.shouldKeepAlive = false
    const path = req.url ?? '/'
    if (path === '/model-cache.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js)
      return
    }
    if (!path.startsWith('/files/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>model cache</title><script src="/model-cache.js"></script>')
      return
    }
    const name = path.slice('/files/'.length)
    const file = files.get(name)
    const record: Seen = { name, range: req.headers.range, status: 404, sent: 0 }
    const first = !seen.some(s => s.name === name)
    seen.push(record)
    if (file === undefined) { res.writeHead(404).end(); return }
    const { body } = file
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    const start = range === null ? 0 : Number(range[1])
    const headers = { 'content-type': 'application/octet-stream', 'cache-control': 'no-store', 'accept-ranges': 'bytes' }
    if (range !== null) {
      record.status = 206
      res.writeHead(206, { ...headers, 'content-length': body.byteLength - start, 'content-range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}` })
    } else {
      record.status = 200
      res.writeHead(200, { ...headers, 'content-length': body.byteLength })
    }
    const rest = body.subarray(start)
    if (first && file.cutFirstAfter !== undefined) {
      record.sent = file.cutFirstAfter
      // The cut comes well after the headers (Chromium silently resends a request whose reused or
      // preconnected connection closes before the response headers, which would hide the cut from the
      // loader), and is a FIN after the bytes, not an RST that could drop them.
      res.write(rest.subarray(0, file.cutFirstAfter), () => setTimeout(() => res.socket?.end(), 300))
    } else {
      record.sent = rest.byteLength
      res.end(rest)
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.afterAll(async () => {
  server?.closeAllConnections()
  await new Promise(resolve => server?.close(resolve))
})

/** A manifest for one file served at `/files/<name>`, with the sha256 of `expected`. */
function manifest (name: string, expected: Uint8Array): unknown {
  return {
    id: 'e2e-model',
    name: 'E2E model',
    version: '1',
    licence: { spdx: 'MIT', url: 'https://opensource.org/license/mit' },
    runtime: 'onnxruntime-web',
    task: 'animation',
    neural: true,
    memory: { bytes: SIZE, gpuBytes: 0 },
    signature: { inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }], outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1] }] },
    files: [{ path: 'w.bin', source: { url: `${origin}/files/${name}` }, size: expected.byteLength, sha256: sha256(expected) }]
  }
}

/** Runs one harness call in the page or in its dedicated worker. */
async function call<K extends keyof Api> (page: Page, where: Where, fn: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> {
  return await page.evaluate(
    async ({ w, f, a }) => await (window as unknown as { nsnModelCache: ModelCacheHarness }).nsnModelCache.call(w, f, ...(a as [never])),
    { w: where, f: fn as keyof Api, a: args as unknown[] }
  ) as Awaited<ReturnType<Api[K]>>
}

async function open (page: Page): Promise<void> {
  await page.goto(`${origin}/`)
  await call(page, 'page', 'clear')
}

const requestsFor = (name: string): Seen[] => seen.filter(s => s.name === name)

test('should pick OPFS as the default store in Chromium, and the Cache API where OPFS files cannot be written', async ({ page }) => {
  await open(page)
  expect(await call(page, 'page', 'defaultStoreKind')).toBe('opfs')
  expect(await call(page, 'worker', 'defaultStoreKind')).toBe('opfs')
  expect(await call(page, 'page', 'defaultStoreKind', true)).toBe('cache-api')
})

test('should keep one OPFS file whole when a page and a worker append to it in turn', async ({ page }) => {
  await open(page)
  const key = 'mixed/w.bin.part'
  expect(await call(page, 'page', 'append', 'opfs', key, [1, 2])).toEqual({ size: 2, bytes: [1, 2], keys: [key] })
  expect(await call(page, 'page', 'append', 'opfs', key, [3])).toEqual({ size: 3, bytes: [1, 2, 3], keys: [key] })
  expect(await call(page, 'worker', 'append', 'opfs', key, [4])).toEqual({ size: 4, bytes: [1, 2, 3, 4], keys: [key] })
  expect(await call(page, 'page', 'append', 'opfs', key, [5, 6])).toEqual({ size: 6, bytes: [1, 2, 3, 4, 5, 6], keys: [key] })
  expect(await call(page, 'worker', 'append', 'opfs', key, [7])).toEqual({ size: 7, bytes: [1, 2, 3, 4, 5, 6, 7], keys: [key] })
})

// OPFS in a page (createWritable) and in a dedicated worker (sync access handles), the Cache API in a page.
const setups = [['opfs', 'page'], ['opfs', 'worker'], ['cache-api', 'page']] as const satisfies ReadonlyArray<readonly [StoreKind, Where]>
for (const [kind, where] of setups) {
  test.describe(`${kind} store in a ${where}`, () => {
    test('should keep the ModelStore contract (append, size, rename, delete, list)', async ({ page }) => {
      await open(page)
      const got = await call(page, where, 'contract', kind)
      expect(got).toEqual({
        absentHas: false,
        absentSize: undefined,
        listedAfterAppend: ['c/a/b.bin'],
        afterAppend: [1, 2, 3, 5],
        size: 4,
        renamedHasOld: false,
        renamed: [1, 2, 3, 5],
        listed: ['c/a/c.bin'],
        overwritten: [9],
        overwrittenSize: 1,
        afterDelete: [],
        badKey: 'InvalidInputError',
        syncAccessHandles: where === 'worker',
        readAbsent: 'NotFoundError'
      })
    })

    test('should download with progress, resume a cut transfer with a Range request, then serve it offline', async ({ page }) => {
      await open(page)
      const name = `${kind}-${where}-cut.bin`
      const body = bytesOf(SIZE, 1)
      files.set(name, { body, cutFirstAfter: CUT_AFTER })

      const report = await call(page, where, 'load', { store: kind, manifest: manifest(name, body) })

      expect(report.error).toBeUndefined()
      expect(report.files).toEqual({ 'w.bin': { size: SIZE, sha256: sha256(body) } })
      expect(report.keys).toEqual(['e2e-model/w.bin'])
      expect(report.storage).toHaveLength(1) // no partial file or segment left behind
      const requests = requestsFor(name)
      expect(requests.map(r => r.status)).toEqual([200, 206])
      expect(requests[0]?.range).toBeUndefined()
      expect(requests[1]?.range).toBe(`bytes=${CUT_AFTER}-`)
      expect(requests[1]?.sent).toBe(SIZE - CUT_AFTER)
      const downloads = report.progress.filter(p => p.type === 'model:download-progress')
      expect(downloads.length).toBeGreaterThanOrEqual(2)
      expect(downloads.map(p => p.fileBytes)).toContain(CUT_AFTER)
      for (let i = 1; i < downloads.length; i++) expect(downloads[i]!.fileBytes).toBeGreaterThan(downloads[i - 1]!.fileBytes)
      expect(downloads.at(-1)).toMatchObject({ file: 'w.bin', fileBytes: SIZE, fileTotal: SIZE, bytes: SIZE, total: SIZE })
      expect(report.progress.at(-1)).toMatchObject({ type: 'model:file-verified', fileBytes: SIZE })
      console.log(`${kind} in a ${where}: cut after ${CUT_AFTER} bytes sent, resumed with "${requests[1]?.range ?? ''}", ${downloads.length} progress events`)

      // Offline with the file cached: served from the store, no request reaches the server.
      const before = seen.length
      const offline = await call(page, where, 'load', { store: kind, manifest: manifest(name, body), offline: true })
      expect(offline.error).toBeUndefined()
      expect(offline.files).toEqual({ 'w.bin': { size: SIZE, sha256: sha256(body) } })
      expect(seen.length).toBe(before)
      // Online again with the file cached: still no request.
      const cached = await call(page, where, 'load', { store: kind, manifest: manifest(name, body) })
      expect(cached.files?.['w.bin']?.sha256).toBe(sha256(body))
      expect(seen.length).toBe(before)
    })

    test('should refuse a download whose bytes do not match the manifest sha256 and keep nothing', async ({ page }) => {
      await open(page)
      const name = `${kind}-${where}-wrong.bin`
      const expected = bytesOf(SIZE, 2)
      const served = bytesOf(SIZE, 3)
      files.set(name, { body: served })

      const report = await call(page, where, 'load', { store: kind, manifest: manifest(name, expected) })

      expect(report.files).toBeUndefined()
      expect(report.error?.name).toBe('ModelHashMismatchError')
      expect(report.error?.message).toContain(sha256(served))
      expect(report.keys).toEqual([])
      expect(report.storage).toEqual([])
      expect(requestsFor(name)).toHaveLength(1)
    })

    test('should refuse and delete a cached file whose bytes no longer match', async ({ page }) => {
      await open(page)
      const body = bytesOf(SIZE, 4)
      const corrupt = Array.from(body)
      corrupt[12_345] = (corrupt[12_345]! + 1) & 0xff
      const keys = await call(page, where, 'put', kind, 'e2e-model/w.bin', corrupt)
      expect(keys).toEqual(['e2e-model/w.bin'])

      const report = await call(page, where, 'load', { store: kind, manifest: manifest(`${kind}-${where}-never-fetched.bin`, body), offline: true })

      expect(report.error?.name).toBe('ModelHashMismatchError')
      expect(report.keys).toEqual([])
      expect(requestsFor(`${kind}-${where}-never-fetched.bin`)).toHaveLength(0)
    })

    test('should fail offline with ModelNotCachedError when nothing is cached, without a request', async ({ page }) => {
      await open(page)
      const name = `${kind}-${where}-offline.bin`
      const body = bytesOf(SIZE, 5)
      files.set(name, { body })

      const report = await call(page, where, 'load', { store: kind, manifest: manifest(name, body), offline: true })

      expect(report.files).toBeUndefined()
      expect(report.error?.name).toBe('ModelNotCachedError')
      expect(report.keys).toEqual([])
      expect(requestsFor(name)).toHaveLength(0)
    })
  })
}
