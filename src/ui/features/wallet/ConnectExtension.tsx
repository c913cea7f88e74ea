// SPDX-License-Identifier: GPL-3.0-or-later
import { useState } from 'react'
import { connectExtension } from '../../../platform/browser/extension-signer.ts'
import type { ExtensionAccount, ExtensionWallet } from '../../../platform/browser/extension-signer.ts'

/** Props of {@link ConnectExtension}. */
export interface ConnectExtensionProps {
  /** The name the extension shows the user when it asks for access. */
  appName: string
  /** Encode addresses for this chain. */
  ss58Format?: number
  onConnected: (wallet: ExtensionWallet, accounts: ExtensionAccount[]) => void
  /** Replaces `connectExtension` (tests, other wallets). */
  connect?: typeof connectExtension
}

function explain (err: unknown): string {
  const e = err as Error
  switch (e?.name) {
    case 'ExtensionNotFoundError':
      return `${e.message}. Install a Polkadot wallet extension (polkadot-js, Talisman, SubWallet) and allow this site.`
    case 'ExtensionRejectedError':
      return `The extension refused access: ${e.message}`
    default:
      return `Could not connect to the extension: ${e?.message ?? String(err)}`
  }
}

/** "Connect extension": asks the browser's Polkadot wallet extension(s) for their accounts. */
export function ConnectExtension ({ appName, ss58Format, onConnected, connect = connectExtension }: ConnectExtensionProps) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const onClick = async (): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      const wallet = await connect(appName, { ss58Format })
      const accounts = await wallet.accounts()
      // stay here with the reason rather than show an empty account list
      if (accounts.length === 0) setError('The extension shares no accounts with this site: create one, or allow this site to see it, then connect again.')
      else onConnected(wallet, accounts)
    } catch (err) {
      setError(explain(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="connect-extension">
      <button type="button" onClick={() => { void onClick() }} disabled={busy}>{busy ? 'Connecting…' : 'Connect extension'}</button>
      {error != null && <p className="form-error" role="alert">{error}</p>}
    </div>
  )
}
