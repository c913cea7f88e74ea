// SPDX-License-Identifier: GPL-3.0-or-later
// The Node rig detector (FaceMesh landmarks → FaceRig, src/platform/node/face-rig.ts) against the
// analytic rig of procedural portraits (portrait.ts `portraitRig`), whose geometry is known exactly:
// the detector must put the mouth and eyes where they were drawn within a few pixels, the other
// measures within the stated tolerances, and it must refuse an image without a face.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FaceRig } from '../../src/core/lane0/animation-warp.ts'
import { portraitParams, portraitRig, renderPortrait } from '../../src/core/lane0/portrait.ts'
import { FaceLandmarks } from '../../src/platform/node/face-landmarks.ts'
import { createNodeRigDetector, rigFromMesh } from '../../src/platform/node/face-rig.ts'
import type { NodeRigDetector } from '../../src/platform/node/face-rig.ts'

const CASES: Array<[string, number]> = [
  ['a calm news anchor', 1], ['an old sailor with grey hair', 3], ['a young woman, long hair, blue eyes', 4], ['a chef, short hair, brown eyes', 9]
]
const SIDE = 512
/** Largest allowed |detected − drawn| in pixels at 512 × 512 (measured: see the console table). */
const TOLERANCE_PX: Record<keyof FaceRig, number> = {
  mouthX: 3,
  mouthY: 3,
  leftEyeX: 6, // the iris centre; about 0.3 eye half-widths
  leftEyeY: 3,
  rightEyeX: 6,
  rightEyeY: 3,
  mouthHalfWidth: 4,
  eyeHalfHeight: 2.5,
  eyeHalfWidth: 4.5,
  faceHalfWidth: 8,
  // FaceMesh's chin point (152) sits 11-13 px above the drawn chin's lowest point; the pivot follows it
  chinY: 16,
  pivotX: 4,
  pivotY: 25
}

describe('Node face rig detector (FaceMesh → FaceRig)', () => {
  let rigs: NodeRigDetector
  beforeAll(async () => { rigs = await createNodeRigDetector() })
  afterAll(async () => { await rigs?.close() })

  it('should find the drawn mouth, eyes and chin of procedural portraits', async () => {
    const rows: string[] = []
    for (const [prompt, seed] of CASES) {
      const { image, geometry } = renderPortrait(portraitParams(prompt, seed, SIDE, SIDE))
      const want = portraitRig(geometry)
      const got = await rigs.detect(image, {})
      const keys = Object.keys(TOLERANCE_PX) as Array<keyof FaceRig>
      rows.push(`${prompt} #${seed}: ` + keys.map(k => `${k} ${(got[k] - want[k]).toFixed(1)}`).join(' '))
      for (const k of keys) expect(Math.abs(got[k] - want[k]), `${prompt} #${seed}: ${k} drawn ${want[k].toFixed(1)} detected ${got[k].toFixed(1)}`).toBeLessThanOrEqual(TOLERANCE_PX[k])
      // the layout the warp relies on
      expect(got.leftEyeX).toBeLessThan(got.mouthX)
      expect(got.mouthX).toBeLessThan(got.rightEyeX)
      expect(got.leftEyeY).toBeLessThan(got.mouthY)
      expect(got.mouthY).toBeLessThan(got.chinY)
      expect(got.chinY).toBeLessThan(got.pivotY)
      expect(got.mouthHalfWidth).toBeLessThan(got.faceHalfWidth)
    }
    console.log(`detected − drawn (px, ${SIDE}×${SIDE}):\n  ${rows.join('\n  ')}`)
  })

  it('should fall back to the eye corners on a 468-point mesh and refuse an incomplete mesh', async () => {
    const faces = await FaceLandmarks.create({ maxFaces: 1 })
    try {
      const { image, geometry } = renderPortrait(portraitParams('a calm news anchor', 1, SIDE, SIDE))
      const mesh = (await faces.detectFace(image)).best!.mesh
      expect(mesh.length).toBe(478)
      const full = rigFromMesh(mesh)
      const noIris = rigFromMesh(mesh.slice(0, 468))
      expect(noIris.leftEyeX).toBeCloseTo((mesh[33]![0] + mesh[133]![0]) / 2, 6)
      expect(noIris.leftEyeX).not.toBe(full.leftEyeX)
      expect(Math.abs(noIris.leftEyeX - geometry.leftEye.x)).toBeLessThan(10)
      expect(noIris.mouthY).toBe(full.mouthY)
      expect(() => rigFromMesh(mesh.slice(0, 100))).toThrow(expect.objectContaining({ name: 'NoFaceDetectedError' }) as Error)
    } finally {
      await faces.close()
    }
  })

  it('should reject an image without a face with NoFaceDetectedError', async () => {
    const grey = { width: 256, height: 256, data: new Uint8ClampedArray(256 * 256 * 4).fill(128) }
    await expect(rigs.detect(grey, {})).rejects.toMatchObject({ name: 'NoFaceDetectedError' })
  })
})
