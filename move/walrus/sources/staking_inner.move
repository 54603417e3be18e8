/// The inner state of the `Staking` object: pools, committees, the active set and the epoch
/// state machine. Stored as a dynamic field of `Staking` keyed by its version.
module walrus::staking_inner;

use std::string::String;
use sui::balance::{Self, Balance};
use sui::bls12381::UncompressedG1;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::group_ops::Element;
use sui::object_table::{Self, ObjectTable};
use sui::vec_map::{Self, VecMap};
use wal::wal::WAL;
use walrus::active_set::{Self, ActiveSet};
use walrus::auth::{Authenticated, Authorized};
use walrus::bls_aggregate::{Self, BlsCommittee};
use walrus::committee::{Self, Committee};
use walrus::epoch_parameters::{Self, EpochParams};
use walrus::events;
use walrus::extended_field::{Self, ExtendedField};
use walrus::node_metadata::NodeMetadata;
use walrus::staked_wal::StakedWal;
use walrus::staking_pool::{Self, StakingPool};
use walrus::storage_node::StorageNodeCap;
use walrus::walrus_context::{Self, WalrusContext};

/// Minimum stake to enter the active set.
const MIN_STAKE: u64 = 0;
/// Maximum number of nodes in the active set.
const ACTIVE_SET_SIZE_LIMIT: u16 = 150;
/// From this many nodes on, a node gets at most n_shards / 10 shards.
const MIN_NODES_FOR_SHARDS_LIMIT: u64 = 20;
/// The per-node shard limit is n_shards / SHARDS_LIMIT_DENOMINATOR with enough nodes.
const SHARDS_LIMIT_DENOMINATOR: u64 = 10;

/// The epoch state does not allow the operation (or it is too early).
const EWrongEpochState: u64 = 0;
/// `epoch_sync_done` for an epoch other than the current one.
const EInvalidSyncEpoch: u64 = 1;
/// The node already signalled sync done for this epoch.
const EDuplicateSyncDone: u64 = 2;
/// No stake in the active set: no committee can be selected.
const ENoStake: u64 = 3;
/// The node is not in the committee.
const ENotInCommittee: u64 = 4;
/// The next committee is already selected.
const ECommitteeSelected: u64 = 5;
/// The next committee is not selected yet.
const ENextCommitteeIsEmpty: u64 = 6;
/// The node's shard count does not fit in a u16.
const EInvalidNodeWeight: u64 = 7;
/// No pool with this ID.
const EPoolNotFound: u64 = 8;
/// A committee member has no shards.
const EZeroNodeWeight: u64 = 9;
/// Keys and committee are not in the same order.
const EIncorrectNodeOrder: u64 = 10;

/// The epoch state machine.
public enum EpochState has copy, drop, store {
    /// The epoch changed; holds the weight of the nodes that finished syncing.
    EpochChangeSync(u16),
    /// The epoch change finished at this timestamp (ms).
    EpochChangeDone(u64),
    /// The next committee and parameters are selected; holds the epoch's start timestamp (ms).
    NextParamsSelected(u64),
}

/// The staking state (Walrus `StakingInnerV1` layout).
public struct StakingInnerV1 has store {
    n_shards: u16,
    /// Epoch duration in ms (does not apply to epoch 0).
    epoch_duration: u64,
    /// Timestamp (ms) from which epoch 0 may end.
    first_epoch_start: u64,
    pools: ObjectTable<ID, StakingPool>,
    epoch: u32,
    active_set: ExtendedField<ActiveSet>,
    next_committee: Option<Committee>,
    committee: Committee,
    previous_committee: Committee,
    next_epoch_params: Option<EpochParams>,
    epoch_state: EpochState,
    /// Keys of the next committee, sorted like it; set by `voting_end`, consumed at the change.
    next_epoch_public_keys: ExtendedField<VecMap<ID, Element<UncompressedG1>>>,
}

/// Creates the staking state in epoch 0, `EpochChangeDone(now)`.
public(package) fun new(
    epoch_zero_duration: u64,
    epoch_duration: u64,
    n_shards: u16,
    clock: &Clock,
    ctx: &mut TxContext,
): StakingInnerV1 {
    StakingInnerV1 {
        n_shards,
        epoch_duration,
        first_epoch_start: epoch_zero_duration + clock.timestamp_ms(),
        pools: object_table::new(ctx),
        epoch: 0,
        active_set: extended_field::new(active_set::new(ACTIVE_SET_SIZE_LIMIT, MIN_STAKE), ctx),
        next_committee: option::none(),
        committee: committee::empty(),
        previous_committee: committee::empty(),
        next_epoch_params: option::none(),
        epoch_state: EpochState::EpochChangeDone(clock.timestamp_ms()),
        next_epoch_public_keys: extended_field::new(vec_map::empty(), ctx),
    }
}

// === Pools ===

/// Creates a pool for a new candidate node and returns its ID (the node ID).
public(package) fun create_pool(
    self: &mut StakingInnerV1,
    name: String,
    network_address: String,
    metadata: NodeMetadata,
    public_key: vector<u8>,
    network_public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    commission_rate: u16,
    storage_price: u64,
    write_price: u64,
    node_capacity: u64,
    ctx: &mut TxContext,
): ID {
    let pool = staking_pool::new(
        name,
        network_address,
        metadata,
        public_key,
        network_public_key,
        proof_of_possession,
        commission_rate,
        storage_price,
        write_price,
        node_capacity,
        &self.new_walrus_context(),
        ctx,
    );
    let node_id = object::id(&pool);
    self.pools.add(node_id, pool);
    node_id
}

public(package) fun set_commission_receiver(
    self: &mut StakingInnerV1,
    node_id: ID,
    auth: Authenticated,
    receiver: Authorized,
) {
    self.pool_mut(node_id).set_commission_receiver(auth, receiver)
}

public(package) fun set_governance_authorized(
    self: &mut StakingInnerV1,
    node_id: ID,
    auth: Authenticated,
    authorized: Authorized,
) {
    self.pool_mut(node_id).set_governance_authorized(auth, authorized)
}

public(package) fun collect_commission(
    self: &mut StakingInnerV1,
    node_id: ID,
    auth: Authenticated,
): Balance<WAL> {
    self.pool_mut(node_id).collect_commission(auth)
}

public(package) fun set_next_commission(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    commission_rate: u16,
) {
    let wctx = self.new_walrus_context();
    self.pool_mut(cap.node_id()).set_next_commission(commission_rate, &wctx);
}

public(package) fun set_storage_price_vote(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    storage_price: u64,
) {
    self.pool_mut(cap.node_id()).set_next_storage_price(storage_price);
}

public(package) fun set_write_price_vote(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    write_price: u64,
) {
    self.pool_mut(cap.node_id()).set_next_write_price(write_price);
}

public(package) fun set_node_capacity_vote(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    node_capacity: u64,
) {
    self.pool_mut(cap.node_id()).set_next_node_capacity(node_capacity);
}

public(package) fun set_next_public_key(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    ctx: &TxContext,
) {
    let wctx = self.new_walrus_context();
    self.pool_mut(cap.node_id()).set_next_public_key(public_key, proof_of_possession, &wctx, ctx);
}

public(package) fun set_name(self: &mut StakingInnerV1, cap: &StorageNodeCap, name: String) {
    self.pool_mut(cap.node_id()).set_name(name);
}

public(package) fun set_network_address(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    network_address: String,
) {
    self.pool_mut(cap.node_id()).set_network_address(network_address);
}

public(package) fun set_network_public_key(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    network_public_key: vector<u8>,
) {
    self.pool_mut(cap.node_id()).set_network_public_key(network_public_key);
}

public(package) fun set_node_metadata(
    self: &mut StakingInnerV1,
    cap: &StorageNodeCap,
    metadata: NodeMetadata,
) {
    self.pool_mut(cap.node_id()).set_node_metadata(metadata);
}

// === Prices ===

/// The storage and write prices from the current committee's votes (`quorum_below`, weighted
/// by shards), or `(u64::MAX, u64::MAX)` with an empty committee.
public(package) fun recalculate_prices(self: &StakingInnerV1): (u64, u64) {
    let committee = self.committee.inner();
    let size = committee.length();
    if (size == 0) return (std::u64::max_value!(), std::u64::max_value!());
    let mut storage_votes = vector[];
    let mut write_votes = vector[];
    let mut weights = vector[];
    let mut i = 0;
    while (i < size) {
        let (node_id, shards) = committee.get_entry_by_idx(i);
        let pool = self.pools.borrow(*node_id);
        storage_votes.push_back(pool.storage_price());
        write_votes.push_back(pool.write_price());
        weights.push_back(shards.length());
        i = i + 1;
    };
    let n_shards = self.n_shards as u64;
    (quorum_below(storage_votes, weights, n_shards), quorum_below(write_votes, weights, n_shards))
}

/// The lowest value such that shards forming a quorum voted at or below it: remove votes from
/// the highest down until the remaining weight is no longer a quorum; return that vote.
fun quorum_below(mut values: vector<u64>, mut weights: vector<u64>, n_shards: u64): u64 {
    let mut sum_weight = n_shards;
    loop {
        let (value, weight) = pop_max(&mut values, &mut weights);
        sum_weight = sum_weight - weight;
        if (!is_quorum_for_n_shards(sum_weight, n_shards)) return value;
    }
}

/// The highest value such that shards forming a quorum voted at or above it: add votes from the
/// highest down until the weight is a quorum; return that vote.
fun quorum_above(mut values: vector<u64>, mut weights: vector<u64>, n_shards: u64): u64 {
    let mut sum_weight = 0;
    loop {
        let (value, weight) = pop_max(&mut values, &mut weights);
        sum_weight = sum_weight + weight;
        if (is_quorum_for_n_shards(sum_weight, n_shards)) return value;
    }
}

/// Removes and returns the largest value and its weight (aborts if empty).
fun pop_max(values: &mut vector<u64>, weights: &mut vector<u64>): (u64, u64) {
    let mut max_idx = 0;
    let mut i = 1;
    while (i < values.length()) {
        if (values[i] > values[max_idx]) max_idx = i;
        i = i + 1;
    };
    (values.swap_remove(max_idx), weights.swap_remove(max_idx))
}

// === Staking ===

/// Stakes `to_stake` with the pool of `node_id` and updates the node's stake in the active set.
public(package) fun stake_with_pool(
    self: &mut StakingInnerV1,
    to_stake: Coin<WAL>,
    node_id: ID,
    ctx: &mut TxContext,
): StakedWal {
    let wctx = self.new_walrus_context();
    let staked_wal = self.pool_mut(node_id).stake(to_stake.into_balance(), &wctx, ctx);
    self.update_active_set_stake(node_id);
    staked_wal
}

/// Requests the withdrawal of `staked_wal` and updates the node's stake in the active set.
public(package) fun request_withdraw_stake(self: &mut StakingInnerV1, staked_wal: &mut StakedWal) {
    let wctx = self.new_walrus_context();
    let node_id = staked_wal.node_id();
    let in_current = self.committee.contains(&node_id);
    let in_next = self.is_in_next_committee(node_id);
    self.pool_mut(node_id).request_withdraw_stake(staked_wal, in_current, in_next, &wctx);
    self.update_active_set_stake(node_id);
}

/// Withdraws `staked_wal` and updates the node's stake in the active set.
public(package) fun withdraw_stake(
    self: &mut StakingInnerV1,
    staked_wal: StakedWal,
    ctx: &mut TxContext,
): Coin<WAL> {
    let wctx = self.new_walrus_context();
    let node_id = staked_wal.node_id();
    let in_current = self.committee.contains(&node_id);
    let in_next = self.is_in_next_committee(node_id);
    let balance = self.pool_mut(node_id).withdraw_stake(staked_wal, in_current, in_next, &wctx);
    self.update_active_set_stake(node_id);
    balance.into_coin(ctx)
}

/// Re-inserts the node into the active set with its stake for the next selection.
public(package) fun try_join_active_set(self: &mut StakingInnerV1, cap: &StorageNodeCap) {
    self.update_active_set_stake(cap.node_id());
}

/// Sets the node's active-set stake to its stake at the next selection: E+1, or E+2 once the
/// next committee is selected.
fun update_active_set_stake(self: &mut StakingInnerV1, node_id: ID) {
    let target_epoch = match (self.epoch_state) {
        EpochState::NextParamsSelected(_) => self.epoch + 2,
        _ => self.epoch + 1,
    };
    let balance = self.pools.borrow(node_id).wal_balance_at_epoch(target_epoch);
    self.active_set.borrow_mut().insert_or_update(node_id, balance);
}

// === Epoch change ===

/// Ends the voting period once half the epoch has passed (or `first_epoch_start` in epoch 0):
/// selects the next committee and capacity. Emits `EpochParametersSelected`.
/// Aborts with `EWrongEpochState` if the state is not `EpochChangeDone` or it is too early.
public(package) fun voting_end(self: &mut StakingInnerV1, clock: &Clock) {
    let last_epoch_change = match (self.epoch_state) {
        EpochState::EpochChangeDone(last_epoch_change) => last_epoch_change,
        _ => abort EWrongEpochState,
    };
    let now = clock.timestamp_ms();
    if (self.epoch != 0) {
        assert!(now >= last_epoch_change + self.epoch_duration / 2, EWrongEpochState);
    } else {
        assert!(now >= self.first_epoch_start, EWrongEpochState);
    };
    self.select_committee_and_calculate_votes();
    self.epoch_state = EpochState::NextParamsSelected(last_epoch_change);
    events::emit_epoch_parameters_selected(self.epoch + 1);
}

/// Selects the next committee, records the members' next keys and computes the capacity vote
/// (`quorum_above` of `node_capacity × n_shards / weight`).
public(package) fun select_committee_and_calculate_votes(self: &mut StakingInnerV1) {
    assert!(self.next_committee.is_none(), ECommitteeSelected);
    let committee = self.compute_next_committee();
    let (node_ids, shard_assignments) = committee.to_inner().into_keys_values();
    let mut public_keys = vector[];
    let mut capacity_votes = vector[];
    let mut weights = vector[];
    let mut i = 0;
    while (i < node_ids.length()) {
        let pool = self.pools.borrow(node_ids[i]);
        let weight = shard_assignments[i].length();
        assert!(weight > 0, EZeroNodeWeight);
        public_keys.push_back(*pool.node_info().next_epoch_public_key());
        let vote = (pool.node_capacity() as u128) * (self.n_shards as u128) / (weight as u128);
        capacity_votes.push_back(vote.min(std::u64::max_value!() as u128) as u64);
        weights.push_back(weight);
        i = i + 1;
    };
    self.next_epoch_public_keys.swap(vec_map::from_keys_values(node_ids, public_keys));
    self.next_committee = option::some(committee);
    let capacity = quorum_above(capacity_votes, weights, self.n_shards as u64);
    self.next_epoch_params =
        option::some(
            epoch_parameters::new(capacity, std::u64::max_value!(), std::u64::max_value!()),
        );
}

/// The committee for the next epoch: D'Hondt apportionment of the active set, then the shard
/// identity transition from the current committee (or the initial assignment).
public(package) fun compute_next_committee(self: &StakingInnerV1): Committee {
    let distribution = self.apportionment();
    if (self.committee.size() == 0) committee::initialize(distribution)
    else self.committee.transition(distribution)
}

/// Shards per active-set node (nodes with zero shards left out).
fun apportionment(self: &StakingInnerV1): VecMap<ID, u16> {
    let (active_ids, stake) = self.active_set.borrow().active_ids_and_stake();
    let n_nodes = stake.length();
    let mut priorities = vector[];
    let mut i = 0;
    while (i < n_nodes) {
        priorities.push_back(n_nodes - i);
        i = i + 1;
    };
    let shards = dhondt(priorities, self.n_shards, stake);
    let mut distribution = vec_map::empty();
    let mut j = 0;
    while (j < n_nodes) {
        if (shards[j] > 0) distribution.insert(active_ids[j], shards[j]);
        j = j + 1;
    };
    distribution
}

/// D'Hondt (Jefferson) apportionment of `n_shards` to nodes with `stake`, at most
/// `max_shards_per_node` each. Starts from `min(stake / (total / (n_shards + 1) + 1), max)`, then
/// repeatedly gives a shard to the node with the largest `stake / (shards + 1)`; ties go to the
/// higher priority. Aborts with `ENoStake` if the total stake is zero.
public(package) fun dhondt(
    node_priorities: vector<u64>,
    n_shards: u16,
    stake: vector<u64>,
): vector<u16> {
    let n_nodes = stake.length();
    let n_shards = n_shards as u64;
    let mut total_stake: u128 = 0;
    let mut i = 0;
    while (i < n_nodes) {
        total_stake = total_stake + (stake[i] as u128);
        i = i + 1;
    };
    assert!(total_stake > 0, ENoStake);
    let max_shards = max_shards_per_node(n_nodes, n_shards);
    let divisor = total_stake / ((n_shards as u128) + 1) + 1;

    let mut shards = vector[];
    let mut distributed = 0;
    let mut k = 0;
    while (k < n_nodes) {
        let initial = (((stake[k] as u128) / divisor) as u64).min(max_shards);
        shards.push_back(initial);
        distributed = distributed + initial;
        k = k + 1;
    };

    while (distributed < n_shards) {
        // The node with the largest quotient stake / (shards + 1) that is below the cap;
        // quotients are compared exactly by cross-multiplication.
        let mut best = option::none<u64>();
        let mut n = 0;
        while (n < n_nodes) {
            if (shards[n] < max_shards) {
                if (best.is_none()) {
                    best = option::some(n);
                } else {
                    let b = *best.borrow();
                    let lhs = (stake[n] as u128) * ((shards[b] as u128) + 1);
                    let rhs = (stake[b] as u128) * ((shards[n] as u128) + 1);
                    if (lhs > rhs || (lhs == rhs && node_priorities[n] > node_priorities[b])) {
                        best = option::some(n);
                    };
                };
            };
            n = n + 1;
        };
        let b = best.destroy_some();
        *&mut shards[b] = shards[b] + 1;
        distributed = distributed + 1;
    };

    let mut result = vector[];
    let mut r = 0;
    while (r < n_nodes) {
        result.push_back(shards[r] as u16);
        r = r + 1;
    };
    result
}

/// n_shards / 10 with at least 20 nodes, else ceil(n_shards × 20 / (n_nodes × 10)).
fun max_shards_per_node(n_nodes: u64, n_shards: u64): u64 {
    if (n_nodes >= MIN_NODES_FOR_SHARDS_LIMIT) {
        n_shards / SHARDS_LIMIT_DENOMINATOR
    } else {
        let numerator = n_shards * MIN_NODES_FOR_SHARDS_LIMIT;
        let denominator = n_nodes * SHARDS_LIMIT_DENOMINATOR;
        (numerator + denominator - 1) / denominator
    }
}

/// Starts the epoch change once the epoch has lasted `epoch_duration` (or `first_epoch_start`
/// in epoch 0). Aborts with `EWrongEpochState` unless the state is `NextParamsSelected` and the
/// time has come.
public(package) fun initiate_epoch_change(
    self: &mut StakingInnerV1,
    clock: &Clock,
    rewards: VecMap<ID, Balance<WAL>>,
) {
    let last_epoch_change = match (self.epoch_state) {
        EpochState::NextParamsSelected(last_epoch_change) => last_epoch_change,
        _ => abort EWrongEpochState,
    };
    let now = clock.timestamp_ms();
    if (self.epoch == 0) {
        assert!(now >= self.first_epoch_start, EWrongEpochState);
    } else {
        assert!(now >= last_epoch_change + self.epoch_duration, EWrongEpochState);
    };
    self.advance_epoch(rewards);
}

/// Moves to the next epoch: rotates the committees, pays `rewards` to the old committee's pools
/// and advances the pools of new members. Emits `EpochChangeStart`.
public(package) fun advance_epoch(self: &mut StakingInnerV1, rewards: VecMap<ID, Balance<WAL>>) {
    assert!(self.next_committee.is_some(), EWrongEpochState);
    self.epoch = self.epoch + 1;
    self.previous_committee = self.committee;
    self.committee = self.next_committee.extract();
    self.epoch_state = EpochState::EpochChangeSync(0);
    let wctx = self.new_walrus_context();

    let (_, new_ids) = committee::diff(&self.previous_committee, &self.committee);
    let (node_ids, mut node_rewards) = rewards.into_keys_values();
    let mut i = 0;
    while (i < node_ids.length()) {
        let node_id = node_ids[i];
        let reward = node_rewards.remove(0);
        self.pool_mut(node_id).advance_epoch(reward, &wctx);
        self.update_active_set_stake(node_id);
        i = i + 1;
    };
    node_rewards.destroy_empty();
    let mut j = 0;
    while (j < new_ids.length()) {
        let node_id = new_ids[j];
        self.pool_mut(node_id).advance_epoch(balance::zero(), &wctx);
        self.update_active_set_stake(node_id);
        j = j + 1;
    };
    events::emit_epoch_change_start(self.epoch);
}

/// Signals that the node holding `cap` received all its shards for `epoch`. When the nodes
/// that signalled hold a quorum of shards, the state becomes `EpochChangeDone(now)` and
/// `EpochChangeDone` is emitted. Emits `ShardsReceived`.
public(package) fun epoch_sync_done(
    self: &mut StakingInnerV1,
    cap: &mut StorageNodeCap,
    epoch: u32,
    clock: &Clock,
) {
    assert!(epoch == self.epoch, EInvalidSyncEpoch);
    assert!(cap.last_epoch_sync_done() < self.epoch, EDuplicateSyncDone);
    cap.set_last_epoch_sync_done(self.epoch);
    assert!(self.committee.contains(&cap.node_id()), ENotInCommittee);
    let node_shards = *self.committee.shards(&cap.node_id());
    match (self.epoch_state) {
        EpochState::EpochChangeSync(weight) => {
            let weight = weight + (node_shards.length() as u16);
            if (self.is_quorum(weight)) {
                self.epoch_state = EpochState::EpochChangeDone(clock.timestamp_ms());
                events::emit_epoch_change_done(self.epoch);
            } else {
                self.epoch_state = EpochState::EpochChangeSync(weight);
            }
        },
        _ => {},
    };
    events::emit_shards_received(self.epoch, node_shards);
}

/// The BLS committee of the next epoch, from the next committee and the recorded keys.
/// Aborts with `ENextCommitteeIsEmpty` if no committee is selected.
public(package) fun next_bls_committee(self: &mut StakingInnerV1): BlsCommittee {
    assert!(self.next_committee.is_some(), ENextCommitteeIsEmpty);
    let public_keys = self.next_epoch_public_keys.swap(vec_map::empty());
    let (pk_ids, keys) = public_keys.into_keys_values();
    let (ids, shard_assignments) = self.next_committee.borrow().to_inner().into_keys_values();
    let mut members = vector[];
    let mut i = 0;
    while (i < ids.length()) {
        assert!(ids[i] == pk_ids[i], EIncorrectNodeOrder);
        let weight = shard_assignments[i].length();
        assert!(weight <= (std::u16::max_value!() as u64), EInvalidNodeWeight);
        members.push_back(bls_aggregate::new_bls_committee_member(keys[i], weight as u16, ids[i]));
        i = i + 1;
    };
    bls_aggregate::new_bls_committee(self.epoch + 1, members)
}

/// haulout governance: sets the epoch duration (ms) used from now on.
public(package) fun set_epoch_duration(self: &mut StakingInnerV1, epoch_duration: u64) {
    self.epoch_duration = epoch_duration;
}

// === Accessors ===

/// The current epoch.
public(package) fun epoch(self: &StakingInnerV1): u32 { self.epoch }

/// The number of shards.
public(package) fun n_shards(self: &StakingInnerV1): u16 { self.n_shards }

/// The epoch duration in ms.
public(package) fun epoch_duration(self: &StakingInnerV1): u64 { self.epoch_duration }

/// The current committee.
public(package) fun committee(self: &StakingInnerV1): &Committee { &self.committee }

/// The previous committee.
public(package) fun previous_committee(self: &StakingInnerV1): &Committee {
    &self.previous_committee
}

/// The next committee, if selected.
public(package) fun next_committee(self: &StakingInnerV1): &Option<Committee> {
    &self.next_committee
}

/// The next epoch's parameters. Aborts if not selected.
public(package) fun next_epoch_params(self: &StakingInnerV1): &EpochParams {
    self.next_epoch_params.borrow()
}

/// The epoch state.
public(package) fun epoch_state(self: &StakingInnerV1): &EpochState { &self.epoch_state }

/// Whether the epoch change is done (`EpochChangeDone`).
public(package) fun is_epoch_sync_done(self: &StakingInnerV1): bool {
    match (self.epoch_state) {
        EpochState::EpochChangeDone(_) => true,
        _ => false,
    }
}

/// Whether the next committee and parameters are selected (`NextParamsSelected`).
public(package) fun is_next_params_selected(self: &StakingInnerV1): bool {
    match (self.epoch_state) {
        EpochState::NextParamsSelected(_) => true,
        _ => false,
    }
}

/// The total stake of the active set.
public(package) fun total_active_stake(self: &StakingInnerV1): u64 {
    self.active_set.borrow().total_stake()
}

/// The active set.
public(package) fun active_set(self: &StakingInnerV1): &ActiveSet { self.active_set.borrow() }

/// Whether a pool exists for `node_id`.
public(package) fun has_pool(self: &StakingInnerV1, node_id: ID): bool {
    self.pools.contains(node_id)
}

/// The pool of `node_id`. Aborts with `EPoolNotFound`.
public(package) fun pool(self: &StakingInnerV1, node_id: ID): &StakingPool {
    assert!(self.pools.contains(node_id), EPoolNotFound);
    self.pools.borrow(node_id)
}

/// The shard count of `node_id` in the current committee. Aborts with `ENotInCommittee`.
public(package) fun get_current_node_weight(self: &StakingInnerV1, node_id: ID): u16 {
    assert!(self.committee.contains(&node_id), ENotInCommittee);
    self.committee.shards(&node_id).length() as u16
}

/// Rewards of `staked_principal` in the pool of `node_id` between the two epochs.
public(package) fun calculate_rewards(
    self: &StakingInnerV1,
    node_id: ID,
    staked_principal: u64,
    activation_epoch: u32,
    withdraw_epoch: u32,
): u64 {
    self.pool(node_id).calculate_rewards(staked_principal, activation_epoch, withdraw_epoch)
}

/// Whether `sw` can be withdrawn without a request.
public(package) fun can_withdraw_staked_wal_early(self: &StakingInnerV1, sw: &StakedWal): bool {
    let in_next = self.is_in_next_committee(sw.node_id());
    sw.can_withdraw_early(in_next, &self.new_walrus_context())
}

/// Whether `weight` shards are a quorum: 3·weight ≥ 2·n_shards + 1.
public(package) fun is_quorum(self: &StakingInnerV1, weight: u16): bool {
    is_quorum_for_n_shards(weight as u64, self.n_shards as u64)
}

// === Internal ===

fun pool_mut(self: &mut StakingInnerV1, node_id: ID): &mut StakingPool {
    assert!(self.pools.contains(node_id), EPoolNotFound);
    self.pools.borrow_mut(node_id)
}

fun is_in_next_committee(self: &StakingInnerV1, node_id: ID): bool {
    if (self.next_committee.is_none()) return false;
    self.next_committee.borrow().contains(&node_id)
}

fun new_walrus_context(self: &StakingInnerV1): WalrusContext {
    walrus_context::new(self.epoch, self.next_committee.is_some(), self.committee.to_inner())
}

fun is_quorum_for_n_shards(weight: u64, n_shards: u64): bool {
    3 * weight >= 2 * n_shards + 1
}

#[test_only]
/// Adds a pool built by a test (no proof of possession).
public(package) fun add_pool_for_testing(self: &mut StakingInnerV1, pool: StakingPool): ID {
    let node_id = object::id(&pool);
    self.pools.add(node_id, pool);
    node_id
}

#[test_only]
/// The Walrus context, for tests.
public(package) fun walrus_context_for_testing(self: &StakingInnerV1): WalrusContext {
    self.new_walrus_context()
}

#[test_only]
/// Sets the epoch state to `EpochChangeDone(timestamp)`, for tests.
public(package) fun set_epoch_change_done_for_testing(self: &mut StakingInnerV1, timestamp: u64) {
    self.epoch_state = EpochState::EpochChangeDone(timestamp);
}
