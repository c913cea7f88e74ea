// SPDX-License-Identifier: GPL-3.0-or-later
/** Fixed-point scores (SPEC.md "Scores"): SCALE has no floats, so scores travel as u32 parts per million. */
import { InvalidInputError } from '../errors.ts'
import { SCORE_ONE } from './constants.ts'

/**
 * Converts a score in [0, 1] to parts per million: `x * SCORE_ONE` in IEEE-754 double precision,
 * rounded half away from zero, then clamped to [0, SCORE_ONE] (so 1.7 gives SCORE_ONE, -0.2 gives 0).
 *
 * @example
 * ```ts
 * toFixedScore(0.5) // 500_000
 * ```
 * @throws InvalidInputError when `x` is NaN or not a number
 */
export function toFixedScore (x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidInputError('Score must be a number', { field: 'score' })
  const scaled = x * SCORE_ONE
  // Math.round rounds half toward +Infinity, so mirror negatives to get half away from zero.
  const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)
  if (rounded <= 0) return 0
  return Math.min(rounded, SCORE_ONE)
}

/**
 * Converts parts per million back to a number in [0, 1].
 *
 * @throws InvalidInputError unless `v` is an integer in [0, SCORE_ONE]
 */
export function fromFixedScore (v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > SCORE_ONE) {
    throw new InvalidInputError(`Fixed score must be an integer in [0, ${SCORE_ONE}]`, { field: 'score' })
  }
  return v / SCORE_ONE
}
