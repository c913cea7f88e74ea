// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A Lane-0 {@link Stage} over a port: {@link serveStage} in the worker, {@link remoteStage} in the
 * caller, which gets back a `Stage` again, so the scheduler does not know where a stage runs
 * (STYLE.md 5.8 rule 9).
 */
import { createRpcClient } from './client.ts'
import { serveRpc } from './server.ts'
import { collectTransferables, transfer } from './transfer.ts'
import type { AbortOptions } from '../options.ts'
import type { Stage, StageInfo, StageProgress, StageRunOptions } from '../lane0/stage.ts'
import type { RpcClientInit } from './client.ts'
import type { RpcPort } from './port.ts'
import type { CallOptions } from './protocol.ts'
import type { RpcServer, RpcServerInit } from './server.ts'

/** What a stage says about itself across a port. */
export interface StageState {
  info: StageInfo
  memoryEstimateBytes: number
}

/** The RPC contract of a stage. */
export interface StageContract<Input, Output> {
  describe(params: null, options?: CallOptions<never>): Promise<StageState>
  load(params: null, options?: CallOptions<never>): Promise<StageState>
  run(input: Input, options?: CallOptions<StageProgress>): Promise<Output>
  unload(params: null, options?: CallOptions<never>): Promise<StageState>
}

export interface ServeStageInit extends RpcServerInit {
  /**
   * Move every `ArrayBuffer` of a run's output to the caller instead of copying it (the stage must
   * not keep its outputs).
   * @default true
   */
  transferOutput?: boolean
}

/** The contract of `stage`, in-thread. */
export function stageService<Input, Output> (stage: Stage<Input, Output>, init: ServeStageInit = {}): StageContract<Input, Output> {
  const transferOutput = init.transferOutput ?? true
  const state = (): StageState => ({ info: stage.info, memoryEstimateBytes: stage.memoryEstimateBytes() })
  return {
    describe: async () => state(),
    load: async (_params, options) => { await stage.load(options); return state() },
    run: async (input, options) => {
      const output = await stage.run(input, options)
      return transferOutput ? transfer(output, collectTransferables(output)) : output
    },
    unload: async () => { await stage.unload(); return state() }
  }
}

/** Serves `stage` on `port` (in a worker entry file). */
export function serveStage<Input, Output> (port: RpcPort, stage: Stage<Input, Output>, init: ServeStageInit = {}): RpcServer {
  return serveRpc(port, stageService(stage, init), init)
}

export interface RemoteStageInit extends RpcClientInit, AbortOptions {
  /**
   * Move every `ArrayBuffer` of a run's input to the worker instead of copying it: the caller's
   * buffers are detached after `run`.
   * @default false
   */
  transferInput?: boolean
}

/** A {@link Stage} whose work happens on the other side of a port; `close()` stops listening. */
export interface RemoteStage<Input, Output> extends Stage<Input, Output> {
  close(): void
}

/**
 * Connects to a stage served on `port`: asks for its info and memory estimate (rejecting with
 * `WorkerCrashedError` if the worker dies first), then forwards load/run/unload with abort and progress.
 */
export async function remoteStage<Input, Output> (port: RpcPort, init: RemoteStageInit = {}): Promise<RemoteStage<Input, Output>> {
  const client = createRpcClient<StageContract<Input, Output>>(port, init)
  const remote = client.service
  let state: StageState
  try {
    state = await remote.describe(null, { signal: init.signal })
  } catch (err) {
    client.close()
    throw err
  }
  const update = (s: StageState): void => { state = s }
  return {
    get info () { return state.info },
    memoryEstimateBytes: () => state.memoryEstimateBytes,
    load: async (options?: AbortOptions) => { update(await remote.load(null, { signal: options?.signal })) },
    run: async (input: Input, options?: StageRunOptions) => {
      const params = init.transferInput === true ? transfer(input, collectTransferables(input)) : input
      return await remote.run(params, { signal: options?.signal, onProgress: options?.onProgress })
    },
    unload: async () => { update(await remote.unload(null)) },
    close: () => { client.close() }
  }
}
