// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser side of the model cache: a `ModelStore` over OPFS (`navigator.storage.getDirectory()`) where
 * the browser can write files there, else over the Cache API; and `readPackageFile` from package files
 * the app serves. Only `src/core/ai/model-loader.ts` decides what goes in the cache; this file just
 * stores bytes. Tested in Debian Chromium by e2e/model-cache.spec.ts (both stores, in a page and, for
 * OPFS, in a dedicated worker).
 *
 * Appends must not rewrite what a key already holds: the loader appends every
 * `MODEL_APPEND_BUFFER_BYTES` while downloading, and a rewrite per append is quadratic in the model
 * size (in Chromium, 256 appends of 1 MiB took 138 s through `createWritable({ keepExistingData })`).
 * OPFS appends in place through a sync access handle in dedicated workers (where the model stages
 * run); in a page it writes each append to a new segment file. The Cache API store keeps a key as
 * numbered entries, one per append.
 */
import { InvalidInputError } from '../../core/errors.ts'
import { concatBytes } from '../../core/bytes.ts'
import type { FetchLike, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'

const CACHE_NAME = 'nsn-models'
const CACHE_ORIGIN = 'https://nsn-model-cache.invalid/'
/** Response header holding a Cache API segment's byte length, so sizes need no body read. */
const SIZE_HEADER = 'x-nsn-bytes'
const SEGMENT_PARAM = 'segment'
/** OPFS directory (next to `models`) holding appended segments not yet folded into their file. */
const SEGMENTS_DIR = 'model-segments'

/** Thrown by {@link browserModelStore} when the browser has neither a writable OPFS nor the Cache API. */
export class ModelStoreUnavailableError extends Error {
  static override name = 'ModelStoreUnavailableError'
  constructor (message = 'This browser offers no storage for models (no writable OPFS, no Cache API; a non-secure context has neither)', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ModelStoreUnavailableError'
  }
}

/** The path segments of a key; throws `InvalidInputError` for keys that are not relative `a/b/c` paths. */
function keyParts (key: string): string[] {
  const parts = key.split('/')
  if (key.includes('\\') || parts.some(p => p === '' || p === '.' || p === '..')) throw new InvalidInputError(`Model cache key "${key}" is not a relative path`, { field: 'key' })
  return parts
}

/** Whether OPFS files can be written here: `createWritable` (pages, workers) or a sync access handle (dedicated workers). */
function opfsWritable (): boolean {
  const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle?.prototype
  return proto !== undefined && ('createWritable' in proto || 'createSyncAccessHandle' in proto)
}

/**
 * OPFS when the browser can write files there, the Cache API otherwise (Safari pages before
 * `createWritable`, private windows that refuse OPFS); {@link ModelStoreUnavailableError} when neither.
 */
export async function browserModelStore (): Promise<ModelStore> {
  let opfsFailure: unknown
  if (typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' && opfsWritable()) {
    try {
      return new OpfsModelStore(await navigator.storage.getDirectory())
    } catch (err) {
      opfsFailure = err // e.g. SecurityError in a private window: try the Cache API
    }
  }
  if (typeof caches === 'undefined') throw new ModelStoreUnavailableError(undefined, { cause: opfsFailure })
  return new CacheApiModelStore(await caches.open(CACHE_NAME))
}

/** The part of the sync access handle API this file uses (dedicated workers only). */
interface SyncAccessHandle {
  getSize: () => number
  write: (data: Uint8Array, options: { at: number }) => number
  truncate: (size: number) => void
  flush: () => void
  close: () => void
}

function writeAll (access: SyncAccessHandle, bytes: Uint8Array, at: number): void {
  for (let off = 0; off < bytes.byteLength;) {
    const n = access.write(bytes.subarray(off), { at: at + off })
    if (n <= 0) throw new DOMException('OPFS write made no progress', 'InvalidStateError')
    off += n
  }
}

/**
 * Keys map to nested OPFS directories under one root (`<root>/models/<id>/<file>`). Where files can only
 * be written through `createWritable` (pages), appends after the first go to numbered segment files
 * (`<root>/model-segments/<key>/1`, `2`, …) that `size` and `read` add to the file, because reopening
 * the file with `keepExistingData` copies all of it; `write` (and so `rename`) folds them into one file.
 */
export class OpfsModelStore implements ModelStore {
  private readonly root: FileSystemDirectoryHandle
  constructor (root: FileSystemDirectoryHandle) {
    this.root = root
  }

  private async dirOf (key: string, create: boolean, top = 'models'): Promise<{ dir: FileSystemDirectoryHandle, name: string } | undefined> {
    const parts = [top, ...keyParts(key)]
    const name = parts.pop() as string
    let dir = this.root
    try {
      for (const p of parts) dir = await dir.getDirectoryHandle(p, { create })
    } catch (err) {
      // TypeMismatchError: a file stands where the key needs a directory.
      if (!create && ((err as Error).name === 'NotFoundError' || (err as Error).name === 'TypeMismatchError')) return undefined
      throw err
    }
    return { dir, name }
  }

  private async fileHandle (key: string, create: boolean): Promise<FileSystemFileHandle | undefined> {
    const at = await this.dirOf(key, create)
    if (at === undefined) return undefined
    try {
      return await at.dir.getFileHandle(at.name, { create })
    } catch (err) {
      if ((err as Error).name === 'NotFoundError' || (err as Error).name === 'TypeMismatchError') return undefined
      throw err
    }
  }

  /** The key's segment directory (`<root>/model-segments/<key>/`). */
  private async segmentDir (key: string, create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
    const at = await this.dirOf(key, create, SEGMENTS_DIR)
    if (at === undefined) return undefined
    try {
      return await at.dir.getDirectoryHandle(at.name, { create })
    } catch (err) {
      if (!create && ((err as Error).name === 'NotFoundError' || (err as Error).name === 'TypeMismatchError')) return undefined
      throw err
    }
  }

  /** The key's segment files, in order. */
  private async segments (key: string): Promise<Array<{ index: number, handle: FileSystemFileHandle }>> {
    const dir = await this.segmentDir(key, false)
    if (dir === undefined) return []
    const out: Array<{ index: number, handle: FileSystemFileHandle }> = []
    for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
      if (handle.kind === 'file' && /^[1-9]\d*$/.test(name)) out.push({ index: Number(name), handle: handle as FileSystemFileHandle })
    }
    return out.sort((a, b) => a.index - b.index)
  }

  private async dropSegments (key: string): Promise<void> {
    const at = await this.dirOf(key, false, SEGMENTS_DIR)
    if (at === undefined) return
    try {
      await at.dir.removeEntry(at.name, { recursive: true })
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') throw err
    }
  }

  async has (key: string): Promise<boolean> {
    return (await this.fileHandle(key, false)) !== undefined
  }

  async size (key: string): Promise<number | undefined> {
    const h = await this.fileHandle(key, false)
    if (h === undefined) return undefined
    let total = (await h.getFile()).size
    for (const s of await this.segments(key)) total += (await s.handle.getFile()).size
    return total
  }

  async read (key: string): Promise<Uint8Array> {
    const h = await this.fileHandle(key, false)
    if (h === undefined) throw new DOMException(`No cached file ${key}`, 'NotFoundError')
    const segments = await this.segments(key)
    if (segments.length === 0) return new Uint8Array(await (await h.getFile()).arrayBuffer())
    const files = [await h.getFile(), ...await Promise.all(segments.map(async s => await s.handle.getFile()))]
    return new Uint8Array(await new Blob(files).arrayBuffer())
  }

  async append (key: string, bytes: Uint8Array): Promise<void> {
    const existing = await this.fileHandle(key, false)
    if (existing === undefined) {
      await this.dropSegments(key) // left by an interrupted delete
      await this.write(key, bytes)
      return
    }
    const sync = (existing as unknown as { createSyncAccessHandle?: () => Promise<SyncAccessHandle> }).createSyncAccessHandle
    if (typeof sync === 'function') {
      // In place, no copy of what the file already holds (dedicated workers); segments a page left first.
      const segments = await this.segments(key)
      const access = await sync.call(existing)
      try {
        for (const s of segments) writeAll(access, new Uint8Array(await (await s.handle.getFile()).arrayBuffer()), access.getSize())
        writeAll(access, bytes, access.getSize())
        access.flush()
      } finally {
        access.close()
      }
      if (segments.length > 0) await this.dropSegments(key)
      return
    }
    const next = ((await this.segments(key)).at(-1)?.index ?? 0) + 1
    const dir = await this.segmentDir(key, true) as FileSystemDirectoryHandle
    await writeWhole(await dir.getFileHandle(String(next), { create: true }), bytes)
  }

  /**
   * createWritable writes to a swap file that replaces the target on close: atomic for readers. Where
   * only sync access handles exist (Safari workers), the file is truncated and rewritten in place.
   */
  async write (key: string, bytes: Uint8Array): Promise<void> {
    const h = await this.fileHandle(key, true) as FileSystemFileHandle
    await writeWhole(h, bytes)
    await this.dropSegments(key)
  }

  async delete (key: string): Promise<void> {
    const at = await this.dirOf(key, false)
    if (at !== undefined) {
      try {
        await at.dir.removeEntry(at.name)
      } catch (err) {
        if ((err as Error).name !== 'NotFoundError') throw err
      }
    }
    await this.dropSegments(key)
  }

  async rename (from: string, to: string): Promise<void> {
    // FileSystemHandle.move() is not in every browser; write-then-delete keeps `to` whole (write is atomic).
    await this.write(to, await this.read(from))
    await this.delete(from)
  }

  async list (): Promise<string[]> {
    const out: string[] = []
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const [name, handle] of (dir as unknown as AsyncIterable<[string, FileSystemHandle]>)) {
        if (handle.kind === 'file') out.push(prefix + name)
        else await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`)
      }
    }
    const models = await this.dirOf('any-file-name', false) // the parent of a top-level key: <root>/models
    if (models !== undefined) await walk(models.dir, '')
    return out.sort()
  }
}

/** Replaces a file's content: through `createWritable` (atomic on close), else a sync access handle. */
async function writeWhole (h: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  if (typeof (h as Partial<FileSystemFileHandle>).createWritable !== 'function') {
    const access = await (h as unknown as { createSyncAccessHandle: () => Promise<SyncAccessHandle> }).createSyncAccessHandle()
    try {
      access.truncate(0)
      writeAll(access, bytes, 0)
      access.flush()
    } finally {
      access.close()
    }
    return
  }
  const w = await h.createWritable()
  try {
    await w.write(bytes as Uint8Array<ArrayBuffer>)
    await w.close()
  } catch (err) {
    await w.abort().catch(() => {})
    throw err
  }
}

/**
 * Cache API store: a key is one or more segments, `<url>` then `<url>?segment=1`, `?segment=2`, …
 * (one per append), each carrying its length in a header, read back in order.
 */
export class CacheApiModelStore implements ModelStore {
  private readonly cache: Cache
  constructor (cache: Cache) {
    this.cache = cache
  }

  private url (key: string): string {
    return CACHE_ORIGIN + keyParts(key).map(encodeURIComponent).join('/')
  }

  /** The key's segments in order (the first has no query). */
  private async segments (key: string): Promise<Request[]> {
    const requests = await this.cache.keys(this.url(key), { ignoreSearch: true })
    const index = (r: Request): number => Number(new URL(r.url).searchParams.get(SEGMENT_PARAM) ?? 0)
    return [...requests].sort((a, b) => index(a) - index(b))
  }

  private async put (url: string, bytes: Uint8Array): Promise<void> {
    await this.cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { [SIZE_HEADER]: String(bytes.byteLength) } }))
  }

  async has (key: string): Promise<boolean> {
    return (await this.cache.match(this.url(key))) !== undefined
  }

  async size (key: string): Promise<number | undefined> {
    const segments = await this.segments(key)
    if (segments.length === 0) return undefined
    let total = 0
    for (const s of segments) {
      const r = await this.cache.match(s)
      if (r === undefined) continue
      const n = Number(r.headers.get(SIZE_HEADER) ?? Number.NaN)
      if (Number.isInteger(n)) {
        total += n
        await r.body?.cancel()
      } else {
        total += (await r.arrayBuffer()).byteLength // written without the header
      }
    }
    return total
  }

  async read (key: string): Promise<Uint8Array> {
    const segments = await this.segments(key)
    const parts: Uint8Array[] = []
    for (const s of segments) {
      const r = await this.cache.match(s)
      if (r !== undefined) parts.push(new Uint8Array(await r.arrayBuffer()))
    }
    if (parts.length === 0) throw new DOMException(`No cached file ${key}`, 'NotFoundError')
    return parts.length === 1 ? parts[0]! : concatBytes(parts)
  }

  /** Adds one segment: what the key already holds is not read or rewritten. */
  async append (key: string, bytes: Uint8Array): Promise<void> {
    const segments = await this.segments(key)
    const last = segments.at(-1)
    const next = last === undefined ? 0 : Number(new URL(last.url).searchParams.get(SEGMENT_PARAM) ?? 0) + 1
    await this.put(next === 0 ? this.url(key) : `${this.url(key)}?${SEGMENT_PARAM}=${next}`, bytes)
  }

  async write (key: string, bytes: Uint8Array): Promise<void> {
    const stale = (await this.segments(key)).filter(r => new URL(r.url).search !== '')
    for (const r of stale) await this.cache.delete(r)
    await this.put(this.url(key), bytes)
  }

  async delete (key: string): Promise<void> {
    await this.cache.delete(this.url(key), { ignoreSearch: true })
  }

  async rename (from: string, to: string): Promise<void> {
    await this.write(to, await this.read(from))
    await this.delete(from)
  }

  async list (): Promise<string[]> {
    const requests = await this.cache.keys()
    return requests
      .filter(r => r.url.startsWith(CACHE_ORIGIN) && new URL(r.url).search === '')
      .map(r => r.url.slice(CACHE_ORIGIN.length).split('/').map(decodeURIComponent).join('/'))
      .sort()
  }
}

/** `readPackageFile` for the browser: package files served by the app under `baseUrl` (`<base>/<pkg>/<path>`). */
export function servedPackageFileReader (baseUrl: string, fetchFn: FetchLike = (url, init) => fetch(url, init)): ReadPackageFile {
  return async (pkg, path, options) => {
    const url = `${baseUrl.replace(/\/$/, '')}/${pkg}/${path}`
    const response = await fetchFn(url, { headers: {}, signal: options?.signal })
    if (!response.ok) throw new DOMException(`GET ${url}: HTTP ${response.status}`, 'NotFoundError')
    return new Uint8Array(await response.arrayBuffer())
  }
}
