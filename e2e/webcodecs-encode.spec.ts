// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The browser encode stage (WebCodecs VP8 + Opus, mediabunny WebM) in Debian Chromium, on the page and in
 * a dedicated worker. Node checks the bytes: WebmSplitter gives init + one keyframe-first segment per
 * second; ffprobe sees VP8 256×256 at 24 fps with 72 frames, keyframes exactly at 0, 24, 48, Opus, 3 s;
 * ffmpeg's decode has the 440 Hz tone then silence, and the square moving at the planned speed; the
 * segments append to Media Source Extensions as one buffered range.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from '@playwright/test'
import { build } from 'esbuild'
import { inspectWebm, webmCodecString, WebmSplitter } from '../src/core/media/webm.ts'
import { EBML_ID, children, readElementHeader, readVint } from '../src/core/media/webm-ebml.ts'
import { SQUARE } from './harness/encode-worker-entry.ts'
import type { EncodeSummary, SyntheticParams } from './harness/encode-worker-entry.ts'
import type { Page } from '@playwright/test'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const run = promisify(execFile)
const PARAMS: SyntheticParams = { width: 256, height: 256, fps: 24, durationSec: 3, toneHz: 440, toneSec: 2.5, toneRate: 22050 }
const FRAMES = PARAMS.fps * PARAMS.durationSec

let server: Server
let url: string
let dir: string

test.beforeAll(async () => {
  const bundle = (entry: string): Promise<string> => build({ entryPoints: [join(import.meta.dirname, 'harness', entry)], bundle: true, format: 'iife', write: false, platform: 'browser', target: 'es2022' })
    .then(r => r.outputFiles[0]!.text)
  const [page, worker] = await Promise.all([bundle('encode-entry.ts'), bundle('encode-worker-entry.ts')])
  server = createServer((req, res) => {
    const js = req.url === '/encode.js' ? page : req.url === '/encode-worker.js' ? worker : undefined
    if (js !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>encode</title><script src="/encode.js"></script>')
  })
  // 127.0.0.1 is a secure context, which WebCodecs needs.
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  dir = await mkdtemp(join(tmpdir(), 'nsn-webcodecs-'))
})
test.afterAll(async () => {
  await new Promise(resolve => server?.close(resolve))
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

type Harness = Record<string, (...args: any[]) => Promise<any>> // eslint-disable-line @typescript-eslint/no-explicit-any

async function encode (page: Page, where: 'encodeOnPage' | 'encodeInWorker'): Promise<EncodeSummary> {
  await page.goto(url)
  return await page.evaluate(async ([fn, params]) => await (window as unknown as { nsnEncode: Harness }).nsnEncode[fn]!(params) as EncodeSummary, [where, PARAMS] as const)
}

interface Probe {
  streams: Array<{ codec_type: string, codec_name: string, width?: number, height?: number, r_frame_rate: string, avg_frame_rate: string, nb_read_frames?: string }>
  format: { duration: string }
}

/** Goertzel power of `hz` in `pcm`, normalised by the window length. */
function goertzel (pcm: Float32Array, rate: number, hz: number): number {
  const k = 2 * Math.cos(2 * Math.PI * hz / rate)
  let s1 = 0
  let s2 = 0
  for (const x of pcm) {
    const s0 = x + k * s1 - s2
    s2 = s1
    s1 = s0
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (pcm.length * pcm.length)
}

function rms (pcm: Float32Array): number {
  let sum = 0
  for (const x of pcm) sum += x * x
  return Math.sqrt(sum / pcm.length)
}

/** Mean x of the bright (> 200) pixels of a grey frame. */
function brightCentroidX (grey: Uint8Array, width: number): number {
  let sum = 0
  let n = 0
  for (let i = 0; i < grey.length; i++) {
    if ((grey[i] ?? 0) > 200) {
      sum += i % width
      n++
    }
  }
  return n === 0 ? Number.NaN : sum / n
}

/** Track number and keyframe flag of the first SimpleBlock of a media segment (one whole Cluster). */
function firstBlock (cluster: Uint8Array): { track: number, key: boolean } | undefined {
  const header = readElementHeader(cluster, 0)!
  for (const child of children(cluster, header.headerLength, cluster.length)) {
    if (child.id !== EBML_ID.SimpleBlock) continue
    const { value: track, length } = readVint(cluster, child.start)
    return { track, key: ((cluster[child.start + length + 2] ?? 0) & 0x80) !== 0 }
  }
  return undefined
}

/** Everything Node checks about one encode. */
async function checkClip (summary: EncodeSummary): Promise<void> {
  const webm = new Uint8Array(Buffer.from(summary.base64, 'base64'))
  console.log(`${summary.scope}: ${webm.length} B in ${summary.ms.toFixed(0)} ms, keyframes ${JSON.stringify(summary.keyframes)}, segments ${JSON.stringify(summary.segments)}, ${summary.progress.length} progress events`)

  // Split again in Node: init + one keyframe-first Cluster per second, as the page reported.
  const splitter = new WebmSplitter()
  const chunks = [...splitter.push(webm), ...splitter.flush()]
  expect(chunks.map(c => c.kind)).toEqual(['init', 'media', 'media', 'media'])
  expect(inspectWebm(chunks[0]!.bytes)).toBe('init')
  expect(webmCodecString(chunks[0]!.bytes)).toBe('video/webm; codecs="vp8, opus"')
  const media = chunks.slice(1)
  expect(media.map(c => inspectWebm(c.bytes))).toEqual(['media', 'media', 'media'])
  expect(media.map(c => c.keyframe)).toEqual([true, true, true])
  // literally keyframe-first: each Cluster's first block is the video track's (1) keyframe
  expect(media.map(c => firstBlock(c.bytes))).toEqual([{ track: 1, key: true }, { track: 1, key: true }, { track: 1, key: true }])
  expect(media.map(c => c.timestampUs)).toEqual([0n, 1_000_000n, 2_000_000n])
  for (const c of media) expect(Math.abs(c.durationUs - 1_000_000)).toBeLessThanOrEqual(1000)
  expect(summary.segments.map(s => s.length)).toEqual(chunks.map(c => c.bytes.length))
  expect(summary.frames).toBe(FRAMES)
  expect(summary.keyframes).toEqual([0, 24, 48])
  // progress per batch of frames, rising to 1
  expect(summary.progress.length).toBeGreaterThanOrEqual(FRAMES / 8)
  expect(summary.progress.every((f, i) => i === 0 || f >= summary.progress[i - 1]!)).toBe(true)
  expect(summary.progress.at(-1)).toBe(1)

  const file = join(dir, `${summary.scope}.webm`)
  await writeFile(file, webm)
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate,nb_read_frames:format=duration', '-of', 'json', file])
  const probe = JSON.parse(stdout) as Probe
  console.log(`${summary.scope}: ffprobe ${JSON.stringify(probe)}`)
  const video = probe.streams.find(s => s.codec_type === 'video')
  const audio = probe.streams.find(s => s.codec_type === 'audio')
  expect(video).toMatchObject({ codec_name: 'vp8', width: 256, height: 256, r_frame_rate: '24/1', nb_read_frames: String(FRAMES) })
  expect(audio?.codec_name).toBe('opus')
  expect(Math.abs(Number(probe.format.duration) - PARAMS.durationSec)).toBeLessThanOrEqual(0.1)
  // keyframes by the container's flags, not the encoder's word
  const packets = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file])
  const flags = packets.stdout.trim().split('\n')
  expect(flags.length).toBe(FRAMES)
  expect(flags.flatMap((f, i) => f.startsWith('K') ? [i] : [])).toEqual([0, 24, 48])

  // audio: the 440 Hz tone (resampled from 22.05 kHz) for 2.5 s, then silence to 3 s
  const decoded = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 'f32le', '-ac', '1', '-ar', '48000', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 2 ** 20 })
  const bytes = decoded.stdout
  const pcm = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  const tone = pcm.subarray(0.2 * 48000, 2.3 * 48000)
  const tail = pcm.subarray(2.6 * 48000, 2.95 * 48000)
  const at = (hz: number): number => goertzel(tone, 48000, hz)
  console.log(`${summary.scope}: audio ${(pcm.length / 48000).toFixed(3)} s, tone rms ${rms(tone).toFixed(3)}, tail rms ${rms(tail).toFixed(4)}, power 440 Hz ${at(440).toExponential(2)} vs 400 Hz ${at(400).toExponential(2)}, 480 Hz ${at(480).toExponential(2)}, 880 Hz ${at(880).toExponential(2)}`)
  expect(Math.abs(pcm.length / 48000 - PARAMS.durationSec)).toBeLessThanOrEqual(0.1)
  expect(rms(tone)).toBeGreaterThan(0.3) // a 0.5 sine is 0.354
  expect(rms(tone)).toBeLessThan(0.4)
  for (const other of [400, 480, 880, 220]) expect(at(440)).toBeGreaterThan(100 * at(other))
  expect(rms(tail)).toBeLessThan(0.01)
  // in sync: the tone ends at 2.5 s in the decoded audio too (no encoder delay left in)
  const around = (from: number, to: number): number => rms(pcm.subarray(Math.round(from * 48000), Math.round(to * 48000)))
  expect(around(2.47, 2.495)).toBeGreaterThan(0.3)
  expect(around(2.505, 2.53)).toBeLessThan(0.02)

  // video: frames 0 and 36 differ, the square moved 2 px per frame
  const frames = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-vf', String.raw`select=eq(n\,0)+eq(n\,36)`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 2 ** 20 })
  const size = PARAMS.width * PARAMS.height
  expect(frames.stdout.length).toBe(2 * size)
  const first = new Uint8Array(frames.stdout.subarray(0, size))
  const later = new Uint8Array(frames.stdout.subarray(size))
  let diff = 0
  for (let i = 0; i < size; i++) diff += Math.abs((first[i] ?? 0) - (later[i] ?? 0))
  const x0 = brightCentroidX(first, PARAMS.width)
  const x36 = brightCentroidX(later, PARAMS.width)
  console.log(`${summary.scope}: frame 0 vs 36 mean |diff| ${(diff / size).toFixed(2)}, square centre x ${x0.toFixed(1)} → ${x36.toFixed(1)}`)
  expect(diff / size).toBeGreaterThan(2)
  expect(Math.abs(x0 - (8 + SQUARE / 2 - 0.5))).toBeLessThan(2)
  expect(Math.abs(x36 - (8 + 72 + SQUARE / 2 - 0.5))).toBeLessThan(2)
}

test('should encode keyframe-first 1 s VP8 + Opus segments with WebCodecs on the page', async ({ page }) => {
  const summary = await encode(page, 'encodeOnPage')
  await checkClip(summary)
  // and the segments play through Media Source Extensions, as the viewer appends them
  const mse = await page.evaluate(async (base64) => await (window as unknown as { nsnEncode: Harness }).nsnEncode.bufferInMse!(base64) as { type: string, ranges: Array<[number, number]>, appended: number }, summary.base64)
  console.log(`MSE: ${JSON.stringify(mse)}`)
  expect(mse.type).toBe('video/webm; codecs="vp8, opus"')
  expect(mse.appended).toBe(4)
  expect(mse.ranges.length).toBe(1)
  expect(mse.ranges[0]![0]).toBeLessThanOrEqual(0.01)
  expect(mse.ranges[0]![1]).toBeGreaterThan(PARAMS.durationSec - 0.1)
})

test('should encode the same format inside a dedicated worker', async ({ page }) => {
  await checkClip(await encode(page, 'encodeInWorker'))
})

test('should refuse an unsupported VP8 configuration with WebCodecsUnsupportedError naming the codec', async ({ page }) => {
  await page.goto(url)
  const err = await page.evaluate(async () => await (window as unknown as { nsnEncode: Harness }).nsnEncode.encodeUnsupported!())
  console.log(`unsupported: ${JSON.stringify(err)}`)
  expect(err).toMatchObject({ name: 'WebCodecsUnsupportedError', codec: 'vp8', reason: 'unsupported-config' })
})

test('should refuse a wrong frame count with the field named', async ({ page }) => {
  await page.goto(url)
  const err = await page.evaluate(async (params) => await (window as unknown as { nsnEncode: Harness }).nsnEncode.encodeTooFewFrames!(params), PARAMS)
  console.log(`too few frames: ${JSON.stringify(err)}`)
  expect(err).toMatchObject({ name: 'InvalidInputError', field: 'frames' })
  expect(err.message).toContain('10 frames')
})

test('should stop with AbortError when aborted mid-clip', async ({ page }) => {
  await page.goto(url)
  const err = await page.evaluate(async (params) => await (window as unknown as { nsnEncode: Harness }).nsnEncode.encodeAborted!(params, 20), PARAMS)
  console.log(`aborted: ${JSON.stringify(err)}`)
  expect(err).toMatchObject({ name: 'AbortError', pulled: 21 })
})

test('should run as the Lane-0 encode stage', async ({ page }) => {
  await page.goto(url)
  const params = { ...PARAMS, durationSec: 2, toneSec: 1 }
  const out = await page.evaluate(async (p) => await (window as unknown as { nsnEncode: Harness }).nsnEncode.encodeWithStage!(p), params)
  console.log(`stage: ${JSON.stringify(out)}`)
  expect(out.info).toMatchObject({ kind: 'encode', id: 'webcodecs-vp8-opus', neural: false })
  expect(out.kinds).toEqual(['init', 'media', 'media'])
  expect(out.keyframes).toEqual([false, true, true])
  expect(out.bytes).toBeGreaterThan(1000)
  expect(out.fractions[0]).toBe(0)
  expect(out.fractions.at(-1)).toBe(1)
})
