// SPDX-License-Identifier: GPL-3.0-or-later
/** The Node encode stage: {@link encodeClipFfmpeg} behind the Lane-0 stage contract. */
import { checkFfmpeg } from './ffmpeg-source.ts'
import { encodeClipFfmpeg } from './ffmpeg-encode.ts'
import type { EncodeRequest, EncodeResult } from '../../core/lane0/pipeline.ts'
import type { Stage, StageInfo, StageRunOptions } from '../../core/lane0/stage.ts'
import type { AbortOptions } from '../../core/options.ts'

/** Debian ffmpeg (libvpx VP8 + libopus) writing the streaming segment format. */
export class FfmpegEncodeStage implements Stage<EncodeRequest, EncodeResult> {
  readonly info: StageInfo = { kind: 'encode', id: 'ffmpeg-vp8-opus', neural: false, description: 'VP8 + Opus WebM in 1 s keyframe-first segments (Debian ffmpeg); not neural' }
  private readonly ffmpegPath: string
  private checked = false

  constructor (init: { ffmpegPath?: string } = {}) {
    this.ffmpegPath = init.ffmpegPath ?? 'ffmpeg'
  }

  /** ffmpeg runs in its own process; this process holds the finished file (a few MB). */
  memoryEstimateBytes (): number { return 32 * 2 ** 20 }

  async load (options: AbortOptions = {}): Promise<void> {
    if (this.checked) return
    await checkFfmpeg(this.ffmpegPath, options)
    this.checked = true
  }

  async run (input: EncodeRequest, options: StageRunOptions = {}): Promise<EncodeResult> {
    options.onProgress?.({ fraction: 0, message: 'encoding' })
    const clip = await encodeClipFfmpeg({ ...input, ffmpegPath: this.ffmpegPath }, options)
    options.onProgress?.({ fraction: 1, message: `${clip.segments.length - 1} segments` })
    return { webm: clip.webm, segments: clip.segments }
  }

  async unload (): Promise<void> {}
}
