// SPDX-License-Identifier: GPL-3.0-or-later
/** Options every async call accepts (STYLE.md 5.4). */
export interface AbortOptions {
  signal?: AbortSignal
}

/** A progress event emitted during a long call: `type` is `area:step`. */
export interface ProgressEvent<T extends string = string, D = unknown> {
  type: T
  detail: D
}

export interface ProgressOptions<E extends ProgressEvent = ProgressEvent> {
  onProgress?: (event: E) => void
}
