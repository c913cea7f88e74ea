// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Recomputes size and sha256 of every package-sourced file in models/<id>/manifest.json from the installed
 * packages. Default: check, print mismatches, exit 1 if any. `--write`: update the manifests in place
 * (run after a deliberate package upgrade, then review the diff). URL-sourced files are never touched.
 */
import { existsSync } from 'node:fs'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseModelManifest, isPackageSource } from '../src/core/ai/manifest.ts'
import { sha256Hex } from '../src/core/ai/model-loader.ts'
import { nodePackageFileReader } from '../src/platform/node/model-cache.ts'

const write = process.argv.includes('--write')
const modelsDir = join(import.meta.dirname, '..', 'models')
const readPackageFile = nodePackageFileReader(join(import.meta.dirname, '..'))
let mismatches = 0

for (const entry of (await readdir(modelsDir, { withFileTypes: true })).filter((e) => e.isDirectory() && existsSync(join(modelsDir, e.name, 'manifest.json'))).map((e) => e.name).sort()) {
  const path = join(modelsDir, entry, 'manifest.json')
  const raw = JSON.parse(await readFile(path, 'utf8')) as { files: Array<{ size: number, sha256: string }> }
  const manifest = parseModelManifest(raw)
  for (const [i, file] of manifest.files.entries()) {
    if (!isPackageSource(file.source)) continue
    const bytes = await readPackageFile(file.source.package, file.source.path)
    const actual = { size: bytes.byteLength, sha256: sha256Hex(bytes) }
    const target = raw.files[i]
    if (target === undefined) continue
    if (actual.size !== file.size || actual.sha256 !== file.sha256) {
      mismatches++
      console.log(`${manifest.id}/${file.path}: manifest ${file.size} ${file.sha256}, installed ${actual.size} ${actual.sha256}`)
      target.size = actual.size
      target.sha256 = actual.sha256
    } else {
      console.log(`${manifest.id}/${file.path}: ok ${actual.size} ${actual.sha256}`)
    }
  }
  if (write) await writeFile(path, JSON.stringify(raw, null, 2) + '\n')
}
if (mismatches > 0 && !write) {
  console.error(`${mismatches} package model file(s) differ from their manifests; rerun with --write after reviewing the upgrade`)
  process.exit(1)
}
