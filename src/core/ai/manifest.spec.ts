// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { parseModelManifest } from './manifest.ts'

const valid = {
  id: 'tiny-model',
  name: 'Tiny',
  version: '1.0.0',
  licence: { spdx: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  runtime: 'onnxruntime-web',
  task: 'speech',
  neural: true,
  memory: { bytes: 1000, gpuBytes: 2000 },
  signature: {
    inputs: [{ name: 'input_ids', dtype: 'int64', shape: [1, 'tokens'] }],
    outputs: [{ name: 'waveform', dtype: 'float32', shape: ['samples'] }]
  },
  files: [
    { path: 'model.onnx', source: { url: 'https://example.org/model.onnx' }, size: 10, sha256: 'a'.repeat(64) },
    { path: 'sub/voices.bin', source: { package: '@scope/pkg', path: 'dist/voices.bin' }, size: 3, sha256: 'b'.repeat(64) }
  ]
}

/** A deep copy of `valid` with the dotted `path` set to `value` (deleted when undefined). */
function withField (path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(valid) as Record<string, unknown>
  const keys = path.split('.')
  const last = keys.pop() as string
  let at = copy
  for (const k of keys) at = at[k] as Record<string, unknown>
  if (value === undefined) delete at[last]
  else at[last] = value
  return copy
}

function fieldOf (json: unknown): string | undefined {
  try {
    parseModelManifest(json)
  } catch (err) {
    expect((err as Error).name).toBe(InvalidInputError.name)
    return (err as InvalidInputError).field
  }
  return undefined
}

describe('model manifest', () => {
  it('should accept a valid manifest with URL and package sources and symbolic dims', () => {
    const m = parseModelManifest(valid)
    expect(m.files.map((f) => f.path)).toEqual(['model.onnx', 'sub/voices.bin'])
  })

  it('should name the offending field for each invalid value', () => {
    // [expected field, path to set, value (undefined deletes)]
    const cases: Array<[string, string, unknown]> = [
      ['id', 'id', 'Has Spaces'],
      ['licence.spdx', 'licence.spdx', undefined],
      ['licence.url', 'licence.url', 'not a url'],
      ['runtime', 'runtime', 'pytorch'],
      ['task', 'task', 'dancing'],
      ['neural', 'neural', 'yes'],
      ['memory.gpuBytes', 'memory.gpuBytes', -1],
      ['signature.inputs.0.dtype', 'signature.inputs.0.dtype', 'float64'],
      ['signature.outputs.0.shape.0', 'signature.outputs.0.shape.0', 'two words'],
      ['files.0.sha256', 'files.0.sha256', 'A'.repeat(64)],
      ['files.0.size', 'files.0.size', 1.5],
      ['files.1.path', 'files.1.path', '../escape.bin'],
      ['files.0.source.url', 'files.0.source', { url: 'ftp://example.org/x' }],
      ['files.1.source.package', 'files.1.source', { package: 'Bad Name', path: 'x' }],
      ['files', 'files', []],
      ['files', 'files.1.path', 'model.onnx'],
      ['(root)', 'extra', 1]
    ]
    for (const [field, path, value] of cases) {
      expect(fieldOf(withField(path, value)), path).toBe(field)
    }
  })

  it('should mention every invalid field in the message', () => {
    const m = withField('files.0.sha256', 'short')
    m.runtime = 'x'
    expect(() => parseModelManifest(m)).toThrow(/runtime:.*files\.0\.sha256:/)
  })
})
