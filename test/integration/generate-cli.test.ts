// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `npm run generate` as users run it: help, the example recipe, flag and recipe errors naming the
 * field (exit 2, nothing written), a real run with its summary and reproducible output, and a budget
 * too small for the process (exit 3).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PIPELINE_VERSION, exampleRecipe, parseRecipe } from '../../src/core/lane0/recipe.ts'
import { writeStandinModels } from '../fixtures/lane0-standin-models.ts'

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url))
const ENTRY = fileURLToPath(new URL('../../src/app/generate.ts', import.meta.url))

function generate (...args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_TS, ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    child.on('error', reject)
    child.on('close', status => { resolve({ status, stdout, stderr }) })
  })
}

describe('npm run generate', () => {
  let dir: string
  const recipeFile = (name: string, recipe: unknown): Promise<string> => {
    const file = join(dir, name)
    return writeFile(file, typeof recipe === 'string' ? recipe : JSON.stringify(recipe)).then(() => file)
  }
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'nsn-generate-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('should document its flags and the recipe fields in --help', async () => {
    const { status, stdout } = await generate('--help')
    expect(status).toBe(0)
    for (const word of ['--recipe', '--out', '--device', 'webgpu', '--budget-mb', '--models-dir', '--cache-dir', '--offline', '--print-example', 'durationSec', 'pins', 'Exit codes']) {
      expect(stdout).toContain(word)
    }
  })

  it('should print an example recipe that the schema accepts', async () => {
    const { status, stdout } = await generate('--print-example')
    expect(status).toBe(0)
    expect(parseRecipe(JSON.parse(stdout))).toEqual(exampleRecipe())
  })

  it('should refuse an invalid recipe naming each field, before any work, writing nothing', async () => {
    const file = await recipeFile('bad.json', { ...exampleRecipe(), fps: 7, pins: { pipelineVersion: '0.1.0', models: [{ id: 'x', sha256: 'nope' }] }, colour: 'red' })
    const out = join(dir, 'bad.webm')
    const { status, stderr } = await generate('--recipe', file, '--out', out)
    expect(status).toBe(2)
    expect(stderr).toMatch(/^ {2}fps: must be at least 12 fps$/m)
    expect(stderr).toMatch(/^ {2}pins\.models\[0\]\.sha256: must be 64 lowercase hex/m)
    expect(stderr).toMatch(/^ {2}colour: unknown field/m)
    expect(stderr).not.toContain('not built yet')
    expect(existsSync(out)).toBe(false)
  })

  it('should refuse a recipe that is not JSON, and bad flags, naming them', async () => {
    const notJson = await recipeFile('not.json', '{"version": 1,')
    const r1 = await generate('--recipe', notJson, '--out', join(dir, 'a.webm'))
    expect(r1.status).toBe(2)
    expect(r1.stderr).toMatch(/recipe: not valid JSON/)

    const good = await recipeFile('good.json', exampleRecipe())
    const r2 = await generate('--recipe', good, '--out', join(dir, 'a.webm'), '--budget-mb', '12.5')
    expect(r2.status).toBe(2)
    expect(r2.stderr).toContain('--budget-mb')
    const r3 = await generate('--recipe', good, '--out', join(dir, 'a.webm'), '--device', 'tpu')
    expect(r3.status).toBe(2)
    expect(r3.stderr).toContain('--device')
    const r4 = await generate('--recipe', good)
    expect(r4.status).toBe(2)
    expect(r4.stderr).toContain('--out')
    const r5 = await generate('--recipe', join(dir, 'missing.json'), '--out', dir)
    expect(r5.status).toBe(2)
    expect(r5.stderr).toContain('--recipe: cannot read')
  })

  it('should generate the clip, print progress and a JSON summary, and give the same bytes in two fresh processes', async () => {
    const good = await recipeFile('good.json', { ...exampleRecipe(), durationSec: 2, fps: 12, width: 192, height: 192 })
    const runs = []
    for (const name of ['a.webm', 'b.webm']) {
      const out = join(dir, name)
      const r = await generate('--recipe', good, '--out', out, '--budget-mb', '1024')
      expect(r.status, r.stderr).toBe(0)
      expect(r.stderr).toContain('is valid (hash 0x')
      for (const stage of ['speech', 'keyframe', 'animation', 'encode']) expect(r.stderr).toMatch(new RegExp(`generate: ${stage} +100 %`))
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>
      expect(summary['output_sha256']).toBe(bytesToHex(sha256(await readFile(out))))
      expect(summary['duration_sec']).toBe(2)
      expect(summary['peak_mb'] as number).toBeLessThanOrEqual(1024)
      expect((summary['stages'] as Array<{ neural: boolean }>).every(s => !s.neural)).toBe(true)
      runs.push(summary['output_sha256'])
    }
    expect(runs[0]).toBe(runs[1])
  }, 120_000)

  it('should run the neural stages a recipe pins (stand-in ONNX models), downloading once, then offline', async () => {
    const models = await writeStandinModels(join(dir, 'models'))
    try {
      const recipe = {
        ...exampleRecipe(),
        script: 'These stages were chosen by the pins of the recipe.',
        prompt: 'a calm news anchor',
        durationSec: 2,
        fps: 12,
        width: 384,
        height: 384,
        pins: { pipelineVersion: PIPELINE_VERSION, models: models.pins }
      }
      const file = await recipeFile('pinned.json', recipe)
      const cache = join(dir, 'model-cache')
      const summaryOf = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>
      const r1 = await generate('--recipe', file, '--out', join(dir, 'pinned-1.webm'), '--models-dir', models.dir, '--cache-dir', cache)
      expect(r1.status, r1.stderr).toBe(0)
      const s1 = summaryOf(r1.stdout)
      expect(s1['stages']).toEqual([
        { kind: 'speech', id: 'kokoro-82m', neural: true },
        { kind: 'keyframe', id: 'sd-turbo', neural: true },
        { kind: 'animation', id: 'liveportrait', neural: true },
        { kind: 'encode', id: 'ffmpeg-vp8-opus', neural: false }
      ])
      expect(s1['animation_backend']).toBe('onnx-cpu')
      const fetched = models.server.requests.length
      expect(fetched).toBeGreaterThan(0)
      // the cache holds every file now: offline, nothing is fetched and the bytes are the same
      const r2 = await generate('--recipe', file, '--out', join(dir, 'pinned-2.webm'), '--models-dir', models.dir, '--cache-dir', cache, '--offline')
      expect(r2.status, r2.stderr).toBe(0)
      expect(models.server.requests.length).toBe(fetched)
      expect(summaryOf(r2.stdout)['output_sha256']).toBe(s1['output_sha256'])
      // a pinned id the folder lacks, and a pin of the wrong weights, stop before any work
      const missing = await recipeFile('pinned-missing.json', { ...recipe, pins: { pipelineVersion: PIPELINE_VERSION, models: [{ id: 'kokoro-83m', sha256: models.pins[0]!.sha256 }] } })
      const r3 = await generate('--recipe', missing, '--out', join(dir, 'none-3.webm'), '--models-dir', models.dir)
      expect(r3.status).toBe(2)
      expect(r3.stderr).toMatch(/pins\.models: .*kokoro-83m/)
      const wrong = await recipeFile('pinned-wrong.json', { ...recipe, pins: { pipelineVersion: PIPELINE_VERSION, models: [{ id: models.pins[0]!.id, sha256: '0'.repeat(64) }] } })
      const r4 = await generate('--recipe', wrong, '--out', join(dir, 'none-4.webm'), '--models-dir', models.dir)
      expect(r4.status).toBe(2)
      expect(r4.stderr).toContain('pins.models: ')
      expect(existsSync(join(dir, 'none-3.webm')) || existsSync(join(dir, 'none-4.webm'))).toBe(false)
    } finally {
      await models.close()
    }
  }, 240_000)

  it('should stop with exit 3 when the budget cannot hold the process, writing nothing', async () => {
    const good = await recipeFile('good-small.json', { ...exampleRecipe(), durationSec: 1, fps: 12, width: 128, height: 128 })
    const out = join(dir, 'none.webm')
    const { status, stderr } = await generate('--recipe', good, '--out', out, '--budget-mb', '64')
    expect(status).toBe(3)
    expect(stderr).toMatch(/--budget-mb 64: this process already uses \d+ MiB/)
    expect(existsSync(out)).toBe(false)
  })
})
