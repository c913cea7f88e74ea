// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Command line of the live ffmpeg source: a paced test pattern (or a looped file) encoded to VP8 + Opus WebM with
 * one keyframe, and so one Cluster, per segment.
 */
import { existsSync } from 'node:fs'
import { InvalidInputError } from '../../core/errors.ts'

/**
 * Defaults of `FfmpegSourceInit`.
 */
export const FFMPEG_SOURCE_DEFAULTS = {
  width: 640,
  height: 360,
  fps: 24,
  segmentMs: 1000,
  videoBitrateKbps: 800,
  toneHz: 440,
  ffmpegPath: 'ffmpeg'
} as const

/** Allowed range of `segmentMs`. */
export const SEGMENT_MS_RANGE = { min: 1000, max: 2000 } as const

/** Opus bitrate: also keeps every Cluster above the muxer's 4 KiB "keyframe starts a Cluster" threshold. */
const AUDIO_BITRATE = '64k'

/**
 * Bold monospace fonts shipped by the packages Debian's ffmpeg pulls in (fontconfig-config depends on
 * fonts-dejavu-core or one of its alternatives).
 */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf',
  '/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
]

/** First font file that exists, or `undefined` to let drawtext ask fontconfig for "monospace". */
export function findFontFile (candidates: readonly string[] = FONT_CANDIDATES): string | undefined {
  return candidates.find(path => existsSync(path))
}

/** Resolved options the command line is built from. */
export interface FfmpegArgsOptions {
  input?: string
  /** Whether `input` has an audio stream; without one the tone is mixed in instead. */
  inputHasAudio?: boolean
  width: number
  height: number
  fps: number
  segmentMs: number
  videoBitrateKbps: number
  toneHz: number
  /** From {@link findFontFile}; `undefined` uses fontconfig. */
  fontFile?: string
}

/**
 * Quotes a filter option value for the filtergraph parser, which then hides ',' and ';' from it
 * (https://ffmpeg.org/ffmpeg-filters.html#Notes-on-filtergraph-escaping). Our values never hold a quote.
 */
function quote (value: string): string {
  if (value.includes("'")) throw new InvalidInputError(`Cannot quote ${value} for a filter`, { field: 'fontFile' })
  return `'${value}'`
}

/** Burns the label, the wall clock and the stream position into the test pattern. */
export function overlayFilter (o: Pick<FfmpegArgsOptions, 'height' | 'fps' | 'fontFile'>): string {
  const font = o.fontFile !== undefined ? `fontfile=${quote(o.fontFile)}` : 'font=monospace'
  const box = 'fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6'
  const text = (value: string, size: number, y: string): string =>
    `drawtext=${font}:${box}:fontsize=${Math.max(8, Math.round(size))}:x=(w-text_w)/2:y=${y}:text=${quote(value)}`
  // quote() hides ',' from the filtergraph parser; ':' inside %{…} must still be escaped (\:) for the option
  // parser, and %T avoids colons in the strftime format (they would need a third escaping level).
  return [
    text('NSN TEST SOURCE', o.height / 12, 'h/16'),
    text('%{localtime\\:%T}', o.height / 5, '(h-text_h)/2'),
    text(`t %{pts\\:hms}  f %{eif\\:mod(n,${o.fps})\\:d\\:2}/${o.fps}`, o.height / 16, 'h-text_h-h/16')
  ].join(',')
}

/** The full ffmpeg argument list (without the binary). Output goes to stdout as live WebM. */
export function ffmpegArgs (o: FfmpegArgsOptions): string[] {
  const gop = Math.max(1, Math.round(o.fps * o.segmentMs / 1000))
  const size = `${o.width}x${o.height}`
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning']
  let video: string
  if (o.input === undefined) {
    args.push('-re', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${o.fps}`)
    video = overlayFilter(o)
  } else {
    args.push('-stream_loop', '-1', '-re', '-i', o.input)
    video = `scale=${o.width}:${o.height}:force_original_aspect_ratio=decrease,` +
      `pad=${o.width}:${o.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${o.fps}`
  }
  const tone = o.input === undefined || o.inputHasAudio !== true
  if (tone) args.push('-re', '-f', 'lavfi', '-i', `sine=frequency=${o.toneHz}:sample_rate=48000`)
  args.push(
    '-map', '0:v:0', '-map', tone ? '1:a:0' : '0:a:0',
    '-filter:v', `${video},format=yuv420p`,
    // sine= peaks at 1/8 full scale (-18 dBFS) and the mono → stereo upmix takes 3 dB: +9 dB gives a clear tone
    // peaking at -12 dBFS per channel (measured with volumedetect).
    '-filter:a', tone ? 'volume=9dB,aresample=48000' : 'aresample=48000',
    '-c:v', 'libvpx', '-b:v', `${o.videoBitrateKbps}k`,
    '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-error-resilient', '1', '-auto-alt-ref', '0',
    '-g', String(gop), '-keyint_min', String(gop),
    '-force_key_frames', `expr:gte(t,n_forced*${o.segmentMs / 1000})`,
    '-c:a', 'libopus', '-b:a', AUDIO_BITRATE, '-ar', '48000', '-ac', '2',
    // The Matroska muxer starts a Cluster at a video keyframe once the current one holds > 4 KiB, or when
    // cluster_time_limit passes; at twice the segment only keyframes split. It writes each Cluster, with its
    // size, when the next one starts; flush_packets pushes it out of the AVIOContext buffer right then.
    '-f', 'webm', '-live', '1', '-cluster_time_limit', String(2 * o.segmentMs),
    '-cluster_size_limit', String(256 * 1024 * 1024), '-flush_packets', '1',
    'pipe:1'
  )
  return args
}
