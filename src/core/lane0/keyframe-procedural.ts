// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The default keyframe stage: a procedural actor portrait, not neural (`portrait.ts`). The look comes
 * from the recipe's prompt and seed; the negative prompt is not used. The portrait is drawn so that
 * the face models shipped in `@vladmandic/human` detect it, and the stage returns the geometry it
 * drew so that the animation stage can warp the mouth and jaw without running a detector.
 */
import { AbortError } from '../errors.ts'
import { portraitParams, portraitRig, renderPortrait } from './portrait.ts'
import type { KeyframeRequest, KeyframeResult } from './pipeline.ts'
import type { PortraitGeometry, PortraitParams } from './portrait.ts'
import type { AbortOptions } from '../options.ts'
import type { Stage, StageInfo, StageRunOptions } from './stage.ts'

export type { PortraitGeometry, PortraitParams, RenderPortraitOptions } from './portrait.ts'
export { portraitParams, portraitRig, renderPortrait } from './portrait.ts'

/** The keyframe, its rig, and the full geometry and look that produced it. */
export interface ProceduralKeyframeResult extends KeyframeResult {
  geometry: PortraitGeometry
  params: PortraitParams
}

/** Options of {@link ProceduralKeyframeStage}. */
export interface ProceduralKeyframeInit {
  /** The largest image the scheduler should plan memory for. @default 512 × 512 */
  maxWidth?: number
  maxHeight?: number
}

/** Bytes per pixel while rendering: the float RGB canvas (24) and the RGBA output (4). */
const BYTES_PER_PIXEL = 28

/** The default (non-neural) keyframe stage. */
export class ProceduralKeyframeStage implements Stage<KeyframeRequest, ProceduralKeyframeResult> {
  readonly info: StageInfo = {
    kind: 'keyframe',
    id: 'procedural-portrait',
    neural: false,
    description: 'procedural portrait, not neural: a shaded face drawn from the prompt and seed'
  }

  private readonly maxPixels: number

  constructor (init: ProceduralKeyframeInit = {}) {
    this.maxPixels = (init.maxWidth ?? 512) * (init.maxHeight ?? 512)
  }

  memoryEstimateBytes (): number {
    return this.maxPixels * BYTES_PER_PIXEL
  }

  async load (options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
  }

  async run (input: KeyframeRequest, options: StageRunOptions = {}): Promise<ProceduralKeyframeResult> {
    const signal = options.signal
    const checkAborted = (): void => { if (signal?.aborted === true) throw new AbortError() }
    checkAborted()
    options.onProgress?.({ fraction: 0, message: 'drawing portrait' })
    const params = portraitParams(input.prompt, input.seed, input.width, input.height)
    const { image, geometry } = renderPortrait(params)
    checkAborted()
    options.onProgress?.({ fraction: 1, message: 'portrait drawn' })
    return { image, rig: portraitRig(geometry), geometry, params }
  }

  async unload (): Promise<void> {}
}
