// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnModelRegistry (index 57) and NsnBootstrap (index 58) on the dev chain through an unmodified
 * `ApiPromise`: deposit-backed model and renderer registration and removal, capability ads, the
 * trusted bootstrap signers (libp2p protobuf keys) with their quorum rules, bad input rejected with
 * the pallet's errors and no state change, and the fixes for weaknesses 23 and 27 of
 * `reference/nsn-chain.md` section 13 (tests named after the weakness number). Blocks are built on
 * demand only.
 */
import { u8aToHex } from '@polkadot/util'
import { ed25519PairFromSeed } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODEL_REGISTRY_CONSTANTS } from '../../src/devchain/metadata/pallets/nsn-model-registry.ts'
import { DEV_BOOTSTRAP_SIGNER_SEED } from '../../src/devchain/metadata/pallets/nsn-bootstrap.ts'
import { startApiChain } from '../utils/devchain-api.ts'
import type { ApiChain, Sent, Tx } from '../utils/devchain-api.ts'
import type { KeyringPair } from '@polkadot/keyring/types'

let t: ApiChain

/** Signs and submits `tx` (in the pool once this resolves), builds one block, and resolves with its finalized outcome. */
const send = async (tx: Tx, signer: KeyringPair = t.k.Alice): Promise<Sent> => await t.sendInBlock(tx, signer)
const sudo = async (call: Tx): Promise<Sent> => await send(t.api.tx.sudo.sudo(call))
const reg = (): ReturnType<ApiChain['tx']> => t.tx('nsnModelRegistry')
const boot = (): ReturnType<ApiChain['tx']> => t.tx('nsnBootstrap')

const CAPS = { textGeneration: false, imageGeneration: false, codeGeneration: false, embedding: false, speechSynthesis: false, videoGeneration: true }
const DEPOSIT = MODEL_REGISTRY_CONSTANTS.modelDeposit

/** A libp2p protobuf Ed25519 public key of a seed made from `n`. */
function edKey (n: number): string {
  const pub = ed25519PairFromSeed(new Uint8Array(32).fill(n)).publicKey
  return u8aToHex(new Uint8Array([0x08, 0x01, 0x12, 0x20, ...pub]))
}
/** Bytes arguments go as hex (polkadot-js reads a Uint8Array as already length-prefixed). */
const hex = (b: Uint8Array): string => u8aToHex(b)

async function signers (): Promise<{ trusted: string[], revoked: string[], quorum: number, epoch: bigint }> {
  const q = t.query('nsnBootstrap')
  const hexes = (v: Iterable<{ toHex(): string }>): string[] => [...v].map(x => x.toHex())
  return {
    trusted: hexes(await q['trustedSigners']!()),
    revoked: hexes(await q['revokedSigners']!()),
    quorum: (await q['signerQuorum']!()).toNumber(),
    epoch: (await q['signerEpoch']!()).toBigInt()
  }
}

async function model (id: string): Promise<Record<string, unknown> | null> {
  const o = await t.query('nsnModelRegistry')['modelCatalog']!(id)
  return o.isSome ? o.unwrap().toJSON() : null
}

beforeAll(async () => {
  t = await startApiChain({ blockTimeMs: 3_600_000 })
}, 60_000)

afterAll(async () => { await t?.stop() })

describe('NsnModelRegistry on the dev chain', () => {
  it('should expose the pallet at index 57 with the reference bounds and the deposits', () => {
    const consts = t.api.consts['nsnModelRegistry'] as unknown as Record<string, { toString(): string }>
    expect(consts['maxModelIdLen']!.toString()).toBe('64')
    expect(consts['maxRendererVramMb']!.toString()).toBe('11500')
    expect(consts['modelDeposit']!.toString()).toBe(DEPOSIT.toString())
    expect(reg()['registerModel']!('m', 'cid', 1, CAPS).method.callIndex).toEqual(new Uint8Array([57, 0]))
  })

  it('should register a model against a reserved deposit and reject a duplicate (weakness 23)', async () => {
    const bob = t.k.Bob
    const before = await t.balance(bob.address)
    const sent = await send(reg()['registerModel']!('flux-schnell', 'bafy-model', 8_000, CAPS), bob)
    expect(sent.error).toBeNull()
    expect(sent.names).toEqual(expect.arrayContaining(['balances.Reserved', 'nsnModelRegistry.ModelRegistered']))
    expect((await t.balance(bob.address)).reserved).toBe(before.reserved + DEPOSIT)
    expect(await model('flux-schnell')).toMatchObject({ vramRequiredMb: 8_000, registeredBy: bob.address, registeredAt: sent.block, deposit: Number(DEPOSIT) })
    const dup = await send(reg()['registerModel']!('flux-schnell', 'other', 1, CAPS), t.k.Charlie)
    expect(dup.error).toBe('nsnModelRegistry.ModelAlreadyRegistered')
    expect((await model('flux-schnell'))!['registeredBy']).toBe(bob.address)
  })

  it('should register a renderer over registered models and refuse to drop a model in use', async () => {
    const bob = t.k.Bob
    const missing = await send(reg()['registerRenderer']!('r1', 'bafy-r', 4_000, 1_000, ['nope'], true), bob)
    expect(missing.error).toBe('nsnModelRegistry.ModelDependencyNotFound')
    expect((await send(reg()['registerRenderer']!('r1', 'bafy-r', 4_000, 1_000, ['flux-schnell'], false), bob)).error).toBe('nsnModelRegistry.RendererNotDeterministic')
    expect((await send(reg()['registerRenderer']!('r1', 'bafy-r', 11_501, 1_000, ['flux-schnell'], true), bob)).error).toBe('nsnModelRegistry.RendererVramExceeded')
    expect((await send(reg()['registerRenderer']!('r1', 'bafy-r', 4_000, 15_001, ['flux-schnell'], true), bob)).error).toBe('nsnModelRegistry.RendererLatencyExceeded')
    const reserved = (await t.balance(bob.address)).reserved
    const ok = await send(reg()['registerRenderer']!('r1', 'bafy-r', 4_000, 1_000, ['flux-schnell'], true), bob)
    expect(ok.names).toContain('nsnModelRegistry.RendererRegistered')
    expect((await t.balance(bob.address)).reserved).toBe(reserved + MODEL_REGISTRY_CONSTANTS.rendererDeposit)
    expect((await send(reg()['deregisterModel']!('flux-schnell'), bob)).error).toBe('nsnModelRegistry.ModelInUse')
    expect((await send(reg()['deregisterRenderer']!('r1'), t.k.Charlie)).error).toBe('nsnModelRegistry.NotOwner')
    const gone = await send(reg()['deregisterRenderer']!('r1'), bob)
    expect(gone.names).toEqual(expect.arrayContaining(['balances.Unreserved', 'nsnModelRegistry.RendererDeregistered']))
    expect((await t.balance(bob.address)).reserved).toBe(reserved)
    expect((await t.query('nsnModelRegistry')['rendererCatalog']!('r1')).isNone).toBe(true)
  })

  it('should let only the owner remove a model, returning the deposit (weakness 23)', async () => {
    const bob = t.k.Bob
    const before = await t.balance(bob.address)
    expect((await send(reg()['deregisterModel']!('flux-schnell'), t.k.Charlie)).error).toBe('nsnModelRegistry.NotOwner')
    const tx = reg()['deregisterModel']!('flux-schnell')
    const fee = (await tx.paymentInfo(bob)).partialFee.toBigInt()
    const sent = await send(tx, bob)
    expect(sent.names).toEqual(expect.arrayContaining(['balances.Unreserved', 'nsnModelRegistry.ModelDeregistered']))
    expect(await t.balance(bob.address)).toEqual({ free: before.free + DEPOSIT - fee, reserved: before.reserved - DEPOSIT })
    expect(await model('flux-schnell')).toBeNull()
    expect((await send(reg()['deregisterModel']!('flux-schnell'), bob)).error).toBe('nsnModelRegistry.ModelNotFound')
    // the id is free again
    expect((await send(reg()['registerModel']!('flux-schnell', 'bafy-2', 1, CAPS), t.k.Charlie)).error).toBeNull()
  })

  it('should store a bounded capability ad', async () => {
    const sent = await send(reg()['updateCapabilities']!(24_000, ['flux-schnell'], ['a', 'b']), t.k.Dave)
    expect(sent.names).toContain('nsnModelRegistry.NodeCapabilityUpdated')
    const ad = (await t.query('nsnModelRegistry')['nodeCapabilities']!(t.k.Dave.address)).unwrap()
    expect(ad.availableVramMb.toNumber()).toBe(24_000)
    expect([...ad.hotModels].map((m: { toUtf8(): string }) => m.toUtf8())).toEqual(['flux-schnell'])
    const tooMany = await send(reg()['updateCapabilities']!(1, Array.from({ length: 11 }, (_, i) => `m${i}`), []), t.k.Dave)
    expect(tooMany.error).toBe('nsnModelRegistry.TooManyHotModels')
  })

  it('should reject bad registry input with the named error and change nothing', async () => {
    const ferdie = t.k.Ferdie
    const before = [await t.balance(ferdie.address), await model('x'.repeat(65))]
    expect((await send(reg()['registerModel']!('', 'cid', 1, CAPS), ferdie)).error).toBe('nsnModelRegistry.InvalidModelId')
    expect((await send(reg()['registerModel']!('x'.repeat(65), 'cid', 1, CAPS), ferdie)).error).toBe('nsnModelRegistry.InvalidModelId')
    expect((await send(reg()['registerModel']!('ok', '', 1, CAPS), ferdie)).error).toBe('nsnModelRegistry.InvalidContainerCid')
    expect((await send(reg()['registerModel']!('ok', 'c'.repeat(129), 1, CAPS), ferdie)).error).toBe('nsnModelRegistry.InvalidContainerCid')
    const poor = t.keyring.addFromUri('//RegistryPoor')
    expect((await send(t.api.tx.balances.transferKeepAlive(poor.address, DEPOSIT / 2n))).error).toBeNull()
    expect((await send(reg()['registerModel']!('poor', 'cid', 1, CAPS), poor)).error).toBe('nsnModelRegistry.InsufficientBalance')
    expect(await model('poor')).toBeNull()
    const after = await t.balance(ferdie.address)
    expect(after.reserved).toBe((before[0] as { reserved: bigint }).reserved)
    expect(await model('ok')).toBeNull()
  })
})

describe('NsnBootstrap on the dev chain', () => {
  it('should trust one DEV-ONLY protobuf Ed25519 signer with quorum 1 at genesis (weakness 27)', async () => {
    const s = await signers()
    const pub = ed25519PairFromSeed(DEV_BOOTSTRAP_SIGNER_SEED).publicKey
    expect(s.trusted).toEqual([u8aToHex(new Uint8Array([0x08, 0x01, 0x12, 0x20, ...pub]))])
    expect(s.trusted[0]!.length).toBe(2 + 2 * 36)
    expect(s).toMatchObject({ revoked: [], quorum: 1, epoch: 0n })
  })

  it('should accept only libp2p protobuf public keys in set_signers (weakness 27)', async () => {
    const before = await signers()
    const raw = ed25519PairFromSeed(new Uint8Array(32).fill(9)).publicKey
    // a raw 32-byte key (the reference's genesis format) is refused
    expect((await sudo(boot()['setSigners']!([hex(raw)], 1))).error).toBe('nsnBootstrap.InvalidSignerKey')
    // wrong key type, wrong length, truncated
    const rsa = edKey(1).replace(/^0x0801/, '0x0800')
    expect((await sudo(boot()['setSigners']!([rsa], 1))).error).toBe('nsnBootstrap.InvalidSignerKey')
    expect((await sudo(boot()['setSigners']!([edKey(1).slice(0, -2)], 1))).error).toBe('nsnBootstrap.InvalidSignerKey')
    expect((await sudo(boot()['setSigners']!(['0x'], 1))).error).toBe('nsnBootstrap.EmptySignerKey')
    expect((await sudo(boot()['setSigners']!([hex(new Uint8Array(257).fill(8))], 1))).error).toBe('nsnBootstrap.SignerKeyTooLong')
    expect((await sudo(boot()['setSigners']!(Array.from({ length: 9 }, (_, i) => edKey(i + 1)), 1))).error).toBe('nsnBootstrap.TooManySigners')
    expect((await sudo(boot()['setSigners']!([edKey(1)], 2))).error).toBe('nsnBootstrap.InvalidQuorum')
    expect((await sudo(boot()['setSigners']!([edKey(1)], 0))).error).toBe('nsnBootstrap.InvalidQuorum')
    expect((await send(boot()['setSigners']!([edKey(1)], 1), t.k.Bob)).error).toBe('BadOrigin')
    expect(await signers()).toEqual(before)
    // a compressed secp256k1 key is a valid libp2p key too; duplicates are merged
    const secp = hex(new Uint8Array([0x08, 0x02, 0x12, 0x21, 0x02, ...new Uint8Array(32).fill(7)]))
    const ok = await sudo(boot()['setSigners']!([edKey(1), edKey(2), edKey(1), secp], 2))
    expect(ok.error).toBeNull()
    expect(ok.names).toContain('nsnBootstrap.SignersUpdated')
    expect(await signers()).toEqual({ trusted: [edKey(1), edKey(2), secp], revoked: [], quorum: 2, epoch: before.epoch + 1n })
  })

  it('should refuse a revocation that leaves fewer active signers than the quorum (weakness 27)', async () => {
    // 3 trusted, quorum 2: one revocation is fine, the second would leave 1 < 2
    const first = await sudo(boot()['revokeSigner']!(edKey(1)))
    expect(first.names).toContain('nsnBootstrap.SignerRevoked')
    const before = await signers()
    expect(before.revoked).toEqual([edKey(1)])
    expect((await sudo(boot()['revokeSigner']!(edKey(2)))).error).toBe('nsnBootstrap.RevocationBreaksQuorum')
    expect((await sudo(boot()['revokeSigner']!(edKey(1)))).error).toBe('nsnBootstrap.SignerAlreadyRevoked')
    expect((await sudo(boot()['revokeSigner']!(edKey(5)))).error).toBe('nsnBootstrap.SignerNotTrusted')
    expect((await sudo(boot()['setQuorum']!(3))).error).toBe('nsnBootstrap.InvalidQuorum')
    expect(await signers()).toEqual(before)
    // lowering the quorum first makes the revocation possible
    expect((await sudo(boot()['setQuorum']!(1))).names).toContain('nsnBootstrap.QuorumUpdated')
    expect((await sudo(boot()['revokeSigner']!(edKey(2)))).error).toBeNull()
    expect((await signers()).revoked).toHaveLength(2)
  })

  it('should restore a revoked signer and bump the epoch on each change', async () => {
    const before = await signers()
    const restored = await sudo(boot()['restoreSigner']!(edKey(1)))
    expect(restored.names).toContain('nsnBootstrap.SignerRestored')
    const after = await signers()
    expect(after.revoked).toEqual([edKey(2)])
    expect(after.epoch).toBe(before.epoch + 1n)
    expect((await sudo(boot()['restoreSigner']!(edKey(1)))).error).toBe('nsnBootstrap.SignerNotRevoked')
    expect((await sudo(boot()['setQuorum']!(2))).error).toBeNull()
    // set_signers clears the revoked list
    expect((await sudo(boot()['setSigners']!([edKey(3)], 1))).error).toBeNull()
    expect(await signers()).toMatchObject({ trusted: [edKey(3)], revoked: [], quorum: 1 })
  })
})
