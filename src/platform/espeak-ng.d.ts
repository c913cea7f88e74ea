// SPDX-License-Identifier: GPL-3.0-or-later
// Types for the untyped `espeak-ng` npm package (an Emscripten MODULARIZE + EXPORT_ES6 build of the
// espeak-ng CLI). Only what src/platform/{node,browser}/espeak.ts use.
declare module 'espeak-ng' {
  import type { EspeakModuleFactory } from '../core/lane0/speech-espeak.ts'
  const createESpeakNg: EspeakModuleFactory
  export default createESpeakNg
}
