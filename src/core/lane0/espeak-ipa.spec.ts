// SPDX-License-Identifier: GPL-3.0-or-later
// The eSpeak NG IPA phonemizer's orchestration against a stub Emscripten factory (no WASM): the CLI
// arguments and input file, punctuation kept around the word pieces, the per-piece fallback, errors,
// compile-once and abort. The real engine is exercised in test/integration/speech-kokoro.test.ts (Node)
// and e2e/kokoro-web.spec.ts (Chromium).
import { describe, expect, it } from 'vitest'
import { PhonemizeError, espeakPhonemizer, isEspeakLanguageId, joinPhonemizedPieces } from './espeak-ipa.ts'
import { splitAtPunctuation } from './speech-kokoro.ts'
import type { EspeakModule, EspeakModuleArg, EspeakSpeechComponents } from './speech-espeak.ts'

interface Call { args: string[], input: string }

/** The smallest valid WASM module (magic + version): compileWasm must return a real Module. */
const EMPTY_WASM = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)

/**
 * A fake factory whose "IPA" of a paragraph is the paragraph upper-cased with `r` kept (so Kokoro's
 * English r→ɹ substitution shows), one stdout line per paragraph; `answer` can replace what it prints.
 */
function stub (calls: Call[], answer?: (input: string) => { stdout?: string[], stderr?: string[] }): EspeakSpeechComponents & { compiles: () => number } {
  let compiles = 0
  return {
    compiles: () => compiles,
    async compileWasm () {
      compiles++
      return await WebAssembly.compile(EMPTY_WASM)
    },
    async createModule (arg: EspeakModuleArg): Promise<EspeakModule> {
      const files = new Map<string, string>()
      const module: EspeakModule = {
        FS: {
          readFile: (path) => new TextEncoder().encode(files.get(path) ?? ''),
          writeFile: (path, data) => { files.set(path, typeof data === 'string' ? data : new TextDecoder().decode(data)) }
        }
      }
      for (const f of arg.preRun) f(module)
      const path = arg.arguments[arg.arguments.indexOf('-f') + 1] ?? ''
      const input = files.get(path) ?? ''
      calls.push({ args: arg.arguments, input })
      const out = answer?.(input) ?? { stdout: input.split('\n\n').map(p => p.replace(/[a-qs-z]/g, c => c.toUpperCase())) }
      for (const l of out.stdout ?? []) arg.print(l)
      for (const l of out.stderr ?? []) arg.printErr(l)
      return module
    }
  }
}

describe('joinPhonemizedPieces', () => {
  it('should keep punctuation verbatim and put each word piece\'s IPA in its place', () => {
    const pieces = splitAtPunctuation('Hello, big world.')
    expect(joinPhonemizedPieces(pieces, p => `<${p.text.trim()}>`)).toBe('<Hello>, <big world>.')
  })

  it('should keep only the white space of a piece without IPA and collapse runs of spaces', () => {
    const pieces = splitAtPunctuation('one , two')
    expect(joinPhonemizedPieces(pieces, p => p.text.includes('two') ? undefined : 'x')).toBe('x ,')
  })
})

describe('isEspeakLanguageId', () => {
  it('should accept language ids and refuse options, paths and upper case', () => {
    expect(['en', 'en-us', 'pt-br', 'es-419', 'cmn'].every(isEspeakLanguageId)).toBe(true)
    expect(['-q', 'gmw/en-US', 'EN', 'en us', '', 'en--us'].some(isEspeakLanguageId)).toBe(false)
  })
})

describe('espeakPhonemizer', () => {
  it('should phonemize the word pieces in one run, one paragraph each, through a file', async () => {
    const calls: Call[] = []
    const phonemize = espeakPhonemizer(stub(calls))
    expect(await phonemize('Hello,  there world!', 'en-us')).toBe('HELLO, THEɹE WOɹLD!')
    expect(calls).toEqual([{ args: ['-q', '--ipa', '-b', '1', '-v', 'en-us', '-f', '/nsn-phonemize.txt'], input: 'Hello\n\nthere world' }])
  })

  it('should not apply the English substitutions for other languages', async () => {
    const phonemize = espeakPhonemizer(stub([]))
    expect(await phonemize('rare.', 'es')).toBe('rArE.')
  })

  it('should phonemize each piece on its own when the line count does not match the pieces', async () => {
    const calls: Call[] = []
    // Joins paragraphs into one line: a mismatch for two pieces, exact for one.
    const phonemize = espeakPhonemizer(stub(calls, input => ({ stdout: [input.replace(/\n\n/g, ' ').toUpperCase()] })))
    expect(await phonemize('ab, cd', 'en')).toBe('AB, CD')
    expect(calls.map(c => c.input)).toEqual(['ab\n\ncd', 'ab', 'cd'])
  })

  it('should compile the WASM once for all calls', async () => {
    const components = stub([])
    const phonemize = espeakPhonemizer(components)
    await phonemize('a.', 'en')
    await phonemize.raw('b', 'en')
    expect(components.compiles()).toBe(1)
  })

  it('should refuse a language that is not an id before starting the engine', async () => {
    const calls: Call[] = []
    const phonemize = espeakPhonemizer(stub(calls))
    await expect(phonemize('hello', '-q')).rejects.toMatchObject({ name: PhonemizeError.name })
    expect(calls).toEqual([])
  })

  it('should turn stderr output into PhonemizeError carrying it', async () => {
    const phonemize = espeakPhonemizer(stub([], () => ({ stderr: ['Failed to read voice \'xx\''] })))
    const err = await phonemize('hello', 'xx').then(() => { throw new Error('resolved') }, (e: unknown) => e as PhonemizeError)
    expect(err.name).toBe('PhonemizeError')
    expect(err.engineOutput).toBe('Failed to read voice \'xx\'')
    expect(err.message).toContain('"xx"')
  })

  it('should retry a failed compile on the next call', async () => {
    let tries = 0
    const base = stub([])
    const phonemize = espeakPhonemizer({
      createModule: base.createModule,
      async compileWasm (options) {
        if (++tries === 1) throw new Error('network down')
        return await base.compileWasm(options)
      }
    })
    await expect(phonemize('a', 'en')).rejects.toThrow('network down')
    expect(await phonemize('a', 'en')).toBe('A')
    expect(tries).toBe(2)
  })

  it('should throw AbortError for an aborted signal without starting the engine', async () => {
    const calls: Call[] = []
    const phonemize = espeakPhonemizer(stub(calls))
    const controller = new AbortController()
    controller.abort()
    await expect(phonemize('hello', 'en', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(phonemize.raw('hello', 'en', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
    expect(calls).toEqual([])
  })

  it('should give an empty string for text without words, without starting the engine', async () => {
    const calls: Call[] = []
    const phonemize = espeakPhonemizer(stub(calls))
    expect(await phonemize.raw('   ', 'en')).toBe('')
    expect(await phonemize('...', 'en')).toBe('...')
    expect(calls).toEqual([])
  })
})
