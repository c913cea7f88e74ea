// SPDX-License-Identifier: GPL-3.0-or-later
// `npm test`: installs what is missing, then lint, typecheck, unit + integration tests (vitest) and the
// browser tests (Playwright, Debian Chromium). Browser-to-browser WebRTC needs a non-loopback address:
// as root, the Playwright run happens inside a network namespace created here (veth pair, 198.18.0.1,
// default route into the pair), so no traffic leaves it. Not root: those tests skip with a reason,
// and a skip fails the run when CI=true.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromiumVersion, ensureAll, ROOT } from './setup.js'

ensureAll()
const bin = (name) => join(ROOT, 'node_modules', '.bin', name)
const results = { passed: 0, failed: 0, skipped: 0 }
let failedSteps = []

function step (name, cmd, args, opts = {}) {
  console.log(`\n[test] ${name}: ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...opts.env } })
  if (r.status !== 0) failedSteps.push(name)
  return r.status === 0
}

function countVitest (file) {
  if (!existsSync(file)) return
  const j = JSON.parse(readFileSync(file, 'utf8'))
  results.passed += j.numPassedTests ?? 0
  results.failed += j.numFailedTests ?? 0
  results.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0)
}

function countPlaywright (file) {
  if (!existsSync(file)) return
  const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {}
  results.passed += (s.expected ?? 0) + (s.flaky ?? 0)
  results.failed += s.unexpected ?? 0
  results.skipped += s.skipped ?? 0
}

const outDir = join(ROOT, 'test-results')
rmSync(outDir, { recursive: true, force: true })

step('lint', bin('eslint'), ['.'])
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])
step('typecheck (src/core platform-free)', bin('tsc'), ['-p', 'tsconfig.core.json', '--noEmit'])
step('unit + integration', process.execPath, [bin('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(outDir, 'vitest.json')}`])
countVitest(join(outDir, 'vitest.json'))

// Browser tests
console.log(`\n[test] browser: ${chromiumVersion()}`)
const ns = `nsn-e2e-${process.pid}`
let netns = false
if (process.getuid?.() === 0) {
  const ip = (...a) => spawnSync('ip', a, { stdio: 'inherit' }).status === 0
  netns = ip('netns', 'add', ns) &&
    ip('link', 'add', 'nsnv0', 'netns', ns, 'type', 'veth', 'peer', 'name', 'nsnv1', 'netns', ns) &&
    ip('-n', ns, 'link', 'set', 'lo', 'up') &&
    ip('-n', ns, 'addr', 'add', '198.18.0.1/32', 'dev', 'nsnv1') &&
    ip('-n', ns, 'link', 'set', 'nsnv0', 'up') &&
    ip('-n', ns, 'link', 'set', 'nsnv1', 'up') &&
    ip('-n', ns, 'route', 'add', 'default', 'dev', 'nsnv1')
  if (!netns) console.log('[test] could not create a network namespace: browser-to-browser tests will skip')
} else {
  console.log('[test] not root: no network namespace, browser-to-browser WebRTC tests will skip')
}
try {
  const pw = [bin('playwright'), 'test']
  const env = { NSN_E2E_NETNS: netns ? ns : '', PLAYWRIGHT_JSON_OUTPUT_NAME: join(outDir, 'playwright.json') }
  if (netns) step('browser (e2e, in netns ' + ns + ')', 'ip', ['netns', 'exec', ns, process.execPath, ...pw], { env })
  else step('browser (e2e)', process.execPath, pw, { env })
} finally {
  if (netns) spawnSync('ip', ['netns', 'del', ns], { stdio: 'inherit' })
}
countPlaywright(join(outDir, 'playwright.json'))

if (process.env.CI === 'true' && results.skipped > 0) {
  console.log(`\n[test] CI=true: ${results.skipped} skipped test(s) count as failures`)
  failedSteps.push('skips in CI')
}
console.log(`\n[test] ${failedSteps.length === 0 ? 'all steps passed' : 'FAILED: ' + failedSteps.join(', ')}`)
console.log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`)
process.exit(failedSteps.length === 0 ? 0 : 1)
