// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Bundled by e2e/model-cache.spec.ts for the page: runs `loadModel` with the browser `fetch` over one of the
 * browser model stores and reports what happened as plain JSON (`window.nsnModelCache`).
 */
import { loadModel, sha256Hex } from '../../src/core/ai/model-loader.ts'
import { parseModelManifest } from '../../src/core/ai/manifest.ts'
import { browserModelStore, CacheApiModelStore, OpfsModelStore } from '../../src/platform/browser/model-cache.ts'
import type { FetchLike, ModelStore } from '../../src/core/ai/model-loader.ts'

/** Which store a scenario runs on. */
export type StoreKind = 'opfs' | 'cache-api'

/** One `loadModel` call as the spec describes it. */
export interface LoadRequest {
  store: StoreKind
  /** The manifest JSON (validated in the page with `parseModelManifest`). */
  manifest: unknown
  offline?: boolean
  retries?: number
}

/** What one `loadModel` call did, as JSON. */
export interface LoadReport {
  /** sha256 of each returned file, by path (absent when the call threw). */
  files?: Record<string, { size: number, sha256: string }>
  error?: { name: string, message: string, reason?: string }
  progress: Array<{ type: string, file: string, fileBytes: number, fileTotal: number, bytes: number, total: number }>
  /** The store's keys after the call. */
  keys: string[]
  /** Everything the store's backing storage holds after the call (OPFS file paths, or Cache API URLs). */
  storage: string[]
}

const CACHE_NAME = 'nsn-models-e2e'

async function openStore (kind: StoreKind): Promise<ModelStore> {
  if (kind === 'opfs') return new OpfsModelStore(await navigator.storage.getDirectory())
  return new CacheApiModelStore(await caches.open(CACHE_NAME))
}

const browserFetch: FetchLike = async (url, init) => await fetch(url, { ...init, cache: 'no-store' })

async function load (request: LoadRequest): Promise<LoadReport> {
  const store = await openStore(request.store)
  const manifest = parseModelManifest(request.manifest)
  const progress: LoadReport['progress'] = []
  const report: LoadReport = { progress, keys: [], storage: [] }
  try {
    const loaded = await loadModel(manifest, {
      store,
      fetch: browserFetch,
      offline: request.offline,
      retries: request.retries,
      onProgress: (e) => { progress.push({ type: e.type, ...e.detail }) }
    })
    report.files = {}
    for (const [path, f] of loaded.files) report.files[path] = { size: f.bytes.byteLength, sha256: sha256Hex(f.bytes) }
  } catch (err) {
    const e = err as Error & { reason?: string }
    report.error = { name: e.name, message: e.message, reason: e.reason }
  }
  report.keys = await store.list()
  report.storage = await storage(request.store)
  return report
}

/** Every OPFS file under the root, or every URL in the Cache API cache. */
async function storage (kind: StoreKind): Promise<string[]> {
  if (kind === 'cache-api') return (await (await caches.open(CACHE_NAME)).keys()).map(r => r.url).sort()
  const out: string[] = []
  const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
      if (handle.kind === 'file') out.push(prefix + name)
      else await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)
    }
  }
  await walk(await navigator.storage.getDirectory(), '')
  return out.sort()
}

/** Writes bytes (given as an array of numbers) straight into the store, bypassing the loader. */
async function put (kind: StoreKind, key: string, bytes: number[]): Promise<string[]> {
  const store = await openStore(kind)
  await store.write(key, new Uint8Array(bytes))
  return await store.list()
}

/** Appends bytes to a key, then returns its size and content. */
async function append (kind: StoreKind, key: string, bytes: number[]): Promise<{ size: number | undefined, bytes: number[], keys: string[] }> {
  const store = await openStore(kind)
  await store.append(key, new Uint8Array(bytes))
  return { size: await store.size(key), bytes: Array.from(await store.read(key)), keys: await store.list() }
}

/** Exercises the store contract directly: append, size, rename, delete, list. */
async function contract (kind: StoreKind): Promise<Record<string, unknown>> {
  const store = await openStore(kind)
  const out: Record<string, unknown> = {}
  out.absentHas = await store.has('c/a/b.bin')
  out.absentSize = await store.size('c/a/b.bin')
  await store.append('c/a/b.bin', new Uint8Array([1, 2, 3]))
  await store.append('c/a/b.bin', new Uint8Array([4, 5]).subarray(1))
  out.listedAfterAppend = await store.list()
  out.afterAppend = Array.from(await store.read('c/a/b.bin'))
  out.size = await store.size('c/a/b.bin')
  await store.rename('c/a/b.bin', 'c/a/c.bin')
  out.renamedHasOld = await store.has('c/a/b.bin')
  out.renamed = Array.from(await store.read('c/a/c.bin'))
  out.listed = await store.list()
  await store.delete('c/a/c.bin')
  await store.delete('c/a/c.bin')
  await store.delete('c/never/there.bin')
  await store.append('c/a/d.bin', new Uint8Array([7]))
  await store.append('c/a/d.bin', new Uint8Array([8]))
  await store.write('c/a/d.bin', new Uint8Array([9]))
  out.overwritten = Array.from(await store.read('c/a/d.bin'))
  out.overwrittenSize = await store.size('c/a/d.bin')
  await store.delete('c/a/d.bin')
  out.afterDelete = await store.list()
  out.badKey = await store.has('c/../x').then(() => 'no error', (e: Error) => e.name)
  // Which OPFS writer exists here: sync access handles (dedicated workers) append in place.
  out.syncAccessHandles = 'createSyncAccessHandle' in FileSystemFileHandle.prototype
  out.readAbsent = await store.read('c/a/c.bin').then(() => 'no error', (e: Error) => e.name)
  return out
}

/** Empties both stores (each test starts from nothing). */
async function clear (): Promise<void> {
  const root = await navigator.storage.getDirectory()
  for (const dir of ['models', 'model-segments']) await root.removeEntry(dir, { recursive: true }).catch((e: Error) => { if (e.name !== 'NotFoundError') throw e })
  await caches.delete(CACHE_NAME)
}

/**
 * Which store `browserModelStore()` picks here; `withoutCreateWritable` first removes
 * `FileSystemFileHandle.prototype.createWritable`, as in Safari pages before it had one.
 */
async function defaultStoreKind (withoutCreateWritable = false): Promise<StoreKind | 'other'> {
  if (withoutCreateWritable) delete (FileSystemFileHandle.prototype as Partial<FileSystemFileHandle>).createWritable
  const store = await browserModelStore()
  if (store instanceof OpfsModelStore) return 'opfs'
  return store instanceof CacheApiModelStore ? 'cache-api' : 'other'
}

const api = { load, put, append, contract, clear, defaultStoreKind }
/** The calls the harness answers, in the page or in its worker. */
export type Api = typeof api

/** Where a call runs: in the page, or in a dedicated worker running this same bundle. */
export type Where = 'page' | 'worker'

let worker: Worker | undefined
let nextId = 0
const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()

async function call<K extends keyof Api> (where: Where, fn: K, ...args: Parameters<Api[K]>): Promise<Awaited<ReturnType<Api[K]>>> {
  if (where === 'page') return await (api[fn] as (...a: unknown[]) => Promise<Awaited<ReturnType<Api[K]>>>)(...args)
  if (worker === undefined) {
    worker = new Worker('/model-cache.js')
    worker.onmessage = (e: MessageEvent<{ id: number, value?: unknown, error?: string }>) => {
      const p = pending.get(e.data.id)
      pending.delete(e.data.id)
      if (e.data.error !== undefined) p?.reject(new Error(e.data.error))
      else p?.resolve(e.data.value)
    }
  }
  const id = nextId++
  const w = worker
  return await new Promise<Awaited<ReturnType<Api[K]>>>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
    w.postMessage({ id, fn, args })
  })
}

if (typeof window === 'undefined') {
  // Dedicated worker: answer the page's calls.
  const post = (message: unknown): void => { (globalThis as unknown as { postMessage: (m: unknown) => void }).postMessage(message) }
  globalThis.onmessage = async (e: MessageEvent<{ id: number, fn: keyof Api, args: unknown[] }>) => {
    try {
      const value = await (api[e.data.fn] as (...a: unknown[]) => Promise<unknown>)(...e.data.args)
      post({ id: e.data.id, value })
    } catch (err) {
      post({ id: e.data.id, error: `${(err as Error).name}: ${(err as Error).message}` })
    }
  }
} else {
  Object.assign(globalThis, { nsnModelCache: { call } })
}

/** The page API, for the spec's `page.evaluate` calls. */
export interface ModelCacheHarness {
  call: typeof call
}
