// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A generated clip checked by its own content: ffprobe streams, duration and fps; faces re-detected
 * (@vladmandic/human) on ffmpeg-decoded frames; the mouth opening they measure follows the speech
 * energy of the clip's own decoded audio (r > 0.5), and does not follow a time-shuffled copy (r < 0.2).
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runNodeLane0 } from '../../src/app/lane0-node.ts'
import { energyEnvelope, pearson } from '../../src/core/lane0/audio-features.ts'
import { exampleRecipe } from '../../src/core/lane0/recipe.ts'
import { FaceLandmarks } from '../../src/platform/node/face-landmarks.ts'

const run = promisify(execFile)
const FPS = 24
const SECONDS = 6
const SIZE = 384

async function decode (args: string[]): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, 'pipe:1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('close', code => {
      if (code === 0) resolve(Buffer.concat(out))
      else reject(new Error(`ffmpeg ${String(code)}: ${err}`))
    })
  })
}

/** A seeded Fisher-Yates shuffle. */
function shuffled (xs: number[], seed: number): number[] {
  const out = [...xs]
  let s = seed >>> 0
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

let dir: string
let faces: FaceLandmarks
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nsn-content-'))
  faces = await FaceLandmarks.create()
}, 60_000)
afterAll(async () => {
  await faces?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('a generated Lane-0 clip, by its content', () => {
  it('should show a face whose mouth follows the clip\'s own speech', async () => {
    const recipe = {
      ...exampleRecipe(),
      durationSec: SECONDS,
      fps: FPS,
      width: SIZE,
      height: SIZE,
      script: 'Good evening. Here is the news from the network. Every clip is made by a director, checked by four others, and signed on chain.'
    }
    const result = await runNodeLane0(recipe, { device: 'cpu', budgetMb: 2048 })
    const file = join(dir, 'clip.webm')
    await writeFile(file, result.clip.webm)
    const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,r_frame_rate,nb_read_packets:format=duration', '-of', 'json', file])
    const probe = JSON.parse(stdout) as { streams: Array<{ codec_type: string, r_frame_rate: string, nb_read_packets: string }>, format: { duration: string } }
    expect(probe.streams.map(s => s.codec_type).sort()).toEqual(['audio', 'video'])
    expect(probe.streams.find(s => s.codec_type === 'video')!.r_frame_rate).toBe(`${FPS}/1`)
    expect(Math.abs(Number(probe.format.duration) - SECONDS)).toBeLessThanOrEqual(0.1)

    const rgba = await decode(['-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba'])
    const frameBytes = SIZE * SIZE * 4
    const frames = Math.floor(rgba.length / frameBytes)
    expect(frames).toBe(SECONDS * FPS)
    const pcm = await decode(['-i', file, '-f', 'f32le', '-ac', '1', '-ar', '16000'])
    const audio = new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength))
    const energy = energyEnvelope({ sampleRate: 16000, pcm: audio }, FPS, SECONDS)

    const mouth: number[] = []
    const speech: number[] = []
    let found = 0
    let sampled = 0
    for (let i = 0; i < frames; i += 2) {
      sampled++
      const data = new Uint8ClampedArray(rgba.buffer, rgba.byteOffset + i * frameBytes, frameBytes)
      const d = await faces.detectFace({ width: SIZE, height: SIZE, data })
      if (d.best == null) continue
      found++
      mouth.push(d.best.mouthOpen)
      speech.push(energy[i] ?? 0)
    }
    const r = pearson(mouth, speech)
    const rShuffled = pearson(mouth, shuffled(speech, 12345))
    console.log(`lane0 content: face in ${found}/${sampled} sampled frames; mouth vs speech energy r = ${r.toFixed(3)}, vs time-shuffled r = ${rShuffled.toFixed(3)}; pipeline ${JSON.stringify(result.timings)}`)
    expect(found / sampled).toBeGreaterThanOrEqual(0.95)
    expect(r).toBeGreaterThan(0.5)
    expect(Math.abs(rShuffled)).toBeLessThan(0.2)
  }, 180_000)
})
