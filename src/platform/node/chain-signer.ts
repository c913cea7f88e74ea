// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The chain account of a headless node: a `TxSigner` from a key the operator provides, either in a
 * file or in the environment. There is **no built-in default key**: the well-known development URIs
 * (`//Alice` …) are refused unless the caller says it talks to the dev chain (`allowDevKeys`).
 *
 * Accepted key material:
 * - a polkadot-js JSON keystore (the "export account" file of the extension or apps UI), decrypted
 *   with a password from `passwordEnv` (default `NSN_CHAIN_KEY_PASSWORD`);
 * - a secret URI: a 12/24-word mnemonic, a `0x` 32-byte seed, each with optional `//hard/soft`
 *   derivation, e.g. `"<mnemonic>//nsn"`.
 * Files must not be readable by group or others (like ssh keys): `chmod 600`.
 */
import { readFile, stat } from 'node:fs/promises'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady, mnemonicValidate } from '@polkadot/util-crypto'
import { keyringSigner } from '../../core/chain/index.ts'
import type { TxSigner } from '../../core/chain/index.ts'
import type { KeyringPair, KeyringPair$Json } from '@polkadot/keyring/types'

/** Environment variable holding a secret URI. */
export const CHAIN_SURI_ENV = 'NSN_CHAIN_SURI'
/** Environment variable holding a JSON keystore's password. */
export const CHAIN_KEY_PASSWORD_ENV = 'NSN_CHAIN_KEY_PASSWORD'

/** Thrown when the chain key is missing, unreadable, malformed, too exposed or a dev key where none is allowed. */
export class ChainKeyError extends Error {
  static override name = 'ChainKeyError'
  constructor (message = 'Chain key error', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ChainKeyError'
  }
}

/** Where to find the key. */
export interface ChainSignerInit {
  /** A file holding a JSON keystore or a secret URI. Wins over the environment. */
  file?: string
  /** Environment to read `NSN_CHAIN_SURI` / `NSN_CHAIN_KEY_PASSWORD` from. @default process.env */
  env?: Record<string, string | undefined>
  /** Accept the public development URIs (`//Alice` …): only for the dev chain. @default false */
  allowDevKeys?: boolean
  /** Key type for a secret URI. @default 'sr25519' */
  type?: 'sr25519' | 'ed25519'
  /** SS58 prefix for the address. @default 42 */
  ss58Format?: number
}

/** A loaded chain account: its address and a signer for `ChainClient`. */
export interface ChainAccount {
  address: string
  signer: TxSigner
}

const DEV_URI = /^\/\/(Alice|Bob|Charlie|Dave|Eve|Ferdie|Director\d+)(\/\/?|$)/i

/** True for a secret URI whose root is a public development key (a bare `//Name` or the dev mnemonic). */
function isDevUri (suri: string): boolean {
  return DEV_URI.test(suri) || suri.startsWith('bottom drive obey lake curtain smoke basket hold race lonely fit walk')
}

function fromSuri (keyring: Keyring, suri: string, source: string): KeyringPair {
  const phrase = suri.split('//')[0]?.split('///')[0]?.trim() ?? ''
  if (phrase !== '' && !phrase.startsWith('0x') && !mnemonicValidate(phrase)) {
    throw new ChainKeyError(`${source} is neither a JSON keystore, a valid mnemonic nor a 0x seed`)
  }
  try {
    return keyring.addFromUri(suri)
  } catch (err) {
    throw new ChainKeyError(`${source} is not a valid secret URI`, { cause: err })
  }
}

function fromJson (keyring: Keyring, json: KeyringPair$Json, password: string | undefined, source: string): KeyringPair {
  if (password == null) throw new ChainKeyError(`${source} is an encrypted keystore: set ${CHAIN_KEY_PASSWORD_ENV}`)
  let pair: KeyringPair
  try {
    pair = keyring.addFromJson(json)
    pair.decodePkcs8(password)
  } catch (err) {
    throw new ChainKeyError(`${source} could not be decrypted (wrong password or not a polkadot-js keystore)`, { cause: err })
  }
  return pair
}

/**
 * Loads the chain account from `init.file`, else from `NSN_CHAIN_SURI`. Never logs key material.
 *
 * @example
 * ```ts
 * const { address, signer } = await loadChainSigner({ file: '/etc/nsn/chain-key.json' })
 * await client.stakeDeposit({ amount, lockBlocks: 0, region: 'EuWest' }, signer)
 * ```
 */
export async function loadChainSigner (init: ChainSignerInit = {}): Promise<ChainAccount> {
  const env = init.env ?? process.env
  await cryptoWaitReady()
  const keyring = new Keyring({ type: init.type ?? 'sr25519', ss58Format: init.ss58Format ?? 42 })
  let pair: KeyringPair
  let suri: string | undefined
  if (init.file != null) {
    let text: string
    try {
      const st = await stat(init.file)
      if ((st.mode & 0o077) !== 0) throw new ChainKeyError(`${init.file} is readable by group or others: run chmod 600 ${init.file}`)
      text = (await readFile(init.file, 'utf8')).trim()
    } catch (err) {
      if ((err as Error).name === ChainKeyError.name) throw err
      throw new ChainKeyError(`Cannot read the chain key file ${init.file}`, { cause: err })
    }
    if (text.startsWith('{')) {
      let json: KeyringPair$Json
      try {
        json = JSON.parse(text) as KeyringPair$Json
      } catch (err) {
        throw new ChainKeyError(`${init.file} is not valid JSON`, { cause: err })
      }
      pair = fromJson(keyring, json, env[CHAIN_KEY_PASSWORD_ENV], init.file)
    } else {
      suri = text
      if (!(init.allowDevKeys === true) && isDevUri(suri)) throw new ChainKeyError(`${init.file} holds a public development key: use it only with the dev chain`)
      pair = fromSuri(keyring, suri, init.file)
    }
  } else {
    suri = env[CHAIN_SURI_ENV]?.trim()
    if (suri == null || suri === '') throw new ChainKeyError(`No chain key: pass a key file or set ${CHAIN_SURI_ENV}`)
    if (!(init.allowDevKeys === true) && isDevUri(suri)) throw new ChainKeyError(`${CHAIN_SURI_ENV} holds a public development key: use it only with the dev chain`)
    pair = fromSuri(keyring, suri, CHAIN_SURI_ENV)
  }
  return { address: pair.address, signer: keyringSigner(pair) }
}
