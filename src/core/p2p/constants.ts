// SPDX-License-Identifier: GPL-3.0-or-later
/** Topic and protocol names, and the defaults of the segment transport. See src/core/wire/SPEC.md. */

/** Video topics: one per channel, `/nsn/video/2.0.0/<channel>`. A wire format change bumps the version. */
export const VIDEO_TOPIC_PREFIX = '/nsn/video/2.0.0/'

/** The peer-discovery topic (pubsub peer discovery): peers announce their addresses here. */
export const DISCOVERY_TOPIC = '/nsn/peers/2.0.0'

/** Request/response: fetch a segment by payload hash, or a channel's init + latest keyframe segment. */
export const FETCH_PROTOCOL = '/nsn/segment-fetch/2.0.0'

/**
 * Largest gossip message accepted on a video topic. A 2 Mbit/s channel in 2 s segments makes
 * ~500 KB segments; an 8 Mbit/s one ~2 MB: both fit with room to spare.
 */
export const MAX_GOSSIP_MESSAGE_BYTES = 4 * 1024 * 1024 + 64 * 1024

/**
 * Per-peer inbound payload budget on video topics, in bytes per second (token bucket). 2 MiB/s is 8x
 * a 2 Mbit/s channel; the burst covers a joiner's catch-up (init + several segments at once).
 */
export const PEER_PAYLOAD_BYTES_PER_SEC = 2 * 1024 * 1024
export const PEER_PAYLOAD_BURST_BYTES = 16 * 1024 * 1024

/** How long a validator waits to pull an announced payload before giving up (Ignore). */
export const PULL_TIMEOUT_MS = 5_000

/** Segments whose air time is older than this are stale (Ignore): replays of old content. */
export const MAX_SEGMENT_AGE_MS = 120_000

/** Sequence window: a producer's sequence numbers within this distance of the newest may arrive out of order. */
export const SEQUENCE_WINDOW = 64

/** Segments kept in memory for re-sharing and fetches. */
export const STORE_MAX_SEGMENTS = 120
export const STORE_MAX_BYTES = 96 * 1024 * 1024

/** Concurrent fetch requests served to one peer. */
export const FETCH_MAX_CONCURRENT_PER_PEER = 32
export const FETCH_TIMEOUT_MS = 10_000
