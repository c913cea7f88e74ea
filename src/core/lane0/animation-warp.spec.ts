// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { CAVITY_RGB, warpFrameCpu } from './animation-warp.ts'
import { testCard } from '../../../test/utils/warp-test-card.ts'
import type { WarpParams } from './animation-warp.ts'
import type { RgbaImage } from './stage.ts'

const REST: WarpParams = { mouthOpen: 0, blink: 0, roll: 0, shiftX: 0, shiftY: 0 }
const px = (img: RgbaImage, x: number, y: number): number[] => Array.from(img.data.subarray((Math.round(y) * img.width + Math.round(x)) * 4, (Math.round(y) * img.width + Math.round(x)) * 4 + 4))

describe('warpFrameCpu', () => {
  const { image, rig } = testCard(96)

  it('should return the keyframe unchanged at rest', () => {
    expect(Buffer.from(warpFrameCpu(image, rig, REST).data).equals(Buffer.from(image.data))).toBe(true)
  })

  it('should open a dark cavity under the mouth line and move the chin down when the mouth opens', () => {
    const open = warpFrameCpu(image, rig, { ...REST, mouthOpen: 1 })
    const below = px(open, rig.mouthX, rig.mouthY + 4)
    expect(below.slice(0, 3)).toEqual([...CAVITY_RGB])
    // outside the face the image does not move
    expect(px(open, 2, 2)).toEqual(px(image, 2, 2))
    // a half-open mouth opens less: fewer cavity pixels
    const count = (img: RgbaImage): number => {
      let n = 0
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === CAVITY_RGB[0] && img.data[i + 1] === CAVITY_RGB[1]) n++
      return n
    }
    expect(count(warpFrameCpu(image, rig, { ...REST, mouthOpen: 0.5 }))).toBeGreaterThan(0)
    expect(count(warpFrameCpu(image, rig, { ...REST, mouthOpen: 0.5 }))).toBeLessThan(count(open))
  })

  it('should cover the eyes with the skin above them when blinking', () => {
    const closed = warpFrameCpu(image, rig, { ...REST, blink: 1 })
    const eye = px(closed, rig.leftEyeX, rig.leftEyeY)
    expect(eye[2]).toBeLessThan(160)
    expect(eye[0]).toBeGreaterThan(150)
    expect(px(warpFrameCpu(image, rig, { ...REST, blink: 0 }), rig.leftEyeX, rig.leftEyeY)).toEqual(px(image, rig.leftEyeX, rig.leftEyeY))
  })

  it('should move the head with shift and roll', () => {
    const shifted = warpFrameCpu(image, rig, { ...REST, shiftX: 3 })
    expect(px(shifted, rig.leftEyeX + 3, rig.leftEyeY)).toEqual(px(image, rig.leftEyeX, rig.leftEyeY))
    const rolled = warpFrameCpu(image, rig, { ...REST, roll: 0.05 })
    expect(Buffer.from(rolled.data).equals(Buffer.from(image.data))).toBe(false)
  })
})
