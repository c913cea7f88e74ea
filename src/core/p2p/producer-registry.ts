// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Which session keys may produce a channel's segments. Until chain elections exist this comes from
 * configuration; the chain client will implement the same interface from the epoch's committee.
 */

/**
 * - `allowed`: the key may produce this slot.
 * - `unknown`: not known (yet): an election just seen by others, or clock skew at an epoch boundary.
 *   Such segments are ignored, never rejected, so honest forwarders are not penalised.
 * - `denied`: known not to be allowed (e.g. a key of another channel's committee).
 */
export type ProducerStatus = 'allowed' | 'unknown' | 'denied'

export interface ProducerQuery {
  channel: string
  slot: bigint
  /** 32-byte Ed25519 session public key. */
  producer: Uint8Array
}

export interface ProducerRegistry {
  check(query: ProducerQuery): ProducerStatus
}

export interface StaticProducerRegistryInit {
  /** Allowed producer keys per channel, lowercase hex; channel `*` applies to every channel. */
  producers: Record<string, readonly string[]>
}

function hex (bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** A registry from configuration: listed keys are allowed, everything else is unknown. */
export function staticProducerRegistry (init: StaticProducerRegistryInit): ProducerRegistry {
  const byChannel = new Map<string, Set<string>>()
  for (const [channel, keys] of Object.entries(init.producers)) {
    byChannel.set(channel, new Set(keys.map(k => k.toLowerCase())))
  }
  return {
    check ({ channel, producer }) {
      const key = hex(producer)
      if (byChannel.get(channel)?.has(key) === true || byChannel.get('*')?.has(key) === true) return 'allowed'
      return 'unknown'
    }
  }
}
