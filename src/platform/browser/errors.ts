// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors of the browser adapters. Match them by `err.name === X.name`, never `instanceof` (STYLE.md 5.3).
 */

/** The browser has no Media Source Extensions, or cannot play the stream's codec through them. */
export class MediaSourceUnsupportedError extends Error {
  static override name = 'MediaSourceUnsupportedError'
  readonly codec?: string
  constructor (message = 'This browser cannot play the stream (no Media Source Extensions support)', options?: ErrorOptions & { codec?: string }) {
    super(message, options)
    this.name = 'MediaSourceUnsupportedError'
    this.codec = options?.codec
  }
}

/** Why an append to a media buffer failed. */
export type AppendErrorReason = 'quota' | 'decode' | 'closed'

/** Appending a segment (or removing buffered media) failed. */
export class AppendError extends Error {
  static override name = 'AppendError'
  readonly reason: AppendErrorReason
  constructor (reason: AppendErrorReason, message = `Could not append media (${reason})`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AppendError'
    this.reason = reason
  }
}

/** Why the browser's session key store failed. */
export type SessionKeyStoreErrorReason = 'unsupported' | 'storage'

/**
 * The browser cannot hold a session key: no WebCrypto Ed25519 or no IndexedDB (`unsupported`), or
 * reading/writing IndexedDB failed (`storage`).
 */
export class SessionKeyStoreError extends Error {
  static override name = 'SessionKeyStoreError'
  readonly reason: SessionKeyStoreErrorReason
  constructor (reason: SessionKeyStoreErrorReason, message = `Session key store failed (${reason})`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SessionKeyStoreError'
    this.reason = reason
  }
}

/**
 * No browser extension answered `web3Enable`: none is installed, or the user did not authorise this app
 * (extensions that are refused drop out of the list silently).
 */
export class ExtensionNotFoundError extends Error {
  static override name = 'ExtensionNotFoundError'
  constructor (message = 'No wallet extension is installed, or it did not authorise this app', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ExtensionNotFoundError'
  }
}

/** The enabled extensions do not hold the requested account (or the extension offers no signer for it). */
export class ExtensionAccountNotFoundError extends Error {
  static override name = 'ExtensionAccountNotFoundError'
  readonly address: string
  constructor (address: string, message = `No enabled wallet extension holds the account ${address}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ExtensionAccountNotFoundError'
    this.address = address
  }
}

/** The user (or the extension on their behalf) refused to sign; `reason` is the extension's own message. */
export class ExtensionRejectedError extends Error {
  static override name = 'ExtensionRejectedError'
  readonly reason: string
  constructor (reason = 'Cancelled', message = `Signing was rejected in the wallet extension (${reason})`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ExtensionRejectedError'
    this.reason = reason
  }
}
