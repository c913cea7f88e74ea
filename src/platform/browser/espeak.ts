// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser (page or worker) wiring of the eSpeak NG speech stage: fetches `espeak-ng.wasm` from a served
 * URL and compiles it while it streams. By default the URL is the package file as the bundler emits it
 * (Vite turns `new URL('…', import.meta.url)` into a hashed asset).
 */
import createESpeakNg from 'espeak-ng'
import { EspeakSpeechStage } from '../../core/lane0/speech-espeak.ts'
import type { EspeakSpeechComponents, EspeakSpeechInit } from '../../core/lane0/speech-espeak.ts'
import type { AbortOptions } from '../../core/options.ts'

/** Thrown when the WASM could not be fetched. */
export class EspeakWasmFetchError extends Error {
  static override name = 'EspeakWasmFetchError'
  constructor (url: string, status: number) {
    super(`Fetching ${url} failed with HTTP ${status}`)
    this.name = 'EspeakWasmFetchError'
  }
}

/**
 * The package's .wasm next to this module, as Vite serves it in dev and emits it as an asset in a build.
 * Evaluated lazily: bundles without `import.meta.url` (esbuild IIFE harnesses) pass `wasmUrl` instead.
 */
export function defaultEspeakWasmUrl (): string {
  return new URL('../../../node_modules/espeak-ng/dist/espeak-ng.wasm', import.meta.url).href
}

/** Components fetching the WASM from `wasmUrl` (default {@link defaultEspeakWasmUrl}). */
export function browserEspeakComponents (url?: string): EspeakSpeechComponents {
  return {
    createModule: createESpeakNg,
    async compileWasm (options: AbortOptions = {}): Promise<WebAssembly.Module> {
      const wasmUrl = url ?? defaultEspeakWasmUrl()
      const response = await fetch(wasmUrl, { signal: options.signal })
      if (!response.ok) throw new EspeakWasmFetchError(wasmUrl, response.status)
      if (response.headers.get('content-type')?.startsWith('application/wasm') === true) {
        return await WebAssembly.compileStreaming(response)
      }
      return await WebAssembly.compile(await response.arrayBuffer())
    }
  }
}

/** The speech stage for the browser. */
export function browserEspeakSpeech (init: EspeakSpeechInit & { wasmUrl?: string } = {}): EspeakSpeechStage {
  return new EspeakSpeechStage(browserEspeakComponents(init.wasmUrl), init)
}
