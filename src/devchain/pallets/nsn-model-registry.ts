// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnModelRegistry (index 57) call implementations: a catalog of AI models and Lane 0 renderers,
 * and nodes' self-reported capability ads (`reference/nsn-chain.md` section 9).
 *
 * Fixed here (section 13, weakness 23, "permissionless spam surface, no deposit, no delete"):
 * - registering a model or renderer reserves a refundable deposit (`ModelDeposit`,
 *   `RendererDeposit`) from the caller, kept in the entry;
 * - the owner can remove its entry with `deregister_model` / `deregister_renderer`, which returns
 *   the deposit; a model a renderer depends on cannot be removed (`ModelInUse`, counted in
 *   `ModelDependents`, so no scan is needed);
 * - every length is bounded with a named error (ids, CIDs, hot/warm lists, dependencies).
 * The reference's other rules are kept: capabilities may all be false, capability ads are not
 * checked against the catalog, renderers must be deterministic and within the VRAM/latency caps.
 *
 * Not addressed: the registry is still not connected to the task market's own renderer registry;
 * capability ads cost no deposit (one per account, overwritten, so they do not accumulate).
 */
import { u8aToHex } from '@polkadot/util'
import { MODEL_REGISTRY_CONSTANTS as K } from '../metadata/pallets/nsn-model-registry.ts'
import { DispatchModuleError } from '../runtime.ts'
import { reserve, unreserve } from './currency.ts'
import { ensureSigned } from './origin.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

const PALLET = 'NsnModelRegistry'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)

interface BytesCodec { toU8a(bare?: boolean): Uint8Array }
interface NumCodec { toNumber(): number }
interface EntryCodec { registeredBy: { toString(): string }, deposit: { toBigInt(): bigint }, modelDependencies?: Iterable<BytesCodec> }

type Hex = `0x${string}`

class RegistryStore {
  readonly rt: DevRuntime
  readonly view: StorageView
  constructor (rt: DevRuntime, view: StorageView) {
    this.rt = rt
    this.view = view
  }

  now (): number { return this.rt.read<NumCodec>(this.view, 'system', 'number').toNumber() }
  get (method: string, id: Hex): EntryCodec | undefined {
    // `read` decodes the value type: an absent entry would read as a zeroed one
    if (this.view.get(this.rt.key('nsnModelRegistry', method, id)) == null) return undefined
    return this.rt.read<EntryCodec>(this.view, 'nsnModelRegistry', method, id)
  }

  put (value: unknown, method: string, key: unknown): void { this.rt.write(this.view, value, 'nsnModelRegistry', method, key) }
  remove (method: string, key: unknown): void { this.view.set(this.rt.key('nsnModelRegistry', method, key), null) }
  dependents (id: Hex): number { return this.rt.read<NumCodec>(this.view, 'nsnModelRegistry', 'modelDependents', id).toNumber() }
  setDependents (id: Hex, n: number): void {
    if (n === 0) this.remove('modelDependents', id)
    else this.put(n, 'modelDependents', id)
  }
}

/** A bounded, non-empty byte string, else `error`. */
function bounded (bytes: Uint8Array, max: number, error: string): Hex {
  if (bytes.length === 0 || bytes.length > max) throw fail(error)
  return u8aToHex(bytes)
}

const modelIds = (list: Uint8Array[], max: number, tooMany: string): Hex[] => {
  if (list.length > max) throw fail(tooMany)
  return list.map(id => bounded(id, K.maxModelIdLen, 'InvalidModelId'))
}

function registerModel (st: RegistryStore, who: string, rawId: Uint8Array, rawCid: Uint8Array, vram: number, capabilities: unknown): EventToEmit[] {
  const id = bounded(rawId, K.maxModelIdLen, 'InvalidModelId')
  const cid = bounded(rawCid, K.maxCidLen, 'InvalidContainerCid')
  if (st.get('modelCatalog', id) != null) throw fail('ModelAlreadyRegistered')
  const events = reserve(st.rt, st.view, who, K.modelDeposit, fail('InsufficientBalance'))
  st.put({ containerCid: cid, vramRequiredMb: vram, capabilities, registeredBy: who, registeredAt: st.now(), deposit: K.modelDeposit }, 'modelCatalog', id)
  return [...events, { pallet: PALLET, name: 'ModelRegistered', data: [id, cid, vram, who] }]
}

function updateCapabilities (st: RegistryStore, who: string, vram: number, hot: Uint8Array[], warm: Uint8Array[]): EventToEmit[] {
  const hotIds = modelIds(hot, K.maxHotModels, 'TooManyHotModels')
  const warmIds = modelIds(warm, K.maxWarmModels, 'TooManyWarmModels')
  st.put({ availableVramMb: vram, hotModels: hotIds, warmModels: warmIds, lastUpdated: st.now() }, 'nodeCapabilities', who)
  return [{ pallet: PALLET, name: 'NodeCapabilityUpdated', data: [who, vram, hotIds.length, warmIds.length] }]
}

interface RendererArgs { id: Uint8Array, cid: Uint8Array, vram: number, latency: number, deps: Uint8Array[], deterministic: boolean }

function registerRenderer (st: RegistryStore, who: string, r: RendererArgs): EventToEmit[] {
  const id = bounded(r.id, K.maxRendererIdLen, 'InvalidRendererId')
  const cid = bounded(r.cid, K.maxCidLen, 'InvalidContainerCid')
  if (st.get('rendererCatalog', id) != null) throw fail('RendererAlreadyRegistered')
  if (!r.deterministic) throw fail('RendererNotDeterministic')
  if (r.vram > K.maxRendererVramMb) throw fail('RendererVramExceeded')
  if (r.latency > K.maxRendererLatencyMs) throw fail('RendererLatencyExceeded')
  const deps = [...new Set(modelIds(r.deps, K.maxRendererModels, 'TooManyDependencies'))]
  for (const dep of deps) if (st.get('modelCatalog', dep) == null) throw fail('ModelDependencyNotFound')
  const events = reserve(st.rt, st.view, who, K.rendererDeposit, fail('InsufficientBalance'))
  for (const dep of deps) st.setDependents(dep, st.dependents(dep) + 1)
  st.put({ containerCid: cid, vramRequiredMb: r.vram, maxLatencyMs: r.latency, modelDependencies: deps, deterministic: true, registeredBy: who, registeredAt: st.now(), deposit: K.rendererDeposit }, 'rendererCatalog', id)
  return [...events, { pallet: PALLET, name: 'RendererRegistered', data: [id, cid, r.vram, r.latency, deps.length, who] }]
}

function deregister (st: RegistryStore, who: string, kind: 'model' | 'renderer', raw: Uint8Array): EventToEmit[] {
  const method = kind === 'model' ? 'modelCatalog' : 'rendererCatalog'
  const id = bounded(raw, kind === 'model' ? K.maxModelIdLen : K.maxRendererIdLen, kind === 'model' ? 'InvalidModelId' : 'InvalidRendererId')
  const entry = st.get(method, id)
  if (entry == null) throw fail(kind === 'model' ? 'ModelNotFound' : 'RendererNotFound')
  if (entry.registeredBy.toString() !== who) throw fail('NotOwner')
  if (kind === 'model' && st.dependents(id) > 0) throw fail('ModelInUse')
  if (kind === 'renderer') for (const dep of entry.modelDependencies ?? []) {
    const depId = u8aToHex(dep.toU8a(true))
    st.setDependents(depId, Math.max(0, st.dependents(depId) - 1))
  }
  st.remove(method, id)
  const deposit = entry.deposit.toBigInt()
  const events = unreserve(st.rt, st.view, who, deposit)
  return [...events, { pallet: PALLET, name: kind === 'model' ? 'ModelDeregistered' : 'RendererDeregistered', data: [id, who, deposit] }]
}

/**
 * Dispatches `nsnModelRegistry.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnModelRegistry (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const st = new RegistryStore(rt, view)
  const bytes = (i: number): Uint8Array => (args[i] as unknown as BytesCodec).toU8a(true)
  const list = (i: number): Uint8Array[] => [...(args[i] as unknown as Iterable<BytesCodec>)].map(b => b.toU8a(true))
  const num = (i: number): number => (args[i] as unknown as NumCodec).toNumber()
  switch (method) {
    case 'registerModel':
      return registerModel(st, ensureSigned(origin), bytes(0), bytes(1), num(2), args[3])
    case 'updateCapabilities':
      return updateCapabilities(st, ensureSigned(origin), num(0), list(1), list(2))
    case 'registerRenderer':
      return registerRenderer(st, ensureSigned(origin), {
        id: bytes(0), cid: bytes(1), vram: num(2), latency: num(3), deps: list(4), deterministic: (args[5] as unknown as { isTrue: boolean }).isTrue
      })
    case 'deregisterModel':
      return deregister(st, ensureSigned(origin), 'model', bytes(0))
    case 'deregisterRenderer':
      return deregister(st, ensureSigned(origin), 'renderer', bytes(0))
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** The pallet's hooks (see `hooks.ts`): none. */
export const nsnModelRegistryHooks: PalletHooks = {}
