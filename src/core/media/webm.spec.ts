// SPDX-License-Identifier: GPL-3.0-or-later
import { readFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { WebmParseError } from './errors.ts'
import { WebmSplitter, inspectWebm, webmCodecString } from './webm.ts'
import type { WebmChunk } from './webm.ts'

const CLUSTER_ID = [0x1F, 0x43, 0xB6, 0x75]
let fixture: Uint8Array

beforeAll(async () => {
  fixture = new Uint8Array(await readFile(new URL('../../../test/fixtures/testsrc-4s.webm', import.meta.url)))
})

/** Deterministic PRNG (mulberry32), so a failing split can be replayed. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function splitAll (bytes: Uint8Array, pieceSize: () => number): WebmChunk[] {
  const splitter = new WebmSplitter()
  const out: WebmChunk[] = []
  for (let offset = 0; offset < bytes.length;) {
    const n = Math.max(1, Math.min(pieceSize(), bytes.length - offset))
    out.push(...splitter.push(bytes.subarray(offset, offset + n)))
    offset += n
  }
  return out.concat(splitter.flush())
}

/** An element with an 8-byte size (or the unknown-size marker when `size` is `'unknown'`). */
function el (id: number, payload: Uint8Array | number[], size: number | 'unknown' = payload.length): Uint8Array {
  const idBytes: number[] = []
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v % 256)
  const sizeBytes = size === 'unknown' ? [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] : [0x01, 0, 0, 0, 0, 0, 0, 0]
  if (size !== 'unknown') for (let i = 7, s = size; i >= 1; i--, s = Math.floor(s / 256)) sizeBytes[i] = s % 256
  return Uint8Array.from([...idBytes, ...sizeBytes, ...payload])
}

function cat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((offset, p) => { out.set(p, offset); return offset + p.length }, 0)
  return out
}

/** Chunks with their bytes replaced by length + FNV-1a hash: deep-equal on 100 KB arrays is slow. */
function summary (chunks: WebmChunk[]): object[] {
  return chunks.map(c => ({ ...c, bytes: `${c.bytes.length}:${fnv1a(c.bytes)}` }))
}

function fnv1a (bytes: Uint8Array): number {
  let h = 0x811C9DC5
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193)
  return h >>> 0
}

/** Payload of a complete Cluster chunk (after its header). */
function clusterPayload (bytes: Uint8Array): Uint8Array {
  const sizeLength = Math.clz32(bytes[4] ?? 0) - 23
  return bytes.subarray(4 + sizeLength)
}

describe('WebmSplitter', () => {
  it('should split the fixture into init + one media chunk per 1 s cluster', () => {
    const chunks = splitAll(fixture, () => fixture.length)
    expect(chunks.map(c => c.kind)).toEqual(['init', 'media', 'media', 'media', 'media'])
    const [init, ...media] = chunks
    expect(init?.timestampUs).toBe(0n)
    expect(inspectWebm(init?.bytes ?? new Uint8Array())).toBe('init')
    let previous: bigint | undefined
    for (const chunk of media) {
      expect([...chunk.bytes.subarray(0, 4)]).toEqual(CLUSTER_ID)
      expect(chunk.keyframe).toBe(true)
      expect(Math.abs(chunk.durationUs - 1_000_000)).toBeLessThan(50_000)
      expect(inspectWebm(chunk.bytes)).toBe('media')
      if (previous !== undefined) expect(Number(chunk.timestampUs - previous)).toBeCloseTo(1_000_000, -5)
      previous = chunk.timestampUs
    }
    const total = chunks.reduce((n, c) => n + c.bytes.length, 0)
    expect(total).toBeGreaterThan(fixture.length * 0.99)
  })

  it('should yield the same chunks whatever the piece sizes (1 B to 64 KiB)', () => {
    const whole = summary(splitAll(fixture, () => fixture.length))
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = random(seed)
      const max = [1, 7, 512, 4096, 65_536][seed - 1] ?? 65_536
      expect(summary(splitAll(fixture, () => 1 + Math.floor(rnd() * max)))).toEqual(whole)
    }
    expect(summary(splitAll(fixture, () => 1))).toEqual(whole)
  })

  it('should handle unknown-size clusters with Cues, Tags and Void between them', () => {
    const [init, ...media] = splitAll(fixture, () => fixture.length)
    const stream = cat(
      init?.bytes ?? new Uint8Array(),
      ...media.flatMap(m => [el(0x1F43B675, clusterPayload(m.bytes), 'unknown'), el(0xEC, [0, 0, 0])]),
      el(0x1C53BB6B, [0xBB, 0x80]),
      el(0x1254C367, [])
    )
    for (const seed of [7, 8]) {
      const rnd = random(seed)
      const chunks = splitAll(stream, () => 1 + Math.floor(rnd() * 3000))
      expect(chunks.map(c => c.kind)).toEqual(['init', 'media', 'media', 'media', 'media'])
      // The trailing Void belongs to each open cluster; everything else must match the known-size split.
      chunks.slice(1).forEach((chunk, i) => {
        const expected = media[i]
        expect(inspectWebm(chunk.bytes)).toBe('media')
        const payload = { ...chunk, bytes: clusterPayload(chunk.bytes).subarray(0, -12) }
        expect(summary([payload])).toEqual(summary([{ ...chunk, bytes: clusterPayload(expected?.bytes ?? chunk.bytes) }]))
        expect({ ...chunk, bytes: undefined }).toEqual({ ...expected, bytes: undefined })
      })
    }
  })

  it('should treat a BlockGroup without ReferenceBlock as a keyframe', () => {
    const [init] = splitAll(fixture, () => fixture.length)
    const block = (time: number): number[] => [0x81, time >> 8, time & 0xFF, 0x00, 0xAA]
    const timecode = el(0xE7, [0x13, 0x88]) // 5000 ms
    const key = el(0x1F43B675, cat(timecode, el(0xA0, el(0xA1, block(0))), el(0xA3, block(42))))
    const delta = el(0x1F43B675, cat(timecode, el(0xA0, cat(el(0xA1, block(0)), el(0xFB, [0xD6])))))
    const chunks = splitAll(cat(init?.bytes ?? new Uint8Array(), key, delta), () => 100)
    expect(chunks.map(c => [c.kind, c.keyframe, c.timestampUs])).toEqual([
      ['init', false, 0n], ['media', true, 5_000_000n], ['media', false, 5_000_000n]
    ])
    // 42 ms of blocks + one 41.67 ms frame (the fixture's DefaultDuration).
    expect(chunks[1]?.durationUs).toBe(83_667)
  })

  it('should throw WebmParseError on garbage and keep failing', () => {
    const garbage = new TextEncoder().encode('<!doctype html><html>not a video</html>')
    const splitter = new WebmSplitter()
    expect(() => splitter.push(garbage)).toThrow(WebmParseError)
    expect(() => splitter.push(fixture)).toThrow(WebmParseError)
    expect(() => new WebmSplitter().push(new Uint8Array(64))).toThrow(expect.objectContaining({ reason: 'bad-vint' }))
    const rnd = random(42)
    const noise = Uint8Array.from({ length: 4096 }, () => Math.floor(rnd() * 256))
    expect(() => new WebmSplitter().push(noise)).toThrow(WebmParseError)
    const junkInSegment = cat(fixture.subarray(0, 501), Uint8Array.of(0x42, 0x86, 0x81, 0x01))
    expect(() => new WebmSplitter().push(junkInSegment)).toThrow(expect.objectContaining({ reason: 'unexpected-element' }))
  })

  it('should reject elements larger than maxElementBytes without buffering them', () => {
    const splitter = new WebmSplitter({ maxElementBytes: 10_000 })
    expect(() => splitter.push(fixture.subarray(0, 600))).toThrow(expect.objectContaining({ name: 'WebmParseError', reason: 'oversize' }))
    const huge = cat(fixture.subarray(0, 501), Uint8Array.of(0x1F, 0x43, 0xB6, 0x75, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF))
    expect(() => new WebmSplitter().push(huge)).toThrow(expect.objectContaining({ reason: 'oversize' }))
  })
})

describe('inspectWebm', () => {
  it('should classify init, media and anything else', () => {
    const [init, first] = splitAll(fixture, () => fixture.length)
    expect(inspectWebm(init?.bytes ?? new Uint8Array())).toBe('init')
    expect(inspectWebm(first?.bytes ?? new Uint8Array())).toBe('media')
    expect(inspectWebm(first?.bytes.subarray(0, -1) ?? new Uint8Array())).toBe('unknown')
    expect(inspectWebm(fixture.subarray(0, 200))).toBe('unknown')
    expect(inspectWebm(new Uint8Array())).toBe('unknown')
    expect(inspectWebm(new Uint8Array(16))).toBe('unknown')
  })
})

describe('webmCodecString', () => {
  it('should derive the MSE type from the Tracks CodecIDs', () => {
    const [init] = splitAll(fixture, () => fixture.length)
    expect(webmCodecString(init?.bytes ?? new Uint8Array())).toBe('video/webm; codecs="vp8, opus"')
    expect(() => webmCodecString(fixture.subarray(0, 100))).toThrow(expect.objectContaining({ reason: 'no-tracks' }))
  })
})
