// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The memory budget of a Lane-0 run: stages are loaded only when their estimated memory fits next to
 * what is already loaded, and idle stages are unloaded, least recently used first, to make room. The
 * original pipeline kept every model resident (11.8 GB); here a budget below the sum of all stages
 * still finishes, with unloads in between.
 *
 * Estimates decide what to load; the measured peak (an injected probe: process RSS plus tracked GPU
 * buffer bytes) is recorded at every load, unload and `sample()` so a run can report and check it.
 */
import type { AbortOptions } from '../options.ts'
import type { Stage } from './stage.ts'

/** Thrown when one stage alone does not fit the budget; names the stage and the numbers. */
export class BudgetExceededError extends Error {
  static override name = 'BudgetExceededError'
  readonly stage: string
  readonly neededBytes: number
  readonly budgetBytes: number
  constructor (stage: string, neededBytes: number, budgetBytes: number, options?: ErrorOptions) {
    super(`Stage ${stage} needs ${Math.ceil(neededBytes / 2 ** 20)} MiB, more than the whole budget of ${Math.floor(budgetBytes / 2 ** 20)} MiB`, options)
    this.name = 'BudgetExceededError'
    this.stage = stage
    this.neededBytes = neededBytes
    this.budgetBytes = budgetBytes
  }
}

/** A load or unload the budget manager did. */
export interface BudgetEvent {
  type: 'load' | 'unload'
  stage: string
  /** Sum of the estimates of loaded stages after the event. */
  loadedBytes: number
  /** Measured memory right after the event. */
  measuredBytes: number
}

/** Construction options of {@link MemoryBudget}. */
export interface MemoryBudgetInit {
  budgetBytes: number
  /** Current memory use (e.g. RSS + tracked GPU bytes); default: nothing measured (0). */
  measure?(): number
  onEvent?(event: BudgetEvent): void
}

type AnyStage = Stage<unknown, unknown>

/**
 * Loads stages within a budget.
 *
 * @example
 * ```ts
 * const budget = new MemoryBudget({ budgetBytes: 512 * 2 ** 20, measure: () => process.memoryUsage().rss })
 * const speech = await budget.use(speechStage, async s => await s.run(input))
 * ```
 */
export class MemoryBudget {
  readonly budgetBytes: number
  private readonly measure: () => number
  private readonly onEvent?: (event: BudgetEvent) => void
  /** Loaded stages in least-recently-used order, with how many callers use each now. */
  private readonly loaded = new Map<AnyStage, { busy: number }>()
  private peak = 0
  readonly events: BudgetEvent[] = []
  private queue: Promise<void> = Promise.resolve()
  private waiters: Array<() => void> = []

  constructor (init: MemoryBudgetInit) {
    this.budgetBytes = init.budgetBytes
    this.measure = init.measure ?? (() => 0)
    this.onEvent = init.onEvent
  }

  /** Highest measured memory seen so far. */
  get peakBytes (): number { return this.peak }

  /** Sum of the estimates of the loaded stages. */
  get loadedBytes (): number {
    let sum = 0
    for (const stage of this.loaded.keys()) sum += stage.memoryEstimateBytes()
    return sum
  }

  /** Starts a new peak from the current measurement (e.g. at the start of each run of a warm pipeline). */
  resetPeak (): void {
    this.peak = 0
    this.sample()
  }

  /** Whether `stage` is loaded now. */
  isLoaded (stage: AnyStage): boolean {
    return this.loaded.has(stage)
  }

  /**
   * Loads `stage` ahead of its first `use` when it fits next to what is loaded already, without
   * unloading anything; leaves it loaded and idle. Returns whether it is loaded (false: it did not fit
   * now and `use` will load it, unloading idle stages as usual). Throws `BudgetExceededError` when it
   * cannot fit even alone.
   */
  async preload (stage: AnyStage, options: AbortOptions = {}): Promise<boolean> {
    const turn = this.queue.then(async () => {
      options.signal?.throwIfAborted()
      if (this.loaded.has(stage)) return true
      const need = stage.memoryEstimateBytes()
      if (need > this.budgetBytes) throw new BudgetExceededError(stage.info.id, need, this.budgetBytes)
      if (this.loadedBytes + need > this.budgetBytes) return false
      await stage.load(options)
      this.loaded.set(stage, { busy: 0 })
      this.record('load', stage)
      return true
    })
    this.queue = turn.then(() => undefined, () => undefined)
    return await turn
  }

  /** Unloads `stage` if it is loaded and idle (e.g. before replacing it); returns whether it was unloaded. */
  async release (stage: AnyStage): Promise<boolean> {
    const turn = this.queue.then(async () => {
      const entry = this.loaded.get(stage)
      if (entry == null || entry.busy > 0) return false
      await this.unload(stage)
      return true
    })
    this.queue = turn.then(() => undefined, () => undefined)
    return await turn
  }

  /** Records the current measurement into the peak; returns it. */
  sample (): number {
    const now = this.measure()
    if (now > this.peak) this.peak = now
    return now
  }

  /**
   * Loads `stage` if needed (unloading idle ones to make room), runs `fn` with it, and leaves it
   * loaded but idle (a later `use` of another stage may unload it).
   */
  async use<S extends AnyStage, T> (stage: S, fn: (stage: S) => Promise<T>, options: AbortOptions = {}): Promise<T> {
    await this.acquire(stage, options)
    try {
      return await fn(stage)
    } finally {
      const entry = this.loaded.get(stage)
      if (entry != null) entry.busy--
      this.sample()
      const waiting = this.waiters
      this.waiters = []
      for (const wake of waiting) wake()
    }
  }

  /** Unloads every idle stage. */
  async releaseAll (): Promise<void> {
    const turn = this.queue.then(async () => {
      for (const [stage, entry] of [...this.loaded]) if (entry.busy === 0) await this.unload(stage)
    })
    this.queue = turn.catch(() => undefined)
    await turn
  }

  private async acquire (stage: AnyStage, options: AbortOptions): Promise<void> {
    // loads and unloads are serialized so two callers never evict each other's stages mid-decision
    const turn = this.queue.then(async () => {
      options.signal?.throwIfAborted()
      const entry = this.loaded.get(stage)
      if (entry != null) {
        entry.busy++
        // most recently used goes last
        this.loaded.delete(stage)
        this.loaded.set(stage, entry)
        return
      }
      const need = stage.memoryEstimateBytes()
      if (need > this.budgetBytes) throw new BudgetExceededError(stage.info.id, need, this.budgetBytes)
      for (;;) {
        for (const [other, e] of [...this.loaded]) {
          if (this.loadedBytes + need <= this.budgetBytes) break
          if (e.busy === 0) await this.unload(other)
        }
        if (this.loadedBytes + need <= this.budgetBytes) break
        // the rest of the budget is held by stages in use: wait until one is released (so parallel
        // stages run one after the other when they do not fit side by side)
        await new Promise<void>((resolve, reject) => {
          this.waiters.push(resolve)
          options.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
        })
        options.signal?.throwIfAborted()
      }
      await stage.load(options)
      this.loaded.set(stage, { busy: 1 })
      this.record('load', stage)
    })
    this.queue = turn.catch(() => undefined)
    await turn
  }

  private async unload (stage: AnyStage): Promise<void> {
    await stage.unload()
    this.loaded.delete(stage)
    this.record('unload', stage)
  }

  private record (type: BudgetEvent['type'], stage: AnyStage): void {
    const event = { type, stage: stage.info.id, loadedBytes: this.loadedBytes, measuredBytes: this.sample() }
    this.events.push(event)
    this.onEvent?.(event)
  }
}
