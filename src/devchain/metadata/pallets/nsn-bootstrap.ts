// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_bootstrap` (index 58): the trusted signer keys and signature quorum that off-chain
 * nodes use to verify signed bootstrap manifests. Names and indices follow
 * `reference/nsn-chain.md` section 10. This port's additions (section 13, weakness 27, bootstrap
 * bullet): the `InvalidSignerKey` and `RevocationBreaksQuorum` errors.
 */
import { f, v } from '../def-helpers.ts'
import type { PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const BOOTSTRAP_CONSTANTS = {
  /** Trusted signers at most. */
  maxSigners: 8,
  /** The longest encoded signer key. */
  maxSignerBytes: 256
} as const

/**
 * DEV ONLY, PUBLIC SECRET: the 32-byte Ed25519 seed of the dev chain's bootstrap-manifest signer
 * (the ASCII bytes of `nsn-dev-bootstrap-signer-DEVONLY`). The dev genesis trusts its public key,
 * so anyone can sign dev manifests with it; never trust it outside the dev chain.
 */
export const DEV_BOOTSTRAP_SIGNER_SEED = new TextEncoder().encode('nsn-dev-bootstrap-signer-DEVONLY')

const key = (name: string): ReturnType<typeof f> => f(name, 'Vec<u8>', 'Vec<u8>')
const epoch = f('epoch', 'u64', 'u64')
const quorum = f('quorum', 'u32', 'u32')

/** The NsnBootstrap pallet. */
export const nsnBootstrap: PalletDef = {
  name: 'NsnBootstrap',
  index: 58,
  crate: 'pallet_nsn_bootstrap',
  calls: [
    v('set_signers', 0, [f('signers', 'Vec<Vec<u8>>', 'Vec<Vec<u8>>'), quorum], [
      'Replace the trusted signer set (libp2p protobuf-encoded public keys, deduplicated) and the quorum;',
      'clears the revoked list and bumps the epoch. Root only.'
    ]),
    v('revoke_signer', 1, [key('signer')], ['Revoke a trusted signer; the quorum must stay reachable by the active signers. Root only.']),
    v('restore_signer', 2, [key('signer')], ['Restore a revoked signer. Root only.']),
    v('set_quorum', 3, [quorum], ['Set the quorum: at least 1 and at most the number of active (trusted, not revoked) signers. Root only.'])
  ],
  events: [
    v('SignersUpdated', 0, [epoch, quorum], ['The signer set was replaced.']),
    v('SignerRevoked', 1, [key('signer'), epoch], ['A signer was revoked.']),
    v('SignerRestored', 2, [key('signer'), epoch], ['A revoked signer was restored.']),
    v('QuorumUpdated', 3, [quorum, epoch], ['The quorum changed.'])
  ],
  errors: [
    v('TooManySigners', 0, [], ['More than `MaxSigners` distinct signer keys.']),
    v('SignerKeyTooLong', 1, [], ['A signer key is longer than `MaxSignerBytes`.']),
    v('EmptySignerKey', 2, [], ['A signer key is empty.']),
    v('InvalidQuorum', 3, [], ['The quorum must be at least 1 and at most the number of active signers (and the set non-empty).']),
    v('SignerNotTrusted', 4, [], ['The key is not in the trusted signer set.']),
    v('SignerAlreadyRevoked', 5, [], ['The signer is already revoked.']),
    v('SignerNotRevoked', 6, [], ['The signer is not revoked.']),
    v('InvalidSignerKey', 7, [], ['The key is not a libp2p protobuf-encoded Ed25519 (`08 01 12 20` + 32 bytes) or compressed secp256k1 (`08 02 12 21` + 33 bytes) public key.']),
    v('RevocationBreaksQuorum', 8, [], ['Revoking the signer would leave fewer active signers than the quorum: lower the quorum first.'])
  ],
  storage: [
    { name: 'TrustedSigners', modifier: 'Default', type: 'BoundedVec<BoundedVec<u8>>', docs: [' The trusted signer keys (libp2p protobuf-encoded public keys).'] },
    { name: 'RevokedSigners', modifier: 'Default', type: 'BoundedVec<BoundedVec<u8>>', docs: [' Trusted keys that are currently revoked.'] },
    { name: 'SignerQuorum', modifier: 'Default', type: 'u32', docs: [' Signatures a manifest needs.'] },
    { name: 'SignerEpoch', modifier: 'Default', type: 'u64', docs: [' Bumped on every change of the signer set or quorum.'] }
  ],
  constants: [
    { name: 'MaxSigners', type: 'u32', value: BOOTSTRAP_CONSTANTS.maxSigners, docs: [' Trusted signers at most.'] },
    { name: 'MaxSignerBytes', type: 'u32', value: BOOTSTRAP_CONSTANTS.maxSignerBytes, docs: [' The longest encoded signer key.'] }
  ],
  docs: ['Trusted bootstrap-manifest signer keys (libp2p protobuf public keys) and their quorum.']
}
