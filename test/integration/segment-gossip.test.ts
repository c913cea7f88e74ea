// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Segment transport over real TCP sockets on 127.0.0.1: a hub, a director and viewers (4-6 libp2p
 * nodes), in both announce (pull) and push modes, joining at the live head, and graylisting of a peer
 * that forwards tampered segments.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { afterEach, describe, expect, it } from 'vitest'
import { GRAYLIST_THRESHOLD, INVALID_MESSAGES_TO_GRAYLIST, NsnPeer, staticProducerRegistry, videoTopic } from '../../src/core/p2p/index.ts'
import { encodeSegmentMessage, toHex } from '../../src/core/wire/index.ts'
import { fixtureChunks, fixtureSegments, makeSegment, testSigner } from '../utils/segments.ts'
import type { SegmentMode, StoredSegment } from '../../src/core/p2p/index.ts'

const director = testSigner(7)
const registry = staticProducerRegistry({ producers: { test: [toHex(director.publicKey)] } })
const peers: NsnPeer[] = []

async function peer (opts: { bootstrap?: string[], mode?: SegmentMode, hub?: boolean, targetConnections?: number } = {}): Promise<NsnPeer> {
  const p = await NsnPeer.create({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp()],
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: opts.bootstrap,
    channel: 'test',
    registry,
    video: true,
    mode: opts.mode,
    relayServer: opts.hub,
    targetConnections: opts.targetConnections,
    discoveryIntervalMs: 500,
    inboundConnectionsPerSecond: 1000
  })
  peers.push(p)
  return p
}

async function until (what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function accepted (p: NsnPeer): Array<{ hash: string, from: string }> {
  const log: Array<{ hash: string, from: string }> = []
  p.segments.addEventListener('segment:accepted', (e) => { log.push({ hash: e.detail.segment.hash, from: e.detail.from }) })
  return log
}

afterEach(async () => {
  await Promise.allSettled(peers.splice(0).map(async p => p.stop()))
})

describe.each(['announce', 'push'] as const)('segment gossip over TCP (%s mode)', (mode) => {
  it('should deliver every segment to every viewer, and serve the live head to a joiner', async () => {
    const hub = await peer({ mode, hub: true })
    const boot = hub.libp2p.getMultiaddrs().map(String)
    const dir = await peer({ mode, bootstrap: boot })
    const viewers = await Promise.all([peer({ mode, bootstrap: boot }), peer({ mode, bootstrap: boot }), peer({ mode, bootstrap: boot })])
    const logs = viewers.map(accepted)
    await until('video meshes', () => [hub, dir, ...viewers].every(p => p.segments.meshPeers('test').length >= 1))

    const segments = await fixtureSegments(director)
    for (const seg of segments) await dir.segments.publish(seg)
    const want = segments.map(s => s.hash)
    await until('delivery', () => logs.every(l => l.length >= want.length))
    for (const log of logs) expect(log.map(e => e.hash).sort()).toEqual([...want].sort())
    for (const v of viewers) expect(v.stats().segmentsRejected).toBe(0)

    // unique payload bytes were delivered once each; announce mode moves each payload about once
    const payload = segments.reduce((n, s) => n + s.payload.byteLength, 0)
    for (const v of viewers) expect(v.stats().payloadBytes).toBe(payload)
    if (mode === 'announce') {
      for (const v of viewers) expect(v.traffic.counters.bytesIn / payload).toBeLessThan(1.6)
    }

    const joiner = await peer({ mode, bootstrap: boot })
    await until('joiner mesh', () => joiner.segments.meshPeers('test').length >= 1)
    const live = await joiner.segments.fetchLive('test', { signal: AbortSignal.timeout(10_000) })
    expect(live.map(s => s.signed.header.kind)).toEqual(['init', 'media'])
    expect(live[1]?.hash).toBe(segments.at(-1)?.hash)
  })
})

describe('graylisting', () => {
  it(`should graylist a peer within ${INVALID_MESSAGES_TO_GRAYLIST} tampered segments and keep the stream going`, async () => {
    const viewer = await peer()
    // the director and the evil peer each know only the viewer (no discovery dials between them)
    const dir = await peer({ bootstrap: viewer.libp2p.getMultiaddrs().map(String), targetConnections: 1 })
    const evil = await peer({ bootstrap: viewer.libp2p.getMultiaddrs().map(String), targetConnections: 1 })
    const log = accepted(viewer)
    const evilId = evil.peerId.toString()
    await until('mesh', () => viewer.segments.meshPeers('test').length >= 2)
    // a discovery dial may have raced the bootstrap dial: keep the evil peer's only link the viewer
    await dir.libp2p.hangUp(evil.peerId)
    const pubsub = evil.libp2p.services.pubsub as { publish(topic: string, data: Uint8Array): Promise<unknown> }
    const topic = videoTopic('test')
    const chunks = fixtureChunks()
    const [init, ...media] = await fixtureSegments(director, { firstSequence: 100n })
    await dir.segments.publish(init!)
    await until('init', () => log.length === 1)

    const send = async (seg: StoredSegment, tamper: boolean): Promise<void> => {
      const payload = seg.payload.slice()
      if (tamper) payload[payload.byteLength - 1]! ^= 0xff
      await pubsub.publish(topic, encodeSegmentMessage({ type: 'full', header: seg.signed, payload }))
    }
    // a valid segment from the evil peer is accepted first: the path works
    await send(media[0]!, false)
    await until('valid segment from evil peer', () => log.some(e => e.from === evilId))
    expect(viewer.score(evilId)).toBeGreaterThan(GRAYLIST_THRESHOLD)

    for (let i = 0; i < INVALID_MESSAGES_TO_GRAYLIST; i++) {
      const fresh = await makeSegment(chunks[2]!, director, { sequence: 110n + BigInt(i), initHash: init!.signed.header.payloadHash })
      await send(fresh, true)
    }
    await until('rejections', () => viewer.stats().segmentsRejected >= INVALID_MESSAGES_TO_GRAYLIST)
    await until('graylisted', () => viewer.score(evilId) < GRAYLIST_THRESHOLD, 5_000)

    // its next valid message is dropped unseen…
    await new Promise(resolve => setTimeout(resolve, 1_200))
    const next = await makeSegment(chunks[3]!, director, { sequence: 120n, initHash: init!.signed.header.payloadHash })
    await send(next, false)
    // …while the director's stream keeps flowing
    // (chunk 3 is the evil peer's: the director must not publish the same payload)
    const fromDirector = [media[1]!, media[3]!]
    for (const seg of fromDirector) await dir.segments.publish(seg)
    await until('director segments', () => fromDirector.every(s => log.some(e => e.hash === s.hash)))
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(log.some(e => e.hash === next.hash)).toBe(false)
    expect(dir.libp2p.getConnections(evil.peerId)).toHaveLength(0)
    expect(viewer.score(evilId)).toBeLessThan(GRAYLIST_THRESHOLD)
  })
})
