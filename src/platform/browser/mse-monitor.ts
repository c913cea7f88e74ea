// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Watches a video element for progress, stalls and the first rendered frame, for {@link MsePlayer}.
 */
import { AppendError } from './errors.ts'

/** No progress for this long while playing counts as a stall even without a 'waiting' event, in ms. */
const STALL_DETECT_MS = 1000

/** Smallest move of currentTime that counts as progress, in seconds. */
const MIN_PROGRESS_SEC = 0.03

export interface PlaybackMonitorCallbacks {
  /** The first frame was rendered. */
  onFrame: () => void
  /** The element reported 'waiting' or 'stalled'. */
  onWaiting: () => void
  /** The element failed to decode. */
  onError: (err: Error) => void
}

/** What changed since the last {@link PlaybackMonitor.sample}. */
export interface ProgressSample {
  /** currentTime moved. */
  advanced: boolean
  /** The element waits for data (event or no progress while playing). */
  waiting: boolean
  /** A stall is under way (only counted after the first frame). */
  stalled: boolean
  sinceProgressMs: number
}

/** Progress, stall and first-frame bookkeeping for one video element. */
export class PlaybackMonitor {
  /** Player start to first rendered frame, ms. */
  ttffMs?: number
  private readonly video: HTMLVideoElement
  private readonly callbacks: PlaybackMonitorCallbacks
  private startedAt = 0
  private lastTime = -1
  private lastProgressAt = 0
  private waitingFlag = false
  private stallStart?: number
  private stallCount = 0
  private longestMs = 0
  private frameHandle?: number
  private readonly listeners: Array<[string, () => void]>

  constructor (video: HTMLVideoElement, callbacks: PlaybackMonitorCallbacks) {
    this.video = video
    this.callbacks = callbacks
    const waiting = (): void => {
      if (video.seeking) return
      // Take the progress made up to now first, so that it does not end the stall that starts here.
      const now = performance.now()
      this.sample(now)
      this.waitingFlag = true
      if (this.ttffMs != null) this.stallStart ??= now
      callbacks.onWaiting()
    }
    const error = (): void => {
      const e = video.error
      if (e != null) callbacks.onError(new AppendError('decode', `Playback failed: ${e.message !== '' ? e.message : `media error ${e.code}`}`))
    }
    this.listeners = [['waiting', waiting], ['stalled', callbacks.onWaiting], ['error', error], ['playing', () => {
      if (!('requestVideoFrameCallback' in video)) this.firstFrame()
    }]]
  }

  start (): void {
    this.startedAt = performance.now()
    this.lastProgressAt = this.startedAt
    for (const [type, fn] of this.listeners) this.video.addEventListener(type, fn)
    if ('requestVideoFrameCallback' in this.video) {
      this.frameHandle = this.video.requestVideoFrameCallback(() => { this.firstFrame() })
    }
  }

  stop (): void {
    for (const [type, fn] of this.listeners) this.video.removeEventListener(type, fn)
    if (this.frameHandle != null) this.video.cancelVideoFrameCallback(this.frameHandle)
  }

  /** Reads the element; call it on every policy tick. */
  sample (now: number): ProgressSample {
    const v = this.video
    // Chromium nudges currentTime by a few ms while it waits: that is no progress.
    const advanced = Math.abs(v.currentTime - this.lastTime) >= MIN_PROGRESS_SEC
    if (advanced) this.markProgress(now)
    else if (!v.paused && this.ttffMs != null && now - this.lastProgressAt >= STALL_DETECT_MS) this.stallStart ??= this.lastProgressAt
    return {
      advanced,
      waiting: this.waitingFlag || this.stallStart != null,
      stalled: this.stallStart != null,
      sinceProgressMs: now - this.lastProgressAt
    }
  }

  /** Records progress (also after a seek by the policy), ending any stall. */
  markProgress (now: number): void {
    this.lastTime = this.video.currentTime
    this.lastProgressAt = now
    this.waitingFlag = false
    if (this.stallStart != null) {
      this.stallCount++
      this.longestMs = Math.max(this.longestMs, now - this.stallStart)
      this.stallStart = undefined
    }
  }

  /** Stall periods so far (an ongoing one included). */
  stalls (): { count: number, longestMs: number } {
    const ongoing = this.stallStart != null ? performance.now() - this.stallStart : undefined
    return {
      count: this.stallCount + (ongoing != null ? 1 : 0),
      longestMs: Math.round(Math.max(this.longestMs, ongoing ?? 0))
    }
  }

  private firstFrame (): void {
    if (this.ttffMs != null) return
    this.ttffMs = Math.round(performance.now() - this.startedAt)
    this.callbacks.onFrame()
  }
}
