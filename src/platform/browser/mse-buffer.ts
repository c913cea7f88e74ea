// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * One MediaSource with one SourceBuffer (mode 'segments') attached to a video element. Appends and
 * removals run one at a time, each awaiting 'updateend'; a full buffer is trimmed and the append retried.
 */
import type { TimeRange } from '../../core/media/live-edge.ts'
import { AppendError, MediaSourceUnsupportedError } from './errors.ts'

type MediaSourceCtor = typeof MediaSource

function mediaSourceCtor (): MediaSourceCtor | undefined {
  const g = globalThis as { MediaSource?: MediaSourceCtor, ManagedMediaSource?: MediaSourceCtor }
  return g.MediaSource ?? g.ManagedMediaSource
}

/** True when the browser can play `codec` (an MSE mime type) through Media Source Extensions. */
export function canPlayThroughMse (codec?: string): boolean {
  const ctor = mediaSourceCtor()
  return ctor != null && (codec == null || ctor.isTypeSupported(codec))
}

export interface MseBufferInit {
  /**
   * Media kept behind the playhead when the buffer is full, in seconds.
   * @default 10
   */
  quotaKeepSec?: number
}

/** A MediaSource + SourceBuffer pair for one stream; {@link open} again for a new stream. */
export class MseBuffer {
  readonly quotaKeepSec: number
  private readonly video: HTMLVideoElement
  private source?: SourceBuffer
  private chain: Promise<unknown> = Promise.resolve()
  private codecValue?: string
  private generation = 0

  constructor (video: HTMLVideoElement, init: MseBufferInit = {}) {
    this.video = video
    this.quotaKeepSec = init.quotaKeepSec ?? 10
  }

  /** Codec of the open stream. */
  get codec (): string | undefined {
    return this.codecValue
  }

  get isOpen (): boolean {
    return this.source != null
  }

  /** Buffered ranges of the open stream, in media seconds. */
  get buffered (): TimeRange[] {
    const ranges: TimeRange[] = []
    const b = this.video.buffered
    for (let i = 0; i < b.length; i++) ranges.push([b.start(i), b.end(i)])
    return ranges
  }

  /** Attaches a fresh MediaSource for `codec` to the video, dropping any previous stream. */
  async open (codec: string): Promise<void> {
    const Ctor = mediaSourceCtor()
    if (Ctor == null) throw new MediaSourceUnsupportedError()
    if (!Ctor.isTypeSupported(codec)) throw new MediaSourceUnsupportedError(`This browser cannot play ${codec}`, { codec })
    const generation = ++this.generation
    this.source = undefined
    const mediaSource = new Ctor()
    const url = URL.createObjectURL(mediaSource)
    // ManagedMediaSource (Safari) only opens with remote playback disabled.
    this.video.disableRemotePlayback = true
    this.video.src = url
    await new Promise<void>(resolve => { mediaSource.addEventListener('sourceopen', () => { resolve() }, { once: true }) })
    URL.revokeObjectURL(url)
    if (generation !== this.generation) return
    const source = mediaSource.addSourceBuffer(codec)
    source.mode = 'segments'
    this.source = source
    this.codecValue = codec
    this.chain = Promise.resolve()
  }

  /** Appends bytes once earlier operations finished. */
  append (data: Uint8Array): Promise<void> {
    return this.enqueue(async source => {
      try {
        await update(source, () => { source.appendBuffer(data as Uint8Array<ArrayBuffer>) })
      } catch (err) {
        if ((err as Error).name !== 'QuotaExceededError') throw err
        // Full: drop what is well behind the playhead and try once more.
        const until = this.video.currentTime - this.quotaKeepSec
        const start = this.buffered[0]?.[0]
        if (start == null || until <= start) throw new AppendError('quota', 'Media buffer is full', { cause: err })
        await update(source, () => { source.remove(0, until) })
        await update(source, () => { source.appendBuffer(data as Uint8Array<ArrayBuffer>) })
          .catch((cause: unknown) => { throw new AppendError('quota', 'Media buffer is full', { cause }) })
      }
    })
  }

  /** Removes buffered media in `[start, end)` seconds. */
  remove (start: number, end: number): Promise<void> {
    return this.enqueue(source => end > start ? update(source, () => { source.remove(start, end) }) : Promise.resolve())
  }

  /** Detaches the stream from the video. */
  close (): void {
    this.generation++
    this.source = undefined
    this.codecValue = undefined
    this.video.removeAttribute('src')
    this.video.load()
  }

  private enqueue (op: (source: SourceBuffer) => Promise<void>): Promise<void> {
    const generation = this.generation
    const run = async (): Promise<void> => {
      const source = this.source
      if (source == null || generation !== this.generation) throw new AppendError('closed', 'The media buffer was closed')
      await op(source)
    }
    const result = this.chain.then(run, run)
    this.chain = result.catch(() => undefined)
    return result
  }
}

/** Runs `start` (appendBuffer/remove) and resolves on 'updateend'. */
function update (source: SourceBuffer, start: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => { off(); resolve() }
    const failed = (): void => { off(); reject(new AppendError('decode', 'The browser rejected a media segment')) }
    const aborted = (): void => { off(); reject(new AppendError('closed', 'The media buffer was closed')) }
    const off = (): void => {
      source.removeEventListener('updateend', done)
      source.removeEventListener('error', failed)
      source.removeEventListener('abort', aborted)
    }
    source.addEventListener('updateend', done)
    source.addEventListener('error', failed)
    source.addEventListener('abort', aborted)
    try {
      start()
    } catch (err) {
      off()
      const name = (err as Error).name
      reject(name === 'QuotaExceededError' ? err : new AppendError(name === 'InvalidStateError' ? 'closed' : 'decode', (err as Error).message, { cause: err }))
    }
  })
}
