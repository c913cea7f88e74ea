// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * What the UI sees of the page's network node (src/app/browser.ts implements it).
 * The UI never touches libp2p directly (STYLE.md rule 18).
 */
import type { TypedEventTarget } from '../core/events.ts'
import type { SegmentHeader } from '../core/wire/index.ts'

/** A segment that passed validation (signature, hash, producer, format) and may be played. */
export interface AcceptedSegment {
  header: SegmentHeader
  payload: Uint8Array
  /** blake2b-256 of the payload, lowercase hex: the id in the accepted log. */
  hash: string
  /** Peer id (base58) the payload came from, or 'self'. */
  from: string
  /** Wall clock (ms since epoch) when it was accepted. */
  receivedAtMs: number
}

export interface ConnectionInfo {
  peer: string
  addr: string
  /** 'webrtc' (direct browser-to-browser), 'webrtc-direct', 'websockets', 'tcp', 'relayed' … */
  transport: string
  limited: boolean
}

export interface ViewerStats {
  peerId: string
  channel: string
  connections: ConnectionInfo[]
  /** Peers in the gossipsub mesh of the channel's video topic. */
  videoPeers: string[]
  /** Bytes received over all connections since start. */
  bytesIn: number
  /** Bytes sent over all connections since start. */
  bytesOut: number
  segmentsAccepted: number
  segmentsRejected: number
  /** Unique payload bytes accepted since start. */
  payloadBytes: number
}

/** Event map in libp2p's style (`main-event`): listeners receive `CustomEvent`s, data in `detail`. */
export interface ViewerNodeEvents {
  'segment:accepted': CustomEvent<AcceptedSegment>
  'peer:change': CustomEvent<ViewerStats>
}

export interface ViewerNode extends TypedEventTarget<ViewerNodeEvents> {
  readonly peerId: string
  readonly channel: string
  /** Hex payload hashes of every accepted segment, in acceptance order (tests read it). */
  readonly acceptedLog: readonly string[]
  /** The peer id a logged segment came from ('self' never occurs in a viewer). */
  acceptedFrom(hash: string): string | undefined
  /** Fetches the channel's init segment and latest keyframe segment from a peer, so a joiner need not wait. */
  fetchLive(options?: { signal?: AbortSignal }): Promise<AcceptedSegment[]>
  /** Fetches a segment by payload hash (hex) from a peer, validating it. */
  fetchSegment(hash: string, options?: { signal?: AbortSignal }): Promise<AcceptedSegment>
  stats(): ViewerStats
  stop(): Promise<void>
}
