// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The live player: accepted segments go through a {@link SegmentQueue} into an {@link MseBuffer}; a
 * timer and the element's 'waiting'/'stalled' events run the live-edge policy. It also measures
 * latency (display time minus air time), stalls and time to first frame.
 */
import { TypedEventEmitter } from '../../core/events.ts'
import { ArrivalJitter } from '../../core/media/arrival-jitter.ts'
import { LatencyTracker } from '../../core/media/latency-tracker.ts'
import { decideLiveEdge, resolveLiveEdgeConfig } from '../../core/media/live-edge.ts'
import type { LiveEdgeConfig, SeekReason } from '../../core/media/live-edge.ts'
import { SegmentQueue } from '../../core/media/segment-queue.ts'
import type { QueueAction, QueueSegment, SegmentQueueStats } from '../../core/media/segment-queue.ts'
import { MediaSourceUnsupportedError } from './errors.ts'
import { MseBuffer, canPlayThroughMse } from './mse-buffer.ts'
import { PlaybackMonitor } from './mse-monitor.ts'

/** Window over which the lag floor is taken: a few segment durations, in ms. */
const LAG_WINDOW_MS = 3000

/** Where the player is. */
export type PlayerState = 'waiting' | 'playing' | 'stalled' | 'error'

export interface MsePlayerEvents {
  'state:change': CustomEvent<PlayerState>
  'player:error': CustomEvent<Error>
}

export interface MsePlayerInit {
  /** Live-edge policy overrides. */
  liveEdge?: Partial<LiveEdgeConfig>
  /**
   * How long a segment waits for a missing lower sequence, in ms.
   * @default 0
   */
  jitterMs?: number
  /**
   * Policy timer period, in ms.
   * @default 100
   */
  tickMs?: number
  /**
   * Media kept behind the playhead; older media is removed, in seconds.
   * @default 30
   */
  keepBehindSec?: number
  /**
   * Start muted (browsers only autoplay muted media).
   * @default true
   */
  muted?: boolean
}

export interface MsePlayerStats {
  state: PlayerState
  /** Latest display latency, ms. */
  latencyMs?: number
  latencyP50?: number
  latencyP99?: number
  stalls: { count: number, longestMs: number }
  /** Media buffered ahead of the playhead, s. */
  bufferedAheadSec: number
  /** The jitter buffer the policy keeps (adapts to the arrival spread), s. */
  jitterBufferSec: number
  /** Player start to first rendered frame, ms. */
  ttffMs?: number
  framesDecoded: number
  framesDropped: number
  /** Seeks made by the live-edge policy, by reason. */
  seeks: Record<SeekReason, number>
  queue: SegmentQueueStats
  muted: boolean
  /** Message of the last error while the state is 'error'. */
  error?: string
}

/** Plays a live channel from accepted segments through Media Source Extensions. */
export class MsePlayer extends TypedEventEmitter<MsePlayerEvents> {
  /** Hex payload hashes actually appended to the media buffer, in order (tests read it). */
  readonly appendedLog: string[] = []
  readonly video: HTMLVideoElement
  private config: LiveEdgeConfig
  /** Set when the caller fixed the jitter buffer (`liveEdge.targetLatencySec`); else it adapts. */
  private readonly fixedTarget: boolean
  private readonly arrivals = new ArrivalJitter()
  private readonly queue: SegmentQueue
  private readonly buffer: MseBuffer
  private readonly latency = new LatencyTracker()
  private readonly monitor: PlaybackMonitor
  private readonly tickMs: number
  private readonly keepBehindSec: number
  private readonly seeks: Record<SeekReason, number> = { join: 0, gap: 0, stall: 0, live: 0 }
  private work: Promise<void> = Promise.resolve()
  private timer?: ReturnType<typeof setInterval>
  private queueTimer?: ReturnType<typeof setTimeout>
  private joinAt?: number
  private joined = false
  private pendingActions = 0
  private joinedAtMs = 0
  private lagSamples: Array<[atMs: number, lagSec: number]> = []
  private broken = false
  private lastTrimMs = 0
  private stateValue: PlayerState = 'waiting'
  private lastError?: Error

  constructor (video: HTMLVideoElement, init: MsePlayerInit = {}) {
    super()
    this.video = video
    this.config = resolveLiveEdgeConfig(init.liveEdge)
    this.fixedTarget = init.liveEdge?.targetLatencySec != null
    this.queue = new SegmentQueue({ jitterMs: init.jitterMs })
    this.buffer = new MseBuffer(video)
    this.monitor = new PlaybackMonitor(video, {
      onFrame: () => { this.tick() },
      onWaiting: () => { this.tick() },
      onError: err => { this.fail(err) }
    })
    this.tickMs = init.tickMs ?? 100
    this.keepBehindSec = init.keepBehindSec ?? 30
    video.muted = init.muted ?? true
    // The policy starts playback itself (after the join seek and the jitter hold): no autoplay.
    video.autoplay = false
    video.playsInline = true
  }

  get state (): PlayerState {
    return this.stateValue
  }

  get muted (): boolean {
    return this.video.muted
  }

  /** Starts the policy timer. Throws MediaSourceUnsupportedError without MSE. */
  start (): void {
    if (!canPlayThroughMse()) throw new MediaSourceUnsupportedError()
    if (this.timer != null) return
    this.monitor.start()
    this.timer = setInterval(() => { this.tick() }, this.tickMs)
  }

  /** Stops timers and detaches the stream. */
  stop (): void {
    clearInterval(this.timer)
    clearTimeout(this.queueTimer)
    this.timer = undefined
    this.monitor.stop()
    this.buffer.close()
  }

  /** Takes an accepted segment (any order, duplicates allowed). */
  push (segment: QueueSegment): void {
    const now = Date.now()
    // The segment fetched at join is older than live arrivals: only live ones measure the path.
    if (segment.header.kind === 'media' && this.joined) {
      this.arrivals.add(now, segment.header.airTimeUs)
      if (!this.fixedTarget) this.config = { ...this.config, targetLatencySec: this.arrivals.targetSec() }
    }
    this.run(this.queue.push(segment, now))
  }

  /** Init segment hashes (hex) that held media needs: fetch them by hash and {@link push} them. */
  missingInits (): string[] {
    return this.queue.missingInits()
  }

  setMuted (muted: boolean): void {
    this.video.muted = muted
    if (!muted && this.video.paused && this.joined) this.play()
  }

  stats (): MsePlayerStats {
    const latency = this.latency.stats()
    const quality = this.video.getVideoPlaybackQuality?.()
    const end = this.buffer.buffered.at(-1)?.[1] ?? 0
    return {
      state: this.stateValue,
      latencyMs: latency.currentMs,
      latencyP50: latency.p50Ms,
      latencyP99: latency.p99Ms,
      stalls: this.monitor.stalls(),
      bufferedAheadSec: Math.max(0, end - this.video.currentTime),
      jitterBufferSec: this.config.targetLatencySec,
      ttffMs: this.monitor.ttffMs,
      framesDecoded: quality?.totalVideoFrames ?? 0,
      framesDropped: quality?.droppedVideoFrames ?? 0,
      seeks: { ...this.seeks },
      queue: this.queue.stats(),
      muted: this.video.muted,
      error: this.stateValue === 'error' ? this.lastError?.message : undefined
    }
  }

  private run (actions: QueueAction[]): void {
    for (const action of actions) {
      this.pendingActions++
      this.work = this.work.then(() => this.apply(action)).catch(err => { this.fail(err as Error) })
        .finally(() => { this.pendingActions-- })
    }
    clearTimeout(this.queueTimer)
    const deadline = this.queue.nextDeadline()
    if (deadline != null) this.queueTimer = setTimeout(() => { this.run(this.queue.poll(Date.now())) }, Math.max(0, deadline - Date.now()))
  }

  private async apply (action: QueueAction): Promise<void> {
    if (action.type === 'init') {
      const codec = action.segment.header.codec
      if (action.reset || this.broken || !this.buffer.isOpen || codec !== this.buffer.codec) {
        await this.buffer.open(codec)
        this.monitor.markProgress(performance.now())
        this.setState('waiting')
        this.latency.resetTimeline()
        this.joined = false
        this.joinAt = undefined
        this.lagSamples = []
        this.broken = false
      }
      await this.buffer.append(action.segment.payload)
    } else if (action.type === 'media') {
      const h = action.segment.header
      await this.buffer.append(action.segment.payload)
      this.appendedLog.push(action.segment.hash)
      this.latency.addSegment(h)
      const start = Number(h.timestampUs) / 1e6
      if (!this.joined && h.keyframe && (this.joinAt == null || start > this.joinAt)) this.joinAt = start
      // Join as soon as a backlog is in (at its newest keyframe); later appends wait for the timer, so
      // that the element can resume by itself first.
      if (!this.joined && this.pendingActions === 1) this.tick()
    }
  }

  private tick (): void {
    const v = this.video
    const now = performance.now()
    const progress = this.monitor.sample(now)
    if (progress.advanced && !v.paused && this.stateValue !== 'playing' && this.monitor.ttffMs != null) this.setState('playing')
    if (progress.stalled && this.stateValue === 'playing') this.setState('stalled')
    if (!this.buffer.isOpen) return

    const ranges = this.buffer.buffered
    const decision = decideLiveEdge({
      ranges,
      currentTime: v.currentTime,
      paused: v.paused,
      waiting: progress.waiting,
      sinceProgressMs: progress.sinceProgressMs,
      playbackRate: v.playbackRate,
      lagFloorSec: this.lagFloor(now, ranges.at(-1)?.[1]),
      sinceJoinMs: this.joined ? now - this.joinedAtMs : undefined,
      joinAt: this.joined ? undefined : this.joinAt
    }, this.config)
    if (decision.type === 'seek') {
      this.seeks[decision.reason]++
      if (decision.reason === 'join') {
        this.joined = true
        this.joinedAtMs = now
      }
      v.currentTime = decision.to
      this.lagSamples = []
      this.monitor.markProgress(now)
    } else if (decision.type === 'play') {
      this.play()
    } else if (decision.type === 'rate' && v.playbackRate !== decision.rate) {
      v.playbackRate = decision.rate
    }

    if (this.joined && !v.paused && this.monitor.ttffMs != null) this.latency.measure(v.currentTime, Date.now())
    this.trim(now, ranges[0]?.[0])
  }

  /** Lowest lag behind the newest buffered end over the last {@link LAG_WINDOW_MS}. */
  private lagFloor (now: number, end: number | undefined): number | undefined {
    if (end == null) return undefined
    this.lagSamples.push([now, end - this.video.currentTime])
    while ((this.lagSamples[0]?.[0] ?? now) < now - LAG_WINDOW_MS) this.lagSamples.shift()
    return Math.min(...this.lagSamples.map(([, lag]) => lag))
  }

  private play (): void {
    this.video.play().catch((err: Error) => {
      // Unmuted autoplay may be refused without a user gesture: fall back to muted playback.
      if (err.name === 'NotAllowedError' && !this.video.muted) {
        this.video.muted = true
        this.play()
      }
    })
  }

  private trim (now: number, bufferedStart: number | undefined): void {
    if (now - this.lastTrimMs < 5000 || bufferedStart == null) return
    this.lastTrimMs = now
    const until = this.video.currentTime - this.keepBehindSec
    if (until > bufferedStart + 1) this.buffer.remove(0, until).catch(err => { this.fail(err as Error) })
  }

  private fail (err: Error): void {
    // A stream replaced by a newer one rejects its queued appends as 'closed': nothing failed.
    if (err.name === 'AppendError' && (err as { reason?: string }).reason === 'closed' && this.video.error == null) return
    this.lastError = err
    // The buffer is unusable after a failed append: start over at the next init segment.
    this.broken = true
    this.queue.reset()
    this.setState('error')
    this.safeDispatchEvent('player:error', { detail: err })
  }

  private setState (state: PlayerState): void {
    if (state === this.stateValue) return
    this.stateValue = state
    this.safeDispatchEvent('state:change', { detail: state })
  }
}
