// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Gossipsub parameters for NSN. Per-channel video topics need explicit topic score parameters, or a
 * Reject never lowers the forwarder's score (DESIGN.md).
 *
 * Graylisting: an invalid message costs `INVALID_MESSAGE_WEIGHT × n²` (P4, squared count). The positive
 * part of a topic score is capped at `TOPIC_SCORE_CAP`, so after n invalid messages a peer's score is at
 * most `TOPIC_SCORE_CAP - 100 n²`: n = 3 gives ≤ -850, below `GRAYLIST_THRESHOLD` (-800), for any peer.
 * Honest peers validate before forwarding, so they never reach it.
 */
import { blake2b256 } from '../wire/index.ts'
import { channelOfTopic } from './topics.ts'
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@libp2p/gossipsub/score'

export const INVALID_MESSAGE_WEIGHT = -100
export const TOPIC_SCORE_CAP = 50
export const GRAYLIST_THRESHOLD = -800
/** Invalid messages after which any peer is graylisted (see the module comment). */
export const INVALID_MESSAGES_TO_GRAYLIST = 3

export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -100,
  publishThreshold: -300,
  graylistThreshold: GRAYLIST_THRESHOLD,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5
}

/** Score parameters of one video topic. */
export function videoTopicScoreParams (): TopicScoreParams {
  return {
    topicWeight: 1,
    // P1: time in mesh, up to +1
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 100,
    // P2: first deliveries, up to +40
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 40,
    // P3/P3b off: a channel's rate varies (slots may be skipped), so an honest mesh peer may deliver nothing.
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.9,
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 30_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.9,
    // P4: invalid messages, decaying slowly (half-life ~23 min at the 1 s decay interval)
    invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
    invalidMessageDeliveriesDecay: 0.9995
  }
}

/** Peer score parameters covering the given video topics. */
export function scoreParams (videoTopics: readonly string[]): Partial<PeerScoreParams> {
  const topics: Record<string, TopicScoreParams> = {}
  for (const topic of videoTopics) topics[topic] = videoTopicScoreParams()
  return {
    topics,
    topicScoreCap: TOPIC_SCORE_CAP,
    appSpecificScore: () => 0,
    appSpecificWeight: 1,
    // Local networks put many peers behind one IP: colocation must not count against them.
    IPColocationFactorWeight: 0,
    IPColocationFactorThreshold: 1_000,
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1_000,
    decayToZero: 0.01,
    retainScore: 600_000
  }
}

interface MsgLike { type: 'signed' | 'unsigned', topic: string, data: Uint8Array, from?: { toMultihash(): { bytes: Uint8Array } }, sequenceNumber?: bigint }

/**
 * Message ids: on video topics the blake2b-256 of the whole message (header and payload or announce),
 * so a tampered copy never shadows the honest one in the seen cache; elsewhere sender + sequence number.
 */
export function msgIdFn (msg: MsgLike): Uint8Array {
  if (channelOfTopic(msg.topic) != null || msg.type !== 'signed' || msg.from == null || msg.sequenceNumber == null) {
    return blake2b256(msg.data)
  }
  const from = msg.from.toMultihash().bytes
  const out = new Uint8Array(from.byteLength + 8)
  out.set(from)
  new DataView(out.buffer).setBigUint64(from.byteLength, msg.sequenceNumber)
  return out
}
