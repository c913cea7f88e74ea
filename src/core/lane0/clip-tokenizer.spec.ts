// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { CLIP_BOS_ID, CLIP_EOS_ID, ClipTokenizer } from './clip-tokenizer.ts'

/** A tiny vocabulary: single bytes (plain and word-final), a few merged symbols, the two specials. */
function tinyVocab (): Record<string, number> {
  const vocab: Record<string, number> = {}
  let id = 0
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789,!\'') {
    vocab[c] = id++
    vocab[c + '</w>'] = id++
  }
  for (const s of ['ab', 'bc</w>', 'abc</w>', 'ca', 'cat</w>', 'at</w>', 'th', 'the</w>', 'Ã', '©</w>', 'Ã©</w>', 'caf', 'cafÃ©</w>', '\'s</w>', 'aa', 'aa</w>']) vocab[s] = id++
  vocab['<|startoftext|>'] = CLIP_BOS_ID
  vocab['<|endoftext|>'] = CLIP_EOS_ID
  return vocab
}

const MERGES = ['a b', 'b c</w>', 'ab c</w>', 'c a', 'a t</w>', 'ca t</w>', 't h', 'th e</w>', 'Ã ©</w>', 'ca f', 'caf Ã©</w>', '\' s</w>', 'a a', 'a a</w>']
const mergesTxt = (lines: string[]): string => ['#version: 0.2', ...lines].join('\n') + '\n'

describe('ClipTokenizer', () => {
  it('should apply merges in rank order, not in reading order', () => {
    // "abc": with "a b" first the word becomes ab + c</w> → abc</w>; with "b c</w>" first it stays a + bc</w>
    const abFirst = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(['a b', 'b c</w>', 'ab c</w>']))
    expect(abFirst.tokenize('abc')).toEqual(['abc</w>'])
    const bcFirst = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(['b c</w>', 'a b', 'ab c</w>']))
    expect(bcFirst.tokenize('abc')).toEqual(['a', 'bc</w>'])
  })

  it('should merge every occurrence of the best pair before the next rank', () => {
    // "aaaaa" = a a a a a</w>: "a a" merges both non-overlapping pairs in one pass, left to right
    const t = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(['a a']))
    expect(t.tokenize('aaaaa')).toEqual(['aa', 'aa', 'a</w>'])
    // with the word-final merge ranked first, it takes the last pair before "a a" runs
    const t2 = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(['a a</w>', 'a a']))
    expect(t2.tokenize('aaaaa')).toEqual(['aa', 'a', 'aa</w>'])
  })

  it('should lowercase, collapse whitespace and split with CLIP\'s pattern', () => {
    const t = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(MERGES))
    // letters run together, each digit alone, punctuation runs together, "'s" is its own piece
    // (",!" is one piece; the tiny merges have no ", !</w>", so it stays two symbols)
    expect(t.tokenize('  The   CAT\'s  12,!  ')).toEqual(['the</w>', 'cat</w>', '\'s</w>', '1</w>', '2</w>', ',', '!</w>'])
  })

  it('should map UTF-8 bytes to the printable byte alphabet before BPE', () => {
    const t = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(MERGES))
    // é = C3 A9 → "Ã" "©"; "caf" + "Ã©</w>" merges into one symbol
    expect(t.tokenize('Café')).toEqual(['cafÃ©</w>'])
    expect(t.encodeRaw('café')).toEqual([tinyVocab()['cafÃ©</w>']])
  })

  it('should wrap in BOS/EOS and pad to 77 with the pad id', () => {
    const vocab = tinyVocab()
    const t = ClipTokenizer.fromFiles(JSON.stringify(vocab), mergesTxt(MERGES), { padId: 0 })
    const ids = t.encode('the cat')
    expect(ids).toBeInstanceOf(Int32Array)
    expect(ids.length).toBe(77)
    expect(Array.from(ids.subarray(0, 4))).toEqual([CLIP_BOS_ID, vocab['the</w>'], vocab['cat</w>'], CLIP_EOS_ID])
    expect(ids.subarray(4).every(v => v === 0)).toBe(true)
    // OpenAI CLIP's default: pad with <|endoftext|>
    const eosPad = ClipTokenizer.fromFiles(JSON.stringify(vocab), mergesTxt(MERGES))
    expect(eosPad.encode('the').subarray(3).every(v => v === CLIP_EOS_ID)).toBe(true)
  })

  it('should truncate long text to 75 tokens between BOS and EOS', () => {
    const t = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(MERGES), { padId: 0 })
    const ids = t.encode(Array.from({ length: 100 }, () => 'the').join(' '))
    expect(ids.length).toBe(77)
    expect(ids[0]).toBe(CLIP_BOS_ID)
    expect(ids[76]).toBe(CLIP_EOS_ID)
    expect(ids.subarray(1, 76).every(v => v === tinyVocab()['the</w>'])).toBe(true)
  })

  it('should read a Hugging Face tokenizer.json the same as vocab.json + merges.txt', () => {
    const vocab = tinyVocab()
    const fromFiles = ClipTokenizer.fromFiles(JSON.stringify(vocab), mergesTxt(MERGES), { padId: 0 })
    const json = JSON.stringify({ model: { type: 'BPE', vocab, merges: MERGES } })
    const fromJson = ClipTokenizer.fromTokenizerJson(json, { padId: 0 })
    const pairs = JSON.stringify({ model: { type: 'BPE', vocab, merges: MERGES.map(m => m.split(' ')) } })
    const fromPairs = ClipTokenizer.fromTokenizerJson(pairs, { padId: 0 })
    const text = 'The cat\'s café, abc 42!'
    expect(Array.from(fromJson.encode(text))).toEqual(Array.from(fromFiles.encode(text)))
    expect(Array.from(fromPairs.encode(text))).toEqual(Array.from(fromFiles.encode(text)))
  })

  it('should map symbols missing from the vocabulary to <|endoftext|> and keep special tokens whole', () => {
    const t = ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(MERGES))
    expect(t.encodeRaw('?')).toEqual([CLIP_EOS_ID]) // "?</w>" is not in the tiny vocabulary
    expect(t.tokenize('<|startoftext|>the')).toEqual(['<|startoftext|>', 'the</w>'])
  })

  it('should reject malformed files with a named error', () => {
    expect(() => ClipTokenizer.fromFiles('[1,2]', mergesTxt([]))).toThrow(expect.objectContaining({ name: 'InvalidInputError' }) as Error)
    expect(() => ClipTokenizer.fromFiles(JSON.stringify(tinyVocab()), mergesTxt(['a b c']))).toThrow(/merges.txt line 2/)
    expect(() => ClipTokenizer.fromTokenizerJson(JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }))).toThrow(/BPE/)
  })
})
