// SPDX-License-Identifier: GPL-3.0-or-later
import { useRef } from 'react'
import { StatsPanel } from './StatsPanel.tsx'
import { TestSourceNotice } from './TestSourceNotice.tsx'
import { useViewer } from './useViewer.ts'
import { isTestSource, phaseText } from './util.ts'

function SpeakerIcon ({ muted }: { muted: boolean }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {muted
        ? <path d="M16 9l5 6m0-6l-5 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        : <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />}
    </svg>
  )
}

/** The watch page: the live channel, its status and stats. */
export function WatchPage () {
  const videoRef = useRef<HTMLVideoElement>(null)
  const view = useViewer(videoRef)
  const channel = view.config?.channel
  return (
    <div className="watch">
      <h1 className="watch-title">{channel != null ? `Channel ${channel}` : 'Live channel'}</h1>
      <TestSourceNotice testSource={isTestSource(view.config)} />
      <div className="video-frame">
        <video ref={videoRef} className="video" muted playsInline aria-label={channel != null ? `Live video of channel ${channel}` : 'Live video'} />
        <button
          type="button"
          className="unmute"
          aria-label={view.muted ? 'Unmute audio' : 'Mute audio'}
          aria-pressed={!view.muted}
          onClick={() => { view.setMuted(!view.muted) }}
        >
          <SpeakerIcon muted={view.muted} />
          {view.muted ? 'Unmute' : 'Mute'}
        </button>
      </div>
      <p className={`status status-${view.phase}`} role={view.phase === 'error' ? 'alert' : 'status'} aria-live="polite">
        {phaseText(view.phase, view.error, view.node?.connections.length)}
      </p>
      <StatsPanel node={view.node} player={view.player} bitrateInKbps={view.bitrateInKbps} />
    </div>
  )
}
