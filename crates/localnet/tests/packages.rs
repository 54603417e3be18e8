//! The natively mirrored packages as genesis package objects over gRPC: `GetObject` and
//! `BatchGetObjects` serve `wal`, `walrus`, `seal` and `policies` as Sui serves a published
//! package (immutable, version 1, object type `package`, BCS of an `Object` with `Package`
//! data, no `json` or `contents`), genesis creates them, they survive a restart, and naming
//! one as an object input (owned, receiving, shared or gas) is refused before execution.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use haulout_localnet::seal::SealArgs;
use haulout_localnet::walrus::WalrusArgs;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Digest;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::MovePackage;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectData;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::TypeTag;
use support::BUDGET;
use support::Chain;

/// The four packages with a module and a type each must have (its own type origin).
fn packages() -> [(Address, &'static str, (&'static str, &'static str)); 4] {
    [
        (
            haulout_localnet::walrus::wal_package(),
            "wal",
            ("wal", "WAL"),
        ),
        (
            haulout_localnet::walrus::walrus_package(),
            "system",
            ("staking_pool", "StakingPool"),
        ),
        (
            haulout_localnet::seal::seal_package(),
            "key_server",
            ("key_server", "KeyServer"),
        ),
        (
            haulout_localnet::seal::policies_package(),
            "allowlist",
            ("allowlist", "Allowlist"),
        ),
    ]
}

async fn start(dir: &std::path::Path, fresh: bool) -> Chain {
    Chain::start_packages(
        dir,
        fresh,
        WalrusArgs {
            nodes: 2,
            n_shards: 2,
            ..Default::default()
        },
        SealArgs {
            key_servers: 1,
            ..Default::default()
        },
        haulout_localnet::package::registry(),
    )
    .await
}

/// The package in `o`'s BCS, after checking the fields Sui fills for a package.
fn check_package(o: &proto::Object, id: Address, genesis: &str) -> MovePackage {
    assert_eq!(o.object_id(), id.to_string());
    assert_eq!(o.version(), 1);
    assert_eq!(
        o.owner.as_ref().expect("owner").kind(),
        proto::owner::OwnerKind::Immutable
    );
    assert_eq!(o.object_type(), "package");
    assert!(o.json.is_none(), "a package has no json: {o:?}");
    assert!(o.contents.is_none(), "a package has no contents: {o:?}");
    assert_eq!(o.previous_transaction(), genesis);
    let bcs = o.bcs.as_ref().expect("bcs").value.as_deref().expect("bcs");
    let object: Object = bcs::from_bytes(bcs).expect("an Object");
    assert_eq!(o.digest(), object.digest().to_string());
    assert_eq!(object.object_id(), id);
    assert_eq!(object.version(), 1);
    assert_eq!(*object.owner(), sui_sdk_types::Owner::Immutable);
    assert_eq!(object.previous_transaction().to_string(), genesis);
    let ObjectData::Package(package) = object.data() else {
        panic!("{id} is not a package: {object:?}");
    };
    assert_eq!(package.id, id);
    assert_eq!(package.version, 1);
    package.clone()
}

#[tokio::test]
async fn genesis_publishes_every_mirrored_package_as_a_package_object() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true).await;
    let genesis = chain
        .get_checkpoint(0, Some("transactions.digest"))
        .await
        .transactions[0]
        .digest()
        .to_owned();
    let mask = "object_id,version,digest,owner,object_type,bcs,json,contents,\
                previous_transaction,has_public_transfer";
    for (id, module, (type_module, type_name)) in packages() {
        let o = chain.get_object(id, Some(mask)).await;
        let package = check_package(&o, id, &genesis);
        assert!(o.has_public_transfer.is_none(), "{o:?}");
        assert!(
            package
                .modules
                .contains_key(&Identifier::new(module).unwrap()),
            "{id}: {:?}",
            package.modules.keys()
        );
        assert!(package.modules.values().all(Vec::is_empty), "no bytecode");
        assert!(package.linkage_table.is_empty());
        assert!(
            package
                .type_origin_table
                .iter()
                .any(|t| t.module_name.as_str() == type_module
                    && t.struct_name.as_str() == type_name),
            "{id}: {:?}",
            package.type_origin_table
        );
        for origin in &package.type_origin_table {
            assert_eq!(origin.package, id, "{origin:?}");
            assert!(
                package.modules.contains_key(&origin.module_name),
                "{origin:?}"
            );
        }
        // As a Seal key server reads it: version 1, so the original ID is the package's own.
        let o = chain.get_object(id, Some("object_id,version,bcs")).await;
        assert_eq!(o.version(), 1);
        assert!(o.digest.is_none() && o.owner.is_none());
        // The server's default mask (what `@mysten/seal` gets through `core.getObject`).
        let o = chain.get_object(id, None).await;
        assert_eq!(o.object_id(), id.to_string());
        assert_eq!(o.version(), 1);
    }

    // BatchGetObjects serves all four, in request order.
    let mut request = proto::BatchGetObjectsRequest::default();
    request.requests = packages()
        .iter()
        .map(|(id, _, _)| {
            let mut r = proto::GetObjectRequest::default();
            r.object_id = Some(id.to_string());
            r
        })
        .collect();
    request.read_mask = Some(prost_types::FieldMask::from_str(mask));
    let objects = chain
        .client
        .ledger_client()
        .batch_get_objects(request)
        .await
        .expect("batch get")
        .into_inner()
        .objects;
    assert_eq!(objects.len(), 4);
    for (result, (id, _, _)) in objects.iter().zip(packages()) {
        check_package(result.object(), id, &genesis);
    }

    // The genesis checkpoint creates them like the other genesis objects.
    let checkpoint = chain
        .get_checkpoint(
            0,
            Some(
                "transactions.effects.changed_objects,objects.objects.object_id,\
                 objects.objects.object_type,objects.objects.json,objects.objects.contents",
            ),
        )
        .await;
    let changed = &checkpoint.transactions[0]
        .effects
        .as_ref()
        .expect("effects")
        .changed_objects;
    let objects = &checkpoint.objects.as_ref().expect("objects").objects;
    for (id, _, _) in packages() {
        let change = changed
            .iter()
            .find(|c| c.object_id() == id.to_string())
            .expect("package in the genesis effects");
        assert_eq!(
            change.id_operation(),
            proto::changed_object::IdOperation::Created
        );
        assert_eq!(
            change.input_state(),
            proto::changed_object::InputObjectState::DoesNotExist
        );
        assert_eq!(
            change.output_state(),
            proto::changed_object::OutputObjectState::ObjectWrite
        );
        assert_eq!(change.output_version(), 1);
        assert_eq!(
            change.output_owner.as_ref().expect("owner").kind(),
            proto::owner::OwnerKind::Immutable
        );
        assert_eq!(change.object_type(), "package");
        let o = objects
            .iter()
            .find(|o| o.object_id() == id.to_string())
            .expect("package in the genesis checkpoint's objects");
        assert_eq!(o.object_type(), "package");
        assert!(o.json.is_none() && o.contents.is_none());
    }

    // Not an owned object of anyone; still there after a restart (replayed from the ledger).
    chain.stop().await;
    let mut chain = start(dir.path(), false).await;
    for (id, _, _) in packages() {
        let o = chain.get_object(id, Some(mask)).await;
        check_package(&o, id, &genesis);
    }
    chain.stop().await;
}

fn freeze(argument: Argument) -> Command {
    Command::MoveCall(MoveCall {
        package: Address::TWO,
        module: Identifier::new("transfer").unwrap(),
        function: Identifier::new("public_freeze_object").unwrap(),
        type_arguments: vec![TypeTag::Struct(Box::new(
            sui_sdk_types::StructTag::gas_coin(),
        ))],
        arguments: vec![argument],
    })
}

#[tokio::test]
async fn a_package_is_refused_as_an_object_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true).await;
    let sender = chain.address(0);
    let key = chain.keys[0].clone();
    let coins_before = chain.coins(sender).await;
    let gas = coins_before[0].0.clone();
    for (id, _, _) in packages() {
        let o = chain.get_object(id, Some("object_id,version,digest")).await;
        let digest: Digest = o.digest().parse().unwrap();
        let reference = ObjectReference::new(id, 1, digest);
        let refused = [
            ("owned", Input::ImmutableOrOwned(reference.clone())),
            ("receiving", Input::Receiving(reference.clone())),
            ("shared", Input::Shared(SharedInput::new(id, 1, true))),
        ];
        for (kind, input) in refused {
            let ptb = ProgrammableTransaction {
                inputs: vec![input],
                commands: vec![freeze(Argument::Input(0))],
            };
            let tx = support::transaction(sender, vec![gas.clone()], BUDGET, ptb);
            let err = chain.execute(&tx, &key).await.expect_err(kind);
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{kind}: {err}");
            let expected = if kind == "shared" {
                "is not shared".to_owned()
            } else {
                format!("A move object is expected, instead a move package is passed: {id}")
            };
            assert!(err.message().contains(&expected), "{kind}: {err}");
        }
        // As the gas coin.
        let ptb = ProgrammableTransaction {
            inputs: vec![],
            commands: vec![],
        };
        let tx = support::transaction(sender, vec![reference], BUDGET, ptb.clone());
        let err = chain.execute(&tx, &key).await.expect_err("gas");
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");
        assert!(err.message().contains("move package is passed"), "{err}");
        // By ID only, for the server to resolve (as the TypeScript SDK sends it).
        let ptb = ProgrammableTransaction {
            inputs: vec![Input::ImmutableOrOwned(ObjectReference::new(
                id,
                0,
                Digest::ZERO,
            ))],
            commands: vec![freeze(Argument::Input(0))],
        };
        let err = chain
            .simulate(sender, ptb, "effects.status", |inputs| {
                support::unresolve(&mut inputs[0]);
            })
            .await
            .expect_err("resolved package input");
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");
        assert!(err.message().contains("move package is passed"), "{err}");
        // Nothing changed: the package is as genesis made it, the gas coin untouched.
        let after = chain.get_object(id, Some("version,digest")).await;
        assert_eq!(after.version(), 1);
        assert_eq!(after.digest(), o.digest());
    }
    assert_eq!(chain.coins(sender).await, coins_before);
    chain.stop().await;
}
