/// The shared `Staking` object: storage-node registration, staking, node votes and the epoch
/// change. Its state lives in a `StakingInnerV1` dynamic field keyed by `version`.
module walrus::staking;

use std::string::String;
use sui::clock::Clock;
use sui::coin::Coin;
use sui::dynamic_field as df;
use wal::wal::{WAL, ProtectedTreasury};
use walrus::auth::{Self, Authenticated, Authorized};
use walrus::committee::Committee;
use walrus::events;
use walrus::node_metadata::NodeMetadata;
use walrus::staked_wal::StakedWal;
use walrus::staking_inner::{Self, StakingInnerV1};
use walrus::storage_node::{Self, StorageNodeCap};
use walrus::system::System;

/// The package version does not match the staking object's version.
const EWrongVersion: u64 = 1;

/// Version of the staking object and key of its inner state (haulout's first version).
const VERSION: u64 = 1;

/// Key of the dynamic field holding an epoch duration to apply at the next epoch change
/// (set by haulout governance).
const NEXT_EPOCH_DURATION_KEY: vector<u8> = b"next_epoch_duration";

/// The one and only staking object.
public struct Staking has key {
    id: UID,
    version: u64,
    package_id: ID,
    new_package_id: Option<ID>,
}

/// Creates and shares the staking object. Called once, by `init::initialize_walrus`.
public(package) fun create(
    epoch_zero_duration: u64,
    epoch_duration: u64,
    n_shards: u16,
    package_id: ID,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let mut staking = Staking {
        id: object::new(ctx),
        version: VERSION,
        package_id,
        new_package_id: option::none(),
    };
    let inner = staking_inner::new(epoch_zero_duration, epoch_duration, n_shards, clock, ctx);
    df::add(&mut staking.id, VERSION, inner);
    transfer::share_object(staking)
}

// === Storage nodes ===

/// Registers the sender as a candidate storage node with a new staking pool, whose ID is the
/// node ID. `public_key` is the node's 48-byte BLS key and `proof_of_possession` its signature
/// over the proof-of-possession message for the sender and the current epoch. Returns the
/// node's capability, which also becomes the commission receiver.
public fun register_candidate(
    staking: &mut Staking,
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
): StorageNodeCap {
    let inner = staking.inner_mut();
    let node_id = inner.create_pool(
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
        ctx,
    );
    let cap = storage_node::new_cap(node_id, ctx);
    let receiver = auth::authorized_object(object::id(&cap));
    inner.set_commission_receiver(node_id, auth::authenticate_sender(ctx), receiver);
    cap
}

/// Sets the commission rate (basis points) that applies two epochs from now.
public fun set_next_commission(staking: &mut Staking, cap: &StorageNodeCap, commission_rate: u16) {
    staking.inner_mut().set_next_commission(cap, commission_rate);
}

/// Collects the commission of `node_id`; `auth` must match the pool's commission receiver.
public fun collect_commission(
    staking: &mut Staking,
    node_id: ID,
    auth: Authenticated,
    ctx: &mut TxContext,
): Coin<WAL> {
    staking.inner_mut().collect_commission(node_id, auth).into_coin(ctx)
}

/// Sets the commission receiver of `node_id`; `auth` must match the current receiver.
public fun set_commission_receiver(
    staking: &mut Staking,
    node_id: ID,
    auth: Authenticated,
    receiver: Authorized,
) {
    staking.inner_mut().set_commission_receiver(node_id, auth, receiver);
}

/// Sets who authorizes governance actions for `node_id`; `auth` must match the current one.
public fun set_governance_authorized(
    staking: &mut Staking,
    node_id: ID,
    auth: Authenticated,
    authorized: Authorized,
) {
    staking.inner_mut().set_governance_authorized(node_id, auth, authorized);
}

/// Votes for the storage price (FROST per MiB per epoch).
public fun set_storage_price_vote(self: &mut Staking, cap: &StorageNodeCap, storage_price: u64) {
    self.inner_mut().set_storage_price_vote(cap, storage_price);
}

/// Votes for the write price (FROST per MiB).
public fun set_write_price_vote(self: &mut Staking, cap: &StorageNodeCap, write_price: u64) {
    self.inner_mut().set_write_price_vote(cap, write_price);
}

/// Votes for the node's capacity (encoded bytes).
public fun set_node_capacity_vote(self: &mut Staking, cap: &StorageNodeCap, node_capacity: u64) {
    self.inner_mut().set_node_capacity_vote(cap, node_capacity);
}

/// Recomputes the storage and write prices from the current committee's votes and applies them
/// to the system. Emits `PricesUpdated`.
public fun update_prices(staking: &mut Staking, system: &mut System) {
    let (storage_price, write_price) = staking.inner().recalculate_prices();
    system.set_storage_price(storage_price);
    system.set_write_price(write_price);
    events::emit_prices_updated(staking.inner().epoch(), storage_price, write_price);
}

/// Sets the node's BLS key for its next committee epoch, with a proof of possession.
public fun set_next_public_key(
    self: &mut Staking,
    cap: &StorageNodeCap,
    public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    ctx: &mut TxContext,
) {
    self.inner_mut().set_next_public_key(cap, public_key, proof_of_possession, ctx);
}

/// Sets the node's name (at most 100 bytes).
public fun set_name(self: &mut Staking, cap: &StorageNodeCap, name: String) {
    self.inner_mut().set_name(cap, name);
}

/// Sets the node's network address (`host:port`, at most 259 bytes).
public fun set_network_address(self: &mut Staking, cap: &StorageNodeCap, network_address: String) {
    self.inner_mut().set_network_address(cap, network_address);
}

/// Sets the node's network (TLS) public key (33 bytes).
public fun set_network_public_key(
    self: &mut Staking,
    cap: &StorageNodeCap,
    network_public_key: vector<u8>,
) {
    self.inner_mut().set_network_public_key(cap, network_public_key);
}

/// Sets the node's metadata.
public fun set_node_metadata(self: &mut Staking, cap: &StorageNodeCap, metadata: NodeMetadata) {
    self.inner_mut().set_node_metadata(cap, metadata);
}

// === Epoch change ===

/// Ends the voting period (once half the epoch has passed) and selects the next committee and
/// capacity. Anyone may call it. Emits `EpochParametersSelected`.
public fun voting_end(staking: &mut Staking, clock: &Clock) {
    staking.inner_mut().voting_end(clock)
}

/// Starts the next epoch once the current one is over: burns 3% of the ending epoch's rewards,
/// advances the system to the next committee and capacity, pays the old committee's pools and
/// recomputes the prices. Anyone may call it. Emits `EpochChangeStart` and `PricesUpdated`.
public fun initiate_epoch_change(
    staking: &mut Staking,
    system: &mut System,
    treasury: &mut ProtectedTreasury,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let burn_balance = system.extract_burn_balance();
    wal::wal::burn(treasury, burn_balance.into_coin(ctx));

    let next_epoch_duration = if (df::exists_(&staking.id, NEXT_EPOCH_DURATION_KEY)) {
        option::some<u64>(df::remove(&mut staking.id, NEXT_EPOCH_DURATION_KEY))
    } else {
        option::none()
    };
    let inner = staking.inner_mut();
    let rewards = system.advance_epoch(inner.next_bls_committee(), inner.next_epoch_params());
    inner.initiate_epoch_change(clock, rewards);
    if (next_epoch_duration.is_some()) {
        inner.set_epoch_duration(next_epoch_duration.destroy_some());
    };
    update_prices(staking, system);
}

/// Walrus's name for `initiate_epoch_change`.
public fun initiate_epoch_change_v2(
    staking: &mut Staking,
    system: &mut System,
    treasury: &mut ProtectedTreasury,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    initiate_epoch_change(staking, system, treasury, clock, ctx)
}

/// Signals that the node received all its shards for `epoch`.
public fun epoch_sync_done(
    staking: &mut Staking,
    cap: &mut StorageNodeCap,
    epoch: u32,
    clock: &Clock,
) {
    staking.inner_mut().epoch_sync_done(cap, epoch, clock);
}

// === Staking ===

/// Stakes `to_stake` with the pool of `node_id`. The stake becomes active in the next epoch, or
/// the one after if the next committee is already selected.
public fun stake_with_pool(
    staking: &mut Staking,
    to_stake: Coin<WAL>,
    node_id: ID,
    ctx: &mut TxContext,
): StakedWal {
    staking.inner_mut().stake_with_pool(to_stake, node_id, ctx)
}

/// Requests the withdrawal of an active stake; `withdraw_stake` succeeds from the returned
/// withdraw epoch on. Aborts with `staked_wal::EVoteLocked` while the stake is locked by a
/// governance vote.
public fun request_withdraw_stake(
    staking: &mut Staking,
    staked_wal: &mut StakedWal,
    _ctx: &mut TxContext,
) {
    let inner = staking.inner_mut();
    staked_wal.assert_not_vote_locked(inner.epoch());
    inner.request_withdraw_stake(staked_wal);
}

/// Withdraws a staked WAL: principal plus rewards. Aborts with `staked_wal::EVoteLocked` while
/// the stake is locked by a governance vote.
public fun withdraw_stake(
    staking: &mut Staking,
    staked_wal: StakedWal,
    ctx: &mut TxContext,
): Coin<WAL> {
    let inner = staking.inner_mut();
    staked_wal.assert_not_vote_locked(inner.epoch());
    inner.withdraw_stake(staked_wal, ctx)
}

/// Re-enters the active set with the node's current stake.
public fun try_join_active_set(staking: &mut Staking, cap: &StorageNodeCap) {
    staking.inner_mut().try_join_active_set(cap)
}

// === Views ===

/// The current Walrus epoch.
public fun epoch(staking: &Staking): u32 {
    staking.inner().epoch()
}

/// The number of shards.
public fun n_shards(staking: &Staking): u16 {
    staking.inner().n_shards()
}

/// The current committee.
public fun committee(staking: &Staking): &Committee {
    staking.inner().committee()
}

/// The previous committee.
public fun previous_committee(staking: &Staking): &Committee {
    staking.inner().previous_committee()
}

/// The committee the next selection would produce.
public fun compute_next_committee(staking: &Staking): Committee {
    staking.inner().compute_next_committee()
}

/// The total stake of the active set (FROST).
public fun total_active_stake(staking: &Staking): u64 {
    staking.inner().total_active_stake()
}

/// The rewards of `staked_principal` staked with `node_id` between two epochs.
public fun calculate_rewards(
    staking: &Staking,
    node_id: ID,
    staked_principal: u64,
    activation_epoch: u32,
    withdraw_epoch: u32,
): u64 {
    staking.inner().calculate_rewards(node_id, staked_principal, activation_epoch, withdraw_epoch)
}

/// Whether `staked_wal` can be withdrawn without a request.
public fun can_withdraw_staked_wal_early(staking: &Staking, staked_wal: &StakedWal): bool {
    staking.inner().can_withdraw_staked_wal_early(staked_wal)
}

/// The package ID.
public(package) fun package_id(staking: &Staking): ID { staking.package_id }

/// The object's version.
public(package) fun version(staking: &Staking): u64 { staking.version }

/// haulout governance: sets the epoch duration (ms) to apply at the next epoch change.
public(package) fun set_next_epoch_duration(staking: &mut Staking, epoch_duration_ms: u64) {
    if (df::exists_(&staking.id, NEXT_EPOCH_DURATION_KEY)) {
        let _: u64 = df::remove(&mut staking.id, NEXT_EPOCH_DURATION_KEY);
    };
    df::add(&mut staking.id, NEXT_EPOCH_DURATION_KEY, epoch_duration_ms);
}

/// The inner state. Aborts with `EWrongVersion`.
public(package) fun inner(staking: &Staking): &StakingInnerV1 {
    assert!(staking.version == VERSION, EWrongVersion);
    df::borrow(&staking.id, VERSION)
}

fun inner_mut(staking: &mut Staking): &mut StakingInnerV1 {
    assert!(staking.version == VERSION, EWrongVersion);
    df::borrow_mut(&mut staking.id, VERSION)
}

// === Tests ===

#[test_only]
/// Creates a staking object (not shared) for tests.
public fun new_for_testing(
    epoch_duration: u64,
    n_shards: u16,
    clock: &Clock,
    ctx: &mut TxContext,
): Staking {
    let mut staking = Staking {
        id: object::new(ctx),
        version: VERSION,
        package_id: object::id_from_address(@0x0),
        new_package_id: option::none(),
    };
    df::add(&mut staking.id, VERSION, staking_inner::new(0, epoch_duration, n_shards, clock, ctx));
    staking
}

#[test_only]
/// The inner state, mutably, for tests.
public fun inner_mut_for_testing(staking: &mut Staking): &mut StakingInnerV1 {
    staking.inner_mut()
}

#[test_only]
/// Destroys a staking object in a test.
public fun destroy_for_testing(staking: Staking) {
    sui::test_utils::destroy(staking);
}
