// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The animation stage's image operation: a keyframe portrait warped per frame by audio-driven
 * parameters (mouth/jaw opening, blink, head motion). Not neural: a hand-written displacement field
 * sampled bilinearly (backward mapping), with a drawn mouth cavity where the jaw opens.
 *
 * One definition, two implementations that must agree: {@link warpFrameCpu} (the reference, and the
 * CPU fallback) and {@link WARP_WGSL} run by {@link GpuWarper} on WebGPU. Both compute in f32 steps
 * in the same order; outputs differ by at most a rounding step per channel (tested).
 *
 * Coordinates are pixels with the origin at the top-left pixel's centre.
 */
import type { RgbaImage } from './stage.ts'

/** Where the face parts are in the keyframe (from the keyframe stage or from landmarks). */
export interface FaceRig {
  /** Centre of the mouth line. */
  mouthX: number
  mouthY: number
  /** Half the mouth width. */
  mouthHalfWidth: number
  /** Chin bottom (y), the lowest point the jaw moves. */
  chinY: number
  /** Half the face width at the mouth. */
  faceHalfWidth: number
  /** Eye centres and the eye opening's half width/height. */
  leftEyeX: number
  leftEyeY: number
  rightEyeX: number
  rightEyeY: number
  eyeHalfWidth: number
  eyeHalfHeight: number
  /** Pivot of head motion (e.g. the neck). */
  pivotX: number
  pivotY: number
}

/** One frame's parameters. */
export interface WarpParams {
  /** Mouth/jaw opening, 0 (closed) … 1 (wide open). */
  mouthOpen: number
  /** Eyelid closure, 0 (open) … 1 (closed). */
  blink: number
  /** Head roll (radians, small) about the pivot, and translation (pixels). */
  roll: number
  shiftX: number
  shiftY: number
}

/** The jaw drops at most this fraction of the mouth-to-chin distance. */
export const MAX_JAW_DROP = 0.45
/** Mouth cavity colour (RGB 0..255). */
export const CAVITY_RGB = [70, 18, 24] as const

/**
 * Number of f32 uniforms: rig (13), mouth, blink, cos/sin of the roll, shift (2), image size (2),
 * padded to a multiple of 4. The roll's cosine and sine are computed once on the CPU: GPU sin/cos are
 * approximations (SwiftShader's differ by ~1e-4), which would move edges by a visible fraction of a step.
 */
const UNIFORM_FLOATS = 24

/** Packs rig, params and size into the uniform layout both implementations read. */
export function packUniforms (rig: FaceRig, p: WarpParams, width: number, height: number): Float32Array<ArrayBuffer> {
  const u = new Float32Array(UNIFORM_FLOATS)
  u.set([
    rig.mouthX, rig.mouthY, rig.mouthHalfWidth, rig.chinY,
    rig.faceHalfWidth, rig.leftEyeX, rig.leftEyeY, rig.rightEyeX,
    rig.rightEyeY, rig.eyeHalfWidth, rig.eyeHalfHeight, rig.pivotX,
    rig.pivotY, p.mouthOpen, p.blink, Math.cos(p.roll),
    p.shiftX, p.shiftY, width, height, Math.sin(p.roll)
  ])
  return u
}

const f = Math.fround
const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x)
/** WGSL's smoothstep, in f32 steps. */
function smoothstep (e0: number, e1: number, x: number): number {
  const t = f(clamp01(f(f(x - e0) / f(e1 - e0))))
  return f(f(t * t) * f(3 - f(2 * t)))
}

/**
 * The source position for output pixel (x, y), and whether it lies in the open mouth cavity
 * (`cavity` > 0 gives the cavity's blend weight). Mirrors `source()` in {@link WARP_WGSL}.
 */
function source (u: readonly number[], x: number, y: number, out: Float64Array): void {
  // indexed reads of a plain array: this runs once per pixel
  const mx = u[0]!; const my = u[1]!; const mhw = u[2]!; const chinY = u[3]!; const fhw = u[4]!
  const lx = u[5]!; const ly = u[6]!; const rx = u[7]!; const ry = u[8]!; const ehw = u[9]!; const ehh = u[10]!
  const px = u[11]!; const py = u[12]!; const open = u[13]!; const blink = u[14]!; const c = u[15]!
  const shx = u[16]!; const shy = u[17]!; const s = u[20]!
  // head motion: inverse rotation about the pivot, then inverse translation
  const dx = f(f(x - shx) - px)
  const dy = f(f(y - shy) - py)
  const hx = f(f(f(c * dx) + f(s * dy)) + px)
  let hy = f(f(f(-s * dx) + f(c * dy)) + py)
  // jaw: below the mouth line, pixels come from higher up, most at the chin's centre line
  const drop = f(f(open * MAX_JAW_DROP) * f(chinY - my))
  const across = f(1 - smoothstep(f(mhw * 0.6), fhw, Math.abs(f(hx - mx))))
  const below = smoothstep(my, f(my + f(mhw * 0.3)), hy)
  const fade = f(1 - smoothstep(chinY, f(chinY + f(f(chinY - my) * 0.6)), hy))
  const shift = f(f(f(drop * across) * below) * fade)
  let cavity = 0
  const jawY = f(hy - shift)
  if (shift > 0) {
    // the gap the lower lip opened: an ellipse under the mouth line, faded in smoothly
    const ex = f(f(hx - mx) / f(mhw * 0.9))
    const ey = f(f(hy - my) / f(shift + 0.001))
    const r = f(f(ex * ex) + f(ey * ey))
    cavity = f(f(f(1 - smoothstep(0.8, 1, r)) * smoothstep(0.5, 1.5, shift)) * smoothstep(-0.5, 0.5, f(my - jawY)))
  }
  hy = jawY
  // blink: inside an eye the upper lid comes down, drawn with the skin just above the eye
  let lid = 0
  let lidY = hy
  const lidLine = f(-1 + f(2 * blink))
  for (let e = 0; e < 2; e++) {
    const ex = e === 0 ? lx : rx
    const ey = e === 0 ? ly : ry
    const nx = f(f(hx - ex) / ehw)
    const ny = f(f(hy - ey) / ehh)
    const inside = f(1 - smoothstep(0.85, 1, f(f(nx * nx) + f(ny * ny))))
    const cover = f(f(1 - smoothstep(f(lidLine - 0.1), f(lidLine + 0.1), ny)) * smoothstep(0, 0.05, blink))
    const w = f(inside * cover)
    if (w > lid) {
      lid = w
      lidY = f(f(ey - ehh) - 1.5)
    }
  }
  // written into the caller's scratch array (sx, sy, cavity, lid, lidY): no allocation per pixel
  out[0] = hx; out[1] = hy; out[2] = cavity; out[3] = lid; out[4] = lidY
}

function sample (img: RgbaImage, x: number, y: number, out: Float32Array): void {
  const w = img.width
  const h = img.height
  const cx = Math.min(Math.max(x, 0), w - 1)
  const cy = Math.min(Math.max(y, 0), h - 1)
  const x0 = Math.floor(cx)
  const y0 = Math.floor(cy)
  const x1 = Math.min(x0 + 1, w - 1)
  const y1 = Math.min(y0 + 1, h - 1)
  const tx = f(cx - x0)
  const ty = f(cy - y0)
  const d = img.data
  for (let k = 0; k < 4; k++) {
    const a = f(f(d[(y0 * w + x0) * 4 + k]! * f(1 - tx)) + f(d[(y0 * w + x1) * 4 + k]! * tx))
    const b = f(f(d[(y1 * w + x0) * 4 + k]! * f(1 - tx)) + f(d[(y1 * w + x1) * 4 + k]! * tx))
    out[k] = f(f(a * f(1 - ty)) + f(b * ty))
  }
}

/** Warps `keyframe` into a new frame on the CPU (the reference implementation and the fallback). */
export function warpFrameCpu (keyframe: RgbaImage, rig: FaceRig, params: WarpParams): RgbaImage {
  const { width, height } = keyframe
  const u = Array.from(packUniforms(rig, params, width, height))
  const out = new Uint8ClampedArray(width * height * 4)
  const px = new Float32Array(4)
  const lidPx = new Float32Array(4)
  const src = new Float64Array(5)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      source(u, x, y, src)
      const sx = src[0]!; const sy = src[1]!; const cavity = src[2]!; const lid = src[3]!; const lidY = src[4]!
      sample(keyframe, sx, sy, px)
      sample(keyframe, sx, lidY, lidPx)
      const i = (y * width + x) * 4
      for (let k = 0; k < 4; k++) {
        const base = f(f(px[k]! * f(1 - lid)) + f(lidPx[k]! * lid))
        out[i + k] = k === 3 ? Math.round(base) : Math.round(f(f(base * f(1 - cavity)) + f(CAVITY_RGB[k]! * cavity)))
      }
    }
  }
  return { width, height, data: out }
}

/** The same warp as a WebGPU compute shader (one invocation per output pixel). */
export const WARP_WGSL = /* wgsl */`
struct U { v: array<vec4<f32>, ${UNIFORM_FLOATS / 4}> };
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn g(i: u32) -> f32 { return u.v[i / 4u][i % 4u]; }

fn texel(x: i32, y: i32, w: i32) -> vec4<f32> {
  let p = src[u32(y * w + x)];
  return vec4<f32>(f32(p & 255u), f32((p >> 8u) & 255u), f32((p >> 16u) & 255u), f32(p >> 24u));
}

fn bilinear(x: f32, y: f32, w: i32, h: i32) -> vec4<f32> {
  let cx = clamp(x, 0.0, f32(w - 1));
  let cy = clamp(y, 0.0, f32(h - 1));
  let x0 = i32(floor(cx));
  let y0 = i32(floor(cy));
  let x1 = min(x0 + 1, w - 1);
  let y1 = min(y0 + 1, h - 1);
  let tx = cx - f32(x0);
  let ty = cy - f32(y0);
  let a = texel(x0, y0, w) * (1.0 - tx) + texel(x1, y0, w) * tx;
  let b = texel(x0, y1, w) * (1.0 - tx) + texel(x1, y1, w) * tx;
  return a * (1.0 - ty) + b * ty;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let width = u32(g(18u));
  let height = u32(g(19u));
  if (id.x >= width || id.y >= height) { return; }
  let x = f32(id.x);
  let y = f32(id.y);
  let mx = g(0u); let my = g(1u); let mhw = g(2u); let chinY = g(3u);
  let fhw = g(4u); let lx = g(5u); let ly = g(6u); let rx = g(7u);
  let ry = g(8u); let ehw = g(9u); let ehh = g(10u); let px = g(11u);
  let py = g(12u); let open = g(13u); let blink = g(14u); let c = g(15u);
  let shx = g(16u); let shy = g(17u); let s = g(20u);
  let dx = (x - shx) - px;
  let dy = (y - shy) - py;
  let hx = (c * dx + s * dy) + px;
  var hy = (-s * dx + c * dy) + py;
  let drop = (open * ${MAX_JAW_DROP}) * (chinY - my);
  let across = 1.0 - smoothstep(mhw * 0.6, fhw, abs(hx - mx));
  let below = smoothstep(my, my + mhw * 0.3, hy);
  let fade = 1.0 - smoothstep(chinY, chinY + (chinY - my) * 0.6, hy);
  let shift = ((drop * across) * below) * fade;
  var cavity = 0.0;
  let jawY = hy - shift;
  if (shift > 0.0) {
    let ex = (hx - mx) / (mhw * 0.9);
    let ey = (hy - my) / (shift + 0.001);
    let r = ex * ex + ey * ey;
    cavity = ((1.0 - smoothstep(0.8, 1.0, r)) * smoothstep(0.5, 1.5, shift)) * smoothstep(-0.5, 0.5, my - jawY);
  }
  hy = jawY;
  var lid = 0.0;
  var lidY = hy;
  let lidLine = -1.0 + 2.0 * blink;
  let eyes = array<vec2<f32>, 2>(vec2<f32>(lx, ly), vec2<f32>(rx, ry));
  for (var e = 0; e < 2; e++) {
    let nx = (hx - eyes[e].x) / ehw;
    let ny = (hy - eyes[e].y) / ehh;
    let inside = 1.0 - smoothstep(0.85, 1.0, nx * nx + ny * ny);
    let cover = (1.0 - smoothstep(lidLine - 0.1, lidLine + 0.1, ny)) * smoothstep(0.0, 0.05, blink);
    let wgt = inside * cover;
    if (wgt > lid) {
      lid = wgt;
      lidY = (eyes[e].y - ehh) - 1.5;
    }
  }
  let w = i32(width);
  let h = i32(height);
  let base = bilinear(hx, hy, w, h) * (1.0 - lid) + bilinear(hx, lidY, w, h) * lid;
  let pix = base;
  let cav = vec3<f32>(${CAVITY_RGB.map(v => v.toFixed(1)).join(', ')});
  let rgb = round(pix.rgb * (1.0 - cavity) + cav * cavity);
  let alpha = round(pix.a);
  let o = vec4<u32>(vec4<f32>(clamp(rgb, vec3<f32>(0.0), vec3<f32>(255.0)), clamp(alpha, 0.0, 255.0)));
  dst[id.y * width + id.x] = o.x | (o.y << 8u) | (o.z << 16u) | (o.w << 24u);
}
`

/**
 * Runs {@link WARP_WGSL} on a WebGPU device: upload the keyframe once, then one dispatch and one
 * read-back per frame. Tracks the bytes of the GPU buffers it holds (`gpuBytes`) for the memory budget.
 */
export class GpuWarper {
  private readonly device: GPUDevice
  private readonly pipeline: GPUComputePipeline
  private readonly width: number
  private readonly height: number
  private readonly buffers: GPUBuffer[]
  private readonly uniforms: GPUBuffer
  private readonly output: GPUBuffer
  private readonly readback: GPUBuffer
  private readonly bind: GPUBindGroup
  /** Bytes of GPU buffers held. */
  readonly gpuBytes: number

  constructor (device: GPUDevice, keyframe: RgbaImage) {
    this.device = device
    this.width = keyframe.width
    this.height = keyframe.height
    const bytes = keyframe.width * keyframe.height * 4
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: WARP_WGSL }), entryPoint: 'main' } })
    this.uniforms = device.createBuffer({ size: UNIFORM_FLOATS * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST })
    const input = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST })
    device.queue.writeBuffer(input, 0, keyframe.data.buffer, keyframe.data.byteOffset, bytes)
    this.output = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC })
    this.readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
    this.buffers = [this.uniforms, input, this.output, this.readback]
    this.gpuBytes = UNIFORM_FLOATS * 4 + bytes * 3
    this.bind = device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: this.uniforms } }, { binding: 1, resource: { buffer: input } }, { binding: 2, resource: { buffer: this.output } }]
    })
  }

  /** Renders one frame. */
  async frame (rig: FaceRig, params: WarpParams): Promise<RgbaImage> {
    const { device, width, height } = this
    device.queue.writeBuffer(this.uniforms, 0, packUniforms(rig, params, width, height))
    const enc = device.createCommandEncoder()
    const pass = enc.beginComputePass()
    pass.setPipeline(this.pipeline)
    pass.setBindGroup(0, this.bind)
    pass.dispatchWorkgroups(Math.ceil(width / 8), Math.ceil(height / 8))
    pass.end()
    enc.copyBufferToBuffer(this.output, 0, this.readback, 0, width * height * 4)
    device.queue.submit([enc.finish()])
    await this.readback.mapAsync(GPUMapMode.READ)
    const data = new Uint8ClampedArray(this.readback.getMappedRange().slice(0))
    this.readback.unmap()
    return { width, height, data }
  }

  /** Frees the GPU buffers. */
  destroy (): void {
    for (const b of this.buffers) b.destroy()
  }
}
