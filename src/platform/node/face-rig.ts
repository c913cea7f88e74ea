// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The keyframe rig detector for Node: FaceMesh landmarks (`face-landmarks.ts`, @vladmandic/human on
 * tfjs-wasm) mapped to the animation stage's {@link FaceRig}, for keyframes whose geometry is not
 * known (SD-Turbo, `src/core/lane0/keyframe-sdturbo.ts`).
 *
 * Mapping (MediaPipe FaceMesh indices, as in `face-landmarks.ts`):
 * - mouth: centre = mean of the inner-lip centres 13 / 14 (the mouth line when closed); half width =
 *   half the distance between the corners 61 / 291;
 * - chin: 152;
 * - face half width at the mouth: where the face-oval contour crosses the mouth's height, left and right;
 * - eyes: centre x = the iris centre (473 image-left, 468 image-right, present when the mesh has the
 *   478 points of the iris model; this assumes the subject looks at the camera, as portrait prompts
 *   ask) or else the midpoint of the corners (33 / 133, 362 / 263); centre y = midpoint of the lids
 *   (159 / 145, 386 / 374); half width = half the corner distance, half height = half the lid gap,
 *   each averaged over both eyes;
 * - pivot (the head's motion centre, the base of the neck, which the mesh does not cover): below the
 *   chin by half the eye-to-chin height over 1.1, the proportion of `portrait.ts` (neck base at 1.5
 *   face half-heights below the face centre, eyes 0.1 above it, chin 1 below).
 */
import type { AbortOptions } from '../../core/options.ts'
import type { FaceRig } from '../../core/lane0/animation-warp.ts'
import { NoFaceDetectedError } from '../../core/lane0/keyframe-sdturbo.ts'
import type { RigDetector } from '../../core/lane0/keyframe-sdturbo.ts'
import type { RgbaImage } from '../../core/lane0/stage.ts'
import { FaceLandmarks, MESH } from './face-landmarks.ts'
import type { DetectedFace, FaceLandmarksInit } from './face-landmarks.ts'

/** FaceMesh's face-oval contour, clockwise from the forehead top (10) through the chin (152). */
export const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109] as const

/** Iris centres in the 478-point mesh: image-left eye (the subject's right) and image-right eye. */
export const IRIS_CENTRE = { left: 473, right: 468 } as const

/** Best-face score (human's combined detector and mesh score) below which an image counts as having no face. */
export const MIN_RIG_FACE_SCORE = 0.5

type Mesh = DetectedFace['mesh']

/** The x where the polyline `points` (in order) first crosses height `y`, or undefined. */
function crossing (points: Array<readonly [number, number]>, y: number): number | undefined {
  for (let i = 0; i + 1 < points.length; i++) {
    const [x0, y0] = points[i]!
    const [x1, y1] = points[i + 1]!
    if ((y0 - y) * (y1 - y) <= 0 && y0 !== y1) return x0 + ((y - y0) / (y1 - y0)) * (x1 - x0)
  }
  return undefined
}

/**
 * The rig of a face from its FaceMesh landmarks (468 or 478 points, pixels). Throws
 * {@link NoFaceDetectedError} when the mesh is incomplete.
 */
export function rigFromMesh (mesh: Mesh): FaceRig {
  const at = (i: number): readonly [number, number] => {
    const p = mesh[i]
    if (p === undefined || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new NoFaceDetectedError(`Face mesh has no landmark ${i}`)
    return [p[0], p[1]]
  }
  const mid = (a: number, b: number): [number, number] => [(at(a)[0] + at(b)[0]) / 2, (at(a)[1] + at(b)[1]) / 2]
  const dist = (a: number, b: number): number => Math.hypot(at(a)[0] - at(b)[0], at(a)[1] - at(b)[1])
  const [mouthX, mouthY] = mid(MESH.upperInnerLip, MESH.lowerInnerLip)
  const chin = at(MESH.chin)
  const L = MESH.leftEye
  const R = MESH.rightEye
  const irises = mesh.length >= 478
  const leftEyeX = irises ? at(IRIS_CENTRE.left)[0] : mid(L.inner, L.outer)[0]
  const leftEyeY = mid(L.upper, L.lower)[1]
  const rightEyeX = irises ? at(IRIS_CENTRE.right)[0] : mid(R.inner, R.outer)[0]
  const rightEyeY = mid(R.upper, R.lower)[1]
  // the oval from the forehead down the image-right side to the chin, and on down the image-left side
  const chinAt = FACE_OVAL.indexOf(MESH.chin)
  const rightSide = FACE_OVAL.slice(0, chinAt + 1).map(at)
  const leftSide = [...FACE_OVAL.slice(chinAt), MESH.foreheadTop].map(at)
  const xr = crossing(rightSide, mouthY)
  const xl = crossing(leftSide, mouthY)
  if (xr === undefined || xl === undefined) throw new NoFaceDetectedError('Face oval does not reach the mouth height')
  const eyeY = (leftEyeY + rightEyeY) / 2
  return {
    mouthX,
    mouthY,
    mouthHalfWidth: dist(MESH.mouthLeft, MESH.mouthRight) / 2,
    chinY: chin[1],
    faceHalfWidth: Math.abs(xr - xl) / 2,
    leftEyeX,
    leftEyeY,
    rightEyeX,
    rightEyeY,
    eyeHalfWidth: (dist(L.inner, L.outer) + dist(R.inner, R.outer)) / 4,
    eyeHalfHeight: (dist(L.upper, L.lower) + dist(R.upper, R.lower)) / 4,
    pivotX: chin[0],
    pivotY: chin[1] + (0.5 * (chin[1] - eyeY)) / 1.1
  }
}

/** Options of {@link createNodeRigDetector}. */
export interface NodeRigDetectorInit extends FaceLandmarksInit {
  /** Best-face score below which the image counts as having no face. @default MIN_RIG_FACE_SCORE */
  minScore?: number
}

/** A loaded rig detector: pass `detect` to the keyframe stage; `close` when done. */
export interface NodeRigDetector {
  detect: RigDetector
  close(): Promise<void>
}

/**
 * Loads the face models (node_modules only, no network) and returns a {@link RigDetector} that
 * rejects with {@link NoFaceDetectedError} when no face scores at least `minScore`.
 */
export async function createNodeRigDetector (init: NodeRigDetectorInit = {}, options: AbortOptions = {}): Promise<NodeRigDetector> {
  const faces = await FaceLandmarks.create({ maxFaces: init.maxFaces ?? 1, ...(init.minConfidence !== undefined ? { minConfidence: init.minConfidence } : {}) }, options)
  const minScore = init.minScore ?? MIN_RIG_FACE_SCORE
  const detect: RigDetector = async (image: RgbaImage, runOptions: AbortOptions = {}) => {
    const found = await faces.detectFace(image, runOptions)
    const best = found.best
    if (best === undefined) throw new NoFaceDetectedError(`No face detected in the ${image.width}×${image.height} keyframe`)
    if (best.score < minScore) throw new NoFaceDetectedError(`No face detected in the ${image.width}×${image.height} keyframe (best score ${best.score.toFixed(3)} < ${minScore})`)
    return rigFromMesh(best.mesh)
  }
  return { detect, close: async () => { await faces.close() } }
}
