/// haulout's governance: WAL stakers vote on proposals with the WAL they have staked.
///
/// A proposal is either a signal (text only) or the change of one parameter. Votes are weighted
/// by the principal of the `StakedWal` used; votes are accepted while the current epoch is below
/// `voting_end_epoch`. A proposal passes when the votes reach the quorum of the total active
/// stake and the yes votes exceed the pass threshold of the yes and no votes. Each `StakedWal`
/// that voted carries vote marks (see `staked_wal`), so the same WAL cannot vote twice through a
/// split or joined object and cannot be withdrawn before the vote ends.
module walrus::governance;

use std::string::String;
use sui::table::{Self, Table};
use walrus::events;
use walrus::staked_wal::StakedWal;
use walrus::staking::Staking;

/// Default minimum stake to propose: 1,000 WAL in FROST.
const DEFAULT_MIN_STAKE_TO_PROPOSE: u64 = 1_000_000_000_000;
/// Default voting period, in epochs.
const DEFAULT_VOTING_PERIOD_EPOCHS: u32 = 2;
/// Default quorum: 20% of the total active stake.
const DEFAULT_QUORUM_BPS: u16 = 2000;
/// Default pass threshold: more than 50% of yes + no.
const DEFAULT_PASS_THRESHOLD_BPS: u16 = 5000;
/// 100% in basis points.
const N_BASIS_POINTS: u64 = 10_000;
/// Longest title, in bytes.
const MAX_TITLE_LENGTH: u64 = 200;
/// Longest description, in bytes.
const MAX_DESCRIPTION_LENGTH: u64 = 4_000;
/// Longest voting period, in epochs (as Walrus's max epochs ahead on mainnet).
const MAX_VOTING_PERIOD_EPOCHS: u64 = 53;
/// Shortest epoch duration a proposal may set, in ms.
const MIN_EPOCH_DURATION_MS: u64 = 1_000;

const CHOICE_YES: u8 = 0;
const CHOICE_NO: u8 = 1;
const CHOICE_ABSTAIN: u8 = 2;

const STATUS_PASSED: u8 = 1;
const STATUS_REJECTED: u8 = 2;

/// The stake is not in the `Staked` state or not active yet.
const EStakeNotActive: u64 = 0;
/// The stake is below `min_stake_to_propose`.
const EInsufficientStake: u64 = 1;
/// The title is longer than 200 bytes.
const ETitleTooLong: u64 = 2;
/// The description is longer than 4,000 bytes.
const EDescriptionTooLong: u64 = 3;
/// The parameter name is not one of the known names.
const EUnknownParameter: u64 = 4;
/// The parameter value is out of range.
const EInvalidParameterValue: u64 = 5;
/// Voting has ended or the proposal is not active.
const EVotingClosed: u64 = 6;
/// This stake (or the stake it was split from or joined with) already voted on the proposal.
const EAlreadyVoted: u64 = 7;
/// The choice is not 0, 1 or 2.
const EInvalidChoice: u64 = 8;
/// The stake became active after the proposal was created.
const EStakeTooNew: u64 = 9;
/// Voting has not ended yet.
const EVotingNotEnded: u64 = 10;
/// The proposal is not active (already finalized).
const ENotActive: u64 = 11;
/// The proposal has not passed or was already executed.
const ENotPassed: u64 = 12;

/// The governance parameters. Shared, created at publication.
public struct GovernanceConfig has key {
    id: UID,
    /// Number of the next proposal.
    next_number: u64,
    /// Minimum principal (FROST) of the `StakedWal` used to propose.
    min_stake_to_propose: u64,
    voting_period_epochs: u32,
    /// Share of the total active stake that must vote, in basis points.
    quorum_bps: u16,
    /// Share of yes among yes + no that must be exceeded, in basis points.
    pass_threshold_bps: u16,
}

/// What a proposal does if it passes.
public enum ProposalAction has copy, drop, store {
    /// Text only.
    Signal,
    /// Sets a named parameter.
    SetParameter { name: String, value: u64 },
}

/// The status of a proposal.
public enum ProposalStatus has copy, drop, store {
    Active,
    Passed,
    Rejected,
    Executed,
}

/// A proposal. Shared.
public struct Proposal has key {
    id: UID,
    number: u64,
    proposer: address,
    title: String,
    description: String,
    action: ProposalAction,
    created_epoch: u32,
    /// Votes are accepted while the current epoch is below this.
    voting_end_epoch: u32,
    yes: u64,
    no: u64,
    abstain: u64,
    status: ProposalStatus,
    /// `StakedWal` ID to choice.
    voters: Table<ID, u8>,
}

fun init(ctx: &mut TxContext) {
    transfer::share_object(GovernanceConfig {
        id: object::new(ctx),
        next_number: 0,
        min_stake_to_propose: DEFAULT_MIN_STAKE_TO_PROPOSE,
        voting_period_epochs: DEFAULT_VOTING_PERIOD_EPOCHS,
        quorum_bps: DEFAULT_QUORUM_BPS,
        pass_threshold_bps: DEFAULT_PASS_THRESHOLD_BPS,
    });
}

/// A signal action (text only).
public fun signal_action(): ProposalAction {
    ProposalAction::Signal
}

/// An action that sets parameter `name` to `value` (checked when the proposal is created).
public fun set_parameter_action(name: String, value: u64): ProposalAction {
    ProposalAction::SetParameter { name, value }
}

/// Creates and shares a proposal. `staked` must be staked, active and hold at least
/// `min_stake_to_propose`; the title must be at most 200 bytes and the description 4,000; a
/// parameter change must name a known parameter with a value in range. Emits
/// `ProposalCreated`.
public fun create_proposal(
    config: &mut GovernanceConfig,
    staking: &Staking,
    staked: &StakedWal,
    title: String,
    description: String,
    action: ProposalAction,
    ctx: &mut TxContext,
) {
    let current_epoch = staking.epoch();
    assert!(staked.is_staked() && staked.activation_epoch() <= current_epoch, EStakeNotActive);
    assert!(staked.value() >= config.min_stake_to_propose, EInsufficientStake);
    assert!(title.length() <= MAX_TITLE_LENGTH, ETitleTooLong);
    assert!(description.length() <= MAX_DESCRIPTION_LENGTH, EDescriptionTooLong);
    let (action_kind, param_name, param_value) = match (&action) {
        ProposalAction::Signal => (0, b"".to_string(), 0),
        ProposalAction::SetParameter { name, value } => {
            validate_parameter(name, *value);
            (1, *name, *value)
        },
    };

    let number = config.next_number;
    config.next_number = number + 1;
    let voting_end_epoch = current_epoch + config.voting_period_epochs;
    let proposal = Proposal {
        id: object::new(ctx),
        number,
        proposer: ctx.sender(),
        title,
        description,
        action,
        created_epoch: current_epoch,
        voting_end_epoch,
        yes: 0,
        no: 0,
        abstain: 0,
        status: ProposalStatus::Active,
        voters: table::new(ctx),
    };
    events::emit_proposal_created(
        object::id(&proposal),
        number,
        ctx.sender(),
        title,
        action_kind,
        param_name,
        param_value,
        current_epoch,
        voting_end_epoch,
    );
    transfer::share_object(proposal);
}

/// Votes on `proposal` with `staked` (weight = its principal). `choice`: 0 yes, 1 no,
/// 2 abstain. Voting must be open (`EVotingClosed`); the stake must be staked and active
/// since at most the proposal's creation epoch (`EStakeNotActive`, `EStakeTooNew`) and must not
/// have voted on it (`EAlreadyVoted`). Locks the stake until the vote ends. Emits `VoteCast`.
public fun vote(
    proposal: &mut Proposal,
    staking: &Staking,
    staked: &mut StakedWal,
    choice: u8,
    ctx: &mut TxContext,
) {
    let current_epoch = staking.epoch();
    assert!(proposal.status == ProposalStatus::Active, EVotingClosed);
    assert!(current_epoch < proposal.voting_end_epoch, EVotingClosed);
    assert!(choice <= CHOICE_ABSTAIN, EInvalidChoice);
    assert!(staked.is_staked(), EStakeNotActive);
    assert!(staked.activation_epoch() <= proposal.created_epoch, EStakeTooNew);
    let proposal_id = object::id(proposal);
    let staked_wal_id = object::id(staked);
    assert!(
        !proposal.voters.contains(staked_wal_id) && !staked.has_voted(proposal_id),
        EAlreadyVoted,
    );

    let weight = staked.value();
    if (choice == CHOICE_YES) {
        proposal.yes = proposal.yes + weight;
    } else if (choice == CHOICE_NO) {
        proposal.no = proposal.no + weight;
    } else {
        proposal.abstain = proposal.abstain + weight;
    };
    proposal.voters.add(staked_wal_id, choice);
    staked.record_vote(proposal_id, proposal.voting_end_epoch);
    events::emit_vote_cast(proposal_id, staked_wal_id, ctx.sender(), choice, weight);
}

/// Closes voting once the current epoch reaches `voting_end_epoch`. The proposal passes if
/// `(yes + no + abstain) · 10000 ≥ quorum_bps · total active stake` and
/// `yes · 10000 > pass_threshold_bps · (yes + no)`. Emits `ProposalFinalized`.
public fun finalize(proposal: &mut Proposal, config: &GovernanceConfig, staking: &Staking) {
    assert!(proposal.status == ProposalStatus::Active, ENotActive);
    assert!(staking.epoch() >= proposal.voting_end_epoch, EVotingNotEnded);
    let total_stake = staking.total_active_stake();
    let passed = is_passing(
        proposal.yes,
        proposal.no,
        proposal.abstain,
        total_stake,
        config.quorum_bps,
        config.pass_threshold_bps,
    );
    let status = if (passed) {
        proposal.status = ProposalStatus::Passed;
        STATUS_PASSED
    } else {
        proposal.status = ProposalStatus::Rejected;
        STATUS_REJECTED
    };
    events::emit_proposal_finalized(
        object::id(proposal),
        status,
        proposal.yes,
        proposal.no,
        proposal.abstain,
        total_stake,
    );
}

/// Applies the action of a passed proposal once and marks it executed. A new epoch duration
/// takes effect at the next epoch change. Emits `ProposalExecuted`.
public fun execute(proposal: &mut Proposal, config: &mut GovernanceConfig, staking: &mut Staking) {
    assert!(proposal.status == ProposalStatus::Passed, ENotPassed);
    proposal.status = ProposalStatus::Executed;
    match (&proposal.action) {
        ProposalAction::Signal => {},
        ProposalAction::SetParameter { name, value } => {
            let value = *value;
            let name = name.as_bytes();
            if (name == &b"governance.min_stake_to_propose") {
                config.min_stake_to_propose = value;
            } else if (name == &b"governance.voting_period_epochs") {
                config.voting_period_epochs = value as u32;
            } else if (name == &b"governance.quorum_bps") {
                config.quorum_bps = value as u16;
            } else if (name == &b"governance.pass_threshold_bps") {
                config.pass_threshold_bps = value as u16;
            } else {
                staking.set_next_epoch_duration(value);
            }
        },
    };
    events::emit_proposal_executed(object::id(proposal), proposal.number);
}

/// Whether the votes pass with the given total stake and thresholds.
public fun is_passing(
    yes: u64,
    no: u64,
    abstain: u64,
    total_stake: u64,
    quorum_bps: u16,
    pass_threshold_bps: u16,
): bool {
    let votes = (yes as u128) + (no as u128) + (abstain as u128);
    let quorum = votes * (N_BASIS_POINTS as u128) >= (quorum_bps as u128) * (total_stake as u128);
    let majority =
        (yes as u128) * (N_BASIS_POINTS as u128) >
        (pass_threshold_bps as u128) * ((yes as u128) + (no as u128));
    quorum && majority
}

/// Aborts with `EUnknownParameter` or `EInvalidParameterValue` unless `name` is a known
/// parameter and `value` is in its range.
fun validate_parameter(name: &String, value: u64) {
    let name = name.as_bytes();
    let valid = if (name == &b"governance.min_stake_to_propose") {
        true
    } else if (name == &b"governance.voting_period_epochs") {
        value >= 1 && value <= MAX_VOTING_PERIOD_EPOCHS
    } else if (name == &b"governance.quorum_bps") {
        value >= 1 && value <= N_BASIS_POINTS
    } else if (name == &b"governance.pass_threshold_bps") {
        value >= 5_000 && value <= N_BASIS_POINTS
    } else if (name == &b"staking.epoch_duration_ms") {
        value >= MIN_EPOCH_DURATION_MS
    } else {
        abort EUnknownParameter
    };
    assert!(valid, EInvalidParameterValue);
}

// === Accessors ===

/// The proposal's number.
public fun number(proposal: &Proposal): u64 { proposal.number }

/// The yes, no and abstain totals.
public fun tally(proposal: &Proposal): (u64, u64, u64) {
    (proposal.yes, proposal.no, proposal.abstain)
}

/// The status: 0 active, 1 passed, 2 rejected, 3 executed.
public fun status(proposal: &Proposal): u8 {
    match (proposal.status) {
        ProposalStatus::Active => 0,
        ProposalStatus::Passed => 1,
        ProposalStatus::Rejected => 2,
        ProposalStatus::Executed => 3,
    }
}

/// The epoch in which voting ends.
public fun voting_end_epoch(proposal: &Proposal): u32 { proposal.voting_end_epoch }

/// The epoch of creation.
public fun created_epoch(proposal: &Proposal): u32 { proposal.created_epoch }

/// The minimum stake to propose.
public fun min_stake_to_propose(config: &GovernanceConfig): u64 { config.min_stake_to_propose }

/// The voting period in epochs.
public fun voting_period_epochs(config: &GovernanceConfig): u32 { config.voting_period_epochs }

/// The quorum in basis points.
public fun quorum_bps(config: &GovernanceConfig): u16 { config.quorum_bps }

/// The pass threshold in basis points.
public fun pass_threshold_bps(config: &GovernanceConfig): u16 { config.pass_threshold_bps }

#[test_only]
/// Runs the module initializer in a test.
public fun init_for_testing(ctx: &mut TxContext) {
    init(ctx);
}
