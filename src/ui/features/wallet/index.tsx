// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * The wallet page: chain status, the extension's accounts, balance, stake, this browser's session key,
 * recipes and transfers, with a queue of the transactions' progress. Loaded lazily (React.lazy) so the
 * watch page does not carry `@polkadot/api`; its parts are exported for the director page.
 */
import { useEffect, useMemo, useState } from 'react'
import { loadBrowserConfig } from '../../../app/browser.ts'
import { indexedDbSessionKeyStore } from '../../../platform/browser/session-key-store.ts'
import { AccountPicker } from './AccountPicker.tsx'
import { BalanceCard } from './BalanceCard.tsx'
import { ChainStatus } from './ChainStatus.tsx'
import { ConnectExtension } from './ConnectExtension.tsx'
import { RecipeForm } from './RecipeForm.tsx'
import { SessionKeyCard } from './SessionKeyCard.tsx'
import { StakeForm } from './StakeForm.tsx'
import { TransferForm } from './TransferForm.tsx'
import { TxQueue } from './TxQueue.tsx'
import { useChainHeads, useChainSession } from './useChainSession.ts'
import { useTxQueue } from './useTxQueue.ts'
import type { TxSigner } from '../../../core/chain/index.ts'
import type { ExtensionAccount, ExtensionWallet } from '../../../platform/browser/extension-signer.ts'
import type { ChainSession } from './types.ts'

export { AccountPicker, BalanceCard, ChainStatus, ConnectExtension, RecipeForm, SessionKeyCard, StakeForm, TransferForm, TxQueue }
export { useChainHeads, useChainSession, useTxQueue }
export type * from './types.ts'

/** The name the extension shows when it asks the user to authorise the app. */
export const APP_NAME = 'NSN Web'

/** The chain endpoint from the page configuration (npm start's `/nsn-config.json`, or `?chain=`). */
function useChainEndpoint (): { endpoint?: string, error?: string, loading: boolean } {
  const [state, setState] = useState<{ endpoint?: string, error?: string, loading: boolean }>({ loading: true })
  useEffect(() => {
    const controller = new AbortController()
    loadBrowserConfig({ signal: controller.signal }).then(
      config => { setState({ endpoint: config.chain, loading: false }) },
      (err: unknown) => { if (!controller.signal.aborted) setState({ error: (err as Error).message, loading: false }) }
    )
    return () => { controller.abort() }
  }, [])
  return state
}

function NoNsn () {
  return <p className="notice" role="note">This chain has no NSN pallets: staking, session keys and recipes are not available here.</p>
}

function Connected ({ session }: { session: ChainSession }) {
  const { client, info, features } = session
  const heads = useChainHeads(client)
  const queue = useTxQueue()
  const [wallet, setWallet] = useState<ExtensionWallet>()
  const [accounts, setAccounts] = useState<ExtensionAccount[]>([])
  const [address, setAddress] = useState<string>()
  const [signer, setSigner] = useState<TxSigner>()
  const [signerError, setSignerError] = useState<string>()
  const store = useMemo(() => indexedDbSessionKeyStore({ account: address }), [address])

  useEffect(() => {
    setSigner(undefined)
    setSignerError(undefined)
    if (wallet == null || address == null) return
    let current = true
    wallet.signer(address).then(
      s => { if (current) setSigner(s) },
      (err: unknown) => { if (current) setSignerError((err as Error).message) }
    )
    return () => { current = false }
  }, [wallet, address])

  return (
    <>
      <ChainStatus client={client} heads={heads} features={features} name={info.name} endpoint={session.endpoint} />
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Your account</h2>
        {wallet == null
          ? (
            <ConnectExtension appName={APP_NAME} ss58Format={info.ss58Format} onConnected={(w, list) => {
              setWallet(w)
              setAccounts(list)
              setAddress(list[0]?.address)
            }} />
            )
          : <AccountPicker accounts={accounts} value={address} onChange={setAddress} />}
        {signerError != null && <p className="form-error" role="alert">{signerError}</p>}
      </section>
      <TxQueue items={queue.items} onDismiss={queue.dismiss} />
      {address != null && <BalanceCard client={client} info={info} address={address} refreshKey={heads.best} />}
      {!session.hasNsn && <NoNsn />}
      {address != null && features.stake && (
        <StakeForm client={client} info={info} address={address} signer={signer} track={queue.track} refreshKey={heads.best} />
      )}
      {address != null && session.hasNsn && (features.sessionKeys
        ? <SessionKeyCard client={client} address={address} signer={signer} track={queue.track} store={store} refreshKey={heads.best} />
        : <p className="notice" role="note">This chain has no NsnDirector session keys yet.</p>)}
      {address != null && session.hasNsn && (features.recipes
        ? <RecipeForm client={client} info={info} signer={signer} track={queue.track} />
        : <p className="notice" role="note">This chain has no NsnTaskMarket recipes yet.</p>)}
      {address != null && <TransferForm client={client} info={info} signer={signer} track={queue.track} />}
    </>
  )
}

/** The wallet page. */
export function WalletPage () {
  const config = useChainEndpoint()
  const chain = useChainSession(config.endpoint)
  return (
    <div className="wallet">
      <h1>Wallet</h1>
      {config.loading && <p role="status">Loading the configuration…</p>}
      {config.error != null && <p className="form-error" role="alert">{config.error}</p>}
      {!config.loading && config.error == null && config.endpoint == null && (
        <p className="form-error" role="alert">No chain endpoint configured: start the network with <code>npm start</code>, or open this page with <code>?chain=ws://host:port</code>.</p>
      )}
      {chain.phase === 'connecting' && <p role="status">Connecting to <code>{chain.endpoint}</code>…</p>}
      {chain.phase === 'error' && <p className="form-error" role="alert">Could not connect to the chain at <code>{chain.endpoint}</code>: {chain.error.message}</p>}
      {chain.phase === 'connected' && <Connected session={chain.session} />}
    </div>
  )
}

export default WalletPage
