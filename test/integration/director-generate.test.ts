// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `nsn-node --role director --recipe`: the director generates its clip with the Lane-0 pipeline at
 * start, then streams it (looped, signed, gossiped) like `--input`; a viewer of a real devnet accepts
 * its segments. An invalid recipe exits 2 naming the fields, a budget too small for the process 3,
 * before the node joins any network.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet } from '../../src/app/devnet.ts'
import { exampleRecipe } from '../../src/core/lane0/recipe.ts'
import type { Devnet } from '../../src/app/devnet.ts'

const BIN = fileURLToPath(new URL('../../bin/nsn-node.js', import.meta.url))

function cli (...args: string[]): { status: number | null, out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, out: r.stdout + r.stderr }
}

describe('nsn-node director --recipe', () => {
  let dir: string
  let devnet: Devnet | undefined
  const lines: string[] = []
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nsn-director-recipe-'))
  })
  afterAll(async () => {
    await devnet?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('should exit 2 on an invalid recipe, naming each field, and 2 on flags that do not fit', async () => {
    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ ...exampleRecipe(), fps: 7, width: 130, colour: 'red' }))
    const r = cli('--role', 'director', '--data', join(dir, 'bad-data'), '--recipe', bad)
    expect(r.status).toBe(2)
    expect(r.out).toContain('invalid recipe')
    expect(r.out).toMatch(/^ {2}fps: must be at least 12 fps$/m)
    expect(r.out).toMatch(/^ {2}width: /m)
    expect(r.out).toMatch(/^ {2}colour: unknown field/m)
    expect(r.out).not.toContain('listening')

    const good = join(dir, 'good.json')
    await writeFile(good, JSON.stringify(exampleRecipe()))
    const viewer = cli('--role', 'viewer', '--data', join(dir, 'viewer-data'), '--recipe', good)
    expect(viewer.status).toBe(2)
    expect(viewer.out).toContain('--recipe: only a director generates')
    const both = cli('--role', 'director', '--data', join(dir, 'bad-data'), '--recipe', good, '--input', good)
    expect(both.status).toBe(2)
    expect(both.out).toContain('--recipe and --input')
    const budget = cli('--role', 'director', '--data', join(dir, 'bad-data'), '--recipe', good, '--budget-mb', '1.5')
    expect(budget.status).toBe(2)
    expect(budget.out).toContain('--budget-mb')
    const device = cli('--role', 'director', '--data', join(dir, 'bad-data'), '--recipe', good, '--device', 'tpu')
    expect(device.status).toBe(2)
    expect(device.out).toContain('--device')
  }, 150_000)

  it('should exit 3 when the budget cannot hold the process', async () => {
    const good = join(dir, 'small.json')
    await writeFile(good, JSON.stringify({ ...exampleRecipe(), durationSec: 1, fps: 12, width: 128, height: 128 }))
    const r = cli('--role', 'director', '--data', join(dir, 'budget-data'), '--recipe', good, '--budget-mb', '64')
    expect(r.status).toBe(3)
    expect(r.out).toMatch(/--budget-mb 64: this process already uses \d+ MiB/)
    expect(r.out).not.toContain('listening')
  }, 60_000)

  it('should generate a 2 s 128² clip at start and stream it to a viewer', async () => {
    const recipe = join(dir, 'tiny.json')
    await writeFile(recipe, JSON.stringify({ ...exampleRecipe(), durationSec: 2, fps: 12, width: 128, height: 128, script: 'A tiny generated clip.' }))
    devnet = await startDevnet({ viewers: 1, directorArgs: ['--recipe', recipe, '--budget-mb', '2048'], log: (l) => lines.push(l) })
    const viewer = devnet.viewers[0]!
    const s = await viewer.waitFor(st => st.segmentsAccepted >= 3, 60_000)
    expect(s.payloadBytes).toBeGreaterThan(0)
    const d = await devnet.director.status()
    expect(d.producerKey).toBe(devnet.producerKey)
    expect(d.published).toBeGreaterThanOrEqual(3)
    const log = lines.join('\n')
    // the pipeline ran, with progress on stderr, before the node streamed the clip it wrote
    for (const stage of ['speech', 'keyframe', 'animation', 'encode']) expect(log).toMatch(new RegExp(`director: \\[nsn-node director\\] generate: ${stage} +100 %`))
    expect(log).toMatch(/media: GENERATED Lane-0 clip of recipe .*tiny\.json .*looped at 128x128 @ 12 fps/)
    expect(log).not.toContain('TEST SOURCE')
    const generated = join(devnet.dataDir, 'director', 'generated')
    const files = await readdir(generated)
    expect(files).toHaveLength(1)
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,width,height:format=duration', '-of', 'json', join(generated, files[0]!)], { encoding: 'utf8' })) as { streams: Array<{ codec_type: string, width?: number }>, format: { duration: string } }
    expect(probe.streams.map(st => st.codec_type).sort()).toEqual(['audio', 'video'])
    expect(probe.streams.find(st => st.codec_type === 'video')?.width).toBe(128)
    expect(Math.abs(Number(probe.format.duration) - 2)).toBeLessThanOrEqual(0.1)
  }, 150_000)
})
