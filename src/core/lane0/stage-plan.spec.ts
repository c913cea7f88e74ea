// SPDX-License-Identifier: GPL-3.0-or-later
// planStages: pins → which stage runs each step, against manifests given by a lookup (no files, no runtime).
import { describe, expect, it } from 'vitest'
import { parseModelManifest } from '../ai/manifest.ts'
import type { ModelManifest } from '../ai/manifest.ts'
import {
  InvalidStagePinsError, PinnedModelMismatchError, PinnedModelNotFoundError, UnsupportedPinnedModelError, pinnedWeightsFile, planStages
} from './stage-plan.ts'
import type { ManifestLookup, RecipePins } from './stage-plan.ts'

const hex = (c: string): string => c.repeat(64)

type Io = Array<[string, string, Array<number | string>]>
function manifest (id: string, task: string, inputs: Io, files: Array<[string, string]>, extra: Record<string, unknown> = {}): ModelManifest {
  return parseModelManifest({
    id,
    name: id,
    version: '1',
    licence: { spdx: 'MIT', url: 'https://example.invalid/licence' },
    runtime: 'onnxruntime-web',
    task,
    neural: true,
    memory: { bytes: 1, gpuBytes: 0 },
    signature: { inputs: inputs.map(([name, dtype, shape]) => ({ name, dtype, shape })), outputs: [] },
    files: files.map(([path, sha256]) => ({ path, source: { url: `https://example.invalid/${id}/${path}` }, size: 1, sha256 })),
    ...extra
  })
}

const kokoro = manifest('kokoro-82m', 'speech', [['input_ids', 'int64', [1, 'seq']], ['style', 'float32', [1, 256]], ['speed', 'float32', [1]]], [['tokenizer.json', hex('1')], ['model.onnx', hex('a')], ['voices/af_heart.bin', hex('2')]])
const textEncoder = manifest('sd-turbo-text-encoder', 'keyframe', [['input_ids', 'int32', [1, 77]]], [['tokenizer/vocab.json', hex('3')], ['text_encoder/model.onnx', hex('b')]])
const unet = manifest('sd-turbo-unet', 'keyframe', [['sample', 'float16', [1, 4, 64, 64]], ['timestep', 'int64', [1]], ['encoder_hidden_states', 'float16', [1, 77, 1024]]], [['unet/model.onnx', hex('c')]])
const vae = manifest('sd-turbo-vae-decoder', 'keyframe', [['latent_sample', 'float16', [1, 4, 64, 64]]], [['vae_decoder/model.onnx', hex('d')]])
const liveportrait = manifest('liveportrait', 'animation', [['img', 'float32', [1, 3, 256, 256]]], [['appearance_feature_extractor.onnx', hex('e')], ['motion_extractor.onnx', hex('4')], ['warping_spade.onnx', hex('5')]])

const all = [kokoro, textEncoder, unet, vae, liveportrait]
const lookupOf = (manifests: ModelManifest[], where?: (id: string) => string): ManifestLookup => {
  const byId = new Map(manifests.map(m => [m.id, m]))
  const lookup = (id: string): ModelManifest | undefined => byId.get(id)
  return where === undefined ? lookup : Object.assign(lookup, { where })
}
const pin = (m: ModelManifest, sha256 = m.files.find(f => f.path.endsWith('.onnx'))!.sha256): RecipePins['models'][number] => ({ id: m.id, sha256 })
const pins = (...models: Array<RecipePins['models'][number]>): RecipePins => ({ pipelineVersion: '0.1.0', models })
const caught = (fn: () => unknown): Error => {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('did not throw')
}

describe('planStages', () => {
  it('should give every step its offline default when nothing is pinned', () => {
    expect(planStages(pins(), lookupOf(all))).toEqual({ speech: { kind: 'default' }, keyframe: { kind: 'default' }, animation: { kind: 'default' } })
  })

  it('should give every pinned step its production stage, whatever the pin order', () => {
    const expected = {
      speech: { kind: 'kokoro', manifest: kokoro },
      keyframe: { kind: 'sd-turbo', manifests: { textEncoder, unet, vaeDecoder: vae } },
      animation: { kind: 'liveportrait', manifest: liveportrait }
    }
    expect(planStages(pins(...all.map(m => pin(m))), lookupOf(all))).toEqual(expected)
    expect(planStages(pins(...[...all].reverse().map(m => pin(m))), lookupOf(all))).toEqual(expected)
  })

  it('should mix production and default stages step by step', () => {
    expect(planStages(pins(pin(kokoro)), lookupOf(all))).toEqual({ speech: { kind: 'kokoro', manifest: kokoro }, keyframe: { kind: 'default' }, animation: { kind: 'default' } })
    expect(planStages(pins(pin(liveportrait), pin(vae), pin(unet), pin(textEncoder)), lookupOf(all)).speech).toEqual({ kind: 'default' })
  })

  it('should name an unknown id and where it looked', () => {
    const err = caught(() => planStages(pins(pin(kokoro), { id: 'kokoro-83m', sha256: hex('a') }), lookupOf(all, id => `/models/${id}/manifest.json`))) as PinnedModelNotFoundError
    expect(err.name).toBe(PinnedModelNotFoundError.name)
    expect(err).toMatchObject({ id: 'kokoro-83m', where: '/models/kokoro-83m/manifest.json' })
    expect(err.message).toContain('"kokoro-83m"')
    expect(err.message).toContain('/models/kokoro-83m/manifest.json')
    // a plain function lookup: the message still says what was asked
    expect(caught(() => planStages(pins({ id: 'nope', sha256: hex('a') }), lookupOf(all))).message).toContain('"nope"')
  })

  it('should refuse a pin whose sha256 is not the manifest\'s first .onnx file', () => {
    // the tokenizer (the manifest's first file) is not what a pin refers to
    const err = caught(() => planStages(pins(pin(kokoro, hex('1'))), lookupOf(all))) as PinnedModelMismatchError
    expect(err.name).toBe(PinnedModelMismatchError.name)
    expect(err).toMatchObject({ id: 'kokoro-82m', reason: 'sha256', pinned: hex('1'), actual: hex('a') })
    expect(err.message).toContain('model.onnx')
    // LivePortrait: the appearance extractor, the first of its three .onnx files
    expect(pinnedWeightsFile(liveportrait).path).toBe('appearance_feature_extractor.onnx')
    expect(caught(() => planStages(pins(pin(liveportrait, hex('5'))), lookupOf(all))).name).toBe(PinnedModelMismatchError.name)
  })

  it('should refuse a manifest that is of another model than the id pinned', () => {
    const lookup: ManifestLookup = id => id === 'kokoro-82m' ? { ...kokoro, id: 'kokoro-other' } : undefined
    expect(caught(() => planStages(pins(pin(kokoro)), lookup))).toMatchObject({ name: PinnedModelMismatchError.name, reason: 'id', actual: 'kokoro-other' })
  })

  it('should require all three SD-Turbo sub-models and name the missing one', () => {
    const err = caught(() => planStages(pins(pin(textEncoder), pin(vae)), lookupOf(all))) as InvalidStagePinsError
    expect(err).toMatchObject({ name: InvalidStagePinsError.name, step: 'keyframe', reason: 'missing-part' })
    expect(err.message).toMatch(/lacks unet$/)
    expect(err.message).toContain('"sd-turbo-vae-decoder"')
  })

  it('should refuse two models for one role', () => {
    const other = manifest('kokoro-fork', 'speech', kokoro.signature.inputs.map(i => [i.name, i.dtype, i.shape]), [['model.onnx', hex('f')]])
    const err = caught(() => planStages(pins(pin(kokoro), pin(other)), lookupOf([...all, other])))
    expect(err).toMatchObject({ name: InvalidStagePinsError.name, step: 'speech', reason: 'duplicate' })
    expect(err.message).toContain('"kokoro-82m" and "kokoro-fork"')
    const unet2 = { ...unet, id: 'sd-turbo-unet-2' }
    expect(caught(() => planStages(pins(pin(unet), pin(unet2)), lookupOf([unet, unet2])))).toMatchObject({ name: InvalidStagePinsError.name, step: 'keyframe', reason: 'duplicate' })
  })

  it('should refuse pins no stage of this project runs', () => {
    const cases: ModelManifest[] = [
      manifest('face-check', 'verification', [['image', 'float32', [1, 3, 224, 224]]], [['model.onnx', hex('6')]]),
      manifest('piper', 'speech', [['input', 'int64', [1, 'n']], ['scales', 'float32', [3]]], [['model.onnx', hex('7')]]),
      manifest('sdxl-unet', 'keyframe', [['latents', 'float16', [1, 4, 128, 128]]], [['model.onnx', hex('8')]]),
      manifest('wav2lip', 'animation', [['mel', 'float32', [1, 80, 16]]], [['model.onnx', hex('9')]]),
      manifest('tfjs-speech', 'speech', kokoro.signature.inputs.map(i => [i.name, i.dtype, i.shape]), [['model.onnx', hex('a')]], { runtime: 'tfjs' }),
      manifest('espeak-like', 'speech', kokoro.signature.inputs.map(i => [i.name, i.dtype, i.shape]), [['espeak-ng.wasm', hex('b')]])
    ]
    for (const m of cases) {
      const sha = m.files[0]!.sha256
      const err = caught(() => planStages(pins({ id: m.id, sha256: sha }), lookupOf([m])))
      expect(err.name, m.id).toBe(UnsupportedPinnedModelError.name)
      expect(err.message, m.id).toContain(`"${m.id}"`)
    }
  })

  it('should check every pin before deciding: a bad pin after good ones still fails the plan', () => {
    expect(caught(() => planStages(pins(...all.map(m => pin(m)), { id: 'missing', sha256: hex('0') }), lookupOf(all))).name).toBe(PinnedModelNotFoundError.name)
  })
})
