// SPDX-License-Identifier: GPL-3.0-or-later
// `npm start`: installs what is missing, then runs src/app/start.ts (see its --help).
import { join } from 'node:path'
import { ensureAll, ROOT } from './setup.js'

ensureAll()
const { runTs } = await import('../bin/run-ts.js')
runTs(join(ROOT, 'src/app/start.ts'), process.argv.slice(2))
