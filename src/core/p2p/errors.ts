// SPDX-License-Identifier: GPL-3.0-or-later

/** Why a segment failed validation; `reason` is machine-readable. */
export type SegmentRejectReason =
  | 'malformed' | 'oversize' | 'bad-signature' | 'hash-mismatch' | 'length-mismatch'
  | 'kind-mismatch' | 'wrong-channel' | 'denied-producer' | 'bad-version'

/** Thrown (or reported) when a segment is invalid: the forwarding peer is penalised (gossipsub Reject). */
export class InvalidSegmentError extends Error {
  static override name = 'InvalidSegmentError'
  readonly reason: SegmentRejectReason
  constructor (reason: SegmentRejectReason, message = `Invalid segment: ${reason}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidSegmentError'
    this.reason = reason
  }
}

export type SegmentFetchFailure = 'not-found' | 'timeout' | 'peer-closed' | 'protocol' | 'hash-mismatch' | 'no-peers'

/** Thrown when a segment could not be fetched from a peer. */
export class SegmentFetchError extends Error {
  static override name = 'SegmentFetchError'
  readonly reason: SegmentFetchFailure
  constructor (reason: SegmentFetchFailure, message = `Segment fetch failed: ${reason}`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SegmentFetchError'
    this.reason = reason
  }
}

/** Thrown when a channel name is not valid for a topic. */
export class InvalidChannelError extends Error {
  static override name = 'InvalidChannelError'
  constructor (message = 'Invalid channel name', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidChannelError'
  }
}
