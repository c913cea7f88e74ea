// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * An unmodified `ApiPromise` against a tiny in-test provider that serves the built metadata: with
 * the `Metadata` runtime API it picks V15 through `Metadata_metadata_at_version`; without it, it
 * falls back to `state_getMetadata` (V14) and its own runtime API definitions.
 */
import { ApiPromise } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { blake2AsHex, blake2AsU8a, cryptoWaitReady, sr25519Verify } from '@polkadot/util-crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildRuntimeMetadata, RUNTIME_VERSION } from './build.ts'
import type { SubmittableExtrinsic } from '@polkadot/api/types'
import type { KeyringPair } from '@polkadot/keyring/types'
import type { AccountInfo, Header } from '@polkadot/types/interfaces'
import type { ProviderInterface, ProviderInterfaceCallback, ProviderInterfaceEmitCb, ProviderInterfaceEmitted } from '@polkadot/rpc-provider/types'

const built = buildRuntimeMetadata()
const reg = built.registry
const GENESIS = u8aToHex(blake2AsU8a('nsn-dev genesis'))
const HEADER = { parentHash: u8aToHex(new Uint8Array(32)), number: '0x0', stateRoot: GENESIS, extrinsicsRoot: GENESIS, digest: { logs: [] } }
const FEE = 1_234_567n

/** Answers the few RPCs that `ApiPromise` needs; no subscriptions (the api runs in "limited mode"). */
class MetadataOnlyProvider implements ProviderInterface {
  readonly hasSubscriptions = false
  readonly isClonable = false
  readonly isConnected = true
  readonly sent: Array<{ method: string, params: unknown[] }> = []
  readonly submitted: string[] = []
  readonly #metadataApi: boolean

  constructor (metadataApi: boolean) {
    this.#metadataApi = metadataApi
  }

  clone (): ProviderInterface { throw new Error('not clonable') }
  async connect (): Promise<void> {}
  async disconnect (): Promise<void> {}
  on (_type: ProviderInterfaceEmitted, _sub: ProviderInterfaceEmitCb): () => void { return () => {} }
  async subscribe (_type: string, method: string, _params: unknown[], _cb: ProviderInterfaceCallback): Promise<number> { throw new Error(`no subscriptions (${method})`) }
  async unsubscribe (): Promise<boolean> { return false }

  async send<T = unknown> (method: string, params: unknown[]): Promise<T> {
    this.sent.push({ method, params })
    return this.#answer(method, params) as T
  }

  #answer (method: string, params: unknown[]): unknown {
    switch (method) {
      case 'chain_getBlockHash': return GENESIS
      case 'chain_getFinalizedHead': return GENESIS
      case 'chain_getHeader': return HEADER
      case 'state_getRuntimeVersion': return RUNTIME_VERSION
      case 'system_chain': return 'NSN Dev'
      case 'system_properties': return { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'NSN' }
      case 'rpc_methods': return { version: 1, methods: ['author_submitExtrinsic', 'chain_getBlockHash', 'chain_getFinalizedHead', 'chain_getHeader', 'state_call', 'state_getMetadata', 'state_getStorage', 'state_queryStorageAt'] }
      case 'state_getMetadata': return u8aToHex(built.v14)
      case 'state_getStorage': return null
      case 'state_queryStorageAt': return [{ block: GENESIS, changes: (params[0] as string[]).map(key => [key, null]) }]
      case 'author_submitExtrinsic':
        this.submitted.push(params[0] as string)
        return blake2AsHex(params[0] as string)
      case 'state_call': return this.#call(params[0] as string, params[1] as string)
      default: throw new Error(`Method not found: ${method}`)
    }
  }

  #call (name: string, data: string): string {
    if (name.startsWith('Metadata_') && !this.#metadataApi) throw new Error(`Exported method ${name} is not found`)
    switch (name) {
      case 'Metadata_metadata_versions': return reg.createType('Vec<u32>', [14, 15]).toHex()
      case 'Metadata_metadata_at_version': {
        // a hex string would be read as a big-endian number: decode the SCALE bytes
        const bytes = reg.createType('u32', hexToU8a(data)).toNumber() === 15 ? built.v15 : built.v14
        return u8aToHex(u8aConcat([1], compactToU8a(bytes.length), bytes))
      }
      // not `createType('u32', 7).toHex()`: integer codecs print big-endian hex, not their SCALE bytes
      case 'AccountNonceApi_account_nonce': return u8aToHex(reg.createType('u32', 7).toU8a())
      case 'TransactionPaymentApi_query_info':
        return reg.createType('PalletTransactionPaymentRuntimeDispatchInfo', { weight: { refTime: 1, proofSize: 2 }, class: 'Normal', partialFee: FEE }).toHex()
      default: throw new Error(`Exported method ${name} is not found`)
    }
  }
}

let alice: KeyringPair
beforeAll(async () => {
  await cryptoWaitReady()
  alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice')
})

describe.each([['with the Metadata API (V15)', true, 15], ['without it (V14)', false, 14]] as const)('ApiPromise %s', (_name, metadataApi, version) => {
  const provider = new MetadataOnlyProvider(metadataApi)
  let api: ApiPromise

  beforeAll(async () => {
    api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true })
  })
  afterAll(async () => { await api.disconnect() })

  // without `@polkadot/api-augment` every section is optional and every result a plain Codec
  const transferKeepAlive = (value: bigint): SubmittableExtrinsic<'promise'> => api.tx['balances']!['transferKeepAlive']!(alice.address, value)

  it('should become ready with the runtime decorated', () => {
    expect(api.isConnected).toBe(true)
    expect(api.runtimeMetadata.version).toBe(version)
    expect(api.runtimeVersion.specName.toString()).toBe('nsn-dev')
    expect(api.genesisHash.toHex()).toBe(GENESIS)
    expect(transferKeepAlive(1n).method.callIndex).toEqual(new Uint8Array([5, 3]))
    expect(typeof api.query['system']?.['account']).toBe('function')
    expect(api.consts['system']?.['ss58Prefix']?.toString()).toBe('42')
    expect(typeof api.call['transactionPaymentApi']?.['queryInfo']).toBe('function')
    expect(typeof api.call['accountNonceApi']?.['accountNonce']).toBe('function')
  })

  it('should read storage, call runtime APIs and compute payment info', async () => {
    const account = await api.query['system']!['account']!(alice.address) as unknown as AccountInfo
    expect(account.data.free.toBigInt()).toBe(0n)
    // without subscriptions the api reads storage through state_queryStorageAt([keys])
    const key = (provider.sent.filter(s => s.method === 'state_queryStorageAt').at(-1)?.params[0] as string[] | undefined)?.[0]
    expect(key).toBe(u8aToHex(u8aConcat('0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9', blake2AsU8a(alice.publicKey, 128), alice.publicKey)))
    expect((await api.call['accountNonceApi']!['accountNonce']!(alice.address)).toString()).toBe('7')
    const info = await transferKeepAlive(1n).paymentInfo(alice)
    expect(info.partialFee.toBigInt()).toBe(FEE)
  })

  it('should sign an extrinsic that verifies against the rebuilt payload', async () => {
    await transferKeepAlive(5n).signAndSend(alice, { nonce: 0 })
    const ext = reg.createType('Extrinsic', provider.submitted.at(-1))
    expect(ext.signer.toString()).toBe(alice.address)
    const payload = reg.createType('ExtrinsicPayload', {
      method: ext.method.toHex(), era: ext.era, nonce: ext.nonce, tip: ext.tip,
      specVersion: RUNTIME_VERSION.specVersion, transactionVersion: RUNTIME_VERSION.transactionVersion,
      genesisHash: GENESIS, blockHash: reg.createType<Header>('Header', HEADER).hash
    }, { version: 4 })
    const raw = payload.toU8a({ method: true })
    expect(sr25519Verify(raw.length > 256 ? blake2AsU8a(raw, 256) : raw, ext.signature.toU8a(), alice.publicKey)).toBe(true)
  })
})
