// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { toHex } from '../wire/hash.ts'
import { SegmentQueue } from './segment-queue.ts'
import type { QueueAction, QueueSegment } from './segment-queue.ts'

const CODEC = 'video/webm; codecs="vp8, opus"'
const AIR0 = 1_700_000_000_000_000n

function bytes (tag: number): Uint8Array {
  return new Uint8Array(32).fill(tag)
}

function init (tag: number, airTimeUs = AIR0): QueueSegment {
  return {
    hash: toHex(bytes(tag)),
    payload: new Uint8Array([tag]),
    header: { kind: 'init', sequence: 0n, codec: CODEC, timestampUs: 0n, durationUs: 0, keyframe: false, airTimeUs, initHash: new Uint8Array(32) }
  }
}

/** Media segment `seq` of the stream whose init is `initTag`, 1 s long; `restart` shifts air time. */
function media (seq: number, initTag = 1, airShiftSec = 0): QueueSegment {
  const hash = `${initTag.toString(16).padStart(2, '0')}${airShiftSec}-${seq}`
  return {
    hash,
    payload: new Uint8Array([seq]),
    header: {
      kind: 'media',
      sequence: BigInt(seq),
      codec: CODEC,
      timestampUs: BigInt(seq) * 1_000_000n,
      durationUs: 1_000_000,
      keyframe: true,
      airTimeUs: AIR0 + BigInt(seq + airShiftSec) * 1_000_000n,
      initHash: bytes(initTag)
    }
  }
}

function summary (actions: QueueAction[]): string[] {
  return actions.map(a => a.type === 'media'
    ? `m${a.segment.header.sequence}`
    : a.type === 'init' ? `${a.reset ? 'reset' : 'init'}:${a.segment.hash.slice(0, 2)}` : `gap${a.from}-${a.to}`)
}

describe('SegmentQueue', () => {
  it('should append the init before its first media segment', () => {
    const q = new SegmentQueue()
    expect(q.push(init(1), 0)).toEqual([])
    expect(summary(q.push(media(1), 0))).toEqual(['init:01', 'm1'])
    expect(summary(q.push(media(2), 0))).toEqual(['m2'])
    expect(q.currentInit).toBe(toHex(bytes(1)))
  })

  it('should hold media until its init arrives and report the missing init', () => {
    const q = new SegmentQueue()
    expect(q.push(media(5), 0)).toEqual([])
    expect(q.push(media(6), 0)).toEqual([])
    expect(q.missingInits()).toEqual([toHex(bytes(1))])
    expect(summary(q.push(init(1), 10))).toEqual(['init:01', 'm5', 'm6'])
    expect(q.missingInits()).toEqual([])
  })

  it('should drop duplicates and segments older than the last appended', () => {
    const q = new SegmentQueue()
    q.push(init(1), 0)
    q.push(media(3), 0)
    expect(q.push(media(3), 0)).toEqual([])
    expect(q.push(init(1), 0)).toEqual([])
    expect(q.push(media(2), 0)).toEqual([])
    expect(q.stats()).toMatchObject({ appended: 1, duplicates: 2, stale: 1 })
  })

  it('should skip a gap at once with no jitter window', () => {
    const q = new SegmentQueue()
    q.push(init(1), 0)
    q.push(media(1), 0)
    expect(summary(q.push(media(3), 0))).toEqual(['gap2-2', 'm3'])
    expect(q.stats().skipped).toBe(1)
  })

  it('should hold a segment for the jitter window and reorder a late one', () => {
    const q = new SegmentQueue({ jitterMs: 300 })
    q.push(init(1), 0)
    q.push(media(1), 0)
    expect(q.push(media(3), 100)).toEqual([])
    expect(q.nextDeadline()).toBe(400)
    expect(summary(q.push(media(2), 250))).toEqual(['m2', 'm3'])
    expect(q.nextDeadline()).toBeUndefined()
  })

  it('should not wait on a sequence skipped by a repeated init when the media is continuous', () => {
    const q = new SegmentQueue({ jitterMs: 300 })
    q.push(init(1), 0)
    expect(summary(q.push(media(1), 0))).toEqual(['init:01', 'm1'])
    // sequence 2 went to the slot's repeated init; media 3 starts where media 1 ends
    const m3 = media(3)
    m3.header.timestampUs = 2_000_000n
    expect(summary(q.push(m3, 10))).toEqual(['m3'])
  })

  it('should skip the gap once the jitter window has passed', () => {
    const q = new SegmentQueue({ jitterMs: 300 })
    q.push(init(1), 0)
    q.push(media(1), 0)
    q.push(media(3), 100)
    q.push(media(4), 200)
    expect(q.poll(399)).toEqual([])
    expect(summary(q.poll(400))).toEqual(['gap2-2', 'm3', 'm4'])
    expect(q.push(media(2), 500)).toEqual([])
  })

  it('should cap the jitter window', () => {
    expect(new SegmentQueue({ jitterMs: 5000 }).jitterMs).toBe(500)
  })

  it('should signal a reset on a new init hash and ignore late copies of the old stream', () => {
    const q = new SegmentQueue()
    q.push(init(1), 0)
    q.push(media(1), 0)
    q.push(media(2), 0)
    q.push(init(2), 0)
    // the restarted producer starts its timeline over, later in air time
    expect(summary(q.push(media(0, 2, 10), 0))).toEqual(['reset:02', 'm0'])
    expect(q.push(media(3, 1), 0)).toEqual([])
    expect(q.stats()).toMatchObject({ resets: 1, stale: 1 })
  })

  it('should reset when the same init restarts its timeline later in air time', () => {
    const q = new SegmentQueue()
    q.push(init(1), 0)
    q.push(media(5), 0)
    expect(summary(q.push(media(0, 1, 20), 0))).toEqual(['reset:01', 'm0'])
  })

  it('should drop the oldest pending segments beyond the limit', () => {
    const q = new SegmentQueue({ maxPending: 2 })
    q.push(media(1), 0)
    q.push(media(2), 0)
    q.push(media(3), 0)
    expect(q.stats().overflow).toBe(1)
    expect(summary(q.push(init(1), 0))).toEqual(['init:01', 'm2', 'm3'])
  })

  it('should start over after reset()', () => {
    const q = new SegmentQueue()
    q.push(init(1), 0)
    q.push(media(1), 0)
    q.reset()
    expect(summary(q.push(media(2), 0))).toEqual(['init:01', 'm2'])
  })
})
