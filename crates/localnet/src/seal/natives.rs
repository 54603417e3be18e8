//! Native mirrors of `move/seal` (`key_server`, `time`) and `move/policies` (`private`,
//! `allowlist`, `subscription`, `tle`): the same checks in the same order, the same abort codes
//! (located in the function's module, where each Move `assert!` is), the same objects and
//! dynamic fields, in the layouts of `haulout-types`.

use std::sync::Arc;

use fastcrypto::groups::bls12381::G2Element;
use fastcrypto::serde_helpers::ToFromByteArray as _;
use haulout_types::Allowlist;
use haulout_types::AllowlistCap;
use haulout_types::KeyServer;
use haulout_types::KeyServerV1;
use haulout_types::KeyServerV2;
use haulout_types::MoveStruct;
use haulout_types::ServerType;
use haulout_types::Service;
use haulout_types::ServiceCap;
use haulout_types::Subscription;
use haulout_types::abort;
use haulout_types::constants;
use serde::Serialize;
use serde::de::DeserializeOwned;
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
use crate::value::Value;

type R<T> = Result<T, ExecutionError>;
type Imp = fn(&mut NativeContext<'_>, &[TypeTag], &mut [Value]) -> R<Vec<Value>>;

/// `0x2::group_ops::EInvalidInput`: bytes that are not a valid group element.
const GROUP_OPS_E_INVALID_INPUT: u64 = 1;
/// `0x2::dynamic_field::EFieldAlreadyExists`.
const DYNAMIC_FIELD_E_FIELD_ALREADY_EXISTS: u64 = 0;

// === helpers ===

fn add(
    r: &mut NativeRegistry,
    package: Address,
    module: &str,
    name: &str,
    (params, returns, is_entry): (Vec<Param>, Vec<SigType>, bool),
    imp: Imp,
) {
    r.register(
        package,
        module,
        name,
        FunctionSig {
            type_params: vec![],
            params,
            returns,
            is_entry,
        },
        Arc::new(imp),
    );
}

fn seal_t(module: &'static str, name: &'static str) -> SigType {
    SigType::datatype(super::seal_package(), module, name, vec![])
}

fn policies_t(module: &'static str, name: &'static str) -> SigType {
    SigType::datatype(super::policies_package(), module, name, vec![])
}

fn string_t() -> SigType {
    crate::natives::args::string_sig()
}

fn bytes_t() -> SigType {
    SigType::Vector(Box::new(SigType::U8))
}

fn clock_t() -> SigType {
    SigType::datatype(Address::TWO, "clock", "Clock", vec![])
}

fn string_tag() -> TypeTag {
    TypeTag::Struct(Box::new(crate::value::framework_struct(
        crate::value::MOVE_STDLIB,
        "string",
        "String",
        vec![],
    )))
}

/// The type tag of a `seal` or `policies` type.
fn tag<T: MoveStruct>() -> R<TypeTag> {
    super::packages()
        .struct_tag::<T>()
        .map(|t| TypeTag::Struct(Box::new(t)))
        .ok_or(ExecutionError::InvariantViolation)
}

fn arg(a: &[Value], i: usize) -> R<&Value> {
    a.get(i).ok_or(ExecutionError::ArityMismatch)
}

/// Decodes argument `i` (the executor checked its type, so a failure is an invariant
/// violation).
fn decode<T: DeserializeOwned>(a: &[Value], i: usize) -> R<T> {
    bcs::from_bytes(&arg(a, i)?.bytes).map_err(|_| ExecutionError::InvariantViolation)
}

fn encode<T: Serialize>(value: &T) -> R<Vec<u8>> {
    bcs::to_bytes(value).map_err(|_| ExecutionError::InvariantViolation)
}

fn value<T: Serialize + MoveStruct>(v: &T) -> R<Value> {
    Ok(Value::typed(tag::<T>()?, encode(v)?))
}

fn write_back<T: Serialize>(a: &mut [Value], i: usize, v: &T) -> R<()> {
    a.get_mut(i).ok_or(ExecutionError::ArityMismatch)?.bytes = encode(v)?;
    Ok(())
}

/// `clock.timestamp_ms()`.
fn timestamp_ms(clock: &Value) -> R<u64> {
    clock.read_u64(32).ok_or(ExecutionError::InvariantViolation)
}

/// `utils::is_prefix`.
fn is_prefix(prefix: &[u8], word: &[u8]) -> bool {
    word.starts_with(prefix)
}

fn object_id_of(v: &Value) -> R<Address> {
    v.object_id().ok_or(ExecutionError::InvariantViolation)
}

/// The `KeyServerV<version>` dynamic field of `parent`, decoded.
fn key_server_field<V: DeserializeOwned>(
    ctx: &mut NativeContext<'_>,
    parent: Address,
    version: u64,
) -> R<Option<V>> {
    match ctx.dynamic_field(parent, &TypeTag::U64, &encode(&version)?) {
        Some(bytes) => bcs::from_bytes(&bytes)
            .map(Some)
            .map_err(|_| ExecutionError::InvariantViolation),
        None => Ok(None),
    }
}

/// `df::add(&mut uid, blob_id, marker)`: `EFieldAlreadyExists` if the blob is already
/// published.
fn publish_marker(
    ctx: &mut NativeContext<'_>,
    parent: Address,
    blob_id: &String,
    marker: u64,
) -> R<()> {
    let key = encode(blob_id)?;
    if ctx.has_dynamic_field(parent, &string_tag(), &key) {
        return Err(ctx.abort_at(
            Address::TWO,
            "dynamic_field",
            DYNAMIC_FIELD_E_FIELD_ALREADY_EXISTS,
        ));
    }
    ctx.set_dynamic_field(parent, string_tag(), key, TypeTag::U64, encode(&marker)?);
    Ok(())
}

/// Registers every native and datatype of both packages.
pub(crate) fn register(r: &mut NativeRegistry) {
    register_types(r);
    register_key_server(r);
    register_time(r);
    register_private(r);
    register_allowlist(r);
    register_subscription(r);
    register_tle(r);
}

fn register_types(r: &mut NativeRegistry) {
    let seal = super::seal_package();
    let policies = super::policies_package();
    let drop_store = Abilities {
        copy: false,
        drop: true,
        store: true,
        key: false,
    };
    r.register_datatype(seal, "key_server", "KeyServer", Abilities::OBJECT);
    r.register_datatype(seal, "key_server", "KeyServerV1", Abilities::STORE);
    r.register_datatype(seal, "key_server", "KeyServerV2", Abilities::STORE);
    r.register_datatype(seal, "key_server", "ServerType", drop_store);
    r.register_datatype(seal, "key_server", "PartialKeyServer", Abilities::VALUE);
    for (module, name) in [
        ("allowlist", "Allowlist"),
        ("allowlist", "Cap"),
        ("subscription", "Service"),
        ("subscription", "Subscription"),
        ("subscription", "Cap"),
    ] {
        r.register_datatype(policies, module, name, Abilities::KEY);
    }
}

// === seal::key_server ===

fn register_key_server(r: &mut NativeRegistry) {
    let seal = super::seal_package();
    let ks = || seal_t("key_server", "KeyServer");
    add(
        r,
        seal,
        "key_server",
        "create_and_transfer_v2_independent_server",
        (
            vec![
                Param::Val(string_t()),
                Param::Val(string_t()),
                Param::Val(SigType::U8),
                Param::Val(bytes_t()),
                Param::TxContext { mutable: true },
            ],
            vec![],
            true,
        ),
        create_and_transfer_v2_independent_server,
    );
    add(
        r,
        seal,
        "key_server",
        "update",
        (
            vec![Param::MutRef(ks()), Param::Val(string_t())],
            vec![],
            false,
        ),
        update,
    );
    // `pk` returns a reference, which a PTB cannot take on Sui: not registered.
    add(
        r,
        seal,
        "key_server",
        "name",
        (vec![Param::Ref(ks())], vec![string_t()], false),
        |ctx, _, a| {
            let name = key_server_contents(ctx, a)?.0;
            Ok(vec![Value::typed(string_tag(), encode(&name)?)])
        },
    );
    add(
        r,
        seal,
        "key_server",
        "url",
        (vec![Param::Ref(ks())], vec![string_t()], false),
        |ctx, _, a| {
            let parent = object_id_of(arg(a, 0)?)?;
            let url = if let Some(v2) = key_server_field::<KeyServerV2>(ctx, parent, 2)? {
                match v2.server_type {
                    ServerType::Independent { url } => url,
                    ServerType::Committee { .. } => {
                        return Err(ctx.abort(abort::key_server::EInvalidServerType));
                    }
                }
            } else if let Some(v1) = key_server_field::<KeyServerV1>(ctx, parent, 1)? {
                v1.url
            } else {
                return Err(ctx.abort(abort::key_server::EInvalidVersion));
            };
            Ok(vec![Value::typed(string_tag(), encode(&url)?)])
        },
    );
    add(
        r,
        seal,
        "key_server",
        "key_type",
        (vec![Param::Ref(ks())], vec![SigType::U8], false),
        |ctx, _, a| {
            let key_type = key_server_contents(ctx, a)?.1;
            Ok(vec![Value::typed(TypeTag::U8, vec![key_type])])
        },
    );
    add(
        r,
        seal,
        "key_server",
        "id",
        (vec![Param::Ref(ks())], vec![SigType::Address], false),
        |_, _, a| {
            let id = object_id_of(arg(a, 0)?)?;
            Ok(vec![Value::typed(TypeTag::Address, id.as_bytes().to_vec())])
        },
    );
}

/// The name and key type of the key server in argument 0, from its V2 or V1 contents.
fn key_server_contents(ctx: &mut NativeContext<'_>, a: &[Value]) -> R<(String, u8)> {
    let parent = object_id_of(arg(a, 0)?)?;
    if let Some(v2) = key_server_field::<KeyServerV2>(ctx, parent, 2)? {
        Ok((v2.name, v2.key_type))
    } else if let Some(v1) = key_server_field::<KeyServerV1>(ctx, parent, 1)? {
        Ok((v1.name, v1.key_type))
    } else {
        Err(ctx.abort(abort::key_server::EInvalidVersion))
    }
}

fn create_and_transfer_v2_independent_server(
    ctx: &mut NativeContext<'_>,
    _: &[TypeTag],
    a: &mut [Value],
) -> R<Vec<Value>> {
    let name: String = decode(a, 0)?;
    let url: String = decode(a, 1)?;
    let key_type: u8 = decode(a, 2)?;
    let pk: Vec<u8> = decode(a, 3)?;
    if key_type != constants::key_server::KEY_TYPE_BONEH_FRANKLIN_BLS12381 {
        return Err(ctx.abort(abort::key_server::EInvalidKeyType));
    }
    // `g2_from_bytes`: a compressed G2 point in the prime-order subgroup.
    let valid = <[u8; 96]>::try_from(pk.as_slice())
        .ok()
        .is_some_and(|bytes| G2Element::from_byte_array(&bytes).is_ok());
    if !valid {
        return Err(ctx.abort_at(Address::TWO, "group_ops", GROUP_OPS_E_INVALID_INPUT));
    }
    let id = ctx.fresh_id();
    let v2 = constants::key_server::V2;
    let key_server = KeyServer {
        id: id.into(),
        first_version: v2,
        last_version: v2,
    };
    let contents = KeyServerV2 {
        name,
        key_type,
        pk,
        server_type: ServerType::Independent { url },
    };
    ctx.set_dynamic_field(
        id,
        TypeTag::U64,
        encode(&v2)?,
        tag::<KeyServerV2>()?,
        encode(&contents)?,
    );
    let sender = ctx.sender();
    ctx.transfer(value(&key_server)?, Owner::Address(sender))?;
    Ok(vec![])
}

fn update(ctx: &mut NativeContext<'_>, _: &[TypeTag], a: &mut [Value]) -> R<Vec<Value>> {
    let parent = object_id_of(arg(a, 0)?)?;
    let url: String = decode(a, 1)?;
    let (version, bytes, ty) =
        if let Some(mut v2) = key_server_field::<KeyServerV2>(ctx, parent, 2)? {
            match &mut v2.server_type {
                ServerType::Independent { url: value } => *value = url,
                ServerType::Committee { .. } => {
                    return Err(ctx.abort(abort::key_server::EInvalidServerType));
                }
            }
            (2u64, encode(&v2)?, tag::<KeyServerV2>()?)
        } else if let Some(mut v1) = key_server_field::<KeyServerV1>(ctx, parent, 1)? {
            v1.url = url;
            (1u64, encode(&v1)?, tag::<KeyServerV1>()?)
        } else {
            return Err(ctx.abort(abort::key_server::EInvalidVersion));
        };
    ctx.set_dynamic_field(parent, TypeTag::U64, encode(&version)?, ty, bytes);
    Ok(vec![])
}

// === seal::time ===

fn register_time(r: &mut NativeRegistry) {
    add(
        r,
        super::seal_package(),
        "time",
        "check_staleness",
        (
            vec![
                Param::Val(SigType::U64),
                Param::Val(SigType::U64),
                Param::Ref(clock_t()),
            ],
            vec![],
            false,
        ),
        |ctx, _, a| {
            let keyserver_time: u64 = decode(a, 0)?;
            let allowed: u64 = decode(a, 1)?;
            let timestamp = timestamp_ms(arg(a, 2)?)?;
            if keyserver_time < timestamp {
                if timestamp - keyserver_time > constants::time::ALLOWED_KEY_SERVER_STALENESS_IN_MS
                {
                    return Err(ctx.abort(abort::time::EStaleKeyServer));
                }
                return Ok(vec![]);
            }
            if keyserver_time - timestamp > allowed {
                return Err(ctx.abort(abort::time::EStaleFullnode));
            }
            Ok(vec![])
        },
    );
}

// === policies::private ===

fn register_private(r: &mut NativeRegistry) {
    add(
        r,
        super::policies_package(),
        "private",
        "seal_approve",
        (
            vec![Param::Val(bytes_t()), Param::TxContext { mutable: false }],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let id: Vec<u8> = decode(a, 0)?;
            if !is_prefix(ctx.sender().as_bytes(), &id) {
                return Err(ctx.abort(abort::private::ENoAccess));
            }
            Ok(vec![])
        },
    );
}

// === policies::allowlist ===

fn allowlist_cap_check(
    ctx: &NativeContext<'_>,
    allowlist: &Allowlist,
    cap: &AllowlistCap,
) -> R<()> {
    if cap.allowlist_id != allowlist.id {
        return Err(ctx.abort(abort::allowlist::EInvalidCap));
    }
    Ok(())
}

/// `allowlist::create_allowlist`: shares the allowlist, returns the cap.
fn create_allowlist(ctx: &mut NativeContext<'_>, a: &[Value]) -> R<Value> {
    let name: String = decode(a, 0)?;
    let allowlist = Allowlist {
        id: ctx.fresh_id().into(),
        name,
        list: Vec::new(),
    };
    let cap = AllowlistCap {
        id: ctx.fresh_id().into(),
        allowlist_id: allowlist.id,
    };
    let version = ctx.lamport_version();
    ctx.transfer(value(&allowlist)?, Owner::Shared(version))?;
    value(&cap)
}

fn register_allowlist(r: &mut NativeRegistry) {
    let policies = super::policies_package();
    let list = || policies_t("allowlist", "Allowlist");
    let cap = || policies_t("allowlist", "Cap");
    add(
        r,
        policies,
        "allowlist",
        "create_allowlist",
        (
            vec![Param::Val(string_t()), Param::TxContext { mutable: true }],
            vec![cap()],
            false,
        ),
        |ctx, _, a| Ok(vec![create_allowlist(ctx, a)?]),
    );
    add(
        r,
        policies,
        "allowlist",
        "create_allowlist_entry",
        (
            vec![Param::Val(string_t()), Param::TxContext { mutable: true }],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let cap = create_allowlist(ctx, a)?;
            let sender = ctx.sender();
            ctx.transfer(cap, Owner::Address(sender))?;
            Ok(vec![])
        },
    );
    let change = || {
        (
            vec![
                Param::MutRef(list()),
                Param::Ref(cap()),
                Param::Val(SigType::Address),
            ],
            vec![],
            false,
        )
    };
    add(r, policies, "allowlist", "add", change(), |ctx, _, a| {
        let mut allowlist: Allowlist = decode(a, 0)?;
        let cap: AllowlistCap = decode(a, 1)?;
        let account: Address = decode(a, 2)?;
        allowlist_cap_check(ctx, &allowlist, &cap)?;
        if allowlist.list.contains(&account) {
            return Err(ctx.abort(abort::allowlist::EDuplicate));
        }
        allowlist.list.push(account);
        write_back(a, 0, &allowlist)?;
        Ok(vec![])
    });
    add(r, policies, "allowlist", "remove", change(), |ctx, _, a| {
        let mut allowlist: Allowlist = decode(a, 0)?;
        let cap: AllowlistCap = decode(a, 1)?;
        let account: Address = decode(a, 2)?;
        allowlist_cap_check(ctx, &allowlist, &cap)?;
        allowlist.list.retain(|x| *x != account);
        write_back(a, 0, &allowlist)?;
        Ok(vec![])
    });
    add(
        r,
        policies,
        "allowlist",
        "namespace",
        (vec![Param::Ref(list())], vec![bytes_t()], false),
        |_, _, a| {
            let id = object_id_of(arg(a, 0)?)?;
            Ok(vec![Value::typed(
                TypeTag::Vector(Box::new(TypeTag::U8)),
                encode(&id.as_bytes().to_vec())?,
            )])
        },
    );
    add(
        r,
        policies,
        "allowlist",
        "publish",
        (
            vec![
                Param::MutRef(list()),
                Param::Ref(cap()),
                Param::Val(string_t()),
            ],
            vec![],
            false,
        ),
        |ctx, _, a| {
            let allowlist: Allowlist = decode(a, 0)?;
            let cap: AllowlistCap = decode(a, 1)?;
            let blob_id: String = decode(a, 2)?;
            allowlist_cap_check(ctx, &allowlist, &cap)?;
            publish_marker(
                ctx,
                allowlist.id.into(),
                &blob_id,
                constants::allowlist::MARKER,
            )?;
            Ok(vec![])
        },
    );
    add(
        r,
        policies,
        "allowlist",
        "seal_approve",
        (
            vec![
                Param::Val(bytes_t()),
                Param::Ref(list()),
                Param::TxContext { mutable: false },
            ],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let id: Vec<u8> = decode(a, 0)?;
            let allowlist: Allowlist = decode(a, 1)?;
            if !is_prefix(Address::from(allowlist.id).as_bytes(), &id) {
                return Err(ctx.abort(abort::allowlist::ENoAccess));
            }
            if !allowlist.list.contains(&ctx.sender()) {
                return Err(ctx.abort(abort::allowlist::ENoAccess));
            }
            Ok(vec![])
        },
    );
}

// === policies::subscription ===

/// `subscription::create_service`: shares the service (owned by the sender), returns the cap.
fn create_service(ctx: &mut NativeContext<'_>, a: &[Value]) -> R<Value> {
    let fee: u64 = decode(a, 0)?;
    let ttl: u64 = decode(a, 1)?;
    let name: String = decode(a, 2)?;
    let service = Service {
        id: ctx.fresh_id().into(),
        fee,
        ttl,
        owner: ctx.sender(),
        name,
    };
    let cap = ServiceCap {
        id: ctx.fresh_id().into(),
        service_id: service.id,
    };
    let version = ctx.lamport_version();
    ctx.transfer(value(&service)?, Owner::Shared(version))?;
    value(&cap)
}

fn register_subscription(r: &mut NativeRegistry) {
    let policies = super::policies_package();
    let service = || policies_t("subscription", "Service");
    let sub = || policies_t("subscription", "Subscription");
    let cap = || policies_t("subscription", "Cap");
    let create = || {
        vec![
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
            Param::Val(string_t()),
            Param::TxContext { mutable: true },
        ]
    };
    add(
        r,
        policies,
        "subscription",
        "create_service",
        (create(), vec![cap()], false),
        |ctx, _, a| Ok(vec![create_service(ctx, a)?]),
    );
    add(
        r,
        policies,
        "subscription",
        "create_service_entry",
        (create(), vec![], true),
        |ctx, _, a| {
            let cap = create_service(ctx, a)?;
            let sender = ctx.sender();
            ctx.transfer(cap, Owner::Address(sender))?;
            Ok(vec![])
        },
    );
    let wal = SigType::datatype(crate::walrus::wal_package(), "wal", "WAL", vec![]);
    let coin_wal = SigType::datatype(Address::TWO, "coin", "Coin", vec![wal]);
    add(
        r,
        policies,
        "subscription",
        "subscribe",
        (
            vec![
                Param::Val(coin_wal),
                Param::Ref(service()),
                Param::Ref(clock_t()),
                Param::TxContext { mutable: true },
            ],
            vec![sub()],
            false,
        ),
        |ctx, _, a| {
            let fee = crate::natives::args::coin_balance(arg(a, 0)?)?;
            let service: Service = decode(a, 1)?;
            let now = timestamp_ms(arg(a, 2)?)?;
            if fee != service.fee {
                return Err(ctx.abort(abort::subscription::EInvalidFee));
            }
            let coin = arg(a, 0)?.clone();
            ctx.transfer(coin, Owner::Address(service.owner))?;
            let subscription = Subscription {
                id: ctx.fresh_id().into(),
                service_id: service.id,
                created_at: now,
            };
            Ok(vec![value(&subscription)?])
        },
    );
    add(
        r,
        policies,
        "subscription",
        "transfer",
        (
            vec![Param::Val(sub()), Param::Val(SigType::Address)],
            vec![],
            false,
        ),
        |ctx, _, a| {
            let to: Address = decode(a, 1)?;
            let sub = arg(a, 0)?.clone();
            ctx.transfer(sub, Owner::Address(to))?;
            Ok(vec![])
        },
    );
    add(
        r,
        policies,
        "subscription",
        "publish",
        (
            vec![
                Param::MutRef(service()),
                Param::Ref(cap()),
                Param::Val(string_t()),
            ],
            vec![],
            false,
        ),
        |ctx, _, a| {
            let service: Service = decode(a, 0)?;
            let cap: ServiceCap = decode(a, 1)?;
            let blob_id: String = decode(a, 2)?;
            if cap.service_id != service.id {
                return Err(ctx.abort(abort::subscription::EInvalidCap));
            }
            publish_marker(
                ctx,
                service.id.into(),
                &blob_id,
                constants::subscription::MARKER,
            )?;
            Ok(vec![])
        },
    );
    add(
        r,
        policies,
        "subscription",
        "seal_approve",
        (
            vec![
                Param::Val(bytes_t()),
                Param::Ref(sub()),
                Param::Ref(service()),
                Param::Ref(clock_t()),
            ],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let id: Vec<u8> = decode(a, 0)?;
            let sub: Subscription = decode(a, 1)?;
            let service: Service = decode(a, 2)?;
            let now = timestamp_ms(arg(a, 3)?)?;
            if service.id != sub.service_id {
                return Err(ctx.abort(abort::subscription::ENoAccess));
            }
            let end = sub
                .created_at
                .checked_add(service.ttl)
                .ok_or(ExecutionError::MovePrimitiveRuntimeError { location: None })?;
            if now > end {
                return Err(ctx.abort(abort::subscription::ENoAccess));
            }
            if !is_prefix(Address::from(service.id).as_bytes(), &id) {
                return Err(ctx.abort(abort::subscription::ENoAccess));
            }
            Ok(vec![])
        },
    );
}

// === policies::tle ===

fn register_tle(r: &mut NativeRegistry) {
    add(
        r,
        super::policies_package(),
        "tle",
        "seal_approve",
        (
            vec![Param::Val(bytes_t()), Param::Ref(clock_t())],
            vec![],
            true,
        ),
        |ctx, _, a| {
            let id: Vec<u8> = decode(a, 0)?;
            let now = timestamp_ms(arg(a, 1)?)?;
            let Ok(t) = <[u8; 8]>::try_from(id.as_slice()) else {
                return Err(ctx.abort(abort::tle::EInvalidId));
            };
            if now < u64::from_le_bytes(t) {
                return Err(ctx.abort(abort::tle::ENoAccess));
            }
            Ok(vec![])
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_prefix_is_the_move_one() {
        assert!(is_prefix(b"", b"abc"));
        assert!(is_prefix(b"ab", b"abc"));
        assert!(is_prefix(b"abc", b"abc"));
        assert!(!is_prefix(b"abcd", b"abc"));
        assert!(!is_prefix(b"b", b"abc"));
    }
}
