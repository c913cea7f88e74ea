// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, it } from 'vitest'
import { ExtensionAccountNotFoundError, ExtensionNotFoundError, ExtensionRejectedError } from './errors.ts'
import { connectExtension, mapSignError } from './extension-signer.ts'
import type { ExtensionDapp } from './extension-signer.ts'
import type { SignerPayloadJSON } from '@polkadot/types/types'

const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'
const BOB = '5FHneW46xGXgs5mYHr8XtQh8QgCfZ8N5ep7C8HTFhSbb1Y9h'
const SIGNATURE = `0x01${'ab'.repeat(64)}` as const

interface StubInit {
  enabled?: boolean
  sign?: (payload: SignerPayloadJSON) => Promise<{ id: number, signature: `0x${string}` }>
  noSignPayload?: boolean
}

/** A stand-in for `@polkadot/extension-dapp` with one extension holding Alice; records what it was asked. */
function stubDapp (init: StubInit = {}): ExtensionDapp & { calls: { enable: string[], accounts: unknown[], from: string[], signed: SignerPayloadJSON[] } } {
  const calls = { enable: [] as string[], accounts: [] as unknown[], from: [] as string[], signed: [] as SignerPayloadJSON[] }
  const accounts = [{ address: ALICE, meta: { name: 'Alice', source: 'polkadot-js', genesisHash: null }, type: 'sr25519' as const }]
  const signer = {
    signPayload: init.noSignPayload === true ? undefined : async (payload: SignerPayloadJSON) => {
      calls.signed.push(payload)
      return (init.sign ?? (async () => ({ id: 7, signature: SIGNATURE })))(payload)
    },
    signRaw: async () => ({ id: 8, signature: SIGNATURE })
  }
  const extension = { name: 'polkadot-js', version: '0.63.1', accounts: { get: async () => accounts, subscribe: () => () => {} }, signer }
  return {
    calls,
    web3Enable: async (origin: string) => { calls.enable.push(origin); return init.enabled === false ? [] : [extension] },
    web3Accounts: async (options?: unknown) => { calls.accounts.push(options); return accounts },
    web3AccountsSubscribe: async (cb) => { void cb(accounts); return () => {} },
    web3FromAddress: async (address: string) => {
      calls.from.push(address)
      if (address !== ALICE) throw new Error(`web3FromAddress: Unable to find injected ${address}`)
      return extension
    }
  }
}

const payload = { address: ALICE, method: '0x00', version: 4 } as unknown as SignerPayloadJSON

describe('connectExtension', () => {
  it('should enable the extensions under the app name and list their accounts', async () => {
    const dapp = stubDapp()
    const wallet = await connectExtension('NSN Web', { dapp, ss58Format: 42 })
    expect(dapp.calls.enable).toEqual(['NSN Web'])
    expect(wallet.extensions).toEqual([{ name: 'polkadot-js', version: '0.63.1' }])
    expect(await wallet.accounts()).toEqual([{ address: ALICE, name: 'Alice', source: 'polkadot-js', type: 'sr25519' }])
    expect(dapp.calls.accounts).toEqual([{ ss58Format: 42 }])
    const seen: string[][] = []
    await wallet.subscribeAccounts(list => { seen.push(list.map(a => a.address)) })
    expect(seen).toEqual([[ALICE]])
  })

  it('should throw ExtensionNotFoundError when no extension is installed or authorised', async () => {
    await expect(connectExtension('NSN Web', { dapp: stubDapp({ enabled: false }) })).rejects.toMatchObject({ name: ExtensionNotFoundError.name })
  })

  it('should reject with AbortError when aborted while the extension asks the user', async () => {
    const dapp = stubDapp()
    dapp.web3Enable = async () => new Promise(() => {})
    const controller = new AbortController()
    const connecting = connectExtension('NSN Web', { dapp, signal: controller.signal })
    controller.abort()
    await expect(connecting).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('ExtensionWallet.signer', () => {
  it('should sign payloads and raw bytes through the extension that holds the account', async () => {
    const dapp = stubDapp()
    const signer = await (await connectExtension('NSN Web', { dapp })).signer(ALICE)
    expect(signer.address).toBe(ALICE)
    expect(await signer.signPayload(payload)).toEqual({ id: 7, signature: SIGNATURE })
    expect(dapp.calls.signed).toEqual([payload])
    expect(await signer.signRaw?.({ address: ALICE, data: '0x01', type: 'bytes' })).toEqual({ id: 8, signature: SIGNATURE })
  })

  it('should throw ExtensionAccountNotFoundError for an account no extension holds', async () => {
    const wallet = await connectExtension('NSN Web', { dapp: stubDapp() })
    const err = await wallet.signer(BOB).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: ExtensionAccountNotFoundError.name, address: BOB })
    expect((err as Error).cause).toBeInstanceOf(Error)
  })

  it('should throw ExtensionAccountNotFoundError when the extension cannot sign extrinsics', async () => {
    const wallet = await connectExtension('NSN Web', { dapp: stubDapp({ noSignPayload: true }) })
    await expect(wallet.signer(ALICE)).rejects.toMatchObject({ name: ExtensionAccountNotFoundError.name })
  })

  it('should map the extension\'s "Cancelled" to ExtensionRejectedError', async () => {
    const wallet = await connectExtension('NSN Web', { dapp: stubDapp({ sign: async () => { throw new Error('Cancelled') } }) })
    const signer = await wallet.signer(ALICE)
    await expect(signer.signPayload(payload)).rejects.toMatchObject({ name: ExtensionRejectedError.name, reason: 'Cancelled' })
  })

  it('should pass other extension errors on unchanged', async () => {
    const boom = new Error('Unable to decode payload')
    const signer = await (await connectExtension('NSN Web', { dapp: stubDapp({ sign: async () => { throw boom } }) })).signer(ALICE)
    await expect(signer.signPayload(payload)).rejects.toBe(boom)
  })

  it('should refuse a malformed signature', async () => {
    const signer = await (await connectExtension('NSN Web', { dapp: stubDapp({ sign: async () => ({ id: 1, signature: 'nope' as `0x${string}` }) }) })).signer(ALICE)
    await expect(signer.signPayload(payload)).rejects.toMatchObject({ name: 'InvalidInputError', field: 'signature' })
  })

  it('should reject pending and later signing with AbortError once its signal aborts', async () => {
    const controller = new AbortController()
    const signer = await (await connectExtension('NSN Web', { dapp: stubDapp({ sign: async () => new Promise(() => {}) }) })).signer(ALICE, { signal: controller.signal })
    const pending = signer.signPayload(payload)
    controller.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    await expect(signer.signPayload(payload)).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('mapSignError', () => {
  it('should recognise the rejection messages of common extensions', () => {
    for (const message of ['Cancelled', 'Rejected by user', 'User denied transaction signature', 'Request declined']) {
      expect(mapSignError(new Error(message))).toMatchObject({ name: ExtensionRejectedError.name, reason: message })
    }
    expect(mapSignError('Cancelled')).toMatchObject({ name: ExtensionRejectedError.name })
    const other = new Error('Timeout')
    expect(mapSignError(other)).toBe(other)
  })
})
