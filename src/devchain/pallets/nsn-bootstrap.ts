// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * NsnBootstrap (index 58) call implementations and dev genesis: the trusted signer keys and the
 * quorum that off-chain nodes use to verify signed bootstrap manifests (`reference/nsn-chain.md`
 * section 10).
 *
 * Fixed here (section 13):
 * - weakness 27, bootstrap bullet: signer keys are libp2p `PublicKey` protobuf bytes, as the
 *   off-chain verifier decodes them; `set_signers` (and the genesis) refuse anything else with
 *   `InvalidSignerKey`. Accepted: Ed25519 (`08 01 12 20` + 32 bytes, 36 in all) and compressed
 *   secp256k1 (`08 02 12 21` + `02|03` + 32 bytes). RSA and ECDSA keys are refused.
 * - the dev genesis trusts one documented DEV-ONLY Ed25519 key (not Alice's raw sr25519 key, which
 *   libp2p cannot even express) with quorum 1;
 * - the reference's `revoke_signer` does not recheck the quorum, so revoking could leave fewer
 *   active signers than the quorum (no manifest could ever verify): here it fails with
 *   `RevocationBreaksQuorum` instead.
 *
 * Not addressed: every call is Root (weakness 29, no on-chain governance); the pallet does not
 * check that a key is a valid curve point, only its encoding.
 */
import { u8aEq, u8aToHex } from '@polkadot/util'
import { ed25519PairFromSeed } from '@polkadot/util-crypto'
import { BOOTSTRAP_CONSTANTS as K, DEV_BOOTSTRAP_SIGNER_SEED } from '../metadata/pallets/nsn-bootstrap.ts'
import { DispatchModuleError } from '../runtime.ts'
import { ensureRoot } from './origin.ts'
import type { PalletHooks } from '../hooks.ts'
import type { CallArg, Origin } from './origin.ts'
import type { DevRuntime, EventToEmit } from '../runtime.ts'
import type { StorageView } from '../state.ts'

const PALLET = 'NsnBootstrap'
const fail = (error: string): DispatchModuleError => new DispatchModuleError(PALLET, error)

/** DEV ONLY: the dev signer seed (see the metadata file); re-exported for callers of this pallet. */
export { DEV_BOOTSTRAP_SIGNER_SEED }

/** The libp2p protobuf `PublicKey` prefix of an Ed25519 key: Type = Ed25519 (1), Data of 32 bytes. */
const ED25519_PREFIX = new Uint8Array([0x08, 0x01, 0x12, 0x20])
/** The prefix of a compressed secp256k1 key: Type = Secp256k1 (2), Data of 33 bytes. */
const SECP256K1_PREFIX = new Uint8Array([0x08, 0x02, 0x12, 0x21])

/** `publicKey` (32 bytes) as a libp2p protobuf-encoded Ed25519 `PublicKey`. */
export function libp2pEd25519Key (publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new Error('an Ed25519 public key has 32 bytes')
  const out = new Uint8Array(36)
  out.set(ED25519_PREFIX)
  out.set(publicKey, 4)
  return out
}

/** The dev genesis signer: the protobuf-encoded public key of {@link DEV_BOOTSTRAP_SIGNER_SEED}. DEV ONLY. */
export function devBootstrapSignerKey (): Uint8Array {
  return libp2pEd25519Key(ed25519PairFromSeed(DEV_BOOTSTRAP_SIGNER_SEED).publicKey)
}

/** Checks one key: non-empty, at most `MaxSignerBytes`, and a libp2p protobuf Ed25519 or compressed secp256k1 public key. */
export function validateSignerKey (key: Uint8Array): void {
  if (key.length === 0) throw fail('EmptySignerKey')
  if (key.length > K.maxSignerBytes) throw fail('SignerKeyTooLong')
  const prefixed = (p: Uint8Array, len: number): boolean => key.length === len && u8aEq(key.subarray(0, 4), p)
  if (prefixed(ED25519_PREFIX, 36)) return
  if (prefixed(SECP256K1_PREFIX, 37) && (key[4] === 0x02 || key[4] === 0x03)) return
  throw fail('InvalidSignerKey')
}

/** Validates and deduplicates a signer list (first occurrence kept) and checks `0 < quorum ≤ len`. */
export function normalizeSigners (signers: Uint8Array[], quorum: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const key of signers) {
    validateSignerKey(key)
    if (!out.some(k => u8aEq(k, key))) out.push(key)
  }
  if (out.length > K.maxSigners) throw fail('TooManySigners')
  if (out.length === 0 || quorum < 1 || quorum > out.length) throw fail('InvalidQuorum')
  return out
}

interface BytesCodec { toU8a(bare?: boolean): Uint8Array }
interface NumCodec { toNumber(): number }
interface BigCodec { toBigInt(): bigint }

class BootstrapStore {
  private readonly rt: DevRuntime
  private readonly view: StorageView
  constructor (rt: DevRuntime, view: StorageView) {
    this.rt = rt
    this.view = view
  }

  keys (method: 'trustedSigners' | 'revokedSigners'): Uint8Array[] {
    return [...this.rt.read<Iterable<BytesCodec>>(this.view, 'nsnBootstrap', method)].map(k => k.toU8a(true))
  }

  setKeys (method: 'trustedSigners' | 'revokedSigners', keys: Uint8Array[]): void {
    this.rt.write(this.view, keys.map(k => u8aToHex(k)), 'nsnBootstrap', method)
  }

  quorum (): number { return this.rt.read<NumCodec>(this.view, 'nsnBootstrap', 'signerQuorum').toNumber() }
  setQuorum (q: number): void { this.rt.write(this.view, q, 'nsnBootstrap', 'signerQuorum') }

  /** Increments and returns the epoch. */
  bumpEpoch (): bigint {
    const next = this.rt.read<BigCodec>(this.view, 'nsnBootstrap', 'signerEpoch').toBigInt() + 1n
    this.rt.write(this.view, next, 'nsnBootstrap', 'signerEpoch')
    return next
  }

  activeCount (): number {
    const revoked = this.keys('revokedSigners')
    return this.keys('trustedSigners').filter(k => !revoked.some(r => u8aEq(r, k))).length
  }
}

function setSigners (st: BootstrapStore, signers: Uint8Array[], quorum: number): EventToEmit[] {
  const keys = normalizeSigners(signers, quorum)
  st.setKeys('trustedSigners', keys)
  st.setKeys('revokedSigners', [])
  st.setQuorum(quorum)
  return [{ pallet: PALLET, name: 'SignersUpdated', data: [st.bumpEpoch(), quorum] }]
}

function revokeSigner (st: BootstrapStore, signer: Uint8Array): EventToEmit[] {
  if (!st.keys('trustedSigners').some(k => u8aEq(k, signer))) throw fail('SignerNotTrusted')
  const revoked = st.keys('revokedSigners')
  if (revoked.some(k => u8aEq(k, signer))) throw fail('SignerAlreadyRevoked')
  // the fix: the active signers left must still reach the quorum
  if (st.activeCount() - 1 < st.quorum()) throw fail('RevocationBreaksQuorum')
  st.setKeys('revokedSigners', [...revoked, signer])
  return [{ pallet: PALLET, name: 'SignerRevoked', data: [u8aToHex(signer), st.bumpEpoch()] }]
}

function restoreSigner (st: BootstrapStore, signer: Uint8Array): EventToEmit[] {
  const revoked = st.keys('revokedSigners')
  if (!revoked.some(k => u8aEq(k, signer))) throw fail('SignerNotRevoked')
  st.setKeys('revokedSigners', revoked.filter(k => !u8aEq(k, signer)))
  return [{ pallet: PALLET, name: 'SignerRestored', data: [u8aToHex(signer), st.bumpEpoch()] }]
}

function setQuorum (st: BootstrapStore, quorum: number): EventToEmit[] {
  if (quorum < 1 || quorum > st.activeCount()) throw fail('InvalidQuorum')
  st.setQuorum(quorum)
  return [{ pallet: PALLET, name: 'QuorumUpdated', data: [quorum, st.bumpEpoch()] }]
}

/**
 * Dispatches `nsnBootstrap.<method>` (polkadot-js camelCase name) with decoded `args` as `origin`.
 * Throws `DispatchModuleError` for pallet errors; the caller drops the call's writes.
 */
export function dispatchNsnBootstrap (rt: DevRuntime, view: StorageView, method: string, args: CallArg[], origin: Origin): EventToEmit[] {
  const st = new BootstrapStore(rt, view)
  const bytes = (i: number): Uint8Array => (args[i] as unknown as BytesCodec).toU8a(true)
  const num = (i: number): number => (args[i] as unknown as NumCodec).toNumber()
  switch (method) {
    case 'setSigners':
      ensureRoot(origin)
      return setSigners(st, [...(args[0] as unknown as Iterable<BytesCodec>)].map(k => k.toU8a(true)), num(1))
    case 'revokeSigner':
      ensureRoot(origin)
      return revokeSigner(st, bytes(0))
    case 'restoreSigner':
      ensureRoot(origin)
      return restoreSigner(st, bytes(0))
    case 'setQuorum':
      ensureRoot(origin)
      return setQuorum(st, num(0))
    default:
      throw new DispatchModuleError('System', 'CallFiltered')
  }
}

/** The pallet's hooks (see `hooks.ts`): the dev genesis trusts {@link devBootstrapSignerKey} with quorum 1. */
export const nsnBootstrapHooks: PalletHooks = {
  genesis (rt, view) {
    const st = new BootstrapStore(rt, view)
    st.setKeys('trustedSigners', normalizeSigners([devBootstrapSignerKey()], 1))
    st.setKeys('revokedSigners', [])
    st.setQuorum(1)
  }
}
