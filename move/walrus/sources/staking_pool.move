/// A storage node's staking pool: the node's information and votes, its stake (WAL and shares
/// with per-epoch exchange rates), pending stake and withdrawals, rewards and commission.
/// The pool's object ID is the node's ID.
module walrus::staking_pool;

use std::string::String;
use sui::bag::{Self, Bag};
use sui::balance::{Self, Balance};
use sui::table::{Self, Table};
use wal::wal::WAL;
use walrus::auth::{Self, Authenticated, Authorized};
use walrus::messages;
use walrus::node_metadata::NodeMetadata;
use walrus::pending_values::{Self, PendingValues};
use walrus::pool_exchange_rate::{Self, PoolExchangeRate};
use walrus::staked_wal::{Self, StakedWal};
use walrus::storage_node::{Self, StorageNodeInfo};
use walrus::walrus_context::WalrusContext;

/// Longest node name, in bytes.
const MAX_NODE_NAME_LENGTH: u64 = 100;
/// Longest network address: 253 for a DNS name, 1 for the colon, 5 for the port.
const MAX_NETWORK_ADDRESS_LENGTH: u64 = 259;
/// 100% in basis points.
const N_BASIS_POINTS: u16 = 100_00;

/// The pool was already advanced to this epoch.
const EPoolAlreadyUpdated: u64 = 0;
/// A sanity check of the pool's accounting failed.
const ECalculationError: u64 = 1;
/// The pool received rewards while holding no stake.
const EIncorrectEpochAdvance: u64 = 2;
/// The pool is not empty.
const EPoolNotEmpty: u64 = 3;
/// The proof of possession of the BLS key is invalid.
const EInvalidProofOfPossession: u64 = 4;
/// The pool is not active.
const EPoolIsNotActive: u64 = 6;
/// Staking zero WAL.
const EZeroStake: u64 = 7;
/// The staked WAL is not in the `Staked` state.
const ENotStaked: u64 = 8;
/// The staked WAL belongs to another pool.
const EIncorrectPoolId: u64 = 9;
/// The staked WAL is not withdrawing.
const ENotWithdrawing: u64 = 10;
/// The withdraw epoch has not been reached.
const EWithdrawEpochNotReached: u64 = 11;
/// The activation epoch has not been reached.
const EActivationEpochNotReached: u64 = 12;
/// The stake can be withdrawn directly, without a request.
const EWithdrawDirectly: u64 = 13;
/// The commission rate is above 10000 basis points.
const EIncorrectCommissionRate: u64 = 14;
/// The caller is not authorized.
const EAuthorizationFailure: u64 = 15;
/// The network address is too long.
const EInvalidNetworkAddressLength: u64 = 16;
/// The name is too long.
const EInvalidNameLength: u64 = 17;
/// The stake corresponds to zero shares.
const EZeroShares: u64 = 18;

/// The state of the pool.
public enum PoolState has copy, drop, store {
    Active,
    Withdrawing(u32),
    Withdrawn,
}

/// The node's votes on the system parameters.
public struct VotingParams has copy, drop, store {
    storage_price: u64,
    write_price: u64,
    node_capacity: u64,
}

/// A staking pool (Walrus `StakingPool` layout).
public struct StakingPool has key, store {
    id: UID,
    state: PoolState,
    voting_params: VotingParams,
    node_info: StorageNodeInfo,
    activation_epoch: u32,
    latest_epoch: u32,
    /// Active stake plus rewards, in FROST.
    wal_balance: u64,
    num_shares: u64,
    /// Shares to withdraw, by epoch.
    pending_shares_withdraw: PendingValues,
    /// Principals withdrawn before they were active, by withdraw epoch.
    pre_active_withdrawals: PendingValues,
    /// Commission rates to apply, by epoch.
    pending_commission_rate: PendingValues,
    commission_rate: u16,
    exchange_rates: Table<u32, PoolExchangeRate>,
    /// Stake to activate, by activation epoch.
    pending_stake: PendingValues,
    rewards_pool: Balance<WAL>,
    commission: Balance<WAL>,
    commission_receiver: Authorized,
    governance_authorized: Authorized,
    extra_fields: Bag,
}

/// Creates a pool for a new node. Verifies the proof of possession of `public_key` for the
/// sender in the current epoch (`EInvalidProofOfPossession`), the name and address lengths and
/// the commission rate. The pool is active from the current epoch, or the next one if the next
/// committee is already selected.
public(package) fun new(
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
    wctx: &WalrusContext,
    ctx: &mut TxContext,
): StakingPool {
    let pop_message = messages::new_proof_of_possession_msg(wctx.epoch(), ctx.sender(), public_key);
    assert!(pop_message.verify_proof_of_possession(proof_of_possession), EInvalidProofOfPossession);
    new_unchecked(
        name,
        network_address,
        metadata,
        public_key,
        network_public_key,
        commission_rate,
        storage_price,
        write_price,
        node_capacity,
        wctx,
        ctx,
    )
}

/// Creates the pool without the proof-of-possession check. The pool's UID comes from
/// `object::new` here, in the function that packs it, as Sui's ID-leak verifier requires; its
/// ID is the node ID.
fun new_unchecked(
    name: String,
    network_address: String,
    metadata: NodeMetadata,
    public_key: vector<u8>,
    network_public_key: vector<u8>,
    commission_rate: u16,
    storage_price: u64,
    write_price: u64,
    node_capacity: u64,
    wctx: &WalrusContext,
    ctx: &mut TxContext,
): StakingPool {
    assert!(name.length() <= MAX_NODE_NAME_LENGTH, EInvalidNameLength);
    assert!(network_address.length() <= MAX_NETWORK_ADDRESS_LENGTH, EInvalidNetworkAddressLength);
    assert!(commission_rate <= N_BASIS_POINTS, EIncorrectCommissionRate);
    let id = object::new(ctx);
    let node_id = id.to_inner();
    let activation_epoch = if (wctx.committee_selected()) wctx.epoch() + 1 else wctx.epoch();
    let mut exchange_rates = table::new(ctx);
    exchange_rates.add(activation_epoch, pool_exchange_rate::flat());
    StakingPool {
        id,
        state: PoolState::Active,
        voting_params: VotingParams { storage_price, write_price, node_capacity },
        node_info: storage_node::new(
            name,
            node_id,
            network_address,
            public_key,
            network_public_key,
            metadata,
            ctx,
        ),
        activation_epoch,
        latest_epoch: wctx.epoch(),
        wal_balance: 0,
        num_shares: 0,
        pending_shares_withdraw: pending_values::empty(),
        pre_active_withdrawals: pending_values::empty(),
        pending_commission_rate: pending_values::empty(),
        commission_rate,
        exchange_rates,
        pending_stake: pending_values::empty(),
        rewards_pool: balance::zero(),
        commission: balance::zero(),
        commission_receiver: auth::authorized_address(ctx.sender()),
        governance_authorized: auth::authorized_address(ctx.sender()),
        extra_fields: bag::new(ctx),
    }
}

/// Stakes `to_stake`; it becomes active in E+1, or E+2 if the next committee is selected.
/// Aborts with `EPoolIsNotActive` or `EZeroStake`.
public(package) fun stake(
    pool: &mut StakingPool,
    to_stake: Balance<WAL>,
    wctx: &WalrusContext,
    ctx: &mut TxContext,
): StakedWal {
    assert!(pool.is_active(), EPoolIsNotActive);
    assert!(to_stake.value() > 0, EZeroStake);
    let activation_epoch = if (wctx.committee_selected()) wctx.epoch() + 2 else wctx.epoch() + 1;
    let staked_amount = to_stake.value();
    let staked_wal = staked_wal::mint(pool.id.to_inner(), to_stake, activation_epoch, ctx);
    pool.pending_stake.insert_or_add(activation_epoch, staked_amount);
    staked_wal
}

/// Requests the withdrawal of an active (or committee-counted) stake. It becomes withdrawable
/// in E+1 if the node is only in the current committee, E+2 if it is in the next one.
public(package) fun request_withdraw_stake(
    pool: &mut StakingPool,
    staked_wal: &mut StakedWal,
    in_current_committee: bool,
    in_next_committee: bool,
    wctx: &WalrusContext,
) {
    assert!(staked_wal.value() > 0, EZeroStake);
    assert!(staked_wal.node_id() == pool.id.to_inner(), EIncorrectPoolId);
    assert!(staked_wal.is_staked(), ENotStaked);
    assert!(!staked_wal.can_withdraw_early(in_next_committee, wctx), EWithdrawDirectly);

    // Counted in the selected next committee but not active yet: withdraw one epoch after
    // activation.
    if (staked_wal.activation_epoch() == wctx.epoch() + 1) {
        let withdraw_epoch = staked_wal.activation_epoch() + 1;
        pool.pre_active_withdrawals.insert_or_add(withdraw_epoch, staked_wal.value());
        staked_wal.set_withdrawing(withdraw_epoch);
        return
    };
    assert!(staked_wal.activation_epoch() <= wctx.epoch(), EActivationEpochNotReached);

    let withdraw_epoch = if (in_next_committee) {
        wctx.epoch() + 2
    } else if (in_current_committee) {
        wctx.epoch() + 1
    } else {
        abort EWithdrawDirectly
    };
    let share_amount = pool
        .exchange_rate_at_epoch(staked_wal.activation_epoch())
        .convert_to_share_amount(staked_wal.value());
    assert!(share_amount != 0, EZeroShares);
    pool.pending_shares_withdraw.insert_or_add(withdraw_epoch, share_amount);
    staked_wal.set_withdrawing(withdraw_epoch);
}

/// Withdraws a staked WAL: principal plus rewards. Directly for stake that is not active yet
/// or held by a node in no committee; otherwise it must be withdrawing and its withdraw epoch
/// reached.
public(package) fun withdraw_stake(
    pool: &mut StakingPool,
    staked_wal: StakedWal,
    in_current_committee: bool,
    in_next_committee: bool,
    wctx: &WalrusContext,
): Balance<WAL> {
    assert!(staked_wal.value() > 0, EZeroStake);
    assert!(staked_wal.node_id() == pool.id.to_inner(), EIncorrectPoolId);
    let activation_epoch = staked_wal.activation_epoch();

    if (staked_wal.can_withdraw_early(in_next_committee, wctx)) {
        pool.pending_stake.reduce(activation_epoch, staked_wal.value());
        return staked_wal.into_balance()
    };

    let rewards_amount = if (
        !in_current_committee && !in_next_committee && staked_wal.is_staked()
    ) {
        if (activation_epoch > wctx.epoch()) {
            pool.pending_stake.reduce(activation_epoch, staked_wal.value());
            0
        } else {
            let share_amount = pool
                .exchange_rate_at_epoch(activation_epoch)
                .convert_to_share_amount(staked_wal.value());
            pool.pending_shares_withdraw.insert_or_add(wctx.epoch(), share_amount);
            pool.calculate_rewards(staked_wal.value(), activation_epoch, wctx.epoch())
        }
    } else {
        assert!(staked_wal.is_withdrawing(), ENotWithdrawing);
        assert!(staked_wal.withdraw_epoch() <= wctx.epoch(), EWithdrawEpochNotReached);
        assert!(activation_epoch <= wctx.epoch(), EActivationEpochNotReached);
        pool.calculate_rewards(staked_wal.value(), activation_epoch, staked_wal.withdraw_epoch())
    };

    let principal = staked_wal.into_balance();
    let rewards_amount = rewards_amount.min(pool.rewards_pool.value());
    let mut to_withdraw = pool.rewards_pool.split(rewards_amount);
    to_withdraw.join(principal);
    to_withdraw
}

/// Advances the pool to the current epoch of `wctx`: takes the commission from `rewards`,
/// applies a pending commission rate, adds the rest to the pool, rotates the node's key and
/// processes pending stake and withdrawals.
public(package) fun advance_epoch(
    pool: &mut StakingPool,
    mut rewards: Balance<WAL>,
    wctx: &WalrusContext,
) {
    let current_epoch = wctx.epoch();
    assert!(current_epoch > pool.latest_epoch, EPoolAlreadyUpdated);
    assert!(rewards.value() == 0 || pool.wal_balance > 0, EIncorrectEpochAdvance);

    let total_rewards = rewards.value();
    let commission_amount =
        (
            (total_rewards as u128) * (pool.commission_rate as u128) / (N_BASIS_POINTS as u128),
        ) as u64;
    pool.commission.join(rewards.split(commission_amount));

    if (pool.pending_commission_rate.inner().contains(&current_epoch)) {
        let rate = *pool.pending_commission_rate.inner().get(&current_epoch);
        pool.commission_rate = rate as u16;
        pool.pending_commission_rate.flush(current_epoch);
    };

    let rewards_amount = rewards.value();
    pool.rewards_pool.join(rewards);
    pool.wal_balance = pool.wal_balance + rewards_amount;
    pool.latest_epoch = current_epoch;
    pool.node_info.rotate_public_key();
    pool.process_pending_stake(wctx);
}

/// Records the exchange rate of the current epoch and applies the stake and withdrawals that
/// become effective in it.
public(package) fun process_pending_stake(pool: &mut StakingPool, wctx: &WalrusContext) {
    let current_epoch = wctx.epoch();
    let exchange_rate = pool_exchange_rate::new(pool.wal_balance, pool.num_shares);
    if (pool.exchange_rates.contains(current_epoch)) {
        *pool.exchange_rates.borrow_mut(current_epoch) = exchange_rate;
    } else {
        pool.exchange_rates.add(current_epoch, exchange_rate);
    };

    pool.wal_balance = pool.wal_balance + pool.pending_stake.flush(current_epoch);

    // Pre-active withdrawals hold principals that were active for exactly one epoch; convert
    // them with the rate of their activation epoch.
    let pre_active = *pool.pre_active_withdrawals.inner();
    let (epochs, values) = pre_active.into_keys_values();
    let mut pre_active_shares = 0;
    let mut i = 0;
    while (i < epochs.length()) {
        if (epochs[i] <= current_epoch) {
            let rate = pool.exchange_rate_at_epoch(epochs[i] - 1);
            pre_active_shares = pre_active_shares + rate.convert_to_share_amount(values[i]);
        };
        i = i + 1;
    };
    pool.pre_active_withdrawals.flush(current_epoch);

    let shares_withdraw = pool.pending_shares_withdraw.flush(current_epoch);
    let pending_withdrawal = exchange_rate.convert_to_wal_amount(
        shares_withdraw + pre_active_shares,
    );
    assert!(pool.wal_balance >= pending_withdrawal, ECalculationError);
    pool.wal_balance = pool.wal_balance - pending_withdrawal;
    pool.num_shares = exchange_rate.convert_to_share_amount(pool.wal_balance);
}

// === Parameters ===

/// Sets the commission rate that applies from E+2. Aborts with `EIncorrectCommissionRate`.
public(package) fun set_next_commission(
    pool: &mut StakingPool,
    commission_rate: u16,
    wctx: &WalrusContext,
) {
    assert!(commission_rate <= N_BASIS_POINTS, EIncorrectCommissionRate);
    pool.pending_commission_rate.insert_or_replace(wctx.epoch() + 2, commission_rate as u64);
}

public(package) fun set_next_storage_price(pool: &mut StakingPool, storage_price: u64) {
    pool.voting_params.storage_price = storage_price;
}

public(package) fun set_next_write_price(pool: &mut StakingPool, write_price: u64) {
    pool.voting_params.write_price = write_price;
}

public(package) fun set_next_node_capacity(pool: &mut StakingPool, node_capacity: u64) {
    pool.voting_params.node_capacity = node_capacity;
}

/// Sets the BLS key for the node's next committee epoch, after checking its proof of
/// possession.
public(package) fun set_next_public_key(
    self: &mut StakingPool,
    public_key: vector<u8>,
    proof_of_possession: vector<u8>,
    wctx: &WalrusContext,
    ctx: &TxContext,
) {
    let pop_message = messages::new_proof_of_possession_msg(wctx.epoch(), ctx.sender(), public_key);
    assert!(pop_message.verify_proof_of_possession(proof_of_possession), EInvalidProofOfPossession);
    self.node_info.set_next_public_key(public_key);
}

/// Sets the node's name. Aborts with `EInvalidNameLength` above 100 bytes.
public(package) fun set_name(self: &mut StakingPool, name: String) {
    assert!(name.length() <= MAX_NODE_NAME_LENGTH, EInvalidNameLength);
    self.node_info.set_name(name);
}

/// Sets the node's network address. Aborts with `EInvalidNetworkAddressLength` above 259 bytes.
public(package) fun set_network_address(self: &mut StakingPool, network_address: String) {
    assert!(network_address.length() <= MAX_NETWORK_ADDRESS_LENGTH, EInvalidNetworkAddressLength);
    self.node_info.set_network_address(network_address);
}

public(package) fun set_network_public_key(self: &mut StakingPool, network_public_key: vector<u8>) {
    self.node_info.set_network_public_key(network_public_key);
}

public(package) fun set_node_metadata(self: &mut StakingPool, metadata: NodeMetadata) {
    self.node_info.set_node_metadata(metadata);
}

/// Sets who may authorize governance actions. Aborts with `EAuthorizationFailure`.
public(package) fun set_governance_authorized(
    pool: &mut StakingPool,
    authenticated: Authenticated,
    authorized: Authorized,
) {
    assert!(authenticated.matches(&pool.governance_authorized), EAuthorizationFailure);
    pool.governance_authorized = authorized
}

/// Sets who may collect the commission. Aborts with `EAuthorizationFailure`.
public(package) fun set_commission_receiver(
    pool: &mut StakingPool,
    auth: Authenticated,
    receiver: Authorized,
) {
    assert!(auth.matches(&pool.commission_receiver), EAuthorizationFailure);
    pool.commission_receiver = receiver
}

/// Takes all collected commission. Aborts with `EAuthorizationFailure`.
public(package) fun collect_commission(pool: &mut StakingPool, auth: Authenticated): Balance<WAL> {
    assert!(auth.matches(&pool.commission_receiver), EAuthorizationFailure);
    pool.commission.withdraw_all()
}

/// Destroys an empty pool. Aborts with `EPoolNotEmpty`.
public(package) fun destroy_empty(pool: StakingPool) {
    assert!(pool.is_empty(), EPoolNotEmpty);
    let StakingPool { id, exchange_rates, rewards_pool, commission, extra_fields, node_info, .. } =
        pool;
    id.delete();
    exchange_rates.drop();
    node_info.destroy();
    commission.destroy_zero();
    rewards_pool.destroy_zero();
    extra_fields.destroy_empty();
}

// === Views ===

/// The exchange rate at `epoch`: the latest one recorded at or before it, down to the
/// activation epoch; flat if none.
public(package) fun exchange_rate_at_epoch(pool: &StakingPool, epoch: u32): PoolExchangeRate {
    let mut epoch = epoch;
    while (epoch >= pool.activation_epoch) {
        if (pool.exchange_rates.contains(epoch)) return *pool.exchange_rates.borrow(epoch);
        if (epoch == 0) break;
        epoch = epoch - 1;
    };
    pool_exchange_rate::flat()
}

/// The stake the pool will have in `epoch` (current or future), after pending stake and
/// withdrawals up to it.
public(package) fun wal_balance_at_epoch(pool: &StakingPool, epoch: u32): u64 {
    let exchange_rate = pool_exchange_rate::new(pool.wal_balance, pool.num_shares);
    let pre_active = *pool.pre_active_withdrawals.inner();
    let (epochs, values) = pre_active.into_keys_values();
    let mut pre_active_shares = 0;
    let mut i = 0;
    while (i < epochs.length()) {
        if (epochs[i] <= epoch) {
            let rate = pool.exchange_rate_at_epoch(epochs[i] - 1);
            pre_active_shares = pre_active_shares + rate.convert_to_share_amount(values[i]);
        };
        i = i + 1;
    };
    let shares_withdraw = pool.pending_shares_withdraw.value_at(epoch);
    let pending_withdrawal = exchange_rate.convert_to_wal_amount(
        shares_withdraw + pre_active_shares,
    );
    pool.wal_balance + pool.pending_stake.value_at(epoch) - pending_withdrawal
}

/// The rewards earned by `staked_principal` staked from `activation_epoch` to
/// `withdraw_epoch`.
public(package) fun calculate_rewards(
    pool: &StakingPool,
    staked_principal: u64,
    activation_epoch: u32,
    withdraw_epoch: u32,
): u64 {
    let shares = pool
        .exchange_rate_at_epoch(activation_epoch)
        .convert_to_share_amount(staked_principal);
    let wal_amount = pool.exchange_rate_at_epoch(withdraw_epoch).convert_to_wal_amount(shares);
    if (wal_amount >= staked_principal) wal_amount - staked_principal else 0
}

public(package) fun governance_authorized(pool: &StakingPool): &Authorized {
    &pool.governance_authorized
}

public(package) fun commission_receiver(pool: &StakingPool): &Authorized {
    &pool.commission_receiver
}

public(package) fun commission_rate(pool: &StakingPool): u16 { pool.commission_rate }

public(package) fun commission_amount(pool: &StakingPool): u64 { pool.commission.value() }

public(package) fun rewards_amount(pool: &StakingPool): u64 { pool.rewards_pool.value() }

public(package) fun wal_balance(pool: &StakingPool): u64 { pool.wal_balance }

public(package) fun num_shares(pool: &StakingPool): u64 { pool.num_shares }

public(package) fun storage_price(pool: &StakingPool): u64 { pool.voting_params.storage_price }

public(package) fun write_price(pool: &StakingPool): u64 { pool.voting_params.write_price }

public(package) fun node_capacity(pool: &StakingPool): u64 { pool.voting_params.node_capacity }

public(package) fun activation_epoch(pool: &StakingPool): u32 { pool.activation_epoch }

public(package) fun latest_epoch(pool: &StakingPool): u32 { pool.latest_epoch }

public(package) fun node_info(pool: &StakingPool): &StorageNodeInfo { &pool.node_info }

public(package) fun is_active(pool: &StakingPool): bool { pool.state == PoolState::Active }

/// Whether the pool holds nothing.
public(package) fun is_empty(pool: &StakingPool): bool {
    let pending = *pool.pending_stake.inner();
    let (_, values) = pending.into_keys_values();
    let mut non_zero = false;
    let mut i = 0;
    while (i < values.length()) {
        if (values[i] != 0) non_zero = true;
        i = i + 1;
    };
    pool.rewards_pool.value() == 0 &&
    pool.num_shares == 0 &&
    pool.commission.value() == 0 &&
    pool.wal_balance == 0 &&
    !non_zero
}

#[test_only]
/// Creates a pool without checking a proof of possession, for tests with keys whose secret is
/// unknown.
public fun new_for_testing(
    name: String,
    network_address: String,
    metadata: NodeMetadata,
    public_key: vector<u8>,
    network_public_key: vector<u8>,
    commission_rate: u16,
    storage_price: u64,
    write_price: u64,
    node_capacity: u64,
    wctx: &WalrusContext,
    ctx: &mut TxContext,
): StakingPool {
    new_unchecked(
        name,
        network_address,
        metadata,
        public_key,
        network_public_key,
        commission_rate,
        storage_price,
        write_price,
        node_capacity,
        wctx,
        ctx,
    )
}
