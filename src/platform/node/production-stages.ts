// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Node: the Lane-0 stages of a {@link StagePlan} (src/core/lane0/stage-plan.ts), and the manifest
 * lookup over a models folder that {@link planStages} reads.
 *
 * - Defaults: eSpeak NG speech (`nodeEspeakSpeech`), the procedural portrait, the audio-driven warp
 *   (on the given WebGPU device, else the CPU), ffmpeg encode.
 * - Production: Kokoro-82M (eSpeak NG as its G2P), SD-Turbo (rigged by the FaceMesh detector of
 *   `face-rig.ts`, loaded on the first keyframe and closed by {@link NodeStages.close}), LivePortrait;
 *   all on onnxruntime-node, their files through the model registry (`loadModel` + `FsModelStore`:
 *   downloaded once, sha256-verified, cached).
 *
 * @example
 * ```ts
 * const plan = planStages(recipe.pins, await loadManifestsFrom('models'))
 * const { stages, close } = createNodeStages(plan, { expected: recipeShape(recipe) })
 * try { await runLane0(recipe, stages, { budget }) } finally { await budget.releaseAll(); await close() }
 * ```
 */
import { readFile, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseModelManifest } from '../../core/ai/manifest.ts'
import type { ModelManifest } from '../../core/ai/manifest.ts'
import { loadModel } from '../../core/ai/model-loader.ts'
import type { FetchLike, LoadModelOptions, ModelStore, ReadPackageFile } from '../../core/ai/model-loader.ts'
import type { SessionFactory } from '../../core/ai/inference.ts'
import { InvalidInputError } from '../../core/errors.ts'
import { LivePortraitAnimationStage } from '../../core/lane0/animation-liveportrait.ts'
import { WarpAnimationStage } from '../../core/lane0/animation-stage.ts'
import { ProceduralKeyframeStage } from '../../core/lane0/keyframe-procedural.ts'
import { SdTurboKeyframeStage } from '../../core/lane0/keyframe-sdturbo.ts'
import type { RigDetector } from '../../core/lane0/keyframe-sdturbo.ts'
import type { Lane0Stages } from '../../core/lane0/pipeline.ts'
import type { KokoroPhonemizer } from '../../core/lane0/speech-kokoro.ts'
import type { AnimationPlan, ManifestLookup, ModelFilesProvider, NeuralStageComponents, StagePlan } from '../../core/lane0/stage-plan.ts'
import type { AbortOptions } from '../../core/options.ts'
import { FfmpegEncodeStage } from './encode-stage.ts'
import { nodeEspeakSpeech } from './espeak.ts'
import { createNodeRigDetector } from './face-rig.ts'
import type { NodeRigDetector } from './face-rig.ts'
import { nodeKokoroSpeech } from './kokoro.ts'
import { FsModelStore, defaultModelCacheDir, nodePackageFileReader } from './model-cache.ts'
import { nodeSessionFactory } from './onnx-session.ts'

/** The manifest file of a model id inside a models folder. */
export function manifestPath (dir: string, id: string): string {
  return join(dir, id, 'manifest.json')
}

/**
 * Reads every `<dir>/<id>/manifest.json` (folders without one are skipped) and returns a
 * {@link ManifestLookup} by folder name; its `where` names the file looked for.
 *
 * @throws InvalidInputError when the folder cannot be read, or a manifest is not valid JSON or not a
 *   valid manifest (the message names the file)
 */
export async function loadManifestsFrom (dir: string, options: AbortOptions = {}): Promise<ManifestLookup> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    throw new InvalidInputError(`Cannot read the models folder ${dir}: ${(err as Error).message}`, { field: 'modelsDir', cause: err })
  }
  const manifests = new Map<string, ModelManifest>()
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    options.signal?.throwIfAborted()
    const file = manifestPath(dir, entry.name)
    let text: string
    try {
      text = await readFile(file, { encoding: 'utf8', signal: options.signal })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw err
    }
    try {
      manifests.set(entry.name, parseModelManifest(JSON.parse(text)))
    } catch (err) {
      throw new InvalidInputError(`${file}: ${(err as Error).message}`, { field: (err as InvalidInputError).field ?? 'manifest', cause: err })
    }
  }
  return Object.assign((id: string) => manifests.get(id), { where: (id: string) => manifestPath(dir, id) })
}

/** Options of {@link createNodeStages}; only `expected` is required. */
export interface NodeStagesOptions {
  /** The clip shape the animation stage plans its memory for (e.g. `recipeShape(recipe)` of src/app/lane0-node.ts). */
  expected: { width: number, height: number, frames: number }
  /** The default warp's WebGPU device; absent: the CPU warp. */
  device?: GPUDevice
  /** Model cache folder. @default defaultModelCacheDir() */
  cacheDir?: string
  /** @default the global fetch */
  fetch?: FetchLike
  /** Never download: every model file must already be cached. @default false */
  offline?: boolean
  /** @default nodePackageFileReader() resolving from this file (the project's node_modules) */
  readPackageFile?: ReadPackageFile
  /** Download and verification progress of the production models' files. */
  onModelProgress?: LoadModelOptions['onProgress']
  /** @default nodeSessionFactory (onnxruntime-node, CPU) */
  createSession?: SessionFactory
  /** Kokoro's G2P. @default nodeEspeakPhonemizer() */
  phonemize?: KokoroPhonemizer
  /** SD-Turbo's rig detector. @default the FaceMesh detector (createNodeRigDetector), created on first use */
  detectRig?: RigDetector
  /** @default 'ffmpeg' */
  ffmpegPath?: string
}

/** The stages of a plan and what to release after the last run (the stages themselves unload through the budget). */
export interface NodeStages {
  stages: Lane0Stages
  /** Closes what the stages share outside their load/unload (the rig detector); idempotent. */
  close(): Promise<void>
}

const globalFetch: FetchLike = async (url, init) => await fetch(url, init)

/** `loadModel` bound to a store, fetch and package reader: the {@link ModelFilesProvider} the production stages take. */
export function nodeModelFiles (init: { store: ModelStore, fetch?: FetchLike, offline?: boolean, readPackageFile?: ReadPackageFile, onProgress?: LoadModelOptions['onProgress'] }): ModelFilesProvider {
  return async (manifest, options) => await loadModel(manifest, {
    store: init.store,
    fetch: init.fetch ?? globalFetch,
    readPackageFile: init.readPackageFile ?? nodePackageFileReader(dirname(fileURLToPath(import.meta.url))),
    offline: init.offline ?? false,
    onProgress: init.onProgress,
    signal: options.signal
  })
}

/**
 * The animation stage of a plan for one clip shape (a pipeline whose recipe changes shape replaces
 * only this stage). `components` defaults to onnxruntime-node and the registry on `options.cacheDir`.
 */
export function nodeAnimationStage (plan: AnimationPlan, options: Pick<NodeStagesOptions, 'expected' | 'device' | 'cacheDir' | 'fetch' | 'offline' | 'readPackageFile' | 'onModelProgress' | 'createSession'>, components?: NeuralStageComponents): Lane0Stages['animation'] {
  if (plan.kind === 'liveportrait') {
    const c = components ?? {
      createSession: options.createSession ?? nodeSessionFactory,
      loadModel: nodeModelFiles({ store: new FsModelStore(options.cacheDir ?? defaultModelCacheDir()), fetch: options.fetch, offline: options.offline, readPackageFile: options.readPackageFile, onProgress: options.onModelProgress })
    }
    return new LivePortraitAnimationStage(c, { manifest: plan.manifest, expected: options.expected })
  }
  const device = options.device
  return new WarpAnimationStage(device !== undefined ? { device: async () => device } : {}, options.expected)
}

/**
 * The Lane-0 stages of `plan` in this process: the production stage where the plan names one, the
 * offline default elsewhere, and the ffmpeg encoder.
 */
export function createNodeStages (plan: StagePlan, options: NodeStagesOptions): NodeStages {
  const store = new FsModelStore(options.cacheDir ?? defaultModelCacheDir())
  const createSession = options.createSession ?? nodeSessionFactory
  const modelFiles = nodeModelFiles({ store, fetch: options.fetch, offline: options.offline, readPackageFile: options.readPackageFile, onProgress: options.onModelProgress })
  let detector: Promise<NodeRigDetector> | undefined
  const detectRig: RigDetector = options.detectRig ?? (async (image, runOptions) => {
    detector ??= createNodeRigDetector({}, runOptions).catch((err: unknown) => { detector = undefined; throw err })
    return await (await detector).detect(image, runOptions)
  })

  const speech: Lane0Stages['speech'] = plan.speech.kind === 'kokoro'
    ? nodeKokoroSpeech({
      manifest: plan.speech.manifest,
      store,
      createSession,
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      ...(options.offline !== undefined ? { offline: options.offline } : {}),
      ...(options.readPackageFile !== undefined ? { readPackageFile: options.readPackageFile } : {}),
      ...(options.onModelProgress !== undefined ? { onModelProgress: options.onModelProgress } : {}),
      ...(options.phonemize !== undefined ? { phonemize: options.phonemize } : {})
    })
    : nodeEspeakSpeech({ store })
  const keyframe: Lane0Stages['keyframe'] = plan.keyframe.kind === 'sd-turbo'
    ? new SdTurboKeyframeStage({ createSession, loadModel: modelFiles, detectRig }, { manifests: plan.keyframe.manifests })
    : new ProceduralKeyframeStage()
  const animation = nodeAnimationStage(plan.animation, options, { createSession, loadModel: modelFiles })
  const encode = new FfmpegEncodeStage(options.ffmpegPath !== undefined ? { ffmpegPath: options.ffmpegPath } : {})
  return {
    stages: { speech, keyframe, animation, encode },
    close: async () => {
      const pending = detector
      detector = undefined
      if (pending !== undefined) await (await pending.catch(() => undefined))?.close()
    }
  }
}
