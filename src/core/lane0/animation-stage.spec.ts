// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { testCard } from '../../../test/utils/warp-test-card.ts'
import { WarpAnimationStage, animationParams } from './animation-stage.ts'
import { pearson } from './audio-features.ts'

/** 3 s of speech-like bursts: a 200 Hz tone gated on for 0.25 s every 0.5 s. */
function bursts (rate = 16000, seconds = 3): Float32Array {
  return Float32Array.from({ length: rate * seconds }, (_, i) => ((i / rate) % 0.5 < 0.25 ? 0.4 * Math.sin(2 * Math.PI * 200 * i / rate) : 0))
}

describe('animationParams', () => {
  const speech = { sampleRate: 16000, pcm: bursts() }

  it('should open the mouth with the speech energy and be deterministic for a seed', () => {
    const p = animationParams({ speech, fps: 24, durationSec: 3, seed: 7 })
    expect(p).toHaveLength(72)
    const gate = p.map((_, i) => (((i + 0.5) / 24) % 0.5 < 0.25 ? 1 : 0))
    expect(pearson(p.map(x => x.mouthOpen), gate)).toBeGreaterThan(0.7)
    expect(animationParams({ speech, fps: 24, durationSec: 3, seed: 7 })).toEqual(p)
    expect(animationParams({ speech, fps: 24, durationSec: 3, seed: 8 })).not.toEqual(p)
    for (const x of p) {
      expect(x.blink).toBeGreaterThanOrEqual(0)
      expect(x.blink).toBeLessThanOrEqual(1)
      expect(Math.abs(x.roll)).toBeLessThan(0.03)
    }
  })
})

describe('WarpAnimationStage', () => {
  it('should render one frame per video frame on the CPU, frames changing with the mouth', async () => {
    const { image, rig } = testCard(64)
    const stage = new WarpAnimationStage({}, { width: 64, height: 64, frames: 24 })
    expect(stage.info.neural).toBe(false)
    const progress: number[] = []
    const out = await stage.run({ keyframe: image, rig, speech: { sampleRate: 16000, pcm: bursts(16000, 1) }, fps: 24, durationSec: 1, seed: 1 }, { onProgress: p => progress.push(p.fraction) })
    expect(out.backend).toBe('cpu')
    expect(out.frames).toHaveLength(24)
    expect(progress.at(-1)).toBe(1)
    expect(new Set(out.frames.map(f => Buffer.from(f.data).toString('base64'))).size).toBeGreaterThan(5)
    await expect(stage.run({ keyframe: image, rig, speech: { sampleRate: 16000, pcm: bursts(16000, 1) }, fps: 24, durationSec: 1, seed: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
