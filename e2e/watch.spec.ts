// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A viewer in Debian Chromium plays the live channel from a real local network (bootstrap + director
 * processes over WebSockets), and keeps playing while a peer forwarding tampered segments is graylisted.
 */
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { GRAYLIST_THRESHOLD, INVALID_MESSAGES_TO_GRAYLIST, NsnPeer, staticProducerRegistry, videoTopic } from '../src/core/p2p/index.ts'
import { encodeSegmentMessage } from '../src/core/wire/index.ts'
import { loadSessionSigner } from '../src/platform/node/key-store.ts'
import { fixtureChunks, makeSegment } from '../test/utils/segments.ts'
import { clockShot, startNetwork, totalFrames, waitForPlaying } from './network.ts'
import type { TestNetwork } from './network.ts'

const FPS = 24
let net: TestNetwork

test.beforeAll(async () => { net = await startNetwork() })
test.afterAll(async () => { await net?.stop() })

test('should play the live channel: frames, clock, tone, no long stall, only accepted segments', async ({ page }) => {
  await page.goto(net.web.url)
  await waitForPlaying(page)
  await expect(page.getByText('TEST SOURCE')).toBeVisible()

  // Audio: unmute through the UI, then analyse the element's output with WebAudio.
  await page.getByRole('button', { name: 'Unmute audio' }).click()
  await page.evaluate(() => {
    const video = document.querySelector('video')!
    const ctx = new AudioContext()
    const analyser = ctx.createAnalyser()
    analyser.fftSize = 8192
    const src = ctx.createMediaElementSource(video)
    src.connect(analyser)
    analyser.connect(ctx.destination)
    ;(window as unknown as { __analyser: AnalyserNode }).__analyser = analyser
    void ctx.resume()
  })

  const frames0 = await totalFrames(page)
  const shotA = await clockShot(page)
  await page.waitForTimeout(2_000)
  const shotB = await clockShot(page)
  await page.waitForTimeout(6_000)
  const frames1 = await totalFrames(page)

  const tone = await page.evaluate(() => {
    const analyser = (window as unknown as { __analyser: AnalyserNode }).__analyser
    const bins = new Float32Array(analyser.frequencyBinCount)
    analyser.getFloatFrequencyData(bins)
    const hzPerBin = analyser.context.sampleRate / analyser.fftSize
    const at = (hz: number): number => Math.max(...[-2, -1, 0, 1, 2].map(d => bins[Math.round(hz / hzPerBin) + d] ?? -Infinity))
    const sorted = [...bins].filter(Number.isFinite).sort((a, b) => a - b)
    return { toneDb: at(440), floorDb: sorted[Math.floor(sorted.length / 2)] ?? -Infinity }
  })
  const state = await page.evaluate(() => {
    const { node, player } = window.__nsn!
    return { stats: player.stats(), appended: [...player.appendedLog], accepted: [...node.acceptedLog] }
  })

  console.log(JSON.stringify({ frames: frames1 - frames0, tone, stalls: state.stats.stalls, latencyP50: state.stats.latencyP50, latencyP99: state.stats.latencyP99, ttffMs: state.stats.ttffMs }))
  expect(frames1 - frames0).toBeGreaterThanOrEqual(Math.ceil(0.9 * FPS * 8))
  expect(shotA.equals(shotB), 'the burnt-in clock must change within 2 s').toBe(false)
  expect(tone.toneDb - tone.floorDb, `440 Hz at ${tone.toneDb} dB over a ${tone.floorDb} dB floor`).toBeGreaterThan(30)
  expect(state.stats.stalls.longestMs).toBeLessThanOrEqual(1_000)
  expect(state.appended.length).toBeGreaterThanOrEqual(8)
  for (const hash of state.appended) expect(state.accepted).toContain(hash)
})

test(`should graylist a peer forwarding tampered segments within ${INVALID_MESSAGES_TO_GRAYLIST} messages and keep playing`, async ({ page }) => {
  await page.goto(net.web.url)
  await waitForPlaying(page)
  const { devnet } = net
  // An attacker: a real libp2p peer on 127.0.0.1 that the page discovers and dials over WebSockets.
  // It holds the director's session key (read from the devnet's data folder) so that it can also
  // produce a fresh, validly signed segment.
  const director = await loadSessionSigner(join(devnet.dataDir, 'director'))
  const evil = await NsnPeer.create({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp(), webSockets()],
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    bootstrap: devnet.nodeBootstrap,
    channel: devnet.channel,
    registry: staticProducerRegistry({ producers: { [devnet.channel]: [devnet.producerKey] } }),
    video: true,
    discoveryIntervalMs: 500
  })
  try {
    const evilId = evil.peerId.toString()
    await expect.poll(async () => page.evaluate((id) => window.__nsn!.node.stats().connections.some(c => c.peer === id), evilId), { timeout: 30_000 }).toBe(true)
    await expect.poll(async () => page.evaluate((id) => window.__nsn!.node.stats().videoPeers.includes(id), evilId), { timeout: 30_000 }).toBe(true)
    const score = async (): Promise<number> => page.evaluate((id) => (window.__nsn!.node as unknown as { peer: { score(p: string): number } }).peer.score(id), evilId)
    expect(await score()).toBeGreaterThan(GRAYLIST_THRESHOLD)

    const pubsub = evil.libp2p.services.pubsub as { publish(topic: string, data: Uint8Array): Promise<unknown> }
    const chunk = fixtureChunks()[2]!
    const seq = BigInt(Math.floor(Date.now() / 100)) + 100_000n
    for (let i = 0; i < INVALID_MESSAGES_TO_GRAYLIST; i++) {
      const seg = await makeSegment(chunk, director, { channel: devnet.channel, sequence: seq + BigInt(i) })
      const payload = seg.payload.slice()
      payload[payload.byteLength - 1]! ^= 0xff
      await pubsub.publish(videoTopic(devnet.channel), encodeSegmentMessage({ type: 'full', header: seg.signed, payload }))
    }
    await expect.poll(score, { timeout: 10_000 }).toBeLessThan(GRAYLIST_THRESHOLD)

    // Its next valid message is not accepted.
    await page.waitForTimeout(1_200)
    const valid = await makeSegment(fixtureChunks()[3]!, director, { channel: devnet.channel, sequence: seq + 10n })
    await pubsub.publish(videoTopic(devnet.channel), encodeSegmentMessage({ type: 'full', header: valid.signed, payload: valid.payload }))
    const frames0 = await totalFrames(page)
    await page.waitForTimeout(3_000)
    const after = await page.evaluate((hash) => ({ from: window.__nsn!.node.acceptedFrom(hash), rejected: window.__nsn!.node.stats().segmentsRejected }), valid.hash)
    // nothing from the graylisted peer; the same valid segment may still arrive through an honest
    // peer that had not graylisted the attacker yet (the bootstrap validates it on its own)
    expect(after.from).not.toBe(evilId)
    expect(after.rejected).toBeGreaterThanOrEqual(INVALID_MESSAGES_TO_GRAYLIST)
    expect(await score()).toBeLessThan(GRAYLIST_THRESHOLD)
    // and the viewer keeps playing
    expect(await totalFrames(page) - frames0).toBeGreaterThan(FPS * 2)
  } finally {
    await evil.stop()
  }
})
