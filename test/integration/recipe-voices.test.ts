// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The recipe's voice set (src/core/lane0/recipe.ts) is exactly what the default speech stage accepts:
 * a recipe that validates never fails later on its voice, and an espeak-ng upgrade that changes the
 * voices shows up here.
 */
import { describe, expect, it } from 'vitest'
import { VOICE_LANGUAGES, VOICE_VARIANTS } from '../../src/core/lane0/recipe.ts'
import { nodeEspeakSpeech } from '../../src/platform/node/espeak.ts'

describe('recipe voices', () => {
  it('should be the voices and variants eSpeak NG lists, in lower case', async () => {
    const speech = nodeEspeakSpeech()
    await speech.load()
    try {
      expect([...VOICE_LANGUAGES].sort()).toEqual(speech.validVoices.map(v => v.toLowerCase()).sort())
      const variants = new Set(speech.validVariants.map(v => v.toLowerCase()))
      expect(VOICE_VARIANTS.filter(v => !variants.has(v))).toEqual([])
    } finally {
      await speech.unload()
    }
  })
})
