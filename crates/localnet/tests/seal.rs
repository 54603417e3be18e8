//! The Seal packages over gRPC: the genesis key servers (objects, dynamic fields, files,
//! `localnet.json`), `key_server` calls, and every policy's `seal_approve` dry-run through
//! `SimulateTransaction` exactly as a Seal key server sends it (sender = the user, no gas coins,
//! budget 5·10⁸ at the reference price, object inputs by ID only, the staleness check first):
//! allowed, and denied for each reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt as _;

use fastcrypto::groups::GroupElement as _;
use fastcrypto::groups::bls12381::G2Element;
use fastcrypto::groups::bls12381::Scalar;
use fastcrypto::serde_helpers::ToFromByteArray as _;
use haulout_localnet::CLOCK_ID;
use haulout_localnet::seal::SealArgs;
use haulout_localnet::seal::SealInfo;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::Field;
use haulout_types::KeyServer;
use haulout_types::KeyServerV2;
use haulout_types::ServerType;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Digest;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::TransactionKind;
use support::Chain;
use support::GAS_PRICE;
use support::status_success;

/// The gas budget a Seal key server simulates with.
const KEY_SERVER_BUDGET: u64 = 500_000_000;
/// Seal's default staleness allowance.
const ALLOWED_STALENESS_MS: u64 = 120_000;

fn seal() -> Address {
    haulout_localnet::seal::seal_package()
}

fn policies() -> Address {
    haulout_localnet::seal::policies_package()
}

fn call(package: Address, module: &str, function: &str, arguments: Vec<Argument>) -> Command {
    Command::MoveCall(MoveCall {
        package,
        module: Identifier::new(module).unwrap(),
        function: Identifier::new(function).unwrap(),
        type_arguments: vec![],
        arguments,
    })
}

fn pure<T: serde::Serialize>(v: &T) -> Input {
    Input::Pure(bcs::to_bytes(v).unwrap())
}

/// An owned or shared object input the server resolves (the key server strips versions and
/// digests; the kind comes from the object).
fn owned(id: Address) -> Input {
    Input::ImmutableOrOwned(ObjectReference::new(id, 0, Digest::ZERO))
}

fn shared(id: Address, mutable: bool) -> Input {
    Input::Shared(SharedInput::new(id, 0, mutable))
}

fn clock() -> Input {
    Input::Shared(SharedInput::new(CLOCK_ID, 1, false))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A key server's PTB: `time::check_staleness(now, 2 min, clock)`, then
/// `policies::<module>::seal_approve(id, objects…[, clock])`; the Clock is input 2, `objects`
/// follow.
fn approve_ptb(module: &str, id: &[u8], objects: Vec<Input>) -> ProgrammableTransaction {
    approve_ptb_at(module, id, objects, now_ms())
}

fn approve_ptb_at(
    module: &str,
    id: &[u8],
    objects: Vec<Input>,
    keyserver_time: u64,
) -> ProgrammableTransaction {
    let mut inputs = vec![
        pure(&keyserver_time),
        pure(&ALLOWED_STALENESS_MS),
        clock(),
        pure(&id.to_vec()),
    ];
    let n = objects.len();
    inputs.extend(objects);
    let mut arguments = vec![Argument::Input(3)];
    arguments.extend((0..n).map(|i| Argument::Input(4 + i as u16)));
    // `tle` and `subscription` take the Clock last.
    if matches!(module, "tle" | "subscription") {
        arguments.push(Argument::Input(2));
    }
    ProgrammableTransaction {
        inputs,
        commands: vec![
            call(
                seal(),
                "time",
                "check_staleness",
                vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
            ),
            call(policies(), module, "seal_approve", arguments),
        ],
    }
}

/// `SimulateTransaction` as a Seal key server sends it: sender `user`, no gas coins, budget
/// 5·10⁸ at the reference price, no gas selection, every object input without version or
/// digest (resolved to its latest version).
async fn dry_run(
    chain: &mut Chain,
    user: Address,
    ptb: ProgrammableTransaction,
) -> Result<proto::ExecutedTransaction, tonic::Status> {
    let mut kind = proto::TransactionKind::from(TransactionKind::ProgrammableTransaction(ptb));
    let Some(proto::transaction_kind::Data::ProgrammableTransaction(p)) = kind.data.as_mut() else {
        panic!("programmable transaction");
    };
    for input in &mut p.inputs {
        if input.object_id.is_some() {
            input.version = None;
            input.digest = None;
        }
    }
    let mut transaction = proto::Transaction::default();
    transaction.kind = Some(kind);
    transaction.sender = Some(user.to_string());
    let mut gas = proto::GasPayment::default();
    gas.owner = Some(user.to_string());
    gas.price = Some(GAS_PRICE);
    gas.budget = Some(KEY_SERVER_BUDGET);
    transaction.gas_payment = Some(gas);
    let mut request = proto::SimulateTransactionRequest::default();
    request.transaction = Some(transaction);
    request.do_gas_selection = Some(false);
    request.read_mask = Some(prost_types::FieldMask::from_str(
        "transaction.effects.status,transaction.effects.gas_used,transaction.transaction.gas_payment",
    ));
    Ok(chain
        .client
        .execution_client()
        .simulate_transaction(request)
        .await?
        .into_inner()
        .transaction
        .expect("transaction"))
}

/// The (module, code) of a Move abort.
fn abort_of(tx: &proto::ExecutedTransaction) -> (String, u64) {
    assert!(!status_success(tx), "expected an abort: {tx:?}");
    let error = tx
        .effects
        .as_ref()
        .and_then(|e| e.status.as_ref())
        .and_then(|s| s.error.as_ref())
        .expect("error");
    let Some(proto::execution_error::ErrorDetails::Abort(abort)) = &error.error_details else {
        panic!("not an abort: {error:?}");
    };
    let location = abort.location.as_ref().expect("location");
    (
        location.module.clone().expect("module"),
        abort.abort_code.expect("code"),
    )
}

/// Dry-runs and expects the policy to allow.
async fn allowed(chain: &mut Chain, user: Address, ptb: ProgrammableTransaction) {
    let tx = dry_run(chain, user, ptb).await.expect("simulate");
    assert!(status_success(&tx), "denied: {tx:?}");
    // Paid with Sui's mock gas coin, which is never stored.
    let gas = tx
        .transaction
        .as_ref()
        .and_then(|t| t.gas_payment.as_ref())
        .expect("gas payment");
    assert_eq!(
        gas.objects[0].object_id(),
        haulout_localnet::SIMULATION_GAS_COIN_ID.to_string()
    );
}

/// Dry-runs and expects an abort in `module` with `code`.
async fn denied(
    chain: &mut Chain,
    user: Address,
    ptb: ProgrammableTransaction,
    module: &str,
    code: u64,
) {
    let tx = dry_run(chain, user, ptb).await.expect("simulate");
    assert_eq!(abort_of(&tx), (module.to_owned(), code));
}

/// The object of type `…::module::name` among a transaction's output objects.
fn output_of_type(tx: &proto::ExecutedTransaction, module: &str, name: &str) -> Address {
    let suffix = format!("::{module}::{name}");
    tx.objects
        .as_ref()
        .expect("objects")
        .objects
        .iter()
        .find(|o| o.object_type().ends_with(&suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {tx:?}"))
        .object_id()
        .parse()
        .unwrap()
}

async fn run_ok(
    chain: &mut Chain,
    account: usize,
    ptb: ProgrammableTransaction,
) -> proto::ExecutedTransaction {
    let tx = chain.execute_ptb(account, ptb).await.expect("execute");
    assert!(status_success(&tx), "{tx:?}");
    tx
}

async fn clock_ms(chain: &mut Chain) -> u64 {
    let clock = chain.get_object(CLOCK_ID, Some("contents")).await;
    let bytes = clock.contents.expect("contents").value.expect("value");
    u64::from_le_bytes(bytes[32..40].try_into().unwrap())
}

fn walrus_args() -> WalrusArgs {
    WalrusArgs {
        nodes: 2,
        n_shards: 2,
        ..Default::default()
    }
}

async fn start(dir: &std::path::Path, fresh: bool, seal: SealArgs) -> Chain {
    Chain::start_packages(
        dir,
        fresh,
        walrus_args(),
        seal,
        haulout_localnet::package::registry(),
    )
    .await
}

#[tokio::test]
async fn genesis_registers_key_servers_and_writes_their_configs() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true, SealArgs::default()).await;
    let info: SealInfo = chain
        .localnet
        .info
        .section("seal")
        .unwrap()
        .expect("seal section");
    assert_eq!(info.seal_package_id, seal().to_string());
    assert_eq!(info.policies_package_id, policies().to_string());
    assert_eq!(info.threshold, 2);
    assert_eq!(info.key_servers.len(), 3);
    let faucet = chain
        .localnet
        .node
        .faucet_key()
        .public_key()
        .derive_address();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("localnet.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["seal"]["keyServers"][1]["url"],
        "http://127.0.0.1:9301"
    );
    for (i, server) in info.key_servers.iter().enumerate() {
        assert_eq!(server.url, format!("http://127.0.0.1:{}", 9300 + i));
        // The key server's file: mode 0600, the master key whose public key is on chain.
        let path = dir.path().join(format!("key-servers/{i}/key-server.toml"));
        assert_eq!(server.config, path.display().to_string());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        assert_eq!(
            config["name"].as_str(),
            Some(format!("haulout-key-server-{i}").as_str())
        );
        assert_eq!(
            config["object_id"].as_str(),
            Some(server.object_id.as_str())
        );
        assert_eq!(
            config["listen"].as_str(),
            Some(format!("127.0.0.1:{}", 9300 + i).as_str())
        );
        assert_eq!(
            config["rpc_url"].as_str(),
            Some(chain.localnet.info.rpc_url.as_str())
        );
        assert_eq!(
            config["seal_package"].as_str(),
            Some(seal().to_string().as_str())
        );
        let msk = hex::decode(
            config["master_key"]
                .as_str()
                .unwrap()
                .trim_start_matches("0x"),
        )
        .unwrap();
        let msk = Scalar::from_byte_array(&msk.try_into().unwrap()).unwrap();
        let pk = (G2Element::generator() * msk).to_byte_array();
        assert_eq!(server.public_key, format!("0x{}", hex::encode(pk)));

        // The KeyServer object (owned by the faucet) and its `u64` dynamic field 2.
        let id: Address = server.object_id.parse().unwrap();
        let object = chain.get_object(id, Some("owner,contents")).await;
        assert_eq!(object.owner.unwrap().address(), faucet.to_string());
        let contents = object.contents.unwrap();
        assert!(contents.name().ends_with("::key_server::KeyServer"));
        let key_server: KeyServer = bcs::from_bytes(contents.value()).unwrap();
        assert_eq!((key_server.first_version, key_server.last_version), (2, 2));
        let field_id =
            id.derive_dynamic_child_id(&sui_sdk_types::TypeTag::U64, &2u64.to_le_bytes());
        let field = chain.get_object(field_id, Some("contents")).await;
        let field: Field<u64, KeyServerV2> =
            bcs::from_bytes(field.contents.unwrap().value()).unwrap();
        assert_eq!(field.name, 2);
        assert_eq!(field.value.name, format!("haulout-key-server-{i}"));
        assert_eq!(field.value.key_type, 0);
        assert_eq!(field.value.pk, pk.to_vec());
        assert_eq!(
            field.value.server_type,
            ServerType::Independent {
                url: server.url.clone()
            }
        );
    }
    chain.stop().await;

    // A restart keeps the section; --fresh removes the files with the chain.
    let chain = start(dir.path(), false, SealArgs::default()).await;
    let again: SealInfo = chain.localnet.info.section("seal").unwrap().unwrap();
    assert_eq!(again, info);
    chain.stop().await;
    let chain = start(
        dir.path(),
        true,
        SealArgs {
            key_servers: 0,
            ..Default::default()
        },
    )
    .await;
    assert!(!dir.path().join("key-servers").exists());
    let none: SealInfo = chain.localnet.info.section("seal").unwrap().unwrap();
    assert!(none.key_servers.is_empty());
    chain.stop().await;
}

#[tokio::test]
async fn key_servers_are_registered_and_updated() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true, SealArgs::default()).await;
    let g2 = G2Element::generator().to_byte_array().to_vec();
    let register = |key_type: u8, pk: Vec<u8>| ProgrammableTransaction {
        inputs: vec![
            pure(&"mine".to_owned()),
            pure(&"http://127.0.0.1:9400".to_owned()),
            pure(&key_type),
            pure(&pk),
        ],
        commands: vec![call(
            seal(),
            "key_server",
            "create_and_transfer_v2_independent_server",
            (0..4).map(Argument::Input).collect(),
        )],
    };
    let tx = run_ok(&mut chain, 0, register(0, g2.clone())).await;
    let id = output_of_type(&tx, "key_server", "KeyServer");
    let object = chain.get_object(id, Some("owner")).await;
    assert_eq!(
        object.owner.unwrap().address(),
        chain.address(0).to_string()
    );
    let field_id = id.derive_dynamic_child_id(&sui_sdk_types::TypeTag::U64, &2u64.to_le_bytes());
    let read_url = async |chain: &mut Chain| {
        let field = chain.get_object(field_id, Some("contents")).await;
        let field: Field<u64, KeyServerV2> =
            bcs::from_bytes(field.contents.unwrap().value()).unwrap();
        field.value.server_type
    };
    assert_eq!(
        read_url(&mut chain).await,
        ServerType::Independent {
            url: "http://127.0.0.1:9400".into()
        }
    );

    // Aborts: key type, then the G2 bytes (`g2_from_bytes` in `0x2::group_ops`).
    let tx = chain.execute_ptb(0, register(1, g2.clone())).await.unwrap();
    assert_eq!(abort_of(&tx), ("key_server".into(), 1));
    let tx = chain
        .execute_ptb(0, register(0, vec![7; 96]))
        .await
        .unwrap();
    assert_eq!(abort_of(&tx), ("group_ops".into(), 1));
    let tx = chain
        .execute_ptb(0, register(0, g2[..48].to_vec()))
        .await
        .unwrap();
    assert_eq!(abort_of(&tx), ("group_ops".into(), 1));

    // `update` by the owner; the getters are callable.
    let version = chain.object_version(id).await;
    let object = chain.get_object(id, Some("digest")).await;
    let ptb = ProgrammableTransaction {
        inputs: vec![
            Input::ImmutableOrOwned(ObjectReference::new(
                id,
                version,
                object.digest().parse().unwrap(),
            )),
            pure(&"http://127.0.0.1:9500".to_owned()),
        ],
        commands: vec![
            call(
                seal(),
                "key_server",
                "update",
                vec![Argument::Input(0), Argument::Input(1)],
            ),
            call(seal(), "key_server", "url", vec![Argument::Input(0)]),
            call(seal(), "key_server", "name", vec![Argument::Input(0)]),
            call(seal(), "key_server", "key_type", vec![Argument::Input(0)]),
            call(seal(), "key_server", "id", vec![Argument::Input(0)]),
        ],
    };
    run_ok(&mut chain, 0, ptb).await;
    assert_eq!(
        read_url(&mut chain).await,
        ServerType::Independent {
            url: "http://127.0.0.1:9500".into()
        }
    );
    // Someone else cannot pass the owned KeyServer at all.
    let ptb = ProgrammableTransaction {
        inputs: vec![owned(id), pure(&"http://evil".to_owned())],
        commands: vec![call(
            seal(),
            "key_server",
            "update",
            vec![Argument::Input(0), Argument::Input(1)],
        )],
    };
    let bob = chain.address(1);
    let error = dry_run(&mut chain, bob, ptb).await.unwrap_err();
    assert!(error.message().contains("not owned"), "{error:?}");
    chain.stop().await;
}

#[tokio::test]
async fn staleness_private_and_time_lock_policies() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true, SealArgs::default()).await;
    let (alice, bob) = (chain.address(0), chain.address(1));

    // private: `[owner][nonce]` for the owner only.
    let mut id = alice.as_bytes().to_vec();
    id.extend_from_slice(b"nonce");
    allowed(&mut chain, alice, approve_ptb("private", &id, vec![])).await;
    denied(
        &mut chain,
        bob,
        approve_ptb("private", &id, vec![]),
        "private",
        0,
    )
    .await;
    denied(
        &mut chain,
        alice,
        approve_ptb("private", &alice.as_bytes()[..31], vec![]),
        "private",
        0,
    )
    .await;

    // tle: `bcs(u64 T)`, from T on.
    let clock = clock_ms(&mut chain).await;
    allowed(
        &mut chain,
        bob,
        approve_ptb("tle", &0u64.to_le_bytes(), vec![]),
    )
    .await;
    allowed(
        &mut chain,
        bob,
        approve_ptb("tle", &clock.to_le_bytes(), vec![]),
    )
    .await;
    let later = (clock + 3_600_000).to_le_bytes();
    denied(
        &mut chain,
        bob,
        approve_ptb("tle", &later, vec![]),
        "tle",
        0,
    )
    .await;
    denied(
        &mut chain,
        bob,
        approve_ptb("tle", &later[..7], vec![]),
        "tle",
        1,
    )
    .await;
    let mut long = later.to_vec();
    long.push(0);
    denied(&mut chain, bob, approve_ptb("tle", &long, vec![]), "tle", 1).await;

    // The staleness check: a key server far ahead of the chain's clock, or far behind it.
    let ahead = now_ms() + 10 * 60_000;
    denied(
        &mut chain,
        alice,
        approve_ptb_at("private", &id, vec![], ahead),
        "time",
        93492,
    )
    .await;
    denied(
        &mut chain,
        alice,
        approve_ptb_at("private", &id, vec![], clock - 60_000),
        "time",
        93493,
    )
    .await;

    chain.stop().await;
}

#[tokio::test]
async fn allowlist_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true, SealArgs::default()).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let stranger = Address::new([0x5a; 32]);

    let tx = run_ok(
        &mut chain,
        0,
        ProgrammableTransaction {
            inputs: vec![pure(&"friends".to_owned())],
            commands: vec![call(
                policies(),
                "allowlist",
                "create_allowlist_entry",
                vec![Argument::Input(0)],
            )],
        },
    )
    .await;
    let list = output_of_type(&tx, "allowlist", "Allowlist");
    let cap = output_of_type(&tx, "allowlist", "Cap");
    let change = |function: &str, member: Address| ProgrammableTransaction {
        inputs: vec![shared(list, true), owned(cap), pure(&member)],
        commands: vec![call(
            policies(),
            "allowlist",
            function,
            vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
        )],
    };
    // Owned inputs by ID only are fine for `execute_ptb`'s references? No: resolve them first.
    let resolve = async |chain: &mut Chain, ptb: ProgrammableTransaction| {
        let mut inputs = Vec::new();
        for input in ptb.inputs {
            inputs.push(match input {
                Input::ImmutableOrOwned(r) => {
                    let o = chain
                        .get_object(*r.object_id(), Some("version,digest"))
                        .await;
                    Input::ImmutableOrOwned(ObjectReference::new(
                        *r.object_id(),
                        o.version(),
                        o.digest().parse().unwrap(),
                    ))
                }
                Input::Shared(s) => {
                    let o = chain.get_object(s.object_id(), Some("owner")).await;
                    Input::Shared(SharedInput::new(
                        s.object_id(),
                        o.owner.unwrap().version(),
                        s.mutability().is_mutable(),
                    ))
                }
                other => other,
            });
        }
        ProgrammableTransaction {
            inputs,
            commands: ptb.commands,
        }
    };
    let ptb = resolve(&mut chain, change("add", bob)).await;
    run_ok(&mut chain, 0, ptb).await;
    let ptb = resolve(&mut chain, change("add", bob)).await;
    let tx = chain.execute_ptb(0, ptb).await.unwrap();
    assert_eq!(abort_of(&tx), ("allowlist".into(), 2), "duplicate");

    let mut id = list.as_bytes().to_vec();
    id.extend_from_slice(&[1, 2, 3]);
    let approve = |id: &[u8]| approve_ptb("allowlist", id, vec![shared(list, false)]);
    allowed(&mut chain, bob, approve(&id)).await;
    // Not a member; an id outside the allowlist's namespace.
    denied(&mut chain, stranger, approve(&id), "allowlist", 1).await;
    denied(&mut chain, alice, approve(&id), "allowlist", 1).await;
    let mut other = id.clone();
    other[0] ^= 1;
    denied(&mut chain, bob, approve(&other), "allowlist", 1).await;

    // A dry run commits nothing: simulating `add(stranger)` by the owner succeeds, and the
    // stranger is still not a member.
    let version = chain.object_version(list).await;
    let add_stranger = resolve(&mut chain, change("add", stranger)).await;
    let tx = dry_run(&mut chain, alice, add_stranger).await.unwrap();
    assert!(status_success(&tx), "{tx:?}");
    assert_eq!(chain.object_version(list).await, version);
    denied(&mut chain, stranger, approve(&id), "allowlist", 1).await;

    // Another allowlist's cap cannot change this one.
    let tx = run_ok(
        &mut chain,
        1,
        ProgrammableTransaction {
            inputs: vec![pure(&"bob's".to_owned())],
            commands: vec![call(
                policies(),
                "allowlist",
                "create_allowlist_entry",
                vec![Argument::Input(0)],
            )],
        },
    )
    .await;
    let bobs_cap = output_of_type(&tx, "allowlist", "Cap");
    let ptb = ProgrammableTransaction {
        inputs: vec![shared(list, true), owned(bobs_cap), pure(&bob)],
        commands: vec![call(
            policies(),
            "allowlist",
            "remove",
            vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
        )],
    };
    let ptb = resolve(&mut chain, ptb).await;
    let tx = chain.execute_ptb(1, ptb).await.unwrap();
    assert_eq!(abort_of(&tx), ("allowlist".into(), 0));

    // Publishing a blob ID (once), then removing bob: denied from then on.
    let publish = ProgrammableTransaction {
        inputs: vec![shared(list, true), owned(cap), pure(&"blob-1".to_owned())],
        commands: vec![call(
            policies(),
            "allowlist",
            "publish",
            vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
        )],
    };
    let ptb = resolve(&mut chain, publish.clone()).await;
    run_ok(&mut chain, 0, ptb).await;
    let ptb = resolve(&mut chain, publish).await;
    let tx = chain.execute_ptb(0, ptb).await.unwrap();
    assert_eq!(abort_of(&tx), ("dynamic_field".into(), 0));
    let ptb = resolve(&mut chain, change("remove", bob)).await;
    run_ok(&mut chain, 0, ptb).await;
    denied(&mut chain, bob, approve(&id), "allowlist", 1).await;
    chain.stop().await;
}

#[tokio::test]
async fn subscription_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = start(dir.path(), true, SealArgs::default()).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let wal = chain.localnet.info.walrus.clone().unwrap().wal_package_id;
    let wal_type = format!("{wal}::wal::WAL");
    const FEE: u64 = 5_000_000_000;

    let create = |fee: u64, ttl: u64| ProgrammableTransaction {
        inputs: vec![pure(&fee), pure(&ttl), pure(&"news".to_owned())],
        commands: vec![call(
            policies(),
            "subscription",
            "create_service_entry",
            vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
        )],
    };
    let tx = run_ok(&mut chain, 0, create(FEE, 3_600_000)).await;
    let service = output_of_type(&tx, "subscription", "Service");
    let tx = run_ok(&mut chain, 0, create(FEE, 1)).await;
    let short = output_of_type(&tx, "subscription", "Service");

    // Bob subscribes: split exactly the fee off a WAL coin, subscribe, keep the subscription.
    let subscribe = async |chain: &mut Chain, service: Address, amount: u64| {
        let coin = chain.coins_of(bob, &wal_type).await[0].0.clone();
        let o = chain.get_object(service, Some("owner")).await;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                Input::ImmutableOrOwned(coin),
                pure(&amount),
                Input::Shared(SharedInput::new(service, o.owner.unwrap().version(), false)),
                clock(),
                pure(&bob),
            ],
            commands: vec![
                Command::SplitCoins(sui_sdk_types::SplitCoins {
                    coin: Argument::Input(0),
                    amounts: vec![Argument::Input(1)],
                }),
                call(
                    policies(),
                    "subscription",
                    "subscribe",
                    vec![
                        Argument::NestedResult(0, 0),
                        Argument::Input(2),
                        Argument::Input(3),
                    ],
                ),
                call(
                    policies(),
                    "subscription",
                    "transfer",
                    vec![Argument::Result(1), Argument::Input(4)],
                ),
            ],
        };
        chain.execute_ptb(1, ptb).await.unwrap()
    };
    // Unpaid: a wrong amount aborts and mints nothing.
    let tx = subscribe(&mut chain, service, FEE - 1).await;
    assert_eq!(abort_of(&tx), ("subscription".into(), 1));
    let alice_wal: u64 = chain
        .coins_of(alice, &wal_type)
        .await
        .iter()
        .map(|c| c.1)
        .sum();
    let tx = subscribe(&mut chain, service, FEE).await;
    assert!(status_success(&tx), "{tx:?}");
    let sub = output_of_type(&tx, "subscription", "Subscription");
    let paid: u64 = chain
        .coins_of(alice, &wal_type)
        .await
        .iter()
        .map(|c| c.1)
        .sum();
    assert_eq!(paid, alice_wal + FEE, "the owner got exactly the fee");
    let object = chain.get_object(sub, Some("owner")).await;
    assert_eq!(object.owner.unwrap().address(), bob.to_string());

    let mut id = service.as_bytes().to_vec();
    id.extend_from_slice(b"episode-1");
    let approve = |id: &[u8], sub: Address, service: Address| {
        approve_ptb("subscription", id, vec![owned(sub), shared(service, false)])
    };
    allowed(&mut chain, bob, approve(&id, sub, service)).await;
    // Someone else's owned Subscription as input: the simulator refuses it, as Sui does.
    let error = dry_run(&mut chain, alice, approve(&id, sub, service))
        .await
        .unwrap_err();
    assert!(error.message().contains("not owned"), "{error:?}");
    // An id outside the service; the subscription of another service.
    let mut other = id.clone();
    other[5] ^= 0xff;
    denied(
        &mut chain,
        bob,
        approve(&other, sub, service),
        "subscription",
        2,
    )
    .await;
    let mut short_id = short.as_bytes().to_vec();
    short_id.push(9);
    denied(
        &mut chain,
        bob,
        approve(&short_id, sub, short),
        "subscription",
        2,
    )
    .await;

    // Expired: a 1 ms subscription, once the chain's clock has moved past its end.
    let tx = subscribe(&mut chain, short, FEE).await;
    assert!(status_success(&tx), "{tx:?}");
    let short_sub = output_of_type(&tx, "subscription", "Subscription");
    let created_at = {
        let o = chain.get_object(short_sub, Some("contents")).await;
        let s: haulout_types::Subscription = bcs::from_bytes(o.contents.unwrap().value()).unwrap();
        s.created_at
    };
    // The Clock moves with checkpoints: seal one past the subscription's end.
    chain.localnet.node.seal_checkpoint(created_at + 2).unwrap();
    assert!(clock_ms(&mut chain).await > created_at + 1);
    denied(
        &mut chain,
        bob,
        approve(&short_id, short_sub, short),
        "subscription",
        2,
    )
    .await;
    chain.stop().await;
}
