// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Signing through a browser wallet extension (polkadot-js, Talisman, SubWallet, …) with
 * `@polkadot/extension-dapp`: `connectExtension` enables the extensions, lists their accounts and hands
 * out a `TxSigner` per account for `ChainClient.submit`. Keys stay in the extension.
 *
 * `@polkadot/extension-dapp` touches `window` when it loads and pulls in `@polkadot/util-crypto`, so it
 * is imported lazily, on the first `connectExtension` call: the viewer bundle does not carry it.
 */
import { AbortError, InvalidInputError } from '../../core/errors.ts'
import { ExtensionAccountNotFoundError, ExtensionNotFoundError, ExtensionRejectedError } from './errors.ts'
import type { TxSignature, TxSigner } from '../../core/chain/signer.ts'
import type { AbortOptions } from '../../core/options.ts'
import type * as DappModule from '@polkadot/extension-dapp'
import type { SignerPayloadJSON, SignerPayloadRaw } from '@polkadot/types/types'

type Dapp = typeof DappModule

/** The part of `@polkadot/extension-dapp` this module uses (tests pass a stub). */
export type ExtensionDapp = Pick<Dapp, 'web3Enable' | 'web3Accounts' | 'web3AccountsSubscribe' | 'web3FromAddress'>

type InjectedAccountWithMeta = Awaited<ReturnType<Dapp['web3Accounts']>>[number]

/** An account one of the enabled extensions offers. */
export interface ExtensionAccount {
  /** SS58 address, encoded with `ss58Format` when one was given. */
  address: string
  /** The name the user gave the account in the extension. */
  name?: string
  /** The extension that holds it, e.g. `polkadot-js`. */
  source: string
  /** Key type, e.g. `sr25519`, when the extension says. */
  type?: string
  /** The chain the account is restricted to, if any. */
  genesisHash?: string | null
}

/** An enabled extension. */
export interface ExtensionInfo {
  name: string
  version: string
}

/** Options for {@link connectExtension}. */
export interface ConnectExtensionOptions extends AbortOptions {
  /** Encode account addresses with this SS58 prefix (the chain's, `registry.chainSS58`). @default as the extension gives them */
  ss58Format?: number
  /** Only list accounts usable on this chain (accounts not restricted to a chain are always listed). */
  genesisHash?: `0x${string}`
  /** The extension-dapp module to use instead of importing `@polkadot/extension-dapp` (tests). */
  dapp?: ExtensionDapp
}

/** Options for {@link ExtensionWallet.signer}. */
export type ExtensionSignerOptions = AbortOptions

/** Messages with which extensions report that the user refused: polkadot-js and Talisman say
 * `Cancelled`, SubWallet `Rejected by user`, others `User denied …` / `declined`. */
const REJECTED = /cancel|reject|denied|declin/i

/**
 * Enables the installed extensions for `appName` (each may ask the user to authorise the app) and
 * returns a handle on them. Throws `ExtensionNotFoundError` when none is installed or none authorised
 * the app.
 *
 * @example
 * ```ts
 * const wallet = await connectExtension('NSN Web', { ss58Format: chain.registry.chainSS58 })
 * const [account] = await wallet.accounts()
 * chain.submit(call, await wallet.signer(account.address))
 * ```
 */
export async function connectExtension (appName: string, options: ConnectExtensionOptions = {}): Promise<ExtensionWallet> {
  if (appName === '') throw new InvalidInputError('connectExtension needs the app name the extension shows the user', { field: 'appName' })
  options.signal?.throwIfAborted()
  const dapp = options.dapp ?? await raceAbort(import('@polkadot/extension-dapp'), options.signal)
  const enabled = await raceAbort(dapp.web3Enable(appName), options.signal)
  if (enabled.length === 0) throw new ExtensionNotFoundError()
  return new ExtensionWallet(
    { dapp },
    {
      extensions: enabled.map(e => ({ name: e.name, version: e.version })),
      ss58Format: options.ss58Format,
      genesisHash: options.genesisHash
    }
  )
}

/** @internal what {@link ExtensionWallet} is built from; use {@link connectExtension}. */
export interface ExtensionWalletComponents {
  dapp: ExtensionDapp
}

/** @internal */
export interface ExtensionWalletInit {
  extensions: ExtensionInfo[]
  ss58Format?: number
  genesisHash?: `0x${string}`
}

/** The enabled extensions: their accounts, and a signer per account. Create it with {@link connectExtension}. */
export class ExtensionWallet {
  /** The extensions that authorised the app. */
  readonly extensions: readonly ExtensionInfo[]
  private readonly dapp: ExtensionDapp
  private readonly filter: { ss58Format?: number, genesisHash?: string }

  constructor (components: ExtensionWalletComponents, init: ExtensionWalletInit) {
    this.dapp = components.dapp
    this.extensions = init.extensions
    this.filter = {}
    if (init.ss58Format != null) this.filter.ss58Format = init.ss58Format
    if (init.genesisHash != null) this.filter.genesisHash = init.genesisHash
  }

  /** The accounts of all enabled extensions. */
  async accounts (options: AbortOptions = {}): Promise<ExtensionAccount[]> {
    options.signal?.throwIfAborted()
    return (await raceAbort(this.dapp.web3Accounts(this.filter), options.signal)).map(toAccount)
  }

  /** Calls `cb` with the full account list now and whenever it changes; resolves with the unsubscribe function. */
  async subscribeAccounts (cb: (accounts: ExtensionAccount[]) => void): Promise<() => void> {
    return this.dapp.web3AccountsSubscribe(list => { cb(list.map(toAccount)) }, this.filter)
  }

  /**
   * A `TxSigner` for `address`, signing through the extension that holds it. Its calls reject with
   * `ExtensionRejectedError` when the user refuses, and with `AbortError` once `options.signal` aborts
   * (the extension's popup may stay open: extensions cannot be told to close it).
   */
  async signer (address: string, options: ExtensionSignerOptions = {}): Promise<TxSigner> {
    const { signal } = options
    signal?.throwIfAborted()
    let injected: Awaited<ReturnType<ExtensionDapp['web3FromAddress']>>
    try {
      injected = await raceAbort(this.dapp.web3FromAddress(address), signal)
    } catch (err) {
      if ((err as Error).name === AbortError.name) throw err
      throw new ExtensionAccountNotFoundError(address, undefined, { cause: err })
    }
    // called as methods: extension signers are often class instances
    const ext = injected.signer
    if (ext.signPayload == null) throw new ExtensionAccountNotFoundError(address, `The extension ${injected.name} holds ${address} but cannot sign extrinsics`)
    const signer: TxSigner = {
      address,
      signPayload: async (payload: SignerPayloadJSON) => sign(async () => ext.signPayload!(payload), signal)
    }
    if (ext.signRaw != null) signer.signRaw = async (raw: SignerPayloadRaw) => sign(async () => ext.signRaw!(raw), signal)
    return signer
  }
}

function toAccount (a: InjectedAccountWithMeta): ExtensionAccount {
  const account: ExtensionAccount = { address: a.address, source: a.meta.source }
  if (a.meta.name != null) account.name = a.meta.name
  if (a.type != null) account.type = a.type
  if (a.meta.genesisHash != null) account.genesisHash = a.meta.genesisHash
  return account
}

async function sign (request: () => Promise<{ id: number, signature: string }>, signal: AbortSignal | undefined): Promise<TxSignature> {
  signal?.throwIfAborted()
  let result: { id: number, signature: string }
  try {
    result = await raceAbort(request(), signal)
  } catch (err) {
    throw mapSignError(err)
  }
  if (!/^0x(?:[0-9a-f]{2})+$/i.test(result.signature)) {
    throw new InvalidInputError('The wallet extension returned a malformed signature', { field: 'signature' })
  }
  return { id: result.id, signature: result.signature as `0x${string}` }
}

/** Turns an extension's refusal into `ExtensionRejectedError`; anything else is passed on unchanged. */
export function mapSignError (err: unknown): unknown {
  const name = (err as Error | undefined)?.name
  if (name === AbortError.name || name === ExtensionRejectedError.name) return err
  const message = typeof err === 'string' ? err : (err as Error | undefined)?.message
  if (typeof message === 'string' && REJECTED.test(message)) return new ExtensionRejectedError(message, undefined, { cause: err })
  return err
}

/** Resolves or rejects as `promise`, or rejects with `AbortError` as soon as `signal` aborts. */
async function raceAbort<T> (promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal == null) return promise
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        onAbort = () => { reject(new AbortError()) }
        signal.addEventListener('abort', onAbort, { once: true })
      })
    ])
  } finally {
    if (onAbort != null) signal.removeEventListener('abort', onAbort)
  }
}
