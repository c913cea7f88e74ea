// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The wallet page in Debian Chromium against a real dev chain (in-process `startDevNode`), signing
 * through an injected extension whose keys stay in Node: a fresh account funded by //Alice connects,
 * stakes as Director, registers this browser's WebCrypto session key, submits a recipe, and sees each
 * transaction finalized with its events; the results are checked on chain through ApiPromise. Then a
 * tampered signature and a cancelled one show clear errors and leave the chain state as it was.
 */
import '../bin/polyfill.js'
import { expect, test } from '@playwright/test'
import { ApiPromise, WsProvider } from '@polkadot/api'
import { Keyring } from '@polkadot/keyring'
import { cryptoWaitReady } from '@polkadot/util-crypto'
import { startDevNode } from '../src/devchain/dev-node.ts'
import { startChopsticks } from '../test/utils/chopsticks.ts'
import { injectExtension } from './fixtures/injected-extension.ts'
import { serveBuiltApp } from './fixtures/serve-app.ts'
import type { ServedApp } from './fixtures/serve-app.ts'
import type { DevNode } from '../src/devchain/dev-node.ts'
import type { Page } from '@playwright/test'

const NSN = 10n ** 12n
/** A fresh dev account (not a genesis director): funded by //Alice in `beforeAll`. DEV KEY ONLY. */
const DIRECTOR_URI = '//NsnWalletE2E'

/** The production build with `/nsn-config.json` answering `config`. */
async function serveApp (config: Record<string, unknown>): Promise<ServedApp> {
  return await serveBuiltApp((req, res, next) => {
    if ((req.url ?? '').split('?')[0] !== '/nsn-config.json') { next(); return }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(config))
  })
}

let node: DevNode
let web: { url: string, close(): Promise<void> }
let api: ApiPromise
let address: string

test.beforeAll(async () => {
  await cryptoWaitReady()
  node = await startDevNode({ port: 0, blockTimeMs: 500 })
  api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true })
  web = await serveApp({ chain: node.url })
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 })
  address = keyring.addFromUri(DIRECTOR_URI).address
  await new Promise<void>((resolve, reject) => {
    api.tx.balances.transferKeepAlive(address, 1_000n * NSN).signAndSend(keyring.addFromUri('//Alice'), ({ status, dispatchError }) => {
      if (dispatchError != null) reject(new Error(`funding failed: ${dispatchError.toString()}`))
      else if (status.isFinalized) resolve()
    }).catch(reject)
  })
})

test.afterAll(async () => {
  await api?.disconnect()
  await Promise.allSettled([web?.close(), node?.stop()])
})

/** The toast of the transaction whose label contains `label`. */
const toast = (page: Page, label: string | RegExp) => page.locator('.tx-toast', { hasText: label })

const query = (section: string, item: string) => (api.query as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<{ toJSON(): unknown, toHex(): string, isSome?: boolean, unwrap?: () => { toHex(): string } }>>>)[section]![item]!

test('should stake, register the session key and submit a recipe through the extension, then refuse a tampered signature', async ({ page }) => {
  test.setTimeout(90_000)
  const ext = await injectExtension(page, { accounts: [{ uri: DIRECTOR_URI, name: 'E2E director' }] })
  const consoleErrors: string[] = []
  page.on('pageerror', e => { consoleErrors.push(e.message) })

  await page.goto(`${web.url}#/wallet`)
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible()
  await expect(page.getByTestId('best-block')).toHaveText(/#\d+/)
  await page.getByRole('button', { name: 'Connect extension' }).click()
  await expect(page.getByRole('combobox', { name: 'Account' })).toHaveValue(address)
  expect(ext.origins).toEqual(['NSN Web'])
  await expect(page.getByTestId('balance-free')).toHaveText('1,000 NSN')

  // Stake as Director: the threshold comes from the chain's constants and prefills the amount.
  const stakeCard = page.getByRole('region', { name: 'Stake' })
  await expect(stakeCard.getByRole('radio', { name: /Director \(≥ 100 NSN\)/ })).toBeChecked()
  await expect(stakeCard.getByLabel('Amount to stake (NSN)')).toHaveValue('100')
  await stakeCard.getByLabel('Region').selectOption('EuEast')
  await stakeCard.getByRole('button', { name: 'Stake as Director' }).click()
  const stakeToast = toast(page, 'Stake 100 NSN as Director in EuEast')
  await expect(stakeToast).toContainText(/Finalized in block #\d+/)
  await expect(stakeToast).toContainText('nsnStake.StakeDeposited')
  await expect(stakeCard.getByTestId('stake-role')).toHaveText('Director')
  const stake = (await query('nsnStake', 'stakes')(address)).toJSON() as { amount: string | number, role: string, region: string }
  expect(BigInt(stake.amount)).toBe(100n * NSN)
  expect(stake).toMatchObject({ role: 'Director', region: 'EuEast' })
  // A pallet error is shown by name with its doc text: the stake is locked for MinLockBlocks.
  await stakeCard.getByLabel('Amount to withdraw (NSN)').fill('1')
  await stakeCard.getByRole('button', { name: 'Withdraw' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Withdraw 1 NSN of stake' }))
    .toContainText('Failed: NsnStake.StakeLocked: The stake is still locked')

  // This browser's session key: WebCrypto Ed25519, registered with its proof.
  await page.getByRole('button', { name: 'Register session key' }).click()
  const keyToast = toast(page, 'Register session key')
  await expect(keyToast).toContainText(/Finalized in block #\d+/)
  await expect(keyToast).toContainText('nsnDirector.SessionKeyRegistered')
  const browserKey = page.getByTestId('browser-session-key')
  await expect(browserKey).toHaveText(/^0x[0-9a-f]{64}$/)
  const shownKey = await browserKey.textContent()
  await expect(page.getByTestId('chain-session-key')).toHaveText(shownKey!)
  const onChain = await query('nsnDirector', 'sessionKeys')(address)
  expect(onChain.isSome === true ? onChain.unwrap!().toHex() : onChain.toHex()).toBe(shownKey)

  // One-click rotation to a fresh key; the private key is non-extractable and survives a reload.
  await page.getByRole('button', { name: 'Rotate session key' }).click()
  const rotateToast = toast(page, 'Rotate session key')
  await expect(rotateToast).toContainText(/Finalized in block #\d+/)
  await expect(rotateToast).toContainText('nsnDirector.SessionKeyRotated')
  await expect(browserKey).not.toHaveText(shownKey!)
  const rotatedKey = await browserKey.textContent()
  expect(rotatedKey).toMatch(/^0x[0-9a-f]{64}$/)
  await expect(page.getByTestId('chain-session-key')).toHaveText(rotatedKey!)
  const rotatedOnChain = await query('nsnDirector', 'sessionKeys')(address)
  expect(rotatedOnChain.isSome === true ? rotatedOnChain.unwrap!().toHex() : rotatedOnChain.toHex()).toBe(rotatedKey)
  const stored = await page.evaluate(async (account) => new Promise((resolve, reject) => {
    const open = indexedDB.open('nsn-session-keys')
    open.onerror = () => { reject(open.error) }
    open.onsuccess = () => {
      const get = open.result.transaction('keys').objectStore('keys').get(`${account}/active`)
      get.onerror = () => { reject(get.error) }
      get.onsuccess = () => {
        const key = (get.result as { privateKey: CryptoKey }).privateKey
        resolve({ extractable: key.extractable, type: key.type, algorithm: key.algorithm.name, usages: key.usages })
      }
    }
  }), address)
  expect(stored).toEqual({ extractable: false, type: 'private', algorithm: 'Ed25519', usages: ['sign'] })
  await page.reload()
  await page.getByRole('button', { name: 'Connect extension' }).click()
  await expect(page.getByTestId('browser-session-key')).toHaveText(rotatedKey!)
  await expect(page.getByRole('button', { name: 'Rotate session key' })).toBeVisible()

  // A recipe: its hash is shown, and the task lands with its escrow reserved.
  const reservedBefore = (await api.query.system.account(address)).data.reserved.toBigInt()
  const recipeHash = await page.getByTestId('recipe-hash').textContent()
  expect(recipeHash).toMatch(/^0x[0-9a-f]{64}$/)
  await page.getByRole('region', { name: 'Submit a recipe' }).getByLabel('Escrow (NSN)').fill('10')
  await page.getByRole('button', { name: 'Submit recipe' }).click()
  const recipeToast = toast(page, 'Submit recipe')
  await expect(recipeToast).toContainText(/Finalized in block #\d+/)
  await expect(recipeToast).toContainText(/nsnTaskMarket\.(TaskCreated|RecipeSubmitted)/)
  const block = Number(/Finalized in block #(\d+)/.exec(await recipeToast.textContent() ?? '')?.[1])
  const events = await (await api.at(await api.rpc.chain.getBlockHash(block))).query.system.events()
  const submitted = events.find(r => r.event.section === 'nsnTaskMarket' && r.event.method === 'RecipeSubmitted')
  expect(submitted, 'RecipeSubmitted in the finalized block').toBeDefined()
  const [taskId, requester, hashOnChain] = submitted!.event.data.toJSON() as [number, string, string]
  expect([requester, hashOnChain]).toEqual([address, recipeHash])
  const task = (await query('nsnTaskMarket', 'tasks')(taskId)).toJSON() as { requester: string, inputCid: string, lane: string, escrow: number | string } | null
  expect(task, `task ${taskId} on chain`).not.toBeNull()
  expect(task).toMatchObject({ requester: address, inputCid: recipeHash, lane: 'Lane0' })
  expect(BigInt(task!.escrow)).toBe(10n * NSN)
  expect((await api.query.system.account(address)).data.reserved.toBigInt() - reservedBefore).toBe(10n * NSN)

  // A tampered signature: the node refuses it (1010 bad signature) and nothing changes on chain.
  const bob = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Bob').address
  const before = await Promise.all([api.query.system.account(address), api.query.system.account(bob)])
  const transfer = page.getByRole('region', { name: 'Transfer' })
  await transfer.getByLabel('Recipient').fill(bob)
  await transfer.getByLabel('Amount').fill('5')
  ext.tamperNext()
  await transfer.getByRole('button', { name: 'Send' }).click()
  const failed = page.getByRole('alert').filter({ hasText: 'Send 5 NSN' })
  await expect(failed).toContainText('bad signature')
  await expect(failed).toContainText('1010')
  expect(ext.requests.at(-1)?.outcome).toBe('tampered')

  // A cancelled signature says so.
  ext.rejectNext()
  await transfer.getByLabel('Amount').fill('6')
  await transfer.getByRole('button', { name: 'Send' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Send 6 NSN' })).toContainText(/rejected.*Cancelled/i)

  // Give the chain two more blocks, then compare.
  const head = (await api.rpc.chain.getHeader()).number.toNumber()
  await expect.poll(async () => (await api.rpc.chain.getFinalizedHead().then(async h => api.rpc.chain.getHeader(h))).number.toNumber(), { timeout: 10_000 }).toBeGreaterThan(head + 1)
  const after = await Promise.all([api.query.system.account(address), api.query.system.account(bob)])
  expect(after[0].nonce.toNumber()).toBe(before[0].nonce.toNumber())
  expect(after[0].data.free.toBigInt()).toBe(before[0].data.free.toBigInt())
  expect(after[1].data.free.toBigInt()).toBe(before[1].data.free.toBigInt())
  expect(consoleErrors).toEqual([])
})

test('should keep balance and transfer, and say so for the NSN parts, on a chain without NSN pallets', async ({ page }) => {
  test.setTimeout(60_000)
  const hub = await startChopsticks({ endow: { '//Alice': 1_000n * NSN } })
  try {
    await injectExtension(page, { accounts: [{ uri: '//Alice', name: 'Alice' }] })
    await page.goto(`${web.url}?chain=${encodeURIComponent(hub.url)}#/wallet`)
    await expect(page.getByTestId('best-block')).toHaveText(/#\d+/)
    await expect(page.getByText('This chain has no NSN director epochs')).toBeVisible()
    await page.getByRole('button', { name: 'Connect extension' }).click()
    await expect(page.getByTestId('balance-free')).toHaveText(/^1,000 \S+$/)
    await expect(page.getByRole('note').filter({ hasText: 'This chain has no NSN pallets' })).toBeVisible()
    await expect(page.getByRole('region', { name: 'Stake' })).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Register session key' })).toHaveCount(0)
    await expect(page.getByRole('region', { name: 'Transfer' }).getByRole('button', { name: 'Send' })).toBeEnabled()
  } finally {
    await hub.close()
  }
})
