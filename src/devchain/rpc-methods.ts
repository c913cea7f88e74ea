// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The Substrate JSON-RPC surface of the dev chain (what an unmodified `ApiPromise` uses), plus
 * chopsticks-style `dev_*` methods for tests.
 */
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util'
import { InvalidTransactionError } from './runtime.ts'
import { RpcError } from './rpc-server.ts'
import type { Block, DevChain, TxStatus } from './chain.ts'
import type { RpcServer } from './rpc-server.ts'
import type { Hex } from './state.ts'

const CHAIN_NAME = 'NSN Dev'
const PROPERTIES = { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'NSN' }

function headerJson (b: Block): Record<string, unknown> {
  const h = b.header
  return {
    parentHash: h.parentHash.toHex(),
    number: `0x${b.number.toString(16)}`,
    stateRoot: h.stateRoot.toHex(),
    extrinsicsRoot: h.extrinsicsRoot.toHex(),
    digest: { logs: [] }
  }
}

function runtimeVersionJson (chain: DevChain): Record<string, unknown> {
  return { ...chain.runtime.version }
}

export function registerMethods (server: RpcServer, chain: DevChain, init: { produce: () => Promise<Block> }): void {
  const rt = chain.runtime
  const blockAt = (at: unknown): Block & { state: NonNullable<Block['state']> } => {
    const b = chain.block(typeof at === 'string' ? at : undefined)
    if (b == null) throw new RpcError(4003, `Unknown block ${String(at)}`)
    if (b.state == null) throw new RpcError(4003, `State already discarded for ${b.hash}`)
    return b as Block & { state: NonNullable<Block['state']> }
  }
  const wrap = (err: unknown): never => {
    if ((err as Error).name === InvalidTransactionError.name) {
      throw new RpcError(1010, 'Invalid Transaction', (err as Error).message.replace('Invalid Transaction: ', ''))
    }
    throw err
  }
  server
    .method('rpc_methods', () => ({ version: 1, methods: server.methodNames() }))
    .method('system_name', () => 'nsn-web-devchain')
    .method('system_version', () => '0.1.0')
    .method('system_chain', () => CHAIN_NAME)
    .method('system_chainType', () => 'Development')
    .method('system_properties', () => PROPERTIES)
    .method('system_health', () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }))
    .method('system_accountNextIndex', ([address]) => rt.read<{ nonce: { toNumber(): number } }>(chain.head.state.overlay(), 'system', 'account', String(address)).nonce.toNumber())
    .method('chain_getBlockHash', ([n]) => {
      if (n == null) return chain.head.hash
      const num = typeof n === 'string' ? Number.parseInt(n, n.startsWith('0x') ? 16 : 10) : Number(n)
      return chain.block(num)?.hash ?? null
    })
    .method('chain_getHeader', ([at]) => { const b = chain.block(typeof at === 'string' ? at : undefined); return b != null ? headerJson(b) : null })
    .method('chain_getBlock', ([at]) => {
      const b = chain.block(typeof at === 'string' ? at : undefined)
      return b != null ? { block: { header: headerJson(b), extrinsics: b.extrinsics }, justifications: null } : null
    })
    .method('chain_getFinalizedHead', () => chain.finalized.hash)
    .method('state_getMetadata', () => u8aToHex(rt.v14))
    .method('state_getRuntimeVersion', () => runtimeVersionJson(chain))
    .method('state_getStorage', ([key, at]) => blockAt(at).state.get(String(key)) ?? null)
    .method('state_getStorageHash', ([key, at]) => { const v = blockAt(at).state.get(String(key)); return v != null ? u8aToHex(hexToU8a(v)) : null })
    .method('state_getStorageSize', ([key, at]) => { const v = blockAt(at).state.get(String(key)); return v != null ? hexToU8a(v).length : null })
    .method('state_getKeysPaged', ([prefix, count, startKey, at]) => blockAt(at).state.keysPaged(String(prefix ?? '0x'), Number(count ?? 1000), startKey != null ? String(startKey) : undefined))
    .method('state_queryStorageAt', ([keys, at]) => {
      const b = blockAt(at)
      return [{ block: b.hash, changes: (keys as string[]).map(k => [k, b.state.get(k) ?? null]) }]
    })
    .method('state_call', ([method, data, at]) => stateCall(chain, String(method), hexToU8a(String(data ?? '0x')), blockAt(at)))
    .method('author_submitExtrinsic', ([bytes]) => { try { return chain.submit(String(bytes) as Hex) } catch (err) { return wrap(err) } })
    .method('author_pendingExtrinsics', () => chain.pendingExtrinsics())
    .method('dev_newBlock', async ([opts]) => {
      const count = Number((opts as { count?: number } | undefined)?.count ?? 1)
      let last: Block = chain.head
      for (let i = 0; i < count; i++) last = await init.produce()
      return last.hash
    })
    .method('dev_setStorage', async ([values]) => (await chain.setStorage(storageWrites(chain, values))).hash)
    .method('dev_timeTravel', ([to]) => { chain.timeTravel(typeof to === 'string' ? Date.parse(to) : Number(to)); return Number(to) })
    .subscription('chain_subscribeNewHeads', headSub(chain, 'chain_newHead', 'chain_unsubscribeNewHeads', 'block:new'))
    // the singular name is what polkadot-js `rpc.chain.subscribeNewHeads` calls
    .subscription('chain_subscribeNewHead', headSub(chain, 'chain_newHead', 'chain_unsubscribeNewHead', 'block:new'))
    .subscription('chain_subscribeAllHeads', headSub(chain, 'chain_allHead', 'chain_unsubscribeAllHeads', 'block:new'))
    .subscription('chain_subscribeFinalizedHeads', headSub(chain, 'chain_finalizedHead', 'chain_unsubscribeFinalizedHeads', 'block:finalized'))
    .subscription('state_subscribeRuntimeVersion', {
      notification: 'state_runtimeVersion',
      unsubscribe: 'state_unsubscribeRuntimeVersion',
      start: (_p, emit) => { emit(runtimeVersionJson(chain)); return () => {} }
    })
    .subscription('state_subscribeStorage', {
      notification: 'state_storage',
      unsubscribe: 'state_unsubscribeStorage',
      start: ([keys], emit) => {
        const list = (keys as string[] | undefined) ?? []
        let last = new Map(list.map(k => [k, chain.head.state.get(k) ?? null]))
        emit({ block: chain.head.hash, changes: list.map(k => [k, last.get(k) ?? null]) })
        const onBlock = (evt: CustomEvent<Block>): void => {
          const b = evt.detail
          const now = new Map(list.map(k => [k, b.state?.get(k) ?? null]))
          const changes = list.filter(k => now.get(k) !== last.get(k)).map(k => [k, now.get(k) ?? null])
          last = now
          if (changes.length > 0) emit({ block: b.hash, changes })
        }
        chain.addEventListener('block:new', onBlock)
        return () => { chain.removeEventListener('block:new', onBlock) }
      }
    })
    .subscription('author_submitAndWatchExtrinsic', {
      notification: 'author_extrinsicUpdate',
      unsubscribe: 'author_unwatchExtrinsic',
      start: ([bytes], emit, end) => {
        const onStatus = (s: TxStatus): void => {
          emit(s)
          if (typeof s === 'object' && ('finalized' in s || 'invalid' in s)) setTimeout(end, 50)
        }
        try {
          chain.submit(String(bytes) as Hex, onStatus)
        } catch (err) {
          wrap(err)
        }
        return () => {}
      }
    })
}

function headSub (chain: DevChain, notification: string, unsubscribe: string, event: 'block:new' | 'block:finalized'): Parameters<RpcServer['subscription']>[1] {
  return {
    notification,
    unsubscribe,
    start: (_p, emit) => {
      emit(headerJson(event === 'block:new' ? chain.head : chain.finalized))
      const on = (evt: CustomEvent<Block>): void => { emit(headerJson(evt.detail)) }
      chain.addEventListener(event, on)
      return () => { chain.removeEventListener(event, on) }
    }
  }
}

function stateCall (chain: DevChain, method: string, data: Uint8Array, at: Block & { state: NonNullable<Block['state']> }): Hex {
  const rt = chain.runtime
  const reg = rt.registry
  switch (method) {
    case 'Metadata_metadata_versions':
      return u8aToHex(reg.createType('Vec<u32>', [14, 15]).toU8a()) as Hex
    case 'Metadata_metadata_at_version': {
      const v = reg.createType('u32', data.subarray(0, 4)).toNumber()
      const bytes = v === 14 ? rt.v14 : v === 15 ? rt.v15 : undefined
      return (bytes == null ? '0x00' : u8aToHex(u8aConcat([1], compactToU8a(bytes.length), bytes))) as Hex
    }
    case 'Metadata_metadata':
      return u8aToHex(u8aConcat(compactToU8a(rt.v14.length), rt.v14)) as Hex
    case 'Core_version':
      return u8aToHex(reg.createType('RuntimeVersion', rt.version).toU8a()) as Hex
    case 'AccountNonceApi_account_nonce': {
      const who = reg.createType('AccountId32', data)
      return u8aToHex(reg.createType('u32', rt.read<{ nonce: { toNumber(): number } }>(at.state.overlay(), 'system', 'account', who.toString()).nonce.toNumber()).toU8a()) as Hex
    }
    case 'TransactionPaymentApi_query_info': {
      const len = reg.createType('u32', data.subarray(data.length - 4)).toNumber()
      return u8aToHex(reg.createType('RuntimeDispatchInfo', { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', partialFee: rt.fee(len) }).toU8a()) as Hex
    }
    default:
      throw new RpcError(-32000, `Client error: Execution failed: Exported method ${method} is not found`)
  }
}

/**
 * The writes of a `dev_setStorage` argument, in chopsticks' two forms: raw `[[key, value | null], …]`
 * pairs, or `{ Pallet: { Item: value } }` / `{ Pallet: { Item: [[[key…], value], …] } }` with values
 * as polkadot-js `createType` takes them (`null` deletes). Throws on anything else.
 */
function storageWrites (chain: DevChain, values: unknown): Array<readonly [Hex, Hex | null]> {
  const hex = (v: unknown): boolean => typeof v === 'string' && /^0x([0-9a-f]{2})*$/i.test(v)
  if (Array.isArray(values)) {
    return values.map((pair: unknown) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !hex(pair[0]) || !(pair[1] === null || hex(pair[1]))) throw new Error('dev_setStorage: expected [key, value | null] hex pairs')
      return [String(pair[0]).toLowerCase() as Hex, pair[1] === null ? null : String(pair[1]).toLowerCase() as Hex] as const
    })
  }
  if (values == null || typeof values !== 'object') throw new Error('dev_setStorage: expected hex pairs or { Pallet: { Item: value } }')
  const rt = chain.runtime
  const lower = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1)
  const out: Array<readonly [Hex, Hex | null]> = []
  for (const [pallet, items] of Object.entries(values as Record<string, Record<string, unknown>>)) {
    for (const [item, value] of Object.entries(items)) {
      const [section, method] = [lower(pallet), lower(item)]
      const entry = rt.query[section]?.[method]
      if (entry == null) throw new Error(`dev_setStorage: no storage ${pallet}.${item}`)
      const entries: Array<[unknown[], unknown]> = entry.meta.type.isPlain ? [[[], value]] : (value as Array<[unknown[], unknown]>)
      if (!Array.isArray(entries)) throw new Error(`dev_setStorage: ${pallet}.${item} is a map: give [[keys], value] pairs`)
      for (const [keys, v] of entries) {
        const key = rt.key(section, method, ...keys)
        if (v === null) {
          out.push([key, null])
          continue
        }
        // encode through the runtime's storage type: a one-entry scratch view receives the bytes
        let encoded: Hex | null = null
        rt.write({ get: () => undefined, set: (_k, val) => { encoded = val }, keys: () => [] }, v, section, method, ...keys)
        out.push([key, encoded])
      }
    }
  }
  return out
}
