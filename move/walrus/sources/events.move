/// Events emitted by the Walrus contracts, with Walrus's exact layouts, and haulout's governance
/// events. All are `copy, drop`; their BCS is the fields in order.
module walrus::events;

use std::string::String;
use sui::event::emit;

// === Walrus events ===

/// A blob was registered.
public struct BlobRegistered has copy, drop {
    epoch: u32,
    blob_id: u256,
    size: u64,
    encoding_type: u8,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
}

/// A blob was certified, or the period of a certified blob was extended (`is_extension`).
/// `epoch` is the epoch in which the blob was first certified.
public struct BlobCertified has copy, drop {
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
    is_extension: bool,
}

/// A deletable blob was deleted.
public struct BlobDeleted has copy, drop {
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    object_id: ID,
    was_certified: bool,
}

/// A blob ID was certified invalid (inconsistent encoding) by f+1 shards.
public struct InvalidBlobID has copy, drop {
    epoch: u32,
    blob_id: u256,
}

/// The epoch change to `epoch` started.
public struct EpochChangeStart has copy, drop {
    epoch: u32,
}

/// Nodes holding a quorum of shards finished syncing for `epoch`.
public struct EpochChangeDone has copy, drop {
    epoch: u32,
}

/// A node received its shards for `epoch`.
public struct ShardsReceived has copy, drop {
    epoch: u32,
    shards: vector<u16>,
}

/// The committee and parameters of `next_epoch` were selected.
public struct EpochParametersSelected has copy, drop {
    next_epoch: u32,
}

/// Shard recovery started for `shards`.
public struct ShardRecoveryStart has copy, drop {
    epoch: u32,
    shards: vector<u16>,
}

/// The contracts were upgraded.
public struct ContractUpgraded has copy, drop {
    epoch: u32,
    package_id: ID,
    version: u64,
}

/// A node registered a deny-list update.
public struct RegisterDenyListUpdate has copy, drop {
    epoch: u32,
    root: u256,
    sequence_number: u64,
    node_id: ID,
}

/// A node's deny list was updated.
public struct DenyListUpdate has copy, drop {
    epoch: u32,
    root: u256,
    sequence_number: u64,
    node_id: ID,
}

/// A deny-listed blob was deleted.
public struct DenyListBlobDeleted has copy, drop {
    epoch: u32,
    blob_id: u256,
}

/// A contract upgrade was proposed.
public struct ContractUpgradeProposed has copy, drop {
    epoch: u32,
    package_digest: vector<u8>,
}

/// A contract upgrade reached a quorum.
public struct ContractUpgradeQuorumReached has copy, drop {
    epoch: u32,
    package_digest: vector<u8>,
}

/// The protocol version was updated.
public struct ProtocolVersionUpdated has copy, drop {
    epoch: u32,
    start_epoch: u32,
    protocol_version: u64,
}

/// The storage and write prices were recomputed from the committee's votes.
public struct PricesUpdated has copy, drop {
    epoch: u32,
    storage_price: u64,
    write_price: u64,
}

// === haulout governance events ===

/// A governance proposal was created. `action_kind` is 0 for a signal, 1 for a parameter change
/// (then `param_name`/`param_value` are set; otherwise they are empty and 0).
public struct ProposalCreated has copy, drop {
    proposal_id: ID,
    number: u64,
    proposer: address,
    title: String,
    action_kind: u8,
    param_name: String,
    param_value: u64,
    created_epoch: u32,
    voting_end_epoch: u32,
}

/// A vote was cast with a `StakedWal`. `choice`: 0 yes, 1 no, 2 abstain.
public struct VoteCast has copy, drop {
    proposal_id: ID,
    staked_wal_id: ID,
    voter: address,
    choice: u8,
    weight: u64,
}

/// A proposal was finalized. `status`: 1 passed, 2 rejected.
public struct ProposalFinalized has copy, drop {
    proposal_id: ID,
    status: u8,
    yes: u64,
    no: u64,
    abstain: u64,
    total_stake: u64,
}

/// A passed proposal's action was applied.
public struct ProposalExecuted has copy, drop {
    proposal_id: ID,
    number: u64,
}

// === Emitters ===

public(package) fun emit_blob_registered(
    epoch: u32,
    blob_id: u256,
    size: u64,
    encoding_type: u8,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
) {
    emit(BlobRegistered { epoch, blob_id, size, encoding_type, end_epoch, deletable, object_id })
}

public(package) fun emit_blob_certified(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    deletable: bool,
    object_id: ID,
    is_extension: bool,
) {
    emit(BlobCertified { epoch, blob_id, end_epoch, deletable, object_id, is_extension })
}

public(package) fun emit_blob_deleted(
    epoch: u32,
    blob_id: u256,
    end_epoch: u32,
    object_id: ID,
    was_certified: bool,
) {
    emit(BlobDeleted { epoch, blob_id, end_epoch, object_id, was_certified })
}

public(package) fun emit_invalid_blob_id(epoch: u32, blob_id: u256) {
    emit(InvalidBlobID { epoch, blob_id })
}

public(package) fun emit_epoch_change_start(epoch: u32) {
    emit(EpochChangeStart { epoch })
}

public(package) fun emit_epoch_change_done(epoch: u32) {
    emit(EpochChangeDone { epoch })
}

public(package) fun emit_shards_received(epoch: u32, shards: vector<u16>) {
    emit(ShardsReceived { epoch, shards })
}

public(package) fun emit_epoch_parameters_selected(next_epoch: u32) {
    emit(EpochParametersSelected { next_epoch })
}

public(package) fun emit_prices_updated(epoch: u32, storage_price: u64, write_price: u64) {
    emit(PricesUpdated { epoch, storage_price, write_price })
}

public(package) fun emit_proposal_created(
    proposal_id: ID,
    number: u64,
    proposer: address,
    title: String,
    action_kind: u8,
    param_name: String,
    param_value: u64,
    created_epoch: u32,
    voting_end_epoch: u32,
) {
    emit(ProposalCreated {
        proposal_id,
        number,
        proposer,
        title,
        action_kind,
        param_name,
        param_value,
        created_epoch,
        voting_end_epoch,
    })
}

public(package) fun emit_vote_cast(
    proposal_id: ID,
    staked_wal_id: ID,
    voter: address,
    choice: u8,
    weight: u64,
) {
    emit(VoteCast { proposal_id, staked_wal_id, voter, choice, weight })
}

public(package) fun emit_proposal_finalized(
    proposal_id: ID,
    status: u8,
    yes: u64,
    no: u64,
    abstain: u64,
    total_stake: u64,
) {
    emit(ProposalFinalized { proposal_id, status, yes, no, abstain, total_stake })
}

public(package) fun emit_proposal_executed(proposal_id: ID, number: u64) {
    emit(ProposalExecuted { proposal_id, number })
}
