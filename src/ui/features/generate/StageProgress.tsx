// SPDX-License-Identifier: GPL-3.0-or-later
import { STAGE_NAMES } from './useGeneration.ts'
import type { StageName, StageState } from './useGeneration.ts'

const LABEL: Record<StageName, string> = {
  speech: 'Speech',
  keyframe: 'Keyframe',
  animation: 'Animation',
  encode: 'Encode'
}

/** One progress row per stage (speech and keyframe run at the same time, in two workers). */
export function StageProgress ({ stages }: { stages: Record<StageName, StageState> }) {
  return (
    <ol className="stage-progress" aria-label="Stage progress">
      {STAGE_NAMES.map(s => {
        const st = stages[s]
        return (
          <li key={s} data-stage={s} data-status={st.status}>
            <span className="stage-name">{LABEL[s]}</span>
            <progress max={1} value={st.fraction} aria-label={`${LABEL[s]} progress`} />
            <span className="muted">{st.status === 'waiting' ? 'waiting' : st.message ?? `${Math.round(st.fraction * 100)} %`}</span>
          </li>
        )
      })}
    </ol>
  )
}
