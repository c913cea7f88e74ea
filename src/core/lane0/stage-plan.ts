// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Which stage runs each Lane-0 step, decided from a recipe's `pins` before anything loads. Pure and
 * platform-free: manifests come from an injected lookup (Node: `loadManifestsFrom(dir)` in
 * src/platform/node/production-stages.ts, which reads `<dir>/<id>/manifest.json`).
 *
 * Rules ({@link planStages}):
 * - every pinned id must have a manifest ({@link PinnedModelNotFoundError}) whose `id` is the pinned id
 *   and whose weights file ({@link pinnedWeightsFile}: the first entry of `files` whose path ends in
 *   `.onnx`) has the pinned sha256 in the manifest ({@link PinnedModelMismatchError}); the model loader
 *   then checks every downloaded byte against the manifest's hashes, so a pin reaches the weights;
 * - the manifest's `task` says which step the model drives, its signature's input names which model it
 *   is: speech with Kokoro's inputs (`input_ids`, `style`, `speed`) → Kokoro-82M; keyframe models are
 *   SD-Turbo's text encoder (`input_ids`), unet (`sample`, `timestep`, `encoder_hidden_states`) and VAE
 *   decoder (`latent_sample`), all three needed ({@link InvalidStagePinsError}); animation with
 *   LivePortrait's inputs (`img`, or the generator's `feature_3d`, `kp_driving`, `kp_source`) →
 *   LivePortrait. Anything else (another task, runtime or signature) has no stage here
 *   ({@link UnsupportedPinnedModelError});
 * - a step without pins runs its offline default.
 *
 * Also here: {@link NeuralStageComponents}, the one shape in which the platform hands the production
 * stages their runtime and model loader.
 */
import type { SessionFactory } from '../ai/inference.ts'
import type { ModelFile, ModelManifest } from '../ai/manifest.ts'
import type { LoadedModel } from '../ai/model-loader.ts'
import type { AbortOptions } from '../options.ts'
import { LIVEPORTRAIT_SIGNATURES } from './animation-liveportrait.ts'
import { SD_TURBO_IO } from './keyframe-sdturbo.ts'
import type { SdTurboManifests } from './keyframe-sdturbo.ts'
import type { Recipe } from './recipe.ts'
import { KOKORO_INPUTS } from './speech-kokoro.ts'

/** Loads (downloads, verifies) the files of a manifest: `loadModel` bound to a store, fetch and package reader. */
export type ModelFilesProvider = (manifest: ModelManifest, options: AbortOptions) => Promise<LoadedModel>

/**
 * What every production (neural) stage gets from the platform; each stage adds its own extras
 * (Kokoro: `phonemize`; SD-Turbo: `detectRig`).
 */
export interface NeuralStageComponents {
  /** Creates an inference session from `.onnx` bytes (Node: onnxruntime-node; browser: onnxruntime-web). */
  createSession: SessionFactory
  /** The verified files of a manifest (the stage passes its own manifest or manifests). */
  loadModel: ModelFilesProvider
}

/** A recipe's pins. */
export type RecipePins = Recipe['pins']

/**
 * The parsed manifest of a model id, or undefined when there is none. `where` (optional) says where the
 * manifest of an id is looked for (e.g. a file path), for {@link PinnedModelNotFoundError}.
 */
export interface ManifestLookup {
  (id: string): ModelManifest | undefined
  where?: (id: string) => string
}

/** The speech step: eSpeak NG (default) or Kokoro-82M. */
export type SpeechPlan = { kind: 'default' } | { kind: 'kokoro', manifest: ModelManifest }
/** The keyframe step: the procedural portrait (default) or SD-Turbo's three sub-models. */
export type KeyframePlan = { kind: 'default' } | { kind: 'sd-turbo', manifests: SdTurboManifests }
/** The animation step: the audio-driven warp (default) or LivePortrait. */
export type AnimationPlan = { kind: 'default' } | { kind: 'liveportrait', manifest: ModelManifest }

/** Which stage runs each step (encode is always the platform's encoder). */
export interface StagePlan {
  speech: SpeechPlan
  keyframe: KeyframePlan
  animation: AnimationPlan
}

/** Thrown when a pinned model id has no manifest. */
export class PinnedModelNotFoundError extends Error {
  static override name = 'PinnedModelNotFoundError'
  readonly id: string
  /** Where the manifest was looked for. */
  readonly where: string
  constructor (id: string, where: string) {
    super(`The recipe pins model "${id}", which has no manifest (looked for ${where})`)
    this.name = 'PinnedModelNotFoundError'
    this.id = id
    this.where = where
  }
}

/** Thrown when a pinned model's manifest does not match the pin: another id, or another weights sha256. */
export class PinnedModelMismatchError extends Error {
  static override name = 'PinnedModelMismatchError'
  readonly id: string
  /** `sha256`: the weights file's sha256 differs; `id`: the manifest found is of another model. */
  readonly reason: 'sha256' | 'id'
  /** What the pin says and what the manifest says. */
  readonly pinned: string
  readonly actual: string
  constructor (id: string, reason: 'sha256' | 'id', pinned: string, actual: string, file?: string) {
    super(reason === 'sha256'
      ? `The recipe pins model "${id}" at sha256 ${pinned}, but its manifest's weights file ${file ?? ''} has sha256 ${actual}`
      : `The recipe pins model "${id}", but the manifest found for it is of model "${actual}"`)
    this.name = 'PinnedModelMismatchError'
    this.id = id
    this.reason = reason
    this.pinned = pinned
    this.actual = actual
  }
}

/** Thrown when a pinned model exists but no Lane-0 stage of this project can run it. */
export class UnsupportedPinnedModelError extends Error {
  static override name = 'UnsupportedPinnedModelError'
  readonly id: string
  constructor (id: string, why: string) {
    super(`The recipe pins model "${id}", which no Lane-0 stage runs: ${why}`)
    this.name = 'UnsupportedPinnedModelError'
    this.id = id
  }
}

/** Thrown when the pins of one step do not make one stage: a missing SD-Turbo sub-model, or two models for one role. */
export class InvalidStagePinsError extends Error {
  static override name = 'InvalidStagePinsError'
  readonly step: keyof StagePlan
  readonly reason: 'missing-part' | 'duplicate'
  constructor (step: keyof StagePlan, reason: 'missing-part' | 'duplicate', message: string) {
    super(message)
    this.name = 'InvalidStagePinsError'
    this.step = step
    this.reason = reason
  }
}

/**
 * The file a pin's sha256 refers to: the first entry of the manifest's `files` (in manifest order)
 * whose path ends in `.onnx`. Kokoro: `model.onnx`; each SD-Turbo sub-model: its one `.onnx`;
 * LivePortrait: `appearance_feature_extractor.onnx` (the other files are bound by the manifest's own
 * sha256 list, which `loadModel` enforces).
 *
 * @throws UnsupportedPinnedModelError when the manifest lists no `.onnx` file
 */
export function pinnedWeightsFile (manifest: ModelManifest): ModelFile {
  const file = manifest.files.find(f => f.path.endsWith('.onnx'))
  if (file === undefined) throw new UnsupportedPinnedModelError(manifest.id, 'its manifest lists no .onnx weights file')
  return file
}

type SdTurboRole = keyof SdTurboManifests
const SD_TURBO_ROLES: readonly SdTurboRole[] = ['textEncoder', 'unet', 'vaeDecoder']

const hasInputs = (manifest: ModelManifest, names: readonly string[]): boolean =>
  names.every(n => manifest.signature.inputs.some(i => i.name === n))

/** The step and (for SD-Turbo) role a verified manifest drives; throws when none. */
function classify (manifest: ModelManifest): { step: 'speech' } | { step: 'keyframe', role: SdTurboRole } | { step: 'animation' } {
  const id = manifest.id
  if (!manifest.runtime.startsWith('onnxruntime')) throw new UnsupportedPinnedModelError(id, `its runtime is ${manifest.runtime}; the production stages run ONNX models`)
  const inputs = manifest.signature.inputs.map(i => i.name).join(', ')
  switch (manifest.task) {
    case 'speech':
      if (hasInputs(manifest, KOKORO_INPUTS)) return { step: 'speech' }
      throw new UnsupportedPinnedModelError(id, `a speech model needs Kokoro's inputs (${KOKORO_INPUTS.join(', ')}); its signature has [${inputs}]`)
    case 'keyframe': {
      const roles = SD_TURBO_ROLES.filter(r => hasInputs(manifest, SD_TURBO_IO[r].inputs))
      if (roles.length === 1) return { step: 'keyframe', role: roles[0]! }
      throw new UnsupportedPinnedModelError(id, `a keyframe model must be one of SD-Turbo's text encoder (input_ids), unet (sample, timestep, encoder_hidden_states) or VAE decoder (latent_sample); its signature has [${inputs}]`)
    }
    case 'animation':
      if (hasInputs(manifest, LIVEPORTRAIT_SIGNATURES.appearance.inputs) || hasInputs(manifest, LIVEPORTRAIT_SIGNATURES.generator.inputs)) return { step: 'animation' }
      throw new UnsupportedPinnedModelError(id, `an animation model needs LivePortrait's inputs (img, or feature_3d, kp_driving, kp_source); its signature has [${inputs}]`)
    default:
      throw new UnsupportedPinnedModelError(id, `its task is ${manifest.task}, which is not a Lane-0 generation step`)
  }
}

/**
 * Checks the pins against their manifests and decides each step's stage.
 *
 * @throws PinnedModelNotFoundError, PinnedModelMismatchError, UnsupportedPinnedModelError, InvalidStagePinsError
 * @example
 * ```ts
 * const plan = planStages(recipe.pins, await loadManifestsFrom('models'))
 * // { speech: { kind: 'kokoro', manifest }, keyframe: { kind: 'default' }, animation: { kind: 'default' } }
 * ```
 */
export function planStages (pins: RecipePins, lookup: ManifestLookup): StagePlan {
  let speech: ModelManifest | undefined
  let animation: ModelManifest | undefined
  const sd: Partial<SdTurboManifests> = {}
  for (const pin of pins.models) {
    const manifest = lookup(pin.id)
    if (manifest === undefined) throw new PinnedModelNotFoundError(pin.id, lookup.where?.(pin.id) ?? `the manifest lookup, id "${pin.id}"`)
    if (manifest.id !== pin.id) throw new PinnedModelMismatchError(pin.id, 'id', pin.id, manifest.id)
    const weights = pinnedWeightsFile(manifest)
    if (weights.sha256 !== pin.sha256) throw new PinnedModelMismatchError(pin.id, 'sha256', pin.sha256, weights.sha256, weights.path)
    const use = classify(manifest)
    const duplicate = (step: keyof StagePlan, what: string, other: ModelManifest): InvalidStagePinsError =>
      new InvalidStagePinsError(step, 'duplicate', `The recipe pins two ${what} models: "${other.id}" and "${manifest.id}"`)
    if (use.step === 'speech') {
      if (speech !== undefined) throw duplicate('speech', 'Kokoro speech', speech)
      speech = manifest
    } else if (use.step === 'animation') {
      if (animation !== undefined) throw duplicate('animation', 'LivePortrait animation', animation)
      animation = manifest
    } else {
      const other = sd[use.role]
      if (other !== undefined) throw duplicate('keyframe', `SD-Turbo ${use.role}`, other)
      sd[use.role] = manifest
    }
  }
  let keyframe: KeyframePlan = { kind: 'default' }
  const found = SD_TURBO_ROLES.filter(r => sd[r] !== undefined)
  if (found.length > 0) {
    const missing = SD_TURBO_ROLES.filter(r => sd[r] === undefined)
    if (missing.length > 0) {
      throw new InvalidStagePinsError('keyframe', 'missing-part', `SD-Turbo needs three pinned models (textEncoder, unet, vaeDecoder); the recipe pins ${found.map(r => `${r} "${sd[r]!.id}"`).join(', ')} and lacks ${missing.join(', ')}`)
    }
    keyframe = { kind: 'sd-turbo', manifests: sd as SdTurboManifests }
  }
  return {
    speech: speech === undefined ? { kind: 'default' } : { kind: 'kokoro', manifest: speech },
    keyframe,
    animation: animation === undefined ? { kind: 'default' } : { kind: 'liveportrait', manifest: animation }
  }
}
