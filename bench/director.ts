// SPDX-License-Identifier: GPL-3.0-or-later
/** The director during a benchmark: its publish schedule, and a higher CPU priority for it and its encoder. */
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { progress, sleep, round } from './bench-util.ts'
import type { Devnet } from '../src/app/devnet.ts'

export function watchPublishes (devnet: Devnet): { stop: () => Promise<{ times: number[], spanMs: number }> } {
  const times: number[] = []
  const startedAt = Date.now()
  let running = true
  const loop = (async () => {
    let last = -1
    while (running) {
      const s = await devnet.director.status().catch(() => undefined)
      if (s != null) {
        if (last >= 0 && s.published > last) times.push(Date.now())
        last = s.published
      }
      await sleep(100)
    }
  })()
  return {
    stop: async () => {
      const spanMs = Date.now() - startedAt
      running = false
      await loop
      return { times, spanMs }
    }
  }
}

export interface PublishSummary {
  publishes: number
  /** Publishes beyond one per segment duration over the window: backlog the encoder caught up, in segments. */
  extra_segments: number
  max_gap_ms: number | null
}

/** How far the director's publishing was from one segment per segment duration over `windowMs`. */
export function publishSummary (times: number[], windowMs: number, segmentMs: number): PublishSummary {
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t))
  return {
    publishes: times.length,
    extra_segments: round(times.length - windowMs / segmentMs, 1) ?? 0,
    max_gap_ms: gaps.length > 0 ? Math.max(...gaps) : null
  }
}

export function offSchedule (p: PublishSummary, segmentMs: number): boolean {
  return p.extra_segments >= 2 || (p.max_gap_ms ?? 0) > 2 * segmentMs
}

const run = promisify(execFile)

/**
 * Raises the CPU priority (nice -10) of every thread of the director's node process and of its ffmpeg
 * child, as they appear, until `signal` aborts. Every node of the devnet shares this machine; in a real
 * network the director encodes on its own machine, and an encoder that falls behind the wall clock
 * shows as latency at every viewer whatever the transport. Needs root (else: a warning, no change).
 */
export async function prioritizeDirector (dataDir: string, signal: AbortSignal): Promise<void> {
  const done = new Set<string>()
  const pids = async (args: string[]): Promise<string[]> => (await run('pgrep', args).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean)
  while (!signal.aborted) {
    const node = await pids(['-f', '--', `--role director --data ${join(dataDir, 'director')}`])
    const children = (await Promise.all(node.map(async p => await pids(['-P', p])))).flat()
    // Linux niceness is per thread, and ffmpeg encodes on threads of its own.
    const threads = (await Promise.all([...node, ...children].map(async p => await readdir(`/proc/${p}/task`).catch(() => [] as string[])))).flat()
    const fresh = threads.filter(t => !done.has(t))
    if (fresh.length > 0) {
      try {
        await run('renice', ['-n', '-10', '-p', ...fresh])
      } catch (err) {
        // A thread may have ended meanwhile; without root nothing works: say so once and stop.
        if (done.size === 0) {
          progress(`warning: cannot raise the director's priority: ${(err as Error).message.split('\n')[0]}`)
          return
        }
      }
      for (const t of fresh) done.add(t)
    }
    await sleep(children.length > 0 ? 1000 : 200)
  }
}
