// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { blake2b256, toHex } from '../wire/hash.ts'
import { ProceduralKeyframeStage } from './keyframe-procedural.ts'
import { portraitParams, renderPortrait } from './portrait.ts'

const request = { prompt: 'a calm news anchor, short hair', negativePrompt: 'blurry', seed: 42, width: 128, height: 160 }
const digest = (data: Uint8ClampedArray): string => toHex(blake2b256(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))

describe('ProceduralKeyframeStage', () => {
  it('should say plainly that it is not neural', () => {
    const stage = new ProceduralKeyframeStage()
    expect(stage.info.neural).toBe(false)
    expect(stage.info.kind).toBe('keyframe')
    expect(stage.info.description).toContain('procedural portrait, not neural')
    expect(stage.memoryEstimateBytes()).toBeGreaterThan(512 * 512 * 4)
  })

  it('should give byte-identical output for the same input, from separate stage instances', async () => {
    const a = await new ProceduralKeyframeStage().run(request)
    const b = await new ProceduralKeyframeStage().run({ ...request })
    expect(digest(a.image.data)).toBe(digest(b.image.data))
    expect(a.geometry).toEqual(b.geometry)
    expect(a.rig).toEqual(b.rig)
  })

  it('should draw the pinned bytes (exact arithmetic only: the same in every process and JS engine)', () => {
    // Update these when the drawing is changed on purpose; an unplanned change breaks the
    // "same recipe + seed → same output hash" promise.
    const params = portraitParams('a golden test, long hair', 7, 96, 128)
    expect(digest(renderPortrait(params).image.data)).toBe('bbe4140cd07589bc83f8905b622961a0515eab1f191ce5466cb6c840a1774b2e')
    expect(digest(renderPortrait(params, { mouthOpen: 0.6 }).image.data)).toBe('3e18a618d18aac1ab17b1bd19e8136b6604a087ecfd67560be81d56a0df3d7b1')
  })

  it('should change with the seed and with the prompt', async () => {
    const stage = new ProceduralKeyframeStage()
    const base = digest((await stage.run(request)).image.data)
    expect(digest((await stage.run({ ...request, seed: 43 })).image.data)).not.toBe(base)
    expect(digest((await stage.run({ ...request, prompt: 'a calm news anchor, long hair' })).image.data)).not.toBe(base)
  })

  it('should draw an opaque image of the requested size with the face inside it', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { image, geometry: g } = await new ProceduralKeyframeStage().run({ ...request, seed })
      expect(image.width).toBe(128)
      expect(image.height).toBe(160)
      expect(image.data.length).toBe(128 * 160 * 4)
      for (let i = 3; i < image.data.length; i += 4) if (image.data[i] !== 255) throw new Error(`alpha ${image.data[i]} at ${i}`)
      const box = g.faceBox
      expect(box.x).toBeGreaterThan(0)
      expect(box.y).toBeGreaterThan(0)
      expect(box.x + box.width).toBeLessThan(128)
      expect(box.y + box.height).toBeLessThan(160)
      for (const p of [g.leftEye, g.rightEye, g.mouth, ...g.mouthCorners, g.chin]) {
        expect(p.x).toBeGreaterThan(box.x)
        expect(p.x).toBeLessThan(box.x + box.width)
        expect(p.y).toBeGreaterThan(box.y)
        expect(p.y).toBeLessThanOrEqual(box.y + box.height)
      }
      expect(g.leftEye.x).toBeLessThan(g.rightEye.x)
      expect(g.mouth.y).toBeGreaterThan(g.leftEye.y)
      expect(g.chin.y).toBeGreaterThan(g.mouth.y)
      expect(g.jaw).toHaveLength(17)
      expect(g.mouthGap).toBe(0)
    }
  })

  it('should open the mouth and drop the jaw with mouthOpen, leaving the rest of the head in place', () => {
    const params = portraitParams('a friendly teacher', 9, 256, 256)
    const closed = renderPortrait(params)
    const open = renderPortrait(params, { mouthOpen: 1 })
    expect(open.geometry.mouthGap).toBeGreaterThan(0.05 * closed.geometry.faceBox.height)
    expect(open.geometry.chin.y).toBeGreaterThan(closed.geometry.chin.y)
    expect(open.geometry.leftEye).toEqual(closed.geometry.leftEye)
    // the top third of the image (hair, forehead) is unchanged; the mouth region is not
    const third = 256 * Math.floor(256 / 3) * 4
    expect(digest(open.image.data.subarray(0, third))).toBe(digest(closed.image.data.subarray(0, third)))
    const m = closed.geometry.mouth
    const at = (img: Uint8ClampedArray, x: number, y: number): number => img[(Math.round(y) * 256 + Math.round(x)) * 4]!
    expect(Math.abs(at(open.image.data, m.x, m.y + open.geometry.mouthGap / 2) - at(closed.image.data, m.x, m.y + open.geometry.mouthGap / 2))).toBeGreaterThan(30)
  })

  it('should keep every derived parameter within its documented bounds', () => {
    for (let seed = 0; seed < 64; seed++) {
      const p = portraitParams(`actor ${seed}`, seed, 384, 384)
      expect(p.faceScale).toBeGreaterThanOrEqual(0.2)
      expect(p.faceScale).toBeLessThanOrEqual(0.23)
      expect(p.faceAspect).toBeGreaterThanOrEqual(1.28)
      expect(p.faceAspect).toBeLessThanOrEqual(1.42)
      expect(Math.abs(p.offsetX)).toBeLessThanOrEqual(0.03)
      expect(['short', 'long', 'cropped']).toContain(p.hairStyle)
    }
  })

  it('should follow hair and eye words in the prompt', () => {
    const p = portraitParams('a singer with red hair and green eyes, long hair', 5, 256, 256)
    expect(p.hair).toEqual([150, 60, 30])
    expect(p.iris).toEqual([72, 118, 74])
    expect(p.hairStyle).toBe('long')
  })

  it('should refuse a size out of range, naming the field', async () => {
    const err = await new ProceduralKeyframeStage().run({ ...request, width: 10 }).catch((e: Error) => e)
    expect((err as Error).name).toBe(InvalidInputError.name)
    expect((err as InvalidInputError).field).toBe('width')
    expect(() => portraitParams('x', 1, 256, 256.5)).toThrow(/height/)
  })

  it('should reject with AbortError when aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    const err = await new ProceduralKeyframeStage().run(request, { signal: controller.signal }).catch((e: Error) => e)
    expect((err as Error).name).toBe('AbortError')
  })
})
