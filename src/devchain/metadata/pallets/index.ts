// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The runtime's pallets, in `construct_runtime!` order. To add a pallet, write `pallets/<name>.ts`
 * exporting a `PalletDef` and add it to this list; the outer `RuntimeCall`/`RuntimeEvent`/
 * `RuntimeError` enums, the metadata and the decorated api follow from it.
 */
import { balances } from './balances.ts'
import { nsnBft } from './nsn-bft.ts'
import { nsnBootstrap } from './nsn-bootstrap.ts'
import { nsnDirector } from './nsn-director.ts'
import { nsnModelRegistry } from './nsn-model-registry.ts'
import { nsnReputation } from './nsn-reputation.ts'
import { nsnStake } from './nsn-stake.ts'
import { nsnStorage } from './nsn-storage.ts'
import { nsnTaskMarket } from './nsn-task-market.ts'
import { nsnTreasury } from './nsn-treasury.ts'
import { sudo } from './sudo.ts'
import { system } from './system.ts'
import { timestamp } from './timestamp.ts'
import { transactionPayment } from './transaction-payment.ts'
import type { PalletDef } from '../types.ts'

/** All pallets of the dev runtime. NSN pallets take indices 50 and up. */
export const PALLETS: readonly PalletDef[] = [
  system,
  timestamp,
  balances,
  transactionPayment,
  sudo,
  nsnStake,
  nsnReputation,
  nsnDirector,
  nsnBft,
  nsnStorage,
  nsnTreasury,
  nsnTaskMarket,
  nsnModelRegistry,
  nsnBootstrap
]
