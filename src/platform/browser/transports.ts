// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browser transports: WebSockets (to Node peers), WebRTC (browser to browser, signalled through a
 * circuit relay), WebRTC-direct and WebTransport dialing (toward servers that offer them), and the
 * circuit relay transport itself.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { webTransport } from '@libp2p/webtransport'
import type { NsnNodeInit } from '../../core/p2p/index.ts'
import type { ConnectionGater } from '@libp2p/interface'

export interface BrowserTransportInit {
  /** ICE servers for WebRTC; none by default (no public STUN in private deployments). */
  iceServers?: RTCIceServer[]
}

export function browserTransports (init: BrowserTransportInit = {}): NsnNodeInit['transports'] {
  const rtcConfiguration = { iceServers: init.iceServers ?? [] }
  return [
    webSockets(),
    webRTC({ rtcConfiguration }),
    webRTCDirect({ rtcConfiguration }),
    webTransport(),
    circuitRelayTransport({ reservationCompletionTimeout: 10_000 })
  ]
}

/** Browser listen addresses: reachable through relays, upgraded to direct WebRTC. */
export const BROWSER_LISTEN = ['/p2p-circuit', '/webrtc']

/**
 * A gater that allows dialing loopback and private addresses. The browser build of libp2p refuses them
 * by default; only local/dev networks should use this.
 */
export function localNetworkGater (): ConnectionGater {
  return { denyDialMultiaddr: async () => false }
}
