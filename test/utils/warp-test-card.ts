// SPDX-License-Identifier: GPL-3.0-or-later
import type { FaceRig } from '../../src/core/lane0/animation-warp.ts'
import type { RgbaImage } from '../../src/core/lane0/stage.ts'

/** A test card: a smooth gradient with a distinct "eye" colour and a "mouth" line. */
export function testCard (size: number): { image: RgbaImage, rig: FaceRig } {
  const data = new Uint8ClampedArray(size * size * 4)
  const rig: FaceRig = {
    mouthX: size * 0.5, mouthY: size * 0.68, mouthHalfWidth: size * 0.1, chinY: size * 0.85, faceHalfWidth: size * 0.3,
    leftEyeX: size * 0.38, leftEyeY: size * 0.42, rightEyeX: size * 0.62, rightEyeY: size * 0.42, eyeHalfWidth: size * 0.06, eyeHalfHeight: size * 0.035,
    pivotX: size * 0.5, pivotY: size * 0.95
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4
      const inEye = [[rig.leftEyeX, rig.leftEyeY], [rig.rightEyeX, rig.rightEyeY]].some(([ex, ey]) => ((x - ex!) / rig.eyeHalfWidth) ** 2 + ((y - ey!) / rig.eyeHalfHeight) ** 2 < 1)
      const onMouth = Math.abs(y - rig.mouthY) < 2 && Math.abs(x - rig.mouthX) < rig.mouthHalfWidth
      data[i] = inEye ? 20 : onMouth ? 150 : 200 + (x * 40) / size
      data[i + 1] = inEye ? 60 : onMouth ? 40 : 150 + (y * 60) / size
      data[i + 2] = inEye ? 160 : onMouth ? 60 : 120 + ((x + y) * 30) / size
      data[i + 3] = 255
    }
  }
  return { image: { width: size, height: size, data }, rig }
}

