// SPDX-License-Identifier: GPL-3.0-or-later
import { Keyring } from '@polkadot/keyring'
import { expandMetadata, Metadata, TypeRegistry } from '@polkadot/types'
import { compactToU8a, u8aConcat, u8aToHex, u8aToU8a } from '@polkadot/util'
import { blake2AsU8a, cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildRuntimeMetadata, METADATA_MAGIC, RUNTIME_VERSION } from './build.ts'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { Extrinsic, Header, RuntimeVersion, SignedBlock } from '@polkadot/types/interfaces'

const built = buildRuntimeMetadata()
const SYSTEM_ACCOUNT_PREFIX = '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9'
const GENESIS = u8aToHex(blake2AsU8a('nsn-dev genesis'))
const BLOCK_10 = u8aToHex(blake2AsU8a('block 10'))

function load (bytes: Uint8Array): { registry: TypeRegistry, metadata: Metadata } {
  const registry = new TypeRegistry()
  const metadata = new Metadata(registry, bytes)
  registry.setMetadata(metadata)
  return { registry, metadata }
}

let alice: KeyringPair
let bob: KeyringPair
beforeAll(async () => {
  await cryptoWaitReady()
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  alice = keyring.addFromUri('//Alice')
  bob = keyring.addFromUri('//Bob')
})

describe('buildRuntimeMetadata', () => {
  it('should prefix the bytes with the meta magic and the version', () => {
    expect(Array.from(built.v14.subarray(0, 5))).toEqual([...METADATA_MAGIC, 14])
    expect(Array.from(built.v15.subarray(0, 5))).toEqual([...METADATA_MAGIC, 15])
    expect(built.metadata.version).toBe(15)
    expect(built.registry.metadata.pallets.length).toBe(14)
  })

  it('should declare the well-known runtime API ids (blake2b-64 of the trait name)', () => {
    const ids = Object.fromEntries(RUNTIME_VERSION.apis)
    expect(ids['0xdf6acb689907609b']).toBe(5) // Core
    expect(ids['0x37e397fc7c91f5e4']).toBe(2) // Metadata
    expect(ids['0x40fe3ad401f8959a']).toBe(6) // BlockBuilder
    expect(ids['0xd2bc9897eed08f15']).toBe(3) // TaggedTransactionQueue
    expect(ids['0xbc9d89904f5b923f']).toBe(1) // AccountNonceApi
    expect(ids['0x37c8bb1350a9a2a8']).toBe(4) // TransactionPaymentApi
  })
})

describe.each([['V14', 14], ['V15', 15]] as const)('metadata %s', (_name, version) => {
  const { registry, metadata } = load(version === 14 ? built.v14 : built.v15)
  const decorated = expandMetadata(registry, metadata)

  it('should decode with every type known to polkadot-js', () => {
    expect(metadata.version).toBe(version)
    expect(() => metadata.getUniqTypes(true)).not.toThrow()
    expect(metadata.asLatest.pallets.map(p => [p.name.toString(), p.index.toNumber()])).toEqual([
      ['System', 0], ['Timestamp', 1], ['Balances', 5], ['TransactionPayment', 6], ['Sudo', 7], ['NsnStake', 50], ['NsnReputation', 51],
      ['NsnDirector', 52], ['NsnBft', 53], ['NsnStorage', 54], ['NsnTreasury', 55], ['NsnTaskMarket', 56], ['NsnModelRegistry', 57], ['NsnBootstrap', 58]
    ])
    expect(metadata.asLatest.extrinsic.transactionExtensions.map(e => e.identifier.toString())).toEqual([
      'CheckNonZeroSender', 'CheckSpecVersion', 'CheckTxVersion', 'CheckGenesis', 'CheckMortality', 'CheckNonce', 'CheckWeight', 'ChargeTransactionPayment'
    ])
  })

  it('should map well-known paths to polkadot-js built-in codecs', () => {
    const byPath = (path: string): string => {
      const found = registry.lookup.types.find(t => t.type.path.join('::') === path)
      return registry.lookup.getTypeDef(found!.id).type
    }
    expect(byPath('sp_runtime::generic::era::Era')).toBe('Era')
    expect(byPath('sp_runtime::multiaddress::MultiAddress')).toBe('MultiAddress')
    expect(byPath('sp_core::crypto::AccountId32')).toBe('AccountId32')
    expect(byPath('nsn_runtime::RuntimeCall')).toBe('Call')
    expect(byPath('nsn_runtime::RuntimeEvent')).toBe('Event')
    expect(registry.getDefinition('Address')).toBe('MultiAddress')
    expect(registry.getDefinition('ExtrinsicSignature')).toBe('MultiSignature')
  })

  it('should encode balances.transferKeepAlive with call index [5, 3]', () => {
    const meta = registry.findMetaCall(new Uint8Array([5, 3]))
    expect([meta.section, meta.method]).toEqual(['balances', 'transferKeepAlive'])
    const call = decorated.tx['balances']!['transferKeepAlive']!({ Id: bob.address }, 12_345n)
    const u8a = call.toU8a()
    expect(Array.from(u8a.subarray(0, 3))).toEqual([5, 3, 0])
    expect(u8aToHex(u8a.subarray(3, 35))).toBe(u8aToHex(bob.publicKey))
    const viaCall = registry.createType('Call', { callIndex: [5, 3], args: { dest: { Id: bob.address }, value: 12_345 } })
    expect(viaCall.toHex()).toBe(call.toHex())
    expect(registry.createType('Call', call.toU8a()).method).toBe('transferKeepAlive')
  })

  it('should compute the System.Account storage key', () => {
    const key = decorated.query['system']!['account']!(alice.address)
    const raw = registry.createType('StorageKey', key).toU8a(true)
    const expected = u8aConcat(u8aToU8a(SYSTEM_ACCOUNT_PREFIX), blake2AsU8a(alice.publicKey, 128), alice.publicKey)
    expect(u8aToHex(raw)).toBe(u8aToHex(expected))
  })

  it('should read constants and set the SS58 prefix', () => {
    const consts = decorated.consts
    expect(registry.chainSS58).toBe(42)
    expect(consts['system']!['blockHashCount']!.toString()).toBe('2400')
    expect(consts['balances']!['existentialDeposit']!.toString()).toBe('1000000000')
    expect(consts['timestamp']!['minimumPeriod']!.toString()).toBe('500')
    expect(consts['system']!['version']!.toHex()).toBe(registry.createType('RuntimeVersion', RUNTIME_VERSION).toHex())
    const weights = consts['system']!['blockWeights']!.toJSON() as { maxBlock: { refTime: number }, perClass: { mandatory: { maxTotal: unknown } } }
    expect(weights.maxBlock.refTime).toBe(2_000_000_000_000)
    expect(weights.perClass.mandatory.maxTotal).toBeNull()
  })

  it.each([['a transfer', 0], ['a 300-byte remark (payload hashed first)', 300]])('should sign, round-trip and verify %s', (_what, remarkLen) => {
    const call = remarkLen === 0
      ? registry.createType('Call', { callIndex: [5, 3], args: { dest: { Id: bob.address }, value: 10n ** 12n } })
      : registry.createType('Call', { callIndex: [0, 0], args: { remark: u8aToHex(new Uint8Array(remarkLen).fill(7)) } })
    const era = registry.createType('ExtrinsicEra', { current: 10, period: 64 })
    const signed = registry.createType('Extrinsic', call).sign(alice, {
      blockHash: BLOCK_10, genesisHash: GENESIS, nonce: 3, era, tip: 0,
      runtimeVersion: registry.createType<RuntimeVersion>('RuntimeVersion', RUNTIME_VERSION)
    })
    const bytes = signed.toU8a()
    const ext: Extrinsic = registry.createType('Extrinsic', bytes)
    expect(ext.toHex()).toBe(signed.toHex())
    expect(ext.isSigned).toBe(true)
    expect(ext.signer.toString()).toBe(alice.address)
    expect(ext.nonce.toNumber()).toBe(3)
    expect(ext.era.asMortalEra.birth(12)).toBe(10)
    // v4 signed: 0x84, MultiAddress::Id (0x00 + 32 bytes), MultiSignature::Sr25519 (0x01 + 64 bytes)
    const body = ext.toU8a(true)
    expect(u8aToHex(bytes)).toBe(u8aToHex(u8aConcat(compactToU8a(body.length), body)))
    expect(body[0]).toBe(0x84)
    expect(body[1]).toBe(0x00)
    expect(body[34]).toBe(0x01)
    // the payload layout: call, extra (era, nonce, tip), then additional signed (spec, tx version, genesis, birth hash)
    const payload = registry.createType('ExtrinsicPayload', {
      method: ext.method.toHex(), era: ext.era, nonce: ext.nonce, tip: ext.tip,
      specVersion: RUNTIME_VERSION.specVersion, transactionVersion: RUNTIME_VERSION.transactionVersion, genesisHash: GENESIS, blockHash: BLOCK_10
    }, { version: 4 })
    const raw = payload.toU8a({ method: true })
    const manual = u8aConcat(ext.method.toU8a(), ext.era.toU8a(), compactToU8a(3), compactToU8a(0),
      registry.createType('u32', 100).toU8a(), registry.createType('u32', 1).toU8a(), u8aToU8a(GENESIS), u8aToU8a(BLOCK_10))
    expect(u8aToHex(raw)).toBe(u8aToHex(manual))
    expect(raw.length > 256).toBe(remarkLen > 0)
    const message = raw.length > 256 ? blake2AsU8a(raw, 256) : raw
    expect(sr25519Verify(message, ext.signature.toU8a(), alice.publicKey)).toBe(true)
    expect(sr25519Verify(raw.length > 256 ? raw : blake2AsU8a(raw, 256), ext.signature.toU8a(), alice.publicKey)).toBe(false)
  })

  it('should decode Header and SignedBlock', () => {
    const header = { parentHash: GENESIS, number: 11, stateRoot: BLOCK_10, extrinsicsRoot: GENESIS, digest: { logs: [{ PreRuntime: ['0x61757261', '0x0102'] }] } }
    const h = registry.createType<Header>('Header', header)
    expect(registry.createType<Header>('Header', h.toU8a()).number.toNumber()).toBe(11)
    expect(registry.createType('SpRuntimeHeader', header).toHex()).toBe(h.toHex())
    const ext = registry.createType('Extrinsic', registry.createType('Call', { callIndex: [1, 0], args: { now: 1_700_000_000_000 } }))
    const block = registry.createType<SignedBlock>('SignedBlock', { block: { header, extrinsics: [ext.toHex()] }, justifications: null })
    const back = registry.createType<SignedBlock>('SignedBlock', block.toU8a())
    expect(back.block.header.hash.toHex()).toBe(h.hash.toHex())
    const method = back.block.extrinsics[0]!.method
    expect([method.section, method.method]).toEqual(['timestamp', 'set'])
  })

  it('should create System.Events records and resolve module errors', () => {
    const entry = decorated.query['system']!['events']!
    const type = registry.createLookupType(entry.meta.type.asPlain)
    const transfer = u8aConcat([5, 2], alice.publicKey, bob.publicKey, registry.createType('u128', 5).toU8a())
    const failed = u8aConcat([0, 1], [3, 5, 2, 0, 0, 0], [0x0b, 0x00, 0x00, 0x00])
    const records = u8aConcat(compactToU8a(2), [0, 1, 0, 0, 0], transfer, [0], [0, 1, 0, 0, 0], failed, [0])
    const events = registry.createType(type, records) as unknown as Array<{ phase: { asApplyExtrinsic: { toNumber(): number } }, event: { section: string, method: string, data: unknown[] } }>
    expect(events.length).toBe(2)
    expect(events[0]!.phase.asApplyExtrinsic.toNumber()).toBe(1)
    expect([events[0]!.event.section, events[0]!.event.method]).toEqual(['balances', 'Transfer'])
    expect(String(events[0]!.event.data[2])).toBe('5')
    expect(decorated.events['balances']!['Transfer']!.is(events[0]!.event as never)).toBe(true)
    const dispatchError = events[1]!.event.data[0] as { isModule: boolean, asModule: Parameters<TypeRegistry['findMetaError']>[0] }
    expect(dispatchError.isModule).toBe(true)
    expect(registry.findMetaError(dispatchError.asModule).name).toBe('InsufficientBalance')
    expect(registry.createType(type, []).toHex()).toBe('0x00')
  })

  it('should list runtime APIs only in V15', () => {
    const apis = metadata.asLatest.apis
    if (version === 14) {
      expect(apis.length).toBe(0)
      return
    }
    const payment = apis.find(a => a.name.toString() === 'TransactionPaymentApi')
    const queryInfo = payment?.methods.find(m => m.name.toString() === 'query_info')
    expect(queryInfo?.inputs.map(i => i.name.toString())).toEqual(['uxt', 'len'])
    expect(registry.lookup.getName(queryInfo!.output)).toBe('PalletTransactionPaymentRuntimeDispatchInfo')
    expect(apis.map(a => a.name.toString())).toContain('AccountNonceApi')
    expect(metadata.asV15.outerEnums.callType.toNumber()).toBe(metadata.asV15.extrinsic.callType.toNumber())
  })
})
