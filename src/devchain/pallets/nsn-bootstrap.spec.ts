// SPDX-License-Identifier: GPL-3.0-or-later
import { ed25519PairFromSeed } from '@polkadot/util-crypto'
import { describe, expect, it } from 'vitest'
import { DEV_BOOTSTRAP_SIGNER_SEED, devBootstrapSignerKey, libp2pEd25519Key, normalizeSigners, validateSignerKey } from './nsn-bootstrap.ts'

const errorOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { error?: string }).error
  }
}

describe('NsnBootstrap signer keys', () => {
  it('should encode the DEV-ONLY signer as a 36-byte libp2p protobuf Ed25519 key', () => {
    const key = devBootstrapSignerKey()
    expect(key.length).toBe(36)
    expect([...key.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x20])
    expect(key.subarray(4)).toEqual(ed25519PairFromSeed(DEV_BOOTSTRAP_SIGNER_SEED).publicKey)
    expect(errorOf(() => { validateSignerKey(key) })).toBeUndefined()
  })

  it('should name what is wrong with a key', () => {
    const good = libp2pEd25519Key(new Uint8Array(32).fill(1))
    expect(errorOf(() => { validateSignerKey(new Uint8Array()) })).toBe('EmptySignerKey')
    expect(errorOf(() => { validateSignerKey(new Uint8Array(257)) })).toBe('SignerKeyTooLong')
    expect(errorOf(() => { validateSignerKey(good.subarray(4)) })).toBe('InvalidSignerKey')
    expect(errorOf(() => { validateSignerKey(good.subarray(0, 35)) })).toBe('InvalidSignerKey')
    expect(errorOf(() => { validateSignerKey(new Uint8Array([0x08, 0x02, 0x12, 0x21, 0x04, ...new Uint8Array(32)])) })).toBe('InvalidSignerKey')
    expect(errorOf(() => { validateSignerKey(new Uint8Array([0x08, 0x02, 0x12, 0x21, 0x03, ...new Uint8Array(32)])) })).toBeUndefined()
  })

  it('should deduplicate signers and bound the quorum by their number', () => {
    const a = libp2pEd25519Key(new Uint8Array(32).fill(1))
    const b = libp2pEd25519Key(new Uint8Array(32).fill(2))
    expect(normalizeSigners([a, b, a], 2)).toEqual([a, b])
    expect(errorOf(() => normalizeSigners([a, a], 2))).toBe('InvalidQuorum')
    expect(errorOf(() => normalizeSigners([], 0))).toBe('InvalidQuorum')
    expect(errorOf(() => normalizeSigners(Array.from({ length: 9 }, (_, i) => libp2pEd25519Key(new Uint8Array(32).fill(i))), 1))).toBe('TooManySigners')
  })
})
