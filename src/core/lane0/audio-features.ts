// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Audio features that drive the animation stage, frame-synchronous with the video: resampling, a speech
 * energy envelope (RMS per video frame, smoothed, normalized to 0..1), a voice-activity flag and the
 * per-frame mouth opening. Pure TypeScript, no platform code.
 *
 * Frame `i` covers the time window [i / fps, (i + 1) / fps); a clip of `durationSec` has
 * `Math.round(durationSec * fps)` frames (see {@link frameCount}). Audio shorter than the clip is padded
 * with silence, longer audio is cut.
 */

/** Mono PCM; {@link SpeechOutput} satisfies it. */
export interface AudioClip {
  sampleRate: number
  /** Samples in [-1, 1]. */
  pcm: Float32Array
}

/** A timed phoneme (IPA or eSpeak-style symbols), e.g. from a TTS engine that reports phoneme timing. */
export interface PhonemeMark {
  phoneme: string
  startSec: number
  endSec: number
}

/** Thrown for a non-positive or non-finite rate, fps or duration. */
export class InvalidAudioParameterError extends Error {
  static override name = 'InvalidAudioParameterError'
  constructor (message: string) {
    super(message)
    this.name = 'InvalidAudioParameterError'
  }
}

export const FEATURE_SAMPLE_RATE = 16000
/** Frames quieter than this (dBFS RMS) count as silence. */
export const DEFAULT_GATE_DB = -50
/** The envelope's 1.0 is this percentile of the non-silent frames' RMS (robust against clicks). */
export const DEFAULT_REFERENCE_PERCENTILE = 0.95
/** Voice activity starts above this envelope value and ends below {@link DEFAULT_VAD_OFF}. */
export const DEFAULT_VAD_ON = 0.15
export const DEFAULT_VAD_OFF = 0.08
/** Zero crossings on each side of the resampling kernel. */
const SINC_HALF_WIDTH = 16

function checkPositive (name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidAudioParameterError(`${name} must be a positive number, got ${value}`)
}

/** The parts one after the other in one new array (speech chunks or sentences into one clip). */
export function concatPcm (parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** Number of video frames in a clip: `round(durationSec * fps)`. */
export function frameCount (durationSec: number, fps: number): number {
  checkPositive('fps', fps)
  if (!Number.isFinite(durationSec) || durationSec < 0) throw new InvalidAudioParameterError(`durationSec must be ≥ 0, got ${durationSec}`)
  return Math.round(durationSec * fps)
}

/** Steps per zero crossing of the tabulated kernel (linear interpolation between steps). */
const KERNEL_STEPS = 512
let kernelTable: Float32Array | undefined

/** Blackman-windowed sinc on |u| in [0, SINC_HALF_WIDTH], tabulated once. */
function kernel (): Float32Array {
  if (kernelTable !== undefined) return kernelTable
  const table = new Float32Array(SINC_HALF_WIDTH * KERNEL_STEPS + 2)
  for (let i = 0; i < table.length; i++) {
    const u = i / KERNEL_STEPS
    if (u > SINC_HALF_WIDTH) continue
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)
    const x = u / SINC_HALF_WIDTH
    table[i] = sinc * (0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x))
  }
  kernelTable = table
  return table
}

/**
 * Band-limited resampling (windowed sinc, Blackman window, 16 zero crossings). Downsampling low-passes
 * at the new Nyquist frequency, so 22.05 kHz speech becomes 16 kHz without aliasing.
 */
export function resample (pcm: Float32Array, fromRate: number, toRate: number): Float32Array {
  checkPositive('fromRate', fromRate)
  checkPositive('toRate', toRate)
  if (fromRate === toRate) return pcm.slice()
  const table = kernel()
  const ratio = toRate / fromRate
  const outLength = Math.round(pcm.length * ratio)
  const out = new Float32Array(outLength)
  const cutoff = Math.min(1, ratio)
  const reach = SINC_HALF_WIDTH / cutoff
  const scale = cutoff * KERNEL_STEPS
  for (let n = 0; n < outLength; n++) {
    const t = n / ratio
    const first = Math.max(0, Math.ceil(t - reach))
    const last = Math.min(pcm.length - 1, Math.floor(t + reach))
    let sum = 0
    for (let k = first; k <= last; k++) {
      const pos = Math.abs(t - k) * scale
      const i = Math.floor(pos)
      const f = pos - i
      const w = (table[i] ?? 0) * (1 - f) + (table[i + 1] ?? 0) * f
      sum += (pcm[k] ?? 0) * w
    }
    out[n] = sum * cutoff
  }
  return out
}

/** The clip resampled to 16 kHz (what VAD and viseme models expect). */
export function resampleTo16k (clip: AudioClip): Float32Array {
  return resample(clip.pcm, clip.sampleRate, FEATURE_SAMPLE_RATE)
}

/**
 * Resamples a per-frame track (e.g. visemes at a model's hop rate) to another frame rate by linear
 * interpolation at each output frame's centre; the output has `outFrames` values.
 */
export function resampleTrack (track: Float32Array, fromFps: number, toFps: number, outFrames: number): Float32Array {
  checkPositive('fromFps', fromFps)
  checkPositive('toFps', toFps)
  const out = new Float32Array(outFrames)
  if (track.length === 0) return out
  for (let i = 0; i < outFrames; i++) {
    const pos = ((i + 0.5) / toFps) * fromFps - 0.5
    const lo = Math.max(0, Math.min(track.length - 1, Math.floor(pos)))
    const hi = Math.min(track.length - 1, lo + 1)
    const f = Math.max(0, Math.min(1, pos - lo))
    out[i] = (track[lo] ?? 0) * (1 - f) + (track[hi] ?? 0) * f
  }
  return out
}

/** RMS of each video frame's window of samples (0 past the end of the audio). */
export function frameRms (clip: AudioClip, fps: number, durationSec: number): Float32Array {
  checkPositive('sampleRate', clip.sampleRate)
  const frames = frameCount(durationSec, fps)
  const out = new Float32Array(frames)
  for (let i = 0; i < frames; i++) {
    const start = Math.round((i / fps) * clip.sampleRate)
    const end = Math.min(clip.pcm.length, Math.round(((i + 1) / fps) * clip.sampleRate))
    const width = Math.round(((i + 1) / fps) * clip.sampleRate) - start
    let sum = 0
    for (let s = start; s < end; s++) {
      const v = clip.pcm[s] ?? 0
      sum += v * v
    }
    out[i] = width > 0 ? Math.sqrt(sum / width) : 0
  }
  return out
}

export interface EnvelopeOptions {
  /** Frames below this RMS level (dBFS) are silence (0). @default -50 */
  gateDb?: number
  /** Percentile of non-silent frame RMS that maps to 1. @default 0.95 */
  referencePercentile?: number
}

/**
 * The speech energy envelope: per-frame RMS, smoothed over neighbouring frames (kernel ¼ ½ ¼), gated
 * and normalized to 0..1. Silence gives all zeros (no normalization of noise up to 1).
 */
export function energyEnvelope (clip: AudioClip, fps: number, durationSec: number, options: EnvelopeOptions = {}): Float32Array {
  const gate = 10 ** ((options.gateDb ?? DEFAULT_GATE_DB) / 20)
  const rms = frameRms(clip, fps, durationSec)
  const n = rms.length
  const smooth = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const prev = rms[i - 1] ?? rms[i] ?? 0
    const next = rms[i + 1] ?? rms[i] ?? 0
    // The kernel spreads a loud frame into each neighbour by a quarter: onsets may show one frame early.
    smooth[i] = 0.25 * prev + 0.5 * (rms[i] ?? 0) + 0.25 * next
  }
  const voiced = [...smooth].filter(v => v >= gate).sort((a, b) => a - b)
  const out = new Float32Array(n)
  if (voiced.length === 0) return out
  const p = options.referencePercentile ?? DEFAULT_REFERENCE_PERCENTILE
  const reference = voiced[Math.min(voiced.length - 1, Math.floor(p * (voiced.length - 1)))] ?? 1
  for (let i = 0; i < n; i++) {
    const v = smooth[i] ?? 0
    out[i] = v < gate ? 0 : Math.min(1, v / reference)
  }
  return out
}

export interface VoiceActivityOptions extends EnvelopeOptions {
  /** @default 0.15 */
  onThreshold?: number
  /** @default 0.08 */
  offThreshold?: number
}

/** Per-frame voice activity (1 = speech) from the energy envelope, with hysteresis. */
export function voiceActivity (clip: AudioClip, fps: number, durationSec: number, options: VoiceActivityOptions = {}): Uint8Array {
  return voiceActivityFromEnvelope(energyEnvelope(clip, fps, durationSec, options), options)
}

/** {@link voiceActivity} on an envelope already computed. */
export function voiceActivityFromEnvelope (envelope: Float32Array, options: VoiceActivityOptions = {}): Uint8Array {
  const on = options.onThreshold ?? DEFAULT_VAD_ON
  const off = options.offThreshold ?? DEFAULT_VAD_OFF
  const out = new Uint8Array(envelope.length)
  let active = false
  for (let i = 0; i < envelope.length; i++) {
    const v = envelope[i] ?? 0
    active = active ? v >= off : v >= on
    out[i] = active ? 1 : 0
  }
  return out
}

const OPEN_VOWELS = new Set(['a', 'ɑ', 'æ', 'ɒ', 'ɔ', 'ʌ', 'ɐ', 'ä', 'ɶ'])
const MID_VOWELS = new Set(['e', 'ɛ', 'ə', 'ɜ', 'ɞ', 'o', 'ø', 'œ', 'ɤ', 'ɘ', 'ɵ', 'ɚ', 'ɝ', 'ʊ', 'ɪ', 'ʏ'])
const CLOSE_VOWELS = new Set(['i', 'u', 'y', 'ɨ', 'ʉ', 'ɯ', 'w', 'j'])
const BILABIALS = new Set(['m', 'b', 'p', 'ɓ', 'ʙ', 'ɸ', 'β'])
const LABIODENTALS = new Set(['f', 'v', 'ɱ'])

/**
 * How far a phoneme opens the mouth, 0..1: open vowels 1, mid vowels 0.7, close vowels 0.45, bilabials
 * (m, b, p) 0, labiodentals (f, v) 0.15, other consonants 0.35, pauses 0. Judged by the phoneme's first
 * letter after stress and length marks; eSpeak-style ASCII symbols (`a`, `@`, `E`, `O`, `V`) map too.
 */
export function phonemeOpenness (phoneme: string): number {
  const core = phoneme.replace(/[ˈˌːˑ'",%=_:\s]/g, '')
  const c = core[0]
  if (c === undefined) return 0
  if (OPEN_VOWELS.has(c) || c === 'A' || c === 'O' || c === 'V' || c === '&') return 1
  if (MID_VOWELS.has(c) || c === '@' || c === 'E' || c === 'I' || c === 'U' || c === '3') return 0.7
  if (CLOSE_VOWELS.has(c)) return 0.45
  if (BILABIALS.has(c)) return 0
  if (LABIODENTALS.has(c)) return 0.15
  return 0.35
}

export interface MouthOpenOptions extends EnvelopeOptions {
  /** Timed phonemes: when given, each frame's energy is scaled by its phoneme's openness. */
  phonemes?: PhonemeMark[]
  /**
   * Per-frame openness factor from another source, e.g. visemes:
   * `opennessAt: f => visemeOpennessAt(track, f)` (src/core/lane0/visemes.ts). `undefined` keeps the energy.
   */
  opennessAt?(frame: number, timeSec: number): number | undefined
  /** Exponent on the envelope (< 1 opens quieter syllables more). @default 0.8 */
  gamma?: number
}

/**
 * Per-frame mouth opening in [0, 1] for the animation stage: the energy envelope shaped by `gamma`,
 * scaled by phoneme openness where timed phonemes are given (so m/b/p close the mouth even while
 * voiced) and by `opennessAt` where given. Has `frameCount(durationSec, fps)` values; silence is 0.
 */
export function mouthOpenTrack (speech: AudioClip, fps: number, durationSec: number, options: MouthOpenOptions = {}): Float32Array {
  const envelope = energyEnvelope(speech, fps, durationSec, options)
  const gamma = options.gamma ?? 0.8
  const phonemes = [...(options.phonemes ?? [])].sort((a, b) => a.startSec - b.startSec)
  const out = new Float32Array(envelope.length)
  let p = 0
  for (let i = 0; i < envelope.length; i++) {
    let open = (envelope[i] ?? 0) ** gamma
    if (phonemes.length > 0) {
      const t = (i + 0.5) / fps
      while (p < phonemes.length && (phonemes[p]?.endSec ?? 0) <= t) p++
      const mark = phonemes[p]
      if (mark !== undefined && mark.startSec <= t) open *= phonemeOpenness(mark.phoneme)
    }
    const factor = options.opennessAt?.(i, (i + 0.5) / fps)
    if (factor !== undefined) open *= factor
    out[i] = Math.max(0, Math.min(1, open))
  }
  return out
}

/** Pearson correlation of two equally long series (NaN when either is constant). */
export function pearson (a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length)
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) { ma += a[i] ?? 0; mb += b[i] ?? 0 }
  ma /= n
  mb /= n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma
    const db = (b[i] ?? 0) - mb
    sab += da * db
    saa += da * da
    sbb += db * db
  }
  return sab / Math.sqrt(saa * sbb)
}
