// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The production speech stage: Kokoro-82M (StyleTTS2 + iSTFTNet, Apache-2.0), the ONNX export published as
 * onnx-community/Kokoro-82M-v1.0-ONNX and run by kokoro-js. Neural: the waveform comes from the network.
 *
 * Model contract, as kokoro-js drives it (hexgrad/kokoro `kokoro.js/src/kokoro.js`, `generate_from_ids`,
 * and `kokoro.js/src/voices.js`):
 * - inputs `input_ids` int64 [1, seq] (phoneme ids with the pad id 0 at both ends, seq ≤ 512),
 *   `style` float32 [1, 256] (one row of the voice), `speed` float32 [1];
 * - output `waveform` float32 (mono, 24 kHz; kokoro-js reads its `.data` whatever the rank);
 * - a voice is `voices/<name>.bin`: raw little-endian float32 [510, 1, 256]; the row is the number of
 *   phoneme tokens (pads excluded), capped at 509;
 * - ids are looked up per character of the IPA string in the vocab (`tokenizer.json` `model.vocab`, or
 *   `vocab` of hexgrad/Kokoro-82M `config.json`); characters outside the vocab are dropped, as
 *   `KModel.forward` does (hexgrad/kokoro `kokoro/model.py`), and reported in `droppedSymbols`.
 *
 * Everything platform-specific is injected ({@link NeuralStageComponents}, the shape every production
 * stage shares): the ONNX runtime (`createSession`), the model loader (`loadModel(manifest, options)`:
 * the verified files of the manifest) and the G2P (text → IPA, e.g. eSpeak NG: src/core/lane0/espeak-ipa.ts,
 * wired by src/platform/node/espeak-phonemize.ts and src/platform/browser/kokoro.ts).
 *
 * Recipes name eSpeak NG voices (`en-us`, see recipe.ts); {@link KOKORO_RECIPE_VOICES} maps them onto
 * Kokoro voices (`en-us` → `af_heart`), and a Kokoro voice name is accepted as is.
 */
import { concatPcm } from './audio-features.ts'
import { AbortError } from '../errors.ts'
import { checkSignature, tensor } from '../ai/inference.ts'
import type { InferenceSession } from '../ai/inference.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import type { AbortOptions } from '../options.ts'
import { InvalidScriptError, StageNotLoadedError, splitSentences } from './speech-espeak.ts'
import type { SpeechOutput, Stage, StageInfo, StageRunOptions } from './stage.ts'
import type { NeuralStageComponents } from './stage-plan.ts'

export { InvalidScriptError, StageNotLoadedError }

export const KOKORO_SAMPLE_RATE = 24000
export const KOKORO_STYLE_DIM = 256
/** The model's context is 512 ids; two are the pads. */
export const KOKORO_MAX_PHONEME_TOKENS = 510
export const KOKORO_PAD_ID = 0
export const KOKORO_INPUTS = ['input_ids', 'style', 'speed'] as const
export const KOKORO_OUTPUTS = ['waveform'] as const
export const KOKORO_DEFAULT_SPEED = 1
export const KOKORO_MIN_SPEED = 0.5
export const KOKORO_MAX_SPEED = 2
export const KOKORO_MAX_SCRIPT_CHARS = 4000
/**
 * eSpeak NG language per voice-name prefix (Kokoro v1.0 naming: `af_heart` = American English, female).
 * `a`/`b` are what kokoro-js supports; `e f h i p` are the languages for which hexgrad's own pipeline
 * also uses eSpeak NG (via misaki). Japanese (`j`) and Mandarin (`z`) voices need misaki's own G2P, which
 * eSpeak NG does not replace, so they are refused.
 */
export const KOKORO_VOICE_LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  a: 'en-us', b: 'en-gb', e: 'es', f: 'fr-fr', h: 'hi', i: 'it', p: 'pt-br'
})
/**
 * The Kokoro voice for a recipe voice (an eSpeak NG language id, recipe.ts `voice`): a Kokoro-82M v1.0
 * voice of that language from hexgrad's VOICES.md (for English the best graded: `af_heart`, kokoro-js's
 * default, and `bf_emma`; for the others a female voice). A recipe voice with an eSpeak variant
 * (`en-us+f3`) maps through its language part; languages without an entry have no Kokoro voice.
 */
export const KOKORO_RECIPE_VOICES: Readonly<Record<string, string>> = Object.freeze({
  en: 'bf_emma', 'en-gb': 'bf_emma', 'en-us': 'af_heart', es: 'ef_dora', fr: 'ff_siwis', 'fr-fr': 'ff_siwis', hi: 'hf_alpha', it: 'if_sara', 'pt-br': 'pf_dora'
})
/** Punctuation kept verbatim in the phoneme string (it is in Kokoro's vocab and shapes the prosody). */
export const KOKORO_PUNCTUATION = ';:,.!?¡¿—…"«»“”(){}[]'

/** Text → IPA for an eSpeak-style language id (`en-us`, `en-gb`, `es`, ...). */
export type KokoroPhonemizer = (text: string, language: string, options?: AbortOptions) => Promise<string>

/** What the stage consumes (the pipeline passes `{ script, voice }`). */
export interface KokoroSpeechInput {
  script: string
  /** A voice file name without `.bin`, e.g. `af_heart`. */
  voice: string
  /** Speaking speed factor, 0.5..2. @default 1 */
  speed?: number
}

/** One model call: the sentences it spoke and where its audio lies in the output. */
export interface KokoroChunk {
  text: string
  /** The phonemes the ids were made from (dropped symbols excluded). */
  phonemes: string
  /** Phoneme tokens, pads excluded (also the voice style row). */
  tokens: number
  startSec: number
  endSec: number
}

/** {@link SpeechOutput} plus what Kokoro did per chunk. */
export interface KokoroSpeechOutput extends SpeechOutput {
  chunks: KokoroChunk[]
  /** The Kokoro voice spoken (the input voice, or what {@link KokoroSpeechInit.voiceAliases} maps it to). */
  voice: string
  /** Phonemizer output characters outside the vocab (dropped, as Kokoro's reference code does), deduplicated. */
  droppedSymbols: string[]
}

/**
 * Platform code the stage needs (STYLE.md 5.1: injected): the shared {@link NeuralStageComponents}
 * (`createSession`, `loadModel`, called with the init's manifest for model, tokenizer and voices) plus the G2P.
 */
export interface KokoroSpeechComponents extends NeuralStageComponents {
  /** Text → IPA (eSpeak NG WASM, src/core/lane0/espeak-ipa.ts). */
  phonemize: KokoroPhonemizer
}

export interface KokoroSpeechInit {
  /** The model's manifest: its `memory` is the stage's estimate and its `id` names errors. */
  manifest: ModelManifest
  /** Manifest path of the ONNX file. @default 'model.onnx' */
  modelPath?: string
  /** Manifest path of the vocab (`tokenizer.json`, or a `config.json` with `vocab`). @default 'tokenizer.json' */
  tokenizerPath?: string
  /** Manifest folder of the voices (`<folder>/<name>.bin`). @default 'voices' */
  voicesDir?: string
  /** @default 4000 */
  maxScriptChars?: number
  /** Passed to the session factory, e.g. `['webgpu', 'wasm']`. */
  executionProviders?: string[]
  /**
   * Input voice → Kokoro voice, for voices that are not a Kokoro voice name (recipe voices are eSpeak
   * NG ids). A voice the model has is used as is. @default KOKORO_RECIPE_VOICES
   */
  voiceAliases?: Readonly<Record<string, string>>
}

/** Thrown when the voice has no `.bin` in the model, or its language has no G2P here. */
export class UnknownKokoroVoiceError extends Error {
  static override name = 'UnknownKokoroVoiceError'
  readonly voice: string
  readonly reason: 'unknown' | 'unsupported-language'
  /** Voices of the loaded model that this stage can speak. */
  readonly available: string[]
  /** The input voice when it was an alias of {@link voice} (e.g. `en-us` for `af_heart`). */
  readonly requested?: string
  constructor (voice: string, reason: 'unknown' | 'unsupported-language', available: string[], requested?: string) {
    super(reason === 'unknown'
      ? `Unknown Kokoro voice "${voice}"${requested !== undefined ? ` (for the voice "${requested}")` : ''}. Available voices: ${available.join(', ')}`
      : `Kokoro voice "${voice}" needs a G2P this build lacks (voice prefixes supported: ${Object.keys(KOKORO_VOICE_LANGUAGES).join(', ')}). Available voices: ${available.join(', ')}`)
    this.name = 'UnknownKokoroVoiceError'
    this.voice = voice
    this.reason = reason
    this.available = available
    if (requested !== undefined) this.requested = requested
  }
}

/** Thrown when the speed is not a number in [0.5, 2]. */
export class InvalidSpeedError extends Error {
  static override name = 'InvalidSpeedError'
  constructor (speed: number) {
    super(`Kokoro speed ${speed} is outside ${KOKORO_MIN_SPEED}..${KOKORO_MAX_SPEED}`)
    this.name = 'InvalidSpeedError'
  }
}

export type KokoroModelFailure = 'missing-file' | 'bad-vocab' | 'bad-voice' | 'bad-output'

/** Thrown when the model's files or its output are not what Kokoro's contract says; `reason` says which. */
export class KokoroModelError extends Error {
  static override name = 'KokoroModelError'
  readonly reason: KokoroModelFailure
  constructor (reason: KokoroModelFailure, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'KokoroModelError'
    this.reason = reason
  }
}

/** A piece of text: a run of {@link KOKORO_PUNCTUATION} (with its surrounding spaces) or the words between. */
export interface TextPiece {
  text: string
  punctuation: boolean
}

const PUNCTUATION_RUN = new RegExp(`(?:\\s*[${KOKORO_PUNCTUATION.replace(/[\]\\^-]/g, '\\$&')}]+\\s*)+`, 'gu')

/**
 * Splits text into punctuation runs and the words between, so a G2P that drops punctuation (eSpeak NG
 * does) can phonemize the words while the punctuation is kept verbatim, as kokoro-js does.
 */
export function splitAtPunctuation (text: string): TextPiece[] {
  const out: TextPiece[] = []
  let at = 0
  for (const m of text.matchAll(PUNCTUATION_RUN)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), punctuation: false })
    out.push({ text: m[0], punctuation: true })
    at = m.index + m[0].length
  }
  if (at < text.length) out.push({ text: text.slice(at), punctuation: false })
  return out
}

/**
 * Adapts eSpeak NG's IPA to the symbols Kokoro was trained on: drops eSpeak's language-switch markers
 * (`(en)`, `(fr)`) and, for English, applies the substitutions kokoro-js makes after eSpeak NG
 * (hexgrad/kokoro `kokoro.js/src/phonemize.js`): ʲ→j, r→ɹ, x→k, ɬ→l, "kokoro" spelt as Kokoro says it,
 * a space before "hundred", a detached plural "z" joined back, and (American) "ninety" with a flap.
 */
export function espeakIpaToKokoro (ipa: string, language: string): string {
  let out = ipa.replace(/\([a-z]{2,3}(?:-[a-z0-9]+)*\)/g, '')
  if (!language.startsWith('en')) return out.replace(/ʲ/g, 'j')
  out = out
    .replace(/kəkˈoːɹoʊ/g, 'kˈoʊkəɹoʊ')
    .replace(/kəkˈɔːɹəʊ/g, 'kˈəʊkəɹəʊ')
    .replace(/ʲ/g, 'j')
    .replace(/r/g, 'ɹ')
    .replace(/x/g, 'k')
    .replace(/ɬ/g, 'l')
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, ' ')
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, 'z')
  if (language === 'en-us') out = out.replace(/(?<=nˈaɪn)ti(?!ː)/g, 'di')
  return out
}

/** Reads the phoneme vocab from a `tokenizer.json` (`model.vocab`) or a Kokoro `config.json` (`vocab`). */
export function parseKokoroVocab (json: unknown): Map<string, number> {
  const root = json as { model?: { vocab?: unknown }, vocab?: unknown } | null
  const vocab = root?.model?.vocab ?? root?.vocab
  if (vocab === null || typeof vocab !== 'object' || Array.isArray(vocab)) {
    throw new KokoroModelError('bad-vocab', 'The tokenizer has no vocab object (expected model.vocab or vocab)')
  }
  const map = new Map<string, number>()
  for (const [symbol, id] of Object.entries(vocab)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) throw new KokoroModelError('bad-vocab', `Vocab id of "${symbol}" is not a non-negative integer`)
    if ([...symbol].length !== 1) throw new KokoroModelError('bad-vocab', `Vocab symbol "${symbol}" is not one character; Kokoro's vocab maps single characters`)
    map.set(symbol, id as number)
  }
  if (map.size === 0) throw new KokoroModelError('bad-vocab', 'The vocab is empty')
  return map
}

/** Phoneme ids of an IPA string (no pads) and the symbols they came from; unknown characters are dropped. */
export interface Tokenized {
  ids: number[]
  symbols: string[]
  dropped: string[]
}

/** Looks each character of `phonemes` up in `vocab` (Kokoro's tokenization). */
export function tokenizePhonemes (phonemes: string, vocab: ReadonlyMap<string, number>): Tokenized {
  const out: Tokenized = { ids: [], symbols: [], dropped: [] }
  for (const ch of phonemes) {
    const id = vocab.get(ch)
    if (id === undefined) {
      out.dropped.push(ch)
    } else {
      out.ids.push(id)
      out.symbols.push(ch)
    }
  }
  return out
}

/** A sentence ready for packing. */
export interface TokenizedSentence extends Tokenized {
  text: string
}

/** One model call before it runs. */
export interface PlannedChunk {
  text: string
  ids: number[]
  symbols: string[]
}

/**
 * Packs consecutive sentences into chunks of at most `maxTokens` phoneme ids (a space between two
 * sentences when the vocab has one). A sentence longer than `maxTokens` is cut at the last space (else
 * punctuation, else anywhere) that fits; its parts keep the sentence's text. Sentences without ids
 * are skipped.
 */
export function packChunks (sentences: readonly TokenizedSentence[], vocab: ReadonlyMap<string, number>, maxTokens = KOKORO_MAX_PHONEME_TOKENS): PlannedChunk[] {
  const spaceId = vocab.get(' ')
  const chunks: PlannedChunk[] = []
  let current: PlannedChunk | undefined
  let currentSentence = -1
  for (const [index, sentence] of sentences.entries()) {
    for (const part of cutSentence(sentence, maxTokens)) {
      if (part.ids.length === 0) continue
      const joiner = spaceId === undefined ? 0 : 1
      if (current !== undefined && current.ids.length + joiner + part.ids.length <= maxTokens) {
        if (spaceId !== undefined) {
          current.ids.push(spaceId)
          current.symbols.push(' ')
        }
        current.ids.push(...part.ids)
        current.symbols.push(...part.symbols)
        if (index !== currentSentence) current.text = `${current.text} ${part.text}`
      } else {
        if (current !== undefined) chunks.push(current)
        current = { text: part.text, ids: [...part.ids], symbols: [...part.symbols] }
      }
      currentSentence = index
    }
  }
  if (current !== undefined) chunks.push(current)
  return chunks
}

function cutSentence (sentence: TokenizedSentence, maxTokens: number): PlannedChunk[] {
  const parts: PlannedChunk[] = []
  let rest = trimSpaces(sentence.ids, sentence.symbols)
  while (rest.ids.length > maxTokens) {
    const { ids, symbols } = rest
    let cut = symbols.lastIndexOf(' ', maxTokens)
    if (cut <= 0) {
      for (let i = maxTokens - 1; i > 0; i--) {
        if (KOKORO_PUNCTUATION.includes(symbols[i] ?? ' ')) { cut = i + 1; break }
      }
    }
    if (cut <= 0) cut = maxTokens
    parts.push({ text: sentence.text, ...trimSpaces(ids.slice(0, cut), symbols.slice(0, cut)) })
    rest = trimSpaces(ids.slice(cut), symbols.slice(cut))
  }
  parts.push({ text: sentence.text, ...rest })
  return parts
}

function trimSpaces (ids: number[], symbols: string[]): { ids: number[], symbols: string[] } {
  let start = 0
  let end = symbols.length
  while (start < end && symbols[start] === ' ') start++
  while (end > start && symbols[end - 1] === ' ') end--
  return { ids: ids.slice(start, end), symbols: symbols.slice(start, end) }
}

/** A voice file: float32 rows of {@link KOKORO_STYLE_DIM}, kept as the verified bytes. */
export interface KokoroVoice {
  name: string
  rows: number
  bytes: Uint8Array
}

/** Checks a voice file's size ([rows, 1, 256] float32) and wraps it. */
export function parseVoice (name: string, bytes: Uint8Array): KokoroVoice {
  const rowBytes = KOKORO_STYLE_DIM * 4
  if (bytes.byteLength === 0 || bytes.byteLength % rowBytes !== 0) {
    throw new KokoroModelError('bad-voice', `Voice "${name}" has ${bytes.byteLength} bytes, not a whole number of ${KOKORO_STYLE_DIM}-float32 rows`)
  }
  return { name, rows: bytes.byteLength / rowBytes, bytes }
}

/** The style row for `tokens` phoneme tokens (pads excluded), capped at the last row, as kokoro-js picks it. */
export function styleRowIndex (voice: KokoroVoice, tokens: number): number {
  return Math.min(Math.max(tokens, 0), voice.rows - 1)
}

/** The `style` input [1, 256] for `tokens` phoneme tokens (little-endian float32, whatever the host). */
export function styleRow (voice: KokoroVoice, tokens: number): Float32Array {
  const row = styleRowIndex(voice, tokens)
  const view = new DataView(voice.bytes.buffer, voice.bytes.byteOffset + row * KOKORO_STYLE_DIM * 4, KOKORO_STYLE_DIM * 4)
  const out = new Float32Array(KOKORO_STYLE_DIM)
  for (let i = 0; i < KOKORO_STYLE_DIM; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}

interface Loaded {
  session: InferenceSession
  vocab: Map<string, number>
  voices: Map<string, KokoroVoice>
}

/** Neural speech synthesis with Kokoro-82M (ONNX), 24 kHz mono. */
export class KokoroSpeechStage implements Stage<KokoroSpeechInput, KokoroSpeechOutput> {
  readonly info: StageInfo = {
    kind: 'speech',
    id: 'kokoro-82m',
    neural: true,
    description: 'neural speech synthesis (Kokoro-82M, ONNX; G2P by eSpeak NG), 24 kHz'
  }

  private readonly components: KokoroSpeechComponents
  private readonly manifest: ModelManifest
  private readonly modelPath: string
  private readonly tokenizerPath: string
  private readonly voicesDir: string
  private readonly maxScriptChars: number
  private readonly executionProviders?: string[]
  private readonly voiceAliases: Readonly<Record<string, string>>
  private loaded?: Loaded
  private loading?: Promise<void>

  constructor (components: KokoroSpeechComponents, init: KokoroSpeechInit) {
    this.components = components
    this.manifest = init.manifest
    this.modelPath = init.modelPath ?? 'model.onnx'
    this.tokenizerPath = init.tokenizerPath ?? 'tokenizer.json'
    this.voicesDir = (init.voicesDir ?? 'voices').replace(/\/+$/, '')
    this.maxScriptChars = init.maxScriptChars ?? KOKORO_MAX_SCRIPT_CHARS
    this.executionProviders = init.executionProviders
    this.voiceAliases = init.voiceAliases ?? KOKORO_RECIPE_VOICES
  }

  /** The manifest's estimate: host bytes plus GPU bytes (the budget counts both). */
  memoryEstimateBytes (): number {
    return this.manifest.memory.bytes + this.manifest.memory.gpuBytes
  }

  /** Voices of the loaded model this stage can speak (sorted); empty before `load()`. */
  get voices (): string[] {
    return [...(this.loaded?.voices.keys() ?? [])].filter(v => languageOfVoice(v) !== undefined).sort()
  }

  async load (options: AbortOptions = {}): Promise<void> {
    if (this.loaded !== undefined) return
    this.loading ??= this.doLoad(options).finally(() => { this.loading = undefined })
    await this.loading
  }

  private async doLoad (options: AbortOptions): Promise<void> {
    throwIfAborted(options.signal)
    const model = await this.components.loadModel(this.manifest, { signal: options.signal })
    const file = (path: string): Uint8Array => {
      const f = model.files.get(path)
      if (f === undefined) throw new KokoroModelError('missing-file', `Model ${this.manifest.id} has no file ${path}`)
      return f.bytes
    }
    let vocabJson: unknown
    try {
      vocabJson = JSON.parse(new TextDecoder().decode(file(this.tokenizerPath)))
    } catch (err) {
      if ((err as Error).name === KokoroModelError.name) throw err
      throw new KokoroModelError('bad-vocab', `${this.tokenizerPath} is not JSON`, { cause: err })
    }
    const vocab = parseKokoroVocab(vocabJson)
    const voices = new Map<string, KokoroVoice>()
    const prefix = `${this.voicesDir}/`
    for (const [path, f] of model.files) {
      if (!path.startsWith(prefix) || !path.endsWith('.bin')) continue
      const name = path.slice(prefix.length, -'.bin'.length)
      if (name.includes('/')) continue
      voices.set(name, parseVoice(name, f.bytes))
    }
    if (voices.size === 0) throw new KokoroModelError('missing-file', `Model ${this.manifest.id} has no ${prefix}*.bin voice`)
    throwIfAborted(options.signal)
    const session = await this.components.createSession(file(this.modelPath), { signal: options.signal, executionProviders: this.executionProviders })
    try {
      checkSignature(this.manifest.id, session, KOKORO_INPUTS, KOKORO_OUTPUTS)
      throwIfAborted(options.signal)
    } catch (err) {
      await session.release()
      throw err
    }
    this.loaded = { session, vocab, voices }
  }

  async unload (): Promise<void> {
    await this.loading?.catch(() => {})
    const loaded = this.loaded
    this.loaded = undefined
    await loaded?.session.release()
  }

  /** Throws the named error a bad input deserves; returns the voice and its G2P language. */
  validate (input: KokoroSpeechInput): { voice: KokoroVoice, language: string, speed: number } {
    const loaded = this.loaded
    if (loaded === undefined) throw new StageNotLoadedError('The Kokoro speech stage is not loaded: call load() first')
    if (input.script.trim() === '') throw new InvalidScriptError('empty', 'The script is empty')
    if (input.script.length > this.maxScriptChars) {
      throw new InvalidScriptError('too-long', `The script has ${input.script.length} characters; at most ${this.maxScriptChars} are accepted`)
    }
    const speed = input.speed ?? KOKORO_DEFAULT_SPEED
    if (!Number.isFinite(speed) || speed < KOKORO_MIN_SPEED || speed > KOKORO_MAX_SPEED) throw new InvalidSpeedError(speed)
    const name = this.resolveVoice(input.voice, loaded)
    const requested = name === input.voice ? undefined : input.voice
    const voice = loaded.voices.get(name)
    if (voice === undefined) throw new UnknownKokoroVoiceError(name, 'unknown', this.voices, requested)
    const language = languageOfVoice(name)
    if (language === undefined) throw new UnknownKokoroVoiceError(name, 'unsupported-language', this.voices, requested)
    return { voice, language, speed }
  }

  /** The Kokoro voice name for an input voice: itself when the model has it, else its alias (an eSpeak variant `+f3` ignored). */
  private resolveVoice (voice: string, loaded: Loaded): string {
    if (loaded.voices.has(voice)) return voice
    const aliases = this.voiceAliases
    if (Object.hasOwn(aliases, voice)) return aliases[voice] as string
    const language = voice.split('+')[0] ?? voice
    return Object.hasOwn(aliases, language) ? aliases[language] as string : voice
  }

  async run (input: KokoroSpeechInput, options: StageRunOptions = {}): Promise<KokoroSpeechOutput> {
    const { signal, onProgress } = options
    throwIfAborted(signal)
    const { voice, language, speed } = this.validate(input)
    const { session, vocab } = this.loaded as Loaded
    const sentences: TokenizedSentence[] = []
    const dropped = new Set<string>()
    for (const text of splitSentences(input.script)) {
      throwIfAborted(signal)
      const phonemes = await this.components.phonemize(text, language, { signal })
      const tokens = tokenizePhonemes(phonemes, vocab)
      for (const d of tokens.dropped) dropped.add(d)
      sentences.push({ text, ...tokens })
    }
    throwIfAborted(signal)
    const planned = packChunks(sentences, vocab)
    if (planned.length === 0) throw new InvalidScriptError('empty', 'The script has no phonemes in the Kokoro vocab')
    onProgress?.({ fraction: 0, message: `speech: ${planned.length} Kokoro chunk(s)` })
    const parts: Float32Array[] = []
    const chunks: KokoroChunk[] = []
    let samples = 0
    for (const [i, chunk] of planned.entries()) {
      throwIfAborted(signal)
      const ids = new BigInt64Array(chunk.ids.length + 2)
      chunk.ids.forEach((id, j) => { ids[j + 1] = BigInt(id) })
      ids[0] = BigInt(KOKORO_PAD_ID)
      ids[ids.length - 1] = BigInt(KOKORO_PAD_ID)
      const out = await session.run({
        input_ids: tensor('int64', ids, [1, ids.length]),
        style: tensor('float32', styleRow(voice, chunk.ids.length), [1, KOKORO_STYLE_DIM]),
        speed: tensor('float32', Float32Array.of(speed), [1])
      }, { signal })
      const pcm = waveformOf(out.waveform, this.manifest.id)
      chunks.push({
        text: chunk.text,
        phonemes: chunk.symbols.join(''),
        tokens: chunk.ids.length,
        startSec: samples / KOKORO_SAMPLE_RATE,
        endSec: (samples + pcm.length) / KOKORO_SAMPLE_RATE
      })
      parts.push(pcm)
      samples += pcm.length
      onProgress?.({ fraction: (i + 1) / planned.length, message: `speech: chunk ${i + 1}/${planned.length}` })
    }
    const pcm = concatPcm(parts)
    return {
      sampleRate: KOKORO_SAMPLE_RATE,
      pcm,
      marks: chunks.map(c => ({ text: c.text, startSec: c.startSec, endSec: c.endSec })),
      chunks,
      voice: voice.name,
      droppedSymbols: [...dropped]
    }
  }
}

/** The G2P language of a voice name, from its first letter ({@link KOKORO_VOICE_LANGUAGES}). */
export function languageOfVoice (voice: string): string | undefined {
  return Object.hasOwn(KOKORO_VOICE_LANGUAGES, voice.charAt(0)) ? KOKORO_VOICE_LANGUAGES[voice.charAt(0)] : undefined
}

/**
 * The `waveform` output as mono samples: float32, finite; clamped to [-1, 1] (the {@link SpeechOutput}
 * contract; the network's output is not bounded by construction).
 */
function waveformOf (t: { type: string, data: unknown } | undefined, model: string): Float32Array {
  if (t === undefined) throw new KokoroModelError('bad-output', `${model} returned no waveform`)
  if (t.type !== 'float32' || !(t.data instanceof Float32Array)) throw new KokoroModelError('bad-output', `${model} returned a ${t.type} waveform, expected float32`)
  const pcm = Float32Array.from(t.data)
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] as number
    if (!Number.isFinite(v)) throw new KokoroModelError('bad-output', `${model} returned a non-finite sample at ${i}`)
    if (v > 1) pcm[i] = 1
    else if (v < -1) pcm[i] = -1
  }
  return pcm
}

/** Creates the Kokoro speech stage (STYLE.md: lowercase factory). */
export function kokoroSpeech (components: KokoroSpeechComponents, init: KokoroSpeechInit): KokoroSpeechStage {
  return new KokoroSpeechStage(components, init)
}
