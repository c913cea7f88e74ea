// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A minimal libp2p `Metrics` implementation that counts the bytes each connection sends and receives
 * (after encryption: what crosses the wire), per node rather than per process like prom-client's
 * global registry. Metric registrations from libp2p services are accepted and not recorded.
 */
import type { Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

export interface TrafficCounters {
  bytesIn: number
  bytesOut: number
  /** Bytes per negotiated protocol (stream payload, before muxing), in and out. */
  protocols: Record<string, { in: number, out: number }>
}

interface Observable {
  dispatchEvent(evt: Event): boolean
  send(data: unknown): boolean
}

const noop = (): void => {}
const noopMetric = {
  update: noop, increment: noop, decrement: noop, reset: noop, observe: noop,
  timer: () => noop
}
const noopGroup = new Proxy({}, { get: () => noop })

function byteLength (data: unknown): number {
  const d = data as { byteLength?: number } | null
  return typeof d?.byteLength === 'number' ? d.byteLength : 0
}

export class TrafficMetrics {
  readonly counters: TrafficCounters = { bytesIn: 0, bytesOut: 0, protocols: {} }

  /** The factory libp2p's `metrics` option expects. */
  factory (): () => Metrics {
    return () => this.asMetrics()
  }

  private track (target: Observable, onIn: (n: number) => void, onOut: (n: number) => void): void {
    // Observe dispatched 'message' events without adding a listener: a listener would make the stream
    // start emitting before its protocol handler is attached (as @libp2p/prometheus-metrics notes).
    const dispatch = target.dispatchEvent.bind(target)
    target.dispatchEvent = (evt: Event) => {
      if (evt.type === 'message') onIn(byteLength((evt as Event & { data?: unknown }).data))
      return dispatch(evt)
    }
    const send = target.send.bind(target)
    target.send = (data: unknown) => {
      onOut(byteLength(data))
      return send(data)
    }
  }

  private asMetrics (): Metrics {
    const c = this.counters
    const metrics = {
      trackMultiaddrConnection: (maConn: MultiaddrConnection) => {
        this.track(maConn as unknown as Observable, n => { c.bytesIn += n }, n => { c.bytesOut += n })
      },
      trackProtocolStream: (stream: Stream) => {
        const protocol = stream.protocol
        if (protocol == null) return
        const p = c.protocols[protocol] ??= { in: 0, out: 0 }
        this.track(stream as unknown as Observable, n => { p.in += n }, n => { p.out += n })
      },
      registerMetric: () => noopMetric,
      registerMetricGroup: () => noopGroup,
      registerCounter: () => noopMetric,
      registerCounterGroup: () => noopGroup,
      registerHistogram: () => noopMetric,
      registerHistogramGroup: () => noopGroup,
      registerSummary: () => noopMetric,
      registerSummaryGroup: () => noopGroup,
      createTrace: () => undefined,
      traceFunction: <F>(_name: string, fn: F) => fn
    }
    return metrics as unknown as Metrics
  }
}
