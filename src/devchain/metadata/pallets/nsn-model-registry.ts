// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_model_registry` (index 57): a catalog of AI models and Lane 0 renderers plus nodes'
 * self-reported capability ads. Names and indices follow `reference/nsn-chain.md` section 9. This
 * port's additions (section 13, weakness 23): a refundable deposit (`deposit` fields,
 * `ModelDeposit`/`RendererDeposit`), the owner-only `deregister_model`/`deregister_renderer` calls
 * with their events, the `ModelDependents` storage item and the errors after
 * `ModelDependencyNotFound`.
 */
import { NSN } from './nsn-stake.ts'
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const MODEL_REGISTRY_CONSTANTS = {
  maxModelIdLen: 64,
  maxCidLen: 128,
  maxHotModels: 10,
  maxWarmModels: 20,
  maxRendererIdLen: 64,
  maxRendererModels: 10,
  maxRendererVramMb: 11_500,
  maxRendererLatencyMs: 15_000,
  /** Reserved from the owner while a model is registered (weakness 23). */
  modelDeposit: 1n * NSN,
  /** Reserved from the owner while a renderer is registered (weakness 23). */
  rendererDeposit: 1n * NSN
} as const
const K = MODEL_REGISTRY_CONSTANTS

const path = (name: string): string[] => ['pallet_nsn_model_registry', 'types', name]
const account = (name: string): ReturnType<typeof f> => f(name, 'AccountId32', 'T::AccountId')
const modelId = (name = 'model_id'): ReturnType<typeof f> => f(name, 'BoundedVec<u8>', 'ModelId<T>')
const rendererId = (name = 'renderer_id'): ReturnType<typeof f> => f(name, 'BoundedVec<u8>', 'RendererId<T>')
const cid = f('container_cid', 'BoundedVec<u8>', 'BoundedVec<u8, T::MaxCidLen>')
const u32 = (name: string): ReturnType<typeof f> => f(name, 'u32', 'u32')
const balance = (name: string): ReturnType<typeof f> => f(name, 'u128', 'BalanceOf<T>')
const c = (name: string, type: string, value: bigint | number, doc: string): { name: string, type: string, value: bigint | number, docs: string[] } =>
  ({ name, type, value, docs: [` ${doc}`] })

/** The NsnModelRegistry pallet. */
export const nsnModelRegistry: PalletDef = {
  name: 'NsnModelRegistry',
  index: 57,
  crate: 'pallet_nsn_model_registry',
  types: [
    struct('ModelCapabilities', path('ModelCapabilities'), ['text_generation', 'image_generation', 'code_generation', 'embedding', 'speech_synthesis', 'video_generation'].map(n => f(n, 'bool', 'bool'))),
    struct('ModelMetadata', path('ModelMetadata'), [
      cid, u32('vram_required_mb'), f('capabilities', 'ModelCapabilities', 'ModelCapabilities'), account('registered_by'), f('registered_at', 'u32', 'BlockNumberFor<T>'), balance('deposit')
    ]),
    enumType('ModelState', path('ModelState'), units(['Hot', 'Warm', 'Cold'])),
    struct('NodeCapabilityAd', path('NodeCapabilityAd'), [
      u32('available_vram_mb'), f('hot_models', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxHotModels>'),
      f('warm_models', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxWarmModels>'), f('last_updated', 'u32', 'BlockNumberFor<T>')
    ]),
    struct('ModelRegistryRendererMetadata', path('RendererMetadata'), [
      cid, u32('vram_required_mb'), u32('max_latency_ms'), f('model_dependencies', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxRendererModels>'),
      f('deterministic', 'bool', 'bool'), account('registered_by'), f('registered_at', 'u32', 'BlockNumberFor<T>'), balance('deposit')
    ])
  ],
  calls: [
    v('register_model', 0, [modelId(), cid, u32('vram_required_mb'), f('capabilities', 'ModelCapabilities', 'ModelCapabilities')],
      ['Register a model; reserves `ModelDeposit` from the caller until it is deregistered.']),
    v('update_capabilities', 1, [u32('available_vram_mb'), f('hot_models', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxHotModels>'),
      f('warm_models', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxWarmModels>')], ['Replace the caller\'s capability ad.']),
    v('register_renderer', 2, [rendererId(), cid, u32('vram_required_mb'), u32('max_latency_ms'),
      f('model_dependencies', 'BoundedVec<BoundedVec<u8>>', 'BoundedVec<ModelId<T>, T::MaxRendererModels>'), f('deterministic', 'bool', 'bool')],
    ['Register a deterministic Lane 0 renderer whose models are registered; reserves `RendererDeposit` until it is deregistered.']),
    v('deregister_model', 3, [modelId()], ['Remove a model the caller registered (no renderer may depend on it) and return its deposit.']),
    v('deregister_renderer', 4, [rendererId()], ['Remove a renderer the caller registered and return its deposit.'])
  ],
  events: [
    v('ModelRegistered', 0, [modelId(), cid, u32('vram_required_mb'), account('registered_by')], ['A model was registered.']),
    v('NodeCapabilityUpdated', 1, [account('node'), u32('available_vram_mb'), u32('hot_model_count'), u32('warm_model_count')], ['A node replaced its capability ad.']),
    v('RendererRegistered', 2, [rendererId(), cid, u32('vram_required_mb'), u32('max_latency_ms'), u32('model_count'), account('registered_by')], ['A renderer was registered.']),
    v('ModelDeregistered', 3, [modelId(), account('owner'), balance('deposit')], ['A model was removed and its deposit returned.']),
    v('RendererDeregistered', 4, [rendererId(), account('owner'), balance('deposit')], ['A renderer was removed and its deposit returned.'])
  ],
  errors: [
    v('ModelAlreadyRegistered', 0, [], ['A model with this id is registered.']),
    v('ModelNotFound', 1, [], ['No model with this id.']),
    v('InvalidContainerCid', 2, [], ['The container CID is empty or longer than `MaxCidLen`.']),
    v('InvalidModelId', 3, [], ['A model id is empty or longer than `MaxModelIdLen`.']),
    v('NoCapabilities', 4, [], ['Declared to keep the reference\'s indices; a model may still declare no capability, as in the reference.']),
    v('TooManyHotModels', 5, [], ['More than `MaxHotModels` hot models.']),
    v('TooManyWarmModels', 6, [], ['More than `MaxWarmModels` warm models.']),
    v('RendererAlreadyRegistered', 7, [], ['A renderer with this id is registered.']),
    v('InvalidRendererId', 8, [], ['The renderer id is empty or longer than `MaxRendererIdLen`.']),
    v('RendererNotDeterministic', 9, [], ['Lane 0 renderers must be deterministic.']),
    v('RendererVramExceeded', 10, [], ['The renderer needs more than `MaxRendererVramMb`.']),
    v('RendererLatencyExceeded', 11, [], ['The renderer\'s latency is above `MaxRendererLatencyMs`.']),
    v('ModelDependencyNotFound', 12, [], ['A dependency of the renderer is not a registered model.']),
    v('InsufficientBalance', 13, [], ['The free balance (keeping the existential deposit) cannot cover the deposit.']),
    v('NotOwner', 14, [], ['Only the account that registered the entry may remove it.']),
    v('RendererNotFound', 15, [], ['No renderer with this id.']),
    v('ModelInUse', 16, [], ['A registered renderer depends on the model: deregister the renderer first.']),
    v('TooManyDependencies', 17, [], ['More than `MaxRendererModels` model dependencies.'])
  ],
  storage: [
    { name: 'ModelCatalog', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: 'BoundedVec<u8>', type: 'ModelMetadata', docs: [' Registered models by id.'] },
    { name: 'NodeCapabilities', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: 'NodeCapabilityAd', docs: [' Each node\'s latest capability ad.'] },
    { name: 'RendererCatalog', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: 'BoundedVec<u8>', type: 'ModelRegistryRendererMetadata', docs: [' Registered Lane 0 renderers by id.'] },
    { name: 'ModelDependents', modifier: 'Default', hashers: ['Blake2_128Concat'], key: 'BoundedVec<u8>', type: 'u32', docs: [' How many registered renderers depend on a model.'] }
  ],
  constants: [
    c('MaxModelIdLen', 'u32', K.maxModelIdLen, 'Longest model id.'),
    c('MaxCidLen', 'u32', K.maxCidLen, 'Longest container CID.'),
    c('MaxHotModels', 'u32', K.maxHotModels, 'Hot models per capability ad.'),
    c('MaxWarmModels', 'u32', K.maxWarmModels, 'Warm models per capability ad.'),
    c('MaxRendererIdLen', 'u32', K.maxRendererIdLen, 'Longest renderer id.'),
    c('MaxRendererModels', 'u32', K.maxRendererModels, 'Model dependencies per renderer.'),
    c('MaxRendererVramMb', 'u32', K.maxRendererVramMb, 'The most VRAM a renderer may need (MB).'),
    c('MaxRendererLatencyMs', 'u32', K.maxRendererLatencyMs, 'The highest renderer latency (ms).'),
    c('ModelDeposit', 'u128', K.modelDeposit, 'Reserved per registered model, returned on deregistration.'),
    c('RendererDeposit', 'u128', K.rendererDeposit, 'Reserved per registered renderer, returned on deregistration.')
  ],
  docs: ['A deposit-backed catalog of AI models and Lane 0 renderers, and nodes\' capability ads.']
}
