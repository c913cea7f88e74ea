// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * This browser's Ed25519 session key: a non-extractable WebCrypto key pair kept in IndexedDB
 * (`CryptoKey` objects are structured-cloneable, so the private key is stored without ever being
 * exported). It cannot be backed up: losing it means rotating the session key on chain.
 *
 * A rotation is two-phase so a failed or abandoned registration never loses the registered key: the
 * new pair is stored as `pending`, signed into the registration extrinsic, and promoted to `active`
 * once the chain holds it (see {@link SessionKeyStore.promote}).
 */
import { SessionKeyStoreError } from './errors.ts'

/** IndexedDB database and object store names. */
export const SESSION_KEY_DB = 'nsn-session-keys'
const STORE = 'keys'
const DB_VERSION = 1

/** Which slot a key is in. */
export type SessionKeySlot = 'active' | 'pending'

/** A session key held by this browser. */
export interface BrowserSessionKey {
  slot: SessionKeySlot
  /** Raw Ed25519 public key, 32 bytes. */
  publicKey: Uint8Array
  /** `0x`-prefixed hex of `publicKey`. */
  publicKeyHex: `0x${string}`
  /** When the pair was generated (ms since epoch). */
  createdAt: number
  /** Ed25519 signature (64 bytes) over `message` with the private key, which never leaves WebCrypto. */
  sign(message: Uint8Array): Promise<Uint8Array>
}

/** The browser's session keys. */
export interface SessionKeyStore {
  /** The key in `slot`, or `null`. */
  load(slot: SessionKeySlot): Promise<BrowserSessionKey | null>
  /** The pending key of an unfinished rotation, or a fresh one (stored as pending). */
  preparePending(): Promise<BrowserSessionKey>
  /** Makes the pending key the active one (after the chain registered it); returns it. */
  promote(): Promise<BrowserSessionKey>
  /** Forgets the pending key (a rotation the user abandoned). */
  discardPending(): Promise<void>
}

/** Options for {@link indexedDbSessionKeyStore}. */
export interface IndexedDbSessionKeyStoreInit {
  /**
   * The chain account (SS58) the keys belong to: each account has its own keys (the chain refuses a
   * session key that another account registered). Records are stored under `<account>/<slot>`.
   * @default '' (records under `<slot>`)
   */
  account?: string
  /** Database name. @default SESSION_KEY_DB */
  dbName?: string
}

interface StoredKey {
  privateKey: CryptoKey
  publicKey: CryptoKey
  publicKeyRaw: Uint8Array
  createdAt: number
}

function hex (bytes: Uint8Array): `0x${string}` {
  let out = '0x'
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out as `0x${string}`
}

function request<T> (req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => { resolve(req.result) }
    req.onerror = () => { reject(new SessionKeyStoreError('storage', `IndexedDB request failed: ${req.error?.message ?? 'unknown error'}`, { cause: req.error })) }
  })
}

function done (tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => { resolve() }
    const fail = (): void => { reject(new SessionKeyStoreError('storage', `IndexedDB transaction failed: ${tx.error?.message ?? 'aborted'}`, { cause: tx.error })) }
    tx.onerror = fail
    tx.onabort = fail
  })
}

function toKey (slot: SessionKeySlot, stored: StoredKey): BrowserSessionKey {
  const publicKey = new Uint8Array(stored.publicKeyRaw)
  return {
    slot,
    publicKey,
    publicKeyHex: hex(publicKey),
    createdAt: stored.createdAt,
    async sign (message) {
      return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, stored.privateKey, message as Uint8Array<ArrayBuffer>))
    }
  }
}

async function generate (): Promise<StoredKey> {
  let pair: CryptoKeyPair
  try {
    pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as CryptoKeyPair
  } catch (err) {
    throw new SessionKeyStoreError('unsupported', 'This browser cannot create Ed25519 keys with WebCrypto', { cause: err })
  }
  // the public half of a non-extractable pair is always exportable
  const publicKeyRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicKeyRaw, createdAt: Date.now() }
}

/**
 * A {@link SessionKeyStore} in IndexedDB.
 *
 * @example
 * ```ts
 * const store = indexedDbSessionKeyStore({ account: address })
 * const key = await store.load('active') ?? await store.preparePending()
 * ```
 */
export function indexedDbSessionKeyStore (init: IndexedDbSessionKeyStoreInit = {}): SessionKeyStore {
  const dbName = init.dbName ?? SESSION_KEY_DB
  const id = (slot: SessionKeySlot): string => init.account != null && init.account !== '' ? `${init.account}/${slot}` : slot
  let opening: Promise<IDBDatabase> | undefined

  const open = async (): Promise<IDBDatabase> => {
    if (typeof indexedDB === 'undefined') throw new SessionKeyStoreError('unsupported', 'This browser has no IndexedDB to keep the session key in')
    opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName, DB_VERSION)
      req.onupgradeneeded = () => { req.result.createObjectStore(STORE) }
      req.onsuccess = () => { resolve(req.result) }
      req.onerror = () => {
        opening = undefined
        reject(new SessionKeyStoreError('storage', `Could not open IndexedDB ${dbName}: ${req.error?.message ?? 'unknown error'}`, { cause: req.error }))
      }
    })
    return opening
  }

  const get = async (slot: SessionKeySlot): Promise<StoredKey | undefined> => {
    const db = await open()
    return await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(id(slot))) as StoredKey | undefined
  }

  return {
    async load (slot) {
      const stored = await get(slot)
      return stored == null ? null : toKey(slot, stored)
    },
    async preparePending () {
      const existing = await get('pending')
      if (existing != null) return toKey('pending', existing)
      const fresh = await generate()
      const db = await open()
      const tx = db.transaction(STORE, 'readwrite')
      tx.objectStore(STORE).put(fresh, id('pending'))
      await done(tx)
      return toKey('pending', fresh)
    },
    async promote () {
      const db = await open()
      const tx = db.transaction(STORE, 'readwrite')
      const store = tx.objectStore(STORE)
      const pending = await request(store.get(id('pending'))) as StoredKey | undefined
      if (pending == null) {
        tx.abort()
        throw new SessionKeyStoreError('storage', 'There is no pending session key to promote')
      }
      store.put(pending, id('active'))
      store.delete(id('pending'))
      await done(tx)
      return toKey('active', pending)
    },
    async discardPending () {
      const db = await open()
      const tx = db.transaction(STORE, 'readwrite')
      tx.objectStore(STORE).delete(id('pending'))
      await done(tx)
    }
  }
}
