// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The registry's `loadModel` bound to a browser model store and fetch: the `loadModel` component of the
 * browser's neural stages (src/platform/browser/kokoro.ts, liveportrait.ts).
 */
import { loadModel } from '../../core/ai/model-loader.ts'
import type { FetchLike, LoadModelOptions, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { ModelFilesProvider } from '../../core/lane0/stage-plan.ts'
import { browserModelStore } from './model-cache.ts'

/** Where the browser model files come from; everything has a default. */
export interface BrowserModelFilesInit {
  /** @default browserModelStore() (OPFS where writable, else the Cache API), opened on first load */
  store?: ModelStore
  /** @default the global fetch */
  fetch?: FetchLike
  /** For manifest files with a package source. @default none: such files fail to load */
  readPackageFile?: ReadPackageFile
  /** Never download: every file must already be cached. @default false */
  offline?: boolean
  /** Download and verification progress of the model files. */
  onModelProgress?: LoadModelOptions['onProgress']
}

const globalFetch: FetchLike = async (url, init) => await fetch(url, init)

/** `loadModel` on the init's store (default {@link browserModelStore}, opened on the first load and reopened after a failure) and fetch. */
export function browserModelFiles (init: BrowserModelFilesInit = {}): ModelFilesProvider {
  let store: Promise<ModelStore> | undefined
  const openStore = async (): Promise<ModelStore> => {
    store ??= init.store !== undefined ? Promise.resolve(init.store) : browserModelStore()
    try {
      return await store
    } catch (err) {
      store = undefined
      throw err
    }
  }
  return async (manifest, options) => await loadModel(manifest, {
    store: await openStore(),
    fetch: init.fetch ?? globalFetch,
    readPackageFile: init.readPackageFile,
    offline: init.offline ?? false,
    onProgress: init.onModelProgress,
    signal: options.signal
  })
}
