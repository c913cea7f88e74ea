// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The CLIP tokenizer (byte-level BPE with `</w>` word ends), as OpenAI's `clip/simple_tokenizer.py`
 * and Hugging Face's `CLIPTokenizer` define it, built from the files a model ships:
 * `tokenizer/vocab.json` + `tokenizer/merges.txt`, or a Hugging Face `tokenizer.json`.
 *
 * Text → ids: collapse whitespace and trim, lowercase, split with CLIP's pre-tokenization pattern,
 * map each piece's UTF-8 bytes to GPT-2's printable byte alphabet, apply merges lowest rank first,
 * look the symbols up in the vocabulary; then `<|startoftext|>` … `<|endoftext|>`, truncated and
 * padded to the context length (77).
 *
 * Not done: `ftfy` text repair and HTML unescaping (CLIP's `basic_clean`); prompts are typed text.
 */
import { InvalidInputError } from '../errors.ts'

/** CLIP's context length. */
export const CLIP_CONTEXT_LENGTH = 77
/** `<|startoftext|>` and `<|endoftext|>` in CLIP's vocabulary. */
export const CLIP_BOS_ID = 49406
export const CLIP_EOS_ID = 49407

const BOS = '<|startoftext|>'
const EOS = '<|endoftext|>'
const WORD_END = '</w>'

/** CLIP's pre-tokenization pattern (`simple_tokenizer.py`), case-insensitive, Unicode classes. */
const PIECES = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu

/** Options of {@link ClipTokenizer}. */
export interface ClipTokenizerInit {
  /** Token → id. */
  vocab: Record<string, number>
  /** Merge rules in rank order (first = applied first), each a pair of symbols. */
  merges: Array<readonly [string, string]>
  /** Sequence length of {@link ClipTokenizer.encode}. @default 77 */
  contextLength?: number
  /**
   * Id that fills the sequence after `<|endoftext|>`. @default the `<|endoftext|>` id (OpenAI CLIP);
   * Stable Diffusion 2.x / SD-Turbo tokenizers pad with `!` (id 0).
   */
  padId?: number
}

/** GPT-2's reversible byte → printable character map (`bytes_to_unicode`). */
function byteAlphabet (): string[] {
  const direct: number[] = []
  for (let b = 0x21; b <= 0x7e; b++) direct.push(b)
  for (let b = 0xa1; b <= 0xac; b++) direct.push(b)
  for (let b = 0xae; b <= 0xff; b++) direct.push(b)
  const map = new Array<string>(256)
  let extra = 0
  for (let b = 0; b < 256; b++) map[b] = String.fromCodePoint(direct.includes(b) ? b : 256 + extra++)
  return map
}
const BYTE_CHARS = byteAlphabet()

/** CLIP BPE tokenizer. */
export class ClipTokenizer {
  readonly contextLength: number
  readonly bosId: number
  readonly eosId: number
  readonly padId: number
  private readonly vocab: Map<string, number>
  private readonly ranks: Map<string, number>
  private readonly cache = new Map<string, string[]>()

  constructor (init: ClipTokenizerInit) {
    this.vocab = new Map(Object.entries(init.vocab))
    this.ranks = new Map()
    init.merges.forEach(([a, b], rank) => {
      const key = `${a} ${b}`
      if (!this.ranks.has(key)) this.ranks.set(key, rank)
    })
    this.contextLength = init.contextLength ?? CLIP_CONTEXT_LENGTH
    if (!Number.isInteger(this.contextLength) || this.contextLength < 2) throw new InvalidInputError(`contextLength must be an integer ≥ 2, got ${this.contextLength}`, { field: 'contextLength' })
    this.bosId = this.vocab.get(BOS) ?? CLIP_BOS_ID
    this.eosId = this.vocab.get(EOS) ?? CLIP_EOS_ID
    this.padId = init.padId ?? this.eosId
  }

  /** From `vocab.json` and `merges.txt` (its `#version` header line is skipped). */
  static fromFiles (vocabJson: string, mergesTxt: string, options: Omit<ClipTokenizerInit, 'vocab' | 'merges'> = {}): ClipTokenizer {
    const vocab = parseVocab(JSON.parse(vocabJson) as unknown, 'vocab.json')
    const merges: Array<[string, string]> = []
    for (const [i, raw] of mergesTxt.split('\n').entries()) {
      const line = raw.replace(/\r$/, '')
      if (line === '' || (i === 0 && line.startsWith('#version'))) continue
      merges.push(parseMerge(line, `merges.txt line ${i + 1}`))
    }
    return new ClipTokenizer({ ...options, vocab, merges })
  }

  /** From a Hugging Face `tokenizer.json` (a `BPE` model: `model.vocab`, `model.merges`). */
  static fromTokenizerJson (json: string, options: Omit<ClipTokenizerInit, 'vocab' | 'merges'> = {}): ClipTokenizer {
    const doc = JSON.parse(json) as { model?: { type?: string, vocab?: unknown, merges?: unknown } }
    const model = doc.model
    if (model == null || (model.type !== undefined && model.type !== 'BPE')) throw new InvalidInputError('tokenizer.json: expected a BPE model', { field: 'model.type' })
    const vocab = parseVocab(model.vocab, 'tokenizer.json model.vocab')
    if (!Array.isArray(model.merges)) throw new InvalidInputError('tokenizer.json: model.merges must be an array', { field: 'model.merges' })
    const merges = model.merges.map((m: unknown, i): [string, string] => {
      if (typeof m === 'string') return parseMerge(m, `tokenizer.json model.merges.${i}`)
      if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') return [m[0], m[1]]
      throw new InvalidInputError(`tokenizer.json: bad merge at model.merges.${i}`, { field: `model.merges.${i}` })
    })
    return new ClipTokenizer({ ...options, vocab, merges })
  }

  /** The BPE symbols of `text` (no BOS/EOS, no padding). */
  tokenize (text: string): string[] {
    const clean = text.replace(/\s+/gu, ' ').trim().toLowerCase()
    const out: string[] = []
    for (const match of clean.matchAll(PIECES)) {
      const piece = match[0]
      if (piece === BOS || piece === EOS) {
        out.push(piece)
        continue
      }
      let mapped = ''
      for (const byte of new TextEncoder().encode(piece)) mapped += BYTE_CHARS[byte]!
      out.push(...this.bpe(mapped))
    }
    return out
  }

  /** Ids of `text` without BOS/EOS or padding; symbols missing from the vocabulary become `<|endoftext|>` (as Hugging Face's unk). */
  encodeRaw (text: string): number[] {
    return this.tokenize(text).map(s => this.vocab.get(s) ?? this.eosId)
  }

  /** `[BOS, …ids, EOS, pad…]`, exactly {@link contextLength} long (the text is truncated to fit). */
  encode (text: string): Int32Array {
    const ids = this.encodeRaw(text).slice(0, this.contextLength - 2)
    const out = new Int32Array(this.contextLength).fill(this.padId)
    out[0] = this.bosId
    out.set(ids, 1)
    out[ids.length + 1] = this.eosId
    return out
  }

  /** Byte-level BPE of one mapped piece: the last symbol carries `</w>`; merges go lowest rank first. */
  private bpe (piece: string): string[] {
    const cached = this.cache.get(piece)
    if (cached !== undefined) return cached
    const chars = Array.from(piece)
    let word = chars.map((c, i) => (i === chars.length - 1 ? c + WORD_END : c))
    while (word.length > 1) {
      let best: string | undefined
      let bestRank = Infinity
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]!} ${word[i + 1]!}`)
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank
          best = `${word[i]!} ${word[i + 1]!}`
        }
      }
      if (best === undefined) break
      const [a, b] = best.split(' ') as [string, string]
      const next: string[] = []
      for (let i = 0; i < word.length;) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          next.push(a + b)
          i += 2
        } else {
          next.push(word[i]!)
          i++
        }
      }
      word = next
    }
    if (this.cache.size < 10_000) this.cache.set(piece, word)
    return word
  }
}

function parseVocab (value: unknown, what: string): Record<string, number> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError(`${what}: expected an object of token → id`, { field: what })
  for (const [k, v] of Object.entries(value)) {
    if (!Number.isInteger(v)) throw new InvalidInputError(`${what}: id of ${JSON.stringify(k)} is not an integer`, { field: what })
  }
  return value as Record<string, number>
}

function parseMerge (line: string, where: string): [string, string] {
  const parts = line.split(' ')
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new InvalidInputError(`${where}: expected two symbols separated by one space, got ${JSON.stringify(line)}`, { field: where })
  return [parts[0]!, parts[1]!]
}
