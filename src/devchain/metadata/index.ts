// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The dev runtime's metadata, built in code. Add a pallet in `pallets/` (see `pallets/index.ts`).
 *
 * @example
 * import { buildRuntimeMetadata, RUNTIME_VERSION } from './metadata/index.ts'
 * const { v14, v15, registry, metadata } = buildRuntimeMetadata()
 */
export { buildRuntimeMetadata, METADATA_MAGIC, METADATA_VERSIONS, RUNTIME_VERSION, runtimeApiId } from './build.ts'
export type { BuiltRuntimeMetadata, RuntimeVersionJson } from './build.ts'
export { InvalidDeclarationError, TypeExpressionError, UnknownTypeError } from './errors.ts'
export type { InvalidDeclarationReason } from './errors.ts'
export { PALLETS } from './pallets/index.ts'
export { RUNTIME_APIS } from './runtime-apis.ts'
export { SIGNED_EXTENSIONS, EXTRINSIC_VERSION } from './extrinsic.ts'
export { TypeBuilder } from './type-builder.ts'
export type * from './types.ts'
