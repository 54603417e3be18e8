//! `walrus::staking` (with `staking_inner`, `staking_pool`, `active_set`, `pending_values`,
//! `pool_exchange_rate`) and `walrus::staked_wal`: the staking natives implemented so far.

use haulout_types::ActiveSet;
use haulout_types::ActiveSetEntry;
use haulout_types::Balance;
use haulout_types::EpochState;
use haulout_types::ExtendedFieldKey;
use haulout_types::ObjectId;
use haulout_types::Packages;
use haulout_types::PendingValues;
use haulout_types::PoolExchangeRate;
use haulout_types::PoolState;
use haulout_types::StakedWal;
use haulout_types::StakedWalState;
use haulout_types::Staking;
use haulout_types::StakingInnerV1;
use haulout_types::StakingPool;
use haulout_types::StorageNodeCap;
use haulout_types::VoteMarks;
use haulout_types::VoteMarksKey;
use haulout_types::Wrapper;
use haulout_types::abort;
use sui_sdk_types::Address;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::Owner;
use sui_sdk_types::TypeTag;

use super::natives::*;
use super::staking_math;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::value::Value;

type R<T> = Result<T, ExecutionError>;

/// `staking::VERSION`.
const VERSION: u64 = 1;

fn p() -> Packages {
    super::packages()
}

/// `Staking::inner`: the object and its inner state (`EWrongVersion` on a version mismatch).
pub(crate) fn load(ctx: &mut NativeContext<'_>, staking: &Value) -> R<(Staking, StakingInnerV1)> {
    let obj: Staking = decode_bytes(&staking.bytes)?;
    if obj.version != VERSION {
        return Err(abort_walrus(ctx, "staking", abort::staking::EWrongVersion));
    }
    let inner = get_field::<u64, StakingInnerV1>(ctx, &p(), obj.id.into(), &VERSION)?
        .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    Ok((obj, inner))
}

/// Writes the inner state back.
pub(crate) fn store(ctx: &mut NativeContext<'_>, obj: &Staking, inner: &StakingInnerV1) -> R<()> {
    set_field(ctx, &p(), obj.id.into(), &VERSION, inner)
}

/// The `Field<Wrapper<ID>, ID>` of a pool in `pools` (its ID; the pool object is its child).
fn pool_field_id(inner: &StakingInnerV1, node_id: ObjectId) -> R<Address> {
    use haulout_types::MoveType as _;
    let key = encode(&Wrapper { name: node_id })?;
    Ok(Address::from(inner.pools.id)
        .derive_dynamic_child_id(&Wrapper::<ObjectId>::type_tag(&p()), &key))
}

/// `pool_mut`: `EPoolNotFound` unless the pool exists. Returns the pool and its field's ID.
fn pool(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
    node_id: ObjectId,
) -> R<(StakingPool, Address)> {
    let field_id = pool_field_id(inner, node_id)?;
    let exists = get_field::<Wrapper<ObjectId>, ObjectId>(
        ctx,
        &p(),
        inner.pools.id.into(),
        &Wrapper { name: node_id },
    )?
    .is_some();
    if !exists {
        return Err(abort_walrus(
            ctx,
            "staking_inner",
            abort::staking_inner::EPoolNotFound,
        ));
    }
    let bytes = ctx
        .child_object(field_id, node_id.into())
        .ok_or(ExecutionError::InvariantViolation)?;
    Ok((decode_bytes(&bytes)?, field_id))
}

fn store_pool(ctx: &mut NativeContext<'_>, pool: &StakingPool, field_id: Address) -> R<()> {
    ctx.transfer(value_of(&p(), pool)?, Owner::Object(field_id))
}

// === pool_exchange_rate ===

fn rate_new(ctx: &NativeContext<'_>, wal_amount: u64, share_amount: u64) -> R<PoolExchangeRate> {
    if share_amount > wal_amount {
        return Err(abort_walrus(
            ctx,
            "pool_exchange_rate",
            abort::pool_exchange_rate::EInvalidRate,
        ));
    }
    Ok(if wal_amount == 0 {
        PoolExchangeRate::Flat
    } else {
        PoolExchangeRate::Variable {
            wal_amount: u128::from(wal_amount),
            share_amount: u128::from(share_amount),
        }
    })
}

fn to_wal(rate: &PoolExchangeRate, amount: u64) -> R<u64> {
    match rate {
        PoolExchangeRate::Flat => Ok(amount),
        PoolExchangeRate::Variable {
            wal_amount,
            share_amount,
        } => u64::try_from(
            (u128::from(amount) * wal_amount)
                .checked_div(*share_amount)
                .ok_or_else(arithmetic)?,
        )
        .map_err(|_| arithmetic()),
    }
}

fn to_shares(rate: &PoolExchangeRate, amount: u64) -> R<u64> {
    match rate {
        PoolExchangeRate::Flat => Ok(amount),
        PoolExchangeRate::Variable {
            wal_amount,
            share_amount,
        } => u64::try_from(
            (u128::from(amount) * share_amount)
                .checked_div(*wal_amount)
                .ok_or_else(arithmetic)?,
        )
        .map_err(|_| arithmetic()),
    }
}

// === pending_values ===

fn value_at(values: &PendingValues, epoch: u32) -> R<u64> {
    let mut total: u64 = 0;
    for e in &values.0.contents {
        if e.key <= epoch {
            total = total.checked_add(e.value).ok_or_else(arithmetic)?;
        }
    }
    Ok(total)
}

fn insert_or_add(values: &mut PendingValues, epoch: u32, value: u64) -> R<()> {
    match values.0.contents.iter_mut().find(|e| e.key == epoch) {
        Some(e) => e.value = e.value.checked_add(value).ok_or_else(arithmetic)?,
        None => values
            .0
            .contents
            .push(haulout_types::Entry { key: epoch, value }),
    }
    Ok(())
}

// === staking_pool ===

fn exchange_rate_at_epoch(
    ctx: &mut NativeContext<'_>,
    pool: &StakingPool,
    epoch: u32,
) -> R<PoolExchangeRate> {
    let mut epoch = epoch;
    while epoch >= pool.activation_epoch {
        if let Some(rate) =
            get_field::<u32, PoolExchangeRate>(ctx, &p(), pool.exchange_rates.id.into(), &epoch)?
        {
            return Ok(rate);
        }
        if epoch == 0 {
            break;
        }
        epoch -= 1;
    }
    Ok(PoolExchangeRate::Flat)
}

fn wal_balance_at_epoch(ctx: &mut NativeContext<'_>, pool: &StakingPool, epoch: u32) -> R<u64> {
    let exchange_rate = rate_new(ctx, pool.wal_balance, pool.num_shares)?;
    let mut pre_active_shares: u64 = 0;
    for e in &pool.pre_active_withdrawals.0.contents {
        if e.key <= epoch {
            let before = e.key.checked_sub(1).ok_or_else(arithmetic)?;
            let rate = exchange_rate_at_epoch(ctx, pool, before)?;
            pre_active_shares = pre_active_shares
                .checked_add(to_shares(&rate, e.value)?)
                .ok_or_else(arithmetic)?;
        }
    }
    let shares_withdraw = value_at(&pool.pending_shares_withdraw, epoch)?;
    let pending_withdrawal = to_wal(
        &exchange_rate,
        shares_withdraw
            .checked_add(pre_active_shares)
            .ok_or_else(arithmetic)?,
    )?;
    pool.wal_balance
        .checked_add(value_at(&pool.pending_stake, epoch)?)
        .and_then(|v| v.checked_sub(pending_withdrawal))
        .ok_or_else(arithmetic)
}

// === active_set ===

fn active_set_insert_or_update(
    set: &mut ActiveSet,
    node_id: ObjectId,
    staked_amount: u64,
) -> R<bool> {
    let index = set.nodes.iter().position(|n| n.node_id == node_id);
    if staked_amount == 0 || staked_amount < set.threshold_stake {
        // remove
        if let Some(i) = index {
            let old = set.nodes.swap_remove(i);
            set.total_stake = set
                .total_stake
                .checked_sub(old.staked_amount)
                .ok_or_else(arithmetic)?;
        }
        return Ok(false);
    }
    if let Some(i) = index {
        let old = set.nodes[i].staked_amount;
        set.total_stake = set
            .total_stake
            .checked_add(staked_amount)
            .and_then(|v| v.checked_sub(old))
            .ok_or_else(arithmetic)?;
        set.nodes[i].staked_amount = staked_amount;
        return Ok(true);
    }
    if set.nodes.len() < usize::from(set.max_size) {
        set.total_stake = set
            .total_stake
            .checked_add(staked_amount)
            .ok_or_else(arithmetic)?;
        set.nodes.push(ActiveSetEntry {
            node_id,
            staked_amount,
        });
        return Ok(true);
    }
    // Full: replace the smallest stake if this one is strictly larger.
    let Some((min_i, min)) = set
        .nodes
        .iter()
        .enumerate()
        .min_by_key(|(_, n)| n.staked_amount)
        .map(|(i, n)| (i, n.staked_amount))
    else {
        return Ok(false);
    };
    if staked_amount <= min {
        return Ok(false);
    }
    set.total_stake = set
        .total_stake
        .checked_add(staked_amount)
        .and_then(|v| v.checked_sub(min))
        .ok_or_else(arithmetic)?;
    set.nodes[min_i] = ActiveSetEntry {
        node_id,
        staked_amount,
    };
    Ok(true)
}

fn update_active_set_stake(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
    pool: &StakingPool,
) -> R<()> {
    let target_epoch = match inner.epoch_state {
        EpochState::NextParamsSelected(_) => inner.epoch.checked_add(2),
        _ => inner.epoch.checked_add(1),
    }
    .ok_or_else(arithmetic)?;
    let balance = wal_balance_at_epoch(ctx, pool, target_epoch)?;
    let parent: Address = inner.active_set.id.into();
    let mut set: ActiveSet = get_field(ctx, &p(), parent, &ExtendedFieldKey::default())?
        .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    active_set_insert_or_update(&mut set, pool.id, balance)?;
    set_field(ctx, &p(), parent, &ExtendedFieldKey::default(), &set)
}

fn stake_with_pool(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let coin = arg(a, 1)?;
    let amount = coin
        .read_u64(32)
        .ok_or(ExecutionError::InvariantViolation)?;
    let coin_id = object_id(coin)?;
    let node_id: ObjectId = decode(a, 2)?;
    // to_stake.into_balance()
    ctx.delete_object(coin_id);
    let (mut pool, field_id) = pool(ctx, &inner, node_id)?;
    if pool.state != PoolState::Active {
        return Err(abort_walrus(
            ctx,
            "staking_pool",
            abort::staking_pool::EPoolIsNotActive,
        ));
    }
    if amount == 0 {
        return Err(abort_walrus(
            ctx,
            "staking_pool",
            abort::staking_pool::EZeroStake,
        ));
    }
    let committee_selected = inner.next_committee.is_some();
    let activation_epoch = inner
        .epoch
        .checked_add(if committee_selected { 2 } else { 1 })
        .ok_or_else(arithmetic)?;
    let staked = StakedWal {
        id: ctx.fresh_id().into(),
        state: StakedWalState::Staked,
        node_id: pool.id,
        principal: Balance::new(amount),
        activation_epoch,
    };
    insert_or_add(&mut pool.pending_stake, activation_epoch, amount)?;
    store_pool(ctx, &pool, field_id)?;
    update_active_set_stake(ctx, &inner, &pool)?;
    store(ctx, &obj, &inner)?;
    Ok(vec![value_of(&p(), &staked)?])
}

// === node settings (StorageNodeCap) ===

/// `staking_pool::MAX_NODE_NAME_LENGTH`.
const MAX_NODE_NAME_LENGTH: usize = 100;
/// `staking_pool::MAX_NETWORK_ADDRESS_LENGTH`.
const MAX_NETWORK_ADDRESS_LENGTH: usize = 259;
/// `staking_pool::N_BASIS_POINTS`.
const N_BASIS_POINTS: u16 = 10_000;

/// `inner_mut` then `pool_mut(cap.node_id())`: the staking object, its inner state, the cap's
/// pool and the pool's field ID.
fn cap_pool(
    ctx: &mut NativeContext<'_>,
    a: &[Value],
) -> R<(Staking, StakingInnerV1, StakingPool, Address)> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let cap: StorageNodeCap = decode(a, 1)?;
    let (pool, field_id) = pool(ctx, &inner, cap.node_id)?;
    Ok((obj, inner, pool, field_id))
}

/// Writes back what `cap_pool` borrowed mutably.
fn cap_pool_done(
    ctx: &mut NativeContext<'_>,
    obj: &Staking,
    inner: &StakingInnerV1,
    pool: &StakingPool,
    field_id: Address,
) -> R<Vec<Value>> {
    store_pool(ctx, pool, field_id)?;
    store(ctx, obj, inner)?;
    Ok(vec![])
}

fn sp_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "staking_pool", code)
}

fn set_next_commission(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    let rate: u16 = decode(a, 2)?;
    if rate > N_BASIS_POINTS {
        return Err(sp_abort(ctx, abort::staking_pool::EIncorrectCommissionRate));
    }
    let epoch = inner.epoch.checked_add(2).ok_or_else(arithmetic)?;
    match pool
        .pending_commission_rate
        .0
        .contents
        .iter_mut()
        .find(|e| e.key == epoch)
    {
        Some(e) => e.value = u64::from(rate),
        None => pool
            .pending_commission_rate
            .0
            .contents
            .push(haulout_types::Entry {
                key: epoch,
                value: u64::from(rate),
            }),
    }
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_storage_price_vote(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    pool.voting_params.storage_price = decode(a, 2)?;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_write_price_vote(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    pool.voting_params.write_price = decode(a, 2)?;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_node_capacity_vote(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    pool.voting_params.node_capacity = decode(a, 2)?;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_name(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    let name: String = decode(a, 2)?;
    if name.len() > MAX_NODE_NAME_LENGTH {
        return Err(sp_abort(ctx, abort::staking_pool::EInvalidNameLength));
    }
    pool.node_info.name = name;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_network_address(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    let address: String = decode(a, 2)?;
    if address.len() > MAX_NETWORK_ADDRESS_LENGTH {
        return Err(sp_abort(
            ctx,
            abort::staking_pool::EInvalidNetworkAddressLength,
        ));
    }
    pool.node_info.network_address = address;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

/// `messages::new_proof_of_possession_msg` + `verify_proof_of_possession`: the key must be 48
/// bytes and the proof must sign (epoch, sender, key) with it.
fn check_proof_of_possession(
    ctx: &mut NativeContext<'_>,
    epoch: u32,
    public_key: &[u8],
    proof_of_possession: &[u8],
) -> R<()> {
    if public_key.len() != BLS_KEY_LEN {
        return Err(abort_walrus(
            ctx,
            "messages",
            abort::messages::EInvalidKeyLength,
        ));
    }
    let message =
        super::bls::proof_of_possession_message(epoch, ctx.sender().as_bytes(), public_key);
    if !super::bls::verify(proof_of_possession, public_key, &message) {
        return Err(sp_abort(
            ctx,
            abort::staking_pool::EInvalidProofOfPossession,
        ));
    }
    Ok(())
}

fn set_next_public_key(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    let public_key: Vec<u8> = decode(a, 2)?;
    let proof_of_possession: Vec<u8> = decode(a, 3)?;
    check_proof_of_possession(ctx, inner.epoch, &public_key, &proof_of_possession)?;
    // storage_node::set_next_public_key: stored uncompressed.
    let uncompressed = super::bls::public_key(&public_key)
        .ok_or(ExecutionError::InvariantViolation)?
        .serialize()
        .to_vec();
    pool.node_info.next_epoch_public_key = Some(haulout_types::Element::new(uncompressed));
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_network_public_key(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner, mut pool, field_id) = cap_pool(ctx, a)?;
    let key: Vec<u8> = decode(a, 2)?;
    if key.len() != NETWORK_PUBLIC_KEY_LEN {
        return Err(abort_walrus(
            ctx,
            "storage_node",
            abort::storage_node::EInvalidNetworkPublicKey,
        ));
    }
    pool.node_info.network_public_key = key;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_node_metadata(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (obj, inner, pool, field_id) = cap_pool(ctx, a)?;
    let metadata: haulout_types::NodeMetadata = decode(a, 2)?;
    // extended_field::swap: the value under the extended field's key is replaced.
    set_field(
        ctx,
        &p(),
        pool.node_info.metadata.id.into(),
        &ExtendedFieldKey::default(),
        &metadata,
    )?;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

/// `set_commission_receiver` / `set_governance_authorized`: `auth` must match the current
/// value (`EAuthorizationFailure`), which `authorized` then replaces.
fn set_authorized(
    ctx: &mut NativeContext<'_>,
    a: &mut [Value],
    field: fn(&mut StakingPool) -> &mut haulout_types::Authorized,
) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let node_id: ObjectId = decode(a, 1)?;
    let auth: haulout_types::Authenticated = decode(a, 2)?;
    let authorized: haulout_types::Authorized = decode(a, 3)?;
    let (mut pool, field_id) = pool(ctx, &inner, node_id)?;
    if !super::auth::matches(&auth, field(&mut pool)) {
        return Err(sp_abort(ctx, abort::staking_pool::EAuthorizationFailure));
    }
    *field(&mut pool) = authorized;
    cap_pool_done(ctx, &obj, &inner, &pool, field_id)
}

fn set_commission_receiver(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    set_authorized(ctx, a, |pool| &mut pool.commission_receiver)
}

fn set_governance_authorized(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    set_authorized(ctx, a, |pool| &mut pool.governance_authorized)
}

fn try_join_active_set(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let cap: StorageNodeCap = decode(a, 1)?;
    // `pools.borrow(node_id)`: an object_table borrow, no `EPoolNotFound` check.
    let pool =
        try_pool(ctx, &inner, cap.node_id)?.ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    update_active_set_stake(ctx, &inner, &pool)?;
    store(ctx, &obj, &inner)?;
    Ok(vec![])
}

// === views ===

fn calculate_rewards(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let node_id: ObjectId = decode(a, 1)?;
    let principal: u64 = decode(a, 2)?;
    let activation_epoch: u32 = decode(a, 3)?;
    let withdraw_epoch: u32 = decode(a, 4)?;
    let (pool, _) = pool(ctx, &inner, node_id)?;
    // No rate is recorded after the current epoch (+ 2 to be safe), so looking up from there
    // down gives the same rate as from any later epoch.
    let until = inner.epoch.saturating_add(2);
    let rates = rates_until(ctx, &pool, until)?;
    let rewards = staking_math::pool_calculate_rewards(
        &pool,
        principal,
        activation_epoch.min(until),
        withdraw_epoch.min(until),
        &|e| rates.get(&e).copied(),
    )
    .map_err(|e| move_error(ctx, e))?;
    Ok(vec![Value::u64(rewards)])
}

fn can_withdraw_staked_wal_early(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let sw: StakedWal = decode(a, 1)?;
    let (_, in_next) = committees(&inner, sw.node_id);
    let early = staking_math::can_withdraw_early(&sw, in_next, stake_ctx(&inner))
        .map_err(|e| move_error(ctx, e))?;
    Ok(vec![prim(TypeTag::Bool, &early)?])
}

// === withdrawals ===

/// A pool's recorded exchange rates from its activation epoch to `until` (the `exchange_rates`
/// table, read ahead so the pure functions of `staking_math` can look them up).
fn rates_until(
    ctx: &mut NativeContext<'_>,
    pool: &StakingPool,
    until: u32,
) -> R<std::collections::HashMap<u32, PoolExchangeRate>> {
    let mut rates = std::collections::HashMap::new();
    for epoch in pool.activation_epoch..=until {
        if let Some(rate) =
            get_field::<u32, PoolExchangeRate>(ctx, &p(), pool.exchange_rates.id.into(), &epoch)?
        {
            rates.insert(epoch, rate);
        }
    }
    Ok(rates)
}

/// `staked_wal::assert_not_vote_locked(inner.epoch())`.
fn assert_not_vote_locked(ctx: &mut NativeContext<'_>, sw: &StakedWal, epoch: u32) -> R<()> {
    let until = marks(ctx, sw)?.map_or(0, |m| m.locked_until_epoch);
    if epoch < until {
        return Err(sw_abort(ctx, abort::staked_wal::EVoteLocked));
    }
    Ok(())
}

fn stake_ctx(inner: &StakingInnerV1) -> staking_math::StakeCtx {
    staking_math::StakeCtx {
        epoch: inner.epoch,
        committee_selected: inner.next_committee.is_some(),
    }
}

fn committees(inner: &StakingInnerV1, node_id: ObjectId) -> (bool, bool) {
    let in_current = inner.committee.0.get(&node_id).is_some();
    let in_next = inner
        .next_committee
        .as_ref()
        .is_some_and(|c| c.0.get(&node_id).is_some());
    (in_current, in_next)
}

fn request_withdraw_stake(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let mut sw: StakedWal = decode(a, 1)?;
    assert_not_vote_locked(ctx, &sw, inner.epoch)?;
    let (in_current, in_next) = committees(&inner, sw.node_id);
    let (mut pool, field_id) = pool(ctx, &inner, sw.node_id)?;
    let until = inner.epoch.checked_add(2).ok_or_else(arithmetic)?;
    let rates = rates_until(ctx, &pool, until)?;
    staking_math::pool_request_withdraw_stake(
        &mut pool,
        &mut sw,
        in_current,
        in_next,
        stake_ctx(&inner),
        &|e| rates.get(&e).copied(),
    )
    .map_err(|e| move_error(ctx, e))?;
    store_pool(ctx, &pool, field_id)?;
    update_active_set_stake(ctx, &inner, &pool)?;
    store(ctx, &obj, &inner)?;
    write_back(a, 1, &sw)?;
    Ok(vec![])
}

fn withdraw_stake(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let sw: StakedWal = decode(a, 1)?;
    assert_not_vote_locked(ctx, &sw, inner.epoch)?;
    let (in_current, in_next) = committees(&inner, sw.node_id);
    let (mut pool, field_id) = pool(ctx, &inner, sw.node_id)?;
    let until = inner.epoch.checked_add(2).ok_or_else(arithmetic)?;
    let rates = rates_until(ctx, &pool, until)?;
    let amount = staking_math::pool_withdraw_stake(
        &mut pool,
        &sw,
        in_current,
        in_next,
        stake_ctx(&inner),
        &|e| rates.get(&e).copied(),
    )
    .map_err(|e| move_error(ctx, e))?;
    // staked_wal.into_balance()
    remove_field::<VoteMarksKey, VoteMarks>(ctx, &p(), sw.id.into(), &VoteMarksKey::default())?;
    ctx.delete_object(sw.id.into());
    store_pool(ctx, &pool, field_id)?;
    update_active_set_stake(ctx, &inner, &pool)?;
    store(ctx, &obj, &inner)?;
    let coin_type = <haulout_types::Wal as haulout_types::MoveType>::type_tag(&p());
    Ok(vec![Value::coin(coin_type, ctx.fresh_id(), amount)])
}

// === commission and prices ===

fn collect_commission(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let (obj, inner) = load(ctx, arg(a, 0)?)?;
    let node_id: ObjectId = decode(a, 1)?;
    let auth: haulout_types::Authenticated = decode(a, 2)?;
    let (mut pool, field_id) = pool(ctx, &inner, node_id)?;
    if !super::auth::matches(&auth, &pool.commission_receiver) {
        return Err(sp_abort(ctx, abort::staking_pool::EAuthorizationFailure));
    }
    let amount = std::mem::take(&mut pool.commission.value);
    store_pool(ctx, &pool, field_id)?;
    store(ctx, &obj, &inner)?;
    let coin_type = <haulout_types::Wal as haulout_types::MoveType>::type_tag(&p());
    Ok(vec![Value::coin(coin_type, ctx.fresh_id(), amount)])
}

/// The pool of `node_id` if it exists (an `ObjectTable` borrow).
fn try_pool(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
    node_id: ObjectId,
) -> R<Option<StakingPool>> {
    let field_id = pool_field_id(inner, node_id)?;
    match ctx.child_object(field_id, node_id.into()) {
        Some(bytes) => Ok(Some(decode_bytes(&bytes)?)),
        None => Ok(None),
    }
}

/// `staking_inner::recalculate_prices`.
pub(crate) fn recalculate_prices(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
) -> R<(u64, u64)> {
    let mut votes = std::collections::HashMap::new();
    for entry in &inner.committee.0.contents {
        if let Some(pool) = try_pool(ctx, inner, entry.key)? {
            votes.insert(entry.key, pool.voting_params);
        }
    }
    staking_math::recalculate_prices(&inner.committee, inner.n_shards, |id| {
        votes.get(id).copied()
    })
    .map_err(|e| move_error(ctx, e))
}

fn update_prices(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (_, inner) = load(ctx, arg(a, 0)?)?;
    let (storage_price, write_price) = recalculate_prices(ctx, &inner)?;
    let (sys, mut sys_inner) = super::system::load(ctx, arg(a, 1)?)?;
    sys_inner.storage_price_per_unit_size = storage_price;
    sys_inner.write_price_per_unit_size = write_price;
    super::system::store(ctx, &sys, &sys_inner)?;
    emit(
        ctx,
        &p(),
        &haulout_types::PricesUpdated {
            epoch: inner.epoch,
            storage_price,
            write_price,
        },
    )?;
    Ok(vec![])
}

// === register_candidate ===

/// `storage_node::NETWORK_PUBLIC_KEY_LEN`.
const NETWORK_PUBLIC_KEY_LEN: usize = 33;
/// `messages::BLS_KEY_LEN`.
const BLS_KEY_LEN: usize = 48;

fn register_candidate(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    use haulout_types::Authorized;
    use haulout_types::Bag;
    use haulout_types::Element;
    use haulout_types::ExtendedField;
    use haulout_types::NodeMetadata;
    use haulout_types::StorageNodeInfo;
    use haulout_types::Table;
    use haulout_types::VotingParams;

    let (obj, mut inner) = load(ctx, arg(a, 0)?)?;
    let name: String = decode(a, 1)?;
    let network_address: String = decode(a, 2)?;
    let metadata: NodeMetadata = decode(a, 3)?;
    let public_key: Vec<u8> = decode(a, 4)?;
    let network_public_key: Vec<u8> = decode(a, 5)?;
    let proof_of_possession: Vec<u8> = decode(a, 6)?;
    let commission_rate: u16 = decode(a, 7)?;
    let storage_price: u64 = decode(a, 8)?;
    let write_price: u64 = decode(a, 9)?;
    let node_capacity: u64 = decode(a, 10)?;
    let sender = ctx.sender();
    // staking_pool::new
    let node_id: ObjectId = ctx.fresh_id().into();
    check_proof_of_possession(ctx, inner.epoch, &public_key, &proof_of_possession)?;
    // new_unchecked
    if name.len() > MAX_NODE_NAME_LENGTH {
        return Err(sp_abort(ctx, abort::staking_pool::EInvalidNameLength));
    }
    if network_address.len() > MAX_NETWORK_ADDRESS_LENGTH {
        return Err(sp_abort(
            ctx,
            abort::staking_pool::EInvalidNetworkAddressLength,
        ));
    }
    let activation_epoch =
        staking_math::new_pool_activation_epoch(commission_rate, stake_ctx(&inner))
            .map_err(|e| move_error(ctx, e))?;
    let exchange_rates_id = ctx.fresh_id();
    set_field(
        ctx,
        &p(),
        exchange_rates_id,
        &activation_epoch,
        &PoolExchangeRate::Flat,
    )?;
    // storage_node::new
    if network_public_key.len() != NETWORK_PUBLIC_KEY_LEN {
        return Err(abort_walrus(
            ctx,
            "storage_node",
            abort::storage_node::EInvalidNetworkPublicKey,
        ));
    }
    let uncompressed = super::bls::public_key(&public_key)
        .ok_or(ExecutionError::InvariantViolation)?
        .serialize()
        .to_vec();
    let metadata_id = ctx.fresh_id();
    set_field(
        ctx,
        &p(),
        metadata_id,
        &ExtendedFieldKey::default(),
        &metadata,
    )?;
    let extra_fields_id = ctx.fresh_id();
    let sender_id: Address = sender;
    let pool = StakingPool {
        id: node_id,
        state: PoolState::Active,
        voting_params: VotingParams {
            storage_price,
            write_price,
            node_capacity,
        },
        node_info: StorageNodeInfo {
            name,
            node_id,
            network_address,
            public_key: Element::new(uncompressed),
            next_epoch_public_key: None,
            network_public_key,
            metadata: ExtendedField::new(metadata_id.into()),
        },
        activation_epoch,
        latest_epoch: inner.epoch,
        wal_balance: 0,
        num_shares: 0,
        pending_shares_withdraw: PendingValues::default(),
        pre_active_withdrawals: PendingValues::default(),
        pending_commission_rate: PendingValues::default(),
        commission_rate,
        exchange_rates: Table::new(exchange_rates_id.into(), 1),
        pending_stake: PendingValues::default(),
        rewards_pool: Balance::new(0),
        commission: Balance::new(0),
        commission_receiver: Authorized::Address(sender_id),
        governance_authorized: Authorized::Address(sender_id),
        extra_fields: Bag {
            id: extra_fields_id.into(),
            size: 0,
        },
    };
    // pools.add(node_id, pool)
    set_field(
        ctx,
        &p(),
        inner.pools.id.into(),
        &Wrapper { name: node_id },
        &node_id,
    )?;
    inner.pools.size = inner.pools.size.checked_add(1).ok_or_else(arithmetic)?;
    let field_id = pool_field_id(&inner, node_id)?;
    // storage_node::new_cap, then the cap becomes the commission receiver.
    let cap = StorageNodeCap {
        id: ctx.fresh_id().into(),
        node_id,
        last_epoch_sync_done: 0,
        last_event_blob_attestation: None,
        deny_list_root: haulout_types::U256::default(),
        deny_list_sequence: 0,
        deny_list_size: 0,
    };
    let mut pool = pool;
    pool.commission_receiver = Authorized::ObjectID(cap.id);
    store_pool(ctx, &pool, field_id)?;
    store(ctx, &obj, &inner)?;
    Ok(vec![value_of(&p(), &cap)?])
}

// === epochs ===

fn clock_t() -> SigType {
    SigType::datatype(Address::TWO, "clock", "Clock", vec![])
}

/// `clock.timestamp_ms()`.
fn timestamp_ms(clock: &Value) -> R<u64> {
    clock.read_u64(32).ok_or(ExecutionError::InvariantViolation)
}

fn si_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "staking_inner", code)
}

fn active_set(ctx: &mut NativeContext<'_>, inner: &StakingInnerV1) -> R<ActiveSet> {
    get_field(
        ctx,
        &p(),
        inner.active_set.id.into(),
        &ExtendedFieldKey::default(),
    )?
    .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))
}

/// `staking_inner::voting_end`.
fn voting_end(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    use haulout_types::Element;
    use haulout_types::EpochParams;
    use haulout_types::UncompressedG1;
    use haulout_types::VecMap;

    let (obj, mut inner) = load(ctx, arg(a, 0)?)?;
    let now = timestamp_ms(arg(a, 1)?)?;
    let EpochState::EpochChangeDone(last_epoch_change) = inner.epoch_state else {
        return Err(si_abort(ctx, abort::staking_inner::EWrongEpochState));
    };
    let due = if inner.epoch != 0 {
        last_epoch_change
            .checked_add(inner.epoch_duration / 2)
            .ok_or_else(arithmetic)?
    } else {
        inner.first_epoch_start
    };
    if now < due {
        return Err(si_abort(ctx, abort::staking_inner::EWrongEpochState));
    }
    // select_committee_and_calculate_votes
    if inner.next_committee.is_some() {
        return Err(si_abort(ctx, abort::staking_inner::ECommitteeSelected));
    }
    let set = active_set(ctx, &inner)?;
    let committee = staking_math::compute_next_committee(&inner.committee, &set, inner.n_shards)
        .map_err(|e| move_error(ctx, e))?;
    let mut pools = std::collections::HashMap::new();
    for entry in &committee.0.contents {
        if let Some(pool) = try_pool(ctx, &inner, entry.key)? {
            pools.insert(entry.key, pool);
        }
    }
    let capacity = staking_math::next_epoch_capacity(&committee, inner.n_shards, |id| {
        pools.get(id).map(|p| p.voting_params.node_capacity)
    })
    .map_err(|e| move_error(ctx, e))?;
    let keys: VecMap<ObjectId, Element<UncompressedG1>> = committee
        .0
        .contents
        .iter()
        .filter_map(|e| {
            pools.get(&e.key).map(|p| {
                let info = &p.node_info;
                let key = info
                    .next_epoch_public_key
                    .clone()
                    .unwrap_or_else(|| info.public_key.clone());
                (e.key, key)
            })
        })
        .collect();
    set_field(
        ctx,
        &p(),
        inner.next_epoch_public_keys.id.into(),
        &ExtendedFieldKey::default(),
        &keys,
    )?;
    inner.next_committee = Some(committee);
    inner.next_epoch_params = Some(EpochParams {
        total_capacity_size: capacity,
        storage_price_per_unit_size: u64::MAX,
        write_price_per_unit_size: u64::MAX,
    });
    inner.epoch_state = EpochState::NextParamsSelected(last_epoch_change);
    let next_epoch = inner.epoch.checked_add(1).ok_or_else(arithmetic)?;
    store(ctx, &obj, &inner)?;
    emit(
        ctx,
        &p(),
        &haulout_types::EpochParametersSelected { next_epoch },
    )?;
    Ok(vec![])
}

/// `staking_inner::epoch_sync_done`.
fn epoch_sync_done(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let (obj, mut inner) = load(ctx, arg(a, 0)?)?;
    let mut cap: StorageNodeCap = decode(a, 1)?;
    let epoch: u32 = decode(a, 2)?;
    let now = timestamp_ms(arg(a, 3)?)?;
    if epoch != inner.epoch {
        return Err(si_abort(ctx, abort::staking_inner::EInvalidSyncEpoch));
    }
    if cap.last_epoch_sync_done >= inner.epoch {
        return Err(si_abort(ctx, abort::staking_inner::EDuplicateSyncDone));
    }
    cap.last_epoch_sync_done = inner.epoch;
    let Some(node_shards) = inner.committee.0.get(&cap.node_id).cloned() else {
        return Err(si_abort(ctx, abort::staking_inner::ENotInCommittee));
    };
    if let EpochState::EpochChangeSync(weight) = inner.epoch_state {
        let len = u16::try_from(node_shards.len()).map_err(|_| arithmetic())?;
        let weight = weight.checked_add(len).ok_or_else(arithmetic)?;
        if staking_math::is_quorum(u64::from(weight), u64::from(inner.n_shards))
            .map_err(|e| move_error(ctx, e))?
        {
            inner.epoch_state = EpochState::EpochChangeDone(now);
            emit(
                ctx,
                &p(),
                &haulout_types::EpochChangeDone { epoch: inner.epoch },
            )?;
        } else {
            inner.epoch_state = EpochState::EpochChangeSync(weight);
        }
    }
    emit(
        ctx,
        &p(),
        &haulout_types::ShardsReceived {
            epoch: inner.epoch,
            shards: node_shards,
        },
    )?;
    store(ctx, &obj, &inner)?;
    write_back(a, 1, &cap)?;
    Ok(vec![])
}

/// `staking::NEXT_EPOCH_DURATION_KEY`: where an executed governance proposal leaves the epoch
/// duration that the next epoch change applies.
pub(super) const NEXT_EPOCH_DURATION_KEY: &[u8] = b"next_epoch_duration";

/// `staking_inner::next_bls_committee` (the keys' extended field is emptied).
fn next_bls_committee(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
) -> R<haulout_types::BlsCommittee> {
    use haulout_types::BlsCommitteeMember;
    use haulout_types::Element;
    use haulout_types::UncompressedG1;
    use haulout_types::VecMap;

    let Some(next) = inner.next_committee.as_ref() else {
        return Err(si_abort(ctx, abort::staking_inner::ENextCommitteeIsEmpty));
    };
    let parent: Address = inner.next_epoch_public_keys.id.into();
    let keys: VecMap<ObjectId, Element<UncompressedG1>> =
        get_field(ctx, &p(), parent, &ExtendedFieldKey::default())?
            .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
    set_field(
        ctx,
        &p(),
        parent,
        &ExtendedFieldKey::default(),
        &VecMap::<ObjectId, Element<UncompressedG1>>::default(),
    )?;
    let mut members = Vec::with_capacity(next.0.contents.len());
    for (i, entry) in next.0.contents.iter().enumerate() {
        let key = keys.contents.get(i).ok_or_else(arithmetic)?;
        if entry.key != key.key {
            return Err(si_abort(ctx, abort::staking_inner::EIncorrectNodeOrder));
        }
        let weight = u16::try_from(entry.value.len())
            .map_err(|_| si_abort(ctx, abort::staking_inner::EInvalidNodeWeight))?;
        members.push(BlsCommitteeMember {
            public_key: key.value.clone(),
            weight,
            node_id: entry.key,
        });
    }
    // bls_aggregate::new_bls_committee
    let mut n_shards: u16 = 0;
    for m in &members {
        if m.weight == 0 {
            return Err(abort_walrus(
                ctx,
                "bls_aggregate",
                abort::bls_aggregate::EIncorrectCommittee,
            ));
        }
        n_shards = n_shards.checked_add(m.weight).ok_or_else(arithmetic)?;
    }
    let key_refs: Vec<&[u8]> = members
        .iter()
        .map(|m| m.public_key.bytes.as_slice())
        .collect();
    let total =
        super::bls::aggregate_public_keys(&key_refs).ok_or(ExecutionError::InvariantViolation)?;
    Ok(haulout_types::BlsCommittee {
        members,
        n_shards,
        epoch: inner.epoch.checked_add(1).ok_or_else(arithmetic)?,
        total_aggregated_key: Element::new(total.compress().to_vec()),
    })
}

/// `staking_pool::advance_epoch` of `node_id` with `reward`, its new exchange rate stored, then
/// `update_active_set_stake`.
fn advance_pool(
    ctx: &mut NativeContext<'_>,
    inner: &StakingInnerV1,
    node_id: ObjectId,
    reward: u64,
) -> R<()> {
    let (mut pool, field_id) = pool(ctx, inner, node_id)?;
    let rates = rates_until(ctx, &pool, inner.epoch)?;
    let rate = staking_math::pool_advance_epoch(&mut pool, reward, inner.epoch, &|e| {
        rates.get(&e).copied()
    })
    .map_err(|e| move_error(ctx, e))?;
    set_field(
        ctx,
        &p(),
        pool.exchange_rates.id.into(),
        &inner.epoch,
        &rate,
    )?;
    if !rates.contains_key(&inner.epoch) {
        pool.exchange_rates.size = pool
            .exchange_rates
            .size
            .checked_add(1)
            .ok_or_else(arithmetic)?;
    }
    store_pool(ctx, &pool, field_id)?;
    update_active_set_stake(ctx, inner, &pool)
}

/// `staking::initiate_epoch_change` (and `_v2`).
fn initiate_epoch_change(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    // system.extract_burn_balance(), wal::burn
    let (sys, mut sys_inner) = super::system::load(ctx, arg(a, 1)?)?;
    let burn = staking_math::ring_extract_burn(&mut sys_inner.future_accounting)
        .map_err(|e| move_error(ctx, e))?;
    let _coin_id = ctx.fresh_id(); // burn_balance.into_coin(ctx)
    let treasury: haulout_types::ProtectedTreasury = decode(a, 2)?;
    let (cap_field, mut cap) = super::storage::treasury_cap(ctx, &treasury)?;
    cap.total_supply.value = cap
        .total_supply
        .value
        .checked_sub(burn)
        .ok_or_else(arithmetic)?;
    ctx.transfer(value_of(&p(), &cap)?, Owner::Object(cap_field))?;
    // NEXT_EPOCH_DURATION_KEY
    let staking_obj: Staking = decode_bytes(&arg(a, 0)?.bytes)?;
    let next_epoch_duration: Option<u64> = remove_field(
        ctx,
        &p(),
        staking_obj.id.into(),
        &NEXT_EPOCH_DURATION_KEY.to_vec(),
    )?;
    let (obj, mut inner) = load(ctx, arg(a, 0)?)?;
    let now = timestamp_ms(arg(a, 3)?)?;
    let bls_committee = next_bls_committee(ctx, &inner)?;
    let Some(params) = inner.next_epoch_params else {
        return Err(ctx.abort_at(
            Address::from_static("0x1"),
            "option",
            staking_math::EOPTION_NOT_SET,
        ));
    };
    // system.advance_epoch
    let old_epoch = sys_inner.committee.epoch;
    if bls_committee.epoch != old_epoch.checked_add(1).ok_or_else(arithmetic)? {
        return Err(abort_walrus(
            ctx,
            "system_state_inner",
            abort::system_state_inner::EIncorrectCommittee,
        ));
    }
    let old_committee: Vec<(ObjectId, u16)> = sys_inner
        .committee
        .members
        .iter()
        .map(|m| (m.node_id, m.weight))
        .collect();
    sys_inner.committee = bls_committee;
    let deny_list_sizes: haulout_types::VecMap<ObjectId, u64> = get_field(
        ctx,
        &p(),
        sys_inner.deny_list_sizes.id.into(),
        &ExtendedFieldKey::default(),
    )?
    .unwrap_or_default();
    let accounting = staking_math::advance_epoch_accounting(
        &mut sys_inner.future_accounting,
        old_epoch,
        &old_committee,
        &deny_list_sizes,
        params.total_capacity_size,
    )
    .map_err(|e| move_error(ctx, e))?;
    sys_inner
        .event_blob_certification_state
        .aggregate_weight_per_blob = haulout_types::VecMap::default();
    sys_inner.used_capacity_size = accounting.used_capacity_size;
    sys_inner.total_capacity_size = accounting.total_capacity_size;
    // inner.initiate_epoch_change(clock, rewards)
    let EpochState::NextParamsSelected(last_epoch_change) = inner.epoch_state else {
        return Err(si_abort(ctx, abort::staking_inner::EWrongEpochState));
    };
    let due = if inner.epoch == 0 {
        inner.first_epoch_start
    } else {
        last_epoch_change
            .checked_add(inner.epoch_duration)
            .ok_or_else(arithmetic)?
    };
    if now < due {
        return Err(si_abort(ctx, abort::staking_inner::EWrongEpochState));
    }
    // advance_epoch
    let Some(next) = inner.next_committee.take() else {
        return Err(si_abort(ctx, abort::staking_inner::EWrongEpochState));
    };
    inner.epoch = inner.epoch.checked_add(1).ok_or_else(arithmetic)?;
    inner.previous_committee = std::mem::replace(&mut inner.committee, next);
    inner.epoch_state = EpochState::EpochChangeSync(0);
    let (_, new_ids) = staking_math::committee_diff(&inner.previous_committee, &inner.committee);
    for entry in &accounting.rewards.contents {
        advance_pool(ctx, &inner, entry.key, entry.value)?;
    }
    for node_id in new_ids {
        advance_pool(ctx, &inner, node_id, 0)?;
    }
    emit(
        ctx,
        &p(),
        &haulout_types::EpochChangeStart { epoch: inner.epoch },
    )?;
    if let Some(duration) = next_epoch_duration {
        inner.epoch_duration = duration;
    }
    store(ctx, &obj, &inner)?;
    // update_prices
    let (storage_price, write_price) = recalculate_prices(ctx, &inner)?;
    sys_inner.storage_price_per_unit_size = storage_price;
    sys_inner.write_price_per_unit_size = write_price;
    super::system::store(ctx, &sys, &sys_inner)?;
    emit(
        ctx,
        &p(),
        &haulout_types::PricesUpdated {
            epoch: inner.epoch,
            storage_price,
            write_price,
        },
    )?;
    Ok(vec![])
}

fn staking_t() -> SigType {
    walrus_t("staking", "Staking")
}

fn staked_wal_t() -> SigType {
    walrus_t("staked_wal", "StakedWal")
}

// === staked_wal ===

fn sw_abort(ctx: &NativeContext<'_>, code: u64) -> ExecutionError {
    abort_walrus(ctx, "staked_wal", code)
}

fn marks(ctx: &mut NativeContext<'_>, sw: &StakedWal) -> R<Option<VoteMarks>> {
    get_field(ctx, &p(), sw.id.into(), &VoteMarksKey::default())
}

fn withdraw_epoch(ctx: &NativeContext<'_>, sw: &StakedWal) -> R<u32> {
    match sw.state {
        StakedWalState::Withdrawing { withdraw_epoch } => Ok(withdraw_epoch),
        StakedWalState::Staked => Err(sw_abort(ctx, abort::staked_wal::ENotWithdrawing)),
    }
}

fn join(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut sw: StakedWal = decode(a, 0)?;
    let other: StakedWal = decode(a, 1)?;
    let mismatch = |ctx: &NativeContext<'_>| sw_abort(ctx, abort::staked_wal::EMetadataMismatch);
    if sw.node_id != other.node_id {
        return Err(mismatch(ctx));
    }
    if sw.state == StakedWalState::Staked {
        if other.state != StakedWalState::Staked || sw.activation_epoch != other.activation_epoch {
            return Err(mismatch(ctx));
        }
    } else {
        if other.state == StakedWalState::Staked {
            return Err(mismatch(ctx));
        }
        if withdraw_epoch(ctx, &sw)? != withdraw_epoch(ctx, &other)? {
            return Err(mismatch(ctx));
        }
    }
    let other_marks: Option<VoteMarks> =
        remove_field(ctx, &p(), other.id.into(), &VoteMarksKey::default())?;
    ctx.delete_object(other.id.into());
    balance_join(&mut sw.principal.value, other.principal.value)?;
    if let Some(other_marks) = other_marks {
        let mut own = marks(ctx, &sw)?.unwrap_or(VoteMarks {
            proposals: haulout_types::VecSet::default(),
            locked_until_epoch: 0,
        });
        for id in other_marks.proposals.contents {
            if !own.proposals.contents.contains(&id) {
                own.proposals.contents.push(id);
            }
        }
        own.locked_until_epoch = own.locked_until_epoch.max(other_marks.locked_until_epoch);
        set_field(ctx, &p(), sw.id.into(), &VoteMarksKey::default(), &own)?;
    }
    write_back(a, 0, &sw)?;
    Ok(vec![])
}

fn split(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let mut sw: StakedWal = decode(a, 0)?;
    let amount: u64 = decode(a, 1)?;
    if sw.principal.value <= amount || amount == 0 {
        return Err(sw_abort(ctx, abort::staked_wal::EInvalidAmount));
    }
    let id = ctx.fresh_id();
    sw.principal.value -= amount;
    let split_off = StakedWal {
        id: id.into(),
        state: sw.state,
        node_id: sw.node_id,
        principal: Balance::new(amount),
        activation_epoch: sw.activation_epoch,
    };
    if let Some(m) = marks(ctx, &sw)? {
        set_field(ctx, &p(), id, &VoteMarksKey::default(), &m)?;
    }
    write_back(a, 0, &sw)?;
    Ok(vec![value_of(&p(), &split_off)?])
}

fn destroy_zero(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let sw: StakedWal = decode(a, 0)?;
    if sw.principal.value != 0 {
        return Err(sw_abort(ctx, abort::staked_wal::ENonZeroPrincipal));
    }
    remove_field::<VoteMarksKey, VoteMarks>(ctx, &p(), sw.id.into(), &VoteMarksKey::default())?;
    ctx.delete_object(sw.id.into());
    Ok(vec![])
}

/// Registers the staking functions implemented so far.
pub(crate) fn register(r: &mut NativeRegistry) {
    let cap_t = || walrus_t("storage_node", "StorageNodeCap");
    for (name, ty, imp) in [
        (
            "set_next_commission",
            SigType::U16,
            set_next_commission as Imp,
        ),
        (
            "set_storage_price_vote",
            SigType::U64,
            set_storage_price_vote,
        ),
        ("set_write_price_vote", SigType::U64, set_write_price_vote),
        (
            "set_node_capacity_vote",
            SigType::U64,
            set_node_capacity_vote,
        ),
        ("set_name", string_t(), set_name),
        ("set_network_address", string_t(), set_network_address),
    ] {
        add_walrus(
            r,
            "staking",
            name,
            vec![
                Param::MutRef(staking_t()),
                Param::Ref(cap_t()),
                Param::Val(ty),
            ],
            vec![],
            imp,
        );
    }
    add_walrus(
        r,
        "staking",
        "set_next_public_key",
        vec![
            Param::MutRef(staking_t()),
            Param::Ref(cap_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
            ctx_p(),
        ],
        vec![],
        set_next_public_key,
    );
    for (name, ty, imp) in [
        (
            "set_network_public_key",
            bytes_t(),
            set_network_public_key as Imp,
        ),
        (
            "set_node_metadata",
            walrus_t("node_metadata", "NodeMetadata"),
            set_node_metadata,
        ),
    ] {
        add_walrus(
            r,
            "staking",
            name,
            vec![
                Param::MutRef(staking_t()),
                Param::Ref(cap_t()),
                Param::Val(ty),
            ],
            vec![],
            imp,
        );
    }
    for (name, imp) in [
        ("set_commission_receiver", set_commission_receiver as Imp),
        ("set_governance_authorized", set_governance_authorized),
    ] {
        add_walrus(
            r,
            "staking",
            name,
            vec![
                Param::MutRef(staking_t()),
                Param::Val(id_t()),
                Param::Val(walrus_t("auth", "Authenticated")),
                Param::Val(walrus_t("auth", "Authorized")),
            ],
            vec![],
            imp,
        );
    }
    add_walrus(
        r,
        "staking",
        "try_join_active_set",
        vec![Param::MutRef(staking_t()), Param::Ref(cap_t())],
        vec![],
        try_join_active_set,
    );
    add_walrus(
        r,
        "staking",
        "calculate_rewards",
        vec![
            Param::Ref(staking_t()),
            Param::Val(id_t()),
            Param::Val(SigType::U64),
            Param::Val(SigType::U32),
            Param::Val(SigType::U32),
        ],
        vec![SigType::U64],
        calculate_rewards,
    );
    add_walrus(
        r,
        "staking",
        "can_withdraw_staked_wal_early",
        vec![Param::Ref(staking_t()), Param::Ref(staked_wal_t())],
        vec![SigType::Bool],
        can_withdraw_staked_wal_early,
    );
    add_walrus(
        r,
        "staking",
        "stake_with_pool",
        vec![
            Param::MutRef(staking_t()),
            Param::Val(coin_wal_t()),
            Param::Val(id_t()),
            ctx_p(),
        ],
        vec![staked_wal_t()],
        stake_with_pool,
    );
    add_walrus(
        r,
        "staking",
        "request_withdraw_stake",
        vec![
            Param::MutRef(staking_t()),
            Param::MutRef(staked_wal_t()),
            ctx_p(),
        ],
        vec![],
        request_withdraw_stake,
    );
    add_walrus(
        r,
        "staking",
        "withdraw_stake",
        vec![
            Param::MutRef(staking_t()),
            Param::Val(staked_wal_t()),
            ctx_p(),
        ],
        vec![coin_wal_t()],
        withdraw_stake,
    );
    add_walrus(
        r,
        "staking",
        "collect_commission",
        vec![
            Param::MutRef(staking_t()),
            Param::Val(id_t()),
            Param::Val(walrus_t("auth", "Authenticated")),
            ctx_p(),
        ],
        vec![coin_wal_t()],
        collect_commission,
    );
    add_walrus(
        r,
        "staking",
        "update_prices",
        vec![
            Param::MutRef(staking_t()),
            Param::MutRef(walrus_t("system", "System")),
        ],
        vec![],
        update_prices,
    );
    add_walrus(
        r,
        "staking",
        "register_candidate",
        vec![
            Param::MutRef(staking_t()),
            Param::Val(string_t()),
            Param::Val(string_t()),
            Param::Val(walrus_t("node_metadata", "NodeMetadata")),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
            Param::Val(bytes_t()),
            Param::Val(SigType::U16),
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            ctx_p(),
        ],
        vec![walrus_t("storage_node", "StorageNodeCap")],
        register_candidate,
    );
    add_walrus(
        r,
        "node_metadata",
        "new",
        vec![
            Param::Val(string_t()),
            Param::Val(string_t()),
            Param::Val(string_t()),
        ],
        vec![walrus_t("node_metadata", "NodeMetadata")],
        |_, _, a| {
            let metadata = haulout_types::NodeMetadata {
                image_url: decode(a, 0)?,
                project_url: decode(a, 1)?,
                description: decode(a, 2)?,
                extra_fields: haulout_types::VecMap::default(),
            };
            Ok(vec![value_of(&p(), &metadata)?])
        },
    );
    add_walrus(
        r,
        "staking",
        "voting_end",
        vec![Param::MutRef(staking_t()), Param::Ref(clock_t())],
        vec![],
        voting_end,
    );
    add_walrus(
        r,
        "staking",
        "epoch_sync_done",
        vec![
            Param::MutRef(staking_t()),
            Param::MutRef(walrus_t("storage_node", "StorageNodeCap")),
            Param::Val(SigType::U32),
            Param::Ref(clock_t()),
        ],
        vec![],
        epoch_sync_done,
    );
    for name in ["initiate_epoch_change", "initiate_epoch_change_v2"] {
        add_walrus(
            r,
            "staking",
            name,
            vec![
                Param::MutRef(staking_t()),
                Param::MutRef(walrus_t("system", "System")),
                Param::MutRef(SigType::datatype(
                    super::wal_package(),
                    "wal",
                    "ProtectedTreasury",
                    vec![],
                )),
                Param::Ref(clock_t()),
                ctx_p(),
            ],
            vec![],
            initiate_epoch_change,
        );
    }
    add_walrus(
        r,
        "staking",
        "epoch",
        vec![Param::Ref(staking_t())],
        vec![SigType::U32],
        |ctx, _, a| {
            let (_, inner) = load(ctx, arg(a, 0)?)?;
            Ok(vec![prim(TypeTag::U32, &inner.epoch)?])
        },
    );
    add_walrus(
        r,
        "staking",
        "n_shards",
        vec![Param::Ref(staking_t())],
        vec![SigType::U16],
        |ctx, _, a| {
            let (_, inner) = load(ctx, arg(a, 0)?)?;
            Ok(vec![prim(TypeTag::U16, &inner.n_shards)?])
        },
    );
    add_walrus(
        r,
        "staking",
        "total_active_stake",
        vec![Param::Ref(staking_t())],
        vec![SigType::U64],
        |ctx, _, a| {
            let (_, inner) = load(ctx, arg(a, 0)?)?;
            let set: ActiveSet = get_field(
                ctx,
                &p(),
                inner.active_set.id.into(),
                &ExtendedFieldKey::default(),
            )?
            .ok_or_else(|| abort_sui(ctx, "dynamic_field", 1))?;
            Ok(vec![Value::u64(set.total_stake)])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "node_id",
        vec![Param::Ref(staked_wal_t())],
        vec![id_t()],
        |_, _, a| Ok(vec![value_of(&p(), &decode::<StakedWal>(a, 0)?.node_id)?]),
    );
    add_walrus(
        r,
        "staked_wal",
        "value",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::U64],
        |_, _, a| Ok(vec![Value::u64(decode::<StakedWal>(a, 0)?.principal.value)]),
    );
    add_walrus(
        r,
        "staked_wal",
        "activation_epoch",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::U32],
        |_, _, a| {
            Ok(vec![prim(
                TypeTag::U32,
                &decode::<StakedWal>(a, 0)?.activation_epoch,
            )?])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "is_staked",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::Bool],
        |_, _, a| {
            let staked = decode::<StakedWal>(a, 0)?.state == StakedWalState::Staked;
            Ok(vec![prim(TypeTag::Bool, &staked)?])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "is_withdrawing",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::Bool],
        |_, _, a| {
            let w = matches!(
                decode::<StakedWal>(a, 0)?.state,
                StakedWalState::Withdrawing { .. }
            );
            Ok(vec![prim(TypeTag::Bool, &w)?])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "withdraw_epoch",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::U32],
        |ctx, _, a| {
            let epoch = withdraw_epoch(ctx, &decode::<StakedWal>(a, 0)?)?;
            Ok(vec![prim(TypeTag::U32, &epoch)?])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "join",
        vec![Param::MutRef(staked_wal_t()), Param::Val(staked_wal_t())],
        vec![],
        join,
    );
    add_walrus(
        r,
        "staked_wal",
        "split",
        vec![
            Param::MutRef(staked_wal_t()),
            Param::Val(SigType::U64),
            ctx_p(),
        ],
        vec![staked_wal_t()],
        split,
    );
    add_walrus(
        r,
        "staked_wal",
        "destroy_zero",
        vec![Param::Val(staked_wal_t())],
        vec![],
        destroy_zero,
    );
    add_walrus(
        r,
        "staked_wal",
        "has_voted",
        vec![Param::Ref(staked_wal_t()), Param::Val(id_t())],
        vec![SigType::Bool],
        |ctx, _, a| {
            let sw: StakedWal = decode(a, 0)?;
            let proposal: ObjectId = decode(a, 1)?;
            let voted = marks(ctx, &sw)?.is_some_and(|m| m.proposals.contents.contains(&proposal));
            Ok(vec![prim(TypeTag::Bool, &voted)?])
        },
    );
    add_walrus(
        r,
        "staked_wal",
        "vote_locked_until",
        vec![Param::Ref(staked_wal_t())],
        vec![SigType::U32],
        |ctx, _, a| {
            let sw: StakedWal = decode(a, 0)?;
            let until = marks(ctx, &sw)?.map_or(0, |m| m.locked_until_epoch);
            Ok(vec![prim(TypeTag::U32, &until)?])
        },
    );
}
