// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../core/errors.ts'
import { PinnedModelMismatchError, PinnedModelNotFoundError } from '../core/lane0/stage-plan.ts'
import { PIPELINE_VERSION } from '../core/lane0/recipe.ts'
import type { FetchLike } from '../core/ai/model-loader.ts'
import type { RecipePins } from '../core/lane0/stage-plan.ts'
import { kokoroFiles, kokoroManifestInit, liveportraitFiles, liveportraitManifestInit, sdTurboManifestInit, sdTurboParts, standinManifestJson } from '../../test/fixtures/lane0-standin-models.ts'
import { sha256Hex } from '../core/ai/model-loader.ts'
import type { StandinManifestInit } from '../../test/fixtures/lane0-standin-models.ts'
import { ModelManifestFetchError, UnsupportedInBrowserError, manifestUrl, planBrowserStages } from './lane0-browser-plan.ts'

const BASE = 'http://127.0.0.1:9/models/'

/** A fetch over `routes` (URL → body and content type); anything else is a 404. Records the URLs asked for. */
function fakeFetch (routes: Record<string, { body: string, type?: string, status?: number }>): FetchLike & { urls: string[] } {
  const urls: string[] = []
  const f = async (url: string): Promise<Response> => {
    urls.push(url)
    const r = routes[url]
    if (r === undefined) return new Response('not found', { status: 404 })
    return new Response(r.body, { status: r.status ?? 200, headers: { 'content-type': r.type ?? 'application/json' } })
  }
  return Object.assign(f, { urls })
}

function model (init: StandinManifestInit, files: Record<string, Uint8Array>): { json: string, sha256: string } {
  const json = JSON.stringify(standinManifestJson(init, files, p => `http://127.0.0.1:9/files/${init.id}/${p}`))
  const weights = Object.entries(files).find(([p]) => p.endsWith('.onnx'))![1]
  return { json, sha256: sha256Hex(weights) }
}

const kokoro = model(kokoroManifestInit('kokoro-82m'), kokoroFiles({ samplesPerId: 8, voice: 'af_heart' }))
const liveportrait = model(liveportraitManifestInit('liveportrait'), liveportraitFiles())
const pins = (models: RecipePins['models']): RecipePins => ({ pipelineVersion: PIPELINE_VERSION, models })

describe('planBrowserStages', () => {
  it('should resolve manifest URLs under the base, relative ones against the page', () => {
    expect(manifestUrl(BASE, 'kokoro-82m')).toBe('http://127.0.0.1:9/models/kokoro-82m/manifest.json')
    expect(manifestUrl('http://127.0.0.1:9/m', 'a.b')).toBe('http://127.0.0.1:9/m/a.b/manifest.json')
  })

  it('should plan the defaults without any request when nothing is pinned', async () => {
    const fetch = fakeFetch({})
    const plan = await planBrowserStages(pins([]), { modelsBaseUrl: BASE, fetch })
    expect(plan).toEqual({ speech: { kind: 'default' }, keyframe: { kind: 'default' }, animation: { kind: 'default' } })
    expect(fetch.urls).toEqual([])
  })

  it('should plan Kokoro and LivePortrait from their fetched manifests', async () => {
    const fetch = fakeFetch({ [`${BASE}kokoro-82m/manifest.json`]: { body: kokoro.json }, [`${BASE}liveportrait/manifest.json`]: { body: liveportrait.json } })
    const plan = await planBrowserStages(pins([{ id: 'kokoro-82m', sha256: kokoro.sha256 }, { id: 'liveportrait', sha256: liveportrait.sha256 }]), { modelsBaseUrl: BASE, fetch })
    expect(plan.speech.kind).toBe('kokoro')
    expect(plan.animation.kind).toBe('liveportrait')
    expect(plan.keyframe.kind).toBe('default')
    if (plan.speech.kind === 'kokoro') expect(plan.speech.manifest.id).toBe('kokoro-82m')
    expect(fetch.urls.sort()).toEqual([`${BASE}kokoro-82m/manifest.json`, `${BASE}liveportrait/manifest.json`])
  })

  it('should name the manifest URL of a pin that has none (404 or an HTML fallback page)', async () => {
    const fallbacks: Array<Record<string, { body: string, type?: string }>> = [{}, { [`${BASE}kokoro-82m/manifest.json`]: { body: '<!doctype html>', type: 'text/html' } }]
    for (const routes of fallbacks) {
      const err = await planBrowserStages(pins([{ id: 'kokoro-82m', sha256: kokoro.sha256 }]), { modelsBaseUrl: BASE, fetch: fakeFetch(routes) }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(PinnedModelNotFoundError)
      expect((err as PinnedModelNotFoundError).where).toBe(`${BASE}kokoro-82m/manifest.json`)
    }
  })

  it('should refuse a pin whose sha256 is not the manifest weights file', async () => {
    const wrong = 'f'.repeat(64)
    const err = await planBrowserStages(pins([{ id: 'kokoro-82m', sha256: wrong }]), { modelsBaseUrl: BASE, fetch: fakeFetch({ [`${BASE}kokoro-82m/manifest.json`]: { body: kokoro.json } }) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PinnedModelMismatchError)
    expect(err).toMatchObject({ reason: 'sha256', pinned: wrong, actual: kokoro.sha256 })
  })

  it('should refuse SD-Turbo pins with UnsupportedInBrowserError', async () => {
    const sd = sdTurboParts('float32')
    const parts = [['sd-turbo-text-encoder', sd.textEncoder], ['sd-turbo-unet', sd.unet], ['sd-turbo-vae-decoder', sd.vaeDecoder]] as const
    const routes: Record<string, { body: string }> = {}
    const models: RecipePins['models'] = []
    for (const [id, part] of parts) {
      const m = model(sdTurboManifestInit(id, part), part.files)
      routes[`${BASE}${id}/manifest.json`] = { body: m.json }
      models.push({ id, sha256: m.sha256 })
    }
    const err = await planBrowserStages(pins(models), { modelsBaseUrl: BASE, fetch: fakeFetch(routes) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnsupportedInBrowserError)
    expect(err).toMatchObject({ step: 'keyframe', ids: ['sd-turbo-text-encoder', 'sd-turbo-unet', 'sd-turbo-vae-decoder'] })
    expect((err as Error).message).toMatch(/face-rig detector .* npm run generate/)
  })

  it('should name the URL of a manifest that does not fetch or does not parse', async () => {
    const pin = pins([{ id: 'kokoro-82m', sha256: kokoro.sha256 }])
    const url = `${BASE}kokoro-82m/manifest.json`
    const http = await planBrowserStages(pin, { modelsBaseUrl: BASE, fetch: fakeFetch({ [url]: { body: 'oops', status: 500 } }) }).catch((e: unknown) => e)
    expect(http).toBeInstanceOf(ModelManifestFetchError)
    expect(http).toMatchObject({ url, status: 500 })
    const json = await planBrowserStages(pin, { modelsBaseUrl: BASE, fetch: fakeFetch({ [url]: { body: '{ nope' } }) }).catch((e: unknown) => e)
    expect(json).toBeInstanceOf(InvalidInputError)
    expect((json as Error).message).toContain(url)
    const invalid = await planBrowserStages(pin, { modelsBaseUrl: BASE, fetch: fakeFetch({ [url]: { body: '{"id":"kokoro-82m"}' } }) }).catch((e: unknown) => e)
    expect(invalid).toBeInstanceOf(InvalidInputError)
    expect((invalid as Error).message).toContain(url)
    const network = await planBrowserStages(pin, { modelsBaseUrl: BASE, fetch: async () => { throw new TypeError('Failed to fetch') } }).catch((e: unknown) => e)
    expect(network).toBeInstanceOf(ModelManifestFetchError)
    expect((network as Error).message).toContain('Failed to fetch')
  })

  it('should stop on an aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    const fetch: FetchLike = async (_url, init) => { init.signal?.throwIfAborted(); return new Response('{}') }
    await expect(planBrowserStages(pins([{ id: 'kokoro-82m', sha256: kokoro.sha256 }]), { modelsBaseUrl: BASE, fetch, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
