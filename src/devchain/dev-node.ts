// SPDX-License-Identifier: GPL-3.0-or-later
/** The dev chain as one object: runtime, dev genesis, block production and the JSON-RPC server. */
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { DevChain } from './chain.ts'
import { devGenesis } from './genesis.ts'
import { registerMethods } from './rpc-methods.ts'
import { RpcServer } from './rpc-server.ts'
import { DevRuntime } from './runtime.ts'

export interface DevNodeInit {
  host?: string
  /** @default 9944 (0 picks a free port) */
  port?: number
  /** Block interval in ms. @default 1000 */
  blockTimeMs?: number
  /** Build a block as soon as a transaction arrives instead of on an interval. */
  instant?: boolean
}

export interface DevNode {
  url: string
  chain: DevChain
  stop(): Promise<void>
}

export async function startDevNode (init: DevNodeInit = {}): Promise<DevNode> {
  await cryptoWaitReady()
  const runtime = new DevRuntime()
  const chain = new DevChain({ runtime, genesis: await devGenesis(runtime) })
  const server = new RpcServer()
  const produce = () => chain.produceBlock()
  registerMethods(server, chain, { produce })
  const url = await server.listen({ host: init.host, port: init.port ?? 9944 })
  let timer: ReturnType<typeof setInterval> | undefined
  if (init.instant === true) {
    let scheduled = false
    const poll = setInterval(() => {
      if (scheduled || chain.pendingExtrinsics().length === 0) return
      scheduled = true
      setTimeout(() => { scheduled = false; produce() }, 5)
    }, 10)
    timer = poll
  } else {
    timer = setInterval(produce, init.blockTimeMs ?? 1000)
  }
  return {
    url,
    chain,
    stop: async () => {
      clearInterval(timer)
      await server.close()
    }
  }
}
