// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser (page or worker) wiring of the LivePortrait animation stage (src/core/lane0/animation-liveportrait.ts),
 * the twin of `nodeAnimationStage` in src/platform/node/production-stages.ts: onnxruntime-web sessions
 * ({@link browserSessionFactory}) and the model files through the registry (`loadModel`: download,
 * sha256 verified, cached by {@link browserModelStore}). Run by the generation panel's animation worker
 * (workers/lane0-stage.worker.ts) when a recipe pins LivePortrait; tested in Chromium by e2e/generate.spec.ts.
 */
import { loadModel } from '../../core/ai/model-loader.ts'
import type { FetchLike, LoadModelOptions, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { SessionFactory } from '../../core/ai/inference.ts'
import { LivePortraitAnimationStage } from '../../core/lane0/animation-liveportrait.ts'
import type { LivePortraitInit } from '../../core/lane0/animation-liveportrait.ts'
import type { ModelFilesProvider } from '../../core/lane0/stage-plan.ts'
import { browserModelStore } from './model-cache.ts'
import { browserSessionFactory } from './onnx-session.ts'
import type { BrowserSessionInit } from './onnx-session.ts'

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

/** Where the browser LivePortrait stage gets its parts; `manifest` and `wasmPaths` are required. */
export interface BrowserLivePortraitInit extends Omit<LivePortraitInit, 'executionProvider'>, BrowserModelFilesInit {
  /** URL prefix (or file URLs) of the onnxruntime-web `dist` files, as for {@link browserSessionFactory}. */
  wasmPaths: BrowserSessionInit['wasmPaths']
  /** WASM threads when cross-origin isolated. @default as {@link browserSessionFactory} */
  numThreads?: number
  /**
   * The one execution provider the three sessions run on (LivePortrait asks for one, no fallback).
   * @default 'wasm' (the CPU kernels, available everywhere onnxruntime-web runs)
   */
  executionProvider?: 'wasm' | 'webgpu'
  /** @default browserSessionFactory({ wasmPaths, numThreads }) */
  createSession?: SessionFactory
}

/** The LivePortrait animation stage for the browser. */
export function browserLivePortraitAnimation (init: BrowserLivePortraitInit): LivePortraitAnimationStage {
  return new LivePortraitAnimationStage({
    createSession: init.createSession ?? browserSessionFactory({ wasmPaths: init.wasmPaths, numThreads: init.numThreads }),
    loadModel: browserModelFiles(init)
  }, { ...init, executionProvider: init.executionProvider ?? 'wasm' })
}
