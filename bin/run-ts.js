#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
// Runs a TypeScript entry file under Node 20 with what libp2p v3 needs there:
// the Promise.withResolvers polyfill, the WebSocket global and the tsx loader.
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

export function nodeArgs () {
  const args = ['--import', pathToFileURL(resolve(here, 'polyfill.js')).href, '--import', 'tsx']
  if (typeof globalThis.WebSocket !== 'function') args.unshift('--experimental-websocket')
  args.unshift('--no-warnings=ExperimentalWarning')
  return args
}

export function runTs (entry, argv) {
  const child = spawn(process.execPath, [...nodeArgs(), entry, ...argv], { stdio: 'inherit', cwd: process.cwd() })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 1 : 0) })
  return child
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, ...rest] = process.argv.slice(2)
  if (!entry) { console.error('usage: run-ts.js <file.ts> [args…]'); process.exit(2) }
  runTs(resolve(entry), rest)
}
