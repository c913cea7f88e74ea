// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * TEST HOOK ONLY: `NSN_DEVCHAIN_CRASH_AT=<blockNumber>:<phase>` makes the dev chain kill itself with
 * SIGKILL (no cleanup, as `kill -9`) while committing that block, to prove the commit is atomic:
 *   - `mid-batch`: after the block's state diff is queued in the write batch, before its block record
 *     and head pointer are (where a non-atomic store would have written half the block);
 *   - `before-write`: with the whole batch queued, before it is written;
 *   - `after-write`: after the batch is durable, before the chain's memory and RPC clients hear of it.
 * After a restart the chain must be at the previous block (first two) or at this block (last), with
 * the matching state root either way.
 */
import { InvalidInputError } from '../../core/errors.ts'

export type CrashPhase = 'mid-batch' | 'before-write' | 'after-write'

/** Called by the store at each phase of a commit; a no-op unless the test hook is armed. */
export type CrashHook = (blockNumber: number, phase: CrashPhase) => void

export const CRASH_ENV = 'NSN_DEVCHAIN_CRASH_AT'
const PHASES: readonly CrashPhase[] = ['mid-batch', 'before-write', 'after-write']

/** Parses the test hook's env value; undefined when it is not set. */
export function crashHookFromEnv (value: string | undefined, kill: () => void = () => { process.kill(process.pid, 'SIGKILL') }): CrashHook | undefined {
  if (value == null || value === '') return undefined
  const [num, phase] = value.split(':')
  const at = Number(num)
  if (!Number.isInteger(at) || at < 1 || !PHASES.includes(phase as CrashPhase)) {
    throw new InvalidInputError(`${CRASH_ENV} must be <blockNumber ≥ 1>:<${PHASES.join('|')}>, got ${value}`, { field: CRASH_ENV })
  }
  return (blockNumber, p) => {
    if (blockNumber === at && p === phase) kill()
  }
}
