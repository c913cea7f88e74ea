// SPDX-License-Identifier: GPL-3.0-or-later
// Installs what is missing before `npm start` / `npm test`: Debian chromium + ffmpeg (through apt when
// root, else prints the exact command) and the npm dependencies (npm ci from the lockfile).
// Node built-ins only: this runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const APT_PACKAGES = ['chromium', 'ffmpeg', 'fonts-dejavu-core', 'iproute2']

function has (cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

function run (cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`)
}

export function ensureSystemPackages () {
  const missing = []
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium')
  if (!has('ffmpeg')) missing.push('ffmpeg')
  if (!has('ip')) missing.push('iproute2')
  if (!existsSync('/usr/share/fonts/truetype/dejavu')) missing.push('fonts-dejavu-core')
  if (missing.length === 0) return
  const cmd = `apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`
  if (process.getuid?.() !== 0) {
    console.error(`[setup] missing system packages: ${missing.join(', ')}\n[setup] run as root:\n  sudo sh -c '${cmd}'`)
    process.exit(1)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run('apt-get', ['update'], { env })
  run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], { env })
}

export function ensureNodeModules () {
  const lock = join(ROOT, 'package-lock.json')
  const installed = join(ROOT, 'node_modules', '.package-lock.json')
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return
  run('npm', ['ci', '--no-audit', '--no-fund'])
}

export function ensureAll () {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`[setup] Node ${process.versions.node} is too old: NSN Web needs Node >= 20.19`)
    process.exit(1)
  }
  ensureSystemPackages()
  ensureNodeModules()
}

export function chromiumVersion () {
  try { return execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim() } catch { return 'unknown' }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureAll()
