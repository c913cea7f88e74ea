// SPDX-License-Identifier: GPL-3.0-or-later
/** Node transports: TCP, WebSockets, WebRTC-direct listeners, and circuit relay dialing. */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { tcp } from '@libp2p/tcp'
import { webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import type { NsnNodeInit } from '../../core/p2p/index.ts'

export function nodeTransports (): NsnNodeInit['transports'] {
  return [
    tcp(),
    webSockets(),
    // No STUN servers: a private deployment must not leak candidates to public servers.
    webRTCDirect({ rtcConfiguration: { iceServers: [] } }),
    circuitRelayTransport()
  ]
}
