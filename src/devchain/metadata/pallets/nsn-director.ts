// SPDX-License-Identifier: GPL-3.0-or-later
/**
 * `pallet_nsn_director` (index 52): one committee of 5 directors per epoch, session keys, and
 * challenges backed by signed evidence. Names follow `reference/nsn-chain.md` section 4 where the
 * concept survives (`CurrentEpoch`, `DirectorsElected`, `OnDeckElection`, `EpochStarted`,
 * `EpochCompleted`, `BftChallenged`, `ChallengeUpheld`, `BftConsensusFinalized`,
 * `challenge_bft_result`); the per-slot election, `submit_bft_result` and the Root
 * `resolve_challenge` are gone (section 13, weaknesses 1, 4, 5, 29). This port's additions: the
 * session keys (`register_session_key`, `SessionKeys`, `SessionKeyOwners`), `EpochCommittees`,
 * signed `Evidence`, semantic disputes (`open_dispute`, `vote_dispute`, `Disputes`) and the events,
 * errors and constants that go with them. See the implementation file (`pallets/nsn-director.ts`)
 * for the list of fixed weaknesses.
 *
 * Amounts are at the dev chain's 12 decimals (see `nsn-stake.ts`).
 */
import { compactToU8a, stringToU8a, u8aConcat } from '@polkadot/util'
import { NSN } from './nsn-stake.ts'
import { BLOCKS_PER_EPOCH, BLOCKS_PER_SLOT, SLOTS_PER_EPOCH } from './timing.ts'
import { enumType, f, struct, units, v } from '../def-helpers.ts'
import type { ConstantDef, FieldDef, PalletDef } from '../types.ts'

/** The pallet's constants, as the runtime configures them. */
export const DIRECTOR_CONSTANTS = {
  blocksPerSlot: BLOCKS_PER_SLOT,
  slotsPerEpoch: SLOTS_PER_EPOCH,
  /** Directors per epoch committee. */
  committeeSize: 5,
  /** Accept attestations a certificate needs. */
  bftThreshold: 3,
  /** Committee members per region. */
  maxDirectorsPerRegion: 2,
  /** Members of epoch e sit out the next `cooldownEpochs` epochs (relaxed so that at least `committeeSize` stay electable). */
  cooldownEpochs: 1,
  /** The next epoch's committee is elected this many slots before the epoch ends (the On-Deck election). */
  electionLookaheadSlots: 2,
  /** Jitter applied to each candidate's weight, ± percent. */
  jitterPercent: 20,
  challengeBond: 25n * NSN,
  directorSlashAmount: 100n * NSN,
  challengerReward: 10n * NSN,
  /** Blocks after a slot's certification during which root-mismatch evidence is accepted. */
  challengePeriodBlocks: 50,
  /** Reserved from whoever opens a semantic dispute: returned if upheld, burned if rejected. */
  disputeBond: 25n * NSN,
  /** Blocks a semantic dispute stays open for votes; undecided at the end, it is rejected. */
  disputeVotingBlocks: BLOCKS_PER_EPOCH,
  /** Most segment headers root-mismatch evidence may carry (a clip's init and media segments). */
  maxSegmentsPerClip: 64,
  /** Equivocation evidence is accepted while the slot's epoch is younger than this many epochs; committees are kept as long. */
  evidenceRetentionEpochs: 24
} as const

/** The domain of a session-key registration proof: ASCII `nsn/session-key/2` (SPEC.md "Session key registration proof"). */
export const SESSION_KEY_DOMAIN = 'nsn/session-key/2'

/** What the election's randomness is, and what it is not (also a metadata constant). */
export const RANDOMNESS_SOURCE = 'blake2b-256(parent block hash ++ epoch id as u64 LE). NOT a VRF: the author of the block that runs ' +
  'the election can grind it by choosing what goes into its parent block (on the dev chain there is one author, so it is ' +
  'predictable to whoever runs the node); the jitter and every draw derive from this seed.'

/** `EvidenceKind` variants. */
export const EVIDENCE_KINDS = ['SegmentEquivocation', 'AttestationEquivocation', 'RootMismatch'] as const

const path = (name: string): string[] => ['pallet_nsn_director', 'types', name]
const wirePath = (name: string): string[] => ['nsn_primitives', 'wire', name]
const account = (name: string): FieldDef => f(name, 'AccountId32', 'T::AccountId')
const key = (name: string): FieldDef => f(name, '[u8; 32]', 'SessionKey')
const block = (name: string): FieldDef => f(name, 'u32', 'BlockNumberFor<T>')
const slot = f('slot', 'u64', 'u64')
const epochId = f('epoch_id', 'u64', 'u64')
const directors = f('directors', 'BoundedVec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerEpoch>')
const c = (name: string, type: string, value: bigint | number, doc: string): ConstantDef => ({ name, type, value, docs: [` ${doc}`] })
const text = (name: string, value: string, doc: string): ConstantDef =>
  ({ name, type: 'Vec<u8>', bytes: u8aConcat(compactToU8a(value.length), stringToU8a(value)), docs: [` ${doc}`] })
const K = DIRECTOR_CONSTANTS

/** The NsnDirector pallet. */
export const nsnDirector: PalletDef = {
  name: 'NsnDirector',
  index: 52,
  crate: 'pallet_nsn_director',
  types: [
    struct('Epoch', path('Epoch'), [
      f('id', 'u64', 'u64'), block('start_block'), f('end_block', 'u32', 'BlockNumberFor<T>', [' The epoch\'s last block (inclusive).']), directors
    ], { params: [{ name: 'AccountId', type: 'AccountId32' }, { name: 'BlockNumber', type: 'u32' }] }),
    // the wire types (src/core/wire/SPEC.md): SCALE of these equals the wire encoding
    enumType('SegmentKind', wirePath('SegmentKind'), units(['Init', 'Media'])),
    struct('SegmentHeader', wirePath('SegmentHeader'), [
      f('version', 'u8', 'u8'), f('channel', 'Vec<u8>', 'Vec<u8>'), slot, f('sequence', 'u64', 'u64'), f('kind', 'SegmentKind', 'SegmentKind'),
      f('codec', 'Vec<u8>', 'Vec<u8>'), f('timestamp_us', 'u64', 'u64'), f('duration_us', 'u32', 'u32'), f('keyframe', 'bool', 'bool'),
      f('air_time_us', 'u64', 'u64'), f('payload_length', 'u32', 'u32'), f('payload_hash', '[u8; 32]', '[u8; 32]'),
      f('init_hash', '[u8; 32]', '[u8; 32]'), key('producer')
    ], { docs: ['A segment header exactly as the wire format (SPEC.md "SegmentHeader") lays it out; `channel` and `codec` are UTF-8.'] }),
    struct('SignedSegmentHeader', wirePath('SignedSegmentHeader'), [
      f('header', 'SegmentHeader', 'SegmentHeader'), f('signature', '[u8; 64]', '[u8; 64]')
    ], { docs: ['A segment header with the producer\'s Ed25519 signature over `nsn/segment/2 ++ SCALE(header)`.'] }),
    enumType('Evidence', path('Evidence'), [
      v('SegmentEquivocation', 0, [f('first', 'SignedSegmentHeader', 'SignedSegmentHeader'), f('second', 'SignedSegmentHeader', 'SignedSegmentHeader')],
        ['One session key signed two different headers for the same (channel, slot, sequence).']),
      v('AttestationEquivocation', 1, [f('first', 'SignedAttestation', 'SignedAttestation'), f('second', 'SignedAttestation', 'SignedAttestation')],
        ['One session key signed two attestations for the same (channel, slot) with a different content root or verdict.']),
      v('RootMismatch', 2, [f('headers', 'BoundedVec<SignedSegmentHeader>', 'BoundedVec<SignedSegmentHeader, T::MaxSegmentsPerClip>')],
        ['The certified leader\'s signed headers of a certified slot (init first, then media in sequence order) whose content root is not the certified one.'])
    ], { docs: ['Signed evidence of a director\'s misbehaviour, verified on chain.'] }),
    enumType('EvidenceKind', path('EvidenceKind'), units([...EVIDENCE_KINDS])),
    struct('Dispute', path('Dispute'), [
      account('challenger'), block('opened_at'),
      f('voters', 'BoundedVec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerEpoch>', [' Who may vote: the committee at opening, minus the slot\'s leader and attesters.']),
      f('uphold', 'BoundedVec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerEpoch>'),
      f('reject', 'BoundedVec<AccountId32>', 'BoundedVec<T::AccountId, T::MaxDirectorsPerEpoch>'),
      f('outcome', 'Option<bool>', 'Option<bool>', [' None while open; Some(true) upheld, Some(false) rejected.'])
    ], { docs: ['A semantic dispute of a certified slot, decided by a committee vote.'] })
  ],
  calls: [
    v('register_session_key', 0, [key('session_key'), f('proof', '[u8; 64]', '[u8; 64]')], [
      'Register (or rotate to) an Ed25519 session key. `proof` is the key\'s strict Ed25519 signature over ASCII',
      '`nsn/session-key/2` ++ the 32 bytes of the caller\'s account id. The caller must be staked. A rotation takes',
      'effect at once: certificates must then carry the new key; the old key stays attributed to the caller for evidence.'
    ]),
    v('challenge_bft_result', 1, [slot, f('evidence', 'Evidence', 'Evidence<T>')], [
      'Challenge a slot with signed evidence (equivocation, or a root mismatch of a certified slot). The evidence is',
      'verified and resolved at once: valid evidence slashes the offender `DirectorSlashAmount` and pays the',
      'challenger `ChallengerReward` (the `ChallengeBond` is reserved for the call and returned); evidence that does',
      'not verify fails the call and takes nothing.'
    ]),
    v('open_dispute', 2, [slot], [
      'Dispute the meaning of a certified slot\'s clip (not provable by signatures) within `ChallengePeriodBlocks` of',
      'its certification, reserving `DisputeBond`. The current committee, minus the slot\'s leader and attesters, votes;',
      'a majority of them decides. Upheld: the leader and attesters lose reputation (no slash) and the bond is returned.',
      'Rejected, or undecided after `DisputeVotingBlocks`: the bond is burned. One dispute per slot.'
    ]),
    v('vote_dispute', 3, [slot, f('uphold', 'bool', 'bool')], ['Vote on an open dispute (eligible committee members only, once each).'])
  ],
  events: [
    v('DirectorsElected', 0, [epochId, directors], ['A committee was elected for `epoch_id` (in leader-rotation order).']),
    v('OnDeckElection', 1, [epochId, directors, block('start_block')], ['The next epoch\'s committee was elected (On-Deck); it serves from `start_block`.']),
    v('EpochStarted', 2, [epochId, directors, block('end_block')], ['An epoch started; its committee serves every slot until `end_block` (inclusive).']),
    v('EpochCompleted', 3, [epochId], ['An epoch ended.']),
    v('CommitteeShort', 4, [epochId, f('size', 'u32', 'u32')], ['Fewer than `CommitteeSize` candidates could be elected for `epoch_id`: the committee has `size` members.']),
    v('SessionKeyRegistered', 5, [account('who'), key('session_key')], ['An account registered its first session key.']),
    v('SessionKeyRotated', 6, [account('who'), key('old'), key('new')], ['An account rotated its session key (the old one stays attributed to it).']),
    v('BftChallenged', 7, [slot, account('challenger')], ['A slot was challenged with evidence.']),
    v('ChallengeUpheld', 8, [slot, account('challenger'), account('offender'), f('kind', 'EvidenceKind', 'EvidenceKind')],
      ['The evidence verified: `offender` was slashed and the challenger rewarded.']),
    v('BftConsensusFinalized', 9, [slot], ['A slot was certified (NsnBft accepted its certificate).']),
    v('DisputeOpened', 10, [slot, account('challenger'), f('voters', 'Vec<AccountId32>', 'Vec<T::AccountId>')], ['A semantic dispute was opened; `voters` decide it.']),
    v('DisputeVoted', 11, [slot, account('voter'), f('uphold', 'bool', 'bool')], ['A vote was cast on a dispute.']),
    v('DisputeUpheld', 12, [slot, account('challenger')], ['The committee upheld the dispute: the slot\'s leader and attesters lost reputation.']),
    v('DisputeRejected', 13, [slot, account('challenger')], ['The dispute was rejected (or not decided in time): its bond was burned.'])
  ],
  errors: [
    v('NotStaked', 0, [], ['Only a staked account can register a session key.']),
    v('InvalidSessionKeyProof', 1, [], ['The proof is not the session key\'s valid Ed25519 signature over "nsn/session-key/2" and your account id.']),
    v('SessionKeyInUse', 2, [], ['Another account has registered this session key (now or in the past); generate a new key.']),
    v('SessionKeyUnchanged', 3, [], ['This session key is already your current key.']),
    v('InvalidEvidence', 4, [], ['The evidence is malformed, or its signatures do not verify.']),
    v('EvidenceSlotMismatch', 5, [], ['The evidence is not about the challenged slot.']),
    v('NotConflicting', 6, [], ['The two signed objects do not conflict (same content, or not the same channel, slot, sequence or signer).']),
    v('UnknownSessionKey', 7, [], ['No account ever registered the session key that signed the evidence.']),
    v('OffenderNotInCommittee', 8, [], ['The signer was not on the committee of the slot\'s epoch.']),
    v('EvidenceExpired', 9, [], ['The evidence is too old: past the challenge period or the evidence retention.']),
    v('EvidenceAlreadyUsed', 10, [], ['This evidence, or another offence of the same signer in the same slot, was already punished.']),
    v('SlotNotCertified', 11, [], ['Root-mismatch evidence needs a certified slot.']),
    v('RootMatches', 12, [], ['The headers\' content root equals the certified root: no mismatch.']),
    v('InsufficientChallengeBond', 13, [], ['The free balance cannot cover the challenge bond.']),
    v('DisputeExists', 14, [], ['This slot has already been disputed.']),
    v('NoDispute', 15, [], ['This slot has no dispute.']),
    v('DisputeClosed', 16, [], ['The dispute is already decided.']),
    v('NotDisputeVoter', 17, [], ['Only the committee members who did not lead or attest the slot vote on its dispute.']),
    v('AlreadyVoted', 18, [], ['You already voted on this dispute.']),
    v('NoDisputeVoters', 19, [], ['No committee member is eligible to vote on this slot, so it cannot be disputed.'])
  ],
  storage: [
    { name: 'CurrentEpoch', modifier: 'Optional', type: 'Epoch', docs: [' The epoch now running and its committee.'] },
    { name: 'EpochCommittees', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u64', type: 'BoundedVec<AccountId32>',
      docs: [' The committee of each epoch, in leader-rotation order (the next epoch\'s once the On-Deck election ran); kept `EvidenceRetentionEpochs`.'] },
    { name: 'SessionKeys', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: 'AccountId32', type: '[u8; 32]', docs: [' Each account\'s current Ed25519 session key.'] },
    { name: 'SessionKeyOwners', modifier: 'Optional', hashers: ['Blake2_128Concat'], key: '[u8; 32]', type: 'AccountId32',
      docs: [' The account of every session key ever registered (kept after rotation so old signatures stay attributable).'] },
    { name: 'UsedEvidence', modifier: 'Optional', hashers: ['Identity'], key: 'H256', type: 'u64', docs: [' blake2b-256 of each upheld evidence\'s SCALE bytes → its slot.'] },
    { name: 'Disputes', modifier: 'Optional', hashers: ['Twox64Concat'], key: 'u64', type: 'Dispute', docs: [' Semantic disputes by slot (kept after the decision: one per slot).'] },
    { name: 'DisputeDeadlines', modifier: 'Default', hashers: ['Twox64Concat'], key: 'u32', type: 'Vec<u64>', docs: [' The open disputes whose voting ends at a block.'] },
    { name: 'Offences', modifier: 'Optional', hashers: ['Blake2_128Concat', 'Twox64Concat'], key: '(AccountId32, u64)', type: 'u32',
      docs: [' (offender, slot) → the block its offence was punished: one slash per signer and slot.'] }
  ],
  constants: [
    c('BlocksPerSlot', 'u32', K.blocksPerSlot, 'Blocks per slot.'),
    c('SlotsPerEpoch', 'u32', K.slotsPerEpoch, 'Slots per epoch.'),
    c('EpochDuration', 'u32', BLOCKS_PER_EPOCH, 'Blocks per epoch.'),
    c('CommitteeSize', 'u32', K.committeeSize, 'Directors per epoch committee (MaxDirectorsPerEpoch).'),
    c('BftThreshold', 'u32', K.bftThreshold, 'Accept attestations of committee members (other than the leader) a certificate needs.'),
    c('MaxDirectorsPerRegion', 'u32', K.maxDirectorsPerRegion, 'Committee members per region.'),
    c('CooldownEpochs', 'u32', K.cooldownEpochs, 'Epochs a member sits out after serving (relaxed to keep CommitteeSize candidates electable).'),
    c('ElectionLookaheadSlots', 'u32', K.electionLookaheadSlots, 'The On-Deck election runs at the first block of the epoch\'s slot SlotsPerEpoch - this.'),
    c('JitterPercent', 'u32', K.jitterPercent, 'Weight jitter, ± percent.'),
    c('ChallengeBond', 'u128', K.challengeBond, 'Reserved from the challenger while its evidence is resolved.'),
    c('DirectorSlashAmount', 'u128', K.directorSlashAmount, 'Slashed from the signer of upheld evidence.'),
    c('ChallengerReward', 'u128', K.challengerReward, 'Minted to the challenger of upheld evidence.'),
    c('ChallengePeriodBlocks', 'u32', K.challengePeriodBlocks, 'Blocks after certification during which root-mismatch evidence is accepted.'),
    c('MaxSegmentsPerClip', 'u32', K.maxSegmentsPerClip, 'Most segment headers in root-mismatch evidence.'),
    c('DisputeBond', 'u128', K.disputeBond, 'Reserved while a semantic dispute is open; burned if it is rejected.'),
    c('DisputeVotingBlocks', 'u32', K.disputeVotingBlocks, 'Blocks a dispute stays open for votes.'),
    c('EvidenceRetentionEpochs', 'u32', K.evidenceRetentionEpochs, 'Equivocation evidence is accepted for slots of this many most recent epochs.'),
    text('SessionKeyProofDomain', SESSION_KEY_DOMAIN, 'The prefix a session key signs, followed by the account id, to prove it is held.'),
    text('RandomnessSource', RANDOMNESS_SOURCE, 'The election\'s randomness and its limits.')
  ],
  docs: [
    'One 5-director committee per epoch (weighted by reputation, region-capped, with an epoch cooldown), Ed25519 session',
    'keys, and challenges resolved on chain from signed evidence. Randomness: ' + RANDOMNESS_SOURCE
  ]
}

