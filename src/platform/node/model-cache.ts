// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node side of the model cache: a `ModelStore` over a folder, and `readPackageFile` from node_modules.
 * Only `src/core/ai/model-loader.ts` decides what goes in the cache; this file just stores bytes.
 */
import { appendFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { InvalidInputError } from '../../core/errors.ts'
import type { ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'

/** `$XDG_CACHE_HOME/nsn/models` when XDG_CACHE_HOME is set, else `.nsn/models` under the working directory. */
export function defaultModelCacheDir (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const xdg = env.XDG_CACHE_HOME
  return xdg !== undefined && xdg !== '' ? join(xdg, 'nsn', 'models') : join(cwd, '.nsn', 'models')
}

export class FsModelStore implements ModelStore {
  readonly dir: string
  constructor (dir: string = defaultModelCacheDir()) {
    this.dir = resolve(dir)
  }

  private file (key: string): string {
    const path = resolve(this.dir, key)
    if (key === '' || key.includes('\\') || !path.startsWith(this.dir + sep)) throw new InvalidInputError(`Model cache key "${key}" escapes the cache folder`, { field: 'key' })
    return path
  }

  async has (key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined
  }

  async size (key: string): Promise<number | undefined> {
    try {
      const s = await stat(this.file(key))
      return s.isFile() ? s.size : undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async read (key: string): Promise<Uint8Array> {
    const buf = await readFile(this.file(key))
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  }

  async append (key: string, bytes: Uint8Array): Promise<void> {
    const path = this.file(key)
    await mkdir(dirname(path), { recursive: true })
    await appendFile(path, bytes)
  }

  /** Writes to a temporary sibling and renames it into place, so readers never see a half-written file. */
  async write (key: string, bytes: Uint8Array): Promise<void> {
    const path = this.file(key)
    await mkdir(dirname(path), { recursive: true })
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, path)
  }

  async delete (key: string): Promise<void> {
    await rm(this.file(key), { force: true })
  }

  /** `rename(2)`: atomic within the cache folder's file system. */
  async rename (from: string, to: string): Promise<void> {
    const target = this.file(to)
    await mkdir(dirname(target), { recursive: true })
    await rename(this.file(from), target)
  }

  async list (): Promise<string[]> {
    let entries: string[]
    try {
      entries = await readdir(this.dir, { recursive: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const keys: string[] = []
    for (const entry of entries) {
      const s = await stat(join(this.dir, entry))
      if (s.isFile()) keys.push(relative(this.dir, join(this.dir, entry)).split(sep).join('/'))
    }
    return keys.sort()
  }
}

/**
 * Finds an installed package's root folder: resolves its entry point (or its package.json) from `fromDir`
 * and walks up to the folder whose package.json carries that name (works with `exports` maps that hide
 * package.json).
 */
export function packageRoot (pkg: string, fromDir: string = process.cwd()): string {
  const require = createRequire(join(fromDir, 'noop.js'))
  let entry: string
  try {
    entry = require.resolve(`${pkg}/package.json`)
  } catch {
    entry = require.resolve(pkg)
  }
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir
    if (dirname(dir) === dir) throw new InvalidInputError(`Package ${pkg} has no package.json above ${entry}`, { field: 'package' })
  }
}

/** `readPackageFile` for Node: reads `<path>` inside the installed package (resolved from `fromDir`). */
export function nodePackageFileReader (fromDir: string = process.cwd()): ReadPackageFile {
  return async (pkg, path) => {
    const root = packageRoot(pkg, fromDir)
    const file = resolve(root, path)
    if (!file.startsWith(root + sep)) throw new InvalidInputError(`Path "${path}" escapes package ${pkg}`, { field: 'path' })
    const buf = await readFile(file)
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  }
}
