/// The BLS signing committee of an epoch and verification of certificates: an aggregate
/// min_pk signature over a message, with the signers given as a bitmap over the members.
module walrus::bls_aggregate;

use sui::bls12381::{Self, bls12381_min_pk_verify, G1, UncompressedG1};
use sui::group_ops::{Self, Element};
use sui::vec_map::{Self, VecMap};
use walrus::messages::{Self, CertifiedMessage};

/// The signers bitmap is longer than needed or has a bit set beyond the last member.
const EInvalidBitmap: u64 = 0;
/// The aggregate signature does not verify.
const ESigVerification: u64 = 1;
/// The signers do not hold enough shards.
const ENotEnoughStake: u64 = 2;
/// A member has zero weight.
const EIncorrectCommittee: u64 = 3;

/// A committee member: its public key (uncompressed), its number of shards and its node ID.
public struct BlsCommitteeMember has copy, drop, store {
    public_key: Element<UncompressedG1>,
    weight: u16,
    node_id: ID,
}

/// The BLS committee of an epoch. Members are ordered by node ID, the same order as the staking
/// `Committee`; bit `i` of a signers bitmap refers to `members[i]`.
public struct BlsCommittee has copy, drop, store {
    members: vector<BlsCommitteeMember>,
    /// The sum of the members' weights.
    n_shards: u16,
    /// The epoch in which the committee is active.
    epoch: u32,
    /// The sum of all members' public keys.
    total_aggregated_key: Element<G1>,
}

/// Which weight a certificate must reach.
public enum RequiredWeight has copy, drop {
    /// 3w >= 2n + 1.
    Quorum,
    /// 3w >= n + 1.
    OneCorrectNode,
}

/// Creates a committee for `epoch`. Aborts with `EIncorrectCommittee` if a member has weight 0.
public(package) fun new_bls_committee(
    epoch: u32,
    members: vector<BlsCommitteeMember>,
): BlsCommittee {
    let mut n_shards: u16 = 0;
    let mut keys = vector[];
    let mut i = 0;
    while (i < members.length()) {
        let member = &members[i];
        assert!(member.weight > 0, EIncorrectCommittee);
        n_shards = n_shards + member.weight;
        keys.push_back(member.public_key);
        i = i + 1;
    };
    let total_aggregated_key = bls12381::uncompressed_g1_to_g1(
        &bls12381::uncompressed_g1_sum(&keys),
    );
    BlsCommittee { members, n_shards, epoch, total_aggregated_key }
}

/// Creates a committee member.
public(package) fun new_bls_committee_member(
    public_key: Element<UncompressedG1>,
    weight: u16,
    node_id: ID,
): BlsCommitteeMember {
    BlsCommitteeMember { public_key, weight, node_id }
}

/// The node ID of a member.
public(package) fun node_id(self: &BlsCommitteeMember): ID { self.node_id }

/// The weight (shards) of a member.
public(package) fun weight(self: &BlsCommitteeMember): u16 { self.weight }

/// The epoch of the committee.
public(package) fun epoch(self: &BlsCommittee): u32 { self.epoch }

/// The total number of shards.
public(package) fun n_shards(self: &BlsCommittee): u16 { self.n_shards }

/// The number of members.
public(package) fun n_members(self: &BlsCommittee): u64 { self.members.length() }

/// The member at `idx`.
public(package) fun get_idx(self: &BlsCommittee, idx: u64): &BlsCommitteeMember {
    &self.members[idx]
}

/// The index of the member with `node_id`, if any.
public(package) fun find_index(self: &BlsCommittee, node_id: &ID): Option<u64> {
    let mut i = 0;
    while (i < self.members.length()) {
        if (&self.members[i].node_id == node_id) return option::some(i);
        i = i + 1;
    };
    option::none()
}

/// Whether `node_id` is a member.
public(package) fun contains(self: &BlsCommittee, node_id: &ID): bool {
    self.find_index(node_id).is_some()
}

/// The weight of `node_id`, or 0 if it is not a member.
public(package) fun get_member_weight(self: &BlsCommittee, node_id: &ID): u16 {
    let idx = self.find_index(node_id);
    if (idx.is_some()) self.members[idx.destroy_some()].weight else 0
}

/// The members as a map from node ID to weight, in member order.
public(package) fun to_vec_map(self: &BlsCommittee): VecMap<ID, u16> {
    let mut result = vec_map::empty();
    let mut i = 0;
    while (i < self.members.length()) {
        let member = &self.members[i];
        result.insert(member.node_id, member.weight);
        i = i + 1;
    };
    result
}

/// Whether `weight` shards form a quorum: 3·weight ≥ 2·n_shards + 1.
public(package) fun is_quorum(self: &BlsCommittee, weight: u16): bool {
    3 * (weight as u64) >= 2 * (self.n_shards as u64) + 1
}

/// Whether `weight` shards include at least one correct node: 3·weight ≥ n_shards + 1.
public(package) fun includes_one_correct_node(self: &BlsCommittee, weight: u16): bool {
    3 * (weight as u64) >= (self.n_shards as u64) + 1
}

/// Verifies a quorum certificate over `message` and parses its header (epoch must be the
/// committee's epoch).
public(package) fun verify_quorum_in_epoch(
    self: &BlsCommittee,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): CertifiedMessage {
    let stake_support = self.verify_certificate_and_weight(
        &signature,
        &signers_bitmap,
        &message,
        RequiredWeight::Quorum,
    );
    messages::new_certified_message(message, self.epoch, stake_support)
}

/// Verifies a certificate by signers including at least one correct node and parses its header.
public(package) fun verify_one_correct_node_in_epoch(
    self: &BlsCommittee,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): CertifiedMessage {
    let stake_support = self.verify_certificate_and_weight(
        &signature,
        &signers_bitmap,
        &message,
        RequiredWeight::OneCorrectNode,
    );
    messages::new_certified_message(message, self.epoch, stake_support)
}

/// Checks the bitmap and the weight of the signers, then the aggregate signature against the
/// total key minus the non-signers' keys. Returns the signers' weight.
///
/// Bit `i` is `(bitmap[i / 8] >> (i % 8)) & 1`. The bitmap may be shorter than `ceil(m / 8)`
/// bytes (missing bits are non-signers) but not longer, and bits at or beyond `m` must be 0.
fun verify_certificate_and_weight(
    self: &BlsCommittee,
    signature: &vector<u8>,
    signers_bitmap: &vector<u8>,
    message: &vector<u8>,
    required_weight: RequiredWeight,
): u16 {
    let (aggregate_weight, non_signer_keys) = self.signers_weight_and_non_signer_keys(
        signers_bitmap,
    );
    let enough = match (required_weight) {
        RequiredWeight::Quorum => self.is_quorum(aggregate_weight),
        RequiredWeight::OneCorrectNode => self.includes_one_correct_node(aggregate_weight),
    };
    assert!(enough, ENotEnoughStake);

    let aggregate_key = bls12381::g1_sub(
        &self.total_aggregated_key,
        &bls12381::uncompressed_g1_to_g1(&bls12381::uncompressed_g1_sum(&non_signer_keys)),
    );
    assert!(
        bls12381_min_pk_verify(signature, group_ops::bytes(&aggregate_key), message),
        ESigVerification,
    );
    aggregate_weight
}

/// Parses the bitmap; returns the weight of the signers and the public keys of the non-signers.
fun signers_weight_and_non_signer_keys(
    self: &BlsCommittee,
    signers_bitmap: &vector<u8>,
): (u16, vector<Element<UncompressedG1>>) {
    let n_members = self.members.length();
    let max_bitmap_len = (n_members + 7) / 8;
    assert!(signers_bitmap.length() <= max_bitmap_len, EInvalidBitmap);

    let mut non_signer_weight: u16 = 0;
    let mut non_signer_keys = vector[];
    let mut index = 0;
    while (index < max_bitmap_len * 8) {
        let byte_index = index / 8;
        let byte = if (byte_index < signers_bitmap.length()) signers_bitmap[byte_index] else 0;
        let is_signer = (byte >> ((index % 8) as u8)) & 1 == 1;
        if (index >= n_members) {
            assert!(!is_signer, EInvalidBitmap);
        } else if (!is_signer) {
            let member = &self.members[index];
            non_signer_weight = non_signer_weight + member.weight;
            non_signer_keys.push_back(member.public_key);
        };
        index = index + 1;
    };
    (self.n_shards - non_signer_weight, non_signer_keys)
}

#[test_only]
/// Verifies only the bitmap and the weight, skipping the BLS signature check. Lets tests build
/// certificates for committees whose secret keys are unknown.
public fun verify_quorum_without_signature_for_testing(
    self: &BlsCommittee,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): CertifiedMessage {
    let (weight, _) = self.signers_weight_and_non_signer_keys(&signers_bitmap);
    assert!(self.is_quorum(weight), ENotEnoughStake);
    messages::new_certified_message(message, self.epoch, weight)
}

#[test_only]
/// Verifies a quorum certificate and returns the signers' weight.
public fun verify_certificate_for_testing(
    self: &BlsCommittee,
    signature: vector<u8>,
    signers_bitmap: vector<u8>,
    message: vector<u8>,
): u16 {
    self.verify_certificate_and_weight(
        &signature,
        &signers_bitmap,
        &message,
        RequiredWeight::Quorum,
    )
}
