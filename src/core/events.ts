// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * Typed events, as libp2p does them (`main-event`): names follow `noun:verb` (STYLE.md 5.2).
 */
export { TypedEventEmitter } from 'main-event'
export type { TypedEventTarget } from 'main-event'
