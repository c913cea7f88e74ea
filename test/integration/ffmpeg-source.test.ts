// SPDX-License-Identifier: GPL-3.0-or-later
import { spawn } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { inspectWebm } from '../../src/core/media/webm.ts'
import { ffmpegArgs } from '../../src/platform/node/ffmpeg-args.ts'
import { checkFfmpeg, ffmpegSource } from '../../src/platform/node/ffmpeg-source.ts'
import type { SourceSegment } from '../../src/platform/node/ffmpeg-source.ts'

const FIXTURE = new URL('../fixtures/testsrc-4s.webm', import.meta.url).pathname
const SEGMENT_MS = 1000
const FPS = 24

/** In CI a missing ffmpeg fails the suite; elsewhere it is skipped with the reason printed. */
const ffmpegCheck = await checkFfmpeg().then(version => ({ version }), (error: Error) => ({ error }))
const skip = 'error' in ffmpegCheck && process.env.CI !== 'true'
if (skip && 'error' in ffmpegCheck) console.warn(`Skipping ffmpeg-source integration tests: ${ffmpegCheck.error.message}`)

function wallClockUs (): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000))
}

/** PIDs of this process's live ffmpeg children (Linux /proc; empty elsewhere). */
async function ffmpegChildren (): Promise<number[]> {
  const pids = await readdir('/proc').catch(() => [] as string[])
  const found: number[] = []
  for (const pid of pids.filter(p => /^\d+$/.test(p))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    // "pid (comm) state ppid …": comm may hold spaces, so split after the closing parenthesis.
    const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? []
    const [state, ppid] = rest?.split(' ') ?? []
    if (comm === 'ffmpeg' && Number(ppid) === process.pid && state !== 'Z') found.push(Number(pid))
  }
  return found
}

async function collect (
  segments: AsyncIterable<SourceSegment>, media: number, controller: AbortController
): Promise<{ got: Array<SourceSegment & { emitUs: bigint }>, error: unknown }> {
  const got: Array<SourceSegment & { emitUs: bigint }> = []
  try {
    for await (const segment of segments) {
      got.push({ ...segment, emitUs: wallClockUs() })
      if (got.filter(s => s.kind === 'media').length >= media) controller.abort()
    }
  } catch (error) {
    return { got, error }
  }
  return { got, error: undefined }
}

/** Runs ffprobe on the concatenation; resolves its stdout. */
async function ffprobe (bytes: Uint8Array[]): Promise<string> {
  const child = spawn('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'csv=p=0', '-'])
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  for (const b of bytes) child.stdin.write(b)
  child.stdin.end()
  await new Promise(resolve => child.once('close', resolve))
  return out
}

describe.skipIf(skip)('ffmpegSource (real ffmpeg)', () => {
  it('should have a usable ffmpeg', () => {
    if ('error' in ffmpegCheck) throw ffmpegCheck.error
    expect(ffmpegCheck.version).toMatch(/^ffmpeg version/)
  })

  it('should stream an init segment then keyframe-aligned ~1 s clusters near the wall clock', async () => {
    const source = ffmpegSource({ width: 320, height: 180, fps: FPS, segmentMs: SEGMENT_MS })
    const controller = new AbortController()
    const { got, error } = await collect(source.segments({ signal: controller.signal }), 3, controller)

    expect((error as Error | undefined)?.name).toBe('AbortError')
    expect(await ffmpegChildren()).toEqual([])
    expect(source.codec).toBe('video/webm; codecs="vp8, opus"')
    const [init, ...media] = got
    expect(init?.kind).toBe('init')
    expect(inspectWebm(init?.bytes ?? new Uint8Array())).toBe('init')
    expect(media.length).toBeGreaterThanOrEqual(2)
    let previous = -1n
    for (const segment of media) {
      expect(segment.kind).toBe('media')
      expect(segment.keyframe).toBe(true)
      expect(inspectWebm(segment.bytes)).toBe('media')
      expect(Math.abs(segment.durationUs - SEGMENT_MS * 1000)).toBeLessThanOrEqual(100_000)
      expect(segment.timestampUs).toBeGreaterThan(previous)
      previous = segment.timestampUs
      const sinceCaptureUs = Number(segment.emitUs - segment.captureTimeUs)
      expect(sinceCaptureUs).toBeGreaterThan(0)
      expect(sinceCaptureUs).toBeLessThanOrEqual((SEGMENT_MS + 600) * 1000)
      // Last frame of the cluster → emitted: the muxer writes a Cluster when the next keyframe arrives.
      const lastFrameMs = (sinceCaptureUs - segment.durationUs) / 1000 + 1000 / FPS
      console.log(`segment ${segment.timestampUs} µs: ${segment.bytes.length} B, last frame → emitted ≈ ${lastFrameMs.toFixed(1)} ms`)
    }

    const probe = await ffprobe(got.map(s => s.bytes))
    expect(probe).toMatch(/^vp8,320,180,\d+$/m)
    expect(probe).toMatch(/^opus,\d+$/m)
  })

  it('should stop ffmpeg when the consumer breaks out of the loop', async () => {
    const source = ffmpegSource({ width: 160, height: 90 })
    for await (const segment of source.segments()) {
      if (segment.kind === 'media') break
    }
    expect(await ffmpegChildren()).toEqual([])
  })

  it('should loop and re-encode a file input', async () => {
    const source = ffmpegSource({ input: FIXTURE, width: 320, height: 180 })
    const controller = new AbortController()
    const { got, error } = await collect(source.segments({ signal: controller.signal }), 2, controller)
    expect((error as Error | undefined)?.name).toBe('AbortError')
    expect(got.map(s => [s.kind, s.keyframe])).toEqual([['init', false], ['media', true], ['media', true]])
    expect(await ffprobe(got.map(s => s.bytes))).toMatch(/^vp8,320,180,\d+$/m)
  })
})

describe('ffmpegSource failures', () => {
  it('should reject with FfmpegMissingError and the install command when ffmpeg is absent', async () => {
    await expect(checkFfmpeg('/nonexistent/ffmpeg')).rejects.toMatchObject({
      name: 'FfmpegMissingError', message: expect.stringContaining('apt-get install -y ffmpeg')
    })
    const source = ffmpegSource({ ffmpegPath: '/nonexistent/ffmpeg' })
    await expect(collect(source.segments(), 1, new AbortController())).resolves.toMatchObject({
      error: { name: 'FfmpegMissingError' }
    })
  })

  it('should reject with FfmpegExitedError when ffmpeg exits on its own', async () => {
    // Node rejects ffmpeg's first option (-hide_banner) and exits with code 9.
    const source = ffmpegSource({ ffmpegPath: process.execPath })
    const { error } = await collect(source.segments(), 1, new AbortController())
    expect(error).toMatchObject({ name: 'FfmpegExitedError', code: 9, stderr: expect.arrayContaining([expect.stringContaining('-hide_banner')]) })
  })

  it('should force one keyframe per segment and take the tone only when the input has no audio', () => {
    const base = { width: 320, height: 180, fps: 24, segmentMs: 1500, videoBitrateKbps: 800, toneHz: 440 }
    const args = ffmpegArgs(base).join(' ')
    expect(args).toContain('-g 36 -keyint_min 36 -force_key_frames expr:gte(t,n_forced*1.5)')
    expect(args).toContain('-cluster_time_limit 3000')
    expect(args).toContain('sine=frequency=440')
    expect(ffmpegArgs({ ...base, input: 'a.mp4', inputHasAudio: true }).join(' ')).toMatch(/-map 0:v:0 -map 0:a:0 (?!.*sine=)/)
    expect(ffmpegArgs({ ...base, input: 'a.mp4', inputHasAudio: false }).join(' ')).toContain('-map 1:a:0')
  })

  it('should refuse a segment length outside 1000..2000 ms', () => {
    expect(() => ffmpegSource({ segmentMs: 500 })).toThrow(expect.objectContaining({ name: 'InvalidInputError' }))
  })
})
