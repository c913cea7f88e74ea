// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The production animation stage: LivePortrait (KwaiVGI, code MIT, arXiv:2407.03168), an
 * implicit-keypoint portrait renderer, run as three ONNX models and driven by the speech instead of a
 * driving video. Neural.
 *
 * Per clip: the keyframe is cropped around the rig's face (LivePortrait's square crop geometry) and
 * resampled to 256 × 256; the appearance feature extractor gives the 3-D feature volume and the motion
 * extractor the source's head pose, translation, expression, scale and canonical keypoints, once. Per
 * frame: the same `animationParams` as the default stage (mouth opening from the speech energy, seeded
 * blinks, roll and sway) become expression deltas on LivePortrait's lip and eye keypoints, an extra
 * roll and a translation; the warping + SPADE generator renders the 512 × 512 face, which is pasted
 * back into the keyframe with a feathered edge. The stitching and retargeting MLPs are not used.
 *
 * I/O names, dtypes and shapes follow the ONNX export script of warmshao/LivePortrait,
 * `export_onnx.py` at commit 2a4bb97215acb3efb574fb377844252a2b0b121d (the files published in
 * huggingface.co/warmshao/FasterLivePortrait `liveportrait_onnx/`; float32, static shapes):
 * - `appearance_feature_extractor.onnx`: `img` [1,3,256,256] → `output` [1,32,16,64,64]
 * - `motion_extractor.onnx`: `img` [1,3,256,256] → `pitch`, `yaw`, `roll` [1,66] (bins), `t` [1,3],
 *   `exp` [1,63], `scale` [1,1], `kp` [1,63]
 * - `warping_spade.onnx`: `feature_3d` [1,32,16,64,64], `kp_driving` [1,21,3], `kp_source` [1,21,3] →
 *   `out` [1,3,512,512] in [0, 1] (LivePortrait's `parse_output` clips to [0, 1])
 * Images go in as RGB in [0, 1] (`prepare_source` in KwaiVGI/LivePortrait src/live_portrait_wrapper.py).
 */
import { AbortError, InvalidInputError } from '../errors.ts'
import { ModelSignatureError, checkSignature, tensor } from '../ai/inference.ts'
import { animationParams } from './animation-stage.ts'
import { cropToPlanar, pastePlanar } from './image-ops.ts'
import type { AbortOptions } from '../options.ts'
import type { InferenceSession, Tensor } from '../ai/inference.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import type { AnimationInput, AnimationOutput } from './animation-stage.ts'
import type { FaceRig, WarpParams } from './animation-warp.ts'
import type { SquareBox } from './image-ops.ts'
import type { RgbaImage, Stage, StageInfo, StageRunOptions } from './stage.ts'
import type { NeuralStageComponents } from './stage-plan.ts'

/** The three models of the stage. */
export type LivePortraitPart = 'appearance' | 'motion' | 'generator'

/** What each model must expose (names from warmshao/LivePortrait export_onnx.py, see the file header). */
export const LIVEPORTRAIT_SIGNATURES: Record<LivePortraitPart, { file: string, inputs: readonly string[], outputs: readonly string[] }> = {
  appearance: { file: 'appearance_feature_extractor.onnx', inputs: ['img'], outputs: ['output'] },
  motion: { file: 'motion_extractor.onnx', inputs: ['img'], outputs: ['pitch', 'yaw', 'roll', 't', 'exp', 'scale', 'kp'] },
  generator: { file: 'warping_spade.onnx', inputs: ['feature_3d', 'kp_driving', 'kp_source'], outputs: ['out'] }
}

/** Side of the models' input image. */
export const LIVEPORTRAIT_INPUT_SIZE = 256
/** Implicit keypoints per face. */
export const LIVEPORTRAIT_NUM_KP = 21
/** Head-pose bins of the motion extractor (3° each, centred so that the mean bin 32.5 is 0°). */
export const HEADPOSE_BINS = 66
/** Bytes of the feature volume [1, 32, 16, 64, 64] float32. */
const FEATURE_BYTES = 32 * 16 * 64 * 64 * 4

/**
 * LivePortrait's lip and eye keypoint indices (`animation_region` "lip" and "eyes" in KwaiVGI/LivePortrait
 * src/live_portrait_pipeline.py, commit cd646290e2dbfcb63a4e2daacf290fd2508bb05d).
 */
export const LIP_KEYPOINTS = [6, 12, 14, 17, 19, 20] as const
export const EYE_KEYPOINTS = [11, 13, 15, 16, 18] as const

/**
 * The mouth opening 0…1 maps onto LivePortrait's "lip close <-> open" expression control (the
 * `lip_variation_three` slider of app.py, range −90…120) at 0…{@link DEFAULT_MOUTH_GAIN}; blink 0…1 maps
 * onto its "wink" control (range 0…39) at 0…{@link DEFAULT_BLINK_GAIN}, applied to both eyes.
 */
export const DEFAULT_MOUTH_GAIN = 120
export const DEFAULT_BLINK_GAIN = 39
/** LivePortrait's source crop: side = 2.5 × the face box, centre moved up by 0.125 × side (src/config/crop_config.py). */
export const DEFAULT_CROP_SCALE = 2.5
export const DEFAULT_CROP_SHIFT_UP = 0.125
/** Width of the paste-back blend ramp, as a fraction of the crop side. */
export const DEFAULT_FEATHER = 0.1

/** The execution providers this stage reports, and the `backend` string for each. */
const BACKENDS = { cpu: 'onnx-cpu', webgpu: 'onnx-webgpu', wasm: 'onnx-wasm' } as const
/** The `backend` of a LivePortrait run: ONNX Runtime and its execution provider. */
export type LivePortraitBackend = typeof BACKENDS[keyof typeof BACKENDS]

/** {@link AnimationOutput} with this stage's backend. */
export interface LivePortraitAnimationOutput extends AnimationOutput {
  backend: LivePortraitBackend
}

/** Thrown when the loaded model lacks one of the stage's files, or is not the manifest the stage was built for. */
export class LivePortraitModelFileError extends Error {
  static override name = 'LivePortraitModelFileError'
  constructor (message: string) {
    super(message)
    this.name = 'LivePortraitModelFileError'
  }
}

/**
 * Dependencies: the shared {@link NeuralStageComponents}: `createSession` (onnxruntime-node's
 * `nodeSessionFactory` or onnxruntime-web) and `loadModel`, called with the init's manifest
 * (e.g. `(m, o) => loadModel(m, { store, ...o })`).
 */
export type LivePortraitComponents = NeuralStageComponents

/** Options of {@link LivePortraitAnimationStage}. */
export interface LivePortraitInit {
  /** The LivePortrait manifest (memory estimate, and the id the loaded files must carry). */
  manifest: ModelManifest
  /** Manifest file paths per model. @default the names in {@link LIVEPORTRAIT_SIGNATURES} */
  files?: Partial<Record<LivePortraitPart, string>>
  /** ONNX Runtime execution provider. @default 'cpu' */
  executionProvider?: keyof typeof BACKENDS
  /** The largest clip the scheduler should plan memory for. @default 384 × 384, 240 frames */
  expected?: { width: number, height: number, frames: number }
  /** Crop side as a multiple of the face box. @default DEFAULT_CROP_SCALE */
  cropScale?: number
  /** Gains of the mouth and blink controls. @default DEFAULT_MOUTH_GAIN, DEFAULT_BLINK_GAIN */
  mouthGain?: number
  blinkGain?: number
  /** Width of the paste-back blend, as a fraction of the crop side. @default DEFAULT_FEATHER */
  feather?: number
}

/** The motion extractor's outputs, head pose in degrees. */
export interface MotionInfo {
  pitch: number
  yaw: number
  roll: number
  /** [tx, ty, tz] */
  t: Float32Array
  /** 21 × 3 expression offsets */
  exp: Float32Array
  scale: number
  /** 21 × 3 canonical keypoints */
  kp: Float32Array
}

/** Softmax over the 66 bins, expectation × 3 − 97.5 (`headpose_pred_to_degree`, KwaiVGI src/utils/camera.py). */
export function headposeDegrees (bins: ArrayLike<number>): number {
  let max = -Infinity
  for (let i = 0; i < bins.length; i++) max = Math.max(max, bins[i]!)
  let sum = 0
  let weighted = 0
  for (let i = 0; i < bins.length; i++) {
    const e = Math.exp(bins[i]! - max)
    sum += e
    weighted += e * i
  }
  return (weighted / sum) * 3 - 97.5
}

/**
 * The 3 × 3 matrix (row-major) that LivePortrait multiplies keypoint rows by: `(Rz · Ry · Rx)ᵀ` with
 * x = pitch, y = yaw, z = roll in degrees (`get_rotation_matrix`, KwaiVGI src/utils/camera.py).
 */
export function rotationMatrix (pitchDeg: number, yawDeg: number, rollDeg: number): Float64Array {
  const [x, y, z] = [pitchDeg, yawDeg, rollDeg].map(d => d / 180 * Math.PI) as [number, number, number]
  const rx = [1, 0, 0, 0, Math.cos(x), -Math.sin(x), 0, Math.sin(x), Math.cos(x)]
  const ry = [Math.cos(y), 0, Math.sin(y), 0, 1, 0, -Math.sin(y), 0, Math.cos(y)]
  const rz = [Math.cos(z), -Math.sin(z), 0, Math.sin(z), Math.cos(z), 0, 0, 0, 1]
  const mul = (a: number[], b: number[]): number[] => {
    const m = new Array<number>(9).fill(0)
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) m[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!
    return m
  }
  const r = mul(mul(rz, ry), rx)
  const out = new Float64Array(9)
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[i * 3 + j] = r[j * 3 + i]!
  return out
}

/** The parts of {@link transformKeypoints}: 21 × 3 keypoints and expression, the row-multiplied rotation. */
export interface KeypointTransform {
  kp: ArrayLike<number>
  rotation: ArrayLike<number>
  exp: ArrayLike<number>
  scale: number
  tx: number
  ty: number
}

/**
 * Keypoints in the image: `scale · (kp · R + exp) + [tx, ty, 0]` (Eqn. 2 of the paper; `transform_keypoint`
 * in KwaiVGI src/live_portrait_wrapper.py applies only tx, ty; the pipeline zeroes tz).
 */
export function transformKeypoints ({ kp, rotation: rot, exp, scale, tx, ty }: KeypointTransform): Float32Array {
  const n = kp.length / 3
  const out = new Float32Array(kp.length)
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < 3; j++) {
      let v = 0
      for (let i = 0; i < 3; i++) v += kp[k * 3 + i]! * rot[i * 3 + j]!
      out[k * 3 + j] = scale * (v + exp[k * 3 + j]!) + (j === 0 ? tx : j === 1 ? ty : 0)
    }
  }
  return out
}

/**
 * The source expression with the frame's mouth opening and blink added, as LivePortrait's image
 * editing does (KwaiVGI src/gradio_pipeline.py, `update_delta_new_lip_variation_three`: keypoint 19 y/z
 * and 17 y; `update_delta_new_wink`: 11 y and 13 y, mirrored onto 15 and 16, the other eye's pair in
 * `update_delta_new_eyeball_direction`).
 */
export function drivenExpression (exp: Float32Array, p: Pick<WarpParams, 'mouthOpen' | 'blink'>, gains: { mouth?: number, blink?: number } = {}): Float32Array {
  const e = Float32Array.from(exp)
  const lip = p.mouthOpen * (gains.mouth ?? DEFAULT_MOUTH_GAIN)
  e[19 * 3 + 1]! += lip * 0.001
  e[19 * 3 + 2]! += lip * 0.0001
  e[17 * 3 + 1]! += lip * -0.0001
  const wink = p.blink * (gains.blink ?? DEFAULT_BLINK_GAIN)
  for (const [upper, lower] of [[11, 13], [15, 16]] as const) {
    e[upper * 3 + 1]! += wink * 0.001
    e[lower * 3 + 1]! += wink * -0.0003
  }
  return e
}

/**
 * LivePortrait's square crop around the face (`parse_rect_from_landmark`, KwaiVGI src/utils/crop.py),
 * with the face box taken from the rig instead of 106 landmarks: cheek to cheek at the mouth, from a
 * brow line 0.35 × (chin − eyes) above the eyes down to the chin.
 */
export function faceCropBox (rig: FaceRig, options: { scale?: number, shiftUp?: number } = {}): SquareBox {
  const scale = options.scale ?? DEFAULT_CROP_SCALE
  const shiftUp = options.shiftUp ?? DEFAULT_CROP_SHIFT_UP
  const eyeY = (rig.leftEyeY + rig.rightEyeY) / 2
  const left = Math.min(rig.mouthX - rig.faceHalfWidth, rig.leftEyeX - rig.eyeHalfWidth, rig.rightEyeX - rig.eyeHalfWidth)
  const right = Math.max(rig.mouthX + rig.faceHalfWidth, rig.leftEyeX + rig.eyeHalfWidth, rig.rightEyeX + rig.eyeHalfWidth)
  const top = eyeY - 0.35 * (rig.chinY - eyeY)
  const bottom = rig.chinY
  const side = Math.max(right - left, bottom - top) * scale
  if (!Number.isFinite(side) || side <= 0) throw new InvalidInputError(`face rig gives an empty crop (side ${side})`, { field: 'rig' })
  const cx = (left + right) / 2
  const cy = (top + bottom) / 2 - shiftUp * side
  return { x: cx - side / 2, y: cy - side / 2, size: side }
}

function expectOutput (model: string, out: Record<string, Tensor>, name: string, dims: readonly number[] | ((d: readonly number[]) => boolean)): Tensor<'float32'> {
  const t = out[name]
  const ok = typeof dims === 'function' ? (d: readonly number[]) => dims(d) : (d: readonly number[]) => d.length === dims.length && d.every((v, i) => v === dims[i])
  if (t === undefined || t.type !== 'float32' || !ok(t.dims)) {
    throw new ModelSignatureError(model, `output "${name}" should be float32 ${typeof dims === 'function' ? '' : `[${dims.join(', ')}]`}, got ${t === undefined ? 'nothing' : `${t.type} [${t.dims.join(', ')}]`}`)
  }
  return t as Tensor<'float32'>
}

/** Reads and checks the motion extractor's outputs. */
export function parseMotion (model: string, out: Record<string, Tensor>): MotionInfo {
  const k3 = LIVEPORTRAIT_NUM_KP * 3
  return {
    pitch: headposeDegrees(expectOutput(model, out, 'pitch', [1, HEADPOSE_BINS]).data),
    yaw: headposeDegrees(expectOutput(model, out, 'yaw', [1, HEADPOSE_BINS]).data),
    roll: headposeDegrees(expectOutput(model, out, 'roll', [1, HEADPOSE_BINS]).data),
    t: Float32Array.from(expectOutput(model, out, 't', [1, 3]).data),
    exp: Float32Array.from(expectOutput(model, out, 'exp', [1, k3]).data),
    scale: expectOutput(model, out, 'scale', [1, 1]).data[0]!,
    kp: Float32Array.from(expectOutput(model, out, 'kp', [1, k3]).data)
  }
}

/** Bytes per frame pixel kept for the encoder (RGBA). */
const BYTES_PER_PIXEL_FRAME = 4

/** The LivePortrait (neural) animation stage. */
export class LivePortraitAnimationStage implements Stage<AnimationInput, LivePortraitAnimationOutput> {
  readonly info: StageInfo = {
    kind: 'animation',
    id: 'liveportrait',
    neural: true,
    description: 'LivePortrait implicit-keypoint renderer (ONNX): lip and eye keypoints driven by speech energy and seeded blinks; neural'
  }

  private readonly components: LivePortraitComponents
  private readonly manifest: ModelManifest
  private readonly files: Record<LivePortraitPart, string>
  private readonly executionProvider: keyof typeof BACKENDS
  private readonly backend: LivePortraitBackend
  private readonly expected: { width: number, height: number, frames: number }
  private readonly cropScale: number
  private readonly gains: { mouth: number, blink: number }
  private readonly feather: number
  private sessions?: Record<LivePortraitPart, InferenceSession>
  private loading?: Promise<void>

  constructor (components: LivePortraitComponents, init: LivePortraitInit) {
    this.components = components
    this.manifest = init.manifest
    this.files = {
      appearance: init.files?.appearance ?? LIVEPORTRAIT_SIGNATURES.appearance.file,
      motion: init.files?.motion ?? LIVEPORTRAIT_SIGNATURES.motion.file,
      generator: init.files?.generator ?? LIVEPORTRAIT_SIGNATURES.generator.file
    }
    this.executionProvider = init.executionProvider ?? 'cpu'
    if (!(this.executionProvider in BACKENDS)) throw new InvalidInputError(`unsupported execution provider "${String(this.executionProvider)}"`, { field: 'executionProvider' })
    this.backend = BACKENDS[this.executionProvider]
    this.expected = init.expected ?? { width: 384, height: 384, frames: 240 }
    this.cropScale = init.cropScale ?? DEFAULT_CROP_SCALE
    this.gains = { mouth: init.mouthGain ?? DEFAULT_MOUTH_GAIN, blink: init.blinkGain ?? DEFAULT_BLINK_GAIN }
    this.feather = init.feather ?? DEFAULT_FEATHER
  }

  /** The manifest's weight/runtime estimate plus the feature volume, the model I/O and the frames kept. */
  memoryEstimateBytes (): number {
    const { width, height, frames } = this.expected
    const io = 3 * LIVEPORTRAIT_INPUT_SIZE * LIVEPORTRAIT_INPUT_SIZE * 4 + 3 * 512 * 512 * 4
    return this.manifest.memory.bytes + FEATURE_BYTES + io + width * height * BYTES_PER_PIXEL_FRAME * (frames + 2)
  }

  async load (options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    if (this.sessions !== undefined) return
    this.loading ??= this.open(options).finally(() => { this.loading = undefined })
    await this.loading
  }

  private async open (options: AbortOptions): Promise<void> {
    const model = await this.components.loadModel(this.manifest, { signal: options.signal })
    if (model.manifest.id !== this.manifest.id) throw new LivePortraitModelFileError(`loaded model "${model.manifest.id}", expected "${this.manifest.id}"`)
    const opened: Partial<Record<LivePortraitPart, InferenceSession>> = {}
    try {
      for (const part of ['appearance', 'motion', 'generator'] as const) {
        options.signal?.throwIfAborted()
        const sig = LIVEPORTRAIT_SIGNATURES[part]
        const path = this.files[part]
        const file = model.files.get(path)
        if (file === undefined) throw new LivePortraitModelFileError(`model "${model.manifest.id}" has no file "${path}" (${part})`)
        const session = await this.components.createSession(file.bytes, { executionProviders: [this.executionProvider], signal: options.signal })
        opened[part] = session
        checkSignature(`${model.manifest.id}/${path}`, session, sig.inputs, sig.outputs)
      }
    } catch (err) {
      await Promise.all(Object.values(opened).map(async s => await s.release()))
      throw err
    }
    this.sessions = opened as Record<LivePortraitPart, InferenceSession>
  }

  async run (input: AnimationInput, options: StageRunOptions = {}): Promise<LivePortraitAnimationOutput> {
    await this.load(options)
    const sessions = this.sessions
    if (sessions === undefined) throw new AbortError('the stage was unloaded during load')
    const signal = options.signal
    const check = (): void => { if (signal?.aborted === true) throw new AbortError() }
    check()
    const id = this.manifest.id
    const params = animationParams(input)
    const box = faceCropBox(input.rig, { scale: this.cropScale })
    const size = LIVEPORTRAIT_INPUT_SIZE
    const img = tensor('float32', cropToPlanar(input.keyframe, box, size), [1, 3, size, size])

    const feature = expectOutput(`${id}/appearance`, await sessions.appearance.run({ img }, { signal }), 'output', d => d.length === 5 && d[0] === 1)
    check()
    const motion = parseMotion(`${id}/motion`, await sessions.motion.run({ img }, { signal }))
    const source = { kp: motion.kp, scale: motion.scale, tx: motion.t[0]!, ty: motion.t[1]! }
    const kpSource = tensor('float32', transformKeypoints({ ...source, rotation: rotationMatrix(motion.pitch, motion.yaw, motion.roll), exp: motion.exp }), [1, LIVEPORTRAIT_NUM_KP, 3])
    options.onProgress?.({ fraction: 0, message: 'source keypoints and features extracted' })

    // Keypoints live in the crop's normalised coordinates: the crop side spans 2 units.
    const pxToKp = 2 / box.size
    const frames: RgbaImage[] = []
    for (let i = 0; i < params.length; i++) {
      check()
      const p = params[i] as WarpParams
      const kpDriving = tensor('float32', transformKeypoints({
        ...source,
        rotation: rotationMatrix(motion.pitch, motion.yaw, motion.roll + p.roll * 180 / Math.PI),
        exp: drivenExpression(motion.exp, p, this.gains),
        tx: source.tx + p.shiftX * pxToKp,
        ty: source.ty + p.shiftY * pxToKp
      }), [1, LIVEPORTRAIT_NUM_KP, 3])
      const out = expectOutput(`${id}/generator`, await sessions.generator.run({ feature_3d: feature, kp_driving: kpDriving, kp_source: kpSource }, { signal }), 'out', d => d.length === 4 && d[0] === 1 && d[1] === 3)
      frames.push(pastePlanar(input.keyframe, { data: out.data, width: out.dims[3]!, height: out.dims[2]! }, box, { feather: this.feather }))
      options.onProgress?.({ fraction: (i + 1) / params.length, message: `frame ${i + 1}/${params.length}` })
    }
    return { frames, params, backend: this.backend }
  }

  async unload (): Promise<void> {
    await this.loading?.catch(() => {})
    const sessions = this.sessions
    this.sessions = undefined
    if (sessions !== undefined) await Promise.all(Object.values(sessions).map(async s => await s.release()))
  }
}
