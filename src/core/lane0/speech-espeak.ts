// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The offline default speech stage: eSpeak NG (formant synthesis, not neural) compiled to WASM, from the
 * `espeak-ng` npm package. That package is the espeak-ng CLI built with Emscripten: one module instance
 * runs `main()` once, so every sentence gets a fresh instance of the once-compiled `WebAssembly.Module`
 * (about 0.1 s each; see test/integration/speech-espeak.test.ts for measured timings).
 *
 * Platform-free: the Emscripten factory and the compiled module are injected
 * (src/platform/node/espeak.ts reads the .wasm from node_modules, src/platform/browser/espeak.ts
 * fetches a served URL).
 *
 * Marks: the CLI reports no phoneme or word timing (no synth-callback events are exported from this
 * build, and `--pho` needs MBROLA, which it leaves out). The script is synthesized sentence by sentence,
 * so `marks` are exact per sentence; each sentence also carries its IPA phonemes (`--ipa`), untimed.
 */
import { concatPcm } from './audio-features.ts'
import { AbortError } from '../errors.ts'
import type { AbortOptions } from '../options.ts'
import type { SpeechOutput, Stage, StageInfo, StageRunOptions } from './stage.ts'

/** What the speech stage consumes. */
export interface SpeechInput {
  /** The text to speak. */
  script: string
  /** An eSpeak NG voice id: a language (`en-us`), optionally with a variant (`en-gb+f3`). */
  voice: string
  /** Speaking rate in words per minute, 80..450. @default 175 */
  rate?: number
}

/** One sentence of the output, with its exact position in the PCM. */
export interface EspeakSentence {
  text: string
  /** IPA phonemes of the sentence as eSpeak NG transcribes it (untimed). */
  ipa: string
  startSec: number
  endSec: number
}

/** {@link SpeechOutput} plus the per-sentence detail eSpeak NG can give. */
export interface EspeakSpeechOutput extends SpeechOutput {
  sentences: EspeakSentence[]
}

/** The parts of an Emscripten module instance this stage uses. */
export interface EspeakModule {
  FS: {
    readFile(path: string): Uint8Array
    writeFile(path: string, data: string | Uint8Array): void
  }
}

/** The argument of the Emscripten factory (`Module` overrides). */
export interface EspeakModuleArg {
  arguments: string[]
  print(line: string): void
  printErr(line: string): void
  preRun: Array<(module: EspeakModule) => void>
  /** Set so the glue never derives the .wasm URL from `import.meta.url` (it is instantiated from ours). */
  locateFile(path: string): string
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void): object
}

/** The default export of the `espeak-ng` package. */
export type EspeakModuleFactory = (moduleArg: EspeakModuleArg) => Promise<EspeakModule>

/** Platform code the stage needs (STYLE.md 5.1: injected). */
export interface EspeakSpeechComponents {
  /** The Emscripten factory, i.e. `import createESpeakNg from 'espeak-ng'`. */
  createModule: EspeakModuleFactory
  /** Compiles `espeak-ng.wasm` (Node: from node_modules; browser: fetched from a served URL). */
  compileWasm(options?: AbortOptions): Promise<WebAssembly.Module>
}

export interface EspeakSpeechInit {
  /** Longest accepted script, in characters. @default 4000 */
  maxScriptChars?: number
}

export const ESPEAK_SAMPLE_RATE = 22050
export const ESPEAK_DEFAULT_RATE_WPM = 175
export const ESPEAK_MIN_RATE_WPM = 80
export const ESPEAK_MAX_RATE_WPM = 450
export const ESPEAK_MAX_SCRIPT_CHARS = 4000
/** The compiled module (~18 MB, data included) plus one 32 MB instance heap, rounded up. */
export const ESPEAK_MEMORY_ESTIMATE_BYTES = 96 * 1024 * 1024

/** Thrown when the voice id is not one eSpeak NG knows; `validVoices` lists the languages and variants. */
export class UnknownVoiceError extends Error {
  static override name = 'UnknownVoiceError'
  readonly voice: string
  readonly validVoices: string[]
  readonly validVariants: string[]
  constructor (voice: string, validVoices: string[], validVariants: string[]) {
    super(`Unknown eSpeak NG voice "${voice}". Valid voices: ${validVoices.join(', ')}; ` +
      `optional variants (voice+variant): ${validVariants.join(', ')}`)
    this.name = 'UnknownVoiceError'
    this.voice = voice
    this.validVoices = validVoices
    this.validVariants = validVariants
  }
}

/** Thrown when the script is empty (after trimming) or longer than the configured maximum. */
export class InvalidScriptError extends Error {
  static override name = 'InvalidScriptError'
  readonly reason: 'empty' | 'too-long'
  constructor (reason: 'empty' | 'too-long', message: string) {
    super(message)
    this.name = 'InvalidScriptError'
    this.reason = reason
  }
}

/** Thrown when the rate is not a number in [80, 450] words per minute. */
export class InvalidRateError extends Error {
  static override name = 'InvalidRateError'
  constructor (rate: number) {
    super(`Speaking rate ${rate} is outside ${ESPEAK_MIN_RATE_WPM}..${ESPEAK_MAX_RATE_WPM} words per minute`)
    this.name = 'InvalidRateError'
  }
}

/** Thrown when the engine produced no usable audio; `engineOutput` holds its stderr. */
export class EspeakFailedError extends Error {
  static override name = 'EspeakFailedError'
  readonly engineOutput: string
  constructor (message: string, engineOutput = '', options?: ErrorOptions) {
    super(engineOutput === '' ? message : `${message}: ${engineOutput}`, options)
    this.name = 'EspeakFailedError'
    this.engineOutput = engineOutput
  }
}

/** Thrown by `run` before `load`. */
export class StageNotLoadedError extends Error {
  static override name = 'StageNotLoadedError'
  constructor (message = 'The speech stage is not loaded: call load() first') {
    super(message)
    this.name = 'StageNotLoadedError'
  }
}

interface CliResult {
  stdout: string[]
  stderr: string[]
  wav?: Uint8Array
}

const INPUT_FILE = '/nsn-input.txt'
const OUTPUT_FILE = '/nsn-output.wav'

/**
 * Splits a script into sentences at `.`, `!`, `?` (and runs of them) followed by white space, and at
 * blank lines; the punctuation stays with its sentence so eSpeak NG keeps the intonation.
 */
export function splitSentences (script: string): string[] {
  const normalized = script.replace(/\r\n?/g, '\n')
  const out: string[] = []
  for (const paragraph of normalized.split(/\n\s*\n/)) {
    const flat = paragraph.replace(/\s+/g, ' ').trim()
    if (flat === '') continue
    for (const part of flat.split(/(?<=[.!?…]+["')\]]?)\s+/)) {
      const s = part.trim()
      if (s !== '') out.push(s)
    }
  }
  return out
}

/** Parses a 16-bit PCM mono/stereo RIFF WAV as eSpeak NG writes it into mono float samples. */
export function parseWav16 (bytes: Uint8Array): { sampleRate: number, pcm: Float32Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const tag = (at: number): string => String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0)
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new EspeakFailedError('Engine output is not a RIFF/WAVE file')
  let offset = 12
  let sampleRate = 0
  let channels = 0
  let bits = 0
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset)
    // eSpeak NG streams its WAV, so the data chunk's size may be a placeholder: clamp to the file.
    const size = Math.min(view.getUint32(offset + 4, true), bytes.byteLength - offset - 8)
    if (id === 'fmt ') {
      channels = view.getUint16(offset + 10, true)
      sampleRate = view.getUint32(offset + 12, true)
      bits = view.getUint16(offset + 22, true)
    } else if (id === 'data') {
      if (bits !== 16 || channels < 1) throw new EspeakFailedError(`Unsupported WAV format: ${bits}-bit, ${channels} channels`)
      const frames = Math.floor(size / (2 * channels))
      const pcm = new Float32Array(frames)
      for (let i = 0; i < frames; i++) {
        let sum = 0
        for (let c = 0; c < channels; c++) sum += view.getInt16(offset + 8 + (i * channels + c) * 2, true)
        pcm[i] = sum / channels / 32768
      }
      return { sampleRate, pcm }
    }
    offset += 8 + size + (size % 2)
  }
  throw new EspeakFailedError('Engine output has no data chunk')
}

/** A voice id (language or alias) and the voice file the engine loads for it. */
export interface EspeakVoice {
  id: string
  /** Path under espeak-ng-data/voices, e.g. `gmw/en-US`. */
  file: string
}

/**
 * Parses `espeak-ng --voices` output into voice ids (languages plus the aliases of the last column; an
 * alias gets the file it has the best priority for, as the engine picks). Synthesis passes the file, not
 * the name: in this build `-v en-gb+f3` and `-v fr-fr+m3` silently drop the variant and
 * `-v chr-US-Qaaa-x-west` is "not found", while `-v gmw/en+f3` and `-v iro/chr` work; without a variant
 * the file and the name give identical samples.
 */
export function parseVoiceList (lines: string[]): EspeakVoice[] {
  const voices = new Map<string, EspeakVoice & { priority: number }>()
  const add = (id: string, file: string, priority: number): void => {
    const known = voices.get(id.toLowerCase())
    if (known === undefined || priority < known.priority) voices.set(id.toLowerCase(), { id, file, priority })
  }
  for (const line of lines) {
    const m = /^\s*(\d+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)(.*)$/.exec(line)
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined || m[2] === 'variant') continue
    // The language itself beats any alias of the same name.
    add(m[2], m[3], -1)
    for (const alias of (m[4] ?? '').matchAll(/\(([^\s()]+)\s+(\d+)\)/g)) {
      if (alias[1] !== undefined) add(alias[1], m[3], Number(alias[2]))
    }
  }
  return [...voices.values()]
    .map(({ id, file }) => ({ id, file }))
    .sort((a, b) => a.id.toLowerCase() < b.id.toLowerCase() ? -1 : a.id.toLowerCase() > b.id.toLowerCase() ? 1 : 0)
}

/** Parses `espeak-ng --voices=variant` output into variant names (`f3`, `klatt`, ...). */
export function parseVariantList (lines: string[]): string[] {
  const names = new Set<string>()
  for (const line of lines) {
    const m = /\s!v\/(\S+)\s*$/.exec(line)
    if (m?.[1] !== undefined) names.add(m[1])
  }
  return [...names].sort()
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}

/** Speech synthesis with eSpeak NG (WASM): deterministic, offline, not neural. */
export class EspeakSpeechStage implements Stage<SpeechInput, EspeakSpeechOutput> {
  readonly info: StageInfo = {
    kind: 'speech',
    id: 'espeak-ng',
    neural: false,
    description: 'formant speech synthesis (eSpeak NG), not neural'
  }

  private readonly components: EspeakSpeechComponents
  private readonly maxScriptChars: number
  private wasm?: WebAssembly.Module
  private voices: EspeakVoice[] = []
  private variants: string[] = []
  private loading?: Promise<void>

  constructor (components: EspeakSpeechComponents, init: EspeakSpeechInit = {}) {
    this.components = components
    this.maxScriptChars = init.maxScriptChars ?? ESPEAK_MAX_SCRIPT_CHARS
  }

  memoryEstimateBytes (): number {
    return ESPEAK_MEMORY_ESTIMATE_BYTES
  }

  /** Voice ids (languages and aliases) known after `load()`. */
  get validVoices (): string[] {
    return this.voices.map(v => v.id)
  }

  /** Variant names usable as `voice+variant` after `load()`. */
  get validVariants (): string[] {
    return [...this.variants]
  }

  async load (options: AbortOptions = {}): Promise<void> {
    if (this.wasm !== undefined) return
    this.loading ??= this.doLoad(options).finally(() => { this.loading = undefined })
    await this.loading
  }

  private async doLoad (options: AbortOptions): Promise<void> {
    throwIfAborted(options.signal)
    const wasm = await this.components.compileWasm(options)
    throwIfAborted(options.signal)
    const voices = await this.runCli(wasm, ['--voices'])
    const variants = await this.runCli(wasm, ['--voices=variant'])
    this.voices = parseVoiceList(voices.stdout)
    this.variants = parseVariantList(variants.stdout)
    if (this.voices.length === 0) throw new EspeakFailedError('eSpeak NG listed no voices', voices.stderr.join('\n'))
    this.wasm = wasm
  }

  async unload (): Promise<void> {
    await this.loading?.catch(() => {})
    this.wasm = undefined
    this.voices = []
    this.variants = []
  }

  /**
   * Throws the named error a bad input deserves; returns the engine's `-v` argument (voice file, plus
   * `+variant`; ids match case-insensitively). Needs `load()` for the voice lists.
   */
  validate (input: SpeechInput): string {
    const script = input.script.trim()
    if (script === '') throw new InvalidScriptError('empty', 'The script is empty')
    if (input.script.length > this.maxScriptChars) {
      throw new InvalidScriptError('too-long', `The script has ${input.script.length} characters; at most ${this.maxScriptChars} are accepted`)
    }
    const rate = input.rate ?? ESPEAK_DEFAULT_RATE_WPM
    if (!Number.isFinite(rate) || rate < ESPEAK_MIN_RATE_WPM || rate > ESPEAK_MAX_RATE_WPM) throw new InvalidRateError(rate)
    const [language = '', variant, ...rest] = input.voice.toLowerCase().split('+')
    const voice = this.voices.find(v => v.id.toLowerCase() === language)
    const canonicalVariant = variant === undefined ? undefined : this.variants.find(v => v.toLowerCase() === variant)
    if (voice === undefined || (variant !== undefined && canonicalVariant === undefined) || rest.length > 0) {
      throw new UnknownVoiceError(input.voice, this.validVoices, this.variants)
    }
    return canonicalVariant === undefined ? voice.file : `${voice.file}+${canonicalVariant}`
  }

  async run (input: SpeechInput, options: StageRunOptions = {}): Promise<EspeakSpeechOutput> {
    const { signal, onProgress } = options
    throwIfAborted(signal)
    const wasm = this.wasm
    if (wasm === undefined) throw new StageNotLoadedError()
    const voice = this.validate(input)
    const rate = Math.round(input.rate ?? ESPEAK_DEFAULT_RATE_WPM)
    const sentences = splitSentences(input.script)
    const parts: Float32Array[] = []
    const out: EspeakSentence[] = []
    let samples = 0
    onProgress?.({ fraction: 0, message: `speech: ${sentences.length} sentences` })
    for (const [i, text] of sentences.entries()) {
      throwIfAborted(signal)
      // Text goes through a file, never argv, so a script that starts with "-" is not an option.
      const result = await this.runCli(wasm, ['--ipa', '-b', '1', '-v', voice, '-s', String(rate), '-w', OUTPUT_FILE, '-f', INPUT_FILE], text)
      throwIfAborted(signal)
      if (result.wav === undefined) throw new EspeakFailedError(`eSpeak NG wrote no audio for sentence ${i + 1}`, result.stderr.join('\n'))
      const { sampleRate, pcm } = parseWav16(result.wav)
      if (sampleRate !== ESPEAK_SAMPLE_RATE) throw new EspeakFailedError(`Unexpected engine sample rate ${sampleRate} Hz`)
      out.push({
        text,
        ipa: result.stdout.map(l => l.trim()).filter(l => l !== '').join(' '),
        startSec: samples / ESPEAK_SAMPLE_RATE,
        endSec: (samples + pcm.length) / ESPEAK_SAMPLE_RATE
      })
      parts.push(pcm)
      samples += pcm.length
      onProgress?.({ fraction: (i + 1) / sentences.length, message: `speech: sentence ${i + 1}/${sentences.length}` })
    }
    const pcm = concatPcm(parts)
    return {
      sampleRate: ESPEAK_SAMPLE_RATE,
      pcm,
      marks: out.map(s => ({ text: s.text, startSec: s.startSec, endSec: s.endSec })),
      sentences: out
    }
  }

  /** Runs the CLI once in a fresh instance of the compiled module; stdout and stderr are captured. */
  private async runCli (wasm: WebAssembly.Module, args: string[], inputText?: string): Promise<CliResult> {
    const stdout: string[] = []
    const stderr: string[] = []
    let failInstantiate: (err: unknown) => void = () => {}
    // Emscripten never settles its ready promise when instantiation fails: race it with the failure.
    const instantiateFailed = new Promise<never>((_resolve, reject) => { failInstantiate = reject })
    let instance: EspeakModule
    try {
      instance = await Promise.race([
        this.components.createModule({
          arguments: args,
          print: line => { stdout.push(line) },
          printErr: line => { stderr.push(line) },
          locateFile: path => path,
          preRun: [module => {
            if (inputText !== undefined) module.FS.writeFile(INPUT_FILE, inputText)
          }],
          instantiateWasm: (imports, receive) => {
            WebAssembly.instantiate(wasm, imports).then(receive, failInstantiate)
            return {}
          }
        }),
        instantiateFailed
      ])
    } catch (err) {
      throw new EspeakFailedError('eSpeak NG failed to start', stderr.join('\n'), { cause: err })
    }
    let wav: Uint8Array | undefined
    if (args.includes('-w')) {
      try {
        wav = instance.FS.readFile(OUTPUT_FILE)
      } catch {
        wav = undefined
      }
    }
    return { stdout, stderr, wav }
  }
}

/** Creates the eSpeak NG speech stage (STYLE.md: lowercase factory). */
export function espeakSpeech (components: EspeakSpeechComponents, init: EspeakSpeechInit = {}): EspeakSpeechStage {
  return new EspeakSpeechStage(components, init)
}
