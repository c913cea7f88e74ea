// SPDX-License-Identifier: GPL-3.0-or-later
// Types for the parts of the untyped `@met4citizen/headaudio` (MIT) that src/core/lane0/visemes.ts uses:
// its AudioWorklet-free processor and the model record decoder.
declare module '@met4citizen/headaudio/modules/processor.mjs' {
  export interface HeadAudioMessage {
    event: string
    /** Viseme index 0..14 (`viseme` events). */
    viseme?: number | null
    /** Seconds: the centre of the analysis window for `viseme` events. */
    t?: number
    /** Seconds: the analysis window's length. */
    d?: number
  }
  export class Processor {
    constructor (options: { sampleRate: number, processorOptions?: object, parameterData?: object },
      worklet: { port: { onmessage: null, postMessage(message: HeadAudioMessage): void } })
    _onmessage (message: { data: { event: string, model?: unknown[] } }): void
    process (data: Float32Array): void
  }
}

declare module '@met4citizen/headaudio/modules/training.mjs' {
  export class Training {
    decodeBinaryRecord (record: Float32Array): { phoneme: string, group: number, viseme: number }
  }
}

declare module '@met4citizen/headaudio/modules/parameters.mjs' {
  export const RECORD_LEN: number
  export const RECORD_OFFSET: number
  export const AUDIO_SAMPLE_RATE: number
  export const MFCC_SAMPLES_HOP: number
  export const MODEL_VISEMES_N: number
  export const MODEL_VISEME_SIL: number
}
