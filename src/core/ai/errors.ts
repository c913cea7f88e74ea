// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Model registry errors. Match by `err.name === X.name` (STYLE.md 5.3).
 */

/**
 * Thrown when a model file's sha256 differs from its manifest. A downloaded or cached copy has been
 * deleted from the cache (`deleted: true`); a package file is only refused (the loader never writes it).
 */
export class ModelHashMismatchError extends Error {
  static override name = 'ModelHashMismatchError'
  readonly file: string
  readonly expected: string
  readonly actual: string
  readonly deleted: boolean
  constructor (init: { file: string, expected: string, actual: string, deleted?: boolean }, options?: ErrorOptions) {
    const deleted = init.deleted ?? true
    super(`Model file "${init.file}" has sha256 ${init.actual}, expected ${init.expected}; refused${deleted ? ' and deleted from the cache' : ' (a package file: reinstall the package)'}`, options)
    this.name = 'ModelHashMismatchError'
    this.deleted = deleted
    this.file = init.file
    this.expected = init.expected
    this.actual = init.actual
  }
}

/** Thrown in offline mode when a URL-sourced model file is not in the cache (the network is never used). */
export class ModelNotCachedError extends Error {
  static override name = 'ModelNotCachedError'
  readonly file: string
  constructor (file: string, options?: ErrorOptions) {
    super(`Model file "${file}" is not cached and offline mode forbids downloading it`, options)
    this.name = 'ModelNotCachedError'
    this.file = file
  }
}

export type ModelDownloadFailure = 'http-status' | 'interrupted' | 'bad-content-range' | 'too-large'

/** Thrown when a model download fails; `reason` says how. A partial file stays in the cache for resume. */
export class ModelDownloadError extends Error {
  static override name = 'ModelDownloadError'
  readonly file: string
  readonly reason: ModelDownloadFailure
  readonly status?: number
  constructor (init: { file: string, reason: ModelDownloadFailure, status?: number, message?: string }, options?: ErrorOptions) {
    super(init.message ?? `Downloading model file "${init.file}" failed (${init.reason}${init.status !== undefined ? `, HTTP ${init.status}` : ''})`, options)
    this.name = 'ModelDownloadError'
    this.file = init.file
    this.reason = init.reason
    this.status = init.status
  }
}

/** Thrown when a package-relative model file cannot be read (no `readPackageFile`, or the package lacks it). */
export class ModelPackageFileError extends Error {
  static override name = 'ModelPackageFileError'
  readonly file: string
  constructor (file: string, message = `Package file for model file "${file}" could not be read`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ModelPackageFileError'
    this.file = file
  }
}
