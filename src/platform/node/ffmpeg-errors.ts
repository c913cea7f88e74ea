// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Errors of the ffmpeg live source. Match them by `err.name === X.name`, never `instanceof` (STYLE.md 5.3).
 */

/** Shell command that installs a suitable ffmpeg (libvpx, libopus, drawtext) on Debian/Ubuntu. */
export const FFMPEG_INSTALL_COMMAND = 'apt-get install -y ffmpeg'

/** Thrown when the ffmpeg binary cannot be run or lacks an encoder/filter the live source needs. */
export class FfmpegMissingError extends Error {
  static override name = 'FfmpegMissingError'
  constructor (message = `ffmpeg not found: install it with \`${FFMPEG_INSTALL_COMMAND}\``, options?: ErrorOptions) {
    super(message, options)
    this.name = 'FfmpegMissingError'
  }
}

/** Thrown when ffmpeg exits while the live source still wants segments; carries its last stderr lines. */
export class FfmpegExitedError extends Error {
  static override name = 'FfmpegExitedError'
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null
  /** Signal that ended it, e.g. `'SIGKILL'`. */
  readonly signal: string | null
  /** Its last stderr lines, oldest first. */
  readonly stderr: readonly string[]
  constructor (
    exit: { code: number | null, signal: string | null, stderr: readonly string[] },
    message = `ffmpeg exited (${exit.signal ?? `code ${String(exit.code)}`})${exit.stderr.length > 0 ? `:\n${exit.stderr.join('\n')}` : ''}`,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = 'FfmpegExitedError'
    this.code = exit.code
    this.signal = exit.signal
    this.stderr = exit.stderr
  }
}
