// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import {
  concatPcm, energyEnvelope, frameCount, frameRms, InvalidAudioParameterError, mouthOpenTrack, pearson, phonemeOpenness,
  resample, resampleTo16k, resampleTrack, voiceActivity
} from './audio-features.ts'
import type { AudioClip } from './audio-features.ts'

const RATE = 22050

function silence (seconds: number, rate = RATE): AudioClip {
  return { sampleRate: rate, pcm: new Float32Array(Math.round(seconds * rate)) }
}

/** A sine burst from `fromSec` to `toSec` inside `seconds` of silence. */
function toneBurst (seconds: number, fromSec: number, toSec: number, hz = 220, amplitude = 0.5, rate = RATE): AudioClip {
  const clip = silence(seconds, rate)
  for (let i = Math.round(fromSec * rate); i < Math.round(toSec * rate); i++) clip.pcm[i] = amplitude * Math.sin(2 * Math.PI * hz * i / rate)
  return clip
}

function sine (hz: number, seconds: number, rate: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate))
  for (let i = 0; i < out.length; i++) out[i] = Math.sin(2 * Math.PI * hz * i / rate)
  return out
}

function rms (x: Float32Array, from = 0, to = x.length): number {
  let s = 0
  for (let i = from; i < to; i++) s += (x[i] ?? 0) ** 2
  return Math.sqrt(s / (to - from))
}

describe('audio-features', () => {
  it('should count round(duration × fps) frames', () => {
    expect(frameCount(8, 24)).toBe(192)
    expect(frameCount(4.02, 24)).toBe(96)
    expect(frameCount(0, 30)).toBe(0)
    expect(() => frameCount(1, 0)).toThrow(expect.objectContaining({ name: InvalidAudioParameterError.name }))
    expect(() => frameCount(-1, 24)).toThrow(expect.objectContaining({ name: InvalidAudioParameterError.name }))
  })

  it('should give every track duration × fps frames, padding short audio and cutting long audio', () => {
    for (const [audioSec, clipSec, fps] of [[2, 3, 24], [3, 2, 25], [1.234, 1.234, 30]] as const) {
      const clip = toneBurst(audioSec, 0, audioSec)
      const n = Math.round(clipSec * fps)
      expect(energyEnvelope(clip, fps, clipSec)).toHaveLength(n)
      expect(voiceActivity(clip, fps, clipSec)).toHaveLength(n)
      expect(mouthOpenTrack(clip, fps, clipSec)).toHaveLength(n)
    }
    // Past the end of a 2 s tone in a 3 s clip the mouth is shut.
    const track = mouthOpenTrack(toneBurst(2, 0, 2), 24, 3)
    expect(Math.max(...track.subarray(50))).toBe(0)
    expect(Math.min(...track.subarray(1, 47))).toBeGreaterThan(0.9)
  })

  it('should map silence to zero everywhere', () => {
    const clip = silence(2)
    expect(Math.max(...energyEnvelope(clip, 24, 2))).toBe(0)
    expect(Math.max(...voiceActivity(clip, 24, 2))).toBe(0)
    expect(Math.max(...mouthOpenTrack(clip, 24, 2))).toBe(0)
  })

  it('should not normalize faint noise up to an open mouth', () => {
    const clip = silence(2)
    let seed = 1
    for (let i = 0; i < clip.pcm.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      clip.pcm[i] = (seed / 2 ** 31 - 0.5) * 0.002 // about -65 dBFS
    }
    expect(Math.max(...mouthOpenTrack(clip, 24, 2))).toBe(0)
  })

  it('should open the mouth during a tone burst and only then (±1 frame)', () => {
    const fps = 24
    // Burst from 1.0 s to 2.0 s: frames 24..47.
    const clip = toneBurst(3, 1, 2)
    const env = energyEnvelope(clip, fps, 3)
    const vad = voiceActivity(clip, fps, 3)
    const mouth = mouthOpenTrack(clip, fps, 3)
    for (let i = 0; i < mouth.length; i++) {
      const inside = i >= 24 && i <= 47
      const neighbour = i === 23 || i === 48
      if (inside) {
        expect(mouth[i], `frame ${i}`).toBeGreaterThan(0.5)
        expect(vad[i], `frame ${i}`).toBe(1)
      } else if (!neighbour) {
        expect(mouth[i], `frame ${i}`).toBe(0)
        expect(env[i], `frame ${i}`).toBe(0)
        expect(vad[i], `frame ${i}`).toBe(0)
      }
    }
    expect(Math.max(...env)).toBe(1)
  })

  it('should follow the loudness of the burst', () => {
    const clip = toneBurst(3, 0.5, 1.5, 220, 0.1)
    const loud = toneBurst(3, 2, 2.5, 220, 0.8)
    for (let i = 0; i < clip.pcm.length; i++) clip.pcm[i] = (clip.pcm[i] ?? 0) + (loud.pcm[i] ?? 0)
    const env = energyEnvelope(clip, 24, 3)
    // Quiet frames ~ 0.1/0.8 of the loud reference.
    expect(env[24]).toBeGreaterThan(0.08)
    expect(env[24]).toBeLessThan(0.2)
    expect(env[54]).toBeGreaterThan(0.95)
  })

  it('should measure the per-frame RMS of a sine as amplitude / √2', () => {
    const r = frameRms(toneBurst(1, 0, 1, 441, 0.5), 25, 1)
    for (const v of r) expect(v).toBeCloseTo(0.5 / Math.SQRT2, 2)
  })

  it('should resample to 16 kHz keeping a tone in the passband', () => {
    const x = sine(1000, 1, RATE)
    const y = resampleTo16k({ sampleRate: RATE, pcm: x })
    expect(y.length).toBe(16000)
    // Compare with an ideal 1 kHz sine at 16 kHz away from the edges.
    const ideal = sine(1000, 1, 16000)
    let err = 0
    for (let i = 200; i < 15800; i++) err = Math.max(err, Math.abs((y[i] ?? 0) - (ideal[i] ?? 0)))
    expect(err).toBeLessThan(0.01)
  })

  it('should suppress a tone above the new Nyquist frequency when downsampling', () => {
    const x = sine(10000, 1, RATE) // above 8 kHz: would alias to 6 kHz without a low-pass
    const y = resample(x, RATE, 16000)
    expect(rms(y, 200, 15800)).toBeLessThan(0.01)
  })

  it('should upsample a tone faithfully', () => {
    const y = resample(sine(300, 0.5, 8000), 8000, 24000)
    const ideal = sine(300, 0.5, 24000)
    let err = 0
    for (let i = 500; i < 11500; i++) err = Math.max(err, Math.abs((y[i] ?? 0) - (ideal[i] ?? 0)))
    expect(err).toBeLessThan(0.01)
  })

  it('should resample a frame track to another fps', () => {
    const ramp = Float32Array.from({ length: 100 }, (_v, i) => i)
    const out = resampleTrack(ramp, 100, 25, 25)
    expect(out).toHaveLength(25)
    // Output frame i's centre is at input position 4i + 1.5.
    expect(out[0]).toBeCloseTo(1.5)
    expect(out[10]).toBeCloseTo(41.5)
    expect(resampleTrack(new Float32Array([0.3]), 10, 24, 5)).toEqual(new Float32Array(5).fill(0.3))
  })

  it('should close the mouth on bilabials and open it on open vowels', () => {
    expect(phonemeOpenness('m')).toBe(0)
    expect(phonemeOpenness('b')).toBe(0)
    expect(phonemeOpenness('p')).toBe(0)
    expect(phonemeOpenness('ˈɑː')).toBe(1)
    expect(phonemeOpenness('a')).toBe(1)
    expect(phonemeOpenness('ə')).toBe(0.7)
    expect(phonemeOpenness('iː')).toBe(0.45)
    expect(phonemeOpenness('_')).toBe(0)
    const clip = toneBurst(1, 0, 1)
    const mouth = mouthOpenTrack(clip, 10, 1, {
      phonemes: [{ phoneme: 'm', startSec: 0, endSec: 0.3 }, { phoneme: 'ɑː', startSec: 0.3, endSec: 0.7 }, { phoneme: 'p', startSec: 0.7, endSec: 1 }]
    })
    expect([...mouth.subarray(0, 3)]).toEqual([0, 0, 0])
    expect(Math.min(...mouth.subarray(3, 7))).toBeGreaterThan(0.9)
    expect([...mouth.subarray(7)]).toEqual([0, 0, 0])
  })

  it('should compute a Pearson correlation', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1)
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1)
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true)
  })
})

describe('concatPcm', () => {
  it('should join the parts in order into one new array', () => {
    const a = new Float32Array([0.5, -0.5])
    const b = new Float32Array([])
    const c = new Float32Array([0.25])
    const out = concatPcm([a, b, c])
    expect(Array.from(out)).toEqual([0.5, -0.5, 0.25])
    out[0] = 0
    expect(a[0]).toBe(0.5)
    expect(concatPcm([])).toHaveLength(0)
  })
})
