// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { bitrateKbps, formatKbps, formatMs, formatSec, isTestSource, phaseText, shortPeerId, transportSummary } from './util.ts'

describe('watch util', () => {
  it('should format durations', () => {
    expect(formatMs(undefined)).toBe('—')
    expect(formatMs(412.6)).toBe('413 ms')
    expect(formatMs(12_345)).toBe('12.3 s')
    expect(formatSec(1.26)).toBe('1.3 s')
    expect(formatSec(Number.NaN)).toBe('—')
  })

  it('should compute bitrate from byte counter deltas', () => {
    expect(bitrateKbps(undefined, { bytes: 10, atMs: 0 })).toBeUndefined()
    // 125 000 bytes in 1 s = 1000 kbit/s
    expect(bitrateKbps({ bytes: 0, atMs: 1000 }, { bytes: 125_000, atMs: 2000 })).toBe(1000)
    expect(bitrateKbps({ bytes: 5, atMs: 1000 }, { bytes: 5, atMs: 1000 })).toBeUndefined()
    expect(bitrateKbps({ bytes: 500, atMs: 0 }, { bytes: 10, atMs: 1000 })).toBeUndefined()
  })

  it('should format bitrates', () => {
    expect(formatKbps(undefined)).toBe('—')
    expect(formatKbps(849.6)).toBe('850 kbit/s')
    expect(formatKbps(2400)).toBe('2.4 Mbit/s')
  })

  it('should summarize transports, most used first', () => {
    expect(transportSummary([])).toBe('none')
    expect(transportSummary([{ transport: 'websockets' }, { transport: 'webrtc' }, { transport: 'webrtc' }]))
      .toBe('webrtc ×2, websockets ×1')
  })

  it('should shorten long peer ids only', () => {
    expect(shortPeerId('12D3KooWAbCdEfGhIjKlMnOp')).toBe('12D3Ko…MnOp')
    expect(shortPeerId('self')).toBe('self')
  })

  it('should recognize the test source', () => {
    expect(isTestSource({ channel: 'test' })).toBe(true)
    expect(isTestSource({ channel: 'main', testSource: true })).toBe(true)
    expect(isTestSource({ channel: 'main', testSource: false })).toBe(false)
    expect(isTestSource(undefined)).toBe(false)
  })

  it('should describe each phase', () => {
    expect(phaseText('connecting')).toMatch(/Connecting/)
    expect(phaseText('waiting', undefined, 0)).toBe('Node started. Looking for peers…')
    expect(phaseText('waiting', undefined, 2)).toBe('Connected to 2 peers. Waiting for the first video segment…')
    expect(phaseText('error', 'no peers')).toBe('Error: no peers')
    expect(phaseText('error')).toBe('Error: playback failed')
  })
})
