// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ChainClient } from './client.ts'
import type { ApiPromise } from '@polkadot/api'

/** The parts of ApiPromise that feature detection reads: a chain without NSN pallets (e.g. Asset Hub). */
function stubApi (pallets: { tx: Record<string, Record<string, unknown>>, query: Record<string, Record<string, unknown>> }): ApiPromise {
  return { tx: pallets.tx, query: pallets.query, consts: {} } as unknown as ApiPromise
}

describe('ChainClient feature detection', () => {
  it('should report no NSN pallets on a chain without them, and refuse NSN reads by name', async () => {
    const client = new ChainClient(stubApi({ tx: { balances: { transferKeepAlive: () => {} } }, query: { system: { account: () => {} } } }))
    expect(client.hasNsnPallets()).toBe(false)
    expect(client.nsnFeatures()).toEqual({ stake: false, sessionKeys: false, epochs: false, recipes: false })
    expect(client.hasCall('balances', 'transferKeepAlive')).toBe(true)
    expect(() => client.stakeThresholds()).toThrow(/no NsnStake pallet/)
    await expect(client.epochInfo()).rejects.toThrow(/no nsnDirector.currentEpoch storage/)
  })

  it('should report each NSN feature from the metadata it finds', () => {
    const fn = (): void => {}
    const client = new ChainClient(stubApi({
      tx: { nsnStake: { depositStake: fn }, nsnDirector: { registerSessionKey: fn } },
      query: { nsnStake: { stakes: fn }, nsnDirector: { sessionKeys: fn, currentEpoch: fn } }
    }))
    expect(client.hasNsnPallets()).toBe(true)
    expect(client.nsnFeatures()).toEqual({ stake: true, sessionKeys: true, epochs: false, recipes: false })
  })
})
