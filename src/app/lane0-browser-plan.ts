// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The browser's {@link StagePlan}: the manifests of a recipe's pinned models are fetched from
 * `<modelsBaseUrl>/<id>/manifest.json` (the page's `models` config, default `/models/`), then
 * `planStages` (src/core/lane0/stage-plan.ts) checks the pins against them and picks each step's stage,
 * exactly as the Node runner does over its models folder (src/platform/node/production-stages.ts).
 * Everything here happens before any stage starts, so a bad pin fails the run with a named error and no
 * work done.
 *
 * The browser runs Kokoro-82M and LivePortrait; SD-Turbo's keyframe stage needs a face-rig detector
 * that is only wired in Node, so pinning it fails with {@link UnsupportedInBrowserError} instead of
 * quietly running the procedural portrait.
 */
import { InvalidInputError } from '../core/errors.ts'
import { parseModelManifest } from '../core/ai/manifest.ts'
import type { ModelManifest } from '../core/ai/manifest.ts'
import type { FetchLike } from '../core/ai/model-loader.ts'
import { planStages } from '../core/lane0/stage-plan.ts'
import type { RecipePins, StagePlan } from '../core/lane0/stage-plan.ts'
import type { AbortOptions } from '../core/options.ts'

/** The models base URL the page uses when its config names none. */
export const DEFAULT_MODELS_BASE_URL = '/models/'

/** Thrown when a recipe pins a model whose stage runs in the Node runner only. */
export class UnsupportedInBrowserError extends Error {
  static override name = 'UnsupportedInBrowserError'
  /** The step whose pinned stage the browser cannot run. */
  readonly step: keyof StagePlan
  /** The pinned model ids of that step. */
  readonly ids: readonly string[]
  constructor (step: keyof StagePlan, ids: readonly string[], why: string) {
    super(`The recipe pins ${ids.map(id => `"${id}"`).join(', ')}: ${why}`)
    this.name = 'UnsupportedInBrowserError'
    this.step = step
    this.ids = ids
  }
}

/** Thrown when a pinned model's manifest cannot be fetched (a network error or an HTTP status other than 404). */
export class ModelManifestFetchError extends Error {
  static override name = 'ModelManifestFetchError'
  readonly url: string
  /** The HTTP status, absent for a network error. */
  readonly status?: number
  constructor (url: string, status: number | undefined, options?: ErrorOptions) {
    super(status === undefined
      ? `Cannot fetch the model manifest ${url}: ${(options?.cause as Error | undefined)?.message ?? 'network error'}`
      : `Cannot fetch the model manifest ${url}: HTTP ${status}`, options)
    this.name = 'ModelManifestFetchError'
    this.url = url
    this.status = status
  }
}

/** Options of {@link planBrowserStages}. */
export interface BrowserPlanOptions extends AbortOptions {
  /** Where model folders are served (`<base>/<id>/manifest.json`); relative URLs resolve against the page. */
  modelsBaseUrl: string
  /** @default the global fetch */
  fetch?: FetchLike
}

/** The absolute URL of the manifest of `id` under `modelsBaseUrl` (relative bases resolve against the page's location). */
export function manifestUrl (modelsBaseUrl: string, id: string): string {
  const base = new URL(modelsBaseUrl, globalThis.location?.href)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  return new URL(`${encodeURIComponent(id)}/manifest.json`, base).href
}

const globalFetch: FetchLike = async (url, init) => await fetch(url, init)

/**
 * The manifest at `url`, or undefined when there is none: a 404, or an HTML page (a static host's
 * single-page-app fallback answers unknown paths with the app's `index.html`).
 *
 * @throws ModelManifestFetchError on a network error or another HTTP error; InvalidInputError when the
 *   body is not a valid manifest (the message names the URL)
 */
async function fetchManifest (url: string, fetchFn: FetchLike, signal?: AbortSignal): Promise<ModelManifest | undefined> {
  let res: Response
  try {
    res = await fetchFn(url, { headers: { accept: 'application/json' }, signal })
  } catch (err) {
    signal?.throwIfAborted()
    throw new ModelManifestFetchError(url, undefined, { cause: err })
  }
  if (res.status === 404) return undefined
  if (!res.ok) throw new ModelManifestFetchError(url, res.status)
  if ((res.headers.get('content-type') ?? '').includes('text/html')) return undefined
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`${url}: not valid JSON (${(err as Error).message})`, { field: 'manifest', cause: err })
  }
  try {
    return parseModelManifest(json)
  } catch (err) {
    throw new InvalidInputError(`${url}: ${(err as Error).message}`, { field: (err as InvalidInputError).field ?? 'manifest', cause: err })
  }
}

/**
 * Fetches the manifest of every pinned model and plans the stages. No pins: no request, every step
 * runs its offline default.
 *
 * @throws PinnedModelNotFoundError (naming the manifest URL), PinnedModelMismatchError,
 *   UnsupportedPinnedModelError, InvalidStagePinsError (from planStages), UnsupportedInBrowserError (SD-Turbo),
 *   ModelManifestFetchError, InvalidInputError (a manifest that does not parse)
 * @example
 * ```ts
 * const plan = await planBrowserStages(recipe.pins, { modelsBaseUrl: config.models })
 * await runBrowserLane0(recipe, { plan })
 * ```
 */
export async function planBrowserStages (pins: RecipePins, options: BrowserPlanOptions): Promise<StagePlan> {
  const fetchFn = options.fetch ?? globalFetch
  const manifests = new Map<string, ModelManifest | undefined>()
  const ids = [...new Set(pins.models.map(m => m.id))]
  const fetched = await Promise.all(ids.map(async id => await fetchManifest(manifestUrl(options.modelsBaseUrl, id), fetchFn, options.signal)))
  ids.forEach((id, i) => { manifests.set(id, fetched[i]) })
  options.signal?.throwIfAborted()
  const plan = planStages(pins, Object.assign((id: string) => manifests.get(id), { where: (id: string) => manifestUrl(options.modelsBaseUrl, id) }))
  if (plan.keyframe.kind === 'sd-turbo') {
    const m = plan.keyframe.manifests
    throw new UnsupportedInBrowserError('keyframe', [m.textEncoder.id, m.unet.id, m.vaeDecoder.id],
      'the SD-Turbo keyframe stage needs a face-rig detector that is not wired in the browser yet; run it with npm run generate')
  }
  return plan
}
