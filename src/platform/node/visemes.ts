// SPDX-License-Identifier: GPL-3.0-or-later
/** Node wiring of the HeadAudio viseme model: reads `model-en-mixed.bin` from node_modules. */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseVisemeModel } from '../../core/lane0/visemes.ts'
import type { VisemeModel } from '../../core/lane0/visemes.ts'
import type { AbortOptions } from '../../core/options.ts'

/**
 * Path of the English model shipped in `@met4citizen/headaudio`, `dist/model-en-mixed.bin`. Resolved from
 * its package.json: the package's `main` names a file it does not ship (`dist/headaudio.min.js`).
 */
export function headaudioModelPath (): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@met4citizen/headaudio/package.json')), 'dist', 'model-en-mixed.bin')
}

/** Reads and decodes the viseme model. */
export async function readVisemeModel (path: string = headaudioModelPath(), options: AbortOptions = {}): Promise<VisemeModel> {
  const bytes = await readFile(path, { signal: options.signal })
  return parseVisemeModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}
