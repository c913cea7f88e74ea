// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Shared plumbing for integration tests that drive the dev chain through an unmodified `ApiPromise`:
 * start a node, connect, sign and wait for finality, read dispatch errors by name, make blocks.
 *
 * @example
 * ```ts
 * const t = await startApiChain()
 * const sent = await t.send(t.tx('nsnStake').depositStake(100n * NSN, 0, 'EuWest'), t.k.Alice)
 * expect(sent.error).toBeNull()
 * ```
 */
import '@polkadot/api-augment'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { startDevNode } from '../../src/devchain/dev-node.ts'
import type { DevNode, DevNodeInit } from '../../src/devchain/dev-node.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { SubmittableExtrinsic } from '@polkadot/api/types'
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces'

export type Tx = SubmittableExtrinsic<'promise'>
/* eslint-disable @typescript-eslint/no-explicit-any -- custom pallets have no augmented types */
export type AnyTxSection = Record<string, (...args: any[]) => Tx>
export type AnyQuerySection = Record<string, ((...args: any[]) => Promise<any>) & { entries: (...args: any[]) => Promise<any[]> }>
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A finalized extrinsic's outcome. */
export interface Sent {
  events: EventRecord[]
  /** `section.Method` of every event of the extrinsic. */
  names: string[]
  /** `Pallet.Error` (or a plain `DispatchError` variant) of the call, or of a sudo call's inner call; null on success. */
  error: string | null
  block: number
}

/** A running dev node with a connected api. */
export interface ApiChain {
  node: DevNode
  api: ApiPromise
  provider: WsProvider
  keyring: Keyring
  /** The dev accounts //Alice … //Ferdie (DEV KEYS ONLY). */
  k: Record<'Alice' | 'Bob' | 'Charlie' | 'Dave' | 'Eve' | 'Ferdie', KeyringPair>
  /** `api.tx[section]` without augmented types. */
  tx(section: string): AnyTxSection
  /** `api.query[section]` without augmented types. */
  query(section: string): AnyQuerySection
  /** Signs with `signer`, sends and waits for finalization. */
  send(tx: Tx, signer: KeyringPair, nonce?: number): Promise<Sent>
  /** Sends `sudo.sudo(call)` signed by Alice. */
  sudo(call: Tx): Promise<Sent>
  /** Submits an unsigned extrinsic and waits for finalization (rejects with the pool's 1010 error). */
  sendUnsigned(tx: Tx): Promise<Sent>
  /**
   * For chains that build blocks on demand (a long `blockTimeMs`): signs each `[signer, tx]` with
   * consecutive nonces (no signer: submitted unsigned), submits them all, builds one block and resolves
   * with each finalized outcome, in order.
   */
  sendAll(txs: Array<[KeyringPair | undefined, Tx]>): Promise<Sent[]>
  /** {@link ApiChain.sendAll} for one extrinsic. */
  sendInBlock(tx: Tx, signer?: KeyringPair): Promise<Sent>
  /** Builds `count` blocks now (`dev_newBlock`). */
  newBlocks(count: number): Promise<void>
  /** `pair`, funded by Alice with `amount`. */
  funded(uri: string, amount: bigint): Promise<KeyringPair>
  /** Free and reserved balance. */
  balance(who: string): Promise<{ free: bigint, reserved: bigint }>
  /** The best block number. */
  head(): Promise<number>
  stop(): Promise<void>
}

/** The fee an extrinsic paid (burned): `TransactionPayment.TransactionFeePaid`'s `actual_fee`, 0 for unsigned ones. */
export function feePaid (sent: Pick<Sent, 'events'>): bigint {
  const paid = sent.events.find(r => r.event.section === 'transactionPayment' && r.event.method === 'TransactionFeePaid')
  return paid == null ? 0n : BigInt(paid.event.data[1]!.toString())
}

/** `Pallet.Error` of a dispatch error, or its plain variant (`BadOrigin`). */
export function errorName (api: ApiPromise, e: DispatchError): string {
  if (!e.isModule) return e.type
  const meta = api.registry.findMetaError(e.asModule)
  return `${meta.section}.${meta.name}`
}

function outcome (api: ApiPromise, result: { events: EventRecord[], dispatchError?: DispatchError }, block: number): Sent {
  const sudid = result.events.find(r => r.event.section === 'sudo' && r.event.method === 'Sudid')
  const inner = sudid == null ? null : (sudid.event.data[0] as unknown as { isErr: boolean, asErr: DispatchError })
  const error = result.dispatchError != null ? errorName(api, result.dispatchError) : inner?.isErr === true ? errorName(api, inner.asErr) : null
  return { events: result.events, names: result.events.map(r => `${r.event.section}.${r.event.method}`), error, block }
}

/** Starts a dev node (in memory, blocks every 200 ms unless `init` says otherwise) and connects an `ApiPromise`. */
export async function startApiChain (init: DevNodeInit = {}): Promise<ApiChain> {
  await cryptoWaitReady()
  const node = await startDevNode({ port: 0, blockTimeMs: 200, ...init })
  const provider = new WsProvider(node.url)
  const api = await ApiPromise.create({ provider, noInitWarn: true })
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  const k = Object.fromEntries(['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map(n => [n, keyring.addFromUri(`//${n}`)])) as ApiChain['k']
  const finalizedBlock = async (hash: string): Promise<number> => (await api.rpc.chain.getHeader(hash)).number.toNumber()
  const chain: ApiChain = {
    node,
    api,
    provider,
    keyring,
    k,
    tx: (section) => api.tx[section] as unknown as AnyTxSection,
    query: (section) => api.query[section] as unknown as AnyQuerySection,
    async send (tx, signer, nonce = -1) {
      return await new Promise<Sent>((resolve, reject) => {
        tx.signAndSend(signer, { nonce }, (result) => {
          if (!result.status.isFinalized) return
          finalizedBlock(result.status.asFinalized.toHex()).then(n => { resolve(outcome(api, result, n)) }, reject)
        }).catch(reject)
      })
    },
    async sudo (call) { return await chain.send(api.tx.sudo.sudo(call), k.Alice) },
    async sendUnsigned (tx) {
      return await new Promise<Sent>((resolve, reject) => {
        tx.send((result) => {
          if (!result.status.isFinalized) return
          finalizedBlock(result.status.asFinalized.toHex()).then(n => { resolve(outcome(api, result, n)) }, reject)
        }).catch(reject)
      })
    },
    async sendAll (txs) {
      const nonces = new Map<string, number>()
      const pending: Array<Promise<Sent>> = []
      for (const [signer, tx] of txs) {
        if (signer != null) {
          const nonce = nonces.get(signer.address) ?? (await api.rpc.system.accountNextIndex(signer.address)).toNumber()
          nonces.set(signer.address, nonce + 1)
          await tx.signAsync(signer, { nonce })
        }
        let settle: (s: Sent) => void = () => {}
        let fail: (err: unknown) => void = () => {}
        pending.push(new Promise<Sent>((resolve, reject) => { settle = resolve; fail = reject }))
        // resolves once the pool holds it, so the block below includes it
        await tx.send((result) => {
          if (!result.status.isFinalized) return
          finalizedBlock(result.status.asFinalized.toHex()).then(n => { settle(outcome(api, result, n)) }, fail)
        })
      }
      await chain.newBlocks(1)
      return await Promise.all(pending)
    },
    async sendInBlock (tx, signer) { return (await chain.sendAll([[signer, tx]]))[0] as Sent },
    async newBlocks (count) { await provider.send('dev_newBlock', [{ count }]) },
    async funded (uri, amount) {
      const pair = keyring.addFromUri(uri)
      const sent = await chain.send(api.tx.balances.transferKeepAlive(pair.address, amount), k.Alice)
      if (sent.error != null) throw new Error(`funding ${uri} failed: ${sent.error}`)
      return pair
    },
    async balance (who) {
      const info = await api.query.system.account(who)
      return { free: info.data.free.toBigInt(), reserved: info.data.reserved.toBigInt() }
    },
    async head () { return (await api.rpc.chain.getHeader()).number.toNumber() },
    async stop () {
      await api.disconnect()
      await node.stop()
    }
  }
  return chain
}
