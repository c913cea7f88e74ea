// SPDX-License-Identifier: GPL-3.0-or-later
/** Browser (page or worker) wiring of the HeadAudio viseme model: fetches the 14 KB `.bin`. */
import { parseVisemeModel } from '../../core/lane0/visemes.ts'
import type { VisemeModel } from '../../core/lane0/visemes.ts'
import type { AbortOptions } from '../../core/options.ts'

/** Thrown when the model could not be fetched. */
export class VisemeModelFetchError extends Error {
  static override name = 'VisemeModelFetchError'
  constructor (url: string, status: number) {
    super(`Fetching ${url} failed with HTTP ${status}`)
    this.name = 'VisemeModelFetchError'
  }
}

/** The package's English model next to this module, as Vite serves or emits it. Evaluated lazily. */
export function defaultVisemeModelUrl (): string {
  return new URL('../../../node_modules/@met4citizen/headaudio/dist/model-en-mixed.bin', import.meta.url).href
}

/** Fetches and decodes the viseme model. */
export async function fetchVisemeModel (url: string = defaultVisemeModelUrl(), options: AbortOptions = {}): Promise<VisemeModel> {
  const response = await fetch(url, { signal: options.signal })
  if (!response.ok) throw new VisemeModelFetchError(url, response.status)
  return parseVisemeModel(await response.arrayBuffer())
}
