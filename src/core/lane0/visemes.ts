// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Audio-driven visemes with `@met4citizen/headaudio` (MIT): MFCC features every 16 ms classified by
 * Gaussian prototypes (Mahalanobis distance) into the 15 Oculus visemes, from the audio alone (no
 * transcript). Not a neural network. We run its `Processor` directly, without the AudioWorklet, so the
 * same code works in Node, a worker and a page; the 14 KB model's bytes are injected (Node reads
 * `dist/model-en-mixed.bin` from node_modules, the browser fetches it).
 */
import { Processor } from '@met4citizen/headaudio/modules/processor.mjs'
import type { HeadAudioMessage } from '@met4citizen/headaudio/modules/processor.mjs'
import { RECORD_LEN, RECORD_OFFSET } from '@met4citizen/headaudio/modules/parameters.mjs'
import { Training } from '@met4citizen/headaudio/modules/training.mjs'
import { frameCount } from './audio-features.ts'
import type { AudioClip } from './audio-features.ts'

/** Oculus viseme names in HeadAudio's index order (`viseme_aa` … `viseme_sil`). */
export const VISEME_NAMES = ['aa', 'E', 'I', 'O', 'U', 'PP', 'SS', 'TH', 'DD', 'FF', 'kk', 'nn', 'RR', 'CH', 'sil'] as const
export type VisemeName = typeof VISEME_NAMES[number]
const SIL = VISEME_NAMES.length - 1

/** Thrown when the model bytes hold no prototype record. */
export class InvalidVisemeModelError extends Error {
  static override name = 'InvalidVisemeModelError'
  constructor (message = 'The viseme model holds no prototype records') {
    super(message)
    this.name = 'InvalidVisemeModelError'
  }
}

/** A decoded HeadAudio model (Gaussian prototypes), opaque to callers. */
export interface VisemeModel {
  readonly prototypes: readonly unknown[]
}

/** Visemes per video frame. */
export interface VisemeTrack {
  fps: number
  /** The dominant viseme of each frame (`sil` where nothing was classified). */
  visemes: VisemeName[]
  /** `weights[frame * 15 + v]`: the share of the frame's 16 ms analysis hops classified as viseme `v`. */
  weights: Float32Array
}

/** Decodes a HeadAudio `.bin` model (records of 92 float32 values). */
export function parseVisemeModel (bytes: ArrayBuffer): VisemeModel {
  const training = new Training()
  const prototypes: unknown[] = []
  for (let pos = 0; pos + RECORD_OFFSET <= bytes.byteLength; pos += RECORD_OFFSET) {
    // The record decoder reads from a Float32Array view; copy so an unaligned input works too.
    prototypes.push(training.decodeBinaryRecord(new Float32Array(bytes.slice(pos, pos + RECORD_LEN * 4))))
  }
  if (prototypes.length === 0) throw new InvalidVisemeModelError()
  return { prototypes }
}

/** How far each viseme opens the mouth, 0..1 (PP closed, aa widest). */
export const VISEME_OPENNESS: Readonly<Record<VisemeName, number>> = {
  aa: 1, E: 0.7, I: 0.5, O: 0.8, U: 0.45, PP: 0, SS: 0.3, TH: 0.35, DD: 0.35, FF: 0.15, kk: 0.4, nn: 0.35, RR: 0.4, CH: 0.35, sil: 0
}

/**
 * Classifies the speech into visemes and bins them per video frame: `frameCount(durationSec, fps)` frames,
 * each with the viseme shares of the analysis hops whose window centre falls inside the frame.
 * Deterministic (plain float math in JS).
 */
export function visemeTrack (speech: AudioClip, fps: number, durationSec: number, model: VisemeModel): VisemeTrack {
  const frames = frameCount(durationSec, fps)
  const counts = new Float32Array(frames * VISEME_NAMES.length)
  const totals = new Uint32Array(frames)
  const port = {
    onmessage: null,
    postMessage (message: HeadAudioMessage): void {
      if (message.event !== 'viseme' || typeof message.viseme !== 'number' || message.t === undefined) return
      const frame = Math.floor(message.t * fps)
      if (frame < 0 || frame >= frames) return
      counts[frame * VISEME_NAMES.length + message.viseme] = (counts[frame * VISEME_NAMES.length + message.viseme] ?? 0) + 1
      totals[frame] = (totals[frame] ?? 0) + 1
    }
  }
  const processor = new Processor({ sampleRate: speech.sampleRate, processorOptions: {}, parameterData: {} }, { port })
  processor._onmessage({ data: { event: 'model', model: [...model.prototypes] } })
  processor.process(speech.pcm)
  // Flush: half a window of silence so the last hops of speech are classified too.
  processor.process(new Float32Array(Math.ceil(speech.sampleRate * 0.064)))
  const visemes: VisemeName[] = []
  for (let f = 0; f < frames; f++) {
    const total = totals[f] ?? 0
    let best = SIL
    if (total === 0) {
      counts[f * VISEME_NAMES.length + SIL] = 1
    } else {
      let bestCount = 0
      for (let v = 0; v < VISEME_NAMES.length; v++) {
        const share = (counts[f * VISEME_NAMES.length + v] ?? 0) / total
        counts[f * VISEME_NAMES.length + v] = share
        if (share > bestCount) { best = v; bestCount = share }
      }
    }
    visemes.push(VISEME_NAMES[best] ?? 'sil')
  }
  return { fps, visemes, weights: counts }
}

/**
 * The openness factor of frame `frame` (weighted by viseme shares, ignoring `sil`), or undefined when the
 * frame is all `sil` (no information: the caller keeps the energy alone).
 */
export function visemeOpennessAt (track: VisemeTrack, frame: number): number | undefined {
  const n = VISEME_NAMES.length
  const sil = track.weights[frame * n + SIL] ?? 1
  if (sil >= 1) return undefined
  let sum = 0
  for (let v = 0; v < SIL; v++) sum += (track.weights[frame * n + v] ?? 0) * VISEME_OPENNESS[VISEME_NAMES[v] ?? 'sil']
  return sum / (1 - sil)
}
