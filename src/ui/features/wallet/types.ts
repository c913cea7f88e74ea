// SPDX-License-Identifier: GPL-3.0-or-later
/** Types shared by the wallet components (which the director page embeds too). */
import type { ChainClient, ChainInfo, NsnFeatures, TxFinalized, TxHandle, TxSigner } from '../../../core/chain/index.ts'

/** An account the extension exposes. */
export interface WalletAccount {
  address: string
  name?: string
  /** The extension it came from, e.g. `polkadot-js`. */
  source?: string
}

/** Connects to the browser's signing extension. */
export interface WalletConnector {
  /** Asks the extension(s) for access; resolves with the accounts (empty when none are shared). */
  enable(): Promise<WalletAccount[]>
  /** The extension's signer for `address`. */
  signer(address: string): Promise<TxSigner>
}

/** A connected chain and what it offers. */
export interface ChainSession {
  endpoint: string
  client: ChainClient
  info: ChainInfo
  /** Whether the chain has the NSN pallets at all. */
  hasNsn: boolean
  features: NsnFeatures
}

/** The latest best and finalized block numbers. */
export interface ChainHeads {
  best?: number
  finalized?: number
  /** Why the head subscriptions failed, if they did. */
  error?: Error
}

/** A queued transaction's state. */
export type TxItemStatus = 'signing' | 'ready' | 'in-block' | 'finalized' | 'failed'

/** One entry of the transaction queue. */
export interface TxItem {
  id: number
  label: string
  status: TxItemStatus
  blockNumber?: number
  blockHash?: string
  /** `section.Method` of the extrinsic's events, once finalized. */
  events?: string[]
  /** What went wrong, for people. */
  error?: string
  /** The error's class name (`ChainModuleError`, `InvalidTransactionError`, …). */
  errorName?: string
}

/**
 * Starts a transaction through the queue: `start` submits it (and may throw for bad input); the queue
 * shows its progress and the promise settles as its `finalized` does.
 */
export type TrackTx = (label: string, start: () => TxHandle | Promise<TxHandle>) => Promise<TxFinalized>
