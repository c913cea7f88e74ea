// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser (page or worker) wiring of the Kokoro-82M speech stage, the twin of src/platform/node/kokoro.ts:
 * onnxruntime-web sessions ({@link browserSessionFactory}), the model files through the registry
 * (`loadModel`: download with resume, sha256 verified, cached by {@link browserModelStore}, OPFS or the
 * Cache API) and eSpeak NG (WASM, fetched from a served URL by {@link browserEspeakComponents}) as the
 * G2P through the platform-free IPA phonemizer of src/core/lane0/espeak-ipa.ts. Tested in Debian
 * Chromium against the Node stage by e2e/kokoro-web.spec.ts.
 *
 * The eSpeak NG WASM is compiled from the served URL as the browser eSpeak speech stage does (it is
 * not a manifest file here); the Kokoro files are the manifest's, and the manifest is the caller's.
 */
import { loadModel } from '../../core/ai/model-loader.ts'
import type { FetchLike, LoadModelOptions, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { SessionFactory } from '../../core/ai/inference.ts'
import { espeakPhonemizer } from '../../core/lane0/espeak-ipa.ts'
import { KokoroSpeechStage } from '../../core/lane0/speech-kokoro.ts'
import type { KokoroPhonemizer, KokoroSpeechComponents, KokoroSpeechInit } from '../../core/lane0/speech-kokoro.ts'
import { browserEspeakComponents } from './espeak.ts'
import { browserModelStore } from './model-cache.ts'
import { browserSessionFactory } from './onnx-session.ts'
import type { BrowserSessionInit } from './onnx-session.ts'

/** Where the browser Kokoro stage gets its parts; everything but `manifest` and `wasmPaths` has a default. */
export interface BrowserKokoroInit extends KokoroSpeechInit {
  /** URL prefix (or file URLs) of the onnxruntime-web `dist` files, as for {@link browserSessionFactory}. */
  wasmPaths: BrowserSessionInit['wasmPaths']
  /** WASM threads when cross-origin isolated. @default as {@link browserSessionFactory} */
  numThreads?: number
  /** @default browserModelStore() (OPFS where writable, else the Cache API), opened on first load */
  store?: ModelStore
  /** @default the global fetch */
  fetch?: FetchLike
  /** For manifest files with a package source (e.g. `servedPackageFileReader`). @default none: such files fail to load */
  readPackageFile?: ReadPackageFile
  /** Never download: every file must already be cached. @default false */
  offline?: boolean
  /** Download and verification progress of the model files. */
  onModelProgress?: LoadModelOptions['onProgress']
  /** @default browserSessionFactory({ wasmPaths, numThreads }) (onnxruntime-web; webgpu then wasm where WebGPU exists) */
  createSession?: SessionFactory
  /** URL of `espeak-ng.wasm` for the default G2P. @default defaultEspeakWasmUrl() (needs a bundler that keeps `import.meta.url`) */
  espeakWasmUrl?: string
  /** @default the eSpeak NG IPA phonemizer on browserEspeakComponents(espeakWasmUrl) */
  phonemize?: KokoroPhonemizer
}

const globalFetch: FetchLike = async (url, init) => await fetch(url, init)

/** Components whose `loadModel` is the registry's `loadModel` on the init's store (default {@link browserModelStore}) and fetch. */
export function browserKokoroComponents (init: Omit<BrowserKokoroInit, keyof KokoroSpeechInit>): KokoroSpeechComponents {
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
  return {
    createSession: init.createSession ?? browserSessionFactory({ wasmPaths: init.wasmPaths, numThreads: init.numThreads }),
    phonemize: init.phonemize ?? espeakPhonemizer(browserEspeakComponents(init.espeakWasmUrl)),
    loadModel: async (manifest, options) => await loadModel(manifest, {
      store: await openStore(),
      fetch: init.fetch ?? globalFetch,
      readPackageFile: init.readPackageFile,
      offline: init.offline ?? false,
      onProgress: init.onModelProgress,
      signal: options.signal
    })
  }
}

/** The Kokoro speech stage for the browser. */
export function browserKokoroSpeech (init: BrowserKokoroInit): KokoroSpeechStage {
  return new KokoroSpeechStage(browserKokoroComponents(init), init)
}
