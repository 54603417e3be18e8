//! The arithmetic of `walrus::governance` (haulout's stake-weighted governance): the tally, the
//! quorum and pass rule, and the parameter range checks. Mirrors the Move module exactly; aborts
//! are [`MoveError`]s with the `walrus::governance` codes.

use haulout_types::abort;

use super::staking_math::{MoveError, MoveResult, modules};

/// Default minimum stake to propose: 1,000 WAL in FROST.
pub const DEFAULT_MIN_STAKE_TO_PROPOSE: u64 = 1_000_000_000_000;
/// Default voting period, in epochs.
pub const DEFAULT_VOTING_PERIOD_EPOCHS: u32 = 2;
/// Default quorum: 20% of the total active stake.
pub const DEFAULT_QUORUM_BPS: u16 = 2000;
/// Default pass threshold: more than 50% of yes + no.
pub const DEFAULT_PASS_THRESHOLD_BPS: u16 = 5000;
/// 100% in basis points.
pub const N_BASIS_POINTS: u64 = 10_000;
/// Longest title, in bytes.
pub const MAX_TITLE_LENGTH: u64 = 200;
/// Longest description, in bytes.
pub const MAX_DESCRIPTION_LENGTH: u64 = 4_000;
/// Longest voting period, in epochs.
pub const MAX_VOTING_PERIOD_EPOCHS: u64 = 53;
/// Shortest epoch duration a proposal may set, in ms.
pub const MIN_EPOCH_DURATION_MS: u64 = 1_000;
/// Vote choice: yes.
pub const CHOICE_YES: u8 = 0;
/// Vote choice: no.
pub const CHOICE_NO: u8 = 1;
/// Vote choice: abstain.
pub const CHOICE_ABSTAIN: u8 = 2;

/// The parameter names a `SetParameter` proposal may change.
pub const PARAMETER_NAMES: [&str; 5] = [
    "governance.min_stake_to_propose",
    "governance.voting_period_epochs",
    "governance.quorum_bps",
    "governance.pass_threshold_bps",
    "staking.epoch_duration_ms",
];

fn gov_abort(code: u64) -> MoveError {
    MoveError::Abort {
        module: modules::GOVERNANCE,
        code,
    }
}

/// `governance::is_passing`: `(yes + no + abstain)·10000 ≥ quorum_bps · total_stake` and
/// `yes·10000 > pass_threshold_bps · (yes + no)`, in u128.
pub fn is_passing(
    yes: u64,
    no: u64,
    abstain: u64,
    total_stake: u64,
    quorum_bps: u16,
    pass_threshold_bps: u16,
) -> bool {
    let (yes, no, abstain) = (u128::from(yes), u128::from(no), u128::from(abstain));
    let bps = u128::from(N_BASIS_POINTS);
    let votes = yes + no + abstain;
    let quorum = votes * bps >= u128::from(quorum_bps) * u128::from(total_stake);
    let majority = yes * bps > u128::from(pass_threshold_bps) * (yes + no);
    quorum && majority
}

/// `governance::validate_parameter`: aborts with `EUnknownParameter` unless `name` is one of
/// [`PARAMETER_NAMES`], and with `EInvalidParameterValue` unless `value` is in its range
/// (voting period 1..=53, quorum 1..=10000 bps, pass threshold 5000..=10000 bps, epoch
/// duration ≥ 1000 ms, any minimum stake).
pub fn validate_parameter(name: &[u8], value: u64) -> MoveResult<()> {
    let valid = match name {
        b"governance.min_stake_to_propose" => true,
        b"governance.voting_period_epochs" => (1..=MAX_VOTING_PERIOD_EPOCHS).contains(&value),
        b"governance.quorum_bps" => (1..=N_BASIS_POINTS).contains(&value),
        b"governance.pass_threshold_bps" => (5_000..=N_BASIS_POINTS).contains(&value),
        b"staking.epoch_duration_ms" => value >= MIN_EPOCH_DURATION_MS,
        _ => return Err(gov_abort(abort::governance::EUnknownParameter)),
    };
    if valid {
        Ok(())
    } else {
        Err(gov_abort(abort::governance::EInvalidParameterValue))
    }
}

/// The tally of `governance::vote`: adds `weight` (the stake's principal) to the yes, no or
/// abstain total of `(yes, no, abstain)`. Aborts with `EInvalidChoice` for a choice above 2;
/// overflow is an arithmetic error.
pub fn tally_vote(tally: (u64, u64, u64), choice: u8, weight: u64) -> MoveResult<(u64, u64, u64)> {
    if choice > CHOICE_ABSTAIN {
        return Err(gov_abort(abort::governance::EInvalidChoice));
    }
    let (mut yes, mut no, mut abstain) = tally;
    let slot = match choice {
        CHOICE_YES => &mut yes,
        CHOICE_NO => &mut no,
        _ => &mut abstain,
    };
    *slot = slot.checked_add(weight).ok_or(MoveError::Arithmetic)?;
    Ok((yes, no, abstain))
}

/// The voting end epoch of a new proposal: `current_epoch + voting_period_epochs` (u32).
pub fn voting_end_epoch(current_epoch: u32, voting_period_epochs: u32) -> MoveResult<u32> {
    current_epoch
        .checked_add(voting_period_epochs)
        .ok_or(MoveError::Arithmetic)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn gov(code: u64) -> MoveResult<()> {
        Err(gov_abort(code))
    }

    #[test]
    fn is_passing_edges() {
        // Quorum exactly 20%.
        assert!(is_passing(20, 0, 0, 100, 2000, 5000));
        assert!(!is_passing(19, 0, 0, 100, 2000, 5000));
        // Yes must exceed the threshold strictly.
        assert!(!is_passing(5, 5, 90, 100, 2000, 5000));
        assert!(is_passing(6, 5, 90, 100, 2000, 5000));
        // 100% threshold never passes.
        assert!(!is_passing(100, 0, 0, 100, 2000, 10000));
        // No stake at all: quorum trivially reached, but no yes.
        assert!(!is_passing(0, 0, 0, 0, 2000, 5000));
        assert!(is_passing(u64::MAX, 0, u64::MAX, u64::MAX, 10_000, 9_999));
    }

    #[test]
    fn parameter_ranges() {
        assert_eq!(
            validate_parameter(b"governance.min_stake_to_propose", 0),
            Ok(())
        );
        assert_eq!(
            validate_parameter(b"governance.voting_period_epochs", 53),
            Ok(())
        );
        assert_eq!(
            validate_parameter(b"governance.voting_period_epochs", 54),
            gov(abort::governance::EInvalidParameterValue)
        );
        assert_eq!(
            validate_parameter(b"governance.voting_period_epochs", 0),
            gov(abort::governance::EInvalidParameterValue)
        );
        assert_eq!(validate_parameter(b"governance.quorum_bps", 1), Ok(()));
        assert_eq!(
            validate_parameter(b"governance.quorum_bps", 10_001),
            gov(abort::governance::EInvalidParameterValue)
        );
        assert_eq!(
            validate_parameter(b"governance.pass_threshold_bps", 4_999),
            gov(abort::governance::EInvalidParameterValue)
        );
        assert_eq!(
            validate_parameter(b"governance.pass_threshold_bps", 5_000),
            Ok(())
        );
        assert_eq!(
            validate_parameter(b"staking.epoch_duration_ms", 1_000),
            Ok(())
        );
        assert_eq!(
            validate_parameter(b"staking.epoch_duration_ms", 999),
            gov(abort::governance::EInvalidParameterValue)
        );
        assert_eq!(
            validate_parameter(b"staking.n_shards", 1),
            gov(abort::governance::EUnknownParameter)
        );
        for name in PARAMETER_NAMES {
            assert_ne!(
                validate_parameter(name.as_bytes(), 5_000),
                gov(abort::governance::EUnknownParameter)
            );
        }
    }

    #[test]
    fn tally() {
        assert_eq!(tally_vote((0, 0, 0), CHOICE_YES, 5), Ok((5, 0, 0)));
        assert_eq!(tally_vote((5, 0, 0), CHOICE_NO, 3), Ok((5, 3, 0)));
        assert_eq!(tally_vote((5, 3, 0), CHOICE_ABSTAIN, 2), Ok((5, 3, 2)));
        assert_eq!(
            tally_vote((0, 0, 0), 3, 1),
            Err(gov_abort(abort::governance::EInvalidChoice))
        );
        assert_eq!(
            tally_vote((u64::MAX, 0, 0), CHOICE_YES, 1),
            Err(MoveError::Arithmetic)
        );
        assert_eq!(voting_end_epoch(3, 2), Ok(5));
        assert_eq!(voting_end_epoch(u32::MAX, 1), Err(MoveError::Arithmetic));
    }
}
