// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_bft` (index 53): slot certificates (3 signed Accept attestations of the epoch's
 * committee over the leader's content root), submitted as unsigned extrinsics and checked against
 * the registered session keys, plus the reference's `ConsensusRounds`/`EmbeddingsHashes`/
 * `ConsensusRoundStats` bookkeeping (`reference/nsn-chain.md` section 5). The reference's Root calls
 * `store_embeddings_hash` and `prune_old_consensus` are replaced by `submit_certificate` and bounded
 * automatic pruning (section 13, weaknesses 4, 10, 29).
 *
 * The certificate types mirror the wire types of `src/core/wire/SPEC.md` field for field, so the
 * SCALE encoding of the call's argument is the wire encoding of the certificate.
 */
import { BLOCKS_PER_EPOCH } from './timing.ts'
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { ConstantDef, FieldDef, PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const BFT_CONSTANTS = {
  /** A slot may be certified from `certificateLeadSlots` slots before it starts (the leader of S generates during S-2..S-1). */
  certificateLeadSlots: 2,
  /** …until this many blocks after it starts (one epoch: slots of the current or previous epoch). */
  certificateWindowBlocks: BLOCKS_PER_EPOCH,
  /** Blocks a certificate and its round are kept (the reference's 2 592 000). */
  defaultRetentionPeriod: 2_592_000,
  /** Slots the pruning cursor examines per block. */
  maxPrunePerBlock: 16,
  maxAttestationsPerCertificate: 16
} as const

const wirePath = (name: string): string[] => ['nsn_primitives', 'wire', name]
const path = (name: string): string[] => ['pallet_nsn_bft', 'types', name]
const account = (name: string): FieldDef => f(name, 'AccountId32', 'T::AccountId')
const slot = f('slot', 'u64', 'u64')
const bytes32 = (name: string, typeName = '[u8; 32]'): FieldDef => f(name, '[u8; 32]', typeName)
const c = (name: string, type: string, value: bigint | number, doc: string): ConstantDef => ({ name, type, value, docs: [` ${doc}`] })
const K = BFT_CONSTANTS

/** The NsnBft pallet. */
export const nsnBft: PalletDef = {
  name: 'NsnBft',
  index: 53,
  crate: 'pallet_nsn_bft',
  types: [
    enumType('Verdict', wirePath('Verdict'), units(['Accept', 'Reject'])),
    enumType('ScoreKind', wirePath('ScoreKind'), units(['Clip', 'Face', 'Lipsync', 'Duration', 'Format'])),
    struct('Score', wirePath('Score'), [f('kind', 'ScoreKind', 'ScoreKind'), f('value', 'u32', 'u32', [' Parts per million (1 000 000 = 1.0).'])]),
    struct('Attestation', wirePath('Attestation'), [
      f('version', 'u8', 'u8'), f('channel', 'Vec<u8>', 'Vec<u8>'), slot, bytes32('content_root'), bytes32('leader', 'SessionKey'),
      f('verdict', 'Verdict', 'Verdict'), f('scores', 'Vec<Score>', 'Vec<Score>'), bytes32('attester', 'SessionKey')
    ], { docs: ['A director\'s judgement of a slot\'s clip, as the wire format (SPEC.md "Attestation") lays it out.'] }),
    struct('SignedAttestation', wirePath('SignedAttestation'), [f('attestation', 'Attestation', 'Attestation'), f('signature', '[u8; 64]', '[u8; 64]')],
      { docs: ['An attestation with the attester\'s Ed25519 signature over `nsn/attestation/2 ++ SCALE(attestation)`.'] }),
    struct('Certificate', wirePath('Certificate'), [
      f('channel', 'Vec<u8>', 'Vec<u8>'), slot, bytes32('content_root'), bytes32('leader', 'SessionKey'),
      f('attestations', 'Vec<SignedAttestation>', 'BoundedVec<SignedAttestation, T::MaxAttestationsPerCertificate>')
    ], { docs: ['Signed attestations over one (channel, slot, content root, leader), as SPEC.md "Certificate".'] }),
    struct('CertifiedSlot', path('CertifiedSlot'), [
      f('channel', 'Vec<u8>', 'Vec<u8>'), bytes32('content_root'), bytes32('leader', 'SessionKey'), account('leader_account'),
      f('attesters', 'Vec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerRound>'), f('certified_at', 'u32', 'BlockNumberFor<T>')
    ]),
    struct('ConsensusRound', path('ConsensusRound'), [
      slot, f('embeddings_hash', 'H256', 'T::Hash', [' The certified content root (all zero for a failed round).']),
      f('directors', 'BoundedVec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerRound>', [' The leader, then the attesters.']),
      f('timestamp', 'u32', 'BlockNumberFor<T>'), f('success', 'bool', 'bool')
    ]),
    struct('ConsensusStats', path('ConsensusStats'), [
      f('total_rounds', 'u64', 'u64'), f('successful_rounds', 'u64', 'u64'), f('failed_rounds', 'u64', 'u64'),
      f('average_directors_agreeing', 'u32', 'u32', [' Directors per successful round ×100 (failed rounds are not in the average).'])
    ])
  ],
  calls: [
    v('submit_certificate', 0, [f('certificate', 'Certificate', 'Certificate')], [
      'Certify a slot. Unsigned: the embedded session-key signatures are the proof. At least `BftThreshold` Accept',
      'attestations by distinct committee members of the slot\'s epoch (not the leader itself), every signature valid',
      'under the signer\'s current session key, the leader key being the current key of a committee member. A slot can',
      'be certified from `CertificateLeadSlots` slots before it starts until `CertificateWindowBlocks` after; a second',
      'certificate for a slot is refused as stale (duplicates are harmless).'
    ])
  ],
  events: [
    v('ConsensusStored', 0, [slot, f('embeddings_hash', 'H256', 'T::Hash'), f('success', 'bool', 'bool')], ['A consensus round was recorded (success: certified; failure: the window closed without a certificate).']),
    v('ConsensusPruned', 1, [f('before_slot', 'u64', 'u64'), f('count', 'u32', 'u32')], ['Rounds and certificates of slots before `before_slot` were pruned.']),
    v('CertificateAccepted', 2, [slot, f('content_root', '[u8; 32]', '[u8; 32]'), account('leader'), f('attesters', 'Vec<AccountId32>', 'Vec<T::AccountId>')],
      ['A slot was certified.'])
  ],
  errors: [
    v('MalformedCertificate', 0, [], ['The certificate breaks the wire format (SPEC.md "Certificate").']),
    v('SlotOutsideWindow', 1, [], ['The slot is too far ahead, or its certificate window has closed.']),
    v('NoCommittee', 2, [], ['The slot\'s epoch has no committee.']),
    v('LeaderNotInCommittee', 3, [], ['The leader key is not the current session key of a committee member.']),
    v('InvalidAttestation', 4, [], ['An attestation\'s signature does not verify, or it is not an Accept.']),
    v('NotCommitteeMember', 5, [], ['An attester is not a committee member with that current session key (or is the leader).']),
    v('InsufficientAttestations', 6, [], ['Fewer than `BftThreshold` valid Accept attestations.']),
    v('SlotAlreadyCertified', 7, [], ['The slot already has a certificate.'])
  ],
  storage: [
    { name: 'Certificates', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'CertifiedSlot', docs: [' The certificate of each certified slot.'] },
    { name: 'EmbeddingsHashes', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'H256', docs: [' The certified content root of each slot.'] },
    { name: 'ConsensusRounds', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'ConsensusRound', docs: [' Each slot\'s round, certified or failed.'] },
    { name: 'ConsensusRoundStats', modifier: 'Default', type: 'ConsensusStats', docs: [' Running statistics.'] },
    { name: 'RetentionPeriod', modifier: 'Default', type: 'u32', default: K.defaultRetentionPeriod, docs: [' Blocks rounds and certificates are kept.'] },
    { name: 'PruneCursor', modifier: 'Default', type: 'u64', docs: [' The oldest slot that may still need pruning.'] }
  ],
  constants: [
    c('CertificateLeadSlots', 'u32', K.certificateLeadSlots, 'A slot may be certified from this many slots before it starts.'),
    c('CertificateWindowBlocks', 'u32', K.certificateWindowBlocks, 'A slot may be certified until this many blocks after it starts.'),
    c('DefaultRetentionPeriod', 'u32', K.defaultRetentionPeriod, 'Blocks rounds and certificates are kept by default.'),
    c('MaxPrunePerBlock', 'u32', K.maxPrunePerBlock, 'Slots pruned (examined) per block at most.'),
    c('MaxAttestationsPerCertificate', 'u32', K.maxAttestationsPerCertificate, 'Attestations one certificate may carry.')
  ],
  docs: ['Slot certificates checked against registered session keys, with the consensus-round archive and statistics.']
}
