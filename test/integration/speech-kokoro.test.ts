// SPDX-License-Identifier: GPL-3.0-or-later
// The Kokoro-82M speech stage on its real code path without the real weights: a tiny generated ONNX model
// with Kokoro's exact input/output names, dtypes and shapes (input_ids int64 [1, seq], style float32
// [1, 256], speed float32 [1] → waveform float32), a tiny vocab and one [510, 1, 256] voice, served from
// 127.0.0.1 and loaded through loadModel + FsModelStore (sha256 verified), run by onnxruntime-node, with
// eSpeak NG (WASM) as the G2P. The tiny graph: waveform = Reshape(Tanh((Gather(E, ids) + style·W) · speed)),
// i.e. K samples per id; the test recomputes it independently in float64.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelSignatureError } from '../../src/core/ai/inference.ts'
import type { ModelManifest } from '../../src/core/ai/manifest.ts'
import type { FetchLike } from '../../src/core/ai/model-loader.ts'
import { KOKORO_SAMPLE_RATE, UnknownKokoroVoiceError } from '../../src/core/lane0/speech-kokoro.ts'
import type { KokoroSpeechOutput, KokoroSpeechStage } from '../../src/core/lane0/speech-kokoro.ts'
import { PhonemizeError, nodeEspeakPhonemizer } from '../../src/platform/node/espeak-phonemize.ts'
import { nodeKokoroSpeech } from '../../src/platform/node/kokoro.ts'
import { FsModelStore } from '../../src/platform/node/model-cache.ts'
import { KOKORO_TINY, kokoroFiles, kokoroManifestInit, publishStandin, serveStandins } from '../fixtures/lane0-standin-models.ts'
import type { StandinServer } from '../fixtures/lane0-standin-models.ts'

/** Samples per input id in the tiny graph. */
const K = 48
const { styleDim: STYLE_DIM, e, w, voiceValue } = KOKORO_TINY
const VOCAB = KOKORO_TINY.vocab

/** The tiny graph in float64, from the ids (pads included), the voice row and the speed. */
function expectedWaveform (ids: number[], row: number, speed: number): Float64Array {
  const styled = new Float64Array(K)
  for (let k = 0; k < K; k++) for (let j = 0; j < STYLE_DIM; j++) styled[k] = (styled[k] as number) + voiceValue(row, j) * w(j, k)
  const out = new Float64Array(ids.length * K)
  ids.forEach((id, t) => { for (let k = 0; k < K; k++) out[t * K + k] = Math.tanh((e(id, k) + (styled[k] as number)) * Math.fround(speed)) })
  return out
}

function maxAbsDiff (a: Float32Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)))
  return m
}

/** Our own lookup (not the stage's): each character's id, unknown ones skipped. */
function idsOf (phonemes: string): number[] {
  return [...phonemes].flatMap(ch => VOCAB[ch] === undefined ? [] : [VOCAB[ch]])
}

function sha256 (pcm: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)).digest('hex')
}

const realFetch: FetchLike = async (url, init) => await fetch(url, init)
const phonemize = nodeEspeakPhonemizer()

describe('eSpeak NG phonemizer (WASM, --ipa)', () => {
  it('should produce IPA with the punctuation kept and Kokoro\'s English substitutions', async () => {
    expect(await phonemize('Hello, world.', 'en-us')).toBe('həlˈoʊ, wˈɜːld.')
    // eSpeak NG says kəkˈoːɹoʊ; kokoro-js respells it.
    expect(await phonemize('Kokoro!', 'en-us')).toBe('kˈoʊkəɹoʊ!')
    expect(await phonemize('Hello, world.', 'en-gb')).toBe('həlˈəʊ, wˈɜːld.')
    expect(await phonemize.raw('Kokoro', 'en-us')).toBe('kəkˈoːɹoʊ')
  })

  it('should refuse an unknown language with a named error', async () => {
    await expect(phonemize('hello', 'xx-yy')).rejects.toMatchObject({ name: PhonemizeError.name })
    await expect(phonemize('hello', '-q')).rejects.toMatchObject({ name: PhonemizeError.name })
  })
})

describe('Kokoro speech stage with a tiny ONNX model (onnxruntime-node, loadModel over HTTP)', () => {
  let server: StandinServer
  let cacheDir: string
  let good: ModelManifest
  let bad: ModelManifest
  let stage: KokoroSpeechStage

  const stageFor = (manifest: ModelManifest, offline = false): KokoroSpeechStage =>
    nodeKokoroSpeech({ manifest, store: new FsModelStore(cacheDir), fetch: realFetch, offline, phonemize })

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'nsn-kokoro-'))
    server = await serveStandins()
    good = publishStandin(server, 'kokoro-tiny', kokoroManifestInit('kokoro-tiny'), kokoroFiles({ samplesPerId: K, voice: 'af_tiny' }))
    // The v0.19 export named its ids input `tokens`: a real way to get the signature wrong.
    bad = publishStandin(server, 'kokoro-tiny-bad', kokoroManifestInit('kokoro-tiny-bad'), kokoroFiles({ samplesPerId: K, voice: 'af_tiny', idsName: 'tokens' }))
    stage = stageFor(good)
    await stage.load()
  })

  afterAll(async () => {
    await stage?.unload()
    await server?.close()
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true })
  })

  it('should download, verify and cache the files through the model loader', async () => {
    expect(server.requests.filter(r => r.startsWith('kokoro-tiny/')).sort()).toEqual(['kokoro-tiny/model.onnx', 'kokoro-tiny/tokenizer.json', 'kokoro-tiny/voices/af_tiny.bin'])
    expect(stage.memoryEstimateBytes()).toBe(good.memory.bytes)
    expect(stage.voices).toEqual(['af_tiny'])
    // A second stage offline loads from the cache: no request.
    const before = server.requests.length
    const offline = stageFor(good, true)
    await offline.load()
    await offline.unload()
    expect(server.requests.length).toBe(before)
  })

  it('should synthesize 24 kHz audio whose length and samples follow the tiny graph', async () => {
    const script = 'Hello, world. This is a test!'
    const out = await stage.run({ script, voice: 'af_tiny' })
    expect(out.sampleRate).toBe(KOKORO_SAMPLE_RATE)
    expect(out.chunks.length).toBe(1)
    // Independent path: phonemize each sentence ourselves, look the ids up ourselves, join with a space.
    const ids = [...idsOf(await phonemize('Hello, world.', 'en-us')), VOCAB[' '] as number, ...idsOf(await phonemize('This is a test!', 'en-us'))]
    const chunk = out.chunks[0]
    expect(chunk?.tokens).toBe(ids.length)
    expect(idsOf(chunk?.phonemes ?? '')).toEqual(ids)
    expect(out.pcm.length).toBe((ids.length + 2) * K)
    const expected = expectedWaveform([0, ...ids, 0], ids.length, 1)
    expect(maxAbsDiff(out.pcm, expected)).toBeLessThan(1e-5)
    // The style row matters: the next row would give a clearly different waveform.
    expect(maxAbsDiff(out.pcm, expectedWaveform([0, ...ids, 0], ids.length + 1, 1))).toBeGreaterThan(1e-3)
    expect(out.marks).toEqual([{ text: script, startSec: 0, endSec: out.pcm.length / KOKORO_SAMPLE_RATE }])
    expect(out.droppedSymbols).toEqual([])
  })

  it('should follow the token count: a longer script gives proportionally more samples, and speed is fed', async () => {
    const short = await stage.run({ script: 'Yes.', voice: 'af_tiny' })
    const long = await stage.run({ script: 'Yes. Yes, yes, yes.', voice: 'af_tiny', speed: 1.5 })
    expect(short.pcm.length).toBe(((short.chunks[0]?.tokens ?? 0) + 2) * K)
    expect(long.pcm.length).toBe(((long.chunks[0]?.tokens ?? 0) + 2) * K)
    expect(long.pcm.length).toBeGreaterThan(2 * short.pcm.length)
    const ids = idsOf(long.chunks[0]?.phonemes ?? '')
    expect(maxAbsDiff(long.pcm, expectedWaveform([0, ...ids, 0], ids.length, 1.5))).toBeLessThan(1e-5)
  })

  it('should split a script over 510 tokens into chunks and concatenate their waveforms', async () => {
    const sentence = 'The quick brown fox jumps over the lazy dog near the quiet river bank today.'
    const script = Array(12).fill(sentence).join(' ')
    const progress: number[] = []
    const out = await stage.run({ script, voice: 'af_tiny' }, { onProgress: p => progress.push(p.fraction) })
    expect(out.chunks.length).toBeGreaterThan(1)
    expect(progress.at(-1)).toBe(1)
    expect(progress.length).toBe(out.chunks.length + 1)
    let at = 0
    for (const c of out.chunks) {
      expect(c.tokens).toBeLessThanOrEqual(510)
      const ids = idsOf(c.phonemes)
      expect(ids.length).toBe(c.tokens)
      const n = (c.tokens + 2) * K
      expect(c.startSec).toBeCloseTo(at / KOKORO_SAMPLE_RATE, 9)
      expect(maxAbsDiff(out.pcm.subarray(at, at + n), expectedWaveform([0, ...ids, 0], Math.min(c.tokens, 509), 1))).toBeLessThan(1e-5)
      at += n
    }
    expect(at).toBe(out.pcm.length)
    // Every sentence is spoken once: inside a chunk the sentences' ids are joined by a space id.
    const one = idsOf(await phonemize(sentence, 'en-us'))
    for (const c of out.chunks) {
      const n = (c.tokens + 1) / (one.length + 1)
      expect(Number.isInteger(n)).toBe(true)
      expect(idsOf(c.phonemes)).toEqual(Array.from({ length: n }, () => one).flatMap((s, i) => i === 0 ? s : [VOCAB[' '] as number, ...s]))
    }
    expect(out.chunks.reduce((n, c) => n + (c.tokens + 1) / (one.length + 1), 0)).toBe(12)
  })

  it('should give the same bytes for the same input, also from a fresh session', async () => {
    const input = { script: 'Same words, same bytes.', voice: 'af_tiny' }
    const a = await stage.run(input)
    const b = await stage.run(input)
    const fresh = stageFor(good, true)
    await fresh.load()
    const c: KokoroSpeechOutput = await fresh.run(input)
    await fresh.unload()
    expect(sha256(a.pcm)).toBe(sha256(b.pcm))
    expect(sha256(a.pcm)).toBe(sha256(c.pcm))
  })

  it('should name an unknown voice and list the available ones', async () => {
    const err = await stage.run({ script: 'Hello.', voice: 'af_heart' }).then(() => { throw new Error('resolved') }, (x: unknown) => x as UnknownKokoroVoiceError)
    expect(err.name).toBe(UnknownKokoroVoiceError.name)
    expect(err.available).toEqual(['af_tiny'])
    expect(err.message).toContain('af_tiny')
  })

  it('should refuse a model whose inputs are not Kokoro\'s', async () => {
    const wrong = stageFor(bad)
    const err = await wrong.load().then(() => { throw new Error('resolved') }, (x: unknown) => x as Error)
    expect(err.name).toBe(ModelSignatureError.name)
    expect(err.message).toContain('kokoro-tiny-bad')
    expect(err.message).toContain('tokens')
    await expect(wrong.run({ script: 'Hello.', voice: 'af_tiny' })).rejects.toMatchObject({ name: 'StageNotLoadedError' })
  })

  it('should stop between chunks when aborted, and before loading', async () => {
    const sentence = 'The quick brown fox jumps over the lazy dog near the quiet river bank today.'
    const controller = new AbortController()
    const seen: number[] = []
    const run = stage.run({ script: Array(12).fill(sentence).join(' '), voice: 'af_tiny' }, {
      signal: controller.signal,
      onProgress: p => { seen.push(p.fraction); if (p.fraction > 0) controller.abort() }
    })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen.filter(f => f > 0).length).toBe(1)
    const pre = new AbortController()
    pre.abort()
    await expect(stageFor(good, true).load({ signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
