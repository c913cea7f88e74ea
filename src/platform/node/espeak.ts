// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node wiring of the eSpeak NG speech stage. The WASM goes through the model registry: the bytes that
 * `loadModel` returns for `models/espeak-ng/manifest.json` (package source `espeak-ng`, sha256
 * verified; cache folder `defaultModelCacheDir()`) are the bytes compiled, so a tampered file is
 * refused before it runs. Works the same inside a worker thread.
 */
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import createESpeakNg from 'espeak-ng'
import { loadModel } from '../../core/ai/model-loader.ts'
import { parseModelManifest } from '../../core/ai/manifest.ts'
import { EspeakSpeechStage } from '../../core/lane0/speech-espeak.ts'
import { FsModelStore, defaultModelCacheDir, nodePackageFileReader } from './model-cache.ts'
import type { ModelManifest } from '../../core/ai/manifest.ts'
import type { ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { EspeakSpeechComponents, EspeakSpeechInit } from '../../core/lane0/speech-espeak.ts'
import type { AbortOptions } from '../../core/options.ts'

/** The registry manifest of the eSpeak NG WASM. */
export const ESPEAK_MANIFEST_URL = new URL('../../../models/espeak-ng/manifest.json', import.meta.url)
/** The manifest's file entry that is compiled. */
export const ESPEAK_WASM_FILE = 'espeak-ng.wasm'

/** Thrown when the manifest does not list {@link ESPEAK_WASM_FILE}. */
export class EspeakModelError extends Error {
  static override name = 'EspeakModelError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'EspeakModelError'
  }
}

/** Reads and validates `models/espeak-ng/manifest.json`. */
export async function readEspeakManifest (options: AbortOptions = {}): Promise<ModelManifest> {
  return parseModelManifest(JSON.parse(await readFile(ESPEAK_MANIFEST_URL, { encoding: 'utf8', signal: options.signal })))
}

/** Where {@link nodeEspeakComponents} gets the model from; every field has a default. */
export interface NodeEspeakModelInit {
  /** @default models/espeak-ng/manifest.json */
  manifest?: ModelManifest
  /** @default an FsModelStore on defaultModelCacheDir() */
  store?: ModelStore
  /** @default nodePackageFileReader() resolving from this file (the project's node_modules) */
  readPackageFile?: ReadPackageFile
}

/** Components whose `compileWasm` compiles the verified bytes `loadModel` returns (offline: nothing is fetched). */
export function nodeEspeakComponents (init: NodeEspeakModelInit = {}): EspeakSpeechComponents {
  return {
    createModule: createESpeakNg,
    async compileWasm (options: AbortOptions = {}): Promise<WebAssembly.Module> {
      const manifest = init.manifest ?? await readEspeakManifest(options)
      const model = await loadModel(manifest, {
        store: init.store ?? new FsModelStore(defaultModelCacheDir()),
        readPackageFile: init.readPackageFile ?? nodePackageFileReader(dirname(fileURLToPath(import.meta.url))),
        offline: true,
        signal: options.signal
      })
      const wasm = model.files.get(ESPEAK_WASM_FILE)
      if (wasm == null) throw new EspeakModelError(`Model ${manifest.id} has no file ${ESPEAK_WASM_FILE}`)
      return await WebAssembly.compile(wasm.bytes as Uint8Array<ArrayBuffer>)
    }
  }
}

/** The speech stage for Node, its WASM loaded through the model registry. */
export function nodeEspeakSpeech (init: EspeakSpeechInit & NodeEspeakModelInit = {}): EspeakSpeechStage {
  return new EspeakSpeechStage(nodeEspeakComponents(init), init)
}
