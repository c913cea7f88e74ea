// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Writes src/core/wire/vectors/vectors.json (`npm run vectors`). The vectors come from the
 * platform-free src/core/wire/vectors/build-vectors.ts; wire.spec.ts fails when the file is stale.
 */
import { writeFile } from 'node:fs/promises'
import { buildVectors } from '../src/core/wire/vectors/build-vectors.ts'

const target = new URL('../src/core/wire/vectors/vectors.json', import.meta.url)
await writeFile(target, JSON.stringify(await buildVectors(), null, 2) + '\n')
console.log(`wrote ${target.pathname}`)
