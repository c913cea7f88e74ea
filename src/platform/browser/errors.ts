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
