// SPDX-License-Identifier: GPL-3.0-or-later
// The Kokoro stage's orchestration against a fake session and phonemizer (no ONNX runtime): tokenization,
// padding, chunking at 510 tokens, the voice row, named errors, abort, progress, unload. The real
// runtime with a generated ONNX model is exercised in test/integration/speech-kokoro.test.ts.
import { describe, expect, it } from 'vitest'
import { ModelSignatureError } from '../ai/inference.ts'
import type { InferenceSession, SessionFactory, Tensor } from '../ai/inference.ts'
import type { LoadedModel } from '../ai/model-loader.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import {
  InvalidScriptError, InvalidSpeedError, KOKORO_MAX_PHONEME_TOKENS, KOKORO_RECIPE_VOICES, KOKORO_SAMPLE_RATE, KokoroModelError, KokoroSpeechStage,
  StageNotLoadedError, UnknownKokoroVoiceError, espeakIpaToKokoro, packChunks, parseKokoroVocab, parseVoice, splitAtPunctuation,
  styleRow, styleRowIndex, tokenizePhonemes
} from './speech-kokoro.ts'
import type { KokoroPhonemizer, KokoroSpeechComponents } from './speech-kokoro.ts'
import type { SpeechOutput, Stage } from './stage.ts'

const VOCAB: Record<string, number> = { $: 0, ';': 1, ':': 2, ',': 3, '.': 4, '!': 5, '?': 6, ' ': 16, a: 43, b: 44, h: 50, l: 54, o: 57, 'ə': 83, 'ˈ': 156 }
const vocab = new Map(Object.entries(VOCAB))

const MANIFEST: ModelManifest = {
  id: 'kokoro-test',
  name: 'fake',
  version: '0',
  licence: { spdx: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  runtime: 'onnxruntime-node',
  task: 'speech',
  neural: true,
  memory: { bytes: 300_000_000, gpuBytes: 25_000_000 },
  signature: { inputs: [], outputs: [] },
  files: [{ path: 'model.onnx', source: { url: 'https://example.invalid/m' }, size: 1, sha256: '0'.repeat(64) }]
}

/** A voice whose row r holds r + k/1000 at position k. */
function voiceBytes (rows: number): Uint8Array {
  const f = new Float32Array(rows * 256)
  for (let r = 0; r < rows; r++) for (let k = 0; k < 256; k++) f[r * 256 + k] = r + k / 1000
  return new Uint8Array(f.buffer)
}

function loadedModel (files: Record<string, Uint8Array>): LoadedModel {
  return {
    manifest: MANIFEST,
    files: new Map(Object.entries(files).map(([path, bytes]) => [path, { path, size: bytes.byteLength, sha256: '', bytes }]))
  }
}

interface Call { ids: number[], styleFirst: number, speed: number }

/** A fake session: `samplesPerId` samples per input id, each equal to the call index + 1 divided by 10. */
function fakeFactory (calls: Call[], init: { inputNames?: string[], outputType?: string, released?: { count: number } } = {}): SessionFactory {
  return async (): Promise<InferenceSession> => ({
    inputNames: init.inputNames ?? ['input_ids', 'style', 'speed'],
    outputNames: ['waveform'],
    async run (feeds: Record<string, Tensor>) {
      const ids = [...(feeds.input_ids?.data as BigInt64Array)].map(Number)
      calls.push({ ids, styleFirst: (feeds.style?.data as Float32Array)[0] ?? NaN, speed: (feeds.speed?.data as Float32Array)[0] ?? NaN })
      expect(feeds.input_ids?.dims).toEqual([1, ids.length])
      expect(feeds.style?.dims).toEqual([1, 256])
      expect(feeds.speed?.dims).toEqual([1])
      const data = new Float32Array(ids.length * 10).fill(calls.length / 10)
      return { waveform: { type: (init.outputType ?? 'float32') as 'float32', data, dims: [data.length] } }
    },
    async release () { if (init.released !== undefined) init.released.count++ }
  })
}

function stage (options: { calls?: Call[], phonemize?: KokoroPhonemizer, inputNames?: string[], outputType?: string, released?: { count: number }, voices?: Record<string, Uint8Array>, voiceAliases?: Record<string, string>, loadedIds?: string[] } = {}): KokoroSpeechStage {
  const components: KokoroSpeechComponents = {
    createSession: fakeFactory(options.calls ?? [], options),
    async loadModel (manifest) {
      options.loadedIds?.push(manifest.id)
      return loadedModel({
        'model.onnx': new Uint8Array([1]),
        'tokenizer.json': new TextEncoder().encode(JSON.stringify({ model: { type: 'WordLevel', vocab: VOCAB } })),
        ...(options.voices ?? { 'voices/af_test.bin': voiceBytes(510), 'voices/bm_other.bin': voiceBytes(510), 'voices/jf_alpha.bin': voiceBytes(510) })
      })
    },
    // The "text" is already IPA-like; language is recorded in the output to check the voice mapping.
    phonemize: options.phonemize ?? (async (text) => text.toLowerCase())
  }
  return new KokoroSpeechStage(components, { manifest: MANIFEST, ...(options.voiceAliases !== undefined ? { voiceAliases: options.voiceAliases } : {}) })
}

describe('Kokoro tokenization helpers', () => {
  it('should read the vocab from tokenizer.json or config.json and refuse malformed ones', () => {
    expect(parseKokoroVocab({ model: { vocab: { a: 1 } } }).get('a')).toBe(1)
    expect(parseKokoroVocab({ vocab: { b: 2 } }).get('b')).toBe(2)
    expect(() => parseKokoroVocab({})).toThrow(KokoroModelError)
    expect(() => parseKokoroVocab({ vocab: { ab: 1 } })).toThrow(/one character/)
    expect(() => parseKokoroVocab({ vocab: { a: -1 } })).toThrow(/non-negative/)
  })

  it('should map each character to its id and drop characters outside the vocab', () => {
    const t = tokenizePhonemes('hˈəlo, ʒab!', vocab)
    expect(t.ids).toEqual([50, 156, 83, 54, 57, 3, 16, 43, 44, 5])
    expect(t.dropped).toEqual(['ʒ'])
    expect(t.symbols.join('')).toBe('hˈəlo, ab!')
  })

  it('should keep punctuation runs with their spaces apart from the words', () => {
    expect(splitAtPunctuation('Hello, world! "Yes" (no)')).toEqual([
      { text: 'Hello', punctuation: false }, { text: ', ', punctuation: true }, { text: 'world', punctuation: false },
      { text: '! "', punctuation: true }, { text: 'Yes', punctuation: false }, { text: '" (', punctuation: true },
      { text: 'no', punctuation: false }, { text: ')', punctuation: true }
    ])
    expect(splitAtPunctuation('plain words')).toEqual([{ text: 'plain words', punctuation: false }])
  })

  it('should adapt eSpeak NG IPA the way kokoro-js does', () => {
    expect(espeakIpaToKokoro('ðɪs ɪz kəkˈoːɹoʊ', 'en-us')).toBe('ðɪs ɪz kˈoʊkəɹoʊ')
    expect(espeakIpaToKokoro('rˈɛd xˈɑː ɬ', 'en-gb')).toBe('ɹˈɛd kˈɑː l')
    expect(espeakIpaToKokoro('nˈaɪnti', 'en-us')).toBe('nˈaɪndi')
    expect(espeakIpaToKokoro('nˈaɪnti', 'en-gb')).toBe('nˈaɪnti')
    expect(espeakIpaToKokoro('fˈaɪvhˈʌndɹɪd', 'en-us')).toBe('fˈaɪv hˈʌndɹɪd')
    // Other languages keep their r; the language-switch markers go everywhere.
    expect(espeakIpaToKokoro('ɛlˈo (en)wˈɜːld(fr)', 'fr-fr')).toBe('ɛlˈo wˈɜːld')
    expect(espeakIpaToKokoro('pˈeɾo ˈrrio', 'es')).toBe('pˈeɾo ˈrrio')
  })

  it('should pick the style row by token count, capped at the last row', () => {
    const voice = parseVoice('v', voiceBytes(510))
    expect(voice.rows).toBe(510)
    expect(styleRowIndex(voice, 0)).toBe(0)
    expect(styleRowIndex(voice, 7)).toBe(7)
    expect(styleRowIndex(voice, 509)).toBe(509)
    expect(styleRowIndex(voice, 600)).toBe(509)
    const row = styleRow(voice, 7)
    expect(row.length).toBe(256)
    expect(row[0]).toBe(7)
    expect(row[255]).toBeCloseTo(7.255, 5)
    expect(() => parseVoice('bad', new Uint8Array(1000))).toThrow(KokoroModelError)
  })

  it('should pack sentences into chunks of at most 510 tokens and cut an over-long sentence at a space', () => {
    const sentence = (text: string, n: number): ReturnType<typeof tokenizePhonemes> & { text: string } => ({ text, ...tokenizePhonemes('a'.repeat(n), vocab) })
    const chunks = packChunks([sentence('one', 300), sentence('two', 200), sentence('three', 100)], vocab)
    expect(chunks.map(c => c.ids.length)).toEqual([501, 100])
    expect(chunks[0]?.text).toBe('one two')
    expect(chunks[0]?.ids[300]).toBe(16)
    // 12 words of 50 "a" plus spaces: 611 tokens → cut at the last space before 510.
    const long = { text: 'long', ...tokenizePhonemes(Array(12).fill('a'.repeat(50)).join(' '), vocab) }
    const cut = packChunks([long], vocab)
    expect(cut.map(c => c.ids.length)).toEqual([509, 101])
    expect(cut.every(c => c.symbols[0] !== ' ' && c.symbols.at(-1) !== ' ')).toBe(true)
    expect(cut.map(c => c.text)).toEqual(['long', 'long'])
    // No space at all: a hard cut at 510.
    expect(packChunks([sentence('x', 1200)], vocab).map(c => c.ids.length)).toEqual([510, 510, 180])
    // Identical sentence texts stay two sentences in the chunk text.
    expect(packChunks([sentence('Yes.', 2), sentence('Yes.', 2)], vocab)[0]?.text).toBe('Yes. Yes.')
  })
})

describe('KokoroSpeechStage with a fake session', () => {
  it('should say it is neural and estimate memory from the manifest', () => {
    const s = stage()
    expect(s.info).toMatchObject({ kind: 'speech', id: 'kokoro-82m', neural: true })
    expect(s.memoryEstimateBytes()).toBe(325_000_000)
    // It plugs into the pipeline's speech slot as it is.
    const slot: Stage<{ script: string, voice: string }, SpeechOutput> = s
    expect(slot.info.id).toBe('kokoro-82m')
  })

  it('should pad ids with 0, pick the style row by token count and concatenate chunks with marks', async () => {
    const calls: Call[] = []
    const s = stage({ calls })
    await s.load()
    expect(s.voices).toEqual(['af_test', 'bm_other'])
    const progress: number[] = []
    const out = await s.run({ script: 'Hal. Bob!', voice: 'af_test' }, { onProgress: p => progress.push(p.fraction) })
    // "hal." (4) + space + "bob!" (4) = 9 tokens in one chunk.
    expect(calls).toEqual([{ ids: [0, 50, 43, 54, 4, 16, 44, 57, 44, 5, 0], styleFirst: 9, speed: 1 }])
    expect(out.sampleRate).toBe(KOKORO_SAMPLE_RATE)
    expect(out.pcm.length).toBe(110)
    expect(out.chunks).toEqual([{ text: 'Hal. Bob!', phonemes: 'hal. bob!', tokens: 9, startSec: 0, endSec: 110 / 24000 }])
    expect(out.marks).toEqual([{ text: 'Hal. Bob!', startSec: 0, endSec: 110 / 24000 }])
    expect(progress).toEqual([0, 1])
    expect(out.droppedSymbols).toEqual([])
  })

  it('should split a long script into several model calls of at most 512 ids, in order', async () => {
    const calls: Call[] = []
    const s = stage({ calls })
    await s.load()
    const sentence = `${'ab '.repeat(99)}ab.` // 300 tokens
    const progress: number[] = []
    const out = await s.run({ script: `${sentence} ${sentence} ${sentence}`, voice: 'bm_other', speed: 1.5 }, { onProgress: p => progress.push(p.fraction) })
    expect(calls.map(c => c.ids.length)).toEqual([302, 302, 302])
    expect(calls.every(c => c.ids.length <= KOKORO_MAX_PHONEME_TOKENS + 2 && c.ids[0] === 0 && c.ids.at(-1) === 0)).toBe(true)
    expect(calls.map(c => c.styleFirst)).toEqual([300, 300, 300])
    expect(calls.map(c => c.speed)).toEqual([1.5, 1.5, 1.5])
    expect(progress).toEqual([0, 1 / 3, 2 / 3, 1])
    // Chunk i is filled with (i + 1) / 10 by the fake: order and boundaries are exact.
    expect(out.pcm[0]).toBeCloseTo(0.1)
    expect(out.pcm[3020]).toBeCloseTo(0.2)
    expect(out.pcm[6040]).toBeCloseTo(0.3)
    expect(out.chunks.map(c => c.startSec * 24000)).toEqual([0, 3020, 6040])
  })

  it('should report characters the vocab lacks', async () => {
    const s = stage({ phonemize: async () => 'haʒʒl' })
    await s.load()
    const out = await s.run({ script: 'x', voice: 'af_test' })
    expect(out.droppedSymbols).toEqual(['ʒ'])
    expect(out.chunks[0]?.tokens).toBe(3)
  })

  it('should pass the voice language to the phonemizer', async () => {
    const languages: string[] = []
    const s = stage({ phonemize: async (text, language) => { languages.push(language); return 'ab' } })
    await s.load()
    await s.run({ script: 'One. Two.', voice: 'bm_other' })
    expect(languages).toEqual(['en-gb', 'en-gb'])
  })

  it('should load its own manifest through loadModel and speak a recipe (eSpeak) voice through the aliases', async () => {
    const loadedIds: string[] = []
    const languages: string[] = []
    const s = stage({ loadedIds, voiceAliases: { 'en-gb': 'bm_other' }, phonemize: async (_text, language) => { languages.push(language); return 'ab' } })
    await s.load()
    expect(loadedIds).toEqual([MANIFEST.id])
    expect((await s.run({ script: 'One.', voice: 'en-gb' })).voice).toBe('bm_other')
    // an eSpeak variant maps through its language part; a Kokoro voice name is used as is
    expect((await s.run({ script: 'One.', voice: 'en-gb+f3' })).voice).toBe('bm_other')
    expect((await s.run({ script: 'One.', voice: 'af_test' })).voice).toBe('af_test')
    expect(languages).toEqual(['en-gb', 'en-gb', 'en-us'])
    // the default aliases name real Kokoro v1.0 voices, which this fake model lacks
    const d = stage()
    await d.load()
    const err = await d.run({ script: 'a', voice: 'en-us' }).then(() => { throw new Error('resolved') }, (e: unknown) => e as UnknownKokoroVoiceError)
    expect(err).toMatchObject({ name: UnknownKokoroVoiceError.name, voice: KOKORO_RECIPE_VOICES['en-us'], requested: 'en-us', reason: 'unknown' })
    expect(err.message).toContain('"af_heart" (for the voice "en-us")')
  })

  it('should throw named errors for bad input', async () => {
    const s = stage()
    await expect(s.run({ script: 'a', voice: 'af_test' })).rejects.toThrow(StageNotLoadedError)
    await s.load()
    const unknown = await s.run({ script: 'a', voice: 'af_nope' }).then(() => { throw new Error('resolved') }, (e: unknown) => e as UnknownKokoroVoiceError)
    expect(unknown.name).toBe(UnknownKokoroVoiceError.name)
    expect(unknown.reason).toBe('unknown')
    expect(unknown.available).toEqual(['af_test', 'bm_other'])
    expect(unknown.message).toContain('af_test, bm_other')
    await expect(s.run({ script: 'a', voice: 'jf_alpha' })).rejects.toMatchObject({ name: 'UnknownKokoroVoiceError', reason: 'unsupported-language' })
    await expect(s.run({ script: '  \n', voice: 'af_test' })).rejects.toMatchObject({ name: InvalidScriptError.name, reason: 'empty' })
    await expect(s.run({ script: 'a'.repeat(4001), voice: 'af_test' })).rejects.toMatchObject({ name: InvalidScriptError.name, reason: 'too-long' })
    await expect(s.run({ script: 'a', voice: 'af_test', speed: 3 })).rejects.toThrow(InvalidSpeedError)
    await expect(s.run({ script: 'a', voice: 'af_test', speed: Number.NaN })).rejects.toThrow(InvalidSpeedError)
    // Nothing in the vocab: no chunk to speak.
    await expect(s.run({ script: 'ʒʒ', voice: 'af_test' })).rejects.toMatchObject({ name: InvalidScriptError.name, reason: 'empty' })
  })

  it('should refuse a model whose inputs are not Kokoro\'s and release its session', async () => {
    const released = { count: 0 }
    const s = stage({ inputNames: ['tokens', 'style', 'speed'], released })
    const err = await s.load().then(() => { throw new Error('resolved') }, (e: unknown) => e as Error)
    expect(err.name).toBe(ModelSignatureError.name)
    expect(err.message).toContain('input_ids')
    expect(released.count).toBe(1)
  })

  it('should refuse a non-float waveform and a malformed voice file', async () => {
    const s = stage({ outputType: 'int32' })
    await s.load()
    await expect(s.run({ script: 'ab', voice: 'af_test' })).rejects.toMatchObject({ name: KokoroModelError.name, reason: 'bad-output' })
    await expect(stage({ voices: { 'voices/af_x.bin': new Uint8Array(100) } }).load()).rejects.toMatchObject({ name: KokoroModelError.name, reason: 'bad-voice' })
    await expect(stage({ voices: {} }).load()).rejects.toMatchObject({ name: KokoroModelError.name, reason: 'missing-file' })
  })

  it('should stop between chunks when aborted', async () => {
    const calls: Call[] = []
    const controller = new AbortController()
    const s = stage({ calls })
    await s.load()
    const sentence = `${'ab '.repeat(99)}ab.`
    const run = s.run({ script: `${sentence} ${sentence} ${sentence}`, voice: 'af_test' }, {
      signal: controller.signal,
      onProgress: p => { if (p.fraction > 0) controller.abort() }
    })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(calls.length).toBe(1)
    const pre = new AbortController()
    pre.abort()
    await expect(s.run({ script: 'ab', voice: 'af_test' }, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('should release the session on unload and need load again', async () => {
    const released = { count: 0 }
    const s = stage({ released })
    await s.load()
    await s.load()
    await s.unload()
    await s.unload()
    expect(released.count).toBe(1)
    expect(s.voices).toEqual([])
    await expect(s.run({ script: 'ab', voice: 'af_test' })).rejects.toThrow(StageNotLoadedError)
  })
})
