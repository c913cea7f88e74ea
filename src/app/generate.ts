// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `npm run generate`: the headless Lane-0 runner (issue 4, item 6). It validates everything it is
 * given (flags, then the recipe against src/core/lane0/recipe.ts) before any work starts, and exits 2
 * naming the offending flag or recipe field (or pinned model), then runs the pipeline
 * (`src/app/lane0-node.ts`: the offline defaults, or the neural stages the recipe pins) and writes
 * the clip.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, extname, join, resolve } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { Command, Option } from 'commander'
import { InvalidInputError } from '../core/errors.ts'
import { RecipeValidationError, exampleRecipe, recipeHash } from '../core/lane0/recipe.ts'
import { BudgetExceededError } from '../core/lane0/budget.ts'
import { toHex } from '../core/wire/hash.ts'
import { BUDGET_MAX_MB, BUDGET_MIN_MB, BudgetTooSmallError, DEFAULT_BUDGET_MB, DEFAULT_MODELS_DIR, loadRecipeFile, parseBudgetMb, runNodeLane0 } from './lane0-node.ts'
import type { StagePlan } from '../core/lane0/stage-plan.ts'
import type { NodeLane0Result } from './lane0-node.ts'
import type { CommanderError } from 'commander'
import type { Recipe } from '../core/lane0/recipe.ts'

const DEVICES = ['cpu', 'webgpu'] as const

/** Exit codes: 0 done, 2 invalid flags or recipe (nothing ran), 3 the budget cannot hold the run. */
const EXIT_INVALID = 2
const EXIT_BUDGET = 3

/** A flag or recipe problem found before any work started. */
class UsageError extends Error {
  static override name = 'UsageError'
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

interface GenerateArgs {
  recipeFile: string
  recipe: Recipe
  out: { kind: 'file' | 'dir', path: string }
  device: typeof DEVICES[number]
  budgetMb: number
  plan: StagePlan
  cacheDir?: string
  offline: boolean
}

function program (): Command {
  return new Command('generate')
    .description('Generate a Lane-0 clip from a recipe, headless in Node (speech, keyframe, animation, encode).')
    .option('--recipe <file.json>', 'the recipe to generate (JSON, validated before any work starts)')
    .option('--out <file.webm|dir>', 'where to write the clip: a .webm file, or a folder for the segments')
    .addOption(new Option('--device <device>', 'where the models run').choices(DEVICES).default('cpu'))
    .option('--budget-mb <n>', `memory budget in MiB (process RSS + GPU buffers), ${BUDGET_MIN_MB}-${BUDGET_MAX_MB}`)
    .option('--models-dir <dir>', 'where the manifests of pinned models are (<dir>/<id>/manifest.json)', DEFAULT_MODELS_DIR)
    .option('--cache-dir <dir>', 'model cache folder (default: $XDG_CACHE_HOME/nsn/models or .nsn/models)')
    .option('--offline', 'never download model files: pinned models must be cached already')
    .option('--print-example', 'print a valid example recipe (JSON) and exit')
    .addHelpText('after', `
The recipe (schema version 1, every field required, unknown fields refused):
  version         1
  script          the text spoken, 1-2000 characters
  voice           an eSpeak NG voice: a language id in lower case, optionally + a variant
                  (en-us, en-gb, en-gb+f3, de+m3; see VOICE_LANGUAGES / VOICE_VARIANTS in
                  src/core/lane0/recipe.ts)
  prompt          what the actor looks like, 1-1000 characters
  negativePrompt  what the keyframe must not show, 0-1000 characters
  seed            an unsigned 32-bit integer
  durationSec     clip length in seconds, 1-30 (durationSec x fps a whole number of frames)
  fps             frames per second, an integer 12-60
  width, height   pixels, 128-1024, multiples of 16
  pins            { pipelineVersion: "0.1.0", models: [{ id, sha256 }] }: the models the run must
                  use, each the id of <models-dir>/<id>/manifest.json and the sha256 of that
                  manifest's weights file (its first .onnx file)

Stages: with no pinned model, the offline defaults, none of them neural: eSpeak NG speech ∥
procedural portrait keyframe, then the keyframe warped by the speech (mouth/jaw, blinks, head sway)
on WebGPU (--device webgpu: Dawn, or SwiftShader without a GPU driver) or the CPU, then VP8 + Opus
WebM in 1 s keyframe-first segments. A pinned model replaces its step's default with the neural
stage on onnxruntime-node (CPU): kokoro-82m (speech), the three sd-turbo parts (keyframe),
liveportrait (animation). No production model is shipped: see models/README.md.
Progress goes to stderr; the last stdout line is a JSON summary (stage times, peak memory, output
sha256). --budget-mb (default ${DEFAULT_BUDGET_MB}) covers the whole process (RSS + GPU buffers).

Exit codes: 0 done; 2 invalid flags or recipe (nothing ran, the error names the field);
3 the budget cannot hold the run (the message says what it needed).

Examples:
  npm run generate -- --print-example > recipe.json
  npm run generate -- --recipe recipe.json --out clip.webm --device cpu --budget-mb 2048`)
    .exitOverride()
}

async function outTarget (out: string): Promise<GenerateArgs['out']> {
  const path = resolve(out)
  const info = await stat(path).catch(() => null)
  if (extname(path).toLowerCase() === '.webm') {
    if (info?.isDirectory() === true) throw new UsageError(`--out: ${out} is a folder, not a .webm file`)
    return { kind: 'file', path }
  }
  if (info != null && !info.isDirectory()) throw new UsageError(`--out: ${out} must be a .webm file or a folder`)
  return { kind: 'dir', path }
}

async function parseArgs (opts: Record<string, unknown>): Promise<GenerateArgs> {
  if (typeof opts.recipe !== 'string') throw new UsageError('--recipe <file.json> is required (or --print-example)')
  if (typeof opts.out !== 'string') throw new UsageError('--out <file.webm|dir> is required')
  const out = await outTarget(opts.out)
  const budgetMb = parseBudgetMb(opts.budgetMb)
  const { recipe, plan } = await loadRecipeFile(opts.recipe, resolve(String(opts.modelsDir)))
  const cacheDir = typeof opts.cacheDir === 'string' ? resolve(opts.cacheDir) : undefined
  return { recipeFile: opts.recipe, recipe, out, device: opts.device as GenerateArgs['device'], budgetMb, plan, cacheDir, offline: opts.offline === true }
}

async function main (argv: string[]): Promise<number> {
  const cmd = program()
  try {
    cmd.parse(argv)
  } catch (err) {
    // commander has printed the message (or the help) already
    return (err as CommanderError).exitCode === 0 ? 0 : EXIT_INVALID
  }
  const opts = cmd.opts()
  if (opts.printExample === true) {
    process.stdout.write(`${JSON.stringify(exampleRecipe(), null, 2)}\n`)
    return 0
  }
  let args: GenerateArgs
  try {
    args = await parseArgs(opts)
  } catch (err) {
    const e = err as Error
    if (e.name === RecipeValidationError.name) {
      console.error(`generate: invalid recipe ${String(opts.recipe)}:`)
      for (const issue of (e as RecipeValidationError).issues) console.error(`  ${issue.field}: ${issue.message}`)
      return EXIT_INVALID
    }
    if (e.name === UsageError.name || e.name === InvalidInputError.name) {
      console.error(`generate: ${e.message}`)
      return EXIT_INVALID
    }
    throw err
  }
  console.error(`generate: recipe ${args.recipeFile} is valid (hash 0x${toHex(recipeHash(args.recipe))}, ${args.recipe.durationSec} s, ${args.recipe.width}x${args.recipe.height} @ ${args.recipe.fps} fps); device ${args.device}, budget ${args.budgetMb} MiB, out ${args.out.path}`)
  const lastShown = new Map<string, number>()
  let result: NodeLane0Result
  try {
    result = await runNodeLane0(args.recipe, {
      device: args.device,
      plan: args.plan,
      cacheDir: args.cacheDir,
      offline: args.offline,
      budgetMb: args.budgetMb,
      onProgress: (p) => {
        // at most one line per stage per 10 %
        const step = Math.floor(p.fraction * 10)
        if (lastShown.get(p.stage) === step && p.fraction < 1) return
        lastShown.set(p.stage, step)
        console.error(`generate: ${p.stage.padEnd(9)} ${String(Math.round(p.fraction * 100)).padStart(3)} %${p.message != null ? `  ${p.message}` : ''}`)
      }
    })
  } catch (err) {
    if ((err as Error).name === BudgetTooSmallError.name || (err as Error).name === BudgetExceededError.name) {
      console.error(`generate: ${(err as Error).message}`)
      return EXIT_BUDGET
    }
    throw err
  }
  const written = await writeClip(args.out, result.clip)
  const summary = {
    recipe_hash: `0x${toHex(recipeHash(args.recipe))}`,
    output: written.path,
    output_sha256: written.sha256,
    duration_sec: args.recipe.durationSec,
    fps: args.recipe.fps,
    width: args.recipe.width,
    height: args.recipe.height,
    segments: result.clip.segments.length,
    device: args.device,
    animation_backend: result.animationBackend,
    stages: result.stages.map(s => ({ kind: s.kind, id: s.id, neural: s.neural })),
    stage_ms: {
      speech: round(result.timings.speechMs),
      keyframe: round(result.timings.keyframeMs),
      animation: round(result.timings.animationMs),
      encode: round(result.timings.encodeMs)
    },
    parallel_ms: round(result.timings.parallelMs),
    wall_ms: round(result.timings.wallMs),
    load_ms: round(result.loadMs),
    peak_mb: round(result.peakBytes / 2 ** 20),
    baseline_mb: round(result.baselineBytes / 2 ** 20),
    gpu_peak_mb: round(result.gpuPeakBytes / 2 ** 20),
    budget_mb: round(result.budgetBytes / 2 ** 20),
    unloads: result.budgetEvents.filter(e => e.type === 'unload').length
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
  return 0
}

const round = (x: number): number => Math.round(x * 10) / 10

/** Writes the clip: one .webm file, or a folder with `clip.webm`, `init.webm`, `segment-NNNN.webm` and `segments.json`. */
async function writeClip (out: GenerateArgs['out'], clip: NodeLane0Result['clip']): Promise<{ path: string, sha256: string }> {
  const hash = bytesToHex(sha256(clip.webm))
  if (out.kind === 'file') {
    await mkdir(dirname(out.path), { recursive: true })
    await writeFile(out.path, clip.webm)
    return { path: out.path, sha256: hash }
  }
  await mkdir(out.path, { recursive: true })
  const index: Array<{ file: string, kind: string, timestampUs: string, durationUs: number, keyframe: boolean, sha256: string }> = []
  let n = 0
  for (const s of clip.segments) {
    const file = s.kind === 'init' ? 'init.webm' : `segment-${String(++n).padStart(4, '0')}.webm`
    await writeFile(join(out.path, file), s.bytes)
    index.push({ file, kind: s.kind, timestampUs: s.timestampUs.toString(), durationUs: s.durationUs, keyframe: s.keyframe, sha256: bytesToHex(sha256(s.bytes)) })
  }
  await writeFile(join(out.path, 'clip.webm'), clip.webm)
  await writeFile(join(out.path, 'segments.json'), `${JSON.stringify(index, null, 2)}\n`)
  return { path: join(out.path, 'clip.webm'), sha256: hash }
}

main(process.argv).then(code => { process.exitCode = code }, (err: unknown) => {
  console.error(`generate: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 1
})
