// SPDX-License-Identifier: GPL-3.0-or-later
/** Defaults of the viewer's playback policy and segment queue (DESIGN.md, "Media"). */

/**
 * Jitter buffer kept behind the newest buffered end, in seconds. Segments arrive whole (1-2 s), so this
 * is the margin left when the next one lands: display latency ≈ segment duration + delivery + this.
 */
export const LIVE_TARGET_LATENCY_SEC = 0.2

/** Lag behind the newest buffered end beyond which the player seeks to live, in seconds. */
export const LIVE_MAX_LAG_SEC = 1.5

/** Playback rate used to drift back toward the live edge (pitch is preserved by the browser). */
export const LIVE_CATCH_UP_RATE = 1.15

/** Lag above the target at which catch-up starts (it stops at a tenth of this, for hysteresis). */
export const LIVE_CATCH_UP_THRESHOLD_SEC = 0.15

/** How far a stalled player jumps forward over a small hole inside a buffered range, in seconds. */
export const LIVE_STALL_SKIP_SEC = 0.1

/** How long the player may make no progress while it waits before the policy intervenes, in ms. */
export const LIVE_STALL_TIMEOUT_MS = 500

/** Distance to a range end (or start) that counts as "at" it, in seconds. */
export const LIVE_EDGE_EPSILON_SEC = 0.15

/** How long a segment is held while a lower sequence number is missing, in ms (0: skip gaps at once). */
export const QUEUE_JITTER_MS = 0

/** Largest jitter window the queue accepts, in ms. */
export const QUEUE_MAX_JITTER_MS = 500

/** Media segments kept while waiting for their init segment or for a gap to fill. */
export const QUEUE_MAX_PENDING = 16

/** Payload hashes remembered for duplicate detection. */
export const QUEUE_SEEN_HASHES = 1024

/** Latency samples kept for percentiles. */
export const LATENCY_SAMPLES = 600

/** Appended segments whose timing the latency tracker remembers. */
export const LATENCY_SEGMENTS = 64
