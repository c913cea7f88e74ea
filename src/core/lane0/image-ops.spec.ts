// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ImageOpsError, cropToPlanar, pastePlanar } from './image-ops.ts'
import type { RgbaImage } from './stage.ts'

/** R = 10·x, G = 10·y, B = 7, A = 255. */
function gradient (width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4
      data[o] = 10 * x
      data[o + 1] = 10 * y
      data[o + 2] = 7
      data[o + 3] = 255
    }
  }
  return { width, height, data }
}

function solidPlanar (w: number, h: number, rgb: [number, number, number]): Float32Array {
  const p = new Float32Array(3 * w * h)
  for (let c = 0; c < 3; c++) p.fill(rgb[c]!, c * w * h, (c + 1) * w * h)
  return p
}

describe('cropToPlanar', () => {
  it('should reproduce the image exactly when the box is the whole image at the same size', () => {
    const img = gradient(8, 8)
    const p = cropToPlanar(img, { x: 0, y: 0, size: 8 }, 8)
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        expect(p[y * 8 + x]! * 255).toBeCloseTo(10 * x, 4)
        expect(p[64 + y * 8 + x]! * 255).toBeCloseTo(10 * y, 4)
        expect(p[128 + y * 8 + x]! * 255).toBeCloseTo(7, 4)
      }
    }
  })

  it('should interpolate linearly when upscaling and average when downscaling', () => {
    const img = gradient(8, 8)
    const up = cropToPlanar(img, { x: 2, y: 2, size: 2 }, 4)
    // Output pixel 1 (of 4) covers source x in [2.5, 3): centre 2.75 -> pixel-centre coordinate 2.25.
    expect(up[1]! * 255).toBeCloseTo(22.5, 3)
    const down = cropToPlanar(img, { x: 0, y: 0, size: 8 }, 2)
    // Left half of an R = 10·x ramp averages to 10 · 1.5.
    expect(down[0]! * 255).toBeCloseTo(15, 3)
    expect(down[1]! * 255).toBeCloseTo(55, 3)
  })

  it('should clamp samples outside the image to the edge', () => {
    const img = gradient(4, 4)
    const p = cropToPlanar(img, { x: -4, y: 0, size: 4 }, 4)
    for (let x = 0; x < 4; x++) expect(p[x]! * 255).toBeCloseTo(0, 5)
  })

  it('should refuse an empty box or a bad size', () => {
    const img = gradient(4, 4)
    expect(() => cropToPlanar(img, { x: 0, y: 0, size: 0 }, 4)).toThrow(ImageOpsError)
    expect(() => cropToPlanar(img, { x: 0, y: 0, size: 4 }, 2.5)).toThrow(ImageOpsError)
  })
})

describe('pastePlanar', () => {
  it('should fill the inside of the box, ramp at its edge and leave the outside and alpha untouched', () => {
    const dst = gradient(40, 40)
    const box = { x: 10, y: 10, size: 20 }
    const out = pastePlanar(dst, { data: solidPlanar(8, 8, [1, 0, 0.5]), width: 8, height: 8 }, box, { feather: 0.2 })
    const px = (x: number, y: number): number[] => Array.from(out.data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4))
    expect(px(20, 20)).toEqual([255, 0, 128, 255])
    expect(px(5, 5)).toEqual(Array.from(dst.data.subarray((5 * 40 + 5) * 4, (5 * 40 + 5) * 4 + 4)))
    expect(px(35, 20)).toEqual(Array.from(dst.data.subarray((20 * 40 + 35) * 4, (20 * 40 + 35) * 4 + 4)))
    // One pixel inside the left edge: partly blended (between the destination's 100 and 255).
    const edge = px(10, 20)[0]!
    expect(edge).toBeGreaterThan(100)
    expect(edge).toBeLessThan(255)
    expect(dst.data[(20 * 40 + 20) * 4]).toBe(200) // the input is not modified
  })

  it('should round-trip a crop of the same size back into place', () => {
    const dst = gradient(16, 16)
    const box = { x: 4, y: 4, size: 8 }
    const planar = cropToPlanar(dst, box, 8)
    const out = pastePlanar({ ...dst, data: new Uint8ClampedArray(dst.data.length) }, { data: planar, width: 8, height: 8 }, box, { feather: 0.01 })
    for (let y = 4; y < 12; y++) {
      for (let x = 4; x < 12; x++) {
        for (let c = 0; c < 3; c++) expect(Math.abs(out.data[(y * 16 + x) * 4 + c]! - dst.data[(y * 16 + x) * 4 + c]!)).toBeLessThanOrEqual(1)
      }
    }
  })

  it('should refuse a planar buffer of the wrong length', () => {
    expect(() => pastePlanar(gradient(4, 4), { data: new Float32Array(10), width: 2, height: 2 }, { x: 0, y: 0, size: 4 })).toThrow(ImageOpsError)
  })
})
