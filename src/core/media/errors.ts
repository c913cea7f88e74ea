// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors of the media module. Match them by `err.name === X.name`, never `instanceof` (STYLE.md 5.3).
 */

/** Why a WebM byte stream was rejected; `reason` is machine-readable. */
export type WebmParseFailure =
  | 'bad-vint' | 'unexpected-element' | 'oversize' | 'malformed' | 'no-tracks' | 'unsupported-codec'

/** Thrown when bytes are not a WebM stream we can split: garbage, an oversize element or a broken layout. */
export class WebmParseError extends Error {
  static override name = 'WebmParseError'
  /** What was wrong with the bytes. */
  readonly reason: WebmParseFailure
  constructor (reason: WebmParseFailure, message = `Invalid WebM: ${reason}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'WebmParseError'
    this.reason = reason
  }
}
