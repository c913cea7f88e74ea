// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Face detection and landmarks in Node with the models shipped inside `@vladmandic/human` (MIT):
 * BlazeFace (detector) + FaceMesh (468 points) + iris (478 with the irises), on the tfjs WASM
 * backend. Nothing is fetched from the network: the models and the backend's `.wasm` are read from
 * node_modules through a `fetch` that serves `file://` URLs (installed only while loading).
 *
 * Landmark indices are MediaPipe FaceMesh's (canonical face model):
 * - mouth: inner lips 13 (upper, centre) and 14 (lower, centre); corners 61 (image left) and 291;
 * - face height: 10 (top of the forehead) to 152 (chin);
 * - eye centres: midpoints of each eye's corners (33/133 and 362/263); their distance is the scale
 *   that {@link DetectedFace.mouthOpen} is divided by, because it does not change when the jaw drops
 *   (the face height does, which would damp the measure exactly when the mouth opens wide);
 * - eyes: image-left eye (the subject's right) lids 159 (upper) / 145 (lower), corners 33 / 133;
 *   image-right eye lids 386 / 374, corners 362 / 263.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { AbortError } from '../../core/errors.ts'
import type { AbortOptions } from '../../core/options.ts'
import type { RgbaImage } from '../../core/lane0/stage.ts'

/** Mesh indices used for the measurements (documented above). */
export const MESH = {
  upperInnerLip: 13,
  lowerInnerLip: 14,
  mouthLeft: 61,
  mouthRight: 291,
  foreheadTop: 10,
  chin: 152,
  leftEye: { upper: 159, lower: 145, outer: 33, inner: 133 },
  rightEye: { upper: 386, lower: 374, inner: 362, outer: 263 }
} as const

/** Eye aspect (lid gap over eye width) below which an eye counts as closed. */
export const EYE_CLOSED_RATIO = 0.12

/** One detected face. */
export interface DetectedFace {
  /** Overall face score (0..1) from human: detector and mesh confidence combined. */
  score: number
  /** BlazeFace's detector score. */
  boxScore: number
  /** FaceMesh's confidence. */
  faceScore: number
  /** [x, y, width, height] in pixels. */
  box: [number, number, number, number]
  /** 468 or 478 points [x, y, z], x/y in pixels. */
  mesh: Array<[number, number, number]>
  /** Inner-lip gap (13–14) over the distance between the eye centres (jaw-independent). */
  mouthOpen: number
  /** Inner-lip gap (13–14) over the face height (10–152). */
  mouthOpenOverFaceHeight: number
  /** Centre of the inner lips (mean of 13 and 14). */
  mouthCentre: { x: number, y: number }
  /** Lid gap over eye width per eye, image-left first. */
  eyeOpenness: [number, number]
  eyesOpen: boolean
}

/** Result of {@link FaceLandmarks.detectFace}: the best face, and how many were found. */
export interface FaceDetection {
  detected: boolean
  /** Number of faces found (at most `maxFaces`). */
  count: number
  faces: DetectedFace[]
  /** The highest-scoring face. */
  best?: DetectedFace
  /** Milliseconds spent in `human.detect`. */
  ms: number
}

/** Options of {@link FaceLandmarks.create}. */
export interface FaceLandmarksInit {
  /** Most faces reported. @default 3 */
  maxFaces?: number
  /** Detector confidence below which a face is dropped. @default 0.2 */
  minConfidence?: number
}

/** Thrown when the Human models or the tfjs WASM backend cannot be loaded. */
export class FaceModelLoadError extends Error {
  static override name = 'FaceModelLoadError'
  constructor (message = 'Face models could not be loaded', options?: ErrorOptions) {
    super(message, options)
    this.name = 'FaceModelLoadError'
  }
}

/** Thrown by {@link FaceLandmarks.detectFace} after {@link FaceLandmarks.close}. */
export class FaceLandmarksClosedError extends Error {
  static override name = 'FaceLandmarksClosedError'
  constructor (message = 'FaceLandmarks is closed', options?: ErrorOptions) {
    super(message, options)
    this.name = 'FaceLandmarksClosedError'
  }
}

// The node-wasm build's types are those of the main build; only what we call is declared here.
interface HumanResultFace {
  score: number
  boxScore: number
  faceScore: number
  box: [number, number, number, number]
  mesh: Array<[number, number, number]>
}
interface HumanTensor { dispose(): void }
interface HumanLike {
  tf: { tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): HumanTensor, getBackend(): string }
  init(): Promise<void>
  load(): Promise<void>
  detect(input: HumanTensor): Promise<{ face: HumanResultFace[] }>
}

const dist = (a: readonly number[], b: readonly number[]): number => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!)

/** Serves `file://` URLs (models, `.wasm`) from disk; everything else goes to the original fetch. */
function fileFetch (original: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (!url.startsWith('file://')) return await original(input, init)
    const bytes = await readFile(fileURLToPath(url))
    const type = url.endsWith('.wasm') ? 'application/wasm' : url.endsWith('.json') ? 'application/json' : 'application/octet-stream'
    return new Response(bytes, { status: 200, headers: { 'content-type': type } })
  }
}

/** A loaded Human instance: create once, call {@link detectFace} many times, then {@link close}. */
export class FaceLandmarks {
  private human?: HumanLike
  private busy: Promise<unknown> = Promise.resolve()

  private constructor (human: HumanLike) {
    this.human = human
  }

  /** Loads the node-wasm build of Human, the tfjs WASM backend and the face models from node_modules. */
  static async create (init: FaceLandmarksInit = {}, options: AbortOptions = {}): Promise<FaceLandmarks> {
    options.signal?.throwIfAborted()
    const require = createRequire(import.meta.url)
    // the package's `exports` keys lack "./", so subpaths do not resolve: locate its main build's folder
    const humanDist = dirname(require.resolve('@vladmandic/human'))
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))
    const original = globalThis.fetch
    globalThis.fetch = fileFetch(original)
    try {
      const { Human } = require(join(humanDist, 'human.node-wasm.js')) as { Human: new (config: object) => HumanLike }
      const human = new Human({
        backend: 'wasm',
        wasmPath: pathToFileURL(wasmDir).href + '/',
        wasmPlatformFetch: true,
        modelBasePath: pathToFileURL(join(humanDist, '..', 'models')).href + '/',
        debug: false,
        warmup: 'none',
        cacheSensitivity: 0, // every call is a fresh image: never reuse the previous frame's result
        face: {
          enabled: true,
          detector: { rotation: false, maxDetected: init.maxFaces ?? 3, minConfidence: init.minConfidence ?? 0.2, skipFrames: 0, skipTime: 0, return: false },
          mesh: { enabled: true },
          iris: { enabled: true, skipFrames: 0, skipTime: 0 },
          emotion: { enabled: false },
          description: { enabled: false },
          antispoof: { enabled: false },
          liveness: { enabled: false }
        },
        body: { enabled: false },
        hand: { enabled: false },
        object: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: false },
        filter: { enabled: false }
      })
      await human.init()
      options.signal?.throwIfAborted()
      await human.load()
      if (human.tf.getBackend() !== 'wasm') throw new FaceModelLoadError(`tfjs backend is ${human.tf.getBackend()}, expected wasm`)
      return new FaceLandmarks(human)
    } catch (err) {
      if ((err as Error).name === AbortError.name || (err as Error).name === FaceModelLoadError.name) throw err
      throw new FaceModelLoadError(`Face models could not be loaded: ${(err as Error).message}`, { cause: err })
    } finally {
      globalThis.fetch = original
    }
  }

  /** Detects faces in an RGBA image; calls are serialised (one tfjs engine). */
  async detectFace (image: RgbaImage, options: AbortOptions = {}): Promise<FaceDetection> {
    const run = this.busy.then(async () => await this.detectNow(image, options))
    this.busy = run.catch(() => undefined)
    return await run
  }

  private async detectNow (image: RgbaImage, options: AbortOptions): Promise<FaceDetection> {
    options.signal?.throwIfAborted()
    const human = this.human
    if (human == null) throw new FaceLandmarksClosedError()
    const { width, height, data } = image
    // BlazeFace squashes its input to a square: letterbox a non-square image (centred, mid-grey
    // bars) so the face keeps its proportions, and map the results back
    const side = Math.max(width, height)
    const ox = (side - width) >> 1
    const oy = (side - height) >> 1
    const rgb = new Uint8Array(side * side * 3).fill(128)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x
        const q = (y + oy) * side + x + ox
        rgb[q * 3] = data[p * 4]!
        rgb[q * 3 + 1] = data[p * 4 + 1]!
        rgb[q * 3 + 2] = data[p * 4 + 2]!
      }
    }
    const tensor = human.tf.tensor3d(rgb, [side, side, 3], 'int32')
    const t0 = performance.now()
    let result
    try {
      result = await human.detect(tensor)
    } finally {
      tensor.dispose()
    }
    const ms = performance.now() - t0
    options.signal?.throwIfAborted()
    const faces = result.face.map(f => measure({
      ...f,
      box: [f.box[0] - ox, f.box[1] - oy, f.box[2], f.box[3]],
      mesh: f.mesh.map(([x, y, z]) => [x - ox, y - oy, z])
    })).sort((x, y) => y.score - x.score)
    return { detected: faces.length > 0, count: faces.length, faces, ...(faces[0] != null ? { best: faces[0] } : {}), ms }
  }

  /** Releases the instance (tfjs keeps its WASM module for the process's lifetime). */
  async close (): Promise<void> {
    await this.busy
    this.human = undefined
  }
}

function measure (f: HumanResultFace): DetectedFace {
  const m = f.mesh
  const at = (i: number): [number, number, number] => m[i] ?? [Number.NaN, Number.NaN, Number.NaN]
  const faceHeight = dist(at(MESH.foreheadTop), at(MESH.chin))
  const centre = (e: { inner: number, outer: number }): [number, number] =>
    [(at(e.inner)[0] + at(e.outer)[0]) / 2, (at(e.inner)[1] + at(e.outer)[1]) / 2]
  const eyeDistance = dist(centre(MESH.leftEye), centre(MESH.rightEye))
  const eye = (e: { upper: number, lower: number, inner: number, outer: number }): number =>
    dist(at(e.upper), at(e.lower)) / dist(at(e.inner), at(e.outer))
  const eyeOpenness: [number, number] = [eye(MESH.leftEye), eye(MESH.rightEye)]
  const u = at(MESH.upperInnerLip)
  const l = at(MESH.lowerInnerLip)
  return {
    score: f.score,
    boxScore: f.boxScore,
    faceScore: f.faceScore,
    box: f.box,
    mesh: m,
    mouthOpen: dist(u, l) / eyeDistance,
    mouthOpenOverFaceHeight: dist(u, l) / faceHeight,
    mouthCentre: { x: (u[0] + l[0]) / 2, y: (u[1] + l[1]) / 2 },
    eyeOpenness,
    eyesOpen: eyeOpenness[0] > EYE_CLOSED_RATIO && eyeOpenness[1] > EYE_CLOSED_RATIO
  }
}
