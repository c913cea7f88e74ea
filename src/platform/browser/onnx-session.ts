// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The {@link SessionFactory} for pages and workers: onnxruntime-web (the default build, WebGPU through
 * JSEP plus the WASM CPU kernels). The runtime's files are fetched from a URL the caller gives
 * (`env.wasm.wasmPaths`; serve `ort-wasm-simd-threaded.jsep.{wasm,mjs}` from
 * `node_modules/onnxruntime-web/dist`). WASM runs single-threaded unless the context is cross-origin
 * isolated (threads need `SharedArrayBuffer`); then the `.mjs` is also the script of the thread
 * workers and must be served with `Cross-Origin-Embedder-Policy: require-corp`. Loaded lazily so that
 * pages that never run a model do not load the runtime. The Node twin is
 * src/platform/node/onnx-session.ts. Tested in Debian Chromium by e2e/onnx-web.spec.ts.
 *
 * onnxruntime-web does not say which execution provider a session ended up on, and it fails the whole
 * session when a requested provider cannot start (a missing WebGPU adapter). So the providers are tried
 * one at a time, in order: the session reports the first one it could be created with, and
 * {@link NoExecutionProviderError} lists why each failed when none could.
 */
import { AbortError, InvalidInputError } from '../../core/errors.ts'
import type { InferenceSession, SessionFactory, SessionOptions, Tensor } from '../../core/ai/inference.ts'
import type * as OrtModule from 'onnxruntime-web'

type Ort = typeof OrtModule

/** How onnxruntime-web is set up; the first session fixes it for the page or worker. */
export interface BrowserSessionInit {
  /**
   * URL prefix (ending in `/`) of the onnxruntime-web `dist` files, or the URLs of the files themselves
   * (`ort-wasm-simd-threaded.jsep.wasm`, and `.jsep.mjs` for threads).
   */
  wasmPaths: string | { wasm: string, mjs?: string }
  /** WASM threads when cross-origin isolated. @default min(4, navigator.hardwareConcurrency) */
  numThreads?: number
}

/** A session, with the execution provider it runs on. */
export interface BrowserInferenceSession extends InferenceSession {
  /** The provider the session was created with (`'webgpu'`, `'wasm'`, …): the first that worked. */
  readonly executionProvider: string
  /** The providers that were asked for, in order. */
  readonly requestedExecutionProviders: readonly string[]
  /** Why each provider tried before {@link executionProvider} failed. */
  readonly skippedExecutionProviders: ReadonlyArray<{ provider: string, message: string }>
}

/** Thrown when no requested execution provider could create the session; `attempts` says why for each. */
export class NoExecutionProviderError extends Error {
  static override name = 'NoExecutionProviderError'
  readonly attempts: ReadonlyArray<{ provider: string, message: string }>
  constructor (attempts: ReadonlyArray<{ provider: string, message: string }>, options?: ErrorOptions) {
    super(`No execution provider could run the model: ${attempts.map(a => `[${a.provider}] ${a.message}`).join('; ')}`, options)
    this.name = 'NoExecutionProviderError'
    this.attempts = attempts
  }
}

/** `['webgpu', 'wasm']` where the context exposes WebGPU (`navigator.gpu`), `['wasm']` otherwise. */
export function defaultExecutionProviders (nav: Navigator | undefined = globalThis.navigator): string[] {
  return nav?.gpu != null ? ['webgpu', 'wasm'] : ['wasm']
}

let ortPromise: Promise<Ort> | undefined
let appliedEnv: string | undefined

async function ort (init: BrowserSessionInit): Promise<Ort> {
  const threads = globalThis.crossOriginIsolated === true
    ? Math.max(1, init.numThreads ?? Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1))
    : 1
  const env = JSON.stringify({ wasmPaths: init.wasmPaths, threads })
  if (appliedEnv !== undefined && appliedEnv !== env) {
    throw new InvalidInputError(`onnxruntime-web is already set up with ${appliedEnv} in this context; it cannot switch to ${env}`, { field: 'wasmPaths' })
  }
  appliedEnv = env
  ortPromise ??= import('onnxruntime-web').then(m => {
    const rt = (m as unknown as { default?: Ort }).default ?? m
    rt.env.wasm.wasmPaths = init.wasmPaths
    rt.env.wasm.numThreads = threads
    rt.env.wasm.proxy = false
    return rt
  })
  return await ortPromise
}

/** Creates a {@link SessionFactory} on onnxruntime-web; its sessions are {@link BrowserInferenceSession}s. */
export function browserSessionFactory (init: BrowserSessionInit): SessionFactory {
  return async (model: Uint8Array, options: SessionOptions = {}): Promise<BrowserInferenceSession> => {
    options.signal?.throwIfAborted()
    const rt = await ort(init)
    const requested = options.executionProviders ?? defaultExecutionProviders()
    const attempts: Array<{ provider: string, message: string }> = []
    let session: OrtModule.InferenceSession | undefined
    let provider: string | undefined
    for (const ep of requested) {
      options.signal?.throwIfAborted()
      try {
        session = await rt.InferenceSession.create(model, { executionProviders: [ep] })
        provider = ep
        break
      } catch (err) {
        attempts.push({ provider: ep, message: (err as Error).message ?? String(err) })
      }
    }
    if (session === undefined || provider === undefined) throw new NoExecutionProviderError(attempts)
    if (options.signal?.aborted === true) {
      await session.release()
      throw new AbortError(undefined, { cause: options.signal.reason })
    }
    return wrap(rt, session, provider, requested, attempts)
  }
}

function wrap (rt: Ort, session: OrtModule.InferenceSession, provider: string, requested: readonly string[], skipped: BrowserInferenceSession['skippedExecutionProviders']): BrowserInferenceSession {
  let released = false
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    executionProvider: provider,
    requestedExecutionProviders: requested,
    skippedExecutionProviders: skipped,
    async run (feeds, runOptions = {}) {
      if (runOptions.signal?.aborted === true) throw new AbortError()
      const ortFeeds: Record<string, OrtModule.Tensor> = {}
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new rt.Tensor(t.type, t.data as never, t.dims as number[])
      const out = await session.run(ortFeeds)
      const result: Record<string, Tensor> = {}
      for (const [name, t] of Object.entries(out)) result[name] = { type: t.type as Tensor['type'], data: fromOrtData(t), dims: t.dims }
      return result
    },
    async release () {
      if (released) return
      released = true
      await session.release()
    }
  }
}

/** Output data as the core types it; float16 comes back as a `Float16Array` where the browser has one. */
function fromOrtData (t: OrtModule.Tensor): Tensor['data'] {
  const data = t.data as ArrayBufferView & { length: number }
  if (t.type === 'float16' && !(data instanceof Uint16Array)) return new Uint16Array(data.buffer, data.byteOffset, data.length)
  return data as Tensor['data']
}
