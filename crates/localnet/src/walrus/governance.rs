//! `walrus::governance`: proposals, votes with staked WAL, finalization and execution, each
//! mirroring `move/walrus/sources/governance.move` (same checks in the same order, same abort
//! codes, events and object and dynamic-field changes). The arithmetic is in
//! [`super::governance_math`].

use haulout_types::ActiveSet;
use haulout_types::ExtendedFieldKey;
use haulout_types::GovernanceConfig;
use haulout_types::ObjectId;
use haulout_types::Packages;
use haulout_types::Proposal;
use haulout_types::ProposalAction;
use haulout_types::ProposalCreated;
use haulout_types::ProposalExecuted;
use haulout_types::ProposalFinalized;
use haulout_types::ProposalStatus;
use haulout_types::StakedWal;
use haulout_types::StakedWalState;
use haulout_types::StakingInnerV1;
use haulout_types::Table;
use haulout_types::VecSet;
use haulout_types::VoteCast;
use haulout_types::VoteMarks;
use haulout_types::VoteMarksKey;
use haulout_types::abort::governance as codes;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::Owner;
use sui_sdk_types::TypeTag;

use super::governance_math as math;
use super::natives::*;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::value::Value;

type R<T> = Result<T, ExecutionError>;

/// `ProposalFinalized.status` of a passed proposal.
const STATUS_PASSED: u8 = 1;
/// `ProposalFinalized.status` of a rejected proposal.
const STATUS_REJECTED: u8 = 2;
use super::staking::NEXT_EPOCH_DURATION_KEY;

fn p() -> Packages {
    super::packages()
}

fn gov_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "governance", code)
}

/// `Staking::epoch` (through `inner`, so `EWrongVersion` first).
fn staking_epoch(ctx: &mut NativeContext<'_>, staking: &Value) -> R<u32> {
    Ok(super::staking::load(ctx, staking)?.1.epoch)
}

fn create_proposal(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut config: GovernanceConfig = decode(a, 0)?;
    let current_epoch = staking_epoch(ctx, arg(a, 1)?)?;
    let staked: StakedWal = decode(a, 2)?;
    let title: String = decode(a, 3)?;
    let description: String = decode(a, 4)?;
    let action: ProposalAction = decode(a, 5)?;
    if staked.state != StakedWalState::Staked || staked.activation_epoch > current_epoch {
        return Err(gov_abort(ctx, codes::EStakeNotActive));
    }
    if staked.principal.value < config.min_stake_to_propose {
        return Err(gov_abort(ctx, codes::EInsufficientStake));
    }
    if title.len() as u64 > math::MAX_TITLE_LENGTH {
        return Err(gov_abort(ctx, codes::ETitleTooLong));
    }
    if description.len() as u64 > math::MAX_DESCRIPTION_LENGTH {
        return Err(gov_abort(ctx, codes::EDescriptionTooLong));
    }
    let (action_kind, param_name, param_value) = match &action {
        ProposalAction::Signal => (0, String::new(), 0),
        ProposalAction::SetParameter { name, value } => {
            math::validate_parameter(name.as_bytes(), *value)
                .map_err(|_| gov_abort(ctx, validation_code(name.as_bytes())))?;
            (1, name.clone(), *value)
        }
    };
    let number = config.next_number;
    config.next_number = number.checked_add(1).ok_or_else(arithmetic)?;
    let voting_end_epoch = math::voting_end_epoch(current_epoch, config.voting_period_epochs)
        .map_err(|_| arithmetic())?;
    let sender = ctx.sender();
    let id: ObjectId = ctx.fresh_id().into();
    let voters = Table::new(ctx.fresh_id().into(), 0);
    let proposal = Proposal {
        id,
        number,
        proposer: sender,
        title: title.clone(),
        description,
        action,
        created_epoch: current_epoch,
        voting_end_epoch,
        yes: 0,
        no: 0,
        abstain: 0,
        status: ProposalStatus::Active,
        voters,
    };
    emit(
        ctx,
        &p(),
        &ProposalCreated {
            proposal_id: id,
            number,
            proposer: sender,
            title,
            action_kind,
            param_name,
            param_value,
            created_epoch: current_epoch,
            voting_end_epoch,
        },
    )?;
    let version = ctx.lamport_version();
    ctx.transfer(value_of(&p(), &proposal)?, Owner::Shared(version))?;
    write_back(a, 0, &config)?;
    Ok(vec![])
}

/// The abort code `validate_parameter` fails with for `name` (unknown name or bad value).
fn validation_code(name: &[u8]) -> u64 {
    if math::PARAMETER_NAMES.iter().any(|n| n.as_bytes() == name) {
        codes::EInvalidParameterValue
    } else {
        codes::EUnknownParameter
    }
}

fn vote(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut proposal: Proposal = decode(a, 0)?;
    let current_epoch = staking_epoch(ctx, arg(a, 1)?)?;
    let staked: StakedWal = decode(a, 2)?;
    let choice: u8 = decode(a, 3)?;
    if proposal.status != ProposalStatus::Active || current_epoch >= proposal.voting_end_epoch {
        return Err(gov_abort(ctx, codes::EVotingClosed));
    }
    if choice > math::CHOICE_ABSTAIN {
        return Err(gov_abort(ctx, codes::EInvalidChoice));
    }
    if staked.state != StakedWalState::Staked {
        return Err(gov_abort(ctx, codes::EStakeNotActive));
    }
    if staked.activation_epoch > proposal.created_epoch {
        return Err(gov_abort(ctx, codes::EStakeTooNew));
    }
    let proposal_id = proposal.id;
    let staked_wal_id = staked.id;
    let in_table =
        get_field::<ObjectId, u8>(ctx, &p(), proposal.voters.id.into(), &staked_wal_id)?.is_some();
    let marks: Option<VoteMarks> =
        get_field(ctx, &p(), staked.id.into(), &VoteMarksKey::default())?;
    let marked = marks
        .as_ref()
        .is_some_and(|m| m.proposals.contents.contains(&proposal_id));
    if in_table || marked {
        return Err(gov_abort(ctx, codes::EAlreadyVoted));
    }
    let weight = staked.principal.value;
    let (yes, no, abstain) = math::tally_vote(
        (proposal.yes, proposal.no, proposal.abstain),
        choice,
        weight,
    )
    .map_err(|_| arithmetic())?;
    (proposal.yes, proposal.no, proposal.abstain) = (yes, no, abstain);
    // table::add
    set_field(
        ctx,
        &p(),
        proposal.voters.id.into(),
        &staked_wal_id,
        &choice,
    )?;
    proposal.voters.size = proposal.voters.size.checked_add(1).ok_or_else(arithmetic)?;
    // staked_wal::record_vote
    let mut marks = marks.unwrap_or(VoteMarks {
        proposals: VecSet::default(),
        locked_until_epoch: 0,
    });
    marks.proposals.contents.push(proposal_id);
    if proposal.voting_end_epoch > marks.locked_until_epoch {
        marks.locked_until_epoch = proposal.voting_end_epoch;
    }
    set_field(
        ctx,
        &p(),
        staked.id.into(),
        &VoteMarksKey::default(),
        &marks,
    )?;
    emit(
        ctx,
        &p(),
        &VoteCast {
            proposal_id,
            staked_wal_id,
            voter: ctx.sender(),
            choice,
            weight,
        },
    )?;
    write_back(a, 0, &proposal)?;
    Ok(vec![])
}

/// `staking::total_active_stake`: the total of the active set.
fn total_active_stake(ctx: &mut NativeContext<'_>, inner: &StakingInnerV1) -> R<u64> {
    let set: ActiveSet = get_field(
        ctx,
        &p(),
        inner.active_set.id.into(),
        &ExtendedFieldKey::default(),
    )?
    .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    Ok(set.total_stake)
}

fn finalize(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut proposal: Proposal = decode(a, 0)?;
    let config: GovernanceConfig = decode(a, 1)?;
    if proposal.status != ProposalStatus::Active {
        return Err(gov_abort(ctx, codes::ENotActive));
    }
    let (_, inner) = super::staking::load(ctx, arg(a, 2)?)?;
    if inner.epoch < proposal.voting_end_epoch {
        return Err(gov_abort(ctx, codes::EVotingNotEnded));
    }
    let total_stake = total_active_stake(ctx, &inner)?;
    let passed = math::is_passing(
        proposal.yes,
        proposal.no,
        proposal.abstain,
        total_stake,
        config.quorum_bps,
        config.pass_threshold_bps,
    );
    let status = if passed {
        proposal.status = ProposalStatus::Passed;
        STATUS_PASSED
    } else {
        proposal.status = ProposalStatus::Rejected;
        STATUS_REJECTED
    };
    emit(
        ctx,
        &p(),
        &ProposalFinalized {
            proposal_id: proposal.id,
            status,
            yes: proposal.yes,
            no: proposal.no,
            abstain: proposal.abstain,
            total_stake,
        },
    )?;
    write_back(a, 0, &proposal)?;
    Ok(vec![])
}

fn execute(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut proposal: Proposal = decode(a, 0)?;
    let mut config: GovernanceConfig = decode(a, 1)?;
    if proposal.status != ProposalStatus::Passed {
        return Err(gov_abort(ctx, codes::ENotPassed));
    }
    proposal.status = ProposalStatus::Executed;
    if let ProposalAction::SetParameter { name, value } = &proposal.action {
        let value = *value;
        let narrow = |_| arithmetic();
        match name.as_bytes() {
            b"governance.min_stake_to_propose" => config.min_stake_to_propose = value,
            b"governance.voting_period_epochs" => {
                config.voting_period_epochs = u32::try_from(value).map_err(narrow)?;
            }
            b"governance.quorum_bps" => {
                config.quorum_bps = u16::try_from(value).map_err(narrow)?;
            }
            b"governance.pass_threshold_bps" => {
                config.pass_threshold_bps = u16::try_from(value).map_err(narrow)?;
            }
            _ => {
                // staking::set_next_epoch_duration
                let staking: haulout_types::Staking = decode(a, 2)?;
                set_field(
                    ctx,
                    &p(),
                    staking.id.into(),
                    &NEXT_EPOCH_DURATION_KEY.to_vec(),
                    &value,
                )?;
            }
        }
    }
    emit(
        ctx,
        &p(),
        &ProposalExecuted {
            proposal_id: proposal.id,
            number: proposal.number,
        },
    )?;
    write_back(a, 0, &proposal)?;
    write_back(a, 1, &config)?;
    Ok(vec![])
}

fn config_t() -> SigType {
    walrus_t("governance", "GovernanceConfig")
}

fn proposal_t() -> SigType {
    walrus_t("governance", "Proposal")
}

fn action_t() -> SigType {
    walrus_t("governance", "ProposalAction")
}

fn staking_t() -> SigType {
    walrus_t("staking", "Staking")
}

fn staked_wal_t() -> SigType {
    walrus_t("staked_wal", "StakedWal")
}

/// Registers the `walrus::governance` functions.
pub(crate) fn register(r: &mut NativeRegistry) {
    add_walrus(
        r,
        "governance",
        "signal_action",
        vec![],
        vec![action_t()],
        |_, _, _| Ok(vec![value_of(&p(), &ProposalAction::Signal)?]),
    );
    add_walrus(
        r,
        "governance",
        "set_parameter_action",
        vec![Param::Val(string_t()), Param::Val(SigType::U64)],
        vec![action_t()],
        |_, _, a| {
            let action = ProposalAction::SetParameter {
                name: decode(a, 0)?,
                value: decode(a, 1)?,
            };
            Ok(vec![value_of(&p(), &action)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "create_proposal",
        vec![
            Param::MutRef(config_t()),
            Param::Ref(staking_t()),
            Param::Ref(staked_wal_t()),
            Param::Val(string_t()),
            Param::Val(string_t()),
            Param::Val(action_t()),
            ctx_p(),
        ],
        vec![],
        create_proposal,
    );
    add_walrus(
        r,
        "governance",
        "vote",
        vec![
            Param::MutRef(proposal_t()),
            Param::Ref(staking_t()),
            Param::MutRef(staked_wal_t()),
            Param::Val(SigType::U8),
            ctx_p(),
        ],
        vec![],
        vote,
    );
    add_walrus(
        r,
        "governance",
        "finalize",
        vec![
            Param::MutRef(proposal_t()),
            Param::Ref(config_t()),
            Param::Ref(staking_t()),
        ],
        vec![],
        finalize,
    );
    add_walrus(
        r,
        "governance",
        "execute",
        vec![
            Param::MutRef(proposal_t()),
            Param::MutRef(config_t()),
            Param::MutRef(staking_t()),
        ],
        vec![],
        execute,
    );
    add_walrus(
        r,
        "governance",
        "is_passing",
        vec![
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            Param::Val(SigType::U16),
            Param::Val(SigType::U16),
        ],
        vec![SigType::Bool],
        |_, _, a| {
            let passing = math::is_passing(
                decode(a, 0)?,
                decode(a, 1)?,
                decode(a, 2)?,
                decode(a, 3)?,
                decode(a, 4)?,
                decode(a, 5)?,
            );
            Ok(vec![prim(TypeTag::Bool, &passing)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "number",
        vec![Param::Ref(proposal_t())],
        vec![SigType::U64],
        |_, _, a| Ok(vec![Value::u64(decode::<Proposal>(a, 0)?.number)]),
    );
    add_walrus(
        r,
        "governance",
        "tally",
        vec![Param::Ref(proposal_t())],
        vec![SigType::U64, SigType::U64, SigType::U64],
        |_, _, a| {
            let pr: Proposal = decode(a, 0)?;
            Ok(vec![
                Value::u64(pr.yes),
                Value::u64(pr.no),
                Value::u64(pr.abstain),
            ])
        },
    );
    add_walrus(
        r,
        "governance",
        "status",
        vec![Param::Ref(proposal_t())],
        vec![SigType::U8],
        |_, _, a| {
            let status: u8 = match decode::<Proposal>(a, 0)?.status {
                ProposalStatus::Active => 0,
                ProposalStatus::Passed => 1,
                ProposalStatus::Rejected => 2,
                ProposalStatus::Executed => 3,
            };
            Ok(vec![prim(TypeTag::U8, &status)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "voting_end_epoch",
        vec![Param::Ref(proposal_t())],
        vec![SigType::U32],
        |_, _, a| {
            let epoch = decode::<Proposal>(a, 0)?.voting_end_epoch;
            Ok(vec![prim(TypeTag::U32, &epoch)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "created_epoch",
        vec![Param::Ref(proposal_t())],
        vec![SigType::U32],
        |_, _, a| {
            let epoch = decode::<Proposal>(a, 0)?.created_epoch;
            Ok(vec![prim(TypeTag::U32, &epoch)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "min_stake_to_propose",
        vec![Param::Ref(config_t())],
        vec![SigType::U64],
        |_, _, a| {
            let c: GovernanceConfig = decode(a, 0)?;
            Ok(vec![Value::u64(c.min_stake_to_propose)])
        },
    );
    add_walrus(
        r,
        "governance",
        "voting_period_epochs",
        vec![Param::Ref(config_t())],
        vec![SigType::U32],
        |_, _, a| {
            let c: GovernanceConfig = decode(a, 0)?;
            Ok(vec![prim(TypeTag::U32, &c.voting_period_epochs)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "quorum_bps",
        vec![Param::Ref(config_t())],
        vec![SigType::U16],
        |_, _, a| {
            let c: GovernanceConfig = decode(a, 0)?;
            Ok(vec![prim(TypeTag::U16, &c.quorum_bps)?])
        },
    );
    add_walrus(
        r,
        "governance",
        "pass_threshold_bps",
        vec![Param::Ref(config_t())],
        vec![SigType::U16],
        |_, _, a| {
            let c: GovernanceConfig = decode(a, 0)?;
            Ok(vec![prim(TypeTag::U16, &c.pass_threshold_bps)?])
        },
    );
}
