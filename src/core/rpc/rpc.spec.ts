// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { FixtureBrokenError, testService, toneStage } from '../../../test/fixtures/rpc-service.ts'
import { rpcContractSuite } from '../../../test/fixtures/rpc-suite.ts'
import { AbortError } from '../errors.ts'
import { RecipeValidationError } from '../lane0/recipe.ts'
import { createRpcClient } from './client.ts'
import { memoryPortPair } from './port.ts'
import { RPC_VERSION } from './protocol.ts'
import { deserializeError, errorRegistry, serializeError } from './serialize-error.ts'
import { serveRpc } from './server.ts'
import { remoteStage, serveStage } from './stage.ts'
import { collectTransferables } from './transfer.ts'
import type { TestContract } from '../../../test/fixtures/rpc-service.ts'

/** The error `p` rejects with; fails when it resolves. */
async function rejection (p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('the call resolved')
}

describe('rpc in-thread (linked port pair)', () => {
  rpcContractSuite(async () => {
    const [a, b] = memoryPortPair()
    const server = serveRpc(b, testService())
    const client = createRpcClient<TestContract>(a, { errors: [FixtureBrokenError] })
    return { client, close: async () => { client.close(); server.close() } }
  })

  it('should rebuild a registered class so instanceof holds too', async () => {
    const [a, b] = memoryPortPair()
    serveRpc(b, testService())
    const err = await rejection(createRpcClient<TestContract>(a, { errors: [FixtureBrokenError] }).service.fail({ kind: 'fixture' }))
    expect(err).toBeInstanceOf(FixtureBrokenError)
    const plain = await rejection(createRpcClient<TestContract>(a).service.fail({ kind: 'fixture' }))
    expect(plain).not.toBeInstanceOf(FixtureBrokenError)
    expect(plain.name).toBe('FixtureBrokenError')
  })

  it('should reject every pending call, and later ones, with WorkerCrashedError when the port dies', async () => {
    const [a, b] = memoryPortPair()
    const server = serveRpc(b, testService())
    const client = createRpcClient<TestContract>(a)
    const calls = [client.service.wait({ ms: 60_000 }), client.service.count({ steps: 1000, delayMs: 10 })]
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(client.pending).toBe(2)
    expect(server.running).toBe(2)
    a.close(new Error('gone'))
    const errors = await Promise.all(calls.map(rejection))
    expect(errors.map(e => e.name)).toEqual(['WorkerCrashedError', 'WorkerCrashedError'])
    expect((errors[0]!.cause as Error).message).toBe('gone')
    expect(server.running).toBe(0) // the callee's calls were aborted too
    expect((await rejection(client.service.sum({ data: new Float32Array(1) }))).name).toBe('WorkerCrashedError')
  })

  it('should reject pending calls with RpcClosedError when the caller closes', async () => {
    const [a, b] = memoryPortPair()
    serveRpc(b, testService())
    const client = createRpcClient<TestContract>(a)
    const call = client.service.wait({ ms: 60_000 })
    client.close()
    expect((await rejection(call)).name).toBe('RpcClosedError')
  })

  it('should answer another protocol version with RpcProtocolError', async () => {
    const [a, b] = memoryPortPair()
    serveRpc(b, testService())
    const reply = new Promise(resolve => a.onMessage(resolve))
    a.postMessage({ v: RPC_VERSION + 1, type: 'call', id: 9, method: 'sum', params: null }, [])
    expect(await reply).toMatchObject({ type: 'error', id: 9, error: { name: 'RpcProtocolError' } })
  })

  it('should serve a Stage and give back a Stage: info, memory estimate, progress, abort, output', async () => {
    const [a, b] = memoryPortPair()
    serveStage(b, toneStage())
    const stage = await remoteStage<{ seconds: number }, { sampleRate: number, pcm: Float32Array }>(a)
    expect(stage.info.id).toBe('test-tone')
    expect(stage.memoryEstimateBytes()).toBe(0)
    await expect(stage.run({ seconds: 0.1 })).rejects.toMatchObject({ name: 'InvalidInputError' })
    await stage.load()
    expect(stage.memoryEstimateBytes()).toBe(1024)
    const fractions: number[] = []
    const out = await stage.run({ seconds: 0.5 }, { onProgress: p => { fractions.push(p.fraction) } })
    expect(out.pcm.length).toBe(4000)
    expect(out.pcm[20]).toBeCloseTo(Math.sin(2 * Math.PI * 440 * 20 / 8000), 6)
    expect(fractions).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
    const controller = new AbortController()
    const aborted = stage.run({ seconds: 0.5 }, { signal: controller.signal, onProgress: () => { controller.abort() } })
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    await stage.unload()
    expect(stage.memoryEstimateBytes()).toBe(0)
    stage.close()
  })
})

describe('serializeError', () => {
  it('should keep name, message, JSON-safe fields and the cause chain', () => {
    const err = new RecipeValidationError([{ field: 'fps', message: 'must be at least 12 fps' }], { cause: new AbortError('x') })
    const data = structuredClone(serializeError(err))
    const back = deserializeError(data, errorRegistry([RecipeValidationError]))
    expect(back).toBeInstanceOf(RecipeValidationError)
    expect(back.name).toBe('RecipeValidationError')
    expect(back.message).toBe(err.message)
    expect((back as RecipeValidationError).issues).toEqual(err.issues)
    expect((back.cause as Error).name).toBe('AbortError')
    const fn = Object.assign(new Error('m'), { callback: () => 1, n: 5n, ok: 'yes' })
    expect(serializeError(fn).fields).toEqual({ ok: 'yes' })
  })
})

describe('collectTransferables', () => {
  it('should find each ArrayBuffer once through objects, arrays and views', () => {
    const buf = new ArrayBuffer(16)
    const other = new Uint8Array(4)
    const found = collectTransferables({ a: new Float32Array(buf), b: [new Uint8Array(buf, 4), { c: other }], d: buf, e: 'x' })
    expect(found).toHaveLength(2)
    expect(found).toContain(buf)
    expect(found).toContain(other.buffer)
    expect(collectTransferables(new Map([[1, new Uint8Array(2)]]))).toEqual([])
  })
})
