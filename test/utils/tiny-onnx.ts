// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Builds tiny ONNX models (npm `onnx-proto`) with the input/output names and shapes of the real
 * production models, so that the production stage code paths run in tests without the weights.
 *
 * @example
 * ```ts
 * const bytes = tinyModel({
 *   inputs: [{ name: 'x', type: 'float32', shape: [1, 4] }],
 *   outputs: [{ name: 'y', type: 'float32', shape: [1, 4] }],
 *   nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }]
 * })
 * ```
 */
import onnxProto from 'onnx-proto'
import type { TensorType } from '../../src/core/ai/inference.ts'
import type { onnx as OnnxTypes } from 'onnx-proto'

const { onnx } = onnxProto as unknown as { onnx: typeof OnnxTypes }

const DATA_TYPE: Record<TensorType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 }

/** A graph input or output; string dims are symbolic (dynamic). */
export interface TinyValue {
  name: string
  type: TensorType
  shape: Array<number | string>
}

/** A constant tensor (initializer or tensor attribute). */
export interface TinyTensor {
  type: 'float32' | 'int64' | 'int32'
  dims: number[]
  values: number[] | Float32Array
}

/** An attribute value: number (int when integral and `ints`/`int` expected: use {@link int}), arrays, strings, tensors. */
export type TinyAttribute =
  | { int: number }
  | { ints: number[] }
  | { float: number }
  | { floats: number[] }
  | { string: string }
  | { tensor: TinyTensor }

export const int = (v: number): TinyAttribute => ({ int: v })
export const ints = (v: number[]): TinyAttribute => ({ ints: v })
export const float = (v: number): TinyAttribute => ({ float: v })

/** One graph node. */
export interface TinyNode {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, TinyAttribute>
  /** Operator domain, e.g. `com.microsoft`. @default '' (ai.onnx) */
  domain?: string
}

export interface TinyModelInit {
  name?: string
  inputs: TinyValue[]
  outputs: TinyValue[]
  nodes: TinyNode[]
  initializers?: Record<string, TinyTensor>
  /** @default 17 */
  opset?: number
}

function tensorProto (name: string, t: TinyTensor): OnnxTypes.ITensorProto {
  const base = { name, dims: t.dims, dataType: DATA_TYPE[t.type] }
  const values = Array.from(t.values)
  if (t.type === 'float32') return { ...base, floatData: values }
  if (t.type === 'int32') return { ...base, int32Data: values }
  return { ...base, int64Data: values }
}

function valueInfo (v: TinyValue): OnnxTypes.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[v.type],
        shape: { dim: v.shape.map(d => typeof d === 'number' ? { dimValue: d } : { dimParam: d }) }
      }
    }
  }
}

function attribute (name: string, a: TinyAttribute): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if ('int' in a) return { name, type: T.INT, i: a.int }
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints }
  if ('float' in a) return { name, type: T.FLOAT, f: a.float }
  if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats }
  if ('string' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.string) }
  return { name, type: T.TENSOR, t: tensorProto(name, a.tensor) }
}

/** Serializes a model (IR version 8, opset 17 by default). */
export function tinyModel (init: TinyModelInit): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'nsn-web tiny-onnx',
    opsetImport: [{ domain: '', version: init.opset ?? 17 }, ...(init.nodes.some(n => n.domain === 'com.microsoft') ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: {
      name: init.name ?? 'tiny',
      input: init.inputs.map(valueInfo),
      output: init.outputs.map(valueInfo),
      initializer: Object.entries(init.initializers ?? {}).map(([n, t]) => tensorProto(n, t)),
      node: init.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v))
      }))
    }
  })
  return onnx.ModelProto.encode(model).finish()
}
