// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node wiring of the eSpeak NG IPA phonemizer (the G2P of the Kokoro speech stage): the platform-free
 * phonemizer of src/core/lane0/espeak-ipa.ts on the WASM bytes that `loadModel` verified for
 * models/espeak-ng/manifest.json ({@link nodeEspeakComponents}). The browser twin is in
 * src/platform/browser/kokoro.ts.
 */
import { espeakPhonemizer } from '../../core/lane0/espeak-ipa.ts'
import type { EspeakPhonemizer } from '../../core/lane0/espeak-ipa.ts'
import { nodeEspeakComponents } from './espeak.ts'
import type { NodeEspeakModelInit } from './espeak.ts'

export { PhonemizeError, espeakPhonemizer } from '../../core/lane0/espeak-ipa.ts'
export type { EspeakPhonemizer, EspeakPhonemizerComponents } from '../../core/lane0/espeak-ipa.ts'

/** The Node phonemizer on the registry-verified eSpeak NG WASM (`init` as for the eSpeak speech stage). */
export function nodeEspeakPhonemizer (init: NodeEspeakModelInit = {}): EspeakPhonemizer {
  return espeakPhonemizer(nodeEspeakComponents(init))
}
