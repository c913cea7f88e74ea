// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Writes vectors.json next to this file: `node bin/run-ts.js src/core/wire/vectors/generate.ts`
 * (or `npm run vectors`). A Node-only dev script; the vectors themselves come from the
 * platform-free build-vectors.ts.
 */
import { buildVectors } from './build-vectors.ts'

interface NodeFs {
  writeFile(path: URL, data: string): Promise<void>
}

// Loaded by a computed specifier so that src/core's platform-free typecheck (no @types/node) and
// bundlers never pull in node:fs: only this Node entry script touches the file system.
const fsModule = 'node:fs/promises'
const { writeFile } = await import(fsModule) as NodeFs

const target = new URL('./vectors.json', import.meta.url)
await writeFile(target, JSON.stringify(await buildVectors(), null, 2) + '\n')
console.log(`wrote ${target.pathname}`)
