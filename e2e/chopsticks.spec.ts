// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The browser signing path against a real Substrate runtime: chopsticks runs the Rococo Asset Hub wasm
 * (in this process, from the genesis in `@substrate/connect-known-chains`, no network), the built app's
 * Wallet page connects to it with `?chain=`, takes the account from an injected polkadot-js extension
 * (signing happens in Node with a keyring key; the page never holds it) and sends a balances transfer.
 * Node reads the result with its own `ApiPromise`.
 */
import '../bin/polyfill.js'
import { expect, test } from '@playwright/test'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { startWebServer } from '../src/app/web-server.ts'
import { startChopsticks } from '../test/utils/chopsticks.ts'
import { injectExtension, USER_CANCELLED } from './fixtures/injected-extension.ts'
import type { WebServer } from '../src/app/web-server.ts'
import type { ChopsticksNode } from '../test/utils/chopsticks.ts'
import type { InjectExtensionInit, InjectedExtension } from './fixtures/injected-extension.ts'
import type { Page } from '@playwright/test'

/** Rococo Asset Hub: 12 decimals. */
const UNIT = 10n ** 12n
// A fresh recipient per test, so that balances are independent of test order.
const RECIPIENTS = ['//Chopsticks//1', '//Chopsticks//2', '//Chopsticks//3']

let node: ChopsticksNode
let web: WebServer
let api: ApiPromise
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
/** The address as the page shows it: encoded with the chain's SS58 prefix (2 on this runtime). */
const onChain = (address: string): string => keyring.encodeAddress(keyring.decodeAddress(address), api.registry.chainSS58)

test.describe.configure({ timeout: 60_000 })

test.beforeAll(async () => {
  node = await startChopsticks({ endow: { '//Alice': 1_000n * UNIT } })
  console.log(`chopsticks at ${node.url}, up in ${node.startMs} ms`)
  web = await startWebServer({ mode: 'preview', build: true, port: 0, config: () => ({}) })
  api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
})

test.afterAll(async () => {
  await api?.disconnect()
  await Promise.allSettled([web?.close(), node?.close()])
})

async function free (address: string): Promise<bigint> {
  const account = await api.query['system']!['account']!(address) as unknown as { data: { free: { toBigInt(): bigint } } }
  return account.data.free.toBigInt()
}

async function nonce (address: string): Promise<number> {
  return (await api.rpc.system.accountNextIndex(address)).toNumber()
}

/** Opens the Wallet page on chopsticks with the extension injected and clicks "Connect extension". */
async function openWalletAndConnect (page: Page, init: Partial<InjectExtensionInit> = {}): Promise<InjectedExtension> {
  const ext = await injectExtension(page, { accounts: [{ uri: '//Alice', name: 'Alice' }], ...init })
  await page.goto(`${web.url}?chain=${encodeURIComponent(node.url)}#/wallet`)
  await page.getByRole('button', { name: /connect/i }).click()
  return ext
}

/** {@link openWalletAndConnect}, then waits for Alice to be the selected account. */
async function openWallet (page: Page): Promise<InjectedExtension> {
  const ext = await openWalletAndConnect(page)
  // the <select> (the card around it is labelled "Account" too)
  await expect(page.getByRole('combobox', { name: 'Account', exact: true }), 'the account select offers the extension\'s account').toHaveValue(onChain(ext.accounts[0]!.address))
  expect(ext.origins).toEqual(['NSN Web'])
  return ext
}

async function send (page: Page, to: string, amount: string): Promise<void> {
  await page.getByLabel('Recipient').fill(to)
  await page.getByLabel('Amount').fill(amount)
  await page.getByRole('button', { name: /send/i }).click()
}

/** Tx toasts: `status` while pending or done, `alert` once failed. */
const toasts = (page: Page) => page.locator('[role=status], [role=alert]')

test('should send a transfer signed by the extension and see it finalized', async ({ page }) => {
  const ext = await openWallet(page)
  const alice = ext.accounts[0]!.address
  const bob = keyring.addFromUri(RECIPIENTS[0]!).address
  const before = await free(bob)

  await send(page, bob, '1.5')

  await expect(page.getByRole('status').filter({ hasText: 'Finalized' }), 'the page saw tx:finalized').toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: 'Finalized' })).toContainText('balances.Transfer')
  expect(ext.requests.map(r => ({ kind: r.kind, outcome: r.outcome, address: onChain(r.request.address) })))
    .toEqual([{ kind: 'payload', outcome: 'signed', address: onChain(alice) }])
  const payload = ext.requests[0]!.request as { genesisHash: string, method: string }
  expect(payload.genesisHash, 'the extension was asked to sign for this chain').toBe(node.genesisHash)
  expect(await free(bob) - before, 'the recipient received exactly the amount').toBe(3n * UNIT / 2n)
})

test('should not include a transfer whose signature the runtime refuses (1010 bad signature)', async ({ page }) => {
  const ext = await openWallet(page)
  const alice = ext.accounts[0]!.address
  const bob = keyring.addFromUri(RECIPIENTS[1]!).address
  const [bobBefore, nonceBefore] = [await free(bob), await nonce(alice)]
  ext.tamperNext()

  await send(page, bob, '2') // chopsticks logs the refusal as "ERROR (ws): Error handling request": expected

  // A Substrate node says "1010: Invalid Transaction: Transaction has a bad signature"; chopsticks
  // answers 1010 with the error's JSON, `{"invalid":{"badProof":null}}`, which ChainClient maps too.
  await expect(toasts(page).filter({ hasText: /1010[\s\S]*bad signature/i }), 'the page shows the node\'s refusal').toBeVisible()
  expect(ext.requests.map(r => r.outcome)).toEqual(['tampered'])
  expect(await free(bob)).toBe(bobBefore)
  expect(await nonce(alice), 'nothing from Alice was included').toBe(nonceBefore)
})

test('should submit nothing when the user cancels in the extension', async ({ page }) => {
  const ext = await openWallet(page)
  const alice = ext.accounts[0]!.address
  const bob = keyring.addFromUri(RECIPIENTS[2]!).address
  const nonceBefore = await nonce(alice)
  ext.rejectNext()

  await send(page, bob, '3')

  await expect(toasts(page).filter({ hasText: USER_CANCELLED }), 'the page shows the extension\'s refusal').toBeVisible()
  expect(ext.requests.map(r => r.outcome)).toEqual(['rejected'])
  expect(await free(bob)).toBe(0n)
  expect(await nonce(alice)).toBe(nonceBefore)
})

test('should report no extension when the user does not authorise the app', async ({ page }) => {
  const ext = await openWalletAndConnect(page, { authorise: false })

  await expect(page.getByRole('alert').filter({ hasText: /no wallet extension/i })).toBeVisible()
  expect(ext.origins).toEqual(['NSN Web'])
  await expect(page.getByRole('combobox', { name: 'Account', exact: true })).toHaveCount(0)
  expect(ext.requests).toEqual([])
})
