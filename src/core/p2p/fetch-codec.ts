// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * SCALE codec of the segment fetch protocol (`/nsn/segment-fetch/2.0.0`, SPEC.md "Fetch"):
 * one length-prefixed request, one length-prefixed response, then the stream closes.
 */
import { Bytes, Enum, Vector, _void, str } from 'scale-ts'
import { SegmentFetchError } from './errors.ts'
import { equalBytes, ownBuffer } from '../bytes.ts'

export type FetchRequest =
  | { type: 'by-hash', hash: Uint8Array }
  | { type: 'live', channel: string }

export type FetchResponse =
  | { type: 'found', messages: Uint8Array[] }
  | { type: 'not-found' }

const requestCodec = Enum({ ByHash: Bytes(32), Live: str })
const responseCodec = Enum({ Found: Vector(Bytes()), NotFound: _void })

export function encodeFetchRequest (req: FetchRequest): Uint8Array {
  return req.type === 'by-hash'
    ? requestCodec.enc({ tag: 'ByHash', value: req.hash })
    : requestCodec.enc({ tag: 'Live', value: req.channel })
}

export function decodeFetchRequest (bytes: Uint8Array): FetchRequest {
  const v = decodeExact(requestCodec.dec, requestCodec.enc, bytes)
  if (v.tag === 'ByHash' && v.value.byteLength === 32) return { type: 'by-hash', hash: v.value }
  if (v.tag === 'Live' && typeof v.value === 'string') return { type: 'live', channel: v.value }
  throw new SegmentFetchError('protocol', 'Malformed fetch request')
}

export function encodeFetchResponse (res: FetchResponse): Uint8Array {
  return res.type === 'found'
    ? responseCodec.enc({ tag: 'Found', value: res.messages })
    : responseCodec.enc({ tag: 'NotFound', value: undefined })
}

export function decodeFetchResponse (bytes: Uint8Array): FetchResponse {
  const v = decodeExact(responseCodec.dec, responseCodec.enc, bytes)
  if (v.tag === 'Found' && Array.isArray(v.value)) return { type: 'found', messages: v.value }
  if (v.tag === 'NotFound') return { type: 'not-found' }
  throw new SegmentFetchError('protocol', 'Malformed fetch response')
}

function decodeExact<T> (dec: (b: Uint8Array) => T, enc: (v: T) => Uint8Array, input: Uint8Array): T {
  // scale-ts decodes from `input.buffer` (ignoring byteOffset): hand it a view that starts at 0.
  const bytes = ownBuffer(input)
  let value: T
  try {
    value = dec(bytes)
  } catch (err) {
    throw new SegmentFetchError('protocol', 'Malformed fetch message', { cause: err })
  }
  // scale-ts neither rejects trailing bytes nor short byte strings: re-encoding must give back the input.
  if (!equalBytes(enc(value), bytes)) throw new SegmentFetchError('protocol', 'Malformed fetch message (length)')
  return value
}
