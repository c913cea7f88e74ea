// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev chain through an unmodified `ApiPromise` (@polkadot/api 16.5.6) over a real WebSocket:
 * connect, query, subscribe, fees, a signed transfer to finalization, and bad input rejected with
 * Substrate's errors and no state change.
 */
import '@polkadot/api-augment'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevNode } from '../../src/devchain/dev-node.ts'
import { DEV_ENDOWMENT } from '../../src/devchain/genesis.ts'
import type { DevNode } from '../../src/devchain/dev-node.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { SubmittableExtrinsic } from '@polkadot/api/types'

let node: DevNode
let api: ApiPromise
let alice: KeyringPair
let bob: KeyringPair

const UNIT = 10n ** 12n

async function free (address: string): Promise<bigint> {
  const info = await api.query.system.account(address) as unknown as { data: { free: { toBigInt(): bigint } } }
  return info.data.free.toBigInt()
}

async function finalized (tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, options: Record<string, unknown> = {}): Promise<{ events: string[], blockHash: string }> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, options, ({ status, events, dispatchError }) => {
      if (status.isFinalized) {
        resolve({ events: events.map(e => `${e.event.section}.${e.event.method}`), blockHash: status.asFinalized.toHex() })
      }
      if (dispatchError != null && status.isFinalized) reject(new Error(dispatchError.toString()))
    }).catch(reject)
  })
}

beforeAll(async () => {
  await cryptoWaitReady()
  node = await startDevNode({ port: 0, blockTimeMs: 250 })
  api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  alice = keyring.addFromUri('//Alice')
  bob = keyring.addFromUri('//Bob')
}, 60_000)

afterAll(async () => {
  await api?.disconnect()
  await node?.stop()
})

describe('dev chain through ApiPromise', () => {
  it('should connect and describe itself', async () => {
    expect(api.runtimeVersion.specName.toString()).toBe('nsn-dev')
    expect((await api.rpc.system.chain()).toString()).toBe('NSN Dev')
    expect(api.genesisHash.toHex()).toBe(node.chain.genesisHash)
    expect(api.tx.balances.transferKeepAlive).toBeTypeOf('function')
    expect(await free(alice.address)).toBe(DEV_ENDOWMENT)
  })

  it('should follow new and finalized heads', async () => {
    const heads: number[] = []
    const unsub = await api.rpc.chain.subscribeFinalizedHeads(h => { heads.push(h.number.toNumber()) })
    await new Promise(resolve => setTimeout(resolve, 1_000))
    unsub()
    expect(heads.length).toBeGreaterThanOrEqual(2)
    expect(heads.at(-1)! > heads[0]!).toBe(true)
  })

  it('should transfer with a signed extrinsic, charge the quoted fee and finalize', async () => {
    const tx = api.tx.balances.transferKeepAlive(bob.address, 5n * UNIT)
    const fee = (await tx.paymentInfo(alice)).partialFee.toBigInt()
    expect(fee).toBeGreaterThan(0n)
    const [a0, b0] = [await free(alice.address), await free(bob.address)]
    const { events } = await finalized(tx, alice)
    expect(events).toEqual(expect.arrayContaining(['balances.Transfer', 'system.ExtrinsicSuccess', 'transactionPayment.TransactionFeePaid']))
    expect(await free(bob.address)).toBe(b0 + 5n * UNIT)
    expect(await free(alice.address)).toBe(a0 - 5n * UNIT - fee)
  })

  it('should report a failed call (overflowing amount) as ExtrinsicFailed, taking only the fee', async () => {
    const b0 = await free(bob.address)
    const { events } = await finalized(api.tx.balances.transferKeepAlive(bob.address, (1n << 127n)), alice)
    expect(events).toContain('system.ExtrinsicFailed')
    expect(events).not.toContain('balances.Transfer')
    expect(await free(bob.address)).toBe(b0)
  })

  it('should reject a tampered signature with 1010 and change nothing', async () => {
    const before = node.chain.head.state.root()
    const tx = api.tx.balances.transferKeepAlive(bob.address, UNIT)
    await tx.signAsync(alice, { nonce: -1 })
    const hex = tx.toHex()
    // flip one byte inside the 64-byte signature
    const sig = tx.signature.toHex().slice(2)
    const flipped = sig.slice(0, 20) + (Number.parseInt(sig.slice(20, 22), 16) ^ 0xff).toString(16).padStart(2, '0') + sig.slice(22)
    expect(hex).toContain(sig)
    await expect(api.rpc.author.submitExtrinsic(hex.replace(sig, flipped))).rejects.toThrow(/1010.*bad signature/i)
    expect(node.chain.pendingExtrinsics()).toHaveLength(0)
    expect(node.chain.head.state.root()).toBe(before)
  })

  it('should reject a stale nonce and an expired era with 1010', async () => {
    const stale = api.tx.system.remark('0x00')
    await stale.signAsync(alice, { nonce: 0 })
    await expect(api.rpc.author.submitExtrinsic(stale.toHex())).rejects.toThrow(/1010.*outdated/i)
    // a mortal era born at block 1 with the shortest period (4) has expired ten blocks later
    const provider = new WsProvider(node.url)
    await provider.isReady
    await provider.send('dev_newBlock', [{ count: 10 }])
    await provider.disconnect()
    expect(node.chain.head.number).toBeGreaterThan(8)
    const old = api.tx.system.remark('0x00')
    await old.signAsync(alice, { nonce: -1, blockHash: node.chain.block(1)!.hash, era: api.createType('ExtrinsicEra', { current: 1, period: 4 }) })
    await expect(api.rpc.author.submitExtrinsic(old.toHex())).rejects.toThrow(/1010/)
  })

  it('should reject an unknown call index', async () => {
    const tx = api.tx.system.remark('0x00')
    await tx.signAsync(alice, { nonce: -1 })
    const hex = tx.toHex()
    // the call index follows the signed extensions: rebuild with pallet 99 to be sure of the position
    const callHex = tx.method.toHex().slice(2)
    const forged = hex.replace(callHex, '6300' + callHex.slice(4))
    // sent raw, so that the chain (not the client's decoder) has to refuse it
    const provider = new WsProvider(node.url)
    await provider.isReady
    await expect(provider.send('author_submitExtrinsic', [forged])).rejects.toThrow(/1010/)
    await provider.disconnect()
  })

  it('should set storage with dev_setStorage (pallet form and raw pairs) in a new block, and refuse nonsense', async () => {
    const ws = new WsProvider(node.url)
    await ws.isReady
    const dave = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//SetStorageDave').address
    const before = (await api.rpc.chain.getHeader()).number.toNumber()
    const hash = await ws.send('dev_setStorage', [{ System: { Account: [[[dave], { providers: 1, data: { free: 5n * UNIT } }]] } }])
    expect((await api.rpc.chain.getHeader(hash)).number.toNumber()).toBeGreaterThan(before)
    expect(await free(dave)).toBe(5n * UNIT)
    // raw pairs: delete the same account again
    const key = api.query.system.account.key(dave)
    await ws.send('dev_setStorage', [[[key, null]]])
    expect(await free(dave)).toBe(0n)
    await expect(ws.send('dev_setStorage', [{ Nope: { Nothing: 1 } }])).rejects.toThrow(/no storage Nope.Nothing/)
    await expect(ws.send('dev_setStorage', [[['0xzz', '0x00']]])).rejects.toThrow(/hex pairs/)
    await ws.disconnect()
  })
})
