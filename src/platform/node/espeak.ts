// SPDX-License-Identifier: GPL-3.0-or-later
/** Node wiring of the eSpeak NG speech stage: reads `espeak-ng.wasm` from node_modules. */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import createESpeakNg from 'espeak-ng'
import { EspeakSpeechStage } from '../../core/lane0/speech-espeak.ts'
import type { EspeakSpeechComponents, EspeakSpeechInit } from '../../core/lane0/speech-espeak.ts'
import type { AbortOptions } from '../../core/options.ts'

/** Path of the package's `espeak-ng.wasm` (next to its `main`, `dist/espeak-ng.js`). */
export function espeakWasmPath (): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('espeak-ng')), 'espeak-ng.wasm')
}

/** Components reading the WASM from disk; `wasmPath` overrides the node_modules location. */
export function nodeEspeakComponents (wasmPath: string = espeakWasmPath()): EspeakSpeechComponents {
  return {
    createModule: createESpeakNg,
    async compileWasm (options: AbortOptions = {}): Promise<WebAssembly.Module> {
      const bytes = await readFile(wasmPath, { signal: options.signal })
      return await WebAssembly.compile(bytes)
    }
  }
}

/** The speech stage for Node. */
export function nodeEspeakSpeech (init: EspeakSpeechInit & { wasmPath?: string } = {}): EspeakSpeechStage {
  return new EspeakSpeechStage(nodeEspeakComponents(init.wasmPath), init)
}
