//! Helpers shared by the Walrus natives: argument decoding, signatures, aborts, the inner
//! states behind `System` and `Staking`, and the datatypes' abilities.

use std::sync::Arc;

use haulout_types::MoveStruct;
use haulout_types::MoveType;
use haulout_types::Packages;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sui_sdk_types::Address;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::TypeTag;

use crate::natives::Abilities;
use crate::natives::FunctionSig;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::value::Value;

pub(crate) type Imp =
    fn(&mut NativeContext<'_>, &[TypeTag], &mut [Value]) -> Result<Vec<Value>, ExecutionError>;

/// Registers a `walrus` function.
pub(crate) fn add_walrus(
    r: &mut NativeRegistry,
    module: &str,
    name: &str,
    params: Vec<Param>,
    returns: Vec<SigType>,
    imp: Imp,
) {
    r.register(
        super::walrus_package(),
        module,
        name,
        FunctionSig {
            type_params: vec![],
            params,
            returns,
            is_entry: false,
        },
        Arc::new(imp),
    );
}

/// Registers a `wal` function.
pub(crate) fn add_wal(
    r: &mut NativeRegistry,
    name: &str,
    params: Vec<Param>,
    returns: Vec<SigType>,
    imp: Imp,
) {
    r.register(
        super::wal_package(),
        "wal",
        name,
        FunctionSig {
            type_params: vec![],
            params,
            returns,
            is_entry: false,
        },
        Arc::new(imp),
    );
}

/// `walrus::module::Name` in a signature.
pub(crate) fn walrus_t(module: &'static str, name: &'static str) -> SigType {
    SigType::datatype(super::walrus_package(), module, name, vec![])
}

/// `wal::wal::WAL` in a signature.
pub(crate) fn wal_t() -> SigType {
    SigType::datatype(super::wal_package(), "wal", "WAL", vec![])
}

/// `0x2::coin::Coin<WAL>` in a signature.
pub(crate) fn coin_wal_t() -> SigType {
    SigType::datatype(Address::TWO, "coin", "Coin", vec![wal_t()])
}

/// `0x1::string::String` in a signature.
pub(crate) fn string_t() -> SigType {
    crate::natives::args::string_sig()
}

/// `0x2::object::ID` in a signature.
pub(crate) fn id_t() -> SigType {
    SigType::datatype(Address::TWO, "object", "ID", vec![])
}

/// `vector<u8>` in a signature.
pub(crate) fn bytes_t() -> SigType {
    SigType::Vector(Box::new(SigType::U8))
}

/// The implicit `&mut TxContext`.
pub(crate) fn ctx_p() -> Param {
    Param::TxContext { mutable: true }
}

/// The argument `i`.
pub(crate) fn arg(args: &[Value], i: usize) -> Result<&Value, ExecutionError> {
    args.get(i).ok_or(ExecutionError::ArityMismatch)
}

/// The argument `i`, mutably.
pub(crate) fn arg_mut(args: &mut [Value], i: usize) -> Result<&mut Value, ExecutionError> {
    args.get_mut(i).ok_or(ExecutionError::ArityMismatch)
}

/// Decodes BCS bytes as `T` (the executor checked the type, so a failure is an invariant
/// violation).
pub(crate) fn decode_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ExecutionError> {
    bcs::from_bytes(bytes).map_err(|_| ExecutionError::InvariantViolation)
}

/// Decodes argument `i` as `T`.
pub(crate) fn decode<T: DeserializeOwned>(args: &[Value], i: usize) -> Result<T, ExecutionError> {
    decode_bytes(&arg(args, i)?.bytes)
}

/// BCS of a value.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, ExecutionError> {
    bcs::to_bytes(value).map_err(|_| ExecutionError::InvariantViolation)
}

/// A typed value of a mirrored type.
pub(crate) fn value_of<T: Serialize + MoveType>(
    p: &Packages,
    value: &T,
) -> Result<Value, ExecutionError> {
    Ok(Value::typed(T::type_tag(p), encode(value)?))
}

/// A primitive value.
pub(crate) fn prim<T: Serialize>(ty: TypeTag, value: &T) -> Result<Value, ExecutionError> {
    Ok(Value::typed(ty, encode(value)?))
}

/// Writes `value` back into argument `i` (for `&mut` parameters).
pub(crate) fn write_back<T: Serialize>(
    args: &mut [Value],
    i: usize,
    value: &T,
) -> Result<(), ExecutionError> {
    arg_mut(args, i)?.bytes = encode(value)?;
    Ok(())
}

/// A Move abort in a `walrus` module.
pub(crate) fn abort_walrus(
    ctx: &NativeContext<'_>,
    module: &'static str,
    code: u64,
) -> ExecutionError {
    ctx.abort_at(super::walrus_package(), module, code)
}

/// A Move abort in a Sui framework module.
pub(crate) fn abort_sui(
    ctx: &NativeContext<'_>,
    module: &'static str,
    code: u64,
) -> ExecutionError {
    ctx.abort_at(Address::TWO, module, code)
}

/// The chain's error for a [`super::staking_math::MoveError`] of the pure Move mirrors.
pub(crate) fn move_error(
    ctx: &NativeContext<'_>,
    e: super::staking_math::MoveError,
) -> ExecutionError {
    use super::staking_math::MoveError;
    match e {
        MoveError::Abort { module, code } => {
            if let Some(m) = module.strip_prefix("walrus::") {
                abort_walrus(ctx, m, code)
            } else if let Some(m) = module.strip_prefix("0x2::") {
                abort_sui(ctx, m, code)
            } else if let Some(m) = module.strip_prefix("0x1::") {
                ctx.abort_at(Address::from_static("0x1"), m, code)
            } else {
                ctx.abort_at(super::walrus_package(), module, code)
            }
        }
        MoveError::Arithmetic | MoveError::IndexOutOfBounds => arithmetic(),
    }
}

/// An arithmetic error (overflow, underflow, division by zero), as the Move VM reports it.
pub(crate) fn arithmetic() -> ExecutionError {
    ExecutionError::MovePrimitiveRuntimeError { location: None }
}

/// `balance::split` on a `u64` balance: `balance::ENotEnough` if it is too small.
pub(crate) fn balance_split(
    ctx: &NativeContext<'_>,
    balance: &mut u64,
    amount: u64,
) -> Result<u64, ExecutionError> {
    *balance = balance
        .checked_sub(amount)
        .ok_or_else(|| abort_sui(ctx, "balance", 2))?;
    Ok(amount)
}

/// `balance::join` on a `u64` balance.
pub(crate) fn balance_join(balance: &mut u64, amount: u64) -> Result<(), ExecutionError> {
    *balance = balance.checked_add(amount).ok_or_else(arithmetic)?;
    Ok(())
}

/// The object ID in the first 32 bytes of a value.
pub(crate) fn object_id(v: &Value) -> Result<Address, ExecutionError> {
    v.object_id().ok_or(ExecutionError::InvariantViolation)
}

/// Emits an event of a mirrored type.
pub(crate) fn emit<T: Serialize + MoveStruct>(
    ctx: &mut NativeContext<'_>,
    p: &Packages,
    event: &T,
) -> Result<(), ExecutionError> {
    let contents = encode(event)?;
    ctx.emit_event(T::struct_tag(p), contents);
    Ok(())
}

/// Reads the dynamic field `key` (of Move type `K`) of `parent` as `V`.
pub(crate) fn get_field<K: Serialize + MoveType, V: DeserializeOwned>(
    ctx: &mut NativeContext<'_>,
    p: &Packages,
    parent: Address,
    key: &K,
) -> Result<Option<V>, ExecutionError> {
    let key_bytes = encode(key)?;
    match ctx.dynamic_field(parent, &K::type_tag(p), &key_bytes) {
        Some(bytes) => Ok(Some(decode_bytes(&bytes)?)),
        None => Ok(None),
    }
}

/// Adds or replaces the dynamic field `key` of `parent` with `value`.
pub(crate) fn set_field<K: Serialize + MoveType, V: Serialize + MoveType>(
    ctx: &mut NativeContext<'_>,
    p: &Packages,
    parent: Address,
    key: &K,
    value: &V,
) -> Result<(), ExecutionError> {
    let key_bytes = encode(key)?;
    let value_bytes = encode(value)?;
    ctx.set_dynamic_field(
        parent,
        K::type_tag(p),
        key_bytes,
        V::type_tag(p),
        value_bytes,
    );
    Ok(())
}

/// Removes the dynamic field `key` of `parent`, returning its value.
pub(crate) fn remove_field<K: Serialize + MoveType, V: DeserializeOwned>(
    ctx: &mut NativeContext<'_>,
    p: &Packages,
    parent: Address,
    key: &K,
) -> Result<Option<V>, ExecutionError> {
    let key_bytes = encode(key)?;
    match ctx.remove_dynamic_field(parent, &K::type_tag(p), &key_bytes) {
        Some(bytes) => Ok(Some(decode_bytes(&bytes)?)),
        None => Ok(None),
    }
}

/// Declares the abilities of every `wal` and `walrus` type a transaction can hold.
pub(crate) fn register_types(r: &mut NativeRegistry) {
    let walrus = super::walrus_package();
    let wal = super::wal_package();
    let drop_only = Abilities {
        copy: false,
        drop: true,
        store: false,
        key: false,
    };
    let drop_store = Abilities {
        copy: false,
        drop: true,
        store: true,
        key: false,
    };
    r.register_datatype(wal, "wal", "WAL", drop_only);
    r.register_datatype(wal, "wal", "ProtectedTreasury", Abilities::KEY);
    r.register_datatype(wal, "wal", "TreasuryCapKey", Abilities::VALUE);
    for (module, name, abilities) in [
        ("system", "System", Abilities::KEY),
        ("staking", "Staking", Abilities::KEY),
        ("blob", "Blob", Abilities::OBJECT),
        ("storage_resource", "Storage", Abilities::OBJECT),
        ("metadata", "Metadata", drop_store),
        ("shared_blob", "SharedBlob", Abilities::OBJECT),
        ("staked_wal", "StakedWal", Abilities::OBJECT),
        ("storage_node", "StorageNodeCap", Abilities::OBJECT),
        ("staking_pool", "StakingPool", Abilities::OBJECT),
        ("node_metadata", "NodeMetadata", Abilities::VALUE),
        ("auth", "Authenticated", drop_only),
        ("auth", "Authorized", Abilities::VALUE),
        ("governance", "GovernanceConfig", Abilities::KEY),
        ("governance", "Proposal", Abilities::KEY),
        ("governance", "ProposalAction", Abilities::VALUE),
        ("committee", "Committee", Abilities::VALUE),
        ("system_state_inner", "SystemStateInnerV1", Abilities::STORE),
        ("staking_inner", "StakingInnerV1", Abilities::STORE),
        ("extended_field", "Key", Abilities::VALUE),
    ] {
        r.register_datatype(walrus, module, name, abilities);
    }
}
