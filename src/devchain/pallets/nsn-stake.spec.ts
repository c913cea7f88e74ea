// SPDX-License-Identifier: GPL-3.0-or-later
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { DevRuntime } from '../runtime.ts'
import { StateSnapshot } from '../state.ts'
import { stakeOf, stakers } from './nsn-stake.ts'

let rt: DevRuntime
beforeAll(async () => {
  await cryptoWaitReady()
  rt = new DevRuntime()
})

describe('stakers', () => {
  it('should list every account with a Stakes entry, sorted, and see overlay writes and deletions', () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
    const [a, b, c] = ['//StakerA', '//StakerB', '//StakerC'].map(u => keyring.addFromUri(u).address) as [string, string, string]
    const view = new StateSnapshot().overlay()
    expect(stakers(rt, view)).toEqual([])
    for (const who of [a, b, c]) rt.write(view, { amount: 5n, lockedUntil: 0, role: 'Relay', region: 'Apac', delegatedToMe: 0n }, 'nsnStake', 'stakes', who)
    // another map of the same pallet must not show up
    rt.write(view, 7n, 'nsnStake', 'regionStakes', 'Apac')
    const child = view.child()
    child.set(rt.key('nsnStake', 'stakes', b), null)
    expect(stakers(rt, view)).toEqual([a, b, c].sort())
    expect(stakers(rt, child)).toEqual([a, c].sort())
    expect(stakeOf(rt, view, a).amount).toBe(5n)
  })
})
