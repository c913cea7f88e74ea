// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The typed worker RPC over real ports: a `worker_threads` worker running test/fixtures/rpc-worker.ts
 * (the Node adapter), and a MessageChannel through the browser adapter (Node's MessagePort is an
 * EventTarget like the browser's). Worker death of every kind rejects every pending call.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { createRpcClient } from '../../src/core/rpc/client.ts'
import { serveRpc } from '../../src/core/rpc/server.ts'
import { transfer } from '../../src/core/rpc/transfer.ts'
import { remoteStage } from '../../src/core/rpc/stage.ts'
import { messagePort, workerPort } from '../../src/platform/browser/worker-port.ts'
import { nodeWorkerPort, startTsWorker } from '../../src/platform/node/worker-port.ts'
import { FixtureBrokenError, testService } from '../fixtures/rpc-service.ts'
import { rpcContractSuite } from '../fixtures/rpc-suite.ts'
import type { SpeechOutput } from '../../src/core/lane0/stage.ts'
import type { TestContract } from '../fixtures/rpc-service.ts'

const WORKER = new URL('../fixtures/rpc-worker.ts', import.meta.url)

function startWorker (serve: 'service' | 'stage'): { worker: Worker, port: ReturnType<typeof nodeWorkerPort> } {
  const worker = startTsWorker(WORKER, { workerData: { serve } })
  return { worker, port: nodeWorkerPort(worker) }
}

function settle (p: Promise<unknown>): Promise<Error | 'resolved'> {
  return p.then(() => 'resolved' as const, (e: unknown) => e as Error)
}

describe('rpc over worker_threads', () => {
  rpcContractSuite(async () => {
    const { port } = startWorker('service')
    const client = createRpcClient<TestContract>(port, { errors: [FixtureBrokenError] })
    return { client, close: async () => { client.close(); await port.terminate() } }
  })

  for (const how of ['exit', 'throw'] as const) {
    it(`should reject every pending call with WorkerCrashedError when the worker dies (${how})`, async () => {
      const { port } = startWorker('service')
      const client = createRpcClient<TestContract>(port)
      const other = createRpcClient<TestContract>(port) // a second client on the same worker
      const progress: number[] = []
      const calls = [
        client.service.wait({ ms: 60_000 }),
        client.service.count({ steps: 100_000, delayMs: 5 }, { onProgress: p => { progress.push(p.step) } }),
        other.service.wait({ ms: 60_000 })
      ].map(settle)
      await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0)
      expect(client.pending + other.pending).toBe(3)
      calls.push(settle(client.service.crash({ how })))
      const errors = await Promise.all(calls)
      expect(errors.map(e => (e as Error).name)).toEqual(['WorkerCrashedError', 'WorkerCrashedError', 'WorkerCrashedError', 'WorkerCrashedError'])
      const cause = (errors[0] as Error).cause as Error
      expect(cause.message).toMatch(how === 'exit' ? /exited with code 3/ : /boom in the worker/)
      expect(client.pending).toBe(0)
      expect(((await settle(client.service.sum({ data: new Float32Array(1) }))) as Error).name).toBe('WorkerCrashedError')
      expect(other.pending).toBe(0)
      expect(((await settle(other.service.wait({ ms: 1 }))) as Error).name).toBe('WorkerCrashedError')
    })
  }

  it('should reject pending calls when the worker is terminated', async () => {
    const { port } = startWorker('service')
    const client = createRpcClient<TestContract>(port)
    await expect(client.service.count({ steps: 1, delayMs: 1 })).resolves.toBe(1)
    const call = client.service.wait({ ms: 60_000 })
    await port.terminate()
    expect(((await settle(call)) as Error).name).toBe('WorkerCrashedError')
  })

  it('should run a Stage in the worker: load, progress, output moved across, abort, unload', async () => {
    const { port } = startWorker('stage')
    try {
      const stage = await remoteStage<{ seconds: number }, SpeechOutput>(port)
      expect(stage.info).toMatchObject({ kind: 'speech', id: 'test-tone', neural: false })
      await stage.load()
      expect(stage.memoryEstimateBytes()).toBe(1024)
      const fractions: number[] = []
      const out = await stage.run({ seconds: 1 }, { onProgress: p => { fractions.push(p.fraction) } })
      expect(out.sampleRate).toBe(8000)
      expect(out.pcm).toBeInstanceOf(Float32Array)
      expect(out.pcm.length).toBe(8000)
      expect(out.pcm[2]).toBeCloseTo(Math.sin(2 * Math.PI * 440 * 2 / 8000), 6)
      expect(fractions.at(-1)).toBe(1)
      const controller = new AbortController()
      const run = stage.run({ seconds: 1 }, { signal: controller.signal, onProgress: () => { controller.abort() } })
      await expect(run).rejects.toMatchObject({ name: 'AbortError' })
      await stage.unload()
      expect(stage.memoryEstimateBytes()).toBe(0)
    } finally {
      await port.terminate()
    }
  })

  it('should fail to connect a stage with WorkerCrashedError when the worker cannot start', async () => {
    const worker = new Worker('throw new Error("no such stage")', { eval: true })
    const err = await settle(remoteStage(nodeWorkerPort(worker)))
    expect((err as Error).name).toBe('WorkerCrashedError')
    expect(((err as Error).cause as Error).message).toContain('no such stage')
  })
})

describe('rpc over a MessageChannel (browser adapter)', () => {
  rpcContractSuite(async () => {
    const channel = new MessageChannel()
    const server = serveRpc(messagePort(channel.port2), testService())
    const client = createRpcClient<TestContract>(messagePort(channel.port1), { errors: [FixtureBrokenError] })
    return {
      client,
      close: async () => { client.close(); server.close(); channel.port1.close(); channel.port2.close() }
    }
  })
})

/** A page-side `Worker` stand-in: an EventTarget whose messages cross a real MessageChannel. */
class FakeWorker extends EventTarget {
  terminated = 0
  readonly #port: MessagePort
  constructor (port: MessagePort) {
    super()
    this.#port = port
    port.addEventListener('message', event => { this.dispatchEvent(new MessageEvent('message', { data: event.data })) })
    port.start()
  }

  postMessage (message: unknown, transfer: Transferable[]): void { this.#port.postMessage(message, transfer) }
  terminate (): void { this.terminated++; this.#port.close() }
}

describe('rpc through the browser Worker adapter', () => {
  function connect (): { worker: FakeWorker, client: ReturnType<typeof createRpcClient<TestContract>> } {
    const channel = new MessageChannel()
    serveRpc(messagePort(channel.port2), testService())
    const worker = new FakeWorker(channel.port1)
    return { worker, client: createRpcClient<TestContract>(workerPort(worker as unknown as globalThis.Worker)) }
  }

  it('should call through the worker and move transferred buffers', async () => {
    const { worker, client } = connect()
    const data = new Float32Array([2, 3])
    await expect(client.service.sum(transfer({ data }, [data.buffer]))).resolves.toEqual({ total: 5, byteLength: 8 })
    expect(data.byteLength).toBe(0)
    worker.terminate()
  })

  it('should terminate the worker on its error event and reject every pending call with WorkerCrashedError', async () => {
    const { worker, client } = connect()
    const calls = [client.service.wait({ ms: 60_000 }), client.service.wait({ ms: 60_000 })].map(settle)
    await expect.poll(() => client.pending).toBe(2)
    worker.dispatchEvent(Object.assign(new Event('error'), { message: 'Uncaught ReferenceError: x is not defined' }))
    const errors = await Promise.all(calls)
    expect(errors.map(e => (e as Error).name)).toEqual(['WorkerCrashedError', 'WorkerCrashedError'])
    expect(((errors[0] as Error).cause as Error).message).toContain('x is not defined')
    expect(worker.terminated).toBe(1)
  })
})
