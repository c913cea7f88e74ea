// SPDX-License-Identifier: GPL-3.0-or-later
/** Pure formatting helpers of the watch page. */

/** What the watch page is doing. */
export type WatchPhase = 'connecting' | 'waiting' | 'playing' | 'stalled' | 'error'

const DASH = '—'

/** `123 ms`, `12.3 s` above ten seconds, `—` when unknown. */
export function formatMs (ms: number | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return DASH
  return Math.abs(ms) >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}

/** `1.2 s`, `—` when unknown. */
export function formatSec (sec: number | undefined): string {
  return sec == null || !Number.isFinite(sec) ? DASH : `${sec.toFixed(1)} s`
}

/** A byte counter read at a moment. */
export interface ByteSample {
  bytes: number
  atMs: number
}

/** Rate between two counter samples in kbit/s; undefined without a usable earlier sample. */
export function bitrateKbps (prev: ByteSample | undefined, next: ByteSample): number | undefined {
  if (prev == null) return undefined
  const dt = next.atMs - prev.atMs
  const db = next.bytes - prev.bytes
  if (dt <= 0 || db < 0) return undefined
  // bytes * 8 / ms = kbit/s
  return (db * 8) / dt
}

/** `850 kbit/s`, `2.4 Mbit/s`, `—` when unknown. */
export function formatKbps (kbps: number | undefined): string {
  if (kbps == null || !Number.isFinite(kbps)) return DASH
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`
}

/** Connections counted by transport, most used first: `webrtc ×2, websockets ×1`, or `none`. */
export function transportSummary (connections: ReadonlyArray<{ transport: string }>): string {
  const counts = new Map<string, number>()
  for (const c of connections) counts.set(c.transport, (counts.get(c.transport) ?? 0) + 1)
  if (counts.size === 0) return 'none'
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([transport, n]) => `${transport} ×${n}`)
    .join(', ')
}

/** `12D3Ko…x9Zq` for long peer ids. */
export function shortPeerId (id: string): string {
  return id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id
}

/** True for the ffmpeg test pattern channel: named `test` or flagged in the node config. */
export function isTestSource (config: { channel: string, testSource?: boolean } | undefined): boolean {
  return config != null && (config.testSource === true || config.channel === 'test')
}

/** The status line for a phase; `peers` is the number of open connections, when known. */
export function phaseText (phase: WatchPhase, error?: string, peers?: number): string {
  switch (phase) {
    case 'connecting': return 'Connecting to the network…'
    case 'waiting': return peers == null || peers === 0
      ? 'Node started. Looking for peers…'
      : `Connected to ${peers} peer${peers === 1 ? '' : 's'}. Waiting for the first video segment…`
    case 'playing': return 'Playing live'
    case 'stalled': return 'Buffering: waiting for the next segment…'
    case 'error': return `Error: ${error != null && error !== '' ? error : 'playback failed'}`
  }
}
