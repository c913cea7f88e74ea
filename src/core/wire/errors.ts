// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors of the wire module. Match them by `err.name === X.name`, never `instanceof` (STYLE.md 5.3).
 * Encoders reject bad input with the shared `InvalidInputError` (src/core/errors.ts).
 */

/**
 * Thrown by every `decode*` function on malformed bytes: truncated input, trailing bytes, a
 * non-canonical encoding, a wrong fixed length, an unknown enum variant, a bad version, a bad
 * channel or any other value outside SPEC.md. `field` is the dotted path of the offending field
 * where it is known (e.g. `header.channel`).
 */
export class WireDecodeError extends Error {
  static override name = 'WireDecodeError'
  readonly field?: string
  constructor (message = 'Malformed wire bytes', options?: ErrorOptions & { field?: string }) {
    super(message, options)
    this.name = 'WireDecodeError'
    this.field = options?.field
  }
}
