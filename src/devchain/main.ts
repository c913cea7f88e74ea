// SPDX-License-Identifier: GPL-3.0-or-later
/** `npm run devchain`: the NSN dev chain on 127.0.0.1 (Substrate JSON-RPC over WebSocket). */
import { parseArgs } from 'node:util'
import { startDevNode } from './dev-node.ts'

const HELP = `usage: npm run devchain -- [options]

The NSN dev chain: Substrate JSON-RPC over WebSocket on 127.0.0.1 for an unmodified @polkadot/api.
Dev accounts //Alice … //Ferdie (well-known DEV keys) are funded; //Alice is sudo.
  --port <n>         WebSocket port (default 9944; 0 = any free port)
  --block-time <ms>  block interval (default 1000)
  --instant          build a block as soon as a transaction arrives
  -h, --help         this help

Not yet: persistence (--data), the NSN pallets (indices 50-58), crash safety. State lives in memory.`

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9944' },
    'block-time': { type: 'string', default: '1000' },
    instant: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false }
  }
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
const port = Number(values.port)
const blockTimeMs = Number(values['block-time'])
if (!Number.isInteger(port) || port < 0 || port > 65535) { console.error(`devchain: --port must be 0-65535, got ${values.port}`); process.exit(2) }
if (!Number.isInteger(blockTimeMs) || blockTimeMs < 10) { console.error(`devchain: --block-time must be an integer ≥ 10 ms, got ${values['block-time']}`); process.exit(2) }
const node = await startDevNode({ port, blockTimeMs, instant: values.instant })
console.log(`NSN devchain listening on ${node.url} (genesis ${node.chain.genesisHash})`)
const stop = async (): Promise<void> => { await node.stop(); process.exit(0) }
process.on('SIGINT', () => { void stop() })
process.on('SIGTERM', () => { void stop() })
