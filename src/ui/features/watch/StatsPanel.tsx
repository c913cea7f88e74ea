// SPDX-License-Identifier: GPL-3.0-or-later
import type { ViewerStats } from '../../../app/types.ts'
import type { MsePlayerStats } from '../../../platform/browser/mse-player.ts'
import { formatKbps, formatMs, formatSec, shortPeerId, transportSummary } from './util.ts'

/** Props of {@link StatsPanel}. */
export interface StatsPanelProps {
  node?: ViewerStats
  player?: MsePlayerStats
  bitrateInKbps?: number
}

/** Live numbers of the viewer: latency, peers, bitrate, segments, stalls, buffer and TTFF. */
export function StatsPanel ({ node, player, bitrateInKbps }: StatsPanelProps) {
  const connections = node?.connections ?? []
  const rows: Array<[string, string]> = [
    ['Latency', `${formatMs(player?.latencyMs)} (p50 ${formatMs(player?.latencyP50)}, p99 ${formatMs(player?.latencyP99)})`],
    ['Peers', `${connections.length}${connections.length > 0 ? ` (${transportSummary(connections)})` : ''}`],
    ['Video-topic peers', String(node?.videoPeers.length ?? 0)],
    ['Bitrate in', formatKbps(bitrateInKbps)],
    ['Segments', `${node?.segmentsAccepted ?? 0} accepted, ${node?.segmentsRejected ?? 0} rejected`],
    ['Stalls', `${player?.stalls.count ?? 0} (longest ${formatMs(player?.stalls.longestMs)})`],
    ['Buffer ahead', formatSec(player?.bufferedAheadSec)],
    ['Time to first frame', formatMs(player?.ttffMs)],
    ['Frames decoded', String(player?.framesDecoded ?? 0)]
  ]
  return (
    <section className="stats" aria-label="Playback statistics">
      <h2>Stats</h2>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label} className="stats-row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {node != null && (
        <details className="peers">
          <summary>Connections ({connections.length}) · you are {shortPeerId(node.peerId)}</summary>
          <ul>
            {connections.map(c => (
              <li key={`${c.peer}-${c.addr}`}>
                <code title={c.peer}>{shortPeerId(c.peer)}</code> {c.transport}{c.limited ? ' (limited)' : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}
