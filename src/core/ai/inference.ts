// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The inference runtime as the production stages see it: tensors and sessions, structurally what
 * onnxruntime-web and onnxruntime-node expose, so that core code never imports a runtime. The platform
 * injects a {@link SessionFactory} (src/platform/node/onnx-session.ts: onnxruntime-node;
 * src/platform/browser/onnx-session.ts: onnxruntime-web on WebGPU or WASM).
 */
import type { AbortOptions } from '../options.ts'

/** Element types the Lane-0 models use. */
export type TensorType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool'

/** Typed-array storage per element type (`float16` is raw IEEE half bits). */
export interface TensorDataOf {
  float32: Float32Array
  float16: Uint16Array
  int64: BigInt64Array
  int32: Int32Array
  uint8: Uint8Array
  bool: Uint8Array
}

/** A dense tensor, row-major. */
export interface Tensor<T extends TensorType = TensorType> {
  type: T
  data: TensorDataOf[T]
  dims: readonly number[]
}

/** A loaded model. `run` rejects with `AbortError` when the signal fires before it starts. */
export interface InferenceSession {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  run(feeds: Record<string, Tensor>, options?: AbortOptions): Promise<Record<string, Tensor>>
  /** Frees the session's memory; idempotent. */
  release(): Promise<void>
}

/** Options for creating a session. */
export interface SessionOptions extends AbortOptions {
  /** Preferred execution providers in order, e.g. `['webgpu', 'wasm']` or `['cpu']`. */
  executionProviders?: string[]
  /**
   * Values for symbolic dimensions (e.g. `{ batch: 1 }`), which lets a runtime plan memory and pick
   * kernels ahead of time; the SD-Turbo example needs them on onnxruntime-web.
   */
  freeDimensionOverrides?: Record<string, number>
}

/** Creates a session from the bytes of an `.onnx` file. */
export type SessionFactory = (model: Uint8Array, options?: SessionOptions) => Promise<InferenceSession>

/** Thrown when a model's inputs or outputs do not have the names a stage expects. */
export class ModelSignatureError extends Error {
  static override name = 'ModelSignatureError'
  constructor (model: string, message: string) {
    super(`${model}: ${message}`)
    this.name = 'ModelSignatureError'
  }
}

/** Checks that `session` has (at least) the named inputs and outputs; throws {@link ModelSignatureError}. */
export function checkSignature (model: string, session: InferenceSession, inputs: readonly string[], outputs: readonly string[]): void {
  const missingIn = inputs.filter(n => !session.inputNames.includes(n))
  const missingOut = outputs.filter(n => !session.outputNames.includes(n))
  if (missingIn.length > 0 || missingOut.length > 0) {
    throw new ModelSignatureError(model, `expected inputs [${inputs.join(', ')}] and outputs [${outputs.join(', ')}], the file has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`)
  }
}

/** A tensor from its parts, checking that the element count matches the dims. */
export function tensor<T extends TensorType> (type: T, data: TensorDataOf[T], dims: readonly number[]): Tensor<T> {
  const n = dims.reduce((a, b) => a * b, 1)
  if (data.length !== n) throw new RangeError(`tensor of dims [${dims.join(', ')}] needs ${n} elements, got ${data.length}`)
  return { type, data, dims }
}
