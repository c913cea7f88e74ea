// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Browsers re-share: a second viewer whose only video path is a direct WebRTC connection to the first
 * viewer plays the channel. The bootstrap runs --relay-only (signalling, no video). Chromium ignores
 * loopback for WebRTC, so this runs inside the network namespace `npm test` creates (NSN_E2E_NETNS).
 */
import { expect, test } from '@playwright/test'
import { NETNS, startNetwork, totalFrames, waitForPlaying } from './network.ts'
import type { TestNetwork } from './network.ts'

const FPS = 24
let net: TestNetwork

test.skip(NETNS === '', 'needs a network namespace with a non-loopback address (run `npm test` as root); Chromium gathers no WebRTC candidates on loopback')

test.beforeAll(async () => { net = await startNetwork({ relayOnly: true }) })
test.afterAll(async () => { await net?.stop() })

test('should play on a second browser fed only over direct WebRTC by the first', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage()
  await first.goto(net.web.url)
  await waitForPlaying(first)
  const firstId = await first.evaluate(() => window.__nsn!.node.peerId)

  const second = await (await browser.newContext()).newPage()
  await second.goto(`${net.web.url}?dial=webrtc-only`)
  await waitForPlaying(second, 60_000)
  const frames0 = await totalFrames(second)
  await second.waitForTimeout(8_000)
  const frames1 = await totalFrames(second)

  const state = await second.evaluate(() => {
    const { node, player } = window.__nsn!
    return {
      stats: node.stats(),
      sources: node.acceptedLog.map(h => node.acceptedFrom(h)),
      appended: [...player.appendedLog],
      accepted: [...node.acceptedLog],
      stalls: player.stats().stalls
    }
  })
  const bootstrap = await net.devnet.bootstrap.status()
  console.log(JSON.stringify({ frames: frames1 - frames0, connections: state.stats.connections, videoPeers: state.stats.videoPeers, sources: [...new Set(state.sources)], bootstrap: { accepted: bootstrap.segmentsAccepted, payloadBytes: bootstrap.payloadBytes, videoPeers: bootstrap.videoPeers } }))

  expect(frames1 - frames0).toBeGreaterThanOrEqual(Math.ceil(0.9 * FPS * 8))
  // every segment came from the first browser…
  expect(state.sources.length).toBeGreaterThan(0)
  for (const from of state.sources) expect(from).toBe(firstId)
  // …over a direct (not relayed) WebRTC connection, the only video-topic peer
  const toFirst = state.stats.connections.filter(c => c.peer === firstId)
  expect(toFirst.some(c => c.transport === 'webrtc' && !c.limited)).toBe(true)
  expect(state.stats.videoPeers).toEqual([firstId])
  // the relay-only bootstrap never held a segment
  expect(bootstrap.segmentsAccepted).toBe(0)
  expect(bootstrap.payloadBytes).toBe(0)
  expect(bootstrap.videoPeers).toEqual([])
  for (const hash of state.appended) expect(state.accepted).toContain(hash)
})
