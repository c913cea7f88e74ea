// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The `nsn-node` CLI as users run it: --help, config errors naming the field, a bootstrap + director +
 * viewer network of real processes, its status JSON and Prometheus metrics, and the key folder.
 */
import { spawnSync } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevnet } from '../../src/app/devnet.ts'
import type { Devnet } from '../../src/app/devnet.ts'

const BIN = fileURLToPath(new URL('../../bin/nsn-node.js', import.meta.url))

function cli (...args: string[]): { status: number | null, out: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, out: r.stdout + r.stderr }
}

describe('nsn-node CLI', () => {
  it('should document roles and flags in --help', () => {
    const { status, out } = cli('--help')
    expect(status).toBe(0)
    for (const word of ['bootstrap', 'director', 'viewer', '--relay-only', '--bootstrap', '--listen', '--data', '--status-port', '--producer', '--input', 'TEST SOURCE', '--recipe', '--device', '--budget-mb']) {
      expect(out).toContain(word)
    }
  })

  it('should refuse bad configuration with an error naming the field', () => {
    const bad = cli('--role', 'viewer', '--channel', 'Bad Channel!')
    expect(bad.status).toBe(2)
    expect(bad.out).toContain('channel')
    const badKey = cli('--role', 'viewer', '--producer', 'xyz')
    expect(badKey.status).toBe(2)
    expect(badKey.out).toContain('producers')
  })
})

describe('devnet of nsn-node processes', () => {
  let devnet: Devnet
  const lines: string[] = []
  beforeAll(async () => {
    devnet = await startDevnet({ viewers: 1, directorArgs: ['--width', '320', '--height', '180'], log: (l) => lines.push(l) })
  }, 90_000)
  afterAll(async () => { await devnet?.stop() })

  it('should serve status JSON with peers and segments', async () => {
    const viewer = devnet.viewers[0]!
    const s = await viewer.waitFor(st => st.segmentsAccepted >= 3 && st.videoPeers.length >= 1)
    expect(s.role).toBe('viewer')
    expect(s.payloadBytes).toBeGreaterThan(0)
    const d = await devnet.director.status()
    expect(d.producerKey).toBe(devnet.producerKey)
    expect(d.published).toBeGreaterThanOrEqual(3)
  })

  it('should expose Prometheus metrics with nsn_ names and units', async () => {
    const res = await fetch(`${devnet.viewers[0]!.statusUrl}/metrics`)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const families = parsePrometheusTextFormat(await res.text()) as Array<{ name: string, type: string, metrics: Array<{ value?: string }> }>
    const byName = new Map(families.map(f => [f.name, f]))
    for (const name of ['nsn_peers_connected', 'nsn_received_bytes_total', 'nsn_sent_bytes_total', 'nsn_segments_accepted_total', 'nsn_segment_payload_bytes_total', 'nsn_segment_arrival_latency_seconds']) {
      expect(byName.has(name), name).toBe(true)
    }
    expect(Number(byName.get('nsn_segments_accepted_total')!.metrics[0]!.value)).toBeGreaterThan(0)
    expect(Number(byName.get('nsn_received_bytes_total')!.metrics[0]!.value)).toBeGreaterThan(0)
    for (const f of families.filter(f => f.name.startsWith('nsn_'))) {
      if (f.type === 'COUNTER' && f.name.includes('bytes')) expect(f.name).toMatch(/_bytes_total$/)
    }
  })

  it('should keep keys in a 0700 folder, files 0600, and never print the session key', async () => {
    const dir = join(devnet.dataDir, 'director')
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    for (const f of ['peer-key', 'session-key']) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600)
    const secret = (await readFile(join(dir, 'session-key'), 'utf8')).trim()
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    expect(lines.join('\n')).not.toContain(secret)
    expect(lines.join('\n')).toContain(devnet.producerKey)
  })
})
