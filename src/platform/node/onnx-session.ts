// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The {@link SessionFactory} for Node: onnxruntime-node (CPU execution provider; the npm package ships
 * the CPU binary, `.npmrc` skips the optional CUDA download). Loaded lazily so that processes that never
 * run a production model do not load the native library.
 */
import { AbortError } from '../../core/errors.ts'
import type { InferenceSession, SessionFactory, SessionOptions, Tensor } from '../../core/ai/inference.ts'
import type * as OrtModule from 'onnxruntime-node'

type Ort = typeof OrtModule

let ortPromise: Promise<Ort> | undefined
async function ort (): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').then(m => (m as unknown as { default?: Ort }).default ?? m)
  return await ortPromise
}

/** Creates onnxruntime-node sessions (execution providers default to `['cpu']`). */
export const nodeSessionFactory: SessionFactory = async (model: Uint8Array, options: SessionOptions = {}): Promise<InferenceSession> => {
  options.signal?.throwIfAborted()
  const rt = await ort()
  const session = await rt.InferenceSession.create(model, {
    executionProviders: options.executionProviders ?? ['cpu'],
    ...(options.freeDimensionOverrides != null ? { freeDimensionOverrides: options.freeDimensionOverrides } : {})
  })
  let released = false
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run (feeds, runOptions = {}) {
      if (runOptions.signal?.aborted === true) throw new AbortError()
      const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {}
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new rt.Tensor(t.type, t.data as never, t.dims as number[])
      const out = await session.run(ortFeeds)
      const result: Record<string, Tensor> = {}
      for (const [name, t] of Object.entries(out)) result[name] = { type: t.type as Tensor['type'], data: t.data as Tensor['data'], dims: t.dims }
      return result
    },
    async release () {
      if (released) return
      released = true
      await session.release()
    }
  }
}
