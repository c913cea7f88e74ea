// SPDX-License-Identifier: GPL-3.0-or-later
/** Small helpers of the stream benchmark: progress output, rounding, statistics. */

export const t0 = performance.now()
export function progress (msg: string): void {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`)
}

export const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
export const round = (n: number | undefined, digits = 0): number | null => {
  if (n == null || !Number.isFinite(n)) return null
  const f = 10 ** digits
  return Math.round(n * f) / f
}
export const mean = (xs: number[]): number | undefined => xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined

/** Traffic counters of one viewer at one moment. */
export function percentile (xs: number[], p: number): number | undefined {
  if (xs.length === 0) return undefined
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]
}

// ---- main -------------------------------------------------------------------------------------
