// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Shared error classes. Match errors by `err.name === X.name`, never `instanceof` (STYLE.md 5.3).
 */

/** Thrown when an operation was aborted through its `AbortSignal`. */
export class AbortError extends Error {
  static override name = 'AbortError'
  constructor (message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AbortError'
  }
}

/** Thrown when input does not match a documented format; `field` names the offending field. */
export class InvalidInputError extends Error {
  static override name = 'InvalidInputError'
  readonly field?: string
  constructor (message = 'Invalid input', options?: ErrorOptions & { field?: string }) {
    super(message, options)
    this.name = 'InvalidInputError'
    this.field = options?.field
  }
}
