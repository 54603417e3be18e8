//! Walrus epoch changes end to end, as storage nodes take part in them: the chain is started
//! with `Localnet::start`, and the test plays the storage nodes using only what a node has —
//! its `<data>/nodes/<i>/node.toml` and the Sui gRPC API (`sui_rpc::Client`). It follows the
//! checkpoint stream, reads the staking state (`ListDynamicFields`, `GetObject`), and whenever
//! the state is `EpochChangeSync` for epoch `e`, every node sends `epoch_sync_done(e)` signed
//! with its own key (`ExecuteTransaction`). The chain's keeper alone sends `voting_end` and
//! `initiate_epoch_change`.
//!
//! Timing. In this mode the chain seals checkpoints on its own timer with wall-clock
//! timestamps (at most `MAX_CHECKPOINT_INTERVAL` = 2 s apart) and the gRPC API has no way to
//! seal one, so the Walrus epochs run on real time. The test is still deterministic: no
//! assertion depends on how long anything takes. Every state it asserts is either read at the
//! exact object version a node's transaction wrote (`GetObject` with `version`), or is
//! `EpochChangeSync`, which only the nodes can leave. And with three nodes of equal shards a
//! quorum (3w ≥ 2n + 1) needs every node, so no node ever syncs after the change completed,
//! which would race the keeper's next steps. The epoch duration (1 s) only sets how long the
//! test runs (about 3 × (1 s + up to 2 s of checkpoint interval) plus the syncs, so ~10 s);
//! `TIMEOUT` is no margin: it only turns a chain that stopped making progress into a failure
//! instead of a hang.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt as _;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::EpochChangeDone;
use haulout_types::EpochChangeStart;
use haulout_types::EpochParametersSelected;
use haulout_types::EpochState;
use haulout_types::Field;
use haulout_types::MoveStruct;
use haulout_types::Packages;
use haulout_types::StakingInnerV1;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use support::*;

/// Three nodes of two shards each: a quorum of shards (3w ≥ 2·6 + 1, so w ≥ 5) needs all three.
const N_NODES: usize = 3;
const N_SHARDS: u16 = 6;
const EPOCH_MS: u64 = 1_000;
/// Three epoch changes: epoch 1 → 2 → 3 → 4.
const LAST_EPOCH: u32 = 4;
/// Only a bound on a chain that stopped making progress (see the module docs).
const TIMEOUT: Duration = Duration::from_secs(120);
/// Gas budget of a node's `epoch_sync_done`.
const SYNC_BUDGET: u64 = 1_000_000_000;

/// What a storage node reads from its `node.toml` to take part in epoch changes.
struct NodeConfig {
    sui_key: Ed25519PrivateKey,
    address: Address,
    node_id: Address,
    cap: Address,
    rpc_url: String,
    packages: Packages,
    staking: Address,
}

/// The `key = value` lines of a `node.toml`, string values unquoted. Genesis writes flat
/// TOML with JSON-compatible basic strings, so this is all a reader needs (the workspace has
/// no TOML crate).
fn toml_values(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| {
            let value = value.trim();
            let value = if value.starts_with('"') {
                serde_json::from_str(value).expect("a TOML basic string")
            } else {
                value.to_owned()
            };
            (key.trim().to_owned(), value)
        })
        .collect()
}

fn read_node_config(path: &Path) -> NodeConfig {
    let text = std::fs::read_to_string(path).expect("node.toml");
    let values = toml_values(&text);
    let get = |key: &str| {
        values
            .get(key)
            .unwrap_or_else(|| panic!("{} has no {key}", path.display()))
            .clone()
    };
    let id = |key: &str| -> Address { get(key).parse().expect("an object ID") };
    let sui_key = Ed25519PrivateKey::from_base64(&get("sui_key")).expect("sui_key");
    let address: Address = id("sui_address");
    assert_eq!(sui_key.public_key().derive_address(), address);
    NodeConfig {
        sui_key,
        address,
        node_id: id("node_id"),
        cap: id("storage_node_cap_id"),
        rpc_url: get("rpc_url"),
        packages: Packages {
            walrus: id("walrus_package_id"),
            wal: id("wal_package_id"),
        },
        staking: id("staking_object_id"),
    }
}

async fn get_object(client: &mut Client, id: Address, version: Option<u64>) -> proto::Object {
    let mut request = proto::GetObjectRequest::default();
    request.object_id = Some(id.to_string());
    request.version = version;
    request.read_mask = Some(prost_types::FieldMask::from_str(
        "object_id,version,digest,owner,contents",
    ));
    client
        .ledger_client()
        .get_object(request)
        .await
        .expect("GetObject")
        .into_inner()
        .object
        .expect("object")
}

/// A shared object as a transaction input, with its initial shared version.
async fn shared_input(client: &mut Client, id: Address, mutable: bool) -> Input {
    let object = get_object(client, id, None).await;
    let owner = object.owner.expect("owner");
    assert_eq!(owner.kind(), proto::owner::OwnerKind::Shared);
    Input::Shared(SharedInput::new(id, owner.version(), mutable))
}

/// The staking inner state: the `u64` dynamic field (key 1, the version) of `Staking`, found
/// with `ListDynamicFields`; returns the field's ID and its value.
async fn staking_state(client: &mut Client, staking: Address) -> (Address, StakingInnerV1) {
    let mut request = proto::ListDynamicFieldsRequest::default();
    request.parent = Some(staking.to_string());
    request.read_mask = Some(prost_types::FieldMask::from_str("field_id,name,value"));
    let fields = client
        .state_client()
        .list_dynamic_fields(request)
        .await
        .expect("ListDynamicFields")
        .into_inner()
        .dynamic_fields;
    let field = fields
        .iter()
        .find(|f| {
            let name = f.name.as_ref().expect("name");
            name.name() == "u64" && name.value() == 1u64.to_le_bytes()
        })
        .expect("the staking state's field");
    let id = field.field_id().parse().expect("field ID");
    let value = field.value.as_ref().expect("value").value();
    (id, bcs::from_bytes(value).expect("StakingInnerV1"))
}

/// The staking inner state as the field object `field_id` was at `version`.
async fn staking_state_at(client: &mut Client, field_id: Address, version: u64) -> StakingInnerV1 {
    let object = get_object(client, field_id, Some(version)).await;
    let contents = object.contents.expect("contents");
    let field: Field<u64, StakingInnerV1> =
        bcs::from_bytes(contents.value()).expect("Field<u64, StakingInnerV1>");
    field.value
}

/// The version `tx` wrote of `id`.
fn output_version(tx: &proto::ExecutedTransaction, id: Address) -> u64 {
    let effects = tx.effects.as_ref().expect("effects");
    effects
        .changed_objects
        .iter()
        .find(|c| c.object_id() == id.to_string())
        .map(|c| c.output_version())
        .expect("the transaction wrote the object")
}

/// The events of type `T` among `events`, decoded.
fn events_of<T: MoveStruct + serde::de::DeserializeOwned>(
    events: Option<&proto::TransactionEvents>,
    packages: &Packages,
) -> Vec<T> {
    let tag = T::struct_tag(packages).to_string();
    events
        .map(|e| e.events.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|e| e.event_type() == tag)
        .map(|e| bcs::from_bytes(e.contents.as_ref().expect("contents").value()).expect("event"))
        .collect()
}

/// The PTB a storage node sends once it holds its shards of `epoch`:
/// `walrus::staking::epoch_sync_done(staking, cap, epoch, clock)`, signed with its own key.
async fn epoch_sync_done(
    chain: &mut Chain,
    node: &NodeConfig,
    epoch: u32,
) -> proto::ExecutedTransaction {
    let staking = shared_input(&mut chain.client, node.staking, true).await;
    let clock = shared_input(&mut chain.client, Address::from_static("0x6"), false).await;
    let cap = get_object(&mut chain.client, node.cap, None).await;
    let cap = ObjectReference::new(
        node.cap,
        cap.version(),
        cap.digest().parse().expect("digest"),
    );
    let ptb = ProgrammableTransaction {
        inputs: vec![
            staking,
            Input::ImmutableOrOwned(cap),
            Input::Pure(bcs::to_bytes(&epoch).expect("u32")),
            clock,
        ],
        commands: vec![Command::MoveCall(MoveCall {
            package: node.packages.walrus,
            module: Identifier::from_static("staking"),
            function: Identifier::from_static("epoch_sync_done"),
            type_arguments: vec![],
            arguments: (0..4).map(Argument::Input).collect(),
        })],
    };
    let gas = chain.coins(node.address).await[0].0.clone();
    let tx = transaction(node.address, vec![gas], SYNC_BUDGET, ptb);
    let executed = chain.execute(&tx, &node.sui_key).await.expect("execute");
    assert!(status_success(&executed), "epoch_sync_done({epoch}) failed");
    executed
}

/// An epoch change in `EpochChangeSync`: every node syncs, one after the other. Until the
/// last, the shards synced are less than a quorum and the state stays `EpochChangeSync` with
/// their weight; the last one's sync completes the change (`EpochChangeDone`).
async fn sync_epoch(
    chain: &mut Chain,
    nodes: &[NodeConfig],
    field_id: Address,
    inner: &StakingInnerV1,
) {
    let epoch = inner.epoch;
    let packages = &nodes[0].packages;
    let mut weight = 0u16;
    for (k, node) in nodes.iter().enumerate() {
        let shards = inner
            .committee
            .0
            .get(&node.node_id.into())
            .expect("every node is in the committee")
            .len();
        weight += u16::try_from(shards).expect("shards");
        let tx = epoch_sync_done(chain, node, epoch).await;
        let written =
            staking_state_at(&mut chain.client, field_id, output_version(&tx, field_id)).await;
        assert_eq!(written.epoch, epoch);
        let done = events_of::<EpochChangeDone>(tx.events.as_ref(), packages);
        if k + 1 < nodes.len() {
            // Less than a quorum: not done, and nothing but another node can change that.
            assert!(3 * u32::from(weight) < 2 * u32::from(N_SHARDS) + 1);
            assert_eq!(written.epoch_state, EpochState::EpochChangeSync(weight));
            assert!(done.is_empty());
            let (_, now) = staking_state(&mut chain.client, nodes[0].staking).await;
            assert_eq!(
                (now.epoch, now.epoch_state),
                (epoch, EpochState::EpochChangeSync(weight))
            );
        } else {
            assert_eq!(weight, N_SHARDS);
            assert!(
                matches!(written.epoch_state, EpochState::EpochChangeDone(_)),
                "{:?}",
                written.epoch_state
            );
            assert_eq!(done, vec![EpochChangeDone { epoch }]);
        }
    }
}

/// Checkpoint `seq` (the latest if `None`) with the fields of `mask`.
async fn get_checkpoint(client: &mut Client, seq: Option<u64>, mask: &str) -> proto::Checkpoint {
    let mut request = proto::GetCheckpointRequest::default();
    request.checkpoint_id = seq.map(proto::get_checkpoint_request::CheckpointId::SequenceNumber);
    request.read_mask = Some(prost_types::FieldMask::from_str(mask));
    client
        .ledger_client()
        .get_checkpoint(request)
        .await
        .expect("GetCheckpoint")
        .into_inner()
        .checkpoint
        .expect("checkpoint")
}

/// The epoch-change events of every checkpoint so far, in order, with their senders.
async fn epoch_events(client: &mut Client, packages: &Packages) -> Vec<(String, u32, Address)> {
    let tip = get_checkpoint(client, None, "sequence_number")
        .await
        .sequence_number();
    let mut out = Vec::new();
    for seq in 0..=tip {
        let mask = "transactions.transaction.sender,transactions.events";
        let checkpoint = get_checkpoint(client, Some(seq), mask).await;
        for tx in &checkpoint.transactions {
            let sender: Address = tx
                .transaction
                .as_ref()
                .expect("transaction")
                .sender()
                .parse()
                .expect("sender");
            let events = tx.events.as_ref();
            for e in events_of::<EpochParametersSelected>(events, packages) {
                out.push(("voting_end".to_owned(), e.next_epoch, sender));
            }
            for e in events_of::<EpochChangeStart>(events, packages) {
                out.push(("initiate_epoch_change".to_owned(), e.epoch, sender));
            }
            for e in events_of::<EpochChangeDone>(events, packages) {
                out.push(("epoch_sync_done".to_owned(), e.epoch, sender));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_nodes_complete_the_keepers_epoch_changes_over_grpc() {
    let dir = tempfile::tempdir().expect("tempdir");
    let walrus = WalrusArgs {
        nodes: N_NODES,
        n_shards: N_SHARDS,
        epoch_duration: Duration::from_millis(EPOCH_MS),
        max_epochs_ahead: 5,
        ..Default::default()
    };
    let mut chain = Chain::start_with(dir.path(), true, walrus).await;
    let nodes: Vec<NodeConfig> = (0..N_NODES)
        .map(|i| read_node_config(&dir.path().join(format!("nodes/{i}/node.toml"))))
        .collect();
    let rpc_url = nodes[0].rpc_url.clone();
    assert_eq!(rpc_url, chain.localnet.info.rpc_url);
    let (staking, packages) = (nodes[0].staking, nodes[0].packages);

    // The checkpoint stream on a connection of its own, so that the nodes' calls in between
    // never wait behind it.
    let mut follower = Client::new(rpc_url).expect("client");
    let mut request = proto::SubscribeCheckpointsRequest::default();
    request.read_mask = Some(prost_types::FieldMask::from_str("sequence_number"));
    let mut checkpoints = follower
        .subscription_client()
        .subscribe_checkpoints(request)
        .await
        .expect("SubscribeCheckpoints")
        .into_inner();

    let (_, genesis) = staking_state(&mut chain.client, staking).await;
    assert_eq!(genesis.epoch, 1);
    assert!(matches!(
        genesis.epoch_state,
        EpochState::EpochChangeDone(_)
    ));
    let run = async {
        let mut next = 2;
        while next <= LAST_EPOCH {
            let frame = checkpoints.next().await.expect("stream open");
            frame.expect("checkpoint frame");
            let (field_id, inner) = staking_state(&mut chain.client, staking).await;
            if let EpochState::EpochChangeSync(_) = inner.epoch_state {
                // The keeper started exactly the next epoch, nothing skipped.
                assert_eq!(inner.epoch, next);
                sync_epoch(&mut chain, &nodes, field_id, &inner).await;
                next += 1;
            } else {
                assert_eq!(inner.epoch, next - 1);
            }
        }
    };
    tokio::time::timeout(TIMEOUT, run)
        .await
        .expect("the epochs advanced in time");

    // The history, from the checkpoints: for each epoch, the keeper (not a node) selected the
    // parameters and started the change, then a node's sync completed it.
    let events = epoch_events(&mut chain.client, &packages).await;
    let node_addresses: Vec<Address> = nodes.iter().map(|n| n.address).collect();
    let keeper = events[0].2;
    assert!(!node_addresses.contains(&keeper));
    let mut expected = Vec::new();
    for epoch in 2..=LAST_EPOCH {
        expected.push(("voting_end", epoch, true));
        expected.push(("initiate_epoch_change", epoch, true));
        expected.push(("epoch_sync_done", epoch, false));
    }
    let seen: Vec<(&str, u32, bool)> = events
        .iter()
        .take(expected.len())
        .map(|(step, epoch, sender)| (step.as_str(), *epoch, *sender == keeper))
        .collect();
    assert_eq!(seen, expected);
    assert!(
        events[..expected.len()]
            .iter()
            .filter(|e| e.0 == "epoch_sync_done")
            .all(|e| node_addresses.contains(&e.2))
    );
    chain.stop().await;
}
