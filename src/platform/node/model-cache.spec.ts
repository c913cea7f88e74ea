// SPDX-License-Identifier: GPL-3.0-or-later
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../core/errors.ts'
import { FsModelStore, defaultModelCacheDir, nodePackageFileReader, packageRoot } from './model-cache.ts'

describe('FsModelStore', () => {
  let dir: string
  let store: FsModelStore
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nsn-store-'))
    store = new FsModelStore(dir)
  })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('should append, rename, list, size and delete keys', async () => {
    expect(await store.size('m/a.bin.part')).toBeUndefined()
    await store.append('m/a.bin.part', new Uint8Array([1, 2]))
    await store.append('m/a.bin.part', new Uint8Array([3]))
    expect(await store.size('m/a.bin.part')).toBe(3)
    await store.rename('m/a.bin.part', 'm/a.bin')
    expect(await store.has('m/a.bin.part')).toBe(false)
    expect(await store.read('m/a.bin')).toEqual(new Uint8Array([1, 2, 3]))
    await store.write('n/deep/b.bin', new Uint8Array([9]))
    expect(await store.list()).toEqual(['m/a.bin', 'n/deep/b.bin'])
    await store.delete('m/a.bin')
    await store.delete('m/a.bin')
    expect(await store.list()).toEqual(['n/deep/b.bin'])
  })

  it('should refuse keys that escape the cache folder', async () => {
    for (const key of ['../x', 'a/../../x', '/etc/passwd', '']) {
      await expect(store.write(key, new Uint8Array(1))).rejects.toMatchObject({ name: InvalidInputError.name })
    }
  })

  it('should list nothing for a cache folder that does not exist yet', async () => {
    expect(await new FsModelStore(join(dir, 'missing')).list()).toEqual([])
  })
})

describe('Node model cache helpers', () => {
  it('should default to XDG_CACHE_HOME/nsn/models, else .nsn/models', () => {
    expect(defaultModelCacheDir({ XDG_CACHE_HOME: '/c' }, '/w')).toBe('/c/nsn/models')
    expect(defaultModelCacheDir({}, '/w')).toBe('/w/.nsn/models')
  })

  it('should find package roots behind exports maps and refuse paths leaving the package', async () => {
    expect(packageRoot('@vladmandic/human')).toMatch(/node_modules\/@vladmandic\/human$/)
    const read = nodePackageFileReader()
    expect((await read('espeak-ng', 'package.json')).byteLength).toBeGreaterThan(0)
    await expect(read('espeak-ng', '../zod/package.json')).rejects.toMatchObject({ name: InvalidInputError.name })
  })
})
