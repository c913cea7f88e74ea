// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Strict wrappers around scale-ts. scale-ts is lenient: it decodes from `bytes.buffer` ignoring the
 * view's offset, returns short arrays for truncated `Bytes`, ignores trailing bytes and accepts
 * non-canonical encodings (bool 2, long compact prefixes, invalid utf-8). These helpers add the checks
 * SPEC.md requires; `decodeExact` re-encodes to reject anything that is not the one canonical encoding.
 */
import { Bytes, Vector, compact, createCodec, createDecoder, enhanceCodec } from 'scale-ts'
import { InvalidInputError } from '../errors.ts'
import { WireDecodeError } from './errors.ts'
import { equalBytes } from './hash.ts'
import type { Codec } from 'scale-ts'

/** Reports a validation failure; encoders throw `InvalidInputError`, decoders `WireDecodeError`. */
export type Fail = (message: string, field: string) => never

/** `Fail` for encoders. */
export const failInput: Fail = (message, field) => {
  throw new InvalidInputError(message, { field })
}

/** `Fail` for decoders. */
export const failDecode: Fail = (message, field) => {
  throw new WireDecodeError(message, { field })
}

/** Same-module type guard; across modules match on `err.name` (STYLE.md 5.3). */
export function isWireDecodeError (err: unknown): err is WireDecodeError {
  return err instanceof Error && err.name === WireDecodeError.name
}

// scale-ts throws RangeError (DataView) when it reads past the end and TypeError when an enum index
// has no variant (it calls an undefined decoder); name those two, keep anything else as the cause.
function describe (err: unknown): string {
  if (err instanceof RangeError) return 'truncated input'
  if (err instanceof TypeError) return 'unknown enum variant'
  return err instanceof Error ? err.message : String(err)
}

function toDecodeError (err: unknown, field?: string): WireDecodeError {
  if (isWireDecodeError(err)) {
    const path = field == null ? err.field : err.field == null ? field : `${field}.${err.field}`
    return field == null ? err : new WireDecodeError(err.message, { field: path, cause: err.cause })
  }
  return new WireDecodeError(`Malformed ${field ?? 'input'}: ${describe(err)}`, { field, cause: err })
}

/** Names a struct field: any decode failure inside becomes a `WireDecodeError` with this field path. */
export function field<T> (name: string, codec: Codec<T>): Codec<T> {
  return createCodec(codec.enc, createDecoder((bytes) => {
    try {
      return codec.dec(bytes)
    } catch (err) {
      throw toDecodeError(err, name)
    }
  }))
}

/** `[u8; n]` that refuses short input on both sides. */
export function fixedBytes (n: number): Codec<Uint8Array> {
  const [enc, dec] = Bytes(n)
  return createCodec((value) => {
    if (!(value instanceof Uint8Array) || value.byteLength !== n) throw new InvalidInputError(`Expected ${n} bytes`)
    return enc(value)
  }, createDecoder((bytes) => {
    const value = dec(bytes)
    if (value.byteLength !== n) throw new WireDecodeError(`Truncated: expected ${n} bytes, got ${value.byteLength}`)
    return value
  }))
}

function readLength (bytes: Uint8Array, max: number, what: string): number {
  const n = compact.dec(bytes)
  if (n > max) throw new WireDecodeError(`Too many ${what}: ${n} > ${max}`)
  return Number(n)
}

/** `Vec<u8>` of at most `max` bytes; the bound is checked before anything is read. */
export function boundedBytes (max: number): Codec<Uint8Array> {
  const [enc] = Bytes()
  return createCodec((value) => {
    if (!(value instanceof Uint8Array) || value.byteLength > max) throw new InvalidInputError(`Expected at most ${max} bytes`)
    return enc(value)
  }, createDecoder((bytes) => {
    const n = readLength(bytes, max, 'bytes')
    const value = Bytes.dec(n)(bytes)
    if (value.byteLength !== n) throw new WireDecodeError(`Truncated: expected ${n} bytes, got ${value.byteLength}`)
    return value
  }))
}

/** `Vec<T>` of at most `max` items; the bound is checked before any item is decoded. */
export function boundedVector<T> (inner: Codec<T>, max: number): Codec<T[]> {
  const enc = Vector.enc(inner.enc)
  return createCodec((value) => {
    if (!Array.isArray(value) || value.length > max) throw new InvalidInputError(`Expected at most ${max} items`)
    return enc(value)
  }, createDecoder((bytes) => Vector.dec(inner.dec, readLength(bytes, max, 'items'))(bytes)))
}

/** Maps a unit-only scale-ts `Enum` (`{ tag, value: undefined }`) to a string union. */
export function unitEnum<K extends string> (codec: Codec<{ tag: K, value: undefined }>): Codec<K> {
  return enhanceCodec(codec, (tag: K) => ({ tag, value: undefined }), (v) => v.tag)
}

/**
 * Decodes `input` with `codec`, runs `validate` on the value, then re-encodes it and requires the exact
 * input back: this rejects truncation, trailing bytes and every non-canonical encoding.
 *
 * @throws WireDecodeError on any malformed input, never another error type
 */
export function decodeExact<T> (codec: Codec<T>, input: Uint8Array, what: string, validate: (value: T) => void): T {
  if (!(input instanceof Uint8Array)) throw new WireDecodeError(`${what}: expected a Uint8Array`)
  // A fresh copy starts at offset 0 of its own buffer (scale-ts reads `bytes.buffer` from 0).
  const bytes = new Uint8Array(input)
  let value: T
  let again: Uint8Array
  try {
    value = codec.dec(bytes)
    validate(value)
    again = codec.enc(value)
  } catch (err) {
    const error = toDecodeError(err)
    throw new WireDecodeError(`${what}: ${error.message}`, { field: error.field, cause: error.cause ?? err })
  }
  if (!equalBytes(again, bytes)) {
    const trailing = again.byteLength < bytes.byteLength && equalBytes(again, bytes.subarray(0, again.byteLength))
    throw new WireDecodeError(trailing
      ? `${what}: ${bytes.byteLength - again.byteLength} trailing bytes`
      : `${what}: not the canonical encoding`)
  }
  return value
}
