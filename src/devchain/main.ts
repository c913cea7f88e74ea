// SPDX-License-Identifier: GPL-3.0-or-later
/** `npm run devchain`: the NSN dev chain on 127.0.0.1 (Substrate JSON-RPC over WebSocket). */
import { rename } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { startDevNode } from './dev-node.ts'
import { CRASH_ENV, crashHookFromEnv } from './store/crash-hook.ts'
import { GenesisMismatchError } from './store/errors.ts'

const HELP = `usage: npm run devchain -- [options]

The NSN dev chain: Substrate JSON-RPC over WebSocket on 127.0.0.1 for an unmodified @polkadot/api.
Dev accounts //Alice … //Ferdie (well-known DEV keys) are funded; //Alice is sudo.
  --port <n>         WebSocket port (default 9944; 0 = any free port)
  --block-time <ms>  block interval (default 1000)
  --instant          build a block as soon as a transaction arrives
  --data <dir>       keep the chain in <dir> (created 0700): a fresh folder starts from the dev
                     genesis, an existing one resumes at its last block (counted as finalized).
                     Without it the state lives in memory.
  -h, --help         this help

Each block is committed atomically (block, state diff, head pointer in one LevelDB batch), so a
crash (even kill -9) restarts at the last committed block with the same state root.
Test hook: ${CRASH_ENV}=<block>:<mid-batch|before-write|after-write> kills the process with SIGKILL
while committing that block (for crash-safety tests only).

  --move-stale-data  if --data holds a chain of another dev genesis (an older NSN Web), move it
                     to <dir>.stale-<time> and start fresh instead of stopping (npm start uses this)

Pallets: System 0, Timestamp 1, Balances 5, TransactionPayment 6, Sudo 7, NsnStake 50,
NsnReputation 51, NsnDirector 52, NsnBft 53, NsnStorage 54, NsnTreasury 55, NsnTaskMarket 56,
NsnModelRegistry 57, NsnBootstrap 58. Timing: blocks 1 s, slots of 10 blocks, epochs of 6 slots.
Dev genesis: //Alice … //Ferdie hold 1,000,000 NSN each; //Director1 … //Director6 are staked
director candidates in NaWest, EuWest and Apac with registered session keys (DEV KEYS ONLY).`

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9944' },
    'block-time': { type: 'string', default: '1000' },
    instant: { type: 'boolean', default: false },
    data: { type: 'string' },
    'move-stale-data': { type: 'boolean', default: false },
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
const crashHook = crashHookFromEnv(process.env[CRASH_ENV])
if (crashHook != null) console.log(`devchain: TEST HOOK ${CRASH_ENV}=${process.env[CRASH_ENV]} armed`)
const init = { port, blockTimeMs, instant: values.instant, dataDir: values.data, crashHook }
let node: Awaited<ReturnType<typeof startDevNode>>
try {
  node = await startDevNode(init)
} catch (err) {
  if ((err as Error).name !== GenesisMismatchError.name || values.data == null) throw err
  if (!values['move-stale-data']) {
    console.error(`devchain: ${(err as Error).message}.\nThe folder ${values.data} holds a chain from another dev genesis (an older NSN Web?). Move it away (or pass --move-stale-data) and start again.`)
    process.exit(1)
  }
  const aside = `${values.data}.stale-${new Date().toISOString().replace(/[:.]/g, '-')}`
  await rename(values.data, aside)
  console.log(`devchain: ${values.data} held a chain of another dev genesis: moved it to ${aside}, starting fresh`)
  node = await startDevNode(init)
}
if (node.resumed != null) {
  const r = node.resumed
  console.log(`NSN devchain ${r.fresh ? 'fresh data folder' : 'resumed'} at #${r.number} ${r.hash} (state root ${r.stateRoot}) in ${values.data}`)
}
console.log(`NSN devchain listening on ${node.url} (genesis ${node.chain.genesisHash})`)
const stop = async (): Promise<void> => { await node.stop(); process.exit(0) }
process.on('SIGINT', () => { void stop() })
process.on('SIGTERM', () => { void stop() })
