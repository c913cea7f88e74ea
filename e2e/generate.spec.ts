// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The generation panel in Debian Chromium (WebGPU on SwiftShader): the production build opens on the
 * director page, shows the capability report, marks an invalid field inline, then generates a 4 s clip
 * with every stage in a Web Worker while the page keeps answering; the clip plays in the page (frames
 * advance, audio is decoded), and the same bytes, fetched back into Node, pass ffprobe (VP8 + Opus,
 * 4 s, 24 fps) with the sha256 the panel shows. With the stand-in Kokoro and LivePortrait models
 * (test/fixtures/lane0-standin-models.ts) served under a models URL the page is configured with
 * (`?models=`), the panel refuses a malformed pin inline and a pin with a wrong sha256 before any stage
 * starts, then runs both neural stages on onnxruntime-web (its WASM served from the build's assets).
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from '@playwright/test'
import type { Locator } from '@playwright/test'
import { STANDIN_IDS, kokoroFiles, kokoroManifestInit, liveportraitFiles, liveportraitManifestInit, standinManifestJson } from '../test/fixtures/lane0-standin-models.ts'
import type { StandinManifestInit } from '../test/fixtures/lane0-standin-models.ts'
import { serveBuiltApp } from './fixtures/serve-app.ts'
import type { ServedApp } from './fixtures/serve-app.ts'

const run = promisify(execFile)

test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--autoplay-policy=no-user-gesture-required',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  }
})

let web: ServedApp
/** Files the preview serves besides the app (path → body), and the paths asked for under {@link MODELS_PATH}. */
const extraFiles = new Map<string, { type: string, body: Uint8Array }>()
const modelRequests: string[] = []
/** The models base URL the page is configured with in the pinned-models test. */
const MODELS_PATH = '/test-models/'

test.beforeAll(async () => {
  web = await serveBuiltApp((req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!)
    if (path.startsWith(MODELS_PATH)) modelRequests.push(path.slice(MODELS_PATH.length))
    const file = extraFiles.get(path)
    if (file === undefined) { next(); return }
    res.setHeader('content-type', file.type)
    res.setHeader('cache-control', 'no-store')
    res.end(Buffer.from(file.body.buffer, file.body.byteOffset, file.body.byteLength))
  })
})

test.afterAll(async () => {
  await web?.close()
})

/**
 * Plays the clip muted until `untilSec` of media time has been presented: the frames presented, the
 * largest mean RGB change of a sampled frame against the first, the audio bytes decoded, and the
 * file's bytes (base64) fetched back from its object URL.
 */
async function playClip (video: Locator, untilSec: number) {
  return await video.evaluate(async (el: HTMLVideoElement, until: number) => {
    el.muted = true
    if (el.readyState < 1) {
      await new Promise((resolve, reject) => {
        el.addEventListener('loadedmetadata', resolve, { once: true })
        el.addEventListener('error', () => { reject(new Error(`the clip does not load: ${el.error?.message ?? 'media error'}`)) }, { once: true })
        setTimeout(() => { reject(new Error('no metadata after 10 s')) }, 10_000)
      })
    }
    const duration = el.duration
    const canvas = document.createElement('canvas')
    canvas.width = el.videoWidth
    canvas.height = el.videoHeight
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!
    const snapshots: Uint8ClampedArray[] = []
    const mediaTimes: number[] = []
    await new Promise<void>((resolve, reject) => {
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
        mediaTimes.push(meta.mediaTime)
        if (mediaTimes.length % 12 === 1) {
          ctx.drawImage(el, 0, 0)
          snapshots.push(ctx.getImageData(0, 0, canvas.width, canvas.height).data)
        }
        if (meta.mediaTime > until) resolve()
        else el.requestVideoFrameCallback(onFrame)
      }
      el.requestVideoFrameCallback(onFrame)
      el.play().catch(reject)
      setTimeout(() => { reject(new Error(`playback stalled at ${el.currentTime} s after ${mediaTimes.length} frames`)) }, 30_000)
    })
    el.pause()
    let maxDiff = 0
    for (let i = 1; i < snapshots.length; i++) {
      let diff = 0
      const a = snapshots[0]!
      const b = snapshots[i]!
      for (let j = 0; j < a.length; j += 4) diff += Math.abs(a[j]! - b[j]!) + Math.abs(a[j + 1]! - b[j + 1]!) + Math.abs(a[j + 2]! - b[j + 2]!)
      maxDiff = Math.max(maxDiff, diff / (a.length / 4))
    }
    const audioBytes = (el as HTMLVideoElement & { webkitAudioDecodedByteCount: number }).webkitAudioDecodedByteCount
    const response = await fetch(el.src)
    const bytes = new Uint8Array(await response.arrayBuffer())
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return { duration, frames: mediaTimes.length, lastMediaTime: mediaTimes[mediaTimes.length - 1] ?? 0, snapshots: snapshots.length, maxDiff, audioBytes, width: el.videoWidth, height: el.videoHeight, base64: btoa(binary) }
  }, untilSec)
}

test('should generate a 4 s clip from the generation panel and play it', async ({ page }) => {
  test.setTimeout(240_000)
  const pageErrors: string[] = []
  page.on('pageerror', e => { pageErrors.push(e.message) })
  await page.goto(`${web.url}#/director`)

  // capability report: WebGPU adapter (SwiftShader here) and WebCodecs
  await expect(page.getByTestId('cap-webgpu')).not.toContainText('not available')
  await expect(page.getByTestId('cap-webcodecs')).toContainText('VP8 encode yes, Opus encode yes')
  const adapter = await page.getByTestId('cap-webgpu').innerText()

  // an invalid field is named inline and blocks Generate
  const generate = page.getByRole('button', { name: 'Generate' })
  await page.getByLabel(/^Width/).fill('250')
  await expect(page.locator('[data-field-error="width"]')).toHaveText('Width: must be a multiple of 16 px')
  await expect(generate).toBeDisabled()
  await page.getByLabel(/^Script/).fill(' ')
  await expect(page.locator('[data-field-error="script"]')).toContainText('must not be empty')

  await page.getByLabel(/^Script/).fill('Hello from the browser. Every stage of this clip ran in a Web Worker.')
  await page.getByLabel(/^Duration/).fill('4')
  await page.getByLabel(/^Frame rate/).fill('24')
  await page.getByLabel(/^Width/).fill('256')
  await page.getByLabel(/^Height/).fill('256')
  await page.getByLabel(/^Seed/).fill('7')
  await expect(page.locator('[data-field-error]')).toHaveCount(0)
  await expect(generate).toBeEnabled()

  // a main-thread heartbeat: the longest gap between 50 ms timer ticks while generating
  await page.evaluate(() => {
    const w = window as unknown as { nsnGap: { last: number, max: number, timer: number } }
    w.nsnGap = { last: performance.now(), max: 0, timer: 0 }
    w.nsnGap.timer = window.setInterval(() => {
      const now = performance.now()
      w.nsnGap.max = Math.max(w.nsnGap.max, now - w.nsnGap.last)
      w.nsnGap.last = now
    }, 50)
  })
  const started = Date.now()
  await generate.click()
  await expect(page.locator('[data-stage="speech"]')).toHaveAttribute('data-status', /running|done/)
  const video = page.getByTestId('clip')
  await expect(video).toBeVisible({ timeout: 200_000 })
  const generationMs = Date.now() - started
  const maxGapMs = await page.evaluate(() => {
    const w = window as unknown as { nsnGap: { max: number, timer: number } }
    window.clearInterval(w.nsnGap.timer)
    return w.nsnGap.max
  })
  for (const s of ['speech', 'keyframe', 'animation', 'encode']) await expect(page.locator(`[data-stage="${s}"]`)).toHaveAttribute('data-status', 'done')
  const timings = await page.getByTestId('timings').innerText()
  const shownSha = await page.getByTestId('clip-sha256').innerText()
  await expect(page.getByTestId('stage-list')).toContainText('not neural')
  console.log(JSON.stringify({ adapter, generationMs, timings: timings.replace(/\n/g, ' | ') }))

  // play it: frames advance, the picture changes, audio is decoded
  const playback = await playClip(video, 2.5)
  expect(Math.abs(playback.duration - 4)).toBeLessThanOrEqual(0.1)
  expect([playback.width, playback.height]).toEqual([256, 256])
  expect(playback.frames).toBeGreaterThanOrEqual(24)
  expect(playback.lastMediaTime).toBeGreaterThan(2.5)
  expect(playback.maxDiff).toBeGreaterThan(0.5) // mean |ΔRGB| per pixel between sampled frames: the actor moves
  expect(playback.audioBytes).toBeGreaterThan(0)

  // the same bytes in Node: ffprobe shows VP8 + Opus, 4 s, 24 fps, 96 frames; the sha256 the panel shows
  const webm = Buffer.from(playback.base64, 'base64')
  expect(createHash('sha256').update(webm).digest('hex')).toBe(shownSha)
  const dir = await mkdtemp(join(tmpdir(), 'nsn-generate-clip-'))
  try {
    const file = join(dir, 'clip.webm')
    await writeFile(file, webm)
    const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,r_frame_rate,nb_read_frames:format=duration', '-of', 'json', file])
    const probe = JSON.parse(stdout) as { streams: Array<{ codec_type: string, codec_name: string, r_frame_rate: string, nb_read_frames?: string }>, format: { duration: string } }
    const v = probe.streams.find(s => s.codec_type === 'video')
    const a = probe.streams.find(s => s.codec_type === 'audio')
    expect(v?.codec_name).toBe('vp8')
    expect(v?.r_frame_rate).toBe('24/1')
    expect(Number(v?.nb_read_frames)).toBe(96)
    expect(a?.codec_name).toBe('opus')
    expect(Math.abs(Number(probe.format.duration) - 4)).toBeLessThanOrEqual(0.1)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }

  // the page kept answering while the workers generated
  expect(maxGapMs).toBeLessThan(500)
  expect(pageErrors).toEqual([])
  console.log(JSON.stringify({ maxMainThreadGapMs: Math.round(maxGapMs), playedFrames: playback.frames, meanFrameDiff: +playback.maxDiff.toFixed(2), audioDecodedBytes: playback.audioBytes }))
})

test('should refuse an unknown voice inline and cancel a running generation', async ({ page }) => {
  await page.goto(`${web.url}#/director`)
  const generate = page.getByRole('button', { name: 'Generate' })
  await page.getByLabel(/^Voice/).fill('xx-unknown')
  await expect(page.locator('[data-field-error="voice"]')).toContainText('eSpeak NG language id')
  await expect(generate).toBeDisabled()
  await page.getByLabel(/^Voice/).fill('en-gb+f3')
  await page.getByLabel(/^Duration/).fill('12')
  await expect(generate).toBeEnabled()
  await generate.click()
  await expect(page.locator('[data-stage="speech"]')).toHaveAttribute('data-status', /running|done/)
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByTestId('generation-error')).toHaveText('Generation was cancelled.')
  await expect(generate).toBeEnabled()
  await expect(page.getByTestId('clip')).toHaveCount(0)
})

/** Serves a stand-in model's files and manifest under {@link MODELS_PATH}; returns the sha256 a pin names (its first `.onnx`). */
function publishModel (init: StandinManifestInit, files: Record<string, Uint8Array>): string {
  const prefix = `${MODELS_PATH}${init.id}/`
  for (const [path, body] of Object.entries(files)) extraFiles.set(`${prefix}${path}`, { type: 'application/octet-stream', body })
  // file URLs on this 127.0.0.1 server, as a manifest names its files
  const manifest = standinManifestJson(init, files, path => new URL(`${prefix}${path}`, web.url).href)
  extraFiles.set(`${prefix}manifest.json`, { type: 'application/json', body: new TextEncoder().encode(JSON.stringify(manifest)) })
  const weights = Object.entries(files).find(([path]) => path.endsWith('.onnx'))![1]
  return createHash('sha256').update(weights).digest('hex')
}

test('should run the pinned Kokoro and LivePortrait stand-ins in the panel, refusing a wrong sha256 before any work', async ({ page }) => {
  test.setTimeout(60_000)
  const pageErrors: string[] = []
  page.on('pageerror', e => { pageErrors.push(e.message) })
  const requested: string[] = []
  page.on('request', r => { requested.push(new URL(r.url()).pathname) })
  const kokoroSha = publishModel(kokoroManifestInit(STANDIN_IDS.kokoro), kokoroFiles({ samplesPerId: 960, voice: 'af_heart' }))
  const liveportraitSha = publishModel(liveportraitManifestInit(STANDIN_IDS.liveportrait), liveportraitFiles())
  await page.goto(`${web.url}?models=${encodeURIComponent(MODELS_PATH)}#/director`)
  await expect(page.getByTestId('models-url')).toHaveText(MODELS_PATH)

  const generate = page.getByRole('button', { name: 'Generate' })
  await page.getByLabel(/^Script/).fill('Hello from the pinned models.')
  await page.getByLabel(/^Duration/).fill('2')
  await page.getByLabel(/^Frame rate/).fill('24')
  await page.getByLabel(/^Width/).fill('256')
  await page.getByLabel(/^Height/).fill('256')
  await page.getByLabel(/^Seed/).fill('7')

  // a malformed pin is named inline, by line, and blocks Generate
  const pins = page.getByLabel(/^Pinned models/)
  await pins.fill(`${STANDIN_IDS.kokoro} ${kokoroSha}\n${STANDIN_IDS.liveportrait} ${liveportraitSha.slice(0, 12)}`)
  await expect(page.locator('[data-field-error="models"]')).toHaveText('Pinned models: line 2 sha256: must be 64 lowercase hex characters (a sha256)')
  await expect(generate).toBeDisabled()

  // a well-formed pin whose sha256 is not the manifest's: refused before any stage starts or any model file is fetched
  const wrongSha = [...kokoroSha].reverse().join('')
  await pins.fill(`${STANDIN_IDS.kokoro} ${wrongSha}\n${STANDIN_IDS.liveportrait} ${liveportraitSha}`)
  await expect(page.locator('[data-field-error]')).toHaveCount(0)
  await generate.click()
  await expect(page.getByTestId('generation-error')).toContainText(`PinnedModelMismatchError: The recipe pins model "${STANDIN_IDS.kokoro}" at sha256 ${wrongSha}, but its manifest's weights file model.onnx has sha256 ${kokoroSha}`)
  for (const s of ['speech', 'keyframe', 'animation', 'encode']) await expect(page.locator(`[data-stage="${s}"]`)).toHaveAttribute('data-status', 'waiting')
  expect(modelRequests.filter(p => !p.endsWith('/manifest.json'))).toEqual([])

  // the right pins: Kokoro speaks and LivePortrait animates, both on onnxruntime-web in their workers
  await pins.fill(`${STANDIN_IDS.kokoro} ${kokoroSha}\n${STANDIN_IDS.liveportrait} ${liveportraitSha}`)
  const started = Date.now()
  await generate.click()
  const video = page.getByTestId('clip')
  await expect(video).toBeVisible({ timeout: 45_000 })
  const generationMs = Date.now() - started
  const list = page.getByTestId('stage-list')
  await expect(list.locator('[data-stage-kind="speech"]')).toHaveAttribute('data-stage-id', STANDIN_IDS.kokoro)
  await expect(list.locator('[data-stage-kind="speech"]')).toHaveAttribute('data-neural', 'true')
  await expect(list.locator('[data-stage-kind="speech"]')).toContainText('(neural)')
  await expect(list.locator('[data-stage-kind="animation"]')).toHaveAttribute('data-stage-id', 'liveportrait')
  await expect(list.locator('[data-stage-kind="animation"]')).toHaveAttribute('data-neural', 'true')
  await expect(page.locator('[data-timing="animation"]')).toContainText('ONNX on WASM')
  // every model file came from the models URL, once (then from the browser model store)
  const fileRequests = modelRequests.filter(p => !p.endsWith('/manifest.json')).sort()
  expect(fileRequests).toEqual([
    `${STANDIN_IDS.kokoro}/model.onnx`, `${STANDIN_IDS.kokoro}/tokenizer.json`, `${STANDIN_IDS.kokoro}/voices/af_heart.bin`,
    `${STANDIN_IDS.liveportrait}/appearance_feature_extractor.onnx`, `${STANDIN_IDS.liveportrait}/motion_extractor.onnx`, `${STANDIN_IDS.liveportrait}/warping_spade.onnx`
  ].sort())
  // onnxruntime-web's WASM is the build's asset (one per worker that runs a model)
  expect(requested.filter(p => /^\/assets\/ort-wasm-simd-threaded\.jsep-[\w-]+\.wasm$/.test(p)).length).toBeGreaterThanOrEqual(1)

  const playback = await playClip(video, 1.5)
  expect(Math.abs(playback.duration - 2)).toBeLessThanOrEqual(0.1)
  expect([playback.width, playback.height]).toEqual([256, 256])
  expect(playback.frames).toBeGreaterThanOrEqual(12)
  expect(playback.audioBytes).toBeGreaterThan(0)
  expect(pageErrors).toEqual([])
  console.log(JSON.stringify({ pinned: true, generationMs, timings: (await page.getByTestId('timings').innerText()).replace(/\n/g, ' | '), playedFrames: playback.frames }))
})
