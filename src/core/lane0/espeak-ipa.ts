// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Text → IPA with eSpeak NG compiled to WASM (npm `espeak-ng` 1.0.2), the G2P of the Kokoro speech stage.
 * The package is the espeak-ng CLI built with Emscripten, so IPA comes from its `-q --ipa` options (no
 * audio; one line of IPA per clause on stdout), exactly as the eSpeak speech stage gets its per-sentence
 * IPA. Each call runs `main()` in a fresh instance of the once-compiled module (about 0.1 s).
 *
 * eSpeak NG drops punctuation, which Kokoro's vocab keeps, so the text is cut at punctuation
 * ({@link splitAtPunctuation}, as kokoro-js does), the word pieces are phonemized in one run, one
 * paragraph each, and the punctuation is put back verbatim ({@link joinPhonemizedPieces}). When eSpeak NG
 * does not answer with exactly one line per piece, each piece is phonemized on its own instead (correct,
 * slower).
 *
 * Platform-free: the Emscripten factory and the compiled module are injected as for the eSpeak speech
 * stage ({@link EspeakSpeechComponents}; Node: src/platform/node/espeak-phonemize.ts on the
 * registry-verified WASM, browser: src/platform/browser/kokoro.ts on `browserEspeakComponents`).
 */
import { espeakIpaToKokoro, splitAtPunctuation } from './speech-kokoro.ts'
import type { KokoroPhonemizer, TextPiece } from './speech-kokoro.ts'
import type { EspeakModule, EspeakSpeechComponents } from './speech-espeak.ts'
import { AbortError } from '../errors.ts'
import type { AbortOptions } from '../options.ts'

/** What the phonemizer needs: the Emscripten factory and the compiled `espeak-ng.wasm` (as the eSpeak stage). */
export type EspeakPhonemizerComponents = EspeakSpeechComponents

/** Thrown when eSpeak NG cannot phonemize (unknown language, engine failure); `engineOutput` is its stderr. */
export class PhonemizeError extends Error {
  static override name = 'PhonemizeError'
  readonly engineOutput: string
  constructor (message: string, engineOutput = '', options?: ErrorOptions) {
    super(engineOutput === '' ? message : `${message}: ${engineOutput}`, options)
    this.name = 'PhonemizeError'
    this.engineOutput = engineOutput
  }
}

/** A phonemizer that also reports the raw eSpeak NG IPA (before the Kokoro adaptation). */
export interface EspeakPhonemizer extends KokoroPhonemizer {
  /** IPA exactly as eSpeak NG prints it for one piece of text without punctuation (lines joined by a space). */
  raw(text: string, language: string, options?: AbortOptions): Promise<string>
}

const INPUT_FILE = '/nsn-phonemize.txt'
/** eSpeak NG language ids are lowercase letters, digits and hyphens (`en-us`, `pt-br`; `gmw/en-US` is a file). */
const LANGUAGE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/

/** Whether `language` has the form of an eSpeak NG language id (`en-us`), so it cannot be read as an option. */
export function isEspeakLanguageId (language: string): boolean {
  return LANGUAGE.test(language)
}

/**
 * Puts the pieces of {@link splitAtPunctuation} back together: punctuation verbatim, each word piece as
 * its IPA from `ipaOf` (a piece without IPA keeps only its white space), runs of spaces collapsed, trimmed.
 */
export function joinPhonemizedPieces (pieces: readonly TextPiece[], ipaOf: (piece: TextPiece) => string | undefined): string {
  return pieces.map(p => p.punctuation ? p.text : (ipaOf(p) ?? p.text.replace(/\S/g, ''))).join('').replace(/ {2,}/g, ' ').trim()
}

/**
 * An eSpeak NG phonemizer producing Kokoro-ready IPA (punctuation kept, {@link espeakIpaToKokoro}
 * applied). The WASM is compiled once, on first use (a failed compile is retried on the next call).
 */
export function espeakPhonemizer (components: EspeakPhonemizerComponents): EspeakPhonemizer {
  let wasm: Promise<WebAssembly.Module> | undefined
  const compiled = async (options: AbortOptions): Promise<WebAssembly.Module> => {
    wasm ??= components.compileWasm(options)
    try {
      return await wasm
    } catch (err) {
      wasm = undefined
      throw err
    }
  }

  const runIpa = async (text: string, language: string, options: AbortOptions): Promise<string[]> => {
    throwIfAborted(options.signal)
    if (!isEspeakLanguageId(language)) throw new PhonemizeError(`Not an eSpeak NG language id: "${language}"`)
    const module = await compiled(options)
    throwIfAborted(options.signal)
    const stdout: string[] = []
    const stderr: string[] = []
    let failInstantiate: (err: unknown) => void = () => {}
    // Emscripten never settles its ready promise when instantiation fails: race it with the failure.
    const instantiateFailed = new Promise<never>((_resolve, reject) => { failInstantiate = reject })
    try {
      await Promise.race([
        components.createModule({
          // Text goes through a file, never argv, so text that starts with "-" is not an option.
          arguments: ['-q', '--ipa', '-b', '1', '-v', language, '-f', INPUT_FILE],
          print: line => { stdout.push(line) },
          printErr: line => { stderr.push(line) },
          locateFile: path => path,
          preRun: [(m: EspeakModule) => { m.FS.writeFile(INPUT_FILE, text) }],
          instantiateWasm: (imports, receive) => {
            WebAssembly.instantiate(module, imports).then(receive, failInstantiate)
            return {}
          }
        }),
        instantiateFailed
      ])
    } catch (err) {
      throw new PhonemizeError('eSpeak NG failed to start', stderr.join('\n'), { cause: err })
    }
    throwIfAborted(options.signal)
    // An unknown voice is reported on stderr ("Failed to read voice") and nothing is printed.
    if (stderr.some(l => l.trim() !== '')) throw new PhonemizeError(`eSpeak NG could not phonemize for language "${language}"`, stderr.join('\n'))
    return stdout
  }

  const raw = async (text: string, language: string, options: AbortOptions = {}): Promise<string> => {
    const flat = text.replace(/\s+/g, ' ').trim()
    if (flat === '') return ''
    return (await runIpa(flat, language, options)).map(l => l.trim()).filter(l => l !== '').join(' ')
  }

  const phonemize = async (text: string, language: string, options: AbortOptions = {}): Promise<string> => {
    const pieces = splitAtPunctuation(text.replace(/\s+/g, ' ').trim())
    const words = pieces.filter(p => !p.punctuation && p.text.trim() !== '')
    const ipa = new Map<TextPiece, string>()
    if (words.length > 0) {
      // One paragraph per piece: eSpeak NG ends a clause at a blank line and prints one line per clause.
      const lines = await runIpa(words.map(p => p.text.trim()).join('\n\n'), language, options)
      if (lines.length === words.length) {
        words.forEach((p, i) => ipa.set(p, (lines[i] ?? '').trim()))
      } else {
        for (const p of words) ipa.set(p, await raw(p.text, language, options))
      }
    }
    return espeakIpaToKokoro(joinPhonemizedPieces(pieces, p => ipa.get(p)), language)
  }

  return Object.assign(phonemize, { raw })
}

function throwIfAborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}
