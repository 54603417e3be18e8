//! haulout's governance: objects of `walrus::governance` and their events (contracts.md §4).

use serde::{Deserialize, Serialize};

use crate::framework::{Table, VecSet};
use crate::ids::{Address, Epoch, ObjectId};
use crate::move_type::move_struct;

/// `walrus::governance::GovernanceConfig` (key, shared): the governance parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GovernanceConfig {
    /// The object ID.
    pub id: ObjectId,
    /// Number of the next proposal.
    pub next_number: u64,
    /// Minimum active stake to propose (FROST; default 1,000 WAL).
    pub min_stake_to_propose: u64,
    /// Length of a vote in epochs (default 2).
    pub voting_period_epochs: u32,
    /// Share of the total active stake that must vote, in basis points (default 2000).
    pub quorum_bps: u16,
    /// Share of yes among yes+no needed to pass, in basis points (default 5000).
    pub pass_threshold_bps: u16,
}

move_struct!(GovernanceConfig, Walrus, "governance", "GovernanceConfig",
    struct [("id", "UID"), ("next_number", "u64"), ("min_stake_to_propose", "u64"),
        ("voting_period_epochs", "u32"), ("quorum_bps", "u16"), ("pass_threshold_bps", "u16")]);

/// `walrus::governance::Proposal` (key, shared): a proposal and its tally.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Proposal {
    /// The object ID.
    pub id: ObjectId,
    /// Sequence number.
    pub number: u64,
    /// Who proposed it.
    pub proposer: Address,
    /// Title (at most 200 bytes).
    pub title: String,
    /// Description (at most 4,000 bytes).
    pub description: String,
    /// What happens if it passes.
    pub action: ProposalAction,
    /// Epoch of creation.
    pub created_epoch: Epoch,
    /// Votes are accepted while the current epoch is below this.
    pub voting_end_epoch: Epoch,
    /// Weight voting yes.
    pub yes: u64,
    /// Weight voting no.
    pub no: u64,
    /// Weight abstaining.
    pub abstain: u64,
    /// Where the proposal stands.
    pub status: ProposalStatus,
    /// `StakedWal` ID to its choice (0 yes, 1 no, 2 abstain).
    pub voters: Table<ObjectId, u8>,
}

move_struct!(Proposal, Walrus, "governance", "Proposal",
    struct [("id", "UID"), ("number", "u64"), ("proposer", "address"), ("title", "String"),
        ("description", "String"), ("action", "ProposalAction"), ("created_epoch", "u32"),
        ("voting_end_epoch", "u32"), ("yes", "u64"), ("no", "u64"), ("abstain", "u64"),
        ("status", "ProposalStatus"), ("voters", "Table<ID, u8>")]);

/// `walrus::governance::ProposalAction` (enum, copy, drop, store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProposalAction {
    /// Text only.
    Signal,
    /// Set a named parameter.
    SetParameter {
        /// The parameter, e.g. `governance.quorum_bps`.
        name: String,
        /// The new value.
        value: u64,
    },
}

move_struct!(ProposalAction, Walrus, "governance", "ProposalAction",
    enum [("Signal", []), ("SetParameter", [("name", "String"), ("value", "u64")])]);

/// `walrus::governance::ProposalStatus` (enum, copy, drop, store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProposalStatus {
    /// Open for votes or awaiting finalization.
    Active,
    /// Passed, not yet executed.
    Passed,
    /// Rejected.
    Rejected,
    /// Passed and executed.
    Executed,
}

move_struct!(ProposalStatus, Walrus, "governance", "ProposalStatus",
    enum [("Active", []), ("Passed", []), ("Rejected", []), ("Executed", [])]);

/// `walrus::staked_wal::VoteMarks` (copy, drop, store): kept as a dynamic field of a
/// `StakedWal` that voted, under [`VoteMarksKey`]; `split` copies it and `join` merges it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct VoteMarks {
    /// Proposals this stake voted on.
    pub proposals: VecSet<ObjectId>,
    /// The stake cannot be withdrawn before this epoch.
    pub locked_until_epoch: Epoch,
}

move_struct!(VoteMarks, Walrus, "staked_wal", "VoteMarks",
    struct [("proposals", "VecSet<ID>"), ("locked_until_epoch", "u32")]);

/// `walrus::staked_wal::VoteMarksKey()` (copy, drop, store): the key of [`VoteMarks`]. BCS `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct VoteMarksKey {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(VoteMarksKey, Walrus, "staked_wal", "VoteMarksKey", struct []);

/// `walrus::events::ProposalCreated`: A governance proposal was created.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProposalCreated {
    /// The proposal.
    pub proposal_id: ObjectId,
    /// Its sequence number.
    pub number: u64,
    /// Who proposed it.
    pub proposer: Address,
    /// Its title.
    pub title: String,
    /// 0 signal, 1 set parameter.
    pub action_kind: u8,
    /// The parameter name (empty for a signal).
    pub param_name: String,
    /// The parameter value (0 for a signal).
    pub param_value: u64,
    /// Epoch of creation.
    pub created_epoch: Epoch,
    /// Votes are accepted while the epoch is below this.
    pub voting_end_epoch: Epoch,
}

move_struct!(ProposalCreated, Walrus, "events", "ProposalCreated", struct [("proposal_id", "ID"), ("number", "u64"), ("proposer", "address"), ("title", "String"), ("action_kind", "u8"), ("param_name", "String"), ("param_value", "u64"), ("created_epoch", "u32"), ("voting_end_epoch", "u32")]);

/// `walrus::events::VoteCast`: A vote was cast on a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VoteCast {
    /// The proposal.
    pub proposal_id: ObjectId,
    /// The `StakedWal` that voted.
    pub staked_wal_id: ObjectId,
    /// The sender.
    pub voter: Address,
    /// 0 yes, 1 no, 2 abstain.
    pub choice: u8,
    /// The stake's principal (FROST).
    pub weight: u64,
}

move_struct!(VoteCast, Walrus, "events", "VoteCast", struct [("proposal_id", "ID"), ("staked_wal_id", "ID"), ("voter", "address"), ("choice", "u8"), ("weight", "u64")]);

/// `walrus::events::ProposalFinalized`: Voting on a proposal was closed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProposalFinalized {
    /// The proposal.
    pub proposal_id: ObjectId,
    /// 1 passed, 2 rejected.
    pub status: u8,
    /// Weight voting yes.
    pub yes: u64,
    /// Weight voting no.
    pub no: u64,
    /// Weight abstaining.
    pub abstain: u64,
    /// Total active stake when finalized.
    pub total_stake: u64,
}

move_struct!(ProposalFinalized, Walrus, "events", "ProposalFinalized", struct [("proposal_id", "ID"), ("status", "u8"), ("yes", "u64"), ("no", "u64"), ("abstain", "u64"), ("total_stake", "u64")]);

/// `walrus::events::ProposalExecuted`: A passed proposal was executed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProposalExecuted {
    /// The proposal.
    pub proposal_id: ObjectId,
    /// Its sequence number.
    pub number: u64,
}

move_struct!(ProposalExecuted, Walrus, "events", "ProposalExecuted", struct [("proposal_id", "ID"), ("number", "u64")]);
