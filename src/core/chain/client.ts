// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A typed client over `ApiPromise` for the calls and queries the app needs. `@polkadot/api` is loaded
 * with a dynamic `import()` in `connectChain`, so code that only imports types from here (the viewer)
 * does not bundle it.
 */
import { AbortError, InvalidInputError } from '../errors.ts'
import { ChainConnectError, ChainDispatchError, ChainModuleError, InvalidTransactionError, TxDroppedError } from './errors.ts'
import { TxHandle } from './tx-handle.ts'
import { NODE_ROLES, REGIONS } from './wire.ts'
import type { ChainTxError, InvalidTransactionReason } from './errors.ts'
import type { TxSigner } from './signer.ts'
import type { AccountSnapshot, NodeRole, Region, StakeSnapshot } from './wire.ts'
import type { AbortOptions } from '../options.ts'
import type { ApiPromise } from '@polkadot/api'
import type { SubmittableExtrinsic } from '@polkadot/api/types'
import type { DispatchError } from '@polkadot/types/interfaces'
import type { ISubmittableResult, Registry } from '@polkadot/types/types'

/** How long `connectChain` waits for the node by default (ms). */
export const CHAIN_CONNECT_TIMEOUT = 30_000

/** Options for {@link connectChain}. */
export interface ConnectChainOptions extends AbortOptions {
  /** Give up connecting after this many ms. @default CHAIN_CONNECT_TIMEOUT */
  timeoutMs?: number
}

/** A call by its `api.tx` names, e.g. `{ section: 'balances', method: 'transferKeepAlive', args: [to, 1n] }`. */
export interface ChainCall {
  section: string
  method: string
  args: unknown[]
}

/** Options for {@link ChainClient.submit}. */
export interface SubmitOptions extends AbortOptions {
  /** Explicit nonce. @default the account's next index, pending pool included */
  nonce?: number
}

/** A block header reference. */
export interface ChainHead {
  number: number
  hash: `0x${string}`
}

type Codec = { toString(): string, toNumber(): number, toBigInt(): bigint, toHex(): `0x${string}` }
type Tx = SubmittableExtrinsic<'promise'>

/**
 * Connects to a node over WebSocket and waits until the API is ready.
 *
 * @example
 * ```ts
 * const chain = await connectChain('ws://127.0.0.1:9944', { signal: AbortSignal.timeout(10_000) })
 * ```
 */
export async function connectChain (url: string, options: ConnectChainOptions = {}): Promise<ChainClient> {
  options.signal?.throwIfAborted()
  const { ApiPromise, WsProvider } = await import('@polkadot/api')
  const provider = new WsProvider(url, 1_000)
  const api = new ApiPromise({ provider, noInitWarn: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  try {
    await Promise.race([
      api.isReadyOrError,
      new Promise<never>((_resolve, reject) => {
        const ms = options.timeoutMs ?? CHAIN_CONNECT_TIMEOUT
        timer = setTimeout(() => { reject(new ChainConnectError(`No chain at ${url} within ${ms} ms`, { url })) }, ms)
        onAbort = () => { reject(new AbortError()) }
        options.signal?.addEventListener('abort', onAbort, { once: true })
      })
    ])
  } catch (err) {
    await api.disconnect().catch(() => {})
    if ((err as Error).name === AbortError.name || (err as Error).name === ChainConnectError.name) throw err
    throw new ChainConnectError(`Could not connect to ${url}`, { url, cause: err })
  } finally {
    clearTimeout(timer)
    if (onAbort != null) options.signal?.removeEventListener('abort', onAbort)
  }
  return new ChainClient(api)
}

/** Typed access to the chain through one `ApiPromise`. Create it with {@link connectChain}. */
export class ChainClient {
  /** The underlying API, for calls this client does not wrap yet. */
  readonly api: ApiPromise

  constructor (api: ApiPromise) {
    this.api = api
  }

  /** The chain's type registry (pass it to `keyringSigner` for chains with custom signed extensions). */
  get registry (): Registry {
    return this.api.registry
  }

  /** The best block. */
  async head (): Promise<ChainHead> {
    const h = await this.api.rpc.chain.getHeader()
    return { number: h.number.toNumber(), hash: h.hash.toHex() }
  }

  /** The last finalized block. */
  async finalizedHead (): Promise<ChainHead> {
    const hash = await this.api.rpc.chain.getFinalizedHead()
    const h = await this.api.rpc.chain.getHeader(hash)
    return { number: h.number.toNumber(), hash: hash.toHex() }
  }

  /** Calls `cb` for each new best block; resolves with the unsubscribe function. */
  async subscribeHeads (cb: (head: ChainHead) => void): Promise<() => void> {
    const onHead = (h: { number: { toNumber(): number }, hash: { toHex(): `0x${string}` } }): void => { cb({ number: h.number.toNumber(), hash: h.hash.toHex() }) }
    return this.api.rpc.chain.subscribeNewHeads(onHead)
  }

  /** Free, reserved and frozen balance of `address`. */
  async balance (address: string): Promise<Omit<AccountSnapshot, 'nonce'>> {
    const { data } = await this.api.query['system']!['account']!(address) as unknown as { data: { free: Codec, reserved: Codec, frozen: Codec } }
    return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt(), frozen: data.frozen.toBigInt() }
  }

  /** The next nonce of `address`, counting extrinsics in the pool. */
  async nonce (address: string): Promise<number> {
    return (await this.api.rpc.system.accountNextIndex(address)).toNumber()
  }

  /** `NsnStake.Stakes` of `address` (zeros and role `None` when unstaked). */
  async stakeOf (address: string): Promise<StakeSnapshot> {
    const query = this.api.query['nsnStake']?.['stakes']
    if (query == null) throw new InvalidInputError('The chain has no NsnStake.Stakes storage', { field: 'nsnStake' })
    const s = await query(address) as unknown as { amount: Codec, lockedUntil: Codec, role: { index: number }, region: { index: number }, delegatedToMe: Codec }
    return {
      amount: s.amount.toBigInt(),
      lockedUntil: s.lockedUntil.toNumber(),
      role: NODE_ROLES[s.role.index] as NodeRole,
      region: REGIONS[s.region.index] as Region,
      delegatedToMe: s.delegatedToMe.toBigInt()
    }
  }

  /** The partial fee `address` would pay for `tx`. */
  async paymentInfo (tx: ChainCall, address: string): Promise<bigint> {
    return (await this.extrinsic(tx).paymentInfo(address)).partialFee.toBigInt()
  }

  /**
   * Signs `tx` with `signer` and submits it. Throws `InvalidInputError` at once for an unknown call;
   * everything later is reported on the handle. Aborting stops watching (the extrinsic may still land).
   */
  submit (tx: ChainCall, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    const ext = this.extrinsic(tx)
    const handle = new TxHandle()
    void this.send(handle, ext, signer, options)
    return handle
  }

  /** Closes the connection. */
  async disconnect (): Promise<void> {
    await this.api.disconnect()
  }

  private extrinsic (tx: ChainCall): Tx {
    const fn = this.api.tx[tx.section]?.[tx.method]
    if (fn == null) throw new InvalidInputError(`Unknown call ${tx.section}.${tx.method}`, { field: 'tx' })
    return fn(...tx.args)
  }

  private async send (handle: TxHandle, ext: Tx, signer: TxSigner, options: SubmitOptions): Promise<void> {
    await Promise.resolve() // let the caller attach listeners before anything is emitted
    const { signal } = options
    let unsub: (() => void) | undefined
    const onAbort = (): void => { handle.fail(new AbortError()); unsub?.() }
    if (signal?.aborted === true) { onAbort(); return }
    signal?.addEventListener('abort', onAbort, { once: true })
    const cleanup = (): void => { signal?.removeEventListener('abort', onAbort) }
    handle.finalized.then(cleanup, cleanup)
    try {
      unsub = await ext.signAndSend(signer.address, { signer, nonce: options.nonce ?? -1 }, (result) => {
        this.onStatus(handle, result)
        if (handle.done) unsub?.()
      })
      if (handle.done) unsub()
    } catch (err) {
      handle.fail(mapSubmitError(err))
    }
  }

  private onStatus (handle: TxHandle, result: ISubmittableResult): void {
    const { status } = result
    if (status.isReady) handle.ready()
    else if (status.isInBlock) {
      handle.inBlock({ blockHash: status.asInBlock.toHex() })
      if (result.dispatchError != null) handle.fail(this.mapDispatchError(result.dispatchError))
    } else if (status.isFinalized) {
      if (result.dispatchError != null) { handle.fail(this.mapDispatchError(result.dispatchError)); return }
      handle.finalize({
        blockHash: status.asFinalized.toHex(),
        events: result.events.map(({ event }) => ({ section: event.section, method: event.method, data: event.data.toPrimitive() as unknown[] }))
      })
    } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
      handle.fail(new TxDroppedError(status.type))
    }
  }

  private mapDispatchError (err: DispatchError): ChainTxError {
    if (!err.isModule) return new ChainDispatchError(err.type)
    const meta = this.api.registry.findMetaError(err.asModule)
    // findMetaError camelCases the section; report the pallet's metadata name (`NsnStake`)
    const pallet = this.api.registry.metadata.pallets.find(p => p.index.eq(err.asModule.index))?.name.toString() ?? meta.section
    return new ChainModuleError({ pallet, error: meta.name, docs: meta.docs.join(' ').trim() })
  }
}

const INVALID_REASONS: Array<[RegExp, InvalidTransactionReason]> = [
  [/outdated/i, 'stale'], [/in the future/i, 'future'], [/bad signature/i, 'bad-proof'],
  [/inability to pay/i, 'payment'], [/ancient birth block/i, 'ancient-birth-block'],
  [/call is not expected/i, 'call'], [/invalid signing address/i, 'bad-signer'], [/exhaust/i, 'exhausts-resources']
]

/** Maps an RPC error from `author_submitAndWatchExtrinsic` (`1010: Invalid Transaction: …`). */
function mapSubmitError (err: unknown): ChainTxError | AbortError {
  const e = err as Error
  if (e.name === AbortError.name) return e as AbortError
  const match = /^(\d+):\s*(.*)$/s.exec(e.message ?? '')
  if (match?.[1] === '1010') {
    const text = match[2] ?? ''
    const reason = INVALID_REASONS.find(([re]) => re.test(text))?.[1] ?? 'unknown'
    return new InvalidTransactionError(reason, text, { cause: err })
  }
  return new TxDroppedError(`rejected: ${e.message}`, { cause: err })
}
