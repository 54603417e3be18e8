//! `walrus::auth`: who is calling (`Authenticated`) and who may (`Authorized`).

use haulout_types::Authenticated;
use haulout_types::Authorized;
use haulout_types::ObjectId;
use sui_sdk_types::Address;
use sui_sdk_types::ExecutionError;

use super::natives::*;
use crate::natives::Abilities;
use crate::natives::FunctionSig;
use crate::natives::NativeRegistry;
use crate::natives::Param;
use crate::natives::SigType;

fn authenticated_t() -> SigType {
    walrus_t("auth", "Authenticated")
}

fn authorized_t() -> SigType {
    walrus_t("auth", "Authorized")
}

/// `auth::matches`.
pub(crate) fn matches(authenticated: &Authenticated, authorized: &Authorized) -> bool {
    match (authenticated, authorized) {
        (Authenticated::Sender(sender), Authorized::Address(addr)) => sender == addr,
        (Authenticated::Object(id), Authorized::ObjectID(obj_id)) => id == obj_id,
        _ => false,
    }
}

/// Registers `auth::{authenticate_sender, authenticate_with_object, authorized_address,
/// authorized_object}`.
pub(crate) fn register(r: &mut NativeRegistry) {
    add_walrus(
        r,
        "auth",
        "authenticate_sender",
        vec![crate::natives::Param::TxContext { mutable: false }],
        vec![authenticated_t()],
        |ctx, _, _| {
            let auth = Authenticated::Sender(ctx.sender());
            Ok(vec![value_of(&super::packages(), &auth)?])
        },
    );
    r.register(
        super::walrus_package(),
        "auth",
        "authenticate_with_object",
        FunctionSig {
            type_params: vec![Abilities::KEY],
            params: vec![Param::Ref(SigType::TypeParam(0))],
            returns: vec![authenticated_t()],
            is_entry: false,
        },
        std::sync::Arc::new(|_, _, a| {
            // The UID is the first field of every object.
            let id: ObjectId = Address::from_bytes(
                arg(a, 0)?
                    .bytes
                    .get(..32)
                    .ok_or(ExecutionError::InvariantViolation)?,
            )
            .map_err(|_| ExecutionError::InvariantViolation)?
            .into();
            Ok(vec![value_of(
                &super::packages(),
                &Authenticated::Object(id),
            )?])
        }),
    );
    add_walrus(
        r,
        "auth",
        "authorized_address",
        vec![Param::Val(SigType::Address)],
        vec![authorized_t()],
        |_, _, a| {
            let addr: Address = decode(a, 0)?;
            Ok(vec![value_of(
                &super::packages(),
                &Authorized::Address(addr),
            )?])
        },
    );
    add_walrus(
        r,
        "auth",
        "authorized_object",
        vec![Param::Val(id_t())],
        vec![authorized_t()],
        |_, _, a| {
            let id: ObjectId = decode(a, 0)?;
            Ok(vec![value_of(
                &super::packages(),
                &Authorized::ObjectID(id),
            )?])
        },
    );
}
