// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The one owner of the model cache (DESIGN.md "Models"): downloads with progress and HTTP Range resume,
 * sha256 verification before any byte is handed out, offline mode, package-relative sources.
 * Platform-free: storage, fetch and package reads are injected.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { concatBytes } from '../bytes.ts'
import { AbortError } from '../errors.ts'
import type { AbortOptions, ProgressEvent, ProgressOptions } from '../options.ts'
import { ModelDownloadError, ModelHashMismatchError, ModelNotCachedError, ModelPackageFileError } from './errors.ts'
import { isPackageSource } from './manifest.ts'
import type { ModelFile, ModelManifest } from './manifest.ts'

/** Key/value byte storage for the cache. Keys are relative `a/b/c` paths. */
export interface ModelStore {
  has: (key: string) => Promise<boolean>
  /** Size in bytes, or undefined when absent. */
  size: (key: string) => Promise<number | undefined>
  read: (key: string) => Promise<Uint8Array>
  /** Appends to the key, creating it when absent. */
  append: (key: string, bytes: Uint8Array) => Promise<void>
  write: (key: string, bytes: Uint8Array) => Promise<void>
  /** Deleting an absent key is not an error. */
  delete: (key: string) => Promise<void>
  /** Moves `from` onto `to` (atomically where the platform allows). */
  rename: (from: string, to: string) => Promise<void>
  list: () => Promise<string[]>
}

export type FetchLike = (url: string, init: { headers: Record<string, string>, signal?: AbortSignal }) => Promise<Response>
export type ReadPackageFile = (pkg: string, path: string, options?: AbortOptions) => Promise<Uint8Array>

export interface ModelProgressDetail {
  model: string
  file: string
  /** Verified-or-downloaded bytes of this file so far, and its size. */
  fileBytes: number
  fileTotal: number
  /** The same over all files of the manifest. */
  bytes: number
  total: number
}
export type ModelProgressEvents =
  | ProgressEvent<'model:download-progress', ModelProgressDetail>
  | ProgressEvent<'model:file-verified', ModelProgressDetail>

export interface LoadModelOptions extends AbortOptions, ProgressOptions<ModelProgressEvents> {
  store: ModelStore
  fetch?: FetchLike
  readPackageFile?: ReadPackageFile
  /** Never call `fetch`; URL files must already be cached. */
  offline?: boolean
  /** Automatic resumes after an interrupted transfer within one call (default MODEL_DOWNLOAD_RETRIES). */
  retries?: number
}

export interface LoadedModelFile {
  path: string
  size: number
  sha256: string
  bytes: Uint8Array
}

export interface LoadedModel {
  manifest: ModelManifest
  files: Map<string, LoadedModelFile>
}

export const MODEL_DOWNLOAD_RETRIES = 3
/** Downloaded chunks are buffered up to this many bytes before they are appended to the store. */
export const MODEL_APPEND_BUFFER_BYTES = 1 << 20
export const PARTIAL_SUFFIX = '.part'

export function cacheKey (manifest: ModelManifest, file: ModelFile): string {
  return `${manifest.id}/${file.path}`
}

export function sha256Hex (bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes))
}

/** Loads every file of `manifest`, verified against its sha256, downloading what is missing. */
export async function loadModel (manifest: ModelManifest, options: LoadModelOptions): Promise<LoadedModel> {
  const total = manifest.files.reduce((n, f) => n + f.size, 0)
  const state = { done: 0 }
  const files = new Map<string, LoadedModelFile>()
  for (const file of manifest.files) {
    throwIfAborted(options.signal)
    const emit = (type: ModelProgressEvents['type'], fileBytes: number): void => {
      options.onProgress?.({ type, detail: { model: manifest.id, file: file.path, fileBytes, fileTotal: file.size, bytes: state.done + fileBytes, total } })
    }
    const bytes = await loadFile(manifest, file, options, emit)
    emit('model:file-verified', file.size)
    state.done += file.size
    files.set(file.path, { path: file.path, size: file.size, sha256: file.sha256, bytes })
  }
  return { manifest, files }
}

type Emit = (type: ModelProgressEvents['type'], fileBytes: number) => void

async function loadFile (manifest: ModelManifest, file: ModelFile, options: LoadModelOptions, emit: Emit): Promise<Uint8Array> {
  const { store } = options
  const key = cacheKey(manifest, file)
  const source = file.source
  if (isPackageSource(source)) {
    if (options.readPackageFile === undefined) throw new ModelPackageFileError(file.path, `Model file "${file.path}" comes from package ${source.package} but no readPackageFile was given`)
    let bytes: Uint8Array
    try {
      bytes = await options.readPackageFile(source.package, source.path, { signal: options.signal })
    } catch (err) {
      if (isAbort(err)) throw err
      throw new ModelPackageFileError(file.path, `Model file "${file.path}": cannot read ${source.package}/${source.path}`, { cause: err })
    }
    const actual = sha256Hex(bytes)
    if (actual !== file.sha256) throw new ModelHashMismatchError({ file: file.path, expected: file.sha256, actual, deleted: false })
    return bytes
  }

  // one download per cached file at a time: a second caller in this realm waits, then reads the cache
  return await withKeyLock(store, key, async () => await loadCachedOrDownload(file, key, options, emit))
}

const locks = new WeakMap<ModelStore, Map<string, Promise<void>>>()

/**
 * Runs `fn` while no other call for the same store and key runs (within this JavaScript realm: two
 * workers or processes sharing one cache folder are not serialized; their downloads go to the same
 * partial file and the sha256 check refuses a mixed result).
 */
async function withKeyLock<T> (store: ModelStore, key: string, fn: () => Promise<T>): Promise<T> {
  let held = locks.get(store)
  if (held === undefined) {
    held = new Map()
    locks.set(store, held)
  }
  for (let other = held.get(key); other !== undefined; other = held.get(key)) await other
  let release = (): void => {}
  held.set(key, new Promise<void>(resolve => { release = resolve }))
  try {
    return await fn()
  } finally {
    held.delete(key)
    release()
  }
}

async function loadCachedOrDownload (file: ModelFile, key: string, options: LoadModelOptions, emit: Emit): Promise<Uint8Array> {
  const { store } = options
  if (await store.has(key)) {
    const bytes = await store.read(key)
    const actual = sha256Hex(bytes)
    if (actual !== file.sha256) {
      await store.delete(key)
      throw new ModelHashMismatchError({ file: file.path, expected: file.sha256, actual })
    }
    return bytes
  }
  if (options.offline === true) throw new ModelNotCachedError(file.path)
  if (options.fetch === undefined) throw new ModelNotCachedError(file.path)

  const partKey = key + PARTIAL_SUFFIX
  const retries = options.retries ?? MODEL_DOWNLOAD_RETRIES
  let actual: string
  for (let attempt = 0; ; attempt++) {
    try {
      actual = await download(file, partKey, options.fetch, store, options.signal, emit)
      break
    } catch (err) {
      if (isAbort(err)) throw new AbortError(undefined, { cause: err })
      const resumable = (err as Error).name === ModelDownloadError.name && (err as ModelDownloadError).reason === 'interrupted'
      if (!resumable || attempt >= retries) throw err
    }
  }
  if (actual !== file.sha256) {
    await store.delete(partKey)
    throw new ModelHashMismatchError({ file: file.path, expected: file.sha256, actual })
  }
  await store.rename(partKey, key)
  return await store.read(key)
}

type Hasher = ReturnType<typeof sha256.create>

/**
 * Brings `partKey` to `file.size` bytes, resuming from what the store holds; returns the sha256 (hex) of
 * the whole partial file, hashed incrementally (the held prefix once, then each received chunk).
 */
async function download (file: ModelFile, partKey: string, fetchFn: FetchLike, store: ModelStore, signal: AbortSignal | undefined, emit: Emit): Promise<string> {
  const url = (file.source as { url: string }).url
  let have = (await store.size(partKey)) ?? 0
  if (have > file.size) {
    await store.delete(partKey)
    have = 0
  }
  let hasher = sha256.create()
  if (have > 0) hasher.update(await store.read(partKey))
  if (have === file.size) return bytesToHex(hasher.digest())
  for (let rangeRetry = 0; ; rangeRetry++) {
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {}
    const response = await fetchFn(url, { headers, signal })
    if (response.status === 416 && have > 0 && rangeRetry === 0) {
      // The partial no longer matches what the server has: start over.
      await response.body?.cancel()
      await store.delete(partKey)
      have = 0
      hasher = sha256.create()
      continue
    }
    if (response.status === 206) {
      const start = parseContentRangeStart(response.headers.get('content-range'))
      if (start !== have) {
        await response.body?.cancel()
        throw new ModelDownloadError({ file: file.path, reason: 'bad-content-range', status: 206, message: `Model file "${file.path}": asked for bytes from ${have}, server sent ${response.headers.get('content-range') ?? 'no Content-Range'}` })
      }
    } else if (response.status === 200) {
      if (have > 0) {
        // The server ignored the Range header and sends the whole file: restart.
        await store.delete(partKey)
        have = 0
        hasher = sha256.create()
      }
    } else {
      await response.body?.cancel()
      throw new ModelDownloadError({ file: file.path, reason: 'http-status', status: response.status })
    }
    await receive({ file, partKey, response, have, store, signal, emit, hasher })
    return bytesToHex(hasher.digest())
  }
}

interface ReceiveInit {
  file: ModelFile
  partKey: string
  response: Response
  have: number
  store: ModelStore
  signal: AbortSignal | undefined
  emit: Emit
  hasher: Hasher
}

async function receive ({ file, partKey, response, have, store, signal, emit, hasher }: ReceiveInit): Promise<void> {
  if (response.body === null) throw new ModelDownloadError({ file: file.path, reason: 'interrupted', status: response.status, message: `Model file "${file.path}": empty response body` })
  const reader = response.body.getReader()
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  let received = have
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return
    const chunk = pending.length === 1 ? pending[0]! : concatBytes(pending)
    pending = []
    pendingBytes = 0
    await store.append(partKey, chunk)
  }
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>
      try {
        result = await reader.read()
      } catch (err) {
        if (signal?.aborted === true || isAbort(err)) throw new AbortError(undefined, { cause: err })
        throw new ModelDownloadError({ file: file.path, reason: 'interrupted', status: response.status }, { cause: err })
      }
      if (result.done) break
      received += result.value.byteLength
      if (received > file.size) throw new ModelDownloadError({ file: file.path, reason: 'too-large', status: response.status, message: `Model file "${file.path}": server sent more than the manifest's ${file.size} bytes` })
      hasher.update(result.value)
      pending.push(result.value)
      pendingBytes += result.value.byteLength
      if (pendingBytes >= MODEL_APPEND_BUFFER_BYTES) await flush()
      emit('model:download-progress', received)
      throwIfAborted(signal)
    }
  } finally {
    // Whatever arrived stays in the partial file so that the next call resumes from it.
    await flush()
    reader.releaseLock()
  }
  if (received < file.size) throw new ModelDownloadError({ file: file.path, reason: 'interrupted', status: response.status, message: `Model file "${file.path}": connection ended at ${received} of ${file.size} bytes` })
}

function parseContentRangeStart (header: string | null): number | undefined {
  const match = header === null ? null : /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim())
  return match === null ? undefined : Number(match[1])
}

function isAbort (err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name
  return name === AbortError.name || name === 'TimeoutError'
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}
