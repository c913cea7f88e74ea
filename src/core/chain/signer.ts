// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * What signs extrinsics. `TxSigner` is structurally a polkadot-js `Signer` (`signPayload`, optional
 * `signRaw`) plus the account's `address`, so a keyring pair (headless, tests) and a browser extension
 * both implement it. `@polkadot/types` is loaded lazily, only when a keyring signer signs.
 */
import { u8aToHex, u8aWrapBytes } from '@polkadot/util'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { Registry, SignerPayloadJSON, SignerPayloadRaw } from '@polkadot/types/types'

/** A signature over a payload, as polkadot-js' `SignerResult`. */
export interface TxSignature {
  /** Request id (the keyring signer counts up from 1). */
  id: number
  /** `0x`-prefixed signature, with the crypto type prefix byte for `MultiSignature`. */
  signature: `0x${string}`
}

/** Signs extrinsic payloads for one account; usable as ApiPromise's `signer` option. */
export interface TxSigner {
  /** SS58 address of the signing account. */
  readonly address: string
  /** Signs an extrinsic payload (JSON form, as the extension API gets it). */
  signPayload(payload: SignerPayloadJSON): Promise<TxSignature>
  /** Signs raw bytes, wrapped in `<Bytes>…</Bytes>` as extensions do. */
  signRaw?(raw: SignerPayloadRaw): Promise<TxSignature>
}

/** Options for {@link keyringSigner}. */
export interface KeyringSignerInit {
  /**
   * The chain's registry (e.g. `ChainClient.registry`), so custom signed extensions are known. Without
   * it a fresh `TypeRegistry` is loaded lazily and set up from the payload's `signedExtensions`, as the
   * browser extension does.
   */
  registry?: Registry
}

/**
 * A {@link TxSigner} backed by a `@polkadot/keyring` pair. Environment-neutral: no Node APIs.
 *
 * @example
 * ```ts
 * const signer = keyringSigner(new Keyring({ type: 'sr25519' }).addFromUri('//Alice'))
 * ```
 */
export function keyringSigner (pair: KeyringPair, init: KeyringSignerInit = {}): TxSigner {
  let id = 0
  return {
    address: pair.address,
    async signPayload (payload) {
      let registry = init.registry
      if (registry == null) {
        const { TypeRegistry } = await import('@polkadot/types')
        registry = new TypeRegistry()
        registry.setSignedExtensions(payload.signedExtensions)
      }
      const ext = registry.createType('ExtrinsicPayload', payload, { version: payload.version })
      return { id: ++id, signature: ext.sign(pair).signature }
    },
    async signRaw (raw) {
      return { id: ++id, signature: u8aToHex(pair.sign(u8aWrapBytes(raw.data))) }
    }
  }
}
