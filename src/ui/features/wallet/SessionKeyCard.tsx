// SPDX-License-Identifier: GPL-3.0-or-later
import { useCallback, useEffect, useState } from 'react'
import { decodeAddress } from '@polkadot/util-crypto'
import { sessionKeyProofMessage } from '../../../core/chain/wire.ts'
import { useAsync } from './useAsync.ts'
import type { ChainClient, TxSigner } from '../../../core/chain/index.ts'
import type { BrowserSessionKey, SessionKeyStore } from '../../../platform/browser/session-key-store.ts'
import type { TrackTx } from './types.ts'

/** Props of {@link SessionKeyCard}. */
export interface SessionKeyCardProps {
  client: ChainClient
  address: string
  signer?: TxSigner
  track: TrackTx
  /** This browser's key store for `address`. */
  store: SessionKeyStore
  /** Re-read the registered key when this changes (pass the best block number). */
  refreshKey?: unknown
}

interface LocalKeys { active: BrowserSessionKey | null, pending: BrowserSessionKey | null }

/**
 * This browser's Ed25519 session key (non-extractable, in IndexedDB) and the key the chain holds for
 * the account; one click registers it, or rotates to a fresh one.
 */
export function SessionKeyCard ({ client, address, signer, track, store, refreshKey }: SessionKeyCardProps) {
  const [local, setLocal] = useState<LocalKeys>()
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const onChain = useAsync(async () => client.sessionKey(address), [client, address, refreshKey])

  const reload = useCallback(async (): Promise<LocalKeys> => {
    const keys = { active: await store.load('active'), pending: await store.load('pending') }
    setLocal(keys)
    return keys
  }, [store])

  useEffect(() => {
    reload().catch((err: unknown) => { setError(`This browser cannot keep a session key: ${(err as Error).message}`) })
  }, [reload])

  // A rotation whose registration landed while the page was away: the chain holds the pending key.
  const chainKey = onChain.value
  useEffect(() => {
    if (busy || local?.pending == null || chainKey == null || chainKey !== local.pending.publicKeyHex) return
    store.promote().then(reload).catch((err: unknown) => { setError((err as Error).message) })
  }, [busy, chainKey, local, store, reload])

  const active = local?.active
  const registered = active != null && chainKey === active.publicKeyHex

  // No key yet, or the registered one: make a fresh (pending) key and register it. A local key the
  // chain does not hold (a new chain, another account): register that key itself.
  const register = async (): Promise<void> => {
    setError(undefined)
    if (signer == null) { setError('Connect the extension and choose an account first.'); return }
    setBusy(true)
    try {
      const reuse = active != null && !registered ? active : null
      const key = reuse ?? await store.preparePending()
      if (reuse == null) setLocal(l => ({ active: l?.active ?? null, pending: key }))
      const proof = await key.sign(sessionKeyProofMessage(decodeAddress(address)))
      await track(registered ? 'Rotate session key' : 'Register session key',
        () => client.registerSessionKey({ sessionKey: key.publicKey, proof }, signer))
      if (reuse == null) await store.promote()
      await reload()
    } catch (err) {
      // chain errors are shown by the queue; store errors here
      if ((err as Error).name === 'SessionKeyStoreError') setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="session-key-title">
      <h2 id="session-key-title">Session key</h2>
      <p className="muted">
        Directors sign segments and attestations with this browser&apos;s session key. It never leaves the browser and cannot be
        backed up: if it is lost, rotate it here.
      </p>
      <dl className="kv kv-wide">
        <div>
          <dt>This browser</dt>
          <dd><code data-testid="browser-session-key">{active?.publicKeyHex ?? 'none yet'}</code></dd>
        </div>
        {local?.pending != null && (
          <div><dt>Pending rotation</dt><dd><code>{local.pending.publicKeyHex}</code></dd></div>
        )}
        <div>
          <dt>On chain</dt>
          <dd><code data-testid="chain-session-key">{onChain.error != null ? 'unreadable' : chainKey === undefined ? '…' : chainKey ?? 'none registered'}</code></dd>
        </div>
      </dl>
      {active != null && chainKey != null && (
        <p className={registered ? 'ok' : 'warn'} data-testid="session-key-state">
          {registered ? 'This browser\'s key is registered for the account.' : 'The chain holds a different key for this account: register to use this browser\'s key.'}
        </p>
      )}
      {onChain.error != null && <p className="form-error" role="alert">Could not read the registered key: {onChain.error.message}</p>}
      <button type="button" onClick={() => { void register() }} disabled={busy || signer == null || local == null}>
        {registered ? 'Rotate session key' : 'Register session key'}
      </button>
      {error != null && <p className="form-error" role="alert">{error}</p>}
    </section>
  )
}
