//! Native implementations of the Sui framework functions that clients call in transactions.
//!
//! Each function follows the Move source of `sui-framework` (`coin.move`, `balance.move`,
//! `transfer.move`, `pay.move`, `sui.move`, `clock.move`, `tx_context.move`), including its abort
//! codes, so failures look the same as on Sui. `transfer::Receiving` values are received through
//! [`crate::NativeContext::receive`].

use std::sync::Arc;

use sui_sdk_types::Address;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::Owner;
use sui_sdk_types::TypeTag;

use crate::natives::Abilities;
use crate::natives::FunctionSig;
use crate::natives::NativeContext;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;
use crate::natives::args::address_of;
use crate::natives::args::coin_balance;
use crate::natives::args::fixed_vector;
use crate::natives::args::receiving_of;
use crate::natives::args::u64_of;
use crate::value::MOVE_STDLIB;
use crate::value::Value;

const SUI_FRAMEWORK: Address = Address::TWO;

/// `balance::ENonZero`
const BALANCE_E_NON_ZERO: u64 = 0;
/// `balance::ENotEnough`
const BALANCE_E_NOT_ENOUGH: u64 = 2;
/// `transfer::ESharedNonNewObject`
const TRANSFER_E_SHARED_NON_NEW_OBJECT: u64 = 0;
/// `pay::ENoCoins`
const PAY_E_NO_COINS: u64 = 0;

fn t0() -> SigType {
    SigType::TypeParam(0)
}

fn coin_sig() -> SigType {
    SigType::datatype(SUI_FRAMEWORK, "coin", "Coin", vec![t0()])
}

fn balance_sig() -> SigType {
    SigType::datatype(SUI_FRAMEWORK, "balance", "Balance", vec![t0()])
}

fn sig(
    type_params: usize,
    params: Vec<Param>,
    returns: Vec<SigType>,
    is_entry: bool,
) -> FunctionSig {
    FunctionSig {
        type_params: vec![Abilities::default(); type_params],
        params,
        returns,
        is_entry,
    }
}

fn ctx_param() -> Param {
    Param::TxContext { mutable: true }
}

type Imp =
    fn(&mut NativeContext<'_>, &[TypeTag], &mut [Value]) -> Result<Vec<Value>, ExecutionError>;

fn add(registry: &mut NativeRegistry, module: &str, name: &str, sig: FunctionSig, imp: Imp) {
    registry.register(SUI_FRAMEWORK, module, name, sig, Arc::new(imp));
}

fn type_arg(type_args: &[TypeTag]) -> Result<TypeTag, ExecutionError> {
    type_args
        .first()
        .cloned()
        .ok_or(ExecutionError::TypeArityMismatch)
}

fn arg(args: &[Value], i: usize) -> Result<&Value, ExecutionError> {
    args.get(i).ok_or(ExecutionError::ArityMismatch)
}

fn arg_mut(args: &mut [Value], i: usize) -> Result<&mut Value, ExecutionError> {
    args.get_mut(i).ok_or(ExecutionError::ArityMismatch)
}

/// `balance::split` semantics on the u64 at `offset` of `v`.
fn take_from(
    ctx: &NativeContext<'_>,
    v: &mut Value,
    offset: usize,
    amount: u64,
) -> Result<(), ExecutionError> {
    let have = v
        .read_u64(offset)
        .ok_or(ExecutionError::InvariantViolation)?;
    let left = have
        .checked_sub(amount)
        .ok_or_else(|| ctx.abort_at(SUI_FRAMEWORK, "balance", BALANCE_E_NOT_ENOUGH))?;
    v.write_u64(offset, left);
    Ok(())
}

/// `balance::join` semantics on the u64 at `offset` of `v`.
fn add_to(v: &mut Value, offset: usize, amount: u64) -> Result<(), ExecutionError> {
    let have = v
        .read_u64(offset)
        .ok_or(ExecutionError::InvariantViolation)?;
    let sum = have
        .checked_add(amount)
        .ok_or(ExecutionError::MovePrimitiveRuntimeError { location: None })?;
    v.write_u64(offset, sum);
    Ok(())
}

fn new_coin(ctx: &mut NativeContext<'_>, coin_type: TypeTag, value: u64) -> Value {
    let id = ctx.fresh_id();
    Value::coin(coin_type, id, value)
}

/// Consumes a coin passed by value: deletes its object, returns its balance.
fn burn_coin(ctx: &mut NativeContext<'_>, coin: &Value) -> Result<u64, ExecutionError> {
    let balance = coin_balance(coin)?;
    let id = coin.object_id().ok_or(ExecutionError::InvariantViolation)?;
    ctx.delete_object(id);
    Ok(balance)
}

fn split_coin(
    ctx: &mut NativeContext<'_>,
    coin: &mut Value,
    amount: u64,
    coin_type: TypeTag,
) -> Result<Value, ExecutionError> {
    take_from(ctx, coin, 32, amount)?;
    Ok(new_coin(ctx, coin_type, amount))
}

/// Registers every framework function and type.
pub(crate) fn register(r: &mut NativeRegistry) {
    r.register_datatype(SUI_FRAMEWORK, "coin", "Coin", Abilities::OBJECT);
    r.register_datatype(SUI_FRAMEWORK, "coin", "TreasuryCap", Abilities::OBJECT);
    r.register_datatype(SUI_FRAMEWORK, "coin", "CoinMetadata", Abilities::OBJECT);
    r.register_datatype(SUI_FRAMEWORK, "balance", "Balance", Abilities::STORE);
    r.register_datatype(SUI_FRAMEWORK, "balance", "Supply", Abilities::STORE);
    r.register_datatype(SUI_FRAMEWORK, "clock", "Clock", Abilities::KEY);
    r.register_datatype(
        SUI_FRAMEWORK,
        "sui",
        "SUI",
        Abilities {
            copy: false,
            drop: true,
            store: false,
            key: false,
        },
    );
    r.register_datatype(SUI_FRAMEWORK, "object", "ID", Abilities::VALUE);
    r.register_datatype(SUI_FRAMEWORK, "object", "UID", Abilities::STORE);
    r.register_datatype(SUI_FRAMEWORK, "dynamic_field", "Field", Abilities::KEY);
    // `struct Receiving<phantom T: key> has drop { id: ID, version: u64 }`
    r.register_phantom_datatype(
        SUI_FRAMEWORK,
        "transfer",
        "Receiving",
        Abilities {
            drop: true,
            ..Abilities::default()
        },
    );
    r.register_datatype(MOVE_STDLIB, "string", "String", Abilities::VALUE);
    r.register_datatype(MOVE_STDLIB, "ascii", "String", Abilities::VALUE);
    r.register_datatype(MOVE_STDLIB, "option", "Option", Abilities::VALUE);

    // === 0x2::coin ===
    add(
        r,
        "coin",
        "value",
        sig(1, vec![Param::Ref(coin_sig())], vec![SigType::U64], false),
        |_, _, a| Ok(vec![Value::u64(coin_balance(arg(a, 0)?)?)]),
    );
    add(
        r,
        "coin",
        "split",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::U64),
                ctx_param(),
            ],
            vec![coin_sig()],
            false,
        ),
        |ctx, ta, a| {
            let amount = u64_of(arg(a, 1)?)?;
            let coin = split_coin(ctx, arg_mut(a, 0)?, amount, type_arg(ta)?)?;
            Ok(vec![coin])
        },
    );
    add(
        r,
        "coin",
        "join",
        sig(
            1,
            vec![Param::MutRef(coin_sig()), Param::Val(coin_sig())],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let other = arg(a, 1)?.clone();
            let value = burn_coin(ctx, &other)?;
            add_to(arg_mut(a, 0)?, 32, value)?;
            Ok(vec![])
        },
    );
    add(
        r,
        "coin",
        "zero",
        sig(1, vec![ctx_param()], vec![coin_sig()], false),
        |ctx, ta, _| Ok(vec![new_coin(ctx, type_arg(ta)?, 0)]),
    );
    add(
        r,
        "coin",
        "destroy_zero",
        sig(1, vec![Param::Val(coin_sig())], vec![], false),
        |ctx, _, a| {
            let coin = arg(a, 0)?.clone();
            if coin_balance(&coin)? != 0 {
                return Err(ctx.abort_at(SUI_FRAMEWORK, "balance", BALANCE_E_NON_ZERO));
            }
            burn_coin(ctx, &coin)?;
            Ok(vec![])
        },
    );
    add(
        r,
        "coin",
        "into_balance",
        sig(1, vec![Param::Val(coin_sig())], vec![balance_sig()], false),
        |ctx, ta, a| {
            let coin = arg(a, 0)?.clone();
            let value = burn_coin(ctx, &coin)?;
            Ok(vec![Value::balance(type_arg(ta)?, value)])
        },
    );
    add(
        r,
        "coin",
        "from_balance",
        sig(
            1,
            vec![Param::Val(balance_sig()), ctx_param()],
            vec![coin_sig()],
            false,
        ),
        |ctx, ta, a| {
            let value = u64_of(arg(a, 0)?)?;
            Ok(vec![new_coin(ctx, type_arg(ta)?, value)])
        },
    );
    add(
        r,
        "coin",
        "take",
        sig(
            1,
            vec![
                Param::MutRef(balance_sig()),
                Param::Val(SigType::U64),
                ctx_param(),
            ],
            vec![coin_sig()],
            false,
        ),
        |ctx, ta, a| {
            let amount = u64_of(arg(a, 1)?)?;
            take_from(ctx, arg_mut(a, 0)?, 0, amount)?;
            Ok(vec![new_coin(ctx, type_arg(ta)?, amount)])
        },
    );
    add(
        r,
        "coin",
        "put",
        sig(
            1,
            vec![Param::MutRef(balance_sig()), Param::Val(coin_sig())],
            vec![],
            false,
        ),
        |ctx, _, a| {
            let coin = arg(a, 1)?.clone();
            let value = burn_coin(ctx, &coin)?;
            add_to(arg_mut(a, 0)?, 0, value)?;
            Ok(vec![])
        },
    );

    // === 0x2::balance ===
    add(
        r,
        "balance",
        "value",
        sig(
            1,
            vec![Param::Ref(balance_sig())],
            vec![SigType::U64],
            false,
        ),
        |_, _, a| Ok(vec![Value::u64(u64_of(arg(a, 0)?)?)]),
    );
    add(
        r,
        "balance",
        "zero",
        sig(1, vec![], vec![balance_sig()], false),
        |_, ta, _| Ok(vec![Value::balance(type_arg(ta)?, 0)]),
    );
    add(
        r,
        "balance",
        "join",
        sig(
            1,
            vec![Param::MutRef(balance_sig()), Param::Val(balance_sig())],
            vec![SigType::U64],
            false,
        ),
        |_, _, a| {
            let value = u64_of(arg(a, 1)?)?;
            let target = arg_mut(a, 0)?;
            add_to(target, 0, value)?;
            Ok(vec![Value::u64(u64_of(target)?)])
        },
    );
    add(
        r,
        "balance",
        "split",
        sig(
            1,
            vec![Param::MutRef(balance_sig()), Param::Val(SigType::U64)],
            vec![balance_sig()],
            false,
        ),
        |ctx, ta, a| {
            let amount = u64_of(arg(a, 1)?)?;
            take_from(ctx, arg_mut(a, 0)?, 0, amount)?;
            Ok(vec![Value::balance(type_arg(ta)?, amount)])
        },
    );
    add(
        r,
        "balance",
        "withdraw_all",
        sig(
            1,
            vec![Param::MutRef(balance_sig())],
            vec![balance_sig()],
            false,
        ),
        |_, ta, a| {
            let b = arg_mut(a, 0)?;
            let value = u64_of(b)?;
            b.write_u64(0, 0);
            Ok(vec![Value::balance(type_arg(ta)?, value)])
        },
    );
    add(
        r,
        "balance",
        "destroy_zero",
        sig(1, vec![Param::Val(balance_sig())], vec![], false),
        |ctx, _, a| {
            if u64_of(arg(a, 0)?)? != 0 {
                return Err(ctx.abort(BALANCE_E_NON_ZERO));
            }
            Ok(vec![])
        },
    );

    // === 0x2::transfer ===
    let key_store = || FunctionSig {
        type_params: vec![Abilities::OBJECT],
        params: vec![Param::Val(t0())],
        returns: vec![],
        is_entry: false,
    };
    let mut public_transfer = key_store();
    public_transfer.params.push(Param::Val(SigType::Address));
    add(
        r,
        "transfer",
        "public_transfer",
        public_transfer,
        |ctx, _, a| {
            let recipient = address_of(arg(a, 1)?)?;
            let obj = arg(a, 0)?.clone();
            ctx.transfer(obj, Owner::Address(recipient))?;
            Ok(vec![])
        },
    );
    add(
        r,
        "transfer",
        "public_share_object",
        key_store(),
        |ctx, _, a| {
            let obj = arg(a, 0)?.clone();
            let id = obj
                .object_id()
                .ok_or(ExecutionError::InvalidTransferObject)?;
            if !ctx.fates.created.contains(&id) {
                return Err(ctx.abort(TRANSFER_E_SHARED_NON_NEW_OBJECT));
            }
            let version = ctx.lamport_version();
            ctx.transfer(obj, Owner::Shared(version))?;
            Ok(vec![])
        },
    );
    add(
        r,
        "transfer",
        "public_freeze_object",
        key_store(),
        |ctx, _, a| {
            let obj = arg(a, 0)?.clone();
            ctx.transfer(obj, Owner::Immutable)?;
            Ok(vec![])
        },
    );

    // `receive<T: key>` and `public_receive<T: key + store>(parent: &mut UID, to_receive:
    // Receiving<T>): T`. A PTB cannot produce the `&mut UID`, so these only document the
    // signature (`GetFunction`); packages receive through their own natives, which call
    // `NativeContext::receive` (see `tests/receiving.rs`).
    let uid = SigType::datatype(SUI_FRAMEWORK, "object", "UID", vec![]);
    let receive_sig = |constraint: Abilities| FunctionSig {
        type_params: vec![constraint],
        params: vec![
            Param::MutRef(uid.clone()),
            Param::Val(SigType::receiving(t0())),
        ],
        returns: vec![t0()],
        is_entry: false,
    };
    let receive: Imp = |ctx, _, a| {
        let parent = arg(a, 0)?
            .object_id()
            .ok_or(ExecutionError::InvariantViolation)?;
        Ok(vec![ctx.receive(parent, arg(a, 1)?)?])
    };
    add(
        r,
        "transfer",
        "receive",
        receive_sig(Abilities::KEY),
        receive,
    );
    add(
        r,
        "transfer",
        "public_receive",
        receive_sig(Abilities::OBJECT),
        receive,
    );
    add(
        r,
        "transfer",
        "receiving_object_id",
        FunctionSig {
            type_params: vec![Abilities::KEY],
            params: vec![Param::Ref(SigType::receiving(t0()))],
            returns: vec![SigType::datatype(SUI_FRAMEWORK, "object", "ID", vec![])],
            is_entry: false,
        },
        |_, _, a| {
            let (id, _) = receiving_of(arg(a, 0)?)?;
            Ok(vec![Value::typed(
                crate::value::framework_struct(SUI_FRAMEWORK, "object", "ID", vec![]).into(),
                id.as_bytes().to_vec(),
            )])
        },
    );

    // === 0x2::pay ===
    add(
        r,
        "pay",
        "split",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::U64),
                ctx_param(),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let amount = u64_of(arg(a, 1)?)?;
            let coin = split_coin(ctx, arg_mut(a, 0)?, amount, type_arg(ta)?)?;
            let sender = ctx.sender();
            ctx.transfer(coin, Owner::Address(sender))?;
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "split_vec",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::Vector(Box::new(SigType::U64))),
                ctx_param(),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let amounts = fixed_vector(arg(a, 1)?, 8)?;
            let coin_type = type_arg(ta)?;
            let sender = ctx.sender();
            for amount in amounts {
                let amount = u64::from_le_bytes(
                    amount
                        .try_into()
                        .map_err(|_| ExecutionError::InvariantViolation)?,
                );
                let coin = split_coin(ctx, arg_mut(a, 0)?, amount, coin_type.clone())?;
                ctx.transfer(coin, Owner::Address(sender))?;
            }
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "split_and_transfer",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::U64),
                Param::Val(SigType::Address),
                ctx_param(),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let amount = u64_of(arg(a, 1)?)?;
            let recipient = address_of(arg(a, 2)?)?;
            let coin = split_coin(ctx, arg_mut(a, 0)?, amount, type_arg(ta)?)?;
            ctx.transfer(coin, Owner::Address(recipient))?;
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "divide_and_keep",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::U64),
                ctx_param(),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let n = u64_of(arg(a, 1)?)?;
            // coin::divide_into_n: EInvalidArg (1) for n == 0, ENotEnough (2) if n > balance.
            if n == 0 {
                return Err(ctx.abort_at(SUI_FRAMEWORK, "coin", 1));
            }
            let total = coin_balance(arg(a, 0)?)?;
            if n > total {
                return Err(ctx.abort_at(SUI_FRAMEWORK, "coin", 2));
            }
            let share = total / n;
            let coin_type = type_arg(ta)?;
            let sender = ctx.sender();
            for _ in 1..n {
                let coin = split_coin(ctx, arg_mut(a, 0)?, share, coin_type.clone())?;
                ctx.transfer(coin, Owner::Address(sender))?;
            }
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "join",
        sig(
            1,
            vec![Param::MutRef(coin_sig()), Param::Val(coin_sig())],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let other = arg(a, 1)?.clone();
            let value = burn_coin(ctx, &other)?;
            add_to(arg_mut(a, 0)?, 32, value)?;
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "join_vec",
        sig(
            1,
            vec![
                Param::MutRef(coin_sig()),
                Param::Val(SigType::Vector(Box::new(coin_sig()))),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let coins = fixed_vector(arg(a, 1)?, 40)?;
            let coin_type = type_arg(ta)?;
            for bytes in coins {
                let coin = Value::typed(
                    sui_sdk_types::StructTag::coin(coin_type.clone()).into(),
                    bytes,
                );
                let value = burn_coin(ctx, &coin)?;
                add_to(arg_mut(a, 0)?, 32, value)?;
            }
            Ok(vec![])
        },
    );
    add(
        r,
        "pay",
        "join_vec_and_transfer",
        sig(
            1,
            vec![
                Param::Val(SigType::Vector(Box::new(coin_sig()))),
                Param::Val(SigType::Address),
            ],
            vec![],
            true,
        ),
        |ctx, ta, a| {
            let coins = fixed_vector(arg(a, 0)?, 40)?;
            let recipient = address_of(arg(a, 1)?)?;
            let coin_type = type_arg(ta)?;
            let mut iter = coins.into_iter();
            let first = iter.next().ok_or_else(|| ctx.abort(PAY_E_NO_COINS))?;
            let mut target = Value::typed(
                sui_sdk_types::StructTag::coin(coin_type.clone()).into(),
                first,
            );
            for bytes in iter {
                let coin = Value::typed(
                    sui_sdk_types::StructTag::coin(coin_type.clone()).into(),
                    bytes,
                );
                let value = burn_coin(ctx, &coin)?;
                add_to(&mut target, 32, value)?;
            }
            ctx.transfer(target, Owner::Address(recipient))?;
            Ok(vec![])
        },
    );

    // === 0x2::sui ===
    let sui_coin = SigType::datatype(
        SUI_FRAMEWORK,
        "coin",
        "Coin",
        vec![SigType::datatype(SUI_FRAMEWORK, "sui", "SUI", vec![])],
    );
    add(
        r,
        "sui",
        "transfer",
        sig(
            0,
            vec![Param::Val(sui_coin), Param::Val(SigType::Address)],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let recipient = address_of(arg(a, 1)?)?;
            ctx.transfer(arg(a, 0)?.clone(), Owner::Address(recipient))?;
            Ok(vec![])
        },
    );

    // === 0x2::clock ===
    add(
        r,
        "clock",
        "timestamp_ms",
        sig(
            0,
            vec![Param::Ref(SigType::datatype(
                SUI_FRAMEWORK,
                "clock",
                "Clock",
                vec![],
            ))],
            vec![SigType::U64],
            false,
        ),
        |_, _, a| {
            let ms = arg(a, 0)?
                .read_u64(32)
                .ok_or(ExecutionError::InvariantViolation)?;
            Ok(vec![Value::u64(ms)])
        },
    );

    // === 0x2::tx_context ===
    add(
        r,
        "tx_context",
        "sender",
        sig(
            0,
            vec![Param::TxContext { mutable: false }],
            vec![SigType::Address],
            false,
        ),
        |ctx, _, _| {
            Ok(vec![Value::typed(
                TypeTag::Address,
                ctx.sender().as_bytes().to_vec(),
            )])
        },
    );
    add(
        r,
        "tx_context",
        "epoch",
        sig(
            0,
            vec![Param::TxContext { mutable: false }],
            vec![SigType::U64],
            false,
        ),
        |ctx, _, _| Ok(vec![Value::u64(ctx.epoch())]),
    );
}
