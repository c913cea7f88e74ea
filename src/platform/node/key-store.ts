// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * A headless node's data folder: its libp2p peer identity and its Ed25519 session key. The folder is
 * created 0700 and the key files 0600; key material is never printed or logged.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { generateSessionSecret, memorySessionSigner, fromHex, toHex } from '../../core/wire/index.ts'
import type { SessionSigner } from '../../core/wire/index.ts'
import type { PrivateKey } from '@libp2p/interface'

export const PEER_KEY_FILE = 'peer-key'
export const SESSION_KEY_FILE = 'session-key'

export class KeyStoreError extends Error {
  static override name = 'KeyStoreError'
  constructor (message = 'Key store error', options?: ErrorOptions) {
    super(message, options)
    this.name = 'KeyStoreError'
  }
}

/** Creates `dir` (0700) if missing and refuses one that others can read. */
export async function ensureDataDir (dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const st = await stat(dir)
  if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700)
}

async function readOrCreate (file: string, create: () => Uint8Array): Promise<Uint8Array> {
  try {
    const st = await stat(file)
    if ((st.mode & 0o077) !== 0) await chmod(file, 0o600)
    return new Uint8Array(await readFile(file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeyStoreError(`Cannot read ${file}`, { cause: err })
  }
  const bytes = create()
  await writeFile(file, bytes, { mode: 0o600, flag: 'wx' })
  return bytes
}

/** Loads the peer identity from `dir`, creating an Ed25519 one on first use. */
export async function loadPeerKey (dir: string): Promise<PrivateKey> {
  await ensureDataDir(dir)
  const fresh = await generateKeyPair('Ed25519')
  const bytes = await readOrCreate(join(dir, PEER_KEY_FILE), () => privateKeyToProtobuf(fresh))
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new KeyStoreError(`${join(dir, PEER_KEY_FILE)} is not a libp2p private key`, { cause: err })
  }
}

/** Loads the session key (32-byte Ed25519 seed, stored as hex) from `dir`, creating one on first use. */
export async function loadSessionSigner (dir: string): Promise<SessionSigner> {
  await ensureDataDir(dir)
  const enc = new TextEncoder()
  const bytes = await readOrCreate(join(dir, SESSION_KEY_FILE), () => enc.encode(toHex(generateSessionSecret()) + '\n'))
  const text = new TextDecoder().decode(bytes).trim()
  let seed: Uint8Array
  try {
    seed = fromHex(text)
  } catch (err) {
    throw new KeyStoreError(`${join(dir, SESSION_KEY_FILE)} is not a hex session key`, { cause: err })
  }
  if (seed.byteLength !== 32) throw new KeyStoreError(`${join(dir, SESSION_KEY_FILE)} must hold 32 bytes`)
  return memorySessionSigner(seed)
}
