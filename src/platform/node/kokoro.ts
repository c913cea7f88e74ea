// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node wiring of the Kokoro-82M speech stage: onnxruntime-node sessions, the model files through the
 * registry (`loadModel`: download with resume, sha256 verified, cached by `FsModelStore`) and eSpeak NG
 * (WASM) as the G2P. The manifest is the caller's: no models/kokoro-82m/manifest.json is shipped until
 * real hashes are recorded (models/kokoro-82m/README.md).
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadModel } from '../../core/ai/model-loader.ts'
import type { FetchLike, LoadModelOptions, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { SessionFactory } from '../../core/ai/inference.ts'
import { KokoroSpeechStage } from '../../core/lane0/speech-kokoro.ts'
import type { KokoroPhonemizer, KokoroSpeechComponents, KokoroSpeechInit } from '../../core/lane0/speech-kokoro.ts'
import { nodeEspeakPhonemizer } from './espeak-phonemize.ts'
import { FsModelStore, defaultModelCacheDir, nodePackageFileReader } from './model-cache.ts'
import { nodeSessionFactory } from './onnx-session.ts'

/** Where the Node Kokoro stage gets its parts; everything but `manifest` has a default. */
export interface NodeKokoroInit extends KokoroSpeechInit {
  /** @default an FsModelStore on defaultModelCacheDir() */
  store?: ModelStore
  /** @default the global fetch */
  fetch?: FetchLike
  /** For files with a package source. @default nodePackageFileReader() resolving from this file (the project's node_modules) */
  readPackageFile?: ReadPackageFile
  /** Never download: every file must already be cached. @default false */
  offline?: boolean
  /** Download and verification progress of the model files. */
  onModelProgress?: LoadModelOptions['onProgress']
  /** @default nodeSessionFactory (onnxruntime-node, CPU) */
  createSession?: SessionFactory
  /** @default nodeEspeakPhonemizer() (eSpeak NG WASM from models/espeak-ng) */
  phonemize?: KokoroPhonemizer
}

const globalFetch: FetchLike = async (url, init) => await fetch(url, init)

/** Components whose `loadModel` is the registry's `loadModel` on the init's store, fetch and package reader. */
export function nodeKokoroComponents (init: Omit<NodeKokoroInit, keyof KokoroSpeechInit>): KokoroSpeechComponents {
  const store = init.store ?? new FsModelStore(defaultModelCacheDir())
  return {
    createSession: init.createSession ?? nodeSessionFactory,
    phonemize: init.phonemize ?? nodeEspeakPhonemizer(),
    loadModel: async (manifest, options) => await loadModel(manifest, {
      store,
      fetch: init.fetch ?? globalFetch,
      readPackageFile: init.readPackageFile ?? nodePackageFileReader(dirname(fileURLToPath(import.meta.url))),
      offline: init.offline ?? false,
      onProgress: init.onModelProgress,
      signal: options.signal
    })
  }
}

/** The Kokoro speech stage for Node. */
export function nodeKokoroSpeech (init: NodeKokoroInit): KokoroSpeechStage {
  return new KokoroSpeechStage(nodeKokoroComponents(init), init)
}
