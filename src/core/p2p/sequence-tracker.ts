// SPDX-License-Identifier: GPL-3.0-or-later
import { SEQUENCE_WINDOW } from './constants.ts'

export type SequenceVerdict = 'new' | 'duplicate' | 'replay'

interface ProducerWindow {
  max: bigint
  seen: Set<bigint>
}

/**
 * Remembers the recent sequence numbers of each (channel, producer): a sequence already accepted is a
 * duplicate, one more than `window` below the newest is a replay. Both are ignored, not rejected:
 * an honest peer may forward a late copy.
 */
export class SequenceTracker {
  private readonly window: bigint
  private readonly producers = new Map<string, ProducerWindow>()

  constructor (init: { window?: number } = {}) {
    this.window = BigInt(init.window ?? SEQUENCE_WINDOW)
  }

  check (key: string, sequence: bigint): SequenceVerdict {
    const w = this.producers.get(key)
    if (w == null) return 'new'
    if (w.seen.has(sequence)) return 'duplicate'
    if (sequence + this.window <= w.max) return 'replay'
    return 'new'
  }

  mark (key: string, sequence: bigint): void {
    let w = this.producers.get(key)
    if (w == null) {
      w = { max: sequence, seen: new Set() }
      this.producers.set(key, w)
    }
    w.seen.add(sequence)
    if (sequence > w.max) w.max = sequence
    for (const s of w.seen) {
      if (s + this.window <= w.max) w.seen.delete(s)
    }
  }
}
