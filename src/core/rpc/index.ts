// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Typed worker RPC (STYLE.md 5.5): one contract, served in-thread or over a port (Web Worker,
 * `worker_threads`), with correlated ids, progress, abort, transfer lists and named errors. Platform
 * ports are in src/platform/{browser,node}/worker-port.ts.
 */
export { abortReason, createRpcClient } from './client.ts'
export type { RpcClient, RpcClientInit } from './client.ts'
export { RpcClosedError, RpcProtocolError, WorkerCrashedError } from './errors.ts'
export { memoryPortPair } from './port.ts'
export type { MemoryPort, RpcPort } from './port.ts'
export { RPC_VERSION, isRpcMessage } from './protocol.ts'
export type { CallOptions, RpcCallMessage, RpcMethod, RpcMethodName, RpcParams, RpcProgress, RpcRequest, RpcResponse, RpcResult } from './protocol.ts'
export { DEFAULT_ERROR_CLASSES, deserializeError, errorRegistry, serializeError } from './serialize-error.ts'
export type { ErrorClass, SerializedError } from './serialize-error.ts'
export { serveRpc } from './server.ts'
export type { RpcServer, RpcServerInit } from './server.ts'
export { remoteStage, serveStage, stageService } from './stage.ts'
export type { RemoteStage, RemoteStageInit, ServeStageInit, StageContract, StageState } from './stage.ts'
export { collectTransferables, takeTransferables, transfer } from './transfer.ts'
