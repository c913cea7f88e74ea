// SPDX-License-Identifier: GPL-3.0-or-later
/** Errors of the dev chain's persistent store. Match by `err.name === X.name` (STYLE.md 5.3). */

/** The data folder's contents are inconsistent (a head pointer without its block, a state root that does not match). */
export class StoreCorruptError extends Error {
  static override name = 'StoreCorruptError'
  constructor (message = 'The dev chain store is corrupt', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreCorruptError'
  }
}

/** The data folder holds a chain with another genesis than this build's dev genesis. */
export class GenesisMismatchError extends Error {
  static override name = 'GenesisMismatchError'
  constructor (message = 'The data folder holds a chain with another genesis', options?: ErrorOptions) {
    super(message, options)
    this.name = 'GenesisMismatchError'
  }
}

/** The store was used before `open()` or after `close()`. */
export class StoreClosedError extends Error {
  static override name = 'StoreClosedError'
  constructor (message = 'The dev chain store is not open', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreClosedError'
  }
}

/** A stored block could not be re-applied (replay found a different chain). */
export class ReplayMismatchError extends Error {
  static override name = 'ReplayMismatchError'
  constructor (message = 'Replaying the stored block gave another result', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ReplayMismatchError'
  }
}
