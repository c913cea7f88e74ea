// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors of the in-code metadata builder. Match them by `err.name === X.name`, never `instanceof`
 * (STYLE.md 5.3). They all mean a mistake in a type or pallet declaration, found at build time.
 */

/** A {@link TypeRef} expression could not be parsed. */
export class TypeExpressionError extends Error {
  static override name = 'TypeExpressionError'
  readonly expression: string
  constructor (expression: string, message = `Cannot parse type expression '${expression}'`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TypeExpressionError'
    this.expression = expression
  }
}

/** A type expression names a type that no core type or pallet declares. */
export class UnknownTypeError extends Error {
  static override name = 'UnknownTypeError'
  readonly typeName: string
  constructor (typeName: string, message = `Unknown type '${typeName}'`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UnknownTypeError'
    this.typeName = typeName
  }
}

/** What a declaration got wrong. */
export type InvalidDeclarationReason = 'duplicate-type' | 'duplicate-pallet' | 'duplicate-index' | 'constant-value' | 'storage-default'

/** Two declarations clash (same type name, pallet name or index), or a value does not encode. */
export class InvalidDeclarationError extends Error {
  static override name = 'InvalidDeclarationError'
  readonly reason: InvalidDeclarationReason
  constructor (reason: InvalidDeclarationReason, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidDeclarationError'
    this.reason = reason
  }
}
