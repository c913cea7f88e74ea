// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { readVisemeModel } from '../../platform/node/visemes.ts'
import { mouthOpenTrack } from './audio-features.ts'
import { InvalidVisemeModelError, parseVisemeModel, VISEME_NAMES, visemeOpennessAt, visemeTrack } from './visemes.ts'
import type { VisemeTrack } from './visemes.ts'

const RATE = 22050

describe('visemes (HeadAudio)', () => {
  it('should decode the shipped model and refuse an empty one', async () => {
    const model = await readVisemeModel()
    expect(model.prototypes.length).toBeGreaterThan(10)
    expect(() => parseVisemeModel(new ArrayBuffer(12))).toThrow(expect.objectContaining({ name: InvalidVisemeModelError.name }))
  })

  it('should give silence only sil, one entry per video frame', async () => {
    const model = await readVisemeModel()
    const track = visemeTrack({ sampleRate: RATE, pcm: new Float32Array(RATE * 2) }, 24, 2, model)
    expect(track.visemes).toHaveLength(48)
    expect(new Set(track.visemes)).toEqual(new Set(['sil']))
    expect(track.weights).toHaveLength(48 * VISEME_NAMES.length)
    expect(visemeOpennessAt(track, 10)).toBeUndefined()
  })

  it('should weigh openness by viseme shares, ignoring sil', () => {
    const n = VISEME_NAMES.length
    const weights = new Float32Array(2 * n)
    weights[VISEME_NAMES.indexOf('aa')] = 0.5
    weights[VISEME_NAMES.indexOf('PP')] = 0.25
    weights[VISEME_NAMES.indexOf('sil')] = 0.25
    weights[n + VISEME_NAMES.indexOf('PP')] = 1
    const track: VisemeTrack = { fps: 10, visemes: ['aa', 'PP'], weights }
    expect(visemeOpennessAt(track, 0)).toBeCloseTo(0.5 / 0.75)
    expect(visemeOpennessAt(track, 1)).toBe(0)
    // Fed to the mouth track: a PP frame closes the mouth even on a loud frame.
    const pcm = new Float32Array(RATE / 5).map((_v, i) => 0.5 * Math.sin(2 * Math.PI * 200 * i / RATE))
    const mouth = mouthOpenTrack({ sampleRate: RATE, pcm }, 10, 0.2, { opennessAt: f => visemeOpennessAt(track, f) })
    expect(mouth[0]).toBeGreaterThan(0.5)
    expect(mouth[1]).toBe(0)
  })
})
