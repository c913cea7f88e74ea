// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser side of the model cache: a `ModelStore` over OPFS (`navigator.storage.getDirectory()`) when
 * available, else over the Cache API; and `readPackageFile` from package files the app serves.
 * Not covered by Node tests (no OPFS/Cache API there); browser testing is left for a Playwright test.
 */
import type { FetchLike, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'

const CACHE_NAME = 'nsn-models'
const CACHE_ORIGIN = 'https://nsn-model-cache.invalid/'

/** OPFS when the browser has it, the Cache API otherwise. */
export async function browserModelStore (): Promise<ModelStore> {
  if (typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function') {
    return new OpfsModelStore(await navigator.storage.getDirectory())
  }
  return new CacheApiModelStore(await caches.open(CACHE_NAME))
}

/** Keys map to nested OPFS directories under one root (`<root>/models/<id>/<file>`). */
export class OpfsModelStore implements ModelStore {
  private readonly root: FileSystemDirectoryHandle
  constructor (root: FileSystemDirectoryHandle) {
    this.root = root
  }

  private async dirOf (key: string, create: boolean): Promise<{ dir: FileSystemDirectoryHandle, name: string } | undefined> {
    const parts = ['models', ...key.split('/')]
    const name = parts.pop() as string
    let dir = this.root
    try {
      for (const p of parts) dir = await dir.getDirectoryHandle(p, { create })
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
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

  async has (key: string): Promise<boolean> {
    return (await this.fileHandle(key, false)) !== undefined
  }

  async size (key: string): Promise<number | undefined> {
    const h = await this.fileHandle(key, false)
    return h === undefined ? undefined : (await h.getFile()).size
  }

  async read (key: string): Promise<Uint8Array> {
    const h = await this.fileHandle(key, false)
    if (h === undefined) throw new DOMException(`No cached file ${key}`, 'NotFoundError')
    return new Uint8Array(await (await h.getFile()).arrayBuffer())
  }

  async append (key: string, bytes: Uint8Array): Promise<void> {
    const h = await this.fileHandle(key, true) as FileSystemFileHandle
    const size = (await h.getFile()).size
    const w = await h.createWritable({ keepExistingData: true })
    await w.write({ type: 'write', position: size, data: bytes as Uint8Array<ArrayBuffer> })
    await w.close()
  }

  /** createWritable writes to a swap file that replaces the target on close: atomic for readers. */
  async write (key: string, bytes: Uint8Array): Promise<void> {
    const h = await this.fileHandle(key, true) as FileSystemFileHandle
    const w = await h.createWritable()
    await w.write(bytes as Uint8Array<ArrayBuffer>)
    await w.close()
  }

  async delete (key: string): Promise<void> {
    const at = await this.dirOf(key, false)
    if (at === undefined) return
    try {
      await at.dir.removeEntry(at.name)
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError') throw err
    }
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

/** Cache API fallback: one Response per key; append rewrites the entry (fine for resume-sized chunks). */
export class CacheApiModelStore implements ModelStore {
  private readonly cache: Cache
  constructor (cache: Cache) {
    this.cache = cache
  }

  private url (key: string): string {
    return CACHE_ORIGIN + key.split('/').map(encodeURIComponent).join('/')
  }

  async has (key: string): Promise<boolean> {
    return (await this.cache.match(this.url(key))) !== undefined
  }

  async size (key: string): Promise<number | undefined> {
    const r = await this.cache.match(this.url(key))
    return r === undefined ? undefined : (await r.arrayBuffer()).byteLength
  }

  async read (key: string): Promise<Uint8Array> {
    const r = await this.cache.match(this.url(key))
    if (r === undefined) throw new DOMException(`No cached file ${key}`, 'NotFoundError')
    return new Uint8Array(await r.arrayBuffer())
  }

  async append (key: string, bytes: Uint8Array): Promise<void> {
    const old = await this.has(key) ? await this.read(key) : new Uint8Array(0)
    const next = new Uint8Array(old.byteLength + bytes.byteLength)
    next.set(old)
    next.set(bytes, old.byteLength)
    await this.write(key, next)
  }

  async write (key: string, bytes: Uint8Array): Promise<void> {
    await this.cache.put(this.url(key), new Response(bytes as Uint8Array<ArrayBuffer>))
  }

  async delete (key: string): Promise<void> {
    await this.cache.delete(this.url(key))
  }

  async rename (from: string, to: string): Promise<void> {
    await this.write(to, await this.read(from))
    await this.delete(from)
  }

  async list (): Promise<string[]> {
    const requests = await this.cache.keys()
    return requests.map((r) => r.url.slice(CACHE_ORIGIN.length).split('/').map(decodeURIComponent).join('/')).sort()
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
