// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The contract every Lane-0 pipeline stage implements (speech, keyframe, animation, encode), whatever
 * runs it: the offline default or a production model, in-thread or behind a worker (`src/core/rpc`).
 * The scheduler loads and unloads stages to stay inside a memory budget, so a stage must release
 * everything it holds in `unload()` and say how much it needs before `load()`.
 */
import type { AbortOptions } from '../options.ts'

/** Progress of a long call: `fraction` in [0, 1]. */
export interface StageProgress {
  fraction: number
  message?: string
}

/** Options of {@link Stage.run}. */
export interface StageRunOptions extends AbortOptions {
  onProgress?(progress: StageProgress): void
}

/** What a stage is, for the UI and README ("say which stages are neural"). */
export interface StageInfo {
  /** `speech`, `keyframe`, `animation` or `encode`. */
  kind: 'speech' | 'keyframe' | 'animation' | 'encode'
  /** Implementation id, e.g. `espeak-ng`, `procedural-portrait`, `kokoro-82m`. */
  id: string
  /** True when a neural network produces the output; false for rule-based or procedural code. */
  neural: boolean
  /** One line for the UI, e.g. "formant speech synthesis (eSpeak NG), not neural". */
  description: string
}

/** One pipeline stage. */
export interface Stage<Input, Output> {
  readonly info: StageInfo
  /** Bytes this stage needs while loaded (model weights, GPU buffers, working memory), an estimate. */
  memoryEstimateBytes(): number
  /** Loads models and allocates resources; idempotent. */
  load(options?: AbortOptions): Promise<void>
  /** Runs the stage on one input; rejects with `AbortError` when aborted. */
  run(input: Input, options?: StageRunOptions): Promise<Output>
  /** Releases everything `load` took; idempotent. */
  unload(): Promise<void>
}

/** Mono PCM speech. */
export interface SpeechOutput {
  sampleRate: number
  /** Samples in [-1, 1]. */
  pcm: Float32Array
  /** Phoneme or word timing when the engine reports it (seconds from the start). */
  marks?: Array<{ text: string, startSec: number, endSec: number }>
}

/** An RGBA image, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  width: number
  height: number
  data: Uint8ClampedArray
}
