#[test_only]
module walrus::governance_tests;

use walrus::governance::{Self, Proposal};
use walrus::staked_wal::{Self, StakedWal};
use walrus::test_network::{Self, TestNetwork};
use walrus::test_utils as tu;

/// 1,000 WAL: each node's stake in the test network, and the default minimum to propose.
const STAKE: u64 = 1_000_000_000_000;

const YES: u8 = 0;
const NO: u8 = 1;
const ABSTAIN: u8 = 2;

/// A network in epoch 1 with 4,000 WAL staked (1,000 per node) and a signal proposal created
/// with stake 0 (voting ends in epoch 3).
fun setup(): (TestNetwork, vector<StakedWal>, Proposal) {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.create_proposal(&stakes[0], b"signal", governance::signal_action());
    let proposal = net.take_proposal();
    (net, stakes, proposal)
}

fun teardown(net: TestNetwork, stakes: vector<StakedWal>, proposal: Proposal) {
    test_network::return_proposal(proposal);
    tu::destroy(stakes);
    net.destroy();
}

/// Moves two epochs on, to the end of the voting period.
fun end_voting(net: &mut TestNetwork) {
    net.next_epoch();
    net.next_epoch();
}

#[test]
fun proposal_passes_and_executes() {
    let (mut net, mut stakes, mut proposal) = setup();
    assert!(proposal.number() == 0);
    assert!(proposal.created_epoch() == 1 && proposal.voting_end_epoch() == 3);
    net.vote(&mut proposal, &mut stakes[0], YES);
    net.vote(&mut proposal, &mut stakes[1], NO);
    net.vote(&mut proposal, &mut stakes[2], YES);
    net.vote(&mut proposal, &mut stakes[3], ABSTAIN);
    let (yes, no, abstain) = proposal.tally();
    assert!(yes == 2 * STAKE && no == STAKE && abstain == STAKE);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 1);
    net.execute(&mut proposal);
    assert!(proposal.status() == 3);
    teardown(net, stakes, proposal);
}

#[test]
fun quorum_reached_exactly() {
    // 800 of 4,000 WAL is exactly the 20% quorum.
    let (mut net, mut stakes, mut proposal) = setup();
    let mut part = net.split(&mut stakes[1], 800_000_000_000);
    net.vote(&mut proposal, &mut part, YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 1);
    tu::destroy(part);
    teardown(net, stakes, proposal);
}

#[test]
fun quorum_missed_by_one_frost() {
    let (mut net, mut stakes, mut proposal) = setup();
    let mut part = net.split(&mut stakes[1], 800_000_000_000 - 1);
    net.vote(&mut proposal, &mut part, YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 2);
    tu::destroy(part);
    teardown(net, stakes, proposal);
}

#[test]
fun tie_is_rejected() {
    // yes = no is 50%, which does not exceed the 50% threshold.
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    net.vote(&mut proposal, &mut stakes[1], NO);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 2);
    teardown(net, stakes, proposal);
}

#[test]
fun yes_just_above_no_passes() {
    let (mut net, mut stakes, mut proposal) = setup();
    let mut one = net.split(&mut stakes[1], 1);
    net.vote(&mut proposal, &mut stakes[0], YES);
    net.vote(&mut proposal, &mut stakes[1], NO);
    net.vote(&mut proposal, &mut one, YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 1);
    tu::destroy(one);
    teardown(net, stakes, proposal);
}

#[test]
fun is_passing_edges() {
    // Quorum: votes · 10000 >= quorum_bps · total.
    assert!(governance::is_passing(20, 0, 0, 100, 2000, 5000));
    assert!(!governance::is_passing(19, 0, 0, 100, 2000, 5000));
    // Abstentions count for the quorum but not for the majority.
    assert!(!governance::is_passing(5, 5, 90, 100, 2000, 5000));
    assert!(governance::is_passing(6, 5, 90, 100, 2000, 5000));
    // A 100% threshold can never be exceeded.
    assert!(!governance::is_passing(100, 0, 0, 100, 2000, 10000));
}

#[test, expected_failure(abort_code = governance::EAlreadyVoted)]
fun voting_twice_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    net.vote(&mut proposal, &mut stakes[0], NO);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EAlreadyVoted)]
fun voting_twice_through_a_split_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    let mut part = net.split(&mut stakes[0], STAKE / 2);
    assert!(part.has_voted(object::id(&proposal)));
    net.vote(&mut proposal, &mut part, YES);
    tu::destroy(part);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EAlreadyVoted)]
fun voting_twice_through_a_join_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    // Stakes 0 and 1 are for different nodes; split both to get two pieces of node 0.
    let mut part = net.split(&mut stakes[0], STAKE / 2);
    net.vote(&mut proposal, &mut part, YES);
    let voted = part;
    stakes[0].join(voted);
    net.vote(&mut proposal, &mut stakes[0], YES);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = staked_wal::EVoteLocked)]
fun withdrawing_vote_locked_stake_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    let mut sw = stakes.remove(0);
    net.request_withdraw(&mut sw);
    tu::destroy(sw);
    teardown(net, stakes, proposal);
}

#[test]
fun stake_unlocks_when_voting_ends() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    assert!(stakes[0].vote_locked_until() == 3);
    end_voting(&mut net);
    let mut sw = stakes.remove(0);
    net.request_withdraw(&mut sw);
    assert!(sw.is_withdrawing());
    tu::destroy(sw);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EInsufficientStake)]
fun proposing_below_minimum_stake_fails() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    let part = net.split(&mut stakes[0], STAKE - 1);
    net.create_proposal(&part, b"signal", governance::signal_action());
    tu::destroy(part);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EStakeNotActive)]
fun proposing_with_inactive_stake_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let fresh = net.stake(0, STAKE);
    net.create_proposal(&fresh, b"signal", governance::signal_action());
    tu::destroy(fresh);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EStakeTooNew)]
fun voting_with_stake_newer_than_proposal_fails() {
    let (mut net, stakes, mut proposal) = setup();
    let mut fresh = net.stake(0, STAKE);
    net.next_epoch();
    net.vote(&mut proposal, &mut fresh, YES);
    tu::destroy(fresh);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EVotingClosed)]
fun voting_after_the_end_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    end_voting(&mut net);
    net.vote(&mut proposal, &mut stakes[0], YES);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EInvalidChoice)]
fun invalid_choice_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], 3);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EVotingNotEnded)]
fun finalizing_early_fails() {
    let (mut net, stakes, mut proposal) = setup();
    net.next_epoch();
    net.finalize(&mut proposal);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::ENotActive)]
fun finalizing_twice_fails() {
    let (mut net, stakes, mut proposal) = setup();
    end_voting(&mut net);
    net.finalize(&mut proposal);
    net.finalize(&mut proposal);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::ENotPassed)]
fun executing_rejected_proposal_fails() {
    let (mut net, stakes, mut proposal) = setup();
    end_voting(&mut net);
    net.finalize(&mut proposal);
    assert!(proposal.status() == 2);
    net.execute(&mut proposal);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::ENotPassed)]
fun executing_twice_fails() {
    let (mut net, mut stakes, mut proposal) = setup();
    net.vote(&mut proposal, &mut stakes[0], YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    net.execute(&mut proposal);
    net.execute(&mut proposal);
    teardown(net, stakes, proposal);
}

#[test]
fun parameter_change_is_applied() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    net.create_proposal(
        &stakes[0],
        b"raise quorum",
        governance::set_parameter_action(b"governance.quorum_bps".to_string(), 3000),
    );
    let mut proposal = net.take_proposal();
    net.vote(&mut proposal, &mut stakes[0], YES);
    net.vote(&mut proposal, &mut stakes[1], YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    net.execute(&mut proposal);
    assert!(governance::quorum_bps(net.config()) == 3000);
    teardown(net, stakes, proposal);
}

#[test]
fun epoch_duration_change_applies_at_next_epoch_change() {
    let (mut net, mut stakes) = test_network::new_in_epoch_1(STAKE);
    net.create_proposal(
        &stakes[0],
        b"longer epochs",
        governance::set_parameter_action(b"staking.epoch_duration_ms".to_string(), 20_000),
    );
    let mut proposal = net.take_proposal();
    net.vote(&mut proposal, &mut stakes[0], YES);
    end_voting(&mut net);
    net.finalize(&mut proposal);
    net.execute(&mut proposal);
    assert!(net.staking().inner().epoch_duration() == 10_000);
    net.next_epoch();
    assert!(net.staking().inner().epoch_duration() == 20_000);
    teardown(net, stakes, proposal);
}

#[test, expected_failure(abort_code = governance::EUnknownParameter)]
fun unknown_parameter_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let action = governance::set_parameter_action(b"storage.price".to_string(), 1);
    net.create_proposal(&stakes[0], b"x", action);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EInvalidParameterValue)]
fun quorum_of_zero_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let action = governance::set_parameter_action(b"governance.quorum_bps".to_string(), 0);
    net.create_proposal(&stakes[0], b"x", action);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EInvalidParameterValue)]
fun pass_threshold_below_half_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let action = governance::set_parameter_action(
        b"governance.pass_threshold_bps".to_string(),
        4999,
    );
    net.create_proposal(&stakes[0], b"x", action);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EInvalidParameterValue)]
fun voting_period_over_53_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let action = governance::set_parameter_action(
        b"governance.voting_period_epochs".to_string(),
        54,
    );
    net.create_proposal(&stakes[0], b"x", action);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EInvalidParameterValue)]
fun epoch_duration_below_one_second_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let action = governance::set_parameter_action(b"staking.epoch_duration_ms".to_string(), 999);
    net.create_proposal(&stakes[0], b"x", action);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::ETitleTooLong)]
fun title_too_long_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    let mut title = vector[];
    let mut i = 0;
    while (i < 201) {
        title.push_back(0x61);
        i = i + 1;
    };
    net.create_proposal(&stakes[0], title, governance::signal_action());
    tu::destroy(stakes);
    net.destroy();
}

#[test]
fun longest_description_is_accepted() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.create_proposal_with_description(&stakes[0], 4_000);
    tu::destroy(stakes);
    net.destroy();
}

#[test, expected_failure(abort_code = governance::EDescriptionTooLong)]
fun description_too_long_fails() {
    let (mut net, stakes) = test_network::new_in_epoch_1(STAKE);
    net.create_proposal_with_description(&stakes[0], 4_001);
    tu::destroy(stakes);
    net.destroy();
}
