// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A procedural actor portrait, not neural: a pure-TypeScript rasterizer that paints a shaded, frontal
 * head and shoulders (face oval lit as an ellipsoid, eyes with sclera/iris/pupil/lids, brows, nose
 * shading and nostrils, lips with a mouth line or an open mouth, hair, ears, neck, clothes, soft
 * background) into an RGBA buffer. It is drawn so that the face detectors shipped in
 * `@vladmandic/human` (BlazeFace + FaceMesh) find it (test/integration/keyframe-face.test.ts).
 *
 * Every look parameter comes from blake2b-256 of (prompt, seed) ({@link portraitParams}); a few
 * prompt words (hair and eye colours, "long hair", "short hair") override the hash.
 *
 * Determinism: per-pixel code uses only + − × ÷, `Math.sqrt`, `Math.min/max/floor` and integer
 * hashing (all exactly specified by IEEE 754 / ECMAScript, no `sin`/`exp`/`pow` whose results vary
 * between engines), so the same parameters give byte-identical pixels in any JS engine.
 *
 * Coordinates are pixels with the origin at the top-left pixel's centre (as `animation-warp.ts`).
 */
import { InvalidInputError } from '../errors.ts'
import { blake2b256 } from '../wire/hash.ts'
import type { FaceRig } from './animation-warp.ts'
import type { RgbaImage } from './stage.ts'

/** An sRGB colour, channels 0..255. */
export type Rgb = readonly [number, number, number]

/** A point in pixels. */
export interface Point {
  x: number
  y: number
}

/** Everything that decides how a portrait looks (derived from the prompt and seed). */
export interface PortraitParams {
  width: number
  height: number
  skin: Rgb
  hair: Rgb
  iris: Rgb
  lips: Rgb
  clothing: Rgb
  /** Background colours at the top and at the bottom. */
  backgroundTop: Rgb
  backgroundBottom: Rgb
  hairStyle: 'short' | 'long' | 'cropped'
  /** Face half-width as a fraction of min(width, height), 0.2..0.23. */
  faceScale: number
  /** Face half-height over half-width, 1.28..1.42. */
  faceAspect: number
  /** How much the jaw narrows towards the chin, 0.1..0.3. */
  jawTaper: number
  /** Eye centre offset from the face's axis over the face half-width, 0.38..0.44. */
  eyeSpacing: number
  /** Eye half-width over the face half-width, 0.17..0.2. */
  eyeSize: number
  /** Mouth half-width over the face half-width, 0.3..0.38. */
  mouthWidth: number
  /** Lip thickness factor, 0.8..1.2. */
  lipFullness: number
  /** Brow thickness factor, 0.7..1.3. */
  browWeight: number
  /** Hair part position in face half-widths, -0.5..0.5. */
  hairPart: number
  /** Horizontal offset of the head as a fraction of the width, -0.03..0.03. */
  offsetX: number
  /** Light direction's x component, -0.6..0.6 (negative: lit from the left). */
  lightX: number
  /** Seed of the per-pixel noise (skin and hair texture). */
  noiseSeed: number
}

/** Where the drawn face parts are, for the animation stage (which warps mouth and jaw). */
export interface PortraitGeometry {
  /** Bounding box of the face oval (forehead top to chin, cheek to cheek). */
  faceBox: { x: number, y: number, width: number, height: number }
  /** Eye centres: `leftEye` is the one with the smaller x (image left). */
  leftEye: Point
  rightEye: Point
  eyeHalfWidth: number
  /** Half the eye opening's height at its centre. */
  eyeHalfHeight: number
  /** Centre of the mouth: the middle of the mouth line, or of the opening when open. */
  mouth: Point
  /** Mouth corners, image-left first. */
  mouthCorners: [Point, Point]
  mouthHalfWidth: number
  /** Height of the drawn mouth opening in pixels (0 when closed). */
  mouthGap: number
  chin: Point
  /** The jaw outline, 17 points from the left ear level round the chin to the right ear level. */
  jaw: Point[]
  /** Half the face width at the mouth's height. */
  faceHalfWidthAtMouth: number
  /** Base of the neck (the head's motion pivot). */
  neck: Point
}

/** Options of {@link renderPortrait}. */
export interface RenderPortraitOptions {
  /** Mouth opening, 0 (closed) … 1 (wide open); the jaw drops with it. @default 0 */
  mouthOpen?: number
}

/** Half the thickness of the drawn mouth line at its centre, in pixels. */
export const MOUTH_LINE_HALF_WIDTH = 1.5

/** Smallest and largest portrait side the renderer accepts. */
export const MIN_PORTRAIT_SIDE = 64
export const MAX_PORTRAIT_SIDE = 4096

const SKIN_TONES: Rgb[] = [[246, 214, 190], [234, 192, 160], [224, 172, 135], [198, 142, 104], [168, 112, 78], [130, 86, 58], [101, 66, 45]]
const HAIR: Record<string, Rgb> = {
  black: [28, 24, 24], brown: [74, 50, 34], chestnut: [104, 58, 32], auburn: [130, 52, 30], red: [150, 60, 30],
  blonde: [196, 160, 100], grey: [150, 148, 146], gray: [150, 148, 146], white: [215, 212, 205]
}
const HAIR_DEFAULT: Rgb[] = [HAIR.black!, HAIR.brown!, HAIR.brown!, HAIR.chestnut!, HAIR.auburn!, HAIR.blonde!, HAIR.grey!]
const IRIS: Record<string, Rgb> = {
  brown: [92, 56, 32], hazel: [120, 92, 48], blue: [70, 110, 160], green: [72, 118, 74], grey: [110, 120, 128], gray: [110, 120, 128]
}
const IRIS_DEFAULT: Rgb[] = [IRIS.brown!, IRIS.brown!, IRIS.hazel!, IRIS.blue!, IRIS.green!, IRIS.grey!]
const CLOTHING: Rgb[] = [[40, 52, 84], [90, 30, 36], [44, 70, 52], [60, 60, 64], [200, 196, 186], [120, 86, 52], [30, 30, 34]]
const BACKGROUNDS: Array<[Rgb, Rgb]> = [
  [[178, 196, 214], [96, 112, 134]], [[206, 198, 182], [130, 118, 100]], [[160, 180, 160], [80, 98, 84]],
  [[190, 190, 196], [100, 100, 110]], [[120, 136, 160], [52, 60, 78]], [[214, 206, 220], [128, 116, 140]]
]

/** Byte-driven choices: a little reader over blake2b output, refilled by rehashing. */
class ByteSource {
  private bytes: Uint8Array
  private i = 0
  constructor (seed: Uint8Array) { this.bytes = blake2b256(seed) }
  next (): number {
    if (this.i >= this.bytes.length) { this.bytes = blake2b256(this.bytes); this.i = 0 }
    return this.bytes[this.i++]!
  }

  /** Uniform in [lo, hi]. */
  range (lo: number, hi: number): number {
    const v = (this.next() * 256 + this.next()) / 65535
    return lo + (hi - lo) * v
  }

  pick<T>(items: readonly T[]): T { return items[this.next() % items.length]! }
}

function findWord<T> (prompt: string, table: Record<string, T>, before: RegExp): T | undefined {
  for (const [word, value] of Object.entries(table)) {
    if (new RegExp(`\\b${word}(?:[- ]haired)?\\b[\\s-]*${before.source}`, 'i').test(prompt)) return value
  }
  return undefined
}

/**
 * The look of the portrait for (prompt, seed): blake2b-256 of `nsn-portrait/v1\0<seed>\0<prompt>`
 * drives every choice; "blonde/black/red/… hair", "blue/green/… eyes", "long hair", "short hair"
 * in the prompt override the hashed hair colour, eye colour and style.
 */
export function portraitParams (prompt: string, seed: number, width: number, height: number): PortraitParams {
  checkSize(width, height)
  const src = new ByteSource(new TextEncoder().encode(`nsn-portrait/v1\0${seed}\0${prompt}`))
  const skinAt = src.range(0, SKIN_TONES.length - 1)
  const k = Math.floor(skinAt)
  const skin = mix(SKIN_TONES[k]!, SKIN_TONES[Math.min(k + 1, SKIN_TONES.length - 1)]!, skinAt - k)
  const hair = findWord(prompt, HAIR, /(?:hair|haired)/) ?? (/\bblonde?\b/i.test(prompt) ? HAIR.blonde! : src.pick(HAIR_DEFAULT))
  const iris = findWord(prompt, IRIS, /eyes?/) ?? src.pick(IRIS_DEFAULT)
  const background = src.pick(BACKGROUNDS)
  const styleByte = src.next()
  const hairStyle: PortraitParams['hairStyle'] = /\blong[\s-]+hair/i.test(prompt)
    ? 'long'
    : /\bshort[\s-]+hair/i.test(prompt) ? 'short' : (['short', 'long', 'cropped'] as const)[styleByte % 3]!
  const lipsTint = src.range(0, 1)
  return {
    width,
    height,
    skin: rgbRound(skin),
    hair,
    iris,
    // lips: the skin darkened towards red; the pink tint fades on darker skin
    lips: rgbRound(mix(mul(skin, [0.78, 0.5, 0.52]), [150, 70, 78], (0.35 + 0.3 * lipsTint) * clamp01((skin[0] - 90) / 150))),
    clothing: src.pick(CLOTHING),
    backgroundTop: background[0],
    backgroundBottom: background[1],
    hairStyle,
    faceScale: src.range(0.2, 0.23),
    faceAspect: src.range(1.28, 1.42),
    jawTaper: src.range(0.1, 0.3),
    eyeSpacing: src.range(0.38, 0.44),
    eyeSize: src.range(0.17, 0.2),
    mouthWidth: src.range(0.3, 0.38),
    lipFullness: src.range(0.8, 1.2),
    browWeight: src.range(0.7, 1.3),
    hairPart: src.range(-0.5, 0.5),
    offsetX: src.range(-0.03, 0.03),
    lightX: src.range(-0.6, 0.6),
    noiseSeed: (src.next() | (src.next() << 8) | (src.next() << 16)) >>> 0
  }
}

function checkSize (width: number, height: number): void {
  for (const [field, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < MIN_PORTRAIT_SIDE || v > MAX_PORTRAIT_SIDE) {
      throw new InvalidInputError(`portrait ${field} must be an integer in ${MIN_PORTRAIT_SIDE}..${MAX_PORTRAIT_SIDE}, got ${v}`, { field })
    }
  }
}

// ---- small maths (exact operations only) ----

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x)
const smooth = (e0: number, e1: number, x: number): number => {
  const t = clamp01((x - e0) / (e1 - e0))
  return t * t * (3 - 2 * t)
}
function mix (a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}
function mul (a: Rgb, f: readonly [number, number, number] | number): [number, number, number] {
  return typeof f === 'number' ? [a[0] * f, a[1] * f, a[2] * f] : [a[0] * f[0], a[1] * f[1], a[2] * f[2]]
}
const rgbRound = (c: Rgb): Rgb => [Math.round(c[0]), Math.round(c[1]), Math.round(c[2])]

/** Integer hash of (x, y, seed) → [0, 1). */
function hash2 (x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ seed
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296
}
/** Smooth value noise on a lattice of `cell` pixels. */
function valueNoise (x: number, y: number, cell: number, seed: number): number {
  const gx = x / cell
  const gy = y / cell
  const ix = Math.floor(gx)
  const iy = Math.floor(gy)
  const fx = gx - ix
  const fy = gy - iy
  const sx = fx * fx * (3 - 2 * fx)
  const sy = fy * fy * (3 - 2 * fy)
  const a = hash2(ix, iy, seed)
  const b = hash2(ix + 1, iy, seed)
  const c = hash2(ix, iy + 1, seed)
  const d = hash2(ix + 1, iy + 1, seed)
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy
}

/** A float RGB canvas with "over" compositing. */
class Canvas {
  readonly w: number
  readonly h: number
  readonly rgb: Float64Array
  constructor (w: number, h: number) {
    this.w = w
    this.h = h
    this.rgb = new Float64Array(w * h * 3)
  }

  /** Blends `c` over the pixel with coverage `a` in [0, 1]. */
  over (x: number, y: number, c: Rgb, a: number): void {
    if (a <= 0) return
    const i = (y * this.w + x) * 3
    const t = a > 1 ? 1 : a
    this.rgb[i] = this.rgb[i]! + (c[0] - this.rgb[i]!) * t
    this.rgb[i + 1] = this.rgb[i + 1]! + (c[1] - this.rgb[i + 1]!) * t
    this.rgb[i + 2] = this.rgb[i + 2]! + (c[2] - this.rgb[i + 2]!) * t
  }

  /** Multiplies the pixel by `1 - amount * (1 - f)` per channel (shadows and tints). */
  shade (x: number, y: number, f: Rgb | number, amount: number): void {
    if (amount <= 0) return
    const i = (y * this.w + x) * 3
    const t = amount > 1 ? 1 : amount
    const fr = typeof f === 'number' ? f : f[0]
    const fg = typeof f === 'number' ? f : f[1]
    const fb = typeof f === 'number' ? f : f[2]
    this.rgb[i] = this.rgb[i]! * (1 - t * (1 - fr))
    this.rgb[i + 1] = this.rgb[i + 1]! * (1 - t * (1 - fg))
    this.rgb[i + 2] = this.rgb[i + 2]! * (1 - t * (1 - fb))
  }

  /** Calls `fn` for every pixel of the clipped box [x0, x1] × [y0, y1]. */
  each (x0: number, y0: number, x1: number, y1: number, fn: (x: number, y: number) => void): void {
    const xa = Math.max(0, Math.floor(x0))
    const ya = Math.max(0, Math.floor(y0))
    const xb = Math.min(this.w - 1, Math.ceil(x1))
    const yb = Math.min(this.h - 1, Math.ceil(y1))
    for (let y = ya; y <= yb; y++) for (let x = xa; x <= xb; x++) fn(x, y)
  }
}

/** Anti-aliased coverage of a signed distance `d` in pixels (positive inside). */
const cover = (d: number): number => clamp01(d + 0.5)

/** Signed distance (approximate, pixels, positive inside) of an axis-aligned ellipse. */
function ellipseDist (x: number, y: number, cx: number, cy: number, rx: number, ry: number): number {
  const u = (x - cx) / rx
  const v = (y - cy) / ry
  const r = Math.sqrt(u * u + v * v)
  return (1 - r) * (rx < ry ? rx : ry)
}

/**
 * Renders the portrait. The same `params` and options always give the same bytes.
 *
 * @example
 * ```ts
 * const { image, geometry } = renderPortrait(portraitParams('a calm news anchor', 7, 384, 384), { mouthOpen: 0.5 })
 * ```
 */
export function renderPortrait (params: PortraitParams, options: RenderPortraitOptions = {}): { image: RgbaImage, geometry: PortraitGeometry } {
  checkSize(params.width, params.height)
  const mouthOpen = clamp01(options.mouthOpen ?? 0)
  const W = params.width
  const H = params.height
  const S = W < H ? W : H
  const cv = new Canvas(W, H)
  const a = params.faceScale * S // face half-width
  const b = a * params.faceAspect // face half-height (upper half)
  const cx = W / 2 + params.offsetX * W
  const cy = H * 0.46
  const mouthY = cy + 0.52 * b
  const mouthHalfWidth = params.mouthWidth * a
  const gap = mouthOpen * 0.24 * b // the opening between the lips at the centre
  const jawDrop = gap * 0.75
  const bLow = b + jawDrop // lower half-height of the face oval
  const taper = params.jawTaper
  const noise = params.noiseSeed
  // light direction (normalised), from the front, above and to one side
  const lx0 = params.lightX
  const ly0 = -0.55
  const lz0 = 0.85
  const ln = Math.sqrt(lx0 * lx0 + ly0 * ly0 + lz0 * lz0)
  const Lx = lx0 / ln
  const Ly = ly0 / ln
  const Lz = lz0 / ln
  const shadowSide = params.lightX <= 0 ? 1 : -1 // the nose casts its shadow to this side (x sign)

  /** Face-oval half-width factor at normalised height v (v > 0: below the centre). */
  const jawW = (v: number): number => 1 - taper * (v > 0 ? (v > 1 ? 1 : v) * v : 0)
  /** Normalised radius of the face oval at (x, y): < 1 inside. */
  const faceR = (x: number, y: number): { u: number, v: number, r: number } => {
    const v = y < cy ? (y - cy) / b : (y - cy) / bLow
    const u = (x - cx) / (a * jawW(v))
    return { u, v, r: Math.sqrt(u * u + v * v) }
  }

  // 1. background: vertical gradient, a lighter halo behind the head, faint mottling
  const bgT = params.backgroundTop
  const bgB = params.backgroundBottom
  cv.each(0, 0, W - 1, H - 1, (x, y) => {
    const t = y / (H - 1)
    const dx = (x - cx) / (1.6 * S * 0.5)
    const dy = (y - cy) / (1.6 * S * 0.5)
    const halo = clamp01(1 - (dx * dx + dy * dy)) * 0.18
    const n = (valueNoise(x, y, S / 10, noise ^ 0x51) - 0.5) * 0.06
    const c = mix(bgT, bgB, t)
    const f = 1 + halo + n
    const i = (y * W + x) * 3
    cv.rgb[i] = c[0] * f
    cv.rgb[i + 1] = c[1] * f
    cv.rgb[i + 2] = c[2] * f
  })

  const hair = params.hair
  const hairShade = (x: number, y: number, base: number): Rgb => {
    // strands: noise stretched along the hair's fall, lighter towards the light
    const s = valueNoise((x - cx) * 4, y * 0.5, S / 8, noise ^ 0x77)
    const f = base * (0.82 + 0.3 * s) + 0.12 * clamp01(-(x - cx) / a * Lx - (y - cy) / b * Ly)
    return [hair[0] * f + 6, hair[1] * f + 5, hair[2] * f + 4]
  }

  // 2. long hair behind the head and shoulders
  if (params.hairStyle === 'long') {
    cv.each(cx - 1.5 * a, cy - 1.3 * b, cx + 1.5 * a, cy + 1.9 * b, (x, y) => {
      const d = ellipseDist(x, y, cx, cy + 0.25 * b, 1.32 * a, 1.55 * b)
      const bottom = cover(cy + 1.75 * b - y)
      cv.over(x, y, hairShade(x, y, 0.8), cover(d) * bottom)
    })
  }

  // 3. neck and shoulders
  const skin = params.skin
  const neckTop = cy + 0.55 * b
  const neckBottom = cy + 1.5 * b
  const neckHalf = 0.5 * a
  cv.each(cx - neckHalf - 2, neckTop, cx + neckHalf + 2, H - 1, (x, y) => {
    const dx = Math.abs(x - cx)
    const widen = y > neckBottom - 0.2 * b ? smooth(neckBottom - 0.2 * b, neckBottom + 0.2 * b, y) * 0.35 * a : 0
    const d = neckHalf + widen - dx
    const side = (x - cx) / neckHalf
    const f = 0.72 - 0.18 * side * side + 0.08 * side * -Lx
    cv.over(x, y, mul(skin, f), cover(d))
  })
  const shoulderY = cy + 2.15 * b
  const clothing = params.clothing
  cv.each(cx - 2.8 * a, neckBottom - 0.2 * b, cx + 2.8 * a, H - 1, (x, y) => {
    const d = ellipseDist(x, y, cx, shoulderY, 2.6 * a, 0.85 * b)
    if (d <= -1) return
    const u = (x - cx) / (2.6 * a)
    const v = (y - shoulderY) / (0.85 * b)
    const f = 0.78 + 0.3 * clamp01(-u * Lx - v * Ly)
    // the neckline: a V of skin in the middle
    const vNeck = (neckBottom + 0.3 * b - Math.abs(x - cx) * 1.3) - y
    const side = (x - cx) / (neckHalf + 0.35 * a)
    cv.over(x, y, vNeck > 0 ? mul(skin, 0.72 - 0.18 * side * side + 0.08 * side * -Lx) : mul(clothing, f), cover(d))
  })
  // shadow of the jaw on the neck
  cv.each(cx - neckHalf, mouthY, cx + neckHalf, neckTop + 0.7 * b + jawDrop, (x, y) => {
    const chinBottom = cy + bLow
    const t = smooth(chinBottom + 0.35 * b, chinBottom - 0.05 * b, y)
    cv.shade(x, y, 0.55, t * 0.7)
  })

  // 4. ears
  const earY = cy + 0.02 * b
  for (const sgn of [-1, 1]) {
    const ex = cx + sgn * 0.97 * a
    cv.each(ex - 0.2 * a, earY - 0.3 * b, ex + 0.2 * a, earY + 0.3 * b, (x, y) => {
      const d = ellipseDist(x, y, ex, earY, 0.15 * a, 0.27 * b)
      const inner = ellipseDist(x, y, ex + sgn * 0.02 * a, earY, 0.07 * a, 0.17 * b)
      const lit = 0.8 + 0.15 * sgn * -Lx
      cv.over(x, y, mul(skin, inner > 0 ? lit * 0.78 : lit), cover(d))
    })
  }

  // 5. the face oval, lit as an ellipsoid, with skin texture
  cv.each(cx - a - 2, cy - b - 2, cx + a + 2, cy + bLow + 2, (x, y) => {
    const { u, v, r } = faceR(x, y)
    const edge = (1 - r) * (a * jawW(v) < b ? a * jawW(v) : b)
    if (edge <= -0.5) return
    const r2 = r < 1 ? r * r : 1
    const nz = Math.sqrt(1 - r2 * 0.92)
    const nx = u * 0.85
    const ny = v * 0.6
    const nl = Math.sqrt(nx * nx + ny * ny + nz * nz)
    const diffuse = clamp01((nx * Lx + ny * Ly + nz * Lz) / nl)
    const tex = (valueNoise(x, y, S / 60, noise) - 0.5) * 0.04
    const f = 0.5 + 0.58 * diffuse + tex
    // warmer in the shadows (subsurface), a little blush on the cheeks
    const cheek = clamp01(1 - ((Math.abs(u) - 0.55) * (Math.abs(u) - 0.55) / 0.06 + (v - 0.22) * (v - 0.22) / 0.04))
    const c: Rgb = [skin[0] * (f + 0.04 * (1 - diffuse)) + 10 * cheek, skin[1] * f - 4 * cheek, skin[2] * (f - 0.04 * (1 - diffuse)) - 2 * cheek]
    cv.over(x, y, c, cover(edge))
  })

  // 6. shading that gives the face its relief
  const eyeY = cy - 0.1 * b
  const eyeHalfWidth = params.eyeSize * a
  const eyeHalfHeight = eyeHalfWidth * 0.42
  const eyes: Point[] = [{ x: cx - params.eyeSpacing * a, y: eyeY }, { x: cx + params.eyeSpacing * a, y: eyeY }]
  const noseTipY = cy + 0.3 * b
  const inFace = (x: number, y: number): number => clamp01((1 - faceR(x, y).r) * a)
  // eye sockets
  for (const e of eyes) {
    cv.each(e.x - 1.8 * eyeHalfWidth, e.y - 3.2 * eyeHalfHeight, e.x + 1.8 * eyeHalfWidth, e.y + 2.6 * eyeHalfHeight, (x, y) => {
      const du = (x - e.x) / (1.6 * eyeHalfWidth)
      const dv = (y - (e.y - 0.4 * eyeHalfHeight)) / (2.8 * eyeHalfHeight)
      const t = clamp01(1 - (du * du + dv * dv))
      cv.shade(x, y, [0.72, 0.66, 0.66], t * t * 0.9 * inFace(x, y))
    })
  }
  // nose: bridge shadow on one side, the tip, the shadow under it
  cv.each(cx - 0.35 * a, eyeY, cx + 0.35 * a, noseTipY + 0.2 * b, (x, y) => {
    const along = clamp01((y - eyeY) / (noseTipY - eyeY))
    const side = (x - cx) * shadowSide
    const width = 0.1 * a + 0.07 * a * along
    // a soft band on the shadow side of the bridge
    const band = clamp01(1 - Math.abs(side - width) / (0.08 * a)) * along * (y < noseTipY ? 1 : clamp01(1 - (y - noseTipY) / (0.06 * b)))
    cv.shade(x, y, 0.7, band * 0.7)
    // highlight down the ridge
    const ridge = clamp01(1 - Math.abs(x - cx + shadowSide * 0.02 * a) / (0.04 * a)) * along * (y < noseTipY - 0.02 * b ? 1 : 0)
    cv.over(x, y, mul(skin, 1.12), ridge * 0.35)
  })
  // the tip and the alae
  cv.each(cx - 0.3 * a, noseTipY - 0.15 * b, cx + 0.3 * a, noseTipY + 0.15 * b, (x, y) => {
    const tip = ellipseDist(x, y, cx, noseTipY - 0.01 * b, 0.1 * a, 0.075 * b)
    const lit = clamp01(-(x - cx) / (0.12 * a) * Lx * 0.5 + 0.5)
    cv.over(x, y, mul(skin, 0.92 + 0.2 * lit), cover(tip) * 0.6)
    for (const sgn of [-1, 1]) {
      const ax = cx + sgn * 0.14 * a
      const ay = noseTipY + 0.02 * b
      const ala = ellipseDist(x, y, ax, ay, 0.08 * a, 0.07 * b)
      // only the wing's outer, lower crease: a full ring would read as spectacles
      const outer = smooth(-0.02 * a, 0.03 * a, (x - ax) * sgn) * smooth(ay - 0.05 * b, ay, y)
      const rim = clamp01(1 - Math.abs(ala) / (0.025 * a)) * outer
      cv.shade(x, y, 0.62, rim * 0.6)
    }
  })
  // under the nose: shadow and the nostrils
  cv.each(cx - 0.25 * a, noseTipY, cx + 0.25 * a, noseTipY + 0.18 * b, (x, y) => {
    const under = ellipseDist(x, y, cx, noseTipY + 0.1 * b, 0.22 * a, 0.06 * b)
    cv.shade(x, y, 0.7, smooth(-0.04 * a, 0.06 * a, under) * 0.6)
    for (const sgn of [-1, 1]) {
      const n = ellipseDist(x, y, cx + sgn * 0.075 * a, noseTipY + 0.065 * b, 0.045 * a, 0.022 * b)
      cv.over(x, y, mul(skin, 0.4), cover(n) * 0.85)
    }
  })
  // philtrum and the shadow under the lower lip and at the chin
  cv.each(cx - 0.1 * a, noseTipY + 0.1 * b, cx + 0.1 * a, mouthY, (x, y) => {
    const t = clamp01(1 - Math.abs(Math.abs(x - cx) - 0.05 * a) / (0.03 * a))
    cv.shade(x, y, 0.85, t * 0.5)
  })

  // 7. eyebrows
  const browColour = mix(mul(params.hair, 0.85), mul(skin, 0.45), 0.25)
  for (const [k, e] of eyes.entries()) {
    const outward = k === 0 ? -1 : 1
    cv.each(e.x - 1.5 * eyeHalfWidth, e.y - 5.2 * eyeHalfHeight, e.x + 1.5 * eyeHalfWidth, e.y - 1.4 * eyeHalfHeight, (x, y) => {
      const t = (x - e.x) / (1.25 * eyeHalfWidth) * outward // -1 inner end, +1 outer end
      if (t < -1.05 || t > 1.1) return
      const arch = 1 - (t - 0.25) * (t - 0.25) / 1.6
      const centreY = e.y - eyeHalfHeight * (2.6 + 1.1 * arch)
      const half = eyeHalfHeight * 0.42 * params.browWeight * (1.15 - 0.45 * (t > 0 ? t : 0))
      const ends = smooth(-1.05, -0.8, t) * smooth(1.1, 0.85, t)
      const d = half - Math.abs(y - centreY)
      const hairTex = 0.85 + 0.25 * hash2(x, y, noise ^ 0x33)
      cv.over(x, y, mul(browColour, hairTex), cover(d) * ends * 0.92)
    })
  }

  // 8. eyes: sclera, iris, pupil, catchlight, lid line and lashes, crease, lower lid
  const iris = params.iris
  for (const [k, e] of eyes.entries()) {
    const outward = k === 0 ? -1 : 1
    const upper = (x: number): number => {
      const t = (x - e.x) / eyeHalfWidth
      const s = 1 - t * t
      return e.y - eyeHalfHeight * s * (1 - 0.12 * t * outward) - 0.1 * eyeHalfHeight
    }
    const lower = (x: number): number => {
      const t = (x - e.x) / eyeHalfWidth
      return e.y + eyeHalfHeight * 0.8 * (1 - t * t) - 0.1 * eyeHalfHeight
    }
    const irisR = eyeHalfWidth * 0.46
    const irisY = e.y - 0.05 * eyeHalfHeight
    const lineW = Math.max(1.2, eyeHalfHeight * 0.28)
    cv.each(e.x - 1.3 * eyeHalfWidth, e.y - 2.2 * eyeHalfHeight, e.x + 1.3 * eyeHalfWidth, e.y + 1.6 * eyeHalfHeight, (x, y) => {
      const t = (x - e.x) / eyeHalfWidth
      if (t > -1 && t < 1) {
        const yu = upper(x)
        const yl = lower(x)
        const inside = cover(y - yu) * cover(yl - y)
        if (inside > 0) {
          // sclera, shadowed under the upper lid and towards the corners
          const lid = clamp01(1 - (y - yu) / (0.9 * eyeHalfHeight))
          const sc = 222 * (1 - 0.3 * lid - 0.25 * t * t)
          let c: [number, number, number] = [sc, sc * 0.97, sc * 0.95]
          const di = Math.sqrt((x - e.x) * (x - e.x) + (y - irisY) * (y - irisY))
          const ri = di / irisR
          if (ri < 1.06) {
            // iris: darker limbal ring and centre, lighter between, radial fibres
            const fibre = 0.85 + 0.3 * hash2(Math.floor(((x - e.x) * 7) / irisR), Math.floor(((y - irisY) * 7) / irisR), noise ^ k)
            const ring = ri > 0.82 ? 0.55 : 0.9 + 0.25 * ri
            let ic: [number, number, number] = mul(iris, ring * fibre * (1 - 0.35 * lid))
            if (ri < 0.44) ic = [14, 10, 10]
            c = mix(c, ic, clamp01((1.0 - ri) * irisR + 0.5))
            // catchlight
            const hx = x - (e.x - 0.28 * irisR)
            const hy = y - (irisY - 0.3 * irisR)
            const hl = Math.sqrt(hx * hx + hy * hy)
            c = mix(c, [250, 250, 250], clamp01((0.17 * irisR - hl) + 0.5) * 0.95)
          }
          cv.over(x, y, c, inside)
        }
        // lid line with lashes, thicker towards the outer corner
        const th = lineW * (0.8 + 0.7 * clamp01(t * outward))
        const dl = th - Math.abs(y - (yu - th * 0.35))
        cv.over(x, y, [34, 26, 26], cover(dl) * smooth(1.02, 0.85, Math.abs(t)) * 0.95)
        // crease above the lid
        const yc = e.y - eyeHalfHeight * (1.55 + 0.25 * (1 - t * t))
        cv.shade(x, y, 0.7, clamp01(1 - Math.abs(y - yc) / (0.22 * eyeHalfHeight)) * (1 - t * t) * 0.8)
        // lower lid: a faint line
        cv.shade(x, y, 0.75, clamp01(1 - Math.abs(y - yl - 0.5) / 1.2) * (1 - t * t) * 0.6)
      }
    })
  }

  // 9. mouth: lips, the mouth line or the opening (cavity and upper teeth)
  const lips = params.lips
  const Hu = 0.085 * b * params.lipFullness // upper lip height
  const Hl = 0.12 * b * params.lipFullness // lower lip height
  const profile = (t: number): number => 1 - t * t
  const lineY = (t: number): number => mouthY - 0.04 * b * t * t * 0.5 // corners slightly up
  const openAt = (t: number): number => gap * profile(t) * (1 - 0.25 * t * t)
  cv.each(cx - mouthHalfWidth - 3, mouthY - Hu - 3, cx + mouthHalfWidth + 3, mouthY + gap + Hl + 0.2 * b, (x, y) => {
    const t = (x - cx) / mouthHalfWidth
    if (t <= -1.12 || t >= 1.12) return
    const tc = t < -1 ? -1 : t > 1 ? 1 : t
    const p = profile(tc)
    const bow = 1 - 0.28 * clamp01(1 - (tc / 0.16) * (tc / 0.16))
    const ly = lineY(tc)
    const upperBottom = ly - openAt(tc) * 0.18
    const upperTop = upperBottom - Hu * p * bow - 0.35
    const lowerTop = ly + openAt(tc) * 0.82
    const lowerBottom = lowerTop + Hl * p * (0.9 + 0.1 * p) + 0.35
    // shadow under the lower lip
    const sub = clamp01(1 - Math.abs(y - (lowerBottom + 0.045 * b)) / (0.05 * b)) * p
    cv.shade(x, y, 0.72, sub * 0.8)
    // upper lip: darker (faces down), lower lip: lit, highlight near its middle
    const uc = cover(y - upperTop) * cover(upperBottom - y)
    if (uc > 0) cv.over(x, y, mul(lips, 0.78 + 0.12 * (y - upperTop) / (upperBottom - upperTop + 1e-9)), uc)
    const lc = cover(y - lowerTop) * cover(lowerBottom - y)
    if (lc > 0) {
      const m = (y - lowerTop) / (lowerBottom - lowerTop + 1e-9)
      const hl = clamp01(1 - ((m - 0.35) * (m - 0.35)) / 0.04) * (1 - tc * tc) * 0.22
      cv.over(x, y, mul(lips, 0.98 + hl), lc)
    }
    // the opening
    if (gap > 0.3) {
      const oc = cover(y - upperBottom) * cover(lowerTop - y)
      if (oc > 0) {
        const depth = clamp01((y - upperBottom) / (lowerTop - upperBottom + 1e-9))
        let c: [number, number, number] = [62 - 20 * depth, 20, 24]
        // upper teeth, in the middle of the mouth
        const teethH = Math.min(0.06 * b, (lowerTop - upperBottom) * 0.45)
        if (y < upperBottom + teethH && tc > -0.62 && tc < 0.62) {
          const edge = smooth(0.62, 0.5, Math.abs(tc))
          c = mix(c, [214, 208, 196], edge * (0.85 - 0.25 * clamp01((y - upperBottom) / teethH)))
        }
        cv.over(x, y, c, oc)
      }
    }
    // the mouth line (and the corners' shadow)
    const lineAt = ly
    const darkness = gap > 0.3 ? smooth(0.85, 1.0, Math.abs(tc)) : 1
    const lw = MOUTH_LINE_HALF_WIDTH - 0.6 * (1 - p)
    cv.over(x, y, mul(lips, 0.32), cover(lw - Math.abs(y - lineAt)) * smooth(1.12, 0.95, Math.abs(t)) * darkness)
  })

  // 10. hair over the head: a cap above the hairline, sides down to the ears
  const part = params.hairPart
  cv.each(cx - 1.2 * a, cy - 1.3 * b, cx + 1.2 * a, cy + (params.hairStyle === 'long' ? 0.9 : 0.3) * b, (x, y) => {
    const capTop = params.hairStyle === 'cropped' ? 1.05 : 1.12
    const cap = ellipseDist(x, y, cx, cy - 0.08 * b, (params.hairStyle === 'cropped' ? 1.04 : 1.1) * a, capTop * b)
    if (cap <= -1) return
    const u = (x - cx) / a
    // hairline: high in the middle, lower at the temples, swept from the part
    const du = u - part
    const sweep = 0.1 * (du > 0 ? du : -du * 0.5)
    const hairline = cy + b * (-0.6 + 0.3 * u * u + sweep)
    const sideburn = Math.abs(u) > 0.86 ? (params.hairStyle === 'long' ? 0.9 : 0.05) : -2
    const below = Math.max(hairline, cy + b * sideburn)
    const lineCover = y < below ? cover((below - y) * 0.8) : 0
    const shade = 0.75 + 0.25 * clamp01(1 - Math.abs(u) * 0.7)
    cv.over(x, y, hairShade(x, y, shade), cover(cap) * lineCover)
  })
  // a soft shadow of the hair on the forehead
  cv.each(cx - a, cy - b, cx + a, cy - 0.2 * b, (x, y) => {
    const u = (x - cx) / a
    const du = u - part
    const hairline = cy + b * (-0.6 + 0.3 * u * u + 0.1 * (du > 0 ? du : -du * 0.5))
    const t = clamp01(1 - (y - hairline) / (0.08 * b))
    if (y > hairline) cv.shade(x, y, 0.75, t * 0.6 * inFace(x, y))
  })

  // write out RGBA
  const data = new Uint8ClampedArray(W * H * 4)
  for (let p = 0, q = 0; p < W * H; p++, q += 3) {
    data[p * 4] = cv.rgb[q]!
    data[p * 4 + 1] = cv.rgb[q + 1]!
    data[p * 4 + 2] = cv.rgb[q + 2]!
    data[p * 4 + 3] = 255
  }

  const mouthCentreY = lineY(0) + openAt(0) * 0.32
  const jaw: Point[] = []
  for (let i = 0; i <= 16; i++) {
    // from v = 0 (ear level) on the left, round the chin (v = 1), to v = 0 on the right
    const ang = i / 16 // 0..1
    const side = ang < 0.5 ? -1 : 1
    const v = ang < 0.5 ? ang * 2 : (1 - ang) * 2
    const half = a * jawW(v) * Math.sqrt(1 - v * v)
    jaw.push({ x: cx + side * half, y: cy + v * bLow })
  }
  jaw[8] = { x: cx, y: cy + bLow }
  const vm = (mouthY - cy) / bLow
  return {
    image: { width: W, height: H, data },
    geometry: {
      faceBox: { x: cx - a, y: cy - b, width: 2 * a, height: b + bLow },
      leftEye: eyes[0]!,
      rightEye: eyes[1]!,
      eyeHalfWidth,
      eyeHalfHeight,
      mouth: { x: cx, y: mouthCentreY },
      mouthCorners: [{ x: cx - mouthHalfWidth, y: lineY(1) }, { x: cx + mouthHalfWidth, y: lineY(1) }],
      mouthHalfWidth,
      mouthGap: openAt(0),
      chin: { x: cx, y: cy + bLow },
      jaw,
      faceHalfWidthAtMouth: a * jawW(vm) * Math.sqrt(1 - vm * vm),
      neck: { x: cx, y: neckBottom }
    }
  }
}

/**
 * The animation stage's rig for a portrait drawn with its mouth closed. Its `mouthY` is the lower
 * edge of the drawn mouth line, so that the whole dark line stays with the upper lip when the warp
 * drops the jaw (at the line's centre the warp splits it, leaving a copy on each lip).
 */
export function portraitRig (g: PortraitGeometry): FaceRig {
  return {
    mouthX: g.mouth.x,
    mouthY: g.mouth.y + MOUTH_LINE_HALF_WIDTH,
    mouthHalfWidth: g.mouthHalfWidth,
    chinY: g.chin.y,
    faceHalfWidth: g.faceHalfWidthAtMouth,
    leftEyeX: g.leftEye.x,
    leftEyeY: g.leftEye.y,
    rightEyeX: g.rightEye.x,
    rightEyeY: g.rightEye.y,
    eyeHalfWidth: g.eyeHalfWidth,
    eyeHalfHeight: g.eyeHalfHeight,
    pivotX: g.neck.x,
    pivotY: g.neck.y
  }
}
