// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser (page or worker) wiring of the LivePortrait animation stage (src/core/lane0/animation-liveportrait.ts),
 * the twin of `nodeAnimationStage` in src/platform/node/production-stages.ts: onnxruntime-web sessions
 * ({@link browserSessionFactory}) and the model files through the registry (`loadModel`: download,
 * sha256 verified, cached by {@link browserModelStore}). Run by the generation panel's animation worker
 * (workers/lane0-stage.worker.ts) when a recipe pins LivePortrait; tested in Chromium by e2e/generate.spec.ts.
 */
import type { SessionFactory } from '../../core/ai/inference.ts'
import { LivePortraitAnimationStage } from '../../core/lane0/animation-liveportrait.ts'
import type { LivePortraitInit } from '../../core/lane0/animation-liveportrait.ts'
import { browserModelFiles } from './model-files.ts'
import type { BrowserModelFilesInit } from './model-files.ts'
import { browserSessionFactory } from './onnx-session.ts'
import type { BrowserSessionInit } from './onnx-session.ts'

/** Where the browser LivePortrait stage gets its parts; `manifest` and `wasmPaths` are required. */
export interface BrowserLivePortraitInit extends Omit<LivePortraitInit, 'executionProvider'>, BrowserModelFilesInit {
  /** URL prefix (or file URLs) of the onnxruntime-web `dist` files, as for {@link browserSessionFactory}. */
  wasmPaths: BrowserSessionInit['wasmPaths']
  /** WASM threads when cross-origin isolated. @default as {@link browserSessionFactory} */
  numThreads?: number
  /**
   * The one execution provider the three sessions run on (LivePortrait asks for one, no fallback).
   * @default 'wasm' (the CPU kernels, available everywhere onnxruntime-web runs)
   */
  executionProvider?: 'wasm' | 'webgpu'
  /** @default browserSessionFactory({ wasmPaths, numThreads }) */
  createSession?: SessionFactory
}

/** The LivePortrait animation stage for the browser. */
export function browserLivePortraitAnimation (init: BrowserLivePortraitInit): LivePortraitAnimationStage {
  return new LivePortraitAnimationStage({
    createSession: init.createSession ?? browserSessionFactory({ wasmPaths: init.wasmPaths, numThreads: init.numThreads }),
    loadModel: browserModelFiles(init)
  }, { ...init, executionProvider: init.executionProvider ?? 'wasm' })
}
