// SPDX-License-Identifier: GPL-3.0-or-later
// The procedural keyframe (not neural) checked by a real face detector: @vladmandic/human's BlazeFace +
// FaceMesh on the tfjs WASM backend must find exactly one face in every portrait, where it was drawn,
// with its mouth where the mouth was drawn, and the mouth opening it measures must grow with the
// opening the renderer was asked for (what the lip-sync correlation check relies on).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium } from '@playwright/test'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blake2b256, toHex } from '../../src/core/wire/hash.ts'
import { warpFrameCpu } from '../../src/core/lane0/animation-warp.ts'
import { ProceduralKeyframeStage } from '../../src/core/lane0/keyframe-procedural.ts'
import { portraitParams, renderPortrait } from '../../src/core/lane0/portrait.ts'
import type { PortraitGeometry } from '../../src/core/lane0/portrait.ts'
import { FaceLandmarks, FaceLandmarksClosedError, MESH } from '../../src/platform/node/face-landmarks.ts'
import { encodePng } from '../utils/png.ts'

const CASES: Array<[string, number]> = [
  ['a calm news anchor', 1], ['a calm news anchor', 2], ['an old sailor with grey hair', 3],
  ['a young woman, long hair, blue eyes', 4], ['a friendly teacher', 5], ['a scientist in a lab coat', 6],
  ['a poet with red hair', 7], ['a weather presenter', 8], ['a chef, short hair, brown eyes', 9],
  ['a historian', 10], ['a singer with black hair and green eyes', 11], ['a documentary narrator', 12],
  ['a friendly teacher', 1234567], ['a street musician', 99]
]
const SIZES = [256, 384, 512]
const MIN_SCORE = 0.8
/** Non-square keyframes can score lower (0.79-0.96 seen over other prompts); the dev profile is square. */
const NON_SQUARE_MIN_SCORE = 0.75
const MOUTH_LEVELS = [0, 0.25, 0.5, 0.75, 1]
/** Lightest to darkest skin the renderer draws (its palette's ends and middle). */
const SKIN_SWEEP: Array<readonly [number, number, number]> = [[246, 214, 190], [224, 172, 135], [168, 112, 78], [130, 86, 58], [101, 66, 45]]

const CHROMIUM = '/usr/bin/chromium'
/** In CI a missing Chromium fails the browser check; elsewhere it is skipped with the reason printed. */
const skipBrowser = !existsSync(CHROMIUM) && process.env.CI !== 'true'
if (skipBrowser) console.warn(`Skipping the keyframe browser check: no ${CHROMIUM}`)

type Box = { x: number, y: number, width: number, height: number }
function iou (a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  const inter = w > 0 && h > 0 ? w * h : 0
  return inter / (a.width * a.height + b.width * b.height - inter)
}
const dist = (a: { x: number, y: number }, b: { x: number, y: number }): number => Math.hypot(a.x - b.x, a.y - b.y)
function ranks (v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0])
  const r = new Array<number>(v.length)
  order.forEach(([, i], k) => { r[i] = k })
  return r
}
function spearman (a: number[], b: number[]): number {
  const ra = ranks(a)
  const rb = ranks(b)
  const n = a.length
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]!) ** 2, 0)
  return 1 - (6 * d2) / (n * (n * n - 1))
}

describe('procedural keyframe seen by a face detector (@vladmandic/human, tfjs wasm)', () => {
  let faces: FaceLandmarks
  beforeAll(async () => {
    const t0 = performance.now()
    faces = await FaceLandmarks.create()
    console.log(`human loaded in ${(performance.now() - t0).toFixed(0)} ms`)
  })
  afterAll(async () => { await faces?.close() })

  for (const size of SIZES) {
    it(`should detect exactly one face where it was drawn in ${CASES.length} portraits at ${size}x${size}`, async () => {
      const stage = new ProceduralKeyframeStage()
      const rows: string[] = []
      const boxScores: number[] = []
      for (const [prompt, seed] of CASES) {
        const t0 = performance.now()
        const { image, geometry: g } = await stage.run({ prompt, negativePrompt: '', seed, width: size, height: size })
        const renderMs = performance.now() - t0
        if (size === 384 && seed === 1) {
          mkdirSync('test-results', { recursive: true })
          writeFileSync('test-results/keyframe-portrait-384.png', encodePng(image))
        }
        const d = await faces.detectFace(image)
        const f = d.best
        expect(d.count, `${prompt} #${seed}: faces found`).toBe(1)
        if (f == null) throw new Error('no face')
        const detected = { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] }
        const overlap = iou(detected, g.faceBox)
        const faceH = g.faceBox.height
        const mouthErr = dist(f.mouthCentre, g.mouth) / faceH
        const mesh = (i: number): { x: number, y: number } => ({ x: f.mesh[i]![0], y: f.mesh[i]![1] })
        const cornerErr = Math.max(dist(mesh(MESH.mouthLeft), g.mouthCorners[0]), dist(mesh(MESH.mouthRight), g.mouthCorners[1])) / faceH
        const eyeMid = (e: { upper: number, lower: number }): { x: number, y: number } => ({ x: (mesh(e.upper).x + mesh(e.lower).x) / 2, y: (mesh(e.upper).y + mesh(e.lower).y) / 2 })
        const eyeErr = Math.max(dist(eyeMid(MESH.leftEye), g.leftEye), dist(eyeMid(MESH.rightEye), g.rightEye)) / faceH
        rows.push(`${prompt} #${seed}: score ${f.score.toFixed(3)} box ${f.boxScore.toFixed(3)} mesh ${f.faceScore.toFixed(3)} IoU ${overlap.toFixed(2)} mouth±${mouthErr.toFixed(3)} corners±${cornerErr.toFixed(3)} eyes±${eyeErr.toFixed(3)} eyesOpen ${String(f.eyesOpen)} render ${renderMs.toFixed(0)} ms detect ${d.ms.toFixed(0)} ms`)
        boxScores.push(f.boxScore)
        expect(f.score, `${prompt} #${seed}: score`).toBeGreaterThanOrEqual(MIN_SCORE)
        expect(f.boxScore, `${prompt} #${seed}: detector score`).toBeGreaterThanOrEqual(MIN_SCORE)
        expect(f.mesh.length).toBeGreaterThanOrEqual(468)
        expect(overlap, `${prompt} #${seed}: IoU`).toBeGreaterThanOrEqual(0.5)
        expect(mouthErr, `${prompt} #${seed}: mouth centre`).toBeLessThan(0.05)
        expect(cornerErr, `${prompt} #${seed}: mouth corners`).toBeLessThan(0.08)
        expect(eyeErr, `${prompt} #${seed}: eyes`).toBeLessThan(0.06)
        expect(f.eyesOpen).toBe(true)
      }
      console.log(`${size}x${size}:\n  ${rows.join('\n  ')}\n  detector score min ${Math.min(...boxScores).toFixed(3)} mean ${(boxScores.reduce((s, x) => s + x, 0) / boxScores.length).toFixed(3)}`)
    })
  }

  it('should detect the face across the whole skin-tone range, mouth closed and open', async () => {
    const rows: string[] = []
    for (const skin of SKIN_SWEEP) {
      for (const [seed, mouthOpen] of [[1, 0], [2, 1]] as const) {
        const { image, geometry: g } = renderPortrait({ ...portraitParams('an actor', seed, 384, 384), skin }, { mouthOpen })
        const d = await faces.detectFace(image)
        expect(d.count, `skin ${skin.join(',')} seed ${seed}`).toBe(1)
        const f = d.best!
        rows.push(`skin ${skin.join(',')} mouth ${mouthOpen}: box ${f.boxScore.toFixed(3)}`)
        expect(f.boxScore).toBeGreaterThanOrEqual(MIN_SCORE)
        expect(iou({ x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] }, g.faceBox)).toBeGreaterThanOrEqual(0.5)
      }
    }
    console.log(`skin tones at 384x384:\n  ${rows.join('\n  ')}`)
  })

  it('should detect the face where it was drawn in non-square keyframes (letterboxed for the detector)', async () => {
    const rows: string[] = []
    for (const [width, height] of [[512, 384], [384, 512], [640, 360], [360, 640]] as const) {
      for (const [prompt, seed] of CASES.slice(0, 4)) {
        const { image, geometry: g } = renderPortrait(portraitParams(prompt, seed, width, height))
        const d = await faces.detectFace(image)
        expect(d.count, `${width}x${height} ${prompt} #${seed}`).toBe(1)
        const f = d.best!
        const overlap = iou({ x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] }, g.faceBox)
        const mouthErr = dist(f.mouthCentre, g.mouth) / g.faceBox.height
        rows.push(`${width}x${height} ${prompt} #${seed}: box ${f.boxScore.toFixed(3)} IoU ${overlap.toFixed(2)} mouth±${mouthErr.toFixed(3)}`)
        expect(f.boxScore).toBeGreaterThanOrEqual(NON_SQUARE_MIN_SCORE)
        expect(overlap).toBeGreaterThanOrEqual(0.5)
        expect(mouthErr).toBeLessThan(0.05)
      }
    }
    console.log(`non-square:\n  ${rows.join('\n  ')}`)
  })

  it('should reject an aborted call with AbortError, and any call after close with FaceLandmarksClosedError', async () => {
    const { image } = renderPortrait(portraitParams('x', 2, 256, 256))
    const aborted = await faces.detectFace(image, { signal: AbortSignal.abort() }).catch((e: Error) => e)
    expect((aborted as Error).name).toBe('AbortError')
    const second = await FaceLandmarks.create()
    expect((await second.detectFace(image)).count).toBe(1)
    await second.close()
    const closed = await second.detectFace(image).catch((e: Error) => e)
    expect((closed as Error).name).toBe(FaceLandmarksClosedError.name)
  })

  it('should find no face in a portrait-sized image without one (the detector can say no)', async () => {
    const { image } = renderPortrait(portraitParams('x', 1, 384, 384))
    // keep only the top 15 % (background and hair) stretched over the image
    const blank = new Uint8ClampedArray(image.data.length)
    for (let y = 0; y < 384; y++) blank.set(image.data.subarray(Math.floor(y * 0.15) * 384 * 4, (Math.floor(y * 0.15) + 1) * 384 * 4), y * 384 * 4)
    const d = await faces.detectFace({ width: 384, height: 384, data: blank })
    expect(d.count).toBe(0)
  })

  it('should measure a larger mouth opening as the drawn mouth opens', async () => {
    const perLevel: number[][] = MOUTH_LEVELS.map(() => [])
    const rows: string[] = []
    for (const [prompt, seed] of CASES.slice(0, 6)) {
      const params = portraitParams(prompt, seed, 384, 384)
      const measured: number[] = []
      const overFaceHeight: number[] = []
      let geometry: PortraitGeometry | undefined
      for (const [k, level] of MOUTH_LEVELS.entries()) {
        const r = renderPortrait(params, { mouthOpen: level })
        geometry = r.geometry
        if (seed === 1 && level === 1) writeFileSync('test-results/keyframe-portrait-384-open.png', encodePng(r.image))
        const d = await faces.detectFace(r.image)
        expect(d.count, `${prompt} #${seed} mouth ${level}`).toBe(1)
        measured.push(d.best!.mouthOpen)
        overFaceHeight.push(d.best!.mouthOpenOverFaceHeight)
        perLevel[k]!.push(d.best!.mouthOpen)
      }
      const rho = spearman(MOUTH_LEVELS, measured)
      rows.push(`${prompt} #${seed}: ${measured.map(m => m.toFixed(3)).join(' ')} (over face height: ${overFaceHeight.map(m => m.toFixed(3)).join(' ')}; Spearman ${rho.toFixed(2)}, drawn gap at 1: ${(geometry!.mouthGap / geometry!.faceBox.height).toFixed(3)} of face height)`)
      expect(rho, `${prompt} #${seed}: ${measured.join(', ')}`).toBeGreaterThanOrEqual(0.9)
      expect(measured[MOUTH_LEVELS.length - 1]! - measured[0]!, 'range in eye distances').toBeGreaterThan(0.2)
    }
    const means = perLevel.map(v => v.reduce((s, x) => s + x, 0) / v.length)
    console.log(`mouthOpen measured at drawn levels ${MOUTH_LEVELS.join(', ')}:\n  ${rows.join('\n  ')}\n  mean ${means.map(m => m.toFixed(3)).join(' ')}`)
    for (let k = 1; k < means.length; k++) expect(means[k]!).toBeGreaterThan(means[k - 1]!)
  })

  it('should keep the face detectable and the measured mouth following the animation warp driven by the stage\'s rig', async () => {
    const stage = new ProceduralKeyframeStage()
    const rows: string[] = []
    for (const [prompt, seed] of CASES.slice(6, 12)) {
      const { image, rig } = await stage.run({ prompt, negativePrompt: '', seed, width: 384, height: 384 })
      const measured: number[] = []
      for (const level of MOUTH_LEVELS) {
        const frame = warpFrameCpu(image, rig, { mouthOpen: level, blink: 0, roll: 0.02, shiftX: 1, shiftY: -1 })
        const d = await faces.detectFace(frame)
        expect(d.count, `${prompt} #${seed} warp ${level}`).toBe(1)
        expect(d.best!.boxScore).toBeGreaterThanOrEqual(MIN_SCORE)
        measured.push(d.best!.mouthOpen)
      }
      const rho = spearman(MOUTH_LEVELS, measured)
      rows.push(`${prompt} #${seed}: ${measured.map(m => m.toFixed(3)).join(' ')} (Spearman ${rho.toFixed(2)})`)
      expect(rho, `${prompt} #${seed}: ${measured.join(', ')}`).toBeGreaterThanOrEqual(0.9)
    }
    console.log(`mouthOpen measured on warped frames (warp mouthOpen ${MOUTH_LEVELS.join(', ')}):\n  ${rows.join('\n  ')}`)
  })

  it.skipIf(skipBrowser)('should draw byte-identical portraits in a Chromium page and a Web Worker as in Node', async () => {
    const cases: Array<[string, number, number, number, number]> = [['a calm news anchor', 1, 384, 384, 0], ['a poet with red hair', 7, 256, 320, 0.7]]
    const bundle = await build({
      stdin: {
        contents: `
          import { portraitParams, renderPortrait } from './src/core/lane0/portrait.ts'
          import { blake2b256, toHex } from './src/core/wire/hash.ts'
          const digests = cases => cases.map(([prompt, seed, w, h, mouthOpen]) =>
            toHex(blake2b256(new Uint8Array(renderPortrait(portraitParams(prompt, seed, w, h), { mouthOpen }).image.data.buffer))))
          if (typeof document === 'undefined') self.onmessage = e => self.postMessage(digests(e.data))
          else globalThis.nsnPortraitDigests = digests`,
        resolveDir: new URL('../..', import.meta.url).pathname,
        loader: 'ts'
      },
      bundle: true, format: 'esm', write: false, platform: 'browser', target: 'es2022'
    })
    const js = bundle.outputFiles[0]?.text ?? ''
    const server = createServer((req, res) => {
      if (req.url === '/portrait.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js)
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/portrait.js"></script>')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox'] })
    try {
      const page = await browser.newPage()
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
      await page.waitForFunction(() => 'nsnPortraitDigests' in globalThis)
      const inPage = await page.evaluate(c => (globalThis as unknown as { nsnPortraitDigests(c: unknown): string[] }).nsnPortraitDigests(c), cases)
      const inWorker = await page.evaluate(async c => await new Promise<string[]>((resolve, reject) => {
        const worker = new Worker('/portrait.js', { type: 'module' })
        worker.onmessage = e => { resolve(e.data as string[]); worker.terminate() }
        worker.onerror = e => { reject(new Error(e.message)) }
        worker.postMessage(c)
      }), cases)
      const inNode = cases.map(([prompt, seed, w, h, mouthOpen]) =>
        toHex(blake2b256(new Uint8Array(renderPortrait(portraitParams(prompt, seed, w, h), { mouthOpen }).image.data.buffer))))
      console.log(`portrait digests: Node ${inNode.join(' ')}; page ${inPage.join(' ')}; worker ${inWorker.join(' ')}`)
      expect(inPage).toEqual(inNode)
      expect(inWorker).toEqual(inNode)
    } finally {
      await browser.close()
      await new Promise(resolve => server.close(resolve))
    }
  })
})
