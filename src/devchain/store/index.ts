// SPDX-License-Identifier: GPL-3.0-or-later
export type { ChainStore, LoadedChain, StateChange, StoredBlock } from './chain-store.ts'
export { LevelChainStore } from './level-chain-store.ts'
export type { LevelChainStoreInit } from './level-chain-store.ts'
export { CRASH_ENV, crashHookFromEnv } from './crash-hook.ts'
export type { CrashHook, CrashPhase } from './crash-hook.ts'
export { GenesisMismatchError, ReplayMismatchError, StoreClosedError, StoreCorruptError } from './errors.ts'
