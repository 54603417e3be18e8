//! `walrus::governance` against the chain: proposals, votes with staked WAL (vote marks through
//! split and join), finalize with the quorum and pass rule, execute; every abort; objects and
//! events compared byte for byte with `haulout-types`.
//!
//! Walrus epochs advance as on a live network: `W::advance_epoch` moves the chain's clock so the
//! keeper sends `voting_end` and `initiate_epoch_change`, and every storage node then signs
//! `epoch_sync_done` with its own key. No governance test reaches into the staking state.
//! Nothing here buys storage, so the epochs' rewards are zero and the stakes, and with them the
//! proposals' weights and the total active stake, stay what they were at genesis.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::walrus;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::EpochState;
use haulout_types::Field;
use haulout_types::GovernanceConfig;
use haulout_types::MoveType;
use haulout_types::ObjectId;
use haulout_types::Proposal;
use haulout_types::ProposalAction;
use haulout_types::ProposalCreated;
use haulout_types::ProposalExecuted;
use haulout_types::ProposalFinalized;
use haulout_types::ProposalStatus;
use haulout_types::StakedWal;
use haulout_types::StakedWalState;
use haulout_types::Table;
use haulout_types::VecSet;
use haulout_types::VoteCast;
use haulout_types::VoteMarks;
use haulout_types::VoteMarksKey;
use haulout_types::abort::governance as codes;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::Input;
use sui_sdk_types::Owner;
use sui_sdk_types::SharedInput;
use sui_sdk_types::TypeTag;
use support::walrus::*;

const N_NODES: usize = 4;
/// WAL staked with each node at genesis.
const NODE_STAKE: u64 = 10_000;
const QUORUM: &str = "governance.quorum_bps";

fn gov(code: u64) -> (String, u64) {
    ("governance".into(), code)
}

impl W {
    fn new() -> Self {
        let args = WalrusArgs {
            nodes: N_NODES,
            n_shards: 12,
            stake_per_node: NODE_STAKE,
            ..Default::default()
        };
        Self::with_registry(args, registry_with_expect())
    }

    fn config_id(&self) -> Address {
        addr(&self.g.info.governance_config_id)
    }

    fn config_input(&self, mutable: bool) -> Input {
        Input::Shared(SharedInput::new(self.config_id(), 1, mutable))
    }

    fn config(&self) -> GovernanceConfig {
        self.decode(self.config_id())
    }

    /// The total active stake `finalize` measures the quorum against.
    fn total_active_stake(&self) -> u64 {
        self.active_set().total_stake
    }

    /// Advances real epochs until the staking epoch is `epoch`.
    fn advance_to(&self, epoch: u32) {
        while self.staking_inner().epoch < epoch {
            self.advance_epoch();
        }
        assert_eq!(self.staking_inner().epoch, epoch);
    }

    fn node_stake(&self, i: usize) -> Address {
        self.g.nodes[i].staked_wal_id
    }

    /// `create_proposal` with `staked`, owned by `who`; `action` is `None` for a signal.
    fn propose_with(
        &self,
        who: Who,
        staked: Address,
        title: &str,
        description: &str,
        action: Option<(&str, u64)>,
    ) -> Arc<ExecutedTx> {
        let mut inputs = vec![
            self.config_input(true),
            self.staking(false),
            self.input_obj(staked),
            pure(&title.to_owned()),
            pure(&description.to_owned()),
        ];
        let action_cmd = match action {
            None => call("governance", "signal_action", vec![]),
            Some((name, value)) => {
                inputs.push(pure(&name.to_owned()));
                inputs.push(pure(&value));
                call(
                    "governance",
                    "set_parameter_action",
                    vec![Argument::Input(5), Argument::Input(6)],
                )
            }
        };
        self.exec(
            who,
            inputs,
            vec![
                action_cmd,
                call(
                    "governance",
                    "create_proposal",
                    (0..5)
                        .map(Argument::Input)
                        .chain([Argument::Result(0)])
                        .collect(),
                ),
            ],
        )
    }

    /// A successful proposal by node `i`; returns the proposal's ID.
    fn propose(&self, i: usize, action: Option<(&str, u64)>) -> Address {
        let tx = self.propose_with(Who::Node(i), self.node_stake(i), "t", "d", action);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        self.created_of::<Proposal>(&tx)
    }

    fn vote(&self, who: Who, proposal: Address, staked: Address, choice: u8) -> Arc<ExecutedTx> {
        self.exec(
            who,
            vec![
                self.shared(proposal, true),
                self.staking(false),
                self.input_obj(staked),
                pure(&choice),
            ],
            vec![call(
                "governance",
                "vote",
                (0..4).map(Argument::Input).collect(),
            )],
        )
    }

    fn finalize(&self, proposal: Address) -> Arc<ExecutedTx> {
        self.exec(
            Who::Account(0),
            vec![
                self.shared(proposal, true),
                self.config_input(false),
                self.staking(false),
            ],
            vec![call(
                "governance",
                "finalize",
                (0..3).map(Argument::Input).collect(),
            )],
        )
    }

    fn execute(&self, proposal: Address) -> Arc<ExecutedTx> {
        self.exec(
            Who::Account(0),
            vec![
                self.shared(proposal, true),
                self.config_input(true),
                self.staking(true),
            ],
            vec![call(
                "governance",
                "execute",
                (0..3).map(Argument::Input).collect(),
            )],
        )
    }

    fn marks(&self, staked: Address) -> Option<VoteMarks> {
        let key = bcs::to_bytes(&VoteMarksKey::default()).unwrap();
        let id = staked.derive_dynamic_child_id(&VoteMarksKey::type_tag(&walrus::packages()), &key);
        self.node.object(&id).map(|o| {
            let field: Field<VoteMarksKey, VoteMarks> = bcs::from_bytes(contents(&o)).unwrap();
            field.value
        })
    }

    /// The choice recorded in the proposal's `voters` table for `staked`.
    fn voter(&self, proposal: &Proposal, staked: Address) -> Option<u8> {
        let key = bcs::to_bytes(&ObjectId::from(staked)).unwrap();
        let id = Address::from(proposal.voters.id)
            .derive_dynamic_child_id(&ObjectId::type_tag(&walrus::packages()), &key);
        self.node.object(&id).map(|o| {
            let field: Field<ObjectId, u8> = bcs::from_bytes(contents(&o)).unwrap();
            field.value
        })
    }
}

#[test]
fn proposal_passes_and_is_executed() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let before = w.config();
    assert_eq!(before.quorum_bps, 2000);

    // create_proposal: a shared Proposal, byte for byte, and ProposalCreated.
    let tx = w.propose_with(
        Who::Node(0),
        w.node_stake(0),
        "raise the quorum",
        "to 30%",
        Some((QUORUM, 3000)),
    );
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let id = w.created_of::<Proposal>(&tx);
    assert!(matches!(w.object(id).owner(), Owner::Shared(_)));
    let proposal: Proposal = w.decode(id);
    let expected = Proposal {
        id: id.into(),
        number: 0,
        proposer: w.addr(Who::Node(0)),
        title: "raise the quorum".into(),
        description: "to 30%".into(),
        action: ProposalAction::SetParameter {
            name: QUORUM.into(),
            value: 3000,
        },
        created_epoch: epoch,
        voting_end_epoch: epoch + 2,
        yes: 0,
        no: 0,
        abstain: 0,
        status: ProposalStatus::Active,
        voters: Table::new(proposal.voters.id, 0),
    };
    assert_eq!(proposal, expected);
    assert_eq!(
        contents(&w.object(id)),
        bcs::to_bytes(&expected).unwrap().as_slice()
    );
    assert_eq!(
        events_of::<ProposalCreated>(&tx),
        vec![ProposalCreated {
            proposal_id: id.into(),
            number: 0,
            proposer: w.addr(Who::Node(0)),
            title: "raise the quorum".into(),
            action_kind: 1,
            param_name: QUORUM.into(),
            param_value: 3000,
            created_epoch: epoch,
            voting_end_epoch: epoch + 2,
        }]
    );
    assert_eq!(
        w.config(),
        GovernanceConfig {
            next_number: 1,
            ..before
        }
    );

    // Too early to finalize.
    assert_eq!(aborted(&w.finalize(id)), gov(codes::EVotingNotEnded));

    // vote: yes with node 0 (25% of the stake), no with node 1's smaller part.
    let staked0 = w.node_stake(0);
    let weight = w.decode::<StakedWal>(staked0).principal.value;
    let tx = w.vote(Who::Node(0), id, staked0, 0);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<VoteCast>(&tx),
        vec![VoteCast {
            proposal_id: id.into(),
            staked_wal_id: staked0.into(),
            voter: w.addr(Who::Node(0)),
            choice: 0,
            weight,
        }]
    );
    let part1 = w.split(Who::Node(1), w.node_stake(1), 1_000 * FROST);
    assert_eq!(
        status(&w.vote(Who::Node(1), id, part1, 1)),
        ExecutionStatus::Success
    );
    let part2 = w.split(Who::Node(2), w.node_stake(2), 500 * FROST);
    assert_eq!(
        status(&w.vote(Who::Node(2), id, part2, 2)),
        ExecutionStatus::Success
    );
    let proposal: Proposal = w.decode(id);
    assert_eq!(
        (proposal.yes, proposal.no, proposal.abstain),
        (weight, 1_000 * FROST, 500 * FROST)
    );
    assert_eq!(proposal.voters.size, 3);
    assert_eq!(w.voter(&proposal, staked0), Some(0));
    assert_eq!(w.voter(&proposal, part1), Some(1));
    assert_eq!(w.voter(&proposal, part2), Some(2));
    assert_eq!(
        w.marks(staked0),
        Some(VoteMarks {
            proposals: VecSet {
                contents: vec![id.into()]
            },
            locked_until_epoch: epoch + 2,
        })
    );

    // One real epoch change later, voting is still open (and finalizing still too early).
    assert_eq!(w.advance_epoch(), epoch + 1);
    assert_eq!(aborted(&w.finalize(id)), gov(codes::EVotingNotEnded));
    let staked3 = w.node_stake(3);
    let late = w.split(Who::Node(3), staked3, 10 * FROST);
    assert_eq!(
        status(&w.vote(Who::Node(3), id, late, 2)),
        ExecutionStatus::Success
    );
    // Voting closes at voting_end_epoch, after the second epoch change; then finalize.
    w.advance_to(epoch + 2);
    assert_eq!(
        aborted(&w.vote(Who::Node(3), id, staked3, 0)),
        gov(codes::EVotingClosed)
    );
    // No storage was bought, so the two epoch changes paid no rewards: the total is still the
    // genesis stake.
    let total = w.total_active_stake();
    assert_eq!(total, N_NODES as u64 * NODE_STAKE * FROST);
    let tx = w.finalize(id);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<ProposalFinalized>(&tx),
        vec![ProposalFinalized {
            proposal_id: id.into(),
            status: 1,
            yes: weight,
            no: 1_000 * FROST,
            // Node 2's 500 WAL and node 3's 10 WAL cast in the second epoch.
            abstain: 510 * FROST,
            total_stake: total,
        }]
    );
    assert_eq!(w.decode::<Proposal>(id).status, ProposalStatus::Passed);
    assert_eq!(aborted(&w.finalize(id)), gov(codes::ENotActive));
    assert_eq!(
        aborted(&w.vote(Who::Node(3), id, staked3, 0)),
        gov(codes::EVotingClosed)
    );

    // execute: the quorum changes, once.
    let tx = w.execute(id);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        events_of::<ProposalExecuted>(&tx),
        vec![ProposalExecuted {
            proposal_id: id.into(),
            number: 0,
        }]
    );
    assert_eq!(
        w.config(),
        GovernanceConfig {
            next_number: 1,
            quorum_bps: 3000,
            ..before
        }
    );
    assert_eq!(w.decode::<Proposal>(id).status, ProposalStatus::Executed);
    assert_eq!(aborted(&w.execute(id)), gov(codes::ENotPassed));
}

#[test]
fn every_parameter_and_signal_executes() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let actions: [Option<(&str, u64)>; 6] = [
        None,
        Some(("governance.min_stake_to_propose", 7 * FROST)),
        Some(("governance.voting_period_epochs", 3)),
        Some(("governance.pass_threshold_bps", 6000)),
        Some((QUORUM, 2500)),
        Some(("staking.epoch_duration_ms", 60_000)),
    ];
    let ids: Vec<Address> = actions.iter().map(|a| w.propose(0, *a)).collect();
    for id in &ids {
        assert_eq!(
            status(&w.vote(Who::Node(0), *id, w.node_stake(0), 0)),
            ExecutionStatus::Success
        );
    }
    w.advance_to(epoch + 2);
    for id in &ids {
        assert_eq!(status(&w.finalize(*id)), ExecutionStatus::Success);
        assert_eq!(w.decode::<Proposal>(*id).status, ProposalStatus::Passed);
        assert_eq!(status(&w.execute(*id)), ExecutionStatus::Success);
    }
    let config = w.config();
    assert_eq!(config.next_number, 6);
    assert_eq!(config.min_stake_to_propose, 7 * FROST);
    assert_eq!(config.voting_period_epochs, 3);
    assert_eq!(config.pass_threshold_bps, 6000);
    assert_eq!(config.quorum_bps, 2500);
    // staking::set_next_epoch_duration: a dynamic field of Staking under b"next_epoch_duration".
    let key = bcs::to_bytes(&b"next_epoch_duration".to_vec()).unwrap();
    let field_id = w
        .staking_id()
        .derive_dynamic_child_id(&TypeTag::Vector(Box::new(TypeTag::U8)), &key);
    let field: Field<Vec<u8>, u64> = w.decode(field_id);
    assert_eq!(field.value, 60_000);
    // A new proposal uses the new voting period.
    let id = w.propose(0, None);
    assert_eq!(w.decode::<Proposal>(id).voting_end_epoch, epoch + 2 + 3);
    // The epoch duration applies from the next epoch change on: the field is consumed and the
    // keeper schedules the new epoch by it (voting_end due at half of 60 s, not before).
    let old_duration = w.staking_inner().epoch_duration;
    assert_ne!(old_duration, 60_000);
    w.advance_epoch();
    let inner = w.staking_inner();
    assert_eq!(inner.epoch_duration, 60_000);
    assert!(w.node.object(&field_id).is_none());
    let EpochState::EpochChangeDone(start) = inner.epoch_state else {
        panic!("advance_epoch ends in EpochChangeDone");
    };
    let keeper = walrus::keeper::Keeper::new(&w.g.info).unwrap();
    w.set_time(start + 29_999);
    assert!(keeper.tick(&w.node).unwrap().is_none());
    w.set_time(start + 30_000);
    let tx = keeper.tick(&w.node).unwrap().expect("voting_end is due");
    assert_eq!(
        events_of::<haulout_types::EpochParametersSelected>(&tx),
        vec![haulout_types::EpochParametersSelected {
            next_epoch: epoch + 4
        }]
    );
}

#[test]
fn rejected_without_quorum_and_at_the_edges() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let total = w.total_active_stake();
    assert_eq!(total, N_NODES as u64 * NODE_STAKE * FROST);
    // Quorum 20%: exactly total/5 is enough, one FROST less is not.
    let quorum = total / 5;
    let (below, at) = (w.propose(0, None), w.propose(0, None));
    // yes == no is not a majority (strictly more than 50% is needed); 1 more yes is.
    let (tie, majority) = (w.propose(0, None), w.propose(0, None));
    let yes_below = w.split(Who::Node(1), w.node_stake(1), quorum - 1);
    let yes_at = w.split(Who::Node(2), w.node_stake(2), quorum);
    assert_eq!(
        status(&w.vote(Who::Node(1), below, yes_below, 0)),
        ExecutionStatus::Success
    );
    assert_eq!(
        status(&w.vote(Who::Node(2), at, yes_at, 0)),
        ExecutionStatus::Success
    );
    let half = 2_000 * FROST;
    let tie_yes = w.split(Who::Node(3), w.node_stake(3), half);
    let tie_no = w.split(Who::Node(3), w.node_stake(3), half);
    let maj_yes = w.split(Who::Node(3), w.node_stake(3), half + 1);
    let maj_no = w.split(Who::Node(3), w.node_stake(3), half);
    // Node 0 abstains on both: the quorum is reached, the majority is decided by yes and no.
    for p in [tie, majority] {
        assert_eq!(
            status(&w.vote(Who::Node(0), p, w.node_stake(0), 2)),
            ExecutionStatus::Success
        );
    }
    for (p, s, c) in [
        (tie, tie_yes, 0),
        (tie, tie_no, 1),
        (majority, maj_yes, 0),
        (majority, maj_no, 1),
    ] {
        assert_eq!(
            status(&w.vote(Who::Node(3), p, s, c)),
            ExecutionStatus::Success
        );
    }
    // Two real epoch changes: no storage was bought, so they pay no rewards and the total
    // active stake the quorum is measured against is still the genesis total.
    w.advance_to(epoch + 2);
    for (id, passed) in [(below, false), (at, true), (tie, false), (majority, true)] {
        let tx = w.finalize(id);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        let event = &events_of::<ProposalFinalized>(&tx)[0];
        assert_eq!(event.total_stake, total);
        assert_eq!(event.status, if passed { 1 } else { 2 });
        let expected = if passed {
            ProposalStatus::Passed
        } else {
            ProposalStatus::Rejected
        };
        assert_eq!(w.decode::<Proposal>(id).status, expected);
    }
    // A rejected proposal cannot be executed.
    assert_eq!(aborted(&w.execute(below)), gov(codes::ENotPassed));
    assert_eq!(status(&w.execute(at)), ExecutionStatus::Success);
}

#[test]
fn the_same_wal_cannot_vote_twice() {
    let w = W::new();
    let id = w.propose(0, None);
    let staked = w.node_stake(1);
    let part = w.split(Who::Node(1), staked, 100 * FROST);
    assert_eq!(
        status(&w.vote(Who::Node(1), id, staked, 0)),
        ExecutionStatus::Success
    );
    // Again with the same object.
    assert_eq!(
        aborted(&w.vote(Who::Node(1), id, staked, 0)),
        gov(codes::EAlreadyVoted)
    );
    // A part split off after the vote carries the marks.
    let after = w.split(Who::Node(1), staked, 100 * FROST);
    assert_eq!(w.marks(after), w.marks(staked));
    assert_eq!(
        aborted(&w.vote(Who::Node(1), id, after, 1)),
        gov(codes::EAlreadyVoted)
    );
    // A part split off before the vote has not voted; once it has, joining merges the marks.
    let other = w.propose(0, None);
    assert_eq!(
        status(&w.vote(Who::Node(1), other, part, 1)),
        ExecutionStatus::Success
    );
    w.join(Who::Node(1), staked, part);
    let marks = w.marks(staked).unwrap();
    assert_eq!(marks.proposals.contents, vec![id.into(), other.into()]);
    assert_eq!(
        aborted(&w.vote(Who::Node(1), other, staked, 0)),
        gov(codes::EAlreadyVoted)
    );
    let (yes, no, _) = {
        let p: Proposal = w.decode(id);
        (p.yes, p.no, p.abstain)
    };
    assert_eq!((yes, no), ((NODE_STAKE - 100) * FROST, 0));
}

#[test]
fn create_proposal_aborts() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let n0 = Who::Node(0);
    let staked = w.node_stake(0);
    // A stake that is not active yet.
    let fresh = w.stake(0, 2_000 * FROST, w.g.nodes[0].node_id);
    let fresh_sw: StakedWal = w.decode(fresh);
    assert!(fresh_sw.activation_epoch > epoch);
    let tx = w.propose_with(Who::Account(0), fresh, "t", "d", None);
    assert_eq!(aborted(&tx), gov(codes::EStakeNotActive));
    // Below the minimum (1,000 WAL); exactly the minimum is enough.
    let min = w.config().min_stake_to_propose;
    let small = w.split(Who::Node(0), staked, min - 1);
    let exact = w.split(Who::Node(0), staked, min);
    let tx = w.propose_with(n0, small, "t", "d", None);
    assert_eq!(aborted(&tx), gov(codes::EInsufficientStake));
    let tx = w.propose_with(n0, exact, "t", "d", None);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    // Title and description limits (bytes).
    let t200 = "t".repeat(200);
    let d4000 = "d".repeat(4000);
    let tx = w.propose_with(n0, staked, &t200, &d4000, None);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let tx = w.propose_with(n0, staked, &"t".repeat(201), "d", None);
    assert_eq!(aborted(&tx), gov(codes::ETitleTooLong));
    let tx = w.propose_with(n0, staked, "t", &"d".repeat(4001), None);
    assert_eq!(aborted(&tx), gov(codes::EDescriptionTooLong));
    // The stake check comes before the title check.
    let tx = w.propose_with(n0, small, &"t".repeat(201), "d", None);
    assert_eq!(aborted(&tx), gov(codes::EInsufficientStake));
    // Parameters: unknown names and out-of-range values.
    for (name, value, code) in [
        ("governance.unknown", 1, codes::EUnknownParameter),
        (
            "governance.voting_period_epochs",
            0,
            codes::EInvalidParameterValue,
        ),
        (
            "governance.voting_period_epochs",
            54,
            codes::EInvalidParameterValue,
        ),
        ("governance.quorum_bps", 0, codes::EInvalidParameterValue),
        (
            "governance.quorum_bps",
            10_001,
            codes::EInvalidParameterValue,
        ),
        (
            "governance.pass_threshold_bps",
            4_999,
            codes::EInvalidParameterValue,
        ),
        (
            "governance.pass_threshold_bps",
            10_001,
            codes::EInvalidParameterValue,
        ),
        (
            "staking.epoch_duration_ms",
            999,
            codes::EInvalidParameterValue,
        ),
    ] {
        let tx = w.propose_with(n0, staked, "t", "d", Some((name, value)));
        assert_eq!(aborted(&tx), gov(code), "{name} = {value}");
    }
    for (name, value) in [
        ("governance.min_stake_to_propose", 0),
        ("governance.voting_period_epochs", 53),
        ("governance.quorum_bps", 10_000),
        ("governance.pass_threshold_bps", 5_000),
        ("staking.epoch_duration_ms", 1_000),
    ] {
        let tx = w.propose_with(n0, staked, "t", "d", Some((name, value)));
        assert_eq!(status(&tx), ExecutionStatus::Success, "{name} = {value}");
    }
    // Numbers count every proposal created.
    assert_eq!(w.config().next_number, 7);
    // Once active (next epoch), the fresh stake may propose.
    w.advance_to(fresh_sw.activation_epoch);
    let tx = w.propose_with(Who::Account(0), fresh, "t", "d", None);
    assert_eq!(status(&tx), ExecutionStatus::Success);
}

#[test]
fn vote_aborts() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let id = w.propose(0, None);
    let fresh = w.stake(0, 2_000 * FROST, w.g.nodes[0].node_id);
    // Choice above 2.
    assert_eq!(
        aborted(&w.vote(Who::Node(0), id, w.node_stake(0), 3)),
        gov(codes::EInvalidChoice)
    );
    // A stake active only after the proposal's creation, even once active.
    assert_eq!(
        aborted(&w.vote(Who::Account(0), id, fresh, 0)),
        gov(codes::EStakeTooNew)
    );
    let activation = w.decode::<StakedWal>(fresh).activation_epoch;
    w.advance_to(activation);
    assert!(activation < epoch + 2);
    assert_eq!(
        aborted(&w.vote(Who::Account(0), id, fresh, 0)),
        gov(codes::EStakeTooNew)
    );
    // A proposal created once it is active accepts it.
    let later = w.propose(0, None);
    assert_eq!(
        status(&w.vote(Who::Account(0), later, fresh, 0)),
        ExecutionStatus::Success
    );
    // Closed voting is checked before the choice.
    w.advance_to(epoch + 2);
    assert_eq!(
        aborted(&w.vote(Who::Node(0), id, w.node_stake(0), 9)),
        gov(codes::EVotingClosed)
    );
}

#[test]
fn accessors() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let id = w.propose(0, Some((QUORUM, 4000)));
    let part = w.split(Who::Node(1), w.node_stake(1), 3 * FROST);
    assert_eq!(
        status(&w.vote(Who::Node(1), id, part, 1)),
        ExecutionStatus::Success
    );
    let expect = |ty: &str, actual: Argument, expected: u16| {
        call(
            "views_testing",
            &format!("expect_{ty}"),
            vec![actual, Argument::Input(expected)],
        )
    };
    let good = vec![
        w.shared(id, false),
        w.config_input(false),
        pure(&1u64),
        pure(&0u64),
        pure(&0u64),
        pure(&5u64),
        pure(&2000u16),
        pure(&5000u16),
        // expected values, from input 8
        pure(&0u64),
        pure(&(3 * FROST)),
        pure(&0u8),
        pure(&(epoch + 2)),
        pure(&epoch),
        pure(&(1_000 * FROST)),
        pure(&2u32),
        pure(&2000u16),
        pure(&5000u16),
        pure(&true),
        pure(&false),
    ];
    let commands = |last: u16| {
        vec![
            call("governance", "number", vec![Argument::Input(0)]),
            call("governance", "tally", vec![Argument::Input(0)]),
            call("governance", "status", vec![Argument::Input(0)]),
            call("governance", "voting_end_epoch", vec![Argument::Input(0)]),
            call("governance", "created_epoch", vec![Argument::Input(0)]),
            call(
                "governance",
                "min_stake_to_propose",
                vec![Argument::Input(1)],
            ),
            call(
                "governance",
                "voting_period_epochs",
                vec![Argument::Input(1)],
            ),
            call("governance", "quorum_bps", vec![Argument::Input(1)]),
            call("governance", "pass_threshold_bps", vec![Argument::Input(1)]),
            // 1 yes of a total of 5 with a 20% quorum: passes (exactly the quorum).
            call(
                "governance",
                "is_passing",
                (2..8).map(Argument::Input).collect(),
            ),
            expect("u64", Argument::Result(0), 8),
            expect("u64", Argument::NestedResult(1, 0), 8),
            expect("u64", Argument::NestedResult(1, 1), 9),
            expect("u64", Argument::NestedResult(1, 2), 8),
            expect("u8", Argument::Result(2), 10),
            expect("u32", Argument::Result(3), 11),
            expect("u32", Argument::Result(4), 12),
            expect("u64", Argument::Result(5), 13),
            expect("u32", Argument::Result(6), 14),
            expect("u16", Argument::Result(7), 15),
            expect("u16", Argument::Result(8), 16),
            expect("bool", Argument::Result(9), last),
        ]
    };
    w.ok(Who::Account(0), good.clone(), commands(17));
    // The checker itself fails on a wrong value.
    let tx = w.exec(Who::Account(0), good, commands(18));
    assert_eq!(aborted(&tx), ("views_testing".into(), 1));
}

#[test]
fn a_withdrawing_stake_neither_proposes_nor_votes() {
    let w = W::new();
    let epoch = w.staking_inner().epoch;
    let id = w.propose(0, None);
    let staked = w.node_stake(1);
    // A real withdrawal request: node 1 is in the current committee only (no voting_end yet),
    // so the stake withdraws at the next epoch.
    let tx = w.request_withdraw(w.key(Who::Node(1)), staked);
    assert_eq!(status(&tx), ExecutionStatus::Success);
    assert_eq!(
        w.decode::<StakedWal>(staked).state,
        StakedWalState::Withdrawing {
            withdraw_epoch: epoch + 1
        }
    );
    let tx = w.propose_with(Who::Node(1), staked, "t", "d", None);
    assert_eq!(aborted(&tx), gov(codes::EStakeNotActive));
    assert_eq!(
        aborted(&w.vote(Who::Node(1), id, staked, 0)),
        gov(codes::EStakeNotActive)
    );
    // The choice is checked before the stake.
    assert_eq!(
        aborted(&w.vote(Who::Node(1), id, staked, 3)),
        gov(codes::EInvalidChoice)
    );
}

#[test]
fn a_vote_locks_the_stake_against_withdrawal_until_voting_ends() {
    let w = W::new();
    let id = w.propose(0, None);
    let staked = w.node_stake(1);
    assert_eq!(
        status(&w.vote(Who::Node(1), id, staked, 0)),
        ExecutionStatus::Success
    );
    let locked_until = w.marks(staked).expect("vote marks").locked_until_epoch;
    let request = |w: &W| w.request_withdraw(w.key(Who::Node(1)), staked);
    let locked = (
        "staked_wal".to_owned(),
        haulout_types::abort::staked_wal::EVoteLocked,
    );
    assert_eq!(aborted(&request(&w)), locked);
    // Still locked after one real epoch change: voting has not ended yet.
    let epoch = w.advance_epoch();
    assert!(epoch < locked_until);
    assert_eq!(aborted(&request(&w)), locked);
    // Once the lock has passed, the same request goes through.
    w.advance_to(locked_until);
    assert_eq!(status(&request(&w)), ExecutionStatus::Success);
}
