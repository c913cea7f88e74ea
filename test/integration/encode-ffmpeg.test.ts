// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Node encode stage with Debian's ffmpeg: warped test-card frames + a tone become the streaming
 * segment format; ffprobe checks streams, duration and frame rate; the output is reproducible.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { warpFrameCpu } from '../../src/core/lane0/animation-warp.ts'
import { encodeClipFfmpeg } from '../../src/platform/node/ffmpeg-encode.ts'
import { testCard } from '../utils/warp-test-card.ts'
import type { RgbaImage } from '../../src/core/lane0/stage.ts'

const run = promisify(execFile)
const FPS = 24
const DURATION = 4
const SIZE = 192

function* frames (): Generator<RgbaImage> {
  const { image, rig } = testCard(SIZE)
  for (let i = 0; i < DURATION * FPS; i++) {
    yield warpFrameCpu(image, rig, { mouthOpen: 0.5 + 0.5 * Math.sin(i / 3), blink: i % 40 < 3 ? 1 : 0, roll: 0.02 * Math.sin(i / 20), shiftX: 0, shiftY: 0 })
  }
}

function tone (seconds: number, rate = 22050): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.3 * Math.sin(2 * Math.PI * 220 * i / rate))
}

describe('encodeClipFfmpeg', () => {
  it('should encode A+V of the requested duration and fps into keyframe-first 1 s segments, reproducibly', async () => {
    const input = { fps: FPS, width: SIZE, height: SIZE, durationSec: DURATION, audio: { sampleRate: 22050, pcm: tone(3.5) } }
    const a = await encodeClipFfmpeg({ ...input, frames: frames() })
    const b = await encodeClipFfmpeg({ ...input, frames: frames() })
    expect(bytesToHex(sha256(a.webm))).toBe(bytesToHex(sha256(b.webm)))
    expect(a.segments[0]!.kind).toBe('init')
    const media = a.segments.slice(1)
    expect(media.length).toBeGreaterThanOrEqual(DURATION - 1)
    expect(media.length).toBeLessThanOrEqual(DURATION + 1)
    for (const s of media) {
      expect(s.kind).toBe('media')
      expect(s.keyframe).toBe(true)
    }
    const dir = await mkdtemp(join(tmpdir(), 'nsn-encode-test-'))
    try {
      const file = join(dir, 'clip.webm')
      await writeFile(file, a.webm)
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,r_frame_rate,nb_read_packets:format=duration', '-of', 'json', file])
      const probe = JSON.parse(stdout) as { streams: Array<{ codec_type: string, codec_name: string, r_frame_rate: string, nb_read_packets: string }>, format: { duration: string } }
      const video = probe.streams.find(s => s.codec_type === 'video')!
      const audio = probe.streams.find(s => s.codec_type === 'audio')!
      console.log(`encoded ${DURATION} s: ${a.webm.length} B, ${media.length} media segments, ffprobe ${JSON.stringify(probe)}`)
      expect(video.codec_name).toBe('vp8')
      expect(audio.codec_name).toBe('opus')
      expect(video.r_frame_rate).toBe(`${FPS}/1`)
      expect(Number(video.nb_read_packets)).toBe(DURATION * FPS)
      expect(Math.abs(Number(probe.format.duration) - DURATION)).toBeLessThanOrEqual(0.1)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('should refuse a wrong number of frames with the field named', async () => {
    const few = [...frames()].slice(0, 10)
    await expect(encodeClipFfmpeg({ fps: FPS, width: SIZE, height: SIZE, durationSec: DURATION, audio: { sampleRate: 22050, pcm: tone(1) }, frames: few })).rejects.toMatchObject({ name: 'InvalidInputError', field: 'frames' })
  }, 60_000)
})
