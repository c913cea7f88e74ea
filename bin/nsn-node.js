#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runTs } from './run-ts.js'

runTs(resolve(dirname(fileURLToPath(import.meta.url)), '../src/app/node.ts'), process.argv.slice(2))
