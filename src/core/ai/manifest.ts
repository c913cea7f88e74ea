// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The model manifest format (`models/<id>/manifest.json`, DESIGN.md "Models"), validated with zod.
 * Invalid manifests throw `InvalidInputError` whose `field` is the dotted path of the first bad field.
 */
import { z } from 'zod'
import { InvalidInputError } from '../errors.ts'

export const MODEL_RUNTIMES = ['onnxruntime-web', 'onnxruntime-node', 'tfjs', 'wasm', 'builtin'] as const
export const MODEL_TASKS = ['speech', 'keyframe', 'animation', 'verification'] as const
export const TENSOR_DTYPES = ['float32', 'float16', 'int8', 'uint8', 'int32', 'int64', 'bool', 'string', 'bytes'] as const

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (sha256)')
/** Relative, forward-slash path with no `..`, `.` or empty segments, no leading slash. */
const relativePath = z.string().min(1).refine(
  (p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
  'must be a relative path without "..", "." or empty segments'
)
/** A dimension: a non-negative integer or a symbolic name such as "batch" or "samples". */
const dim = z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'symbolic dims are identifiers')])

const tensorSpec = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(TENSOR_DTYPES),
  shape: z.array(dim)
})

const urlSource = z.strictObject({ url: z.url({ protocol: /^https?$/ }) })
const packageSource = z.strictObject({
  package: z.string().regex(/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/, 'must be an npm package name'),
  path: relativePath
})

const modelFile = z.strictObject({
  path: relativePath,
  source: z.union([urlSource, packageSource]),
  size: z.number().int().nonnegative(),
  sha256: sha256Hex
})

export const modelManifestSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, ".", "_" or "-"'),
  name: z.string().min(1),
  version: z.string().min(1),
  licence: z.strictObject({ spdx: z.string().min(1), url: z.url() }),
  runtime: z.enum(MODEL_RUNTIMES),
  task: z.enum(MODEL_TASKS),
  neural: z.boolean(),
  memory: z.strictObject({ bytes: z.number().int().nonnegative(), gpuBytes: z.number().int().nonnegative() }),
  signature: z.strictObject({ inputs: z.array(tensorSpec), outputs: z.array(tensorSpec) }),
  files: z.array(modelFile).min(1).refine(
    (files) => new Set(files.map((f) => f.path)).size === files.length,
    'file paths must be unique'
  ),
  notes: z.string().optional()
})

export type ModelManifest = z.infer<typeof modelManifestSchema>
export type ModelFile = ModelManifest['files'][number]
export type ModelFileSource = ModelFile['source']
export type PackageFileSource = Extract<ModelFileSource, { package: string }>

export function isPackageSource (source: ModelFileSource): source is PackageFileSource {
  return 'package' in source
}

/** Validates unknown JSON as a manifest; throws `InvalidInputError` naming the field (e.g. `files.0.sha256`). */
export function parseModelManifest (json: unknown): ModelManifest {
  const result = modelManifestSchema.safeParse(json)
  if (result.success) return result.data
  const field = result.error.issues[0]?.path.map(String).join('.') ?? ''
  const all = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')
  throw new InvalidInputError(`Invalid model manifest: ${all}`, { field: field === '' ? '(root)' : field, cause: result.error })
}
