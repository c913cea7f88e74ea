// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The chain module: `ChainClient` (over a lazily loaded `ApiPromise`) for the wallet and director
 * code, `RawStorageReader` (raw JSON-RPC, no `@polkadot/api`) for the viewer path, the `TxSigner`
 * contract and the chain's named errors.
 */
export { connectChain, ChainClient, CHAIN_CONNECT_TIMEOUT } from './client.ts'
export type {
  ChainCall, ChainHead, ChainInfo, CommitteeMember, ConnectChainOptions, NsnFeatures, RegisterSessionKeyParams, StakeDepositParams,
  StakeThresholds, SubmitOptions, SubmitRecipeParams, TransferParams
} from './client.ts'
export { canonicalJson, parseRecipe, recipeHash } from './recipe.ts'
export { TxHandle } from './tx-handle.ts'
export type { ChainEvent, TxEvents, TxFinalized, TxInBlock } from './tx-handle.ts'
export { keyringSigner } from './signer.ts'
export type { KeyringSignerInit, TxSignature, TxSigner } from './signer.ts'
export { RawStorageReader } from './storage-reader.ts'
export type { RawCommitteeMember, RawStorageReaderComponents, RawStorageReaderInit, StorageReadOptions } from './storage-reader.ts'
export { JsonRpcError, webSocketTransport } from './transport.ts'
export type { JsonRpcTransport, WebSocketLike, WebSocketTransportInit } from './transport.ts'
export {
  NODE_ROLES, REGIONS, SESSION_KEY_PROOF_DOMAIN, accountMapKey, blake2128Concat, currentEpochKey, epochCommitteeKey, sessionKeyProofMessage,
  sessionKeyStorageKey, storagePrefix, twox64Concat
} from './wire.ts'
export type { AccountSnapshot, EpochSnapshot, NodeRole, Region, StakeSnapshot } from './wire.ts'
export {
  AbortError, ChainConnectError, ChainDispatchError, ChainModuleError, InvalidTransactionError, TxDroppedError
} from './errors.ts'
export type { ChainTxError, InvalidTransactionReason } from './errors.ts'
