// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { fixtureSegments, testSigner } from '../../../test/utils/segments.ts'
import { SegmentFetchError } from './errors.ts'
import { decodeFetchRequest, decodeFetchResponse, encodeFetchRequest, encodeFetchResponse } from './fetch-codec.ts'
import { ByteRateLimiter } from './rate-limiter.ts'
import { MemorySegmentStore } from './segment-store.ts'
import { SequenceTracker } from './sequence-tracker.ts'
import { channelOfTopic, videoTopic } from './topics.ts'

describe('fetch codec', () => {
  it('should round-trip requests and responses', () => {
    const hash = new Uint8Array(32).fill(9)
    expect(decodeFetchRequest(encodeFetchRequest({ type: 'by-hash', hash }))).toEqual({ type: 'by-hash', hash })
    expect(decodeFetchRequest(encodeFetchRequest({ type: 'live', channel: 'test' }))).toEqual({ type: 'live', channel: 'test' })
    const messages = [new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)]
    expect(decodeFetchResponse(encodeFetchResponse({ type: 'found', messages }))).toEqual({ type: 'found', messages })
    expect(decodeFetchResponse(encodeFetchResponse({ type: 'not-found' }))).toEqual({ type: 'not-found' })
  })

  it('should reject trailing, truncated and unknown-variant bytes', () => {
    const req = encodeFetchRequest({ type: 'by-hash', hash: new Uint8Array(32) })
    for (const bad of [Uint8Array.of(...req, 0), req.subarray(0, 20), Uint8Array.of(7, 1, 2)]) {
      expect(() => decodeFetchRequest(bad)).toThrow(SegmentFetchError)
    }
    const res = encodeFetchResponse({ type: 'found', messages: [new Uint8Array(300)] })
    expect(() => decodeFetchResponse(res.subarray(0, res.byteLength - 10))).toThrow(SegmentFetchError)
  })
})

describe('segment store', () => {
  it('should answer the live head (init + newest keyframe) and evict oldest first', async () => {
    const segs = await fixtureSegments(testSigner(3))
    const store = new MemorySegmentStore({ maxSegments: 3 })
    for (const s of segs) store.put(s)
    const live = store.live('test')
    expect(live.map(s => s.hash)).toEqual([segs[0]!.hash, segs.at(-1)!.hash])
    expect(store.size).toBeLessThanOrEqual(3)
    expect(store.has(segs[0]!.hash)).toBe(true) // the init is pinned while it is the newest
    expect(store.has(segs[1]!.hash)).toBe(false)
    expect(store.live('other')).toEqual([])
  })
})

describe('sequence tracker', () => {
  it('should tell new, duplicate and replayed sequences apart', () => {
    const t = new SequenceTracker({ window: 4 })
    expect(t.check('k', 10n)).toBe('new')
    t.mark('k', 10n)
    expect(t.check('k', 10n)).toBe('duplicate')
    expect(t.check('k', 8n)).toBe('new') // late but inside the window
    t.mark('k', 20n)
    expect(t.check('k', 16n)).toBe('replay')
    expect(t.check('k', 17n)).toBe('new')
    expect(t.check('other', 1n)).toBe('new')
  })
})

describe('byte rate limiter', () => {
  it('should let a 2 Mbit/s channel through and stop a flood', () => {
    const limiter = new ByteRateLimiter({ bytesPerSec: 1_000_000, burstBytes: 2_000_000 })
    // 250 KB each second for a minute: never limited
    for (let s = 0; s < 60; s++) expect(limiter.take('honest', 250_000, s * 1000)).toBe(true)
    // 10 MB at once from one peer: limited after the burst
    let ok = 0
    for (let i = 0; i < 40; i++) if (limiter.take('flood', 250_000, 0)) ok++
    expect(ok).toBe(8)
  })
})

describe('topics', () => {
  it('should name one versioned topic per channel', () => {
    expect(videoTopic('test')).toBe('/nsn/video/2.0.0/test')
    expect(channelOfTopic('/nsn/video/2.0.0/news-1')).toBe('news-1')
    expect(channelOfTopic('/nsn/video/1.0.0/test')).toBeUndefined()
    expect(() => videoTopic('Bad Name')).toThrow(/Invalid channel/)
  })
})
