import { DevnetProcess } from '../src/app/devnet.ts'
import { loadSessionSigner } from '../src/platform/node/key-store.ts'
import { toHex } from '../src/core/wire/index.ts'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const mode = process.argv[2] ?? 'push'
const n = Number(process.argv[3] ?? 8)
const dataDir = await mkdtemp(join(tmpdir(), 'nsn-dbg-'))
const common = ['--channel', 'test', '--status-port', '0', '--mode', mode]
const producerKey = toHex((await loadSessionSigner(join(dataDir, 'director'))).publicKey)
const log = (l: string) => { if (/error|Error|fail/i.test(l)) console.error(l) }
const bootstrap = new DevnetProcess('bootstrap', ['--role', 'bootstrap', '--data', join(dataDir, 'bootstrap'), ...common, '--producer', producerKey, '--listen', '/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/0/ws,/ip4/127.0.0.1/udp/0/webrtc-direct'], { log })
const bs = await bootstrap.waitFor(s => s.multiaddrs.length >= 3)
const nb = bs.multiaddrs.filter(a => /\/tcp\/\d+\/p2p\//.test(a))
const procs = [bootstrap]
const director = new DevnetProcess('director', ['--role', 'director', '--data', join(dataDir, 'director'), ...common, '--bootstrap', nb.join(',')], { log })
procs.push(director)
for (let i = 0; i < n; i++) procs.push(new DevnetProcess(`viewer-${i}`, ['--role', 'viewer', '--data', join(dataDir, `viewer-${i}`), ...common, '--producer', producerKey, '--bootstrap', nb.join(',')], { log }))
const t0 = Date.now()
for (let k = 0; k < 12; k++) {
  await new Promise(r => setTimeout(r, 5000))
  const lines = await Promise.all(procs.map(async p => {
    const s = await p.status().catch(e => undefined)
    if (s == null) return `${p.name}: no status`
    return `${p.name}: conn ${s.connections.length} vp ${s.videoPeers.length} acc ${s.segmentsAccepted} pub ${s.published} in ${s.bytesIn} pay ${s.payloadBytes} rej ${JSON.stringify(s.rejected)} ign ${JSON.stringify(s.ignored)}`
  }))
  console.log(`--- t=${(Date.now() - t0) / 1000}s\n${lines.join('\n')}`)
}
await Promise.allSettled(procs.map(p => p.stop()))
process.exit(0)
