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
import type { SessionFactory } from '../../core/ai/inference.ts'
import { espeakPhonemizer } from '../../core/lane0/espeak-ipa.ts'
import { KokoroSpeechStage } from '../../core/lane0/speech-kokoro.ts'
import type { KokoroPhonemizer, KokoroSpeechComponents, KokoroSpeechInit } from '../../core/lane0/speech-kokoro.ts'
import { browserEspeakComponents } from './espeak.ts'
import { browserModelFiles } from './model-files.ts'
import type { BrowserModelFilesInit } from './model-files.ts'
import { browserSessionFactory } from './onnx-session.ts'
import type { BrowserSessionInit } from './onnx-session.ts'

/** Where the browser Kokoro stage gets its parts; everything but `manifest` and `wasmPaths` has a default. */
export interface BrowserKokoroInit extends KokoroSpeechInit, BrowserModelFilesInit {
  /** URL prefix (or file URLs) of the onnxruntime-web `dist` files, as for {@link browserSessionFactory}. */
  wasmPaths: BrowserSessionInit['wasmPaths']
  /** WASM threads when cross-origin isolated. @default as {@link browserSessionFactory} */
  numThreads?: number
  /** @default browserSessionFactory({ wasmPaths, numThreads }) (onnxruntime-web; webgpu then wasm where WebGPU exists) */
  createSession?: SessionFactory
  /** URL of `espeak-ng.wasm` for the default G2P. @default defaultEspeakWasmUrl() (needs a bundler that keeps `import.meta.url`) */
  espeakWasmUrl?: string
  /** @default the eSpeak NG IPA phonemizer on browserEspeakComponents(espeakWasmUrl) */
  phonemize?: KokoroPhonemizer
}

/** Components whose `loadModel` is the registry's `loadModel` on the init's store (default: the browser model store) and fetch. */
export function browserKokoroComponents (init: Omit<BrowserKokoroInit, keyof KokoroSpeechInit>): KokoroSpeechComponents {
  return {
    createSession: init.createSession ?? browserSessionFactory({ wasmPaths: init.wasmPaths, numThreads: init.numThreads }),
    phonemize: init.phonemize ?? espeakPhonemizer(browserEspeakComponents(init.espeakWasmUrl)),
    loadModel: browserModelFiles(init)
  }
}

/** The Kokoro speech stage for the browser. */
export function browserKokoroSpeech (init: BrowserKokoroInit): KokoroSpeechStage {
  return new KokoroSpeechStage(browserKokoroComponents(init), init)
}
