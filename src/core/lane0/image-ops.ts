// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Image helpers for the neural animation stage: a square region of an RGBA frame resampled into a
 * planar float tensor (the NCHW layout image models take), and a planar model output resampled back
 * into the frame with a feathered edge. Platform-free, deterministic (float64 maths, one rounding per
 * channel on the way back).
 *
 * Coordinates are continuous pixel coordinates: pixel (i, j) covers [i, i + 1) × [j, j + 1), so its
 * centre is at (i + 0.5, j + 0.5). Samples outside the source are clamped to the nearest edge pixel.
 */
import type { RgbaImage } from './stage.ts'

/** An axis-aligned square in continuous pixel coordinates: top-left corner and side. */
export interface SquareBox {
  x: number
  y: number
  size: number
}

/** A planar RGB image: three row-major planes of `width` × `height` floats (NCHW without the batch). */
export interface PlanarImage {
  data: Float32Array
  width: number
  height: number
}

/** Thrown when a box, a size or a planar buffer cannot be used. */
export class ImageOpsError extends Error {
  static override name = 'ImageOpsError'
  constructor (message: string) {
    super(message)
    this.name = 'ImageOpsError'
  }
}

function checkBox (box: SquareBox): void {
  if (![box.x, box.y, box.size].every(Number.isFinite) || box.size <= 0) throw new ImageOpsError(`invalid box x=${box.x} y=${box.y} size=${box.size}`)
}

const clampInt = (v: number, hi: number): number => (v < 0 ? 0 : v > hi ? hi : v)

/** Bilinear sample of channel `c` of an RGBA image at pixel-centre coordinates (u, v), edge-clamped. */
function sampleRgba (img: RgbaImage, c: number, u: number, v: number): number {
  const x0f = Math.floor(u)
  const y0f = Math.floor(v)
  const fx = u - x0f
  const fy = v - y0f
  const x0 = clampInt(x0f, img.width - 1)
  const x1 = clampInt(x0f + 1, img.width - 1)
  const y0 = clampInt(y0f, img.height - 1)
  const y1 = clampInt(y0f + 1, img.height - 1)
  const d = img.data
  const r0 = y0 * img.width
  const r1 = y1 * img.width
  const a = d[(r0 + x0) * 4 + c]! * (1 - fx) + d[(r0 + x1) * 4 + c]! * fx
  const b = d[(r1 + x0) * 4 + c]! * (1 - fx) + d[(r1 + x1) * 4 + c]! * fx
  return a * (1 - fy) + b * fy
}

/** Bilinear sample of plane `c` of a planar [3, h, w] buffer at pixel-centre coordinates, edge-clamped. */
function samplePlanar (p: Float32Array, w: number, h: number, c: number, u: number, v: number): number {
  const x0f = Math.floor(u)
  const y0f = Math.floor(v)
  const fx = u - x0f
  const fy = v - y0f
  const x0 = clampInt(x0f, w - 1)
  const x1 = clampInt(x0f + 1, w - 1)
  const y0 = clampInt(y0f, h - 1)
  const y1 = clampInt(y0f + 1, h - 1)
  const base = c * w * h
  const a = p[base + y0 * w + x0]! * (1 - fx) + p[base + y0 * w + x1]! * fx
  const b = p[base + y1 * w + x0]! * (1 - fx) + p[base + y1 * w + x1]! * fx
  return a * (1 - fy) + b * fy
}

/**
 * Resamples the square `box` of `src` to `outSize` × `outSize` and returns it planar (RGB planes, row-major,
 * values in [0, 1]): the `[1, 3, outSize, outSize]` input of an image model. Bilinear; when the box is
 * more than one source pixel per output pixel, each output pixel averages n × n bilinear taps
 * (n = ceil(box.size / outSize)) so that downscaling does not alias.
 */
export function cropToPlanar (src: RgbaImage, box: SquareBox, outSize: number): Float32Array {
  checkBox(box)
  if (!Number.isInteger(outSize) || outSize <= 0) throw new ImageOpsError(`invalid output size ${outSize}`)
  const out = new Float32Array(3 * outSize * outSize)
  const step = box.size / outSize
  const taps = Math.max(1, Math.ceil(step))
  const plane = outSize * outSize
  for (let j = 0; j < outSize; j++) {
    for (let i = 0; i < outSize; i++) {
      let r = 0
      let g = 0
      let b = 0
      for (let ty = 0; ty < taps; ty++) {
        // Continuous source y of this tap, then to pixel-centre coordinates (- 0.5).
        const v = box.y + (j + (ty + 0.5) / taps) * step - 0.5
        for (let tx = 0; tx < taps; tx++) {
          const u = box.x + (i + (tx + 0.5) / taps) * step - 0.5
          r += sampleRgba(src, 0, u, v)
          g += sampleRgba(src, 1, u, v)
          b += sampleRgba(src, 2, u, v)
        }
      }
      const k = 1 / (255 * taps * taps)
      const o = j * outSize + i
      out[o] = r * k
      out[plane + o] = g * k
      out[2 * plane + o] = b * k
    }
  }
  return out
}

/** Options of {@link pastePlanar}. */
export interface PastePlanarOptions {
  /** Width of the blend ramp at the box's edges, as a fraction of the box side. @default 0.1 */
  feather?: number
}

/** Hermite smoothstep on [0, 1]. */
const smooth01 = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t))

/**
 * Returns a copy of `dst` with the planar RGB image `src` (values in [0, 1], clamped) resampled
 * bilinearly into `box`. Pixels inside the box are blended with a weight that ramps
 * from 0 at the box's edge to 1 at `feather` × side inside it, so the pasted region has no hard seam;
 * pixels outside the box and the alpha channel are unchanged.
 */
export function pastePlanar (dst: RgbaImage, src: PlanarImage, box: SquareBox, options: PastePlanarOptions = {}): RgbaImage {
  checkBox(box)
  const { data: planar, width, height } = src
  if (planar.length !== 3 * width * height) throw new ImageOpsError(`planar buffer has ${planar.length} values, expected 3 × ${width} × ${height}`)
  const feather = options.feather ?? 0.1
  const featherPx = Math.max(feather * box.size, 1e-6)
  const out: RgbaImage = { width: dst.width, height: dst.height, data: new Uint8ClampedArray(dst.data) }
  const x0 = Math.max(0, Math.floor(box.x))
  const y0 = Math.max(0, Math.floor(box.y))
  const x1 = Math.min(dst.width, Math.ceil(box.x + box.size))
  const y1 = Math.min(dst.height, Math.ceil(box.y + box.size))
  const sx = width / box.size
  const sy = height / box.size
  for (let y = y0; y < y1; y++) {
    const cy = y + 0.5
    const dy = Math.min(cy - box.y, box.y + box.size - cy)
    if (dy <= 0) continue
    const v = (cy - box.y) * sy - 0.5
    for (let x = x0; x < x1; x++) {
      const cx = x + 0.5
      const dx = Math.min(cx - box.x, box.x + box.size - cx)
      if (dx <= 0) continue
      const w = smooth01(Math.min(dx, dy) / featherPx)
      if (w === 0) continue
      const u = (cx - box.x) * sx - 0.5
      const o = (y * dst.width + x) * 4
      for (let c = 0; c < 3; c++) {
        const s = samplePlanar(planar, width, height, c, u, v)
        const value = (s < 0 ? 0 : s > 1 ? 1 : s) * 255
        out.data[o + c] = Math.round(dst.data[o + c]! * (1 - w) + value * w)
      }
    }
  }
  return out
}

/** Resizes an RGBA image with bilinear filtering (pixel centres aligned, edges clamped). */
export function resizeBilinear (src: RgbaImage, width: number, height: number): RgbaImage {
  if (src.width === width && src.height === height) return src
  const out = new Uint8ClampedArray(width * height * 4)
  const sx = src.width / width
  const sy = src.height / height
  const d = src.data
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, src.height - 1)
    const ty = fy - y0
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, src.width - 1)
      const tx = fx - x0
      const p00 = (y0 * src.width + x0) * 4
      const p01 = (y0 * src.width + x1) * 4
      const p10 = (y1 * src.width + x0) * 4
      const p11 = (y1 * src.width + x1) * 4
      const q = (y * width + x) * 4
      for (let c = 0; c < 4; c++) {
        const top = d[p00 + c]! + (d[p01 + c]! - d[p00 + c]!) * tx
        const bottom = d[p10 + c]! + (d[p11 + c]! - d[p10 + c]!) * tx
        out[q + c] = Math.round(top + (bottom - top) * ty)
      }
    }
  }
  return { width, height, data: out }
}
