// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `npm run bench:chain`: dev chain throughput. Signed balance transfers from many accounts are
 * submitted concurrently over JSON-RPC (signature checks on) and counted when included in finalized
 * blocks, from the first submit to the last finalized block. Prints one JSON object as its last line.
 */
import '@polkadot/api-augment'
import { parseArgs } from 'node:util'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { startDevNode } from '../src/devchain/dev-node.ts'
import type { KeyringPair } from '@polkadot/keyring/types'

const HELP = `usage: npm run bench:chain [-- options]
  --accounts <n>    sending accounts (default 12, at least 10)
  --per-account <n> transfers per account (default 50)
  --block-time <ms> block interval (default 1000)
  -h, --help`

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '12' },
    'per-account': { type: 'string', default: '50' },
    'block-time': { type: 'string', default: '1000' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})
if (values.help) { console.log(HELP); process.exit(0) }
const ACCOUNTS = Math.max(10, Number(values.accounts))
const PER_ACCOUNT = Number(values['per-account'])
const BLOCK_MS = Number(values['block-time'])
const UNIT = 10n ** 12n
const log = (m: string): void => { process.stderr.write(`[bench:chain] ${m}\n`) }

async function main (): Promise<void> {
  await cryptoWaitReady()
  const node = await startDevNode({ port: 0, blockTimeMs: BLOCK_MS })
  const importMs: number[] = []
  const produce = node.chain.produceBlock.bind(node.chain)
  // block import time: build, execute, commit and store one block
  node.chain.produceBlock = async () => {
    const t = performance.now()
    const b = await produce()
    importMs.push(performance.now() - t)
    return b
  }
  const api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
  try {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
    const alice = keyring.addFromUri('//Alice')
    const senders: KeyringPair[] = Array.from({ length: ACCOUNTS }, (_, i) => keyring.addFromUri(`//Alice//bench/${i}`))
    log(`funding ${ACCOUNTS} accounts`)
    const batch = senders.map((s, i) => api.tx.balances.transferKeepAlive(s.address, 1000n * UNIT).signAsync(alice, { nonce: i }))
    const funding = await Promise.all(batch)
    await Promise.all(funding.map(async tx => api.rpc.author.submitExtrinsic(tx.toHex())))
    const funded = async (): Promise<boolean> => {
      const infos = await Promise.all(senders.map(async s => api.query.system.account(s.address)))
      return infos.every(i => i.data.free.toBigInt() > 0n)
    }
    while (!(await funded())) await new Promise(resolve => setTimeout(resolve, 200))
    await new Promise(resolve => setTimeout(resolve, BLOCK_MS + 100))

    log(`signing ${ACCOUNTS * PER_ACCOUNT} transfers`)
    const dest = keyring.addFromUri('//Bob').address
    const signed: string[] = []
    for (const s of senders) {
      for (let n = 0; n < PER_ACCOUNT; n++) signed.push((await api.tx.balances.transferKeepAlive(dest, UNIT).signAsync(s, { nonce: n, era: 0 })).toHex())
    }
    const wanted = new Set(signed)
    const startNumber = node.chain.head.number
    importMs.length = 0
    log('submitting concurrently')
    const t0 = performance.now()
    let lastFinalizedAt = t0
    let included = 0
    const done = new Promise<void>(resolve => {
      node.chain.addEventListener('block:finalized', (evt) => {
        if (evt.detail.number <= startNumber) return
        const n = evt.detail.extrinsics.filter(e => wanted.has(e)).length
        if (n === 0) return
        included += n
        lastFinalizedAt = performance.now()
        if (included >= wanted.size) resolve()
      })
    })
    const results = await Promise.allSettled(signed.map(async hex => api.rpc.author.submitExtrinsic(hex)))
    const rejected = results.filter(r => r.status === 'rejected').length
    await Promise.race([done, new Promise(resolve => setTimeout(resolve, 120_000))])
    const seconds = (lastFinalizedAt - t0) / 1000
    const sorted = [...importMs].sort((a, b) => a - b)
    const pct = (p: number): number | null => sorted.length > 0 ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10 : null
    const out = {
      bench: 'chain',
      accounts: ACCOUNTS,
      submitted: signed.length,
      rejected,
      included_finalized: included,
      seconds: Math.round(seconds * 100) / 100,
      tx_per_s: Math.round(included / seconds * 10) / 10,
      block_time_ms: BLOCK_MS,
      blocks: importMs.length,
      block_import_ms_p50: pct(0.5),
      block_import_ms_max: pct(1),
      target_tx_per_s: 100,
      met: included / seconds >= 100
    }
    log(`done: ${out.tx_per_s} tx/s`)
    console.log(JSON.stringify(out))
  } finally {
    await api.disconnect()
    await node.stop()
  }
}

main().then(() => process.exit(0), (err: Error) => { console.error(err); process.exit(1) })
