// SPDX-License-Identifier: GPL-3.0-or-later
// Orchestration of the eSpeak NG stage against a stub Emscripten factory (no WASM): argument building,
// sentence splitting, concatenation and marks, validation errors, abort. The real engine is exercised in
// test/integration/speech-espeak.test.ts.
import { describe, expect, it } from 'vitest'
import {
  EspeakFailedError, EspeakSpeechStage, InvalidRateError, InvalidScriptError, parseVariantList, parseVoiceList, parseWav16,
  splitSentences, StageNotLoadedError, UnknownVoiceError
} from './speech-espeak.ts'
import type { EspeakModule, EspeakModuleArg, EspeakSpeechComponents } from './speech-espeak.ts'

const VOICES = [
  'Pty Language       Age/Gender VoiceName          File                 Other Languages',
  ' 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)',
  ' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)',
  ' 5  es-419          --/M      Spanish_(Latin_America) roa/es-419           (es-mx 6)'
]
const VARIANTS = [
  'Pty Language       Age/Gender VoiceName          File                 Other Languages',
  ' 5  variant         --/F      f3                 !v/f3                ',
  ' 5  variant         --/M      Klatt              !v/klatt             '
]

function wav (samples: number[], sampleRate = 22050): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2)
  const view = new DataView(bytes.buffer)
  const put = (at: number, s: string): void => { for (let i = 0; i < 4; i++) bytes[at + i] = s.charCodeAt(i) }
  put(0, 'RIFF'); view.setUint32(4, 0x7ffff000, true); put(8, 'WAVE')
  put(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true)
  view.setUint32(24, sampleRate, true); view.setUint32(28, sampleRate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true)
  put(36, 'data'); view.setUint32(40, 0x7ffff000, true) // streamed: placeholder sizes, as eSpeak NG may write
  samples.forEach((s, i) => view.setInt16(44 + i * 2, s, true))
  return bytes
}

interface Call { args: string[], input?: string }

/** A fake factory: "synthesizes" one sample of value 100·(characters) per sentence. */
function stubComponents (calls: Call[], options: { noWav?: boolean } = {}): EspeakSpeechComponents {
  return {
    async compileWasm () {
      return new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))
    },
    async createModule (arg: EspeakModuleArg): Promise<EspeakModule> {
      const files = new Map<string, Uint8Array | string>()
      const module: EspeakModule = {
        FS: {
          readFile (path) {
            const f = files.get(path)
            if (f === undefined || typeof f === 'string') throw new Error('ENOENT')
            return f
          },
          writeFile (path, data) { files.set(path, data) }
        }
      }
      for (const fn of arg.preRun) fn(module)
      const call: Call = { args: arg.arguments }
      const inputPath = arg.arguments[arg.arguments.indexOf('-f') + 1]
      if (arg.arguments.includes('-f') && inputPath !== undefined) call.input = String(files.get(inputPath))
      calls.push(call)
      if (arg.arguments[0] === '--voices') VOICES.forEach(l => { arg.print(l) })
      else if (arg.arguments[0] === '--voices=variant') VARIANTS.forEach(l => { arg.print(l) })
      else {
        arg.print(`ipa-of(${call.input ?? ''})`)
        const out = arg.arguments[arg.arguments.indexOf('-w') + 1]
        if (options.noWav === true) arg.printErr('simulated failure')
        else if (out !== undefined) files.set(out, wav([100 * (call.input?.length ?? 0), -16384, 32767]))
      }
      return module
    }
  }
}

describe('speech-espeak (stubbed engine)', () => {
  it('should describe itself as not neural', () => {
    const stage = new EspeakSpeechStage(stubComponents([]))
    expect(stage.info).toEqual({ kind: 'speech', id: 'espeak-ng', neural: false, description: 'formant speech synthesis (eSpeak NG), not neural' })
    expect(stage.memoryEstimateBytes()).toBeGreaterThan(32 * 1024 * 1024)
  })

  it('should split a script into sentences keeping their punctuation', () => {
    expect(splitSentences('Hello there. How are you?  Fine!\n\nNew paragraph without stop\nstill same')).toEqual([
      'Hello there.', 'How are you?', 'Fine!', 'New paragraph without stop still same'
    ])
    expect(splitSentences('He said "stop." Then left...  OK')).toEqual(['He said "stop."', 'Then left...', 'OK'])
    expect(splitSentences('  \n ')).toEqual([])
  })

  it('should parse voice and variant lists', () => {
    expect(parseVoiceList(VOICES)).toEqual([
      { id: 'en', file: 'gmw/en' }, // (en 2) beats (en 3): the engine's priority
      { id: 'en-gb', file: 'gmw/en' },
      { id: 'en-us', file: 'gmw/en-US' },
      { id: 'es-419', file: 'roa/es-419' },
      { id: 'es-mx', file: 'roa/es-419' }
    ])
    expect(parseVariantList(VARIANTS)).toEqual(['f3', 'klatt'])
  })

  it('should parse a streamed 16-bit WAV into floats', () => {
    const { sampleRate, pcm } = parseWav16(wav([0, 16384, -32768, 32767], 22050))
    expect(sampleRate).toBe(22050)
    expect([...pcm]).toEqual([0, 0.5, -1, 32767 / 32768])
    expect(() => parseWav16(new Uint8Array(10))).toThrow(expect.objectContaining({ name: EspeakFailedError.name }))
  })

  it('should synthesize sentence by sentence through an input file and concatenate with exact marks', async () => {
    const calls: Call[] = []
    const stage = new EspeakSpeechStage(stubComponents(calls))
    await stage.load()
    const progress: number[] = []
    const out = await stage.run({ script: '-v Hi. Second one!', voice: 'en-GB+f3', rate: 150 }, { onProgress: p => progress.push(p.fraction) })
    const synth = calls.filter(c => c.args.includes('-w'))
    expect(synth.map(c => c.input)).toEqual(['-v Hi.', 'Second one!'])
    expect(synth[0]?.args).toEqual(expect.arrayContaining(['-v', 'gmw/en+f3', '-s', '150', '--ipa']))
    expect(out.sampleRate).toBe(22050)
    expect([...out.pcm]).toEqual([600 / 32768, -0.5, 32767 / 32768, 1100 / 32768, -0.5, 32767 / 32768])
    expect(out.marks).toEqual([
      { text: '-v Hi.', startSec: 0, endSec: 3 / 22050 },
      { text: 'Second one!', startSec: 3 / 22050, endSec: 6 / 22050 }
    ])
    expect(out.sentences[1]?.ipa).toBe('ipa-of(Second one!)')
    expect(progress).toEqual([0, 0.5, 1])
  })

  it('should pass the voice file, with the variant in its listed spelling', async () => {
    const calls: Call[] = []
    const stage = new EspeakSpeechStage(stubComponents(calls))
    await stage.load()
    expect(stage.validate({ script: 'Hi.', voice: 'EN-US' })).toBe('gmw/en-US')
    expect(stage.validate({ script: 'Hi.', voice: 'es-mx+KLATT' })).toBe('roa/es-419+klatt')
    expect(stage.validate({ script: 'Hi.', voice: 'en' })).toBe('gmw/en')
  })

  it('should refuse to run before load', async () => {
    const stage = new EspeakSpeechStage(stubComponents([]))
    await expect(stage.run({ script: 'Hi.', voice: 'en-us' })).rejects.toMatchObject({ name: StageNotLoadedError.name })
  })

  it('should name bad inputs: unknown voice (listing valid ones), empty or oversized script, bad rate', async () => {
    const calls: Call[] = []
    const stage = new EspeakSpeechStage(stubComponents(calls), { maxScriptChars: 20 })
    await stage.load()
    const unknown = await stage.run({ script: 'Hi.', voice: 'klingon' }).catch((e: unknown) => e)
    expect(unknown).toMatchObject({ name: UnknownVoiceError.name, validVoices: ['en', 'en-gb', 'en-us', 'es-419', 'es-mx'], validVariants: ['f3', 'klatt'] })
    expect(String((unknown as Error).message)).toContain('en-us')
    await expect(stage.run({ script: 'Hi.', voice: 'en-us+nosuch' })).rejects.toMatchObject({ name: UnknownVoiceError.name })
    await expect(stage.run({ script: 'Hi.', voice: 'en-us+f3+f3' })).rejects.toMatchObject({ name: UnknownVoiceError.name })
    await expect(stage.run({ script: ' \n ', voice: 'en-us' })).rejects.toMatchObject({ name: InvalidScriptError.name, reason: 'empty' })
    await expect(stage.run({ script: 'x'.repeat(21), voice: 'en-us' })).rejects.toMatchObject({ name: InvalidScriptError.name, reason: 'too-long' })
    await expect(stage.run({ script: 'Hi.', voice: 'en-us', rate: 10 })).rejects.toMatchObject({ name: InvalidRateError.name })
    await expect(stage.run({ script: 'Hi.', voice: 'en-us', rate: Number.NaN })).rejects.toMatchObject({ name: InvalidRateError.name })
    expect(calls.filter(c => c.args.includes('-w'))).toHaveLength(0)
  })

  it('should report an engine that writes no audio with its stderr', async () => {
    const stage = new EspeakSpeechStage(stubComponents([], { noWav: true }))
    await stage.load()
    await expect(stage.run({ script: 'Hi.', voice: 'en-us' })).rejects.toMatchObject({ name: EspeakFailedError.name, engineOutput: 'simulated failure' })
  })

  it('should abort before the first sentence and between sentences', async () => {
    const calls: Call[] = []
    const stage = new EspeakSpeechStage(stubComponents(calls))
    await stage.load()
    await expect(stage.run({ script: 'One.', voice: 'en-us' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    const controller = new AbortController()
    const run = stage.run({ script: 'One. Two. Three.', voice: 'en-us' }, {
      signal: controller.signal,
      onProgress: p => { if (p.fraction > 0) controller.abort() }
    })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(calls.filter(c => c.args.includes('-w')).map(c => c.input)).toEqual(['One.'])
  })

  it('should unload and need load again', async () => {
    const stage = new EspeakSpeechStage(stubComponents([]))
    await stage.load()
    await stage.load()
    await stage.unload()
    await stage.unload()
    expect(stage.validVoices).toEqual([])
    await expect(stage.run({ script: 'Hi.', voice: 'en-us' })).rejects.toMatchObject({ name: StageNotLoadedError.name })
  })
})
