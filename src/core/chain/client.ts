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
import type { AccountSnapshot, EpochSnapshot, NodeRole, Region, StakeSnapshot } from './wire.ts'
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

/** Parameters of {@link ChainClient.stakeDeposit}. */
export interface StakeDepositParams {
  /** Base units. */
  amount: bigint
  /** Lock period in blocks (the chain raises it to its `MinLockBlocks`). */
  lockBlocks: number
  region: Region
}

/** Parameters of {@link ChainClient.registerSessionKey}. */
export interface RegisterSessionKeyParams {
  /** The Ed25519 session public key (32 bytes). */
  sessionKey: Uint8Array
  /** The session key's Ed25519 signature over `sessionKeyProofMessage(signer's AccountId32)` (64 bytes). */
  proof: Uint8Array
}

/** Parameters of {@link ChainClient.submitRecipe}. */
export interface SubmitRecipeParams {
  /** blake2b-256 of the recipe's canonical JSON (see `recipeHash`). */
  recipeHash: Uint8Array
  /** Escrow reserved from the submitter, base units. */
  escrow: bigint
}

/** Parameters of {@link ChainClient.transfer}. */
export interface TransferParams {
  /** SS58 address of the recipient. */
  to: string
  /** Base units. */
  amount: bigint
}

/** `NsnStake`'s role thresholds and caps (base units), from the chain's constants. */
export interface StakeThresholds {
  director: bigint
  superNode: bigint
  validator: bigint
  relay: bigint
  /** `MaxStakePerNode`. */
  maxPerNode: bigint
  /** `MinLockBlocks`, when the chain declares it. */
  minLockBlocks?: number
  /** `MaxRegionPercentage`, when the chain declares it. */
  maxRegionPercentage?: number
}

/** The chain's name and native token, from `system_properties` and `system_chain`. */
export interface ChainInfo {
  name: string
  /** Token decimals. @default 12 when the chain does not say */
  decimals: number
  /** Token symbol. @default 'UNIT' when the chain does not say */
  symbol: string
  ss58Format: number
}

/** Which NSN features the connected chain's metadata offers. */
export interface NsnFeatures {
  /** `NsnStake` (stake, thresholds). */
  stake: boolean
  /** `NsnDirector.register_session_key` and `SessionKeys`. */
  sessionKeys: boolean
  /** `NsnDirector.CurrentEpoch` and `EpochCommittees`. */
  epochs: boolean
  /** `NsnTaskMarket.submit_recipe`. */
  recipes: boolean
}

/** A committee member and its registered session key (`null` when none is registered). */
export interface CommitteeMember {
  account: string
  sessionKey: `0x${string}` | null
}

type Codec = { toString(): string, toNumber(): number, toBigInt(): bigint, toHex(): `0x${string}` }
type OptionCodec = { isNone: boolean, isSome: boolean, unwrap(): unknown }
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

  /** Calls `cb` for each new finalized block; resolves with the unsubscribe function. */
  async subscribeFinalizedHeads (cb: (head: ChainHead) => void): Promise<() => void> {
    const onHead = (h: { number: { toNumber(): number }, hash: { toHex(): `0x${string}` } }): void => { cb({ number: h.number.toNumber(), hash: h.hash.toHex() }) }
    return this.api.rpc.chain.subscribeFinalizedHeads(onHead)
  }

  /** The chain's name, token decimals and symbol. */
  async chainInfo (): Promise<ChainInfo> {
    const name = (await this.api.rpc.system.chain()).toString()
    return {
      name,
      decimals: this.api.registry.chainDecimals[0] ?? 12,
      symbol: this.api.registry.chainTokens[0] ?? 'UNIT',
      ss58Format: this.api.registry.chainSS58 ?? 42
    }
  }

  /**
   * Whether the chain has the NSN pallets at all (`NsnStake` in its metadata). A chain without them
   * (e.g. Rococo Asset Hub) still serves balances and transfers.
   */
  hasNsnPallets (): boolean {
    return this.hasStorage('nsnStake', 'stakes')
  }

  /** The NSN features this chain's metadata offers, call by call. */
  nsnFeatures (): NsnFeatures {
    return {
      stake: this.hasStorage('nsnStake', 'stakes') && this.hasCall('nsnStake', 'depositStake'),
      sessionKeys: this.hasCall('nsnDirector', 'registerSessionKey') && this.hasStorage('nsnDirector', 'sessionKeys'),
      epochs: this.hasStorage('nsnDirector', 'currentEpoch') && this.hasStorage('nsnDirector', 'epochCommittees'),
      recipes: this.hasCall('nsnTaskMarket', 'submitRecipe')
    }
  }

  /** Whether `api.tx[section][method]` exists. */
  hasCall (section: string, method: string): boolean {
    return this.api.tx[section]?.[method] != null
  }

  /** Whether `api.query[section][item]` exists. */
  hasStorage (section: string, item: string): boolean {
    return this.api.query[section]?.[item] != null
  }

  /** Free, reserved and frozen balance of `address`. */
  async balance (address: string): Promise<Omit<AccountSnapshot, 'nonce'>> {
    const { data } = await this.api.query['system']!['account']!(address) as unknown as {
      data: { free: Codec, reserved: Codec, frozen?: Codec, miscFrozen?: Codec, feeFrozen?: Codec }
    }
    // runtimes before pallet_balances' 2023 AccountData (Rococo Asset Hub's genesis) split `frozen` in two
    const misc = data.miscFrozen?.toBigInt() ?? 0n
    const fee = data.feeFrozen?.toBigInt() ?? 0n
    const frozen = data.frozen?.toBigInt() ?? (misc > fee ? misc : fee)
    return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt(), frozen }
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

  /** `NsnStake.Stakes` of `address` (the same as {@link stakeOf}). */
  async stake (address: string): Promise<StakeSnapshot> {
    return this.stakeOf(address)
  }

  /** The role thresholds and caps from `NsnStake`'s constants. */
  stakeThresholds (): StakeThresholds {
    const consts = this.api.consts['nsnStake']
    if (consts == null) throw new InvalidInputError('The chain has no NsnStake pallet', { field: 'nsnStake' })
    const big = (name: string): bigint => {
      const c = consts[name] as unknown as Codec | undefined
      if (c == null) throw new InvalidInputError(`The chain has no NsnStake.${name} constant`, { field: name })
      return c.toBigInt()
    }
    const num = (name: string): number | undefined => (consts[name] as unknown as Codec | undefined)?.toNumber()
    return {
      director: big('minStakeDirector'),
      superNode: big('minStakeSuperNode'),
      validator: big('minStakeValidator'),
      relay: big('minStakeRelay'),
      maxPerNode: big('maxStakePerNode'),
      minLockBlocks: num('minLockBlocks'),
      maxRegionPercentage: num('maxRegionPercentage')
    }
  }

  /** `NsnDirector.CurrentEpoch`, or `null` before the first epoch. */
  async epochInfo (): Promise<EpochSnapshot | null> {
    const raw = await this.query('nsnDirector', 'currentEpoch')() as unknown as OptionCodec & { toPrimitive(): unknown }
    const value = unwrapOption(raw)
    if (value == null) return null
    const e = value.toPrimitive() as Record<string, unknown>
    const pick = (...names: string[]): unknown => names.map(n => e[n]).find(v => v != null)
    const directors = (pick('directors') as unknown[] | undefined) ?? []
    const epoch: EpochSnapshot = {
      id: BigInt(pick('id') as number | string),
      startBlock: Number(pick('startBlock', 'start_block')),
      endBlock: Number(pick('endBlock', 'end_block')),
      directors: directors.map(d => this.api.registry.createType('AccountId32', d as string).toString())
    }
    return epoch
  }

  /** `NsnDirector.SessionKeys(address)`: the registered session key, or `null`. */
  async sessionKey (address: string): Promise<`0x${string}` | null> {
    const raw = await this.query('nsnDirector', 'sessionKeys')(address) as unknown as OptionCodec
    return codecHex(unwrapOption(raw))
  }

  /** `NsnDirector.EpochCommittees(epoch)` with each member's `SessionKeys` entry. */
  async committee (epoch: bigint | number): Promise<CommitteeMember[]> {
    const members = await this.query('nsnDirector', 'epochCommittees')(BigInt(epoch)) as unknown as OptionCodec & Array<{ toString(): string }>
    const list = (unwrapOption(members) ?? []) as Array<{ toString(): string }>
    const accounts = [...list].map(a => a.toString())
    if (accounts.length === 0) return []
    const keys = await this.query('nsnDirector', 'sessionKeys').multi(accounts) as unknown as OptionCodec[]
    return accounts.map((account, i) => ({ account, sessionKey: codecHex(unwrapOption(keys[i] ?? null)) }))
  }

  /** `NsnStake.deposit_stake`: stake `amount` in `region`, locked for `lockBlocks`. */
  stakeDeposit (params: StakeDepositParams, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    if (params.amount <= 0n) throw new InvalidInputError('The stake amount must be positive', { field: 'amount' })
    if (!Number.isInteger(params.lockBlocks) || params.lockBlocks < 0) throw new InvalidInputError('lockBlocks must be a non-negative integer', { field: 'lockBlocks' })
    if (!REGIONS.includes(params.region)) throw new InvalidInputError(`Unknown region ${String(params.region)}`, { field: 'region' })
    return this.submit({ section: 'nsnStake', method: 'depositStake', args: [params.amount, params.lockBlocks, params.region] }, signer, options)
  }

  /** `NsnStake.withdraw_stake`: withdraw `amount` of unlocked stake. */
  stakeWithdraw (amount: bigint, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    if (amount <= 0n) throw new InvalidInputError('The amount must be positive', { field: 'amount' })
    return this.submit({ section: 'nsnStake', method: 'withdrawStake', args: [amount] }, signer, options)
  }

  /**
   * `NsnDirector.register_session_key`: registers (or rotates to) `sessionKey` for the signer's account.
   * `proof` is the session key's signature over `sessionKeyProofMessage(accountId)`.
   */
  registerSessionKey (params: RegisterSessionKeyParams, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    if (params.sessionKey.length !== 32) throw new InvalidInputError(`A session key has 32 bytes, got ${params.sessionKey.length}`, { field: 'sessionKey' })
    if (params.proof.length !== 64) throw new InvalidInputError(`A proof has 64 bytes, got ${params.proof.length}`, { field: 'proof' })
    return this.submit({ section: 'nsnDirector', method: 'registerSessionKey', args: [u8aHex(params.sessionKey), u8aHex(params.proof)] }, signer, options)
  }

  /** `NsnTaskMarket.submit_recipe`: a Lane-0 task for the recipe with hash `recipeHash`, with `escrow` reserved. */
  submitRecipe (params: SubmitRecipeParams, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    if (params.recipeHash.length !== 32) throw new InvalidInputError(`A recipe hash has 32 bytes, got ${params.recipeHash.length}`, { field: 'recipeHash' })
    if (params.escrow <= 0n) throw new InvalidInputError('The escrow must be positive', { field: 'escrow' })
    return this.submit({ section: 'nsnTaskMarket', method: 'submitRecipe', args: [u8aHex(params.recipeHash), params.escrow] }, signer, options)
  }

  /** `Balances.transfer_keep_alive`. */
  transfer (params: TransferParams, signer: TxSigner, options: SubmitOptions = {}): TxHandle {
    if (params.amount <= 0n) throw new InvalidInputError('The amount must be positive', { field: 'amount' })
    return this.submit({ section: 'balances', method: 'transferKeepAlive', args: [params.to, params.amount] }, signer, options)
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

  private query (section: string, item: string): ((...args: unknown[]) => Promise<unknown>) & { multi: (keys: unknown[]) => Promise<unknown[]> } {
    const fn = this.api.query[section]?.[item]
    if (fn == null) throw new InvalidInputError(`The chain has no ${section}.${item} storage`, { field: section })
    return fn as unknown as ((...args: unknown[]) => Promise<unknown>) & { multi: (keys: unknown[]) => Promise<unknown[]> }
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
      handle.inBlock({ blockHash: status.asInBlock.toHex(), blockNumber: blockNumberOf(result) })
      if (result.dispatchError != null) handle.fail(this.mapDispatchError(result.dispatchError))
    } else if (status.isFinalized) {
      if (result.dispatchError != null) { handle.fail(this.mapDispatchError(result.dispatchError)); return }
      handle.finalize({
        blockHash: status.asFinalized.toHex(),
        blockNumber: blockNumberOf(result),
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

/** `Option<T>` → T or null; a non-option codec (a `ValueQuery`) passes through. */
function unwrapOption<T> (codec: (T & Partial<OptionCodec>) | null): T | null {
  if (codec == null) return null
  if (codec.isNone === true) return null
  if (codec.isSome === true && codec.unwrap != null) return codec.unwrap() as T
  return codec
}

/** `SubmittableResult.blockNumber` (set by ApiPromise for in-block/finalized, absent from the interface). */
function blockNumberOf (result: ISubmittableResult): number | undefined {
  const n = (result as unknown as { blockNumber?: { toNumber(): number } }).blockNumber?.toNumber()
  return n != null && n > 0 ? n : undefined
}

function codecHex (codec: unknown): `0x${string}` | null {
  if (codec == null) return null
  return (codec as { toHex(): `0x${string}` }).toHex()
}

function u8aHex (bytes: Uint8Array): `0x${string}` {
  let out = '0x'
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out as `0x${string}`
}

// Substrate nodes send the text; chopsticks sends the JSON of `TransactionValidityError` (`{"invalid":{"badProof":null}}`).
const INVALID_REASONS: Array<[RegExp, InvalidTransactionReason]> = [
  [/outdated|"stale"/i, 'stale'], [/in the future|"future"/i, 'future'], [/bad signature|"badProof"/i, 'bad-proof'],
  [/inability to pay|"payment"/i, 'payment'], [/ancient birth block/i, 'ancient-birth-block'],
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
