// SPDX-License-Identifier: GPL-3.0-or-later

/** Props of {@link TestSourceNotice}. */
export interface TestSourceNoticeProps {
  /** Show the notice: the channel carries the ffmpeg test pattern. */
  testSource: boolean
}

/** Says plainly that the picture is a test pattern, not generated video. */
export function TestSourceNotice ({ testSource }: TestSourceNoticeProps) {
  if (!testSource) return null
  return (
    <p className="test-source" role="note">
      <strong>TEST SOURCE</strong> — live test pattern from an ffmpeg encoder (no AI generation yet)
    </p>
  )
}
