/// A `StakedWal` is WAL staked with a storage node's pool. It can be split and joined, and is
/// turned back into WAL by `staking::withdraw_stake`.
///
/// haulout governance: a `StakedWal` used to vote carries vote marks (a dynamic field with the
/// proposals it voted on and the epoch until which it is locked). `split` copies the marks to the
/// new object and `join` merges them, so the same WAL never votes twice on a proposal, and the
/// stake cannot be withdrawn while locked.
module walrus::staked_wal;

use sui::balance::Balance;
use sui::dynamic_field as df;
use sui::vec_set::{Self, VecSet};
use wal::wal::WAL;
use walrus::walrus_context::WalrusContext;

/// The staked WAL is not withdrawing.
const ENotWithdrawing: u64 = 0;
/// The two staked WALs differ in node, state or epochs.
const EMetadataMismatch: u64 = 1;
/// The split amount is zero or not smaller than the principal.
const EInvalidAmount: u64 = 2;
/// The principal is not zero.
const ENonZeroPrincipal: u64 = 3;
/// The staked WAL is already withdrawing.
const EAlreadyWithdrawing: u64 = 6;
/// haulout: the staked WAL voted on a proposal whose voting has not ended yet.
const EVoteLocked: u64 = 7;

/// Staked, or withdrawing from `withdraw_epoch` on.
public enum StakedWalState has copy, drop, store {
    Staked,
    Withdrawing { withdraw_epoch: u32 },
}

/// WAL staked with the pool of `node_id`, active from `activation_epoch`.
public struct StakedWal has key, store {
    id: UID,
    state: StakedWalState,
    node_id: ID,
    principal: Balance<WAL>,
    activation_epoch: u32,
}

/// Key of the vote-marks dynamic field.
public struct VoteMarksKey() has copy, drop, store;

/// The proposals this stake voted on and the epoch until which it cannot be withdrawn.
public struct VoteMarks has copy, drop, store {
    proposals: VecSet<ID>,
    locked_until_epoch: u32,
}

/// Creates a staked WAL.
public(package) fun mint(
    node_id: ID,
    principal: Balance<WAL>,
    activation_epoch: u32,
    ctx: &mut TxContext,
): StakedWal {
    StakedWal {
        id: object::new(ctx),
        state: StakedWalState::Staked,
        node_id,
        principal,
        activation_epoch,
    }
}

/// Destroys the staked WAL and returns its principal.
public(package) fun into_balance(sw: StakedWal): Balance<WAL> {
    let StakedWal { mut id, principal, .. } = sw;
    df::remove_if_exists<VoteMarksKey, VoteMarks>(&mut id, VoteMarksKey());
    id.delete();
    principal
}

/// Marks the stake as withdrawing from `withdraw_epoch`. Aborts with `EAlreadyWithdrawing`.
public(package) fun set_withdrawing(sw: &mut StakedWal, withdraw_epoch: u32) {
    assert!(sw.is_staked(), EAlreadyWithdrawing);
    sw.state = StakedWalState::Withdrawing { withdraw_epoch };
}

/// Whether the stake can be withdrawn at once (it is not active yet and not counted in a
/// selected committee): activation in E+2, or in E+1 when the next committee is not selected
/// or does not include the node.
public(package) fun can_withdraw_early(
    sw: &StakedWal,
    is_in_next_committee: bool,
    wctx: &WalrusContext,
): bool {
    let current_epoch = wctx.epoch();
    if (sw.activation_epoch <= current_epoch || sw.is_withdrawing()) return false;
    sw.activation_epoch == current_epoch + 2 ||
    (sw.activation_epoch == current_epoch + 1 &&
        (!wctx.committee_selected() || !is_in_next_committee))
}

// === Accessors ===

/// The node whose pool holds the stake.
public fun node_id(sw: &StakedWal): ID { sw.node_id }

/// The principal in FROST.
public fun value(sw: &StakedWal): u64 { sw.principal.value() }

/// The epoch from which the stake is active.
public fun activation_epoch(sw: &StakedWal): u32 { sw.activation_epoch }

/// Whether the stake is in the `Staked` state.
public fun is_staked(sw: &StakedWal): bool { sw.state == StakedWalState::Staked }

/// Whether the stake is withdrawing.
public fun is_withdrawing(sw: &StakedWal): bool {
    match (sw.state) {
        StakedWalState::Withdrawing { .. } => true,
        _ => false,
    }
}

/// The withdraw epoch. Aborts with `ENotWithdrawing` if the stake is not withdrawing.
public fun withdraw_epoch(sw: &StakedWal): u32 {
    match (sw.state) {
        StakedWalState::Withdrawing { withdraw_epoch } => withdraw_epoch,
        _ => abort ENotWithdrawing,
    }
}

// === Split and join ===

/// Merges `other` into `sw`. Both must be for the same node and either both staked with the
/// same activation epoch or both withdrawing in the same epoch (`EMetadataMismatch`). Vote
/// marks are merged.
public fun join(sw: &mut StakedWal, other: StakedWal) {
    assert!(sw.node_id == other.node_id, EMetadataMismatch);
    if (sw.is_staked()) {
        assert!(other.is_staked(), EMetadataMismatch);
        assert!(sw.activation_epoch == other.activation_epoch, EMetadataMismatch);
    } else {
        assert!(other.is_withdrawing(), EMetadataMismatch);
        assert!(sw.withdraw_epoch() == other.withdraw_epoch(), EMetadataMismatch);
    };
    let StakedWal { mut id, principal, .. } = other;
    let other_marks = df::remove_if_exists<VoteMarksKey, VoteMarks>(&mut id, VoteMarksKey());
    id.delete();
    sw.principal.join(principal);
    if (other_marks.is_some()) {
        let VoteMarks { proposals, locked_until_epoch } = other_marks.destroy_some();
        let marks = sw.marks_mut();
        let ids = proposals.into_keys();
        let mut i = 0;
        while (i < ids.length()) {
            if (!marks.proposals.contains(&ids[i])) marks.proposals.insert(ids[i]);
            i = i + 1;
        };
        if (locked_until_epoch > marks.locked_until_epoch) {
            marks.locked_until_epoch = locked_until_epoch;
        };
    };
}

/// Splits `amount` off into a new staked WAL with the same node, state, activation epoch and
/// vote marks. Aborts with `EInvalidAmount` unless `0 < amount < principal`.
public fun split(sw: &mut StakedWal, amount: u64, ctx: &mut TxContext): StakedWal {
    assert!(sw.principal.value() > amount, EInvalidAmount);
    assert!(amount > 0, EInvalidAmount);
    let mut split_off = StakedWal {
        id: object::new(ctx),
        state: sw.state,
        node_id: sw.node_id,
        principal: sw.principal.split(amount),
        activation_epoch: sw.activation_epoch,
    };
    if (df::exists_(&sw.id, VoteMarksKey())) {
        let marks: VoteMarks = *df::borrow(&sw.id, VoteMarksKey());
        df::add(&mut split_off.id, VoteMarksKey(), marks);
    };
    split_off
}

/// Destroys a staked WAL with a zero principal. Aborts with `ENonZeroPrincipal` otherwise.
public fun destroy_zero(sw: StakedWal) {
    assert!(sw.principal.value() == 0, ENonZeroPrincipal);
    let StakedWal { mut id, principal, .. } = sw;
    df::remove_if_exists<VoteMarksKey, VoteMarks>(&mut id, VoteMarksKey());
    principal.destroy_zero();
    id.delete();
}

// === Vote marks (haulout governance) ===

/// Whether this stake voted on `proposal_id`.
public fun has_voted(sw: &StakedWal, proposal_id: ID): bool {
    if (!df::exists_(&sw.id, VoteMarksKey())) return false;
    let marks: &VoteMarks = df::borrow(&sw.id, VoteMarksKey());
    marks.proposals.contains(&proposal_id)
}

/// The epoch until which this stake cannot be withdrawn because of votes (0 if it never voted).
public fun vote_locked_until(sw: &StakedWal): u32 {
    if (!df::exists_(&sw.id, VoteMarksKey())) return 0;
    let marks: &VoteMarks = df::borrow(&sw.id, VoteMarksKey());
    marks.locked_until_epoch
}

/// Records a vote on `proposal_id` and locks the stake until `locked_until_epoch` (or later).
public(package) fun record_vote(sw: &mut StakedWal, proposal_id: ID, locked_until_epoch: u32) {
    let marks = sw.marks_mut();
    marks.proposals.insert(proposal_id);
    if (locked_until_epoch > marks.locked_until_epoch) {
        marks.locked_until_epoch = locked_until_epoch;
    };
}

/// Aborts with `EVoteLocked` while `current_epoch` is before the lock epoch.
public(package) fun assert_not_vote_locked(sw: &StakedWal, current_epoch: u32) {
    assert!(current_epoch >= sw.vote_locked_until(), EVoteLocked);
}

fun marks_mut(sw: &mut StakedWal): &mut VoteMarks {
    if (!df::exists_(&sw.id, VoteMarksKey())) {
        df::add(
            &mut sw.id,
            VoteMarksKey(),
            VoteMarks { proposals: vec_set::empty(), locked_until_epoch: 0 },
        );
    };
    df::borrow_mut(&mut sw.id, VoteMarksKey())
}

#[test_only]
/// Creates a staked WAL in a test.
public fun mint_for_testing(
    node_id: ID,
    principal: Balance<WAL>,
    activation_epoch: u32,
    ctx: &mut TxContext,
): StakedWal {
    mint(node_id, principal, activation_epoch, ctx)
}

#[test_only]
/// Destroys a staked WAL in a test.
public fun destroy_for_testing(sw: StakedWal) {
    let principal = sw.into_balance();
    principal.destroy_for_testing();
}
