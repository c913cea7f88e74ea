// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { encodePlan, fitPcm, frameDurationUs, frameTimestampUs, isKeyframe, segmentLayoutProblems } from './encode-plan.ts'

function tone (hz: number, rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.5 * Math.sin(2 * Math.PI * hz * i / rate))
}

/** Frequency from the first to the last upward zero crossing (interpolated) between `from` and `to`. */
function zeroCrossingHz (pcm: Float32Array, rate: number, from: number, to: number): number {
  const times: number[] = []
  for (let i = from + 1; i < to; i++) {
    const a = pcm[i - 1] ?? 0
    const b = pcm[i] ?? 0
    if (a < 0 && b >= 0) times.push(i - 1 + a / (a - b))
  }
  return (times.length - 1) * rate / ((times.at(-1) ?? 0) - (times[0] ?? 0))
}

describe('encodePlan', () => {
  it('should put one keyframe at the start of every 1 s segment', () => {
    const plan = encodePlan({ fps: 24, durationSec: 3 })
    expect(plan).toMatchObject({ frameCount: 72, gop: 24, segmentCount: 3, keyframes: [0, 24, 48] })
    const keys = Array.from({ length: plan.frameCount }, (_, i) => i).filter(i => isKeyframe(plan, i))
    expect(keys).toEqual([0, 24, 48])
  })

  it('should round the frame count and keep a short last segment', () => {
    const plan = encodePlan({ fps: 30, durationSec: 2.51, segmentMs: 500 })
    expect(plan).toMatchObject({ frameCount: 75, gop: 15, segmentCount: 5, keyframes: [0, 15, 30, 45, 60] })
    expect(encodePlan({ fps: 24, durationSec: 2.2 })).toMatchObject({ frameCount: 53, segmentCount: 3 })
  })

  it('should give exact microsecond timestamps whose durations tile the clip', () => {
    const plan = encodePlan({ fps: 24, durationSec: 3 })
    expect(frameTimestampUs(plan, 0)).toBe(0)
    expect(frameTimestampUs(plan, 1)).toBe(41667)
    expect(frameTimestampUs(plan, 24)).toBe(1_000_000)
    let sum = 0
    for (let i = 0; i < plan.frameCount; i++) sum += frameDurationUs(plan, i)
    expect(sum).toBe(3_000_000)
  })

  it('should name the field of an invalid value', () => {
    expect(() => encodePlan({ fps: 0, durationSec: 1 })).toThrow(expect.objectContaining({ name: 'InvalidInputError', field: 'fps' }))
    expect(() => encodePlan({ fps: 24, durationSec: Number.NaN })).toThrow(expect.objectContaining({ field: 'durationSec' }))
    expect(() => encodePlan({ fps: 24, durationSec: 0.01 })).toThrow(expect.objectContaining({ field: 'durationSec' }))
    expect(() => encodePlan({ fps: 24, durationSec: 1, segmentMs: -1 })).toThrow(expect.objectContaining({ field: 'segmentMs' }))
  })
})

describe('fitPcm', () => {
  it('should resample 22.05 kHz to 48 kHz keeping the pitch and level', () => {
    const out = fitPcm({ sampleRate: 22050, pcm: tone(440, 22050, 2) }, 48000, 2)
    expect(out.length).toBe(96000)
    expect(zeroCrossingHz(out, 48000, 4800, 91200)).toBeCloseTo(440, 1)
    let peak = 0
    for (let i = 4800; i < 91200; i++) peak = Math.max(peak, Math.abs(out[i] ?? 0))
    expect(peak).toBeGreaterThan(0.49)
    expect(peak).toBeLessThan(0.51)
  })

  it('should pad short audio with silence', () => {
    const out = fitPcm({ sampleRate: 48000, pcm: tone(440, 48000, 1) }, 48000, 3)
    expect(out.length).toBe(144000)
    const source = tone(440, 48000, 1)
    expect(out.subarray(0, 48000).every((v, i) => v === source[i])).toBe(true)
    expect(out.subarray(48000).every(v => v === 0)).toBe(true)
  })

  it('should cut long audio, resampling the kept part like the whole', () => {
    const long = tone(300, 16000, 10)
    const cut = fitPcm({ sampleRate: 16000, pcm: long }, 48000, 1.5)
    expect(cut.length).toBe(72000)
    const whole = fitPcm({ sampleRate: 16000, pcm: long }, 48000, 10)
    let maxDiff = 0
    for (let i = 0; i < cut.length; i++) maxDiff = Math.max(maxDiff, Math.abs((cut[i] ?? 0) - (whole[i] ?? 0)))
    expect(maxDiff).toBeLessThan(1e-6)
  })

  it('should refuse a bad sample rate with the field named', () => {
    expect(() => fitPcm({ sampleRate: 0, pcm: new Float32Array(10) }, 48000, 1)).toThrow(expect.objectContaining({ field: 'audio.sampleRate' }))
  })
})

describe('segmentLayoutProblems', () => {
  const plan = encodePlan({ fps: 24, durationSec: 3 })
  const init = { kind: 'init' as const, timestampUs: 0n, keyframe: false }
  const media = (ms: number, keyframe = true): { kind: 'media', timestampUs: bigint, keyframe: boolean } => ({ kind: 'media', timestampUs: BigInt(ms * 1000), keyframe })

  it('should accept init + one keyframe-first segment per second', () => {
    expect(segmentLayoutProblems(plan, [init, media(0), media(1000), media(2000)])).toEqual([])
    // Cluster timecodes are whole milliseconds
    expect(segmentLayoutProblems(encodePlan({ fps: 30, durationSec: 1, segmentMs: 100 }), [init, ...Array.from({ length: 10 }, (_, k) => media(k * 100))])).toEqual([])
  })

  it('should name each problem', () => {
    expect(segmentLayoutProblems(plan, [media(0), media(1000), media(2000)])).toEqual(['the first segment is not the init segment'])
    expect(segmentLayoutProblems(plan, [init, media(0), media(2000)])).toEqual(['2 media segments, expected 3', 'media segment 1 starts at 2000000 µs, expected 1000000'])
    expect(segmentLayoutProblems(plan, [init, media(0), media(1000, false), media(2000)])).toEqual(['media segment 1 does not start with a keyframe'])
    expect(segmentLayoutProblems(plan, [init, media(0), media(980), media(2000)])).toEqual(['media segment 1 starts at 980000 µs, expected 1000000'])
    expect(segmentLayoutProblems(plan, [init, media(0), init, media(1000), media(2000)])).toEqual(['more than one init segment'])
  })
})
