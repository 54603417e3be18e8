//! Dynamic fields through the native table's extension point: a package registered from outside
//! the crate stores values under an object, as `0x2::dynamic_field` does.

use std::sync::Arc;

use haulout_localnet::Abilities;
use haulout_localnet::FunctionSig;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::Param;
use haulout_localnet::SigType;
use haulout_localnet::Value;
use haulout_localnet::args;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::GasPayment;
use sui_sdk_types::IdOperation;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use sui_sdk_types::TypeTag;

const PACKAGE: Address = Address::new([0x99; 32]);

fn coin_sig() -> SigType {
    SigType::datatype(Address::TWO, "coin", "Coin", vec![SigType::TypeParam(0)])
}

/// `store::put<T>(&mut Coin<T>, key: u64, value: u64)` and `store::take<T>(&mut Coin<T>, key: u64): u64`.
fn registry() -> NativeRegistry {
    let mut registry = NativeRegistry::with_sui_framework();
    let sig = |returns| FunctionSig {
        type_params: vec![Abilities::default()],
        params: vec![
            Param::MutRef(coin_sig()),
            Param::Val(SigType::U64),
            Param::Val(SigType::U64),
        ],
        returns,
        is_entry: false,
    };
    registry.register(
        PACKAGE,
        "store",
        "put",
        sig(vec![]),
        Arc::new(|ctx, _, a| {
            let parent = a[0]
                .object_id()
                .ok_or(sui_sdk_types::ExecutionError::InvariantViolation)?;
            ctx.set_dynamic_field(
                parent,
                TypeTag::U64,
                a[1].bytes.clone(),
                TypeTag::U64,
                a[2].bytes.clone(),
            );
            Ok(vec![])
        }),
    );
    let mut take = sig(vec![SigType::U64]);
    take.params.pop();
    registry.register(
        PACKAGE,
        "store",
        "take",
        take,
        Arc::new(|ctx, _, a| {
            let parent = a[0]
                .object_id()
                .ok_or(sui_sdk_types::ExecutionError::InvariantViolation)?;
            let value = ctx
                .remove_dynamic_field(parent, &TypeTag::U64, &a[1].bytes)
                .ok_or_else(|| ctx.abort(1))?;
            Ok(vec![Value::u64(args::u64_of(&Value::typed(
                TypeTag::U64,
                value,
            ))?)])
        }),
    );
    registry
}

fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

fn call(
    node: &Node,
    key: &Ed25519PrivateKey,
    function: &str,
    coin: &Object,
    gas: &Object,
    values: &[u64],
) -> Arc<haulout_localnet::ExecutedTx> {
    let sender = key.public_key().derive_address();
    let mut inputs = vec![Input::ImmutableOrOwned(reference(coin))];
    inputs.extend(values.iter().map(|v| Input::Pure(v.to_le_bytes().to_vec())));
    let arguments = (0..inputs.len())
        .map(|i| Argument::Input(i as u16))
        .collect();
    let tx = Transaction {
        kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
            inputs,
            commands: vec![Command::MoveCall(MoveCall {
                package: PACKAGE,
                module: Identifier::new("store").expect("id"),
                function: Identifier::new(function).expect("id"),
                type_arguments: vec![StructTag::sui().into()],
                arguments,
            })],
        }),
        sender,
        gas_payment: GasPayment {
            objects: vec![reference(gas)],
            owner: sender,
            price: haulout_localnet::REFERENCE_GAS_PRICE,
            budget: 50_000_000,
        },
        expiration: TransactionExpiration::None,
    };
    let signature = key.sign_transaction(&tx).expect("sign");
    node.execute(tx, vec![signature]).expect("execute")
}

fn effects(tx: &haulout_localnet::ExecutedTx) -> &sui_sdk_types::TransactionEffectsV2 {
    let TransactionEffects::V2(e) = &tx.effects else {
        panic!("v2 effects")
    };
    assert_eq!(e.status, ExecutionStatus::Success, "{:?}", e.status);
    e
}

#[test]
fn dynamic_field_ids_match_sui() {
    // From spec/walrus-onchain.md §3, computed with @mysten/sui.
    let parent = Address::new([0xab; 32]);
    let id = parent.derive_dynamic_child_id(&TypeTag::U64, &1u64.to_le_bytes());
    assert_eq!(
        id.to_string(),
        "0x40107b177588565d0aaaca67d6e7fda6812fcaa417c4f2905b951d6b144d5f44"
    );
}

#[test]
fn natives_add_change_and_remove_dynamic_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, genesis) = Node::open(dir.path(), 1, registry()).expect("open");
    let key = genesis.expect("genesis").keys[0].clone();
    let owner = key.public_key().derive_address();
    let coins = |node: &Node| node.owned_objects(owner, None, None, usize::MAX).0;
    let c = coins(&node);
    let (parent, gas) = (c[1].clone(), c[0].clone());
    let field_id = parent
        .object_id()
        .derive_dynamic_child_id(&TypeTag::U64, &7u64.to_le_bytes());

    let tx = call(&node, &key, "put", &parent, &gas, &[7, 42]);
    let e = effects(&tx);
    let field = e
        .changed_objects
        .iter()
        .find(|c| c.object_id == field_id)
        .expect("field in effects");
    assert_eq!(field.id_operation, IdOperation::Created);
    let stored = node.object(&field_id).expect("field object");
    assert_eq!(*stored.owner(), Owner::Object(parent.object_id()));
    assert_eq!(
        node.owned_objects(parent.object_id(), None, None, 10)
            .0
            .len(),
        1
    );

    let c = coins(&node);
    let parent = c
        .iter()
        .find(|o| o.object_id() == parent.object_id())
        .expect("parent")
        .clone();
    let gas = c
        .iter()
        .find(|o| o.object_id() == gas.object_id())
        .expect("gas")
        .clone();
    let tx = call(&node, &key, "put", &parent, &gas, &[7, 43]);
    let e = effects(&tx);
    let field = e
        .changed_objects
        .iter()
        .find(|c| c.object_id == field_id)
        .expect("field in effects");
    assert_eq!(field.id_operation, IdOperation::None, "mutated");
    assert!(node.object(&field_id).expect("field").version() > stored.version());

    let c = coins(&node);
    let parent = c
        .iter()
        .find(|o| o.object_id() == parent.object_id())
        .expect("parent")
        .clone();
    let gas = c
        .iter()
        .find(|o| o.object_id() == gas.object_id())
        .expect("gas")
        .clone();
    let tx = call(&node, &key, "take", &parent, &gas, &[7]);
    let e = effects(&tx);
    let field = e
        .changed_objects
        .iter()
        .find(|c| c.object_id == field_id)
        .expect("field in effects");
    assert_eq!(field.id_operation, IdOperation::Deleted);
    assert!(node.object(&field_id).is_none());
    assert!(
        node.owned_objects(parent.object_id(), None, None, 10)
            .0
            .is_empty()
    );
}
