//! `Object.json` and `Event.json` over gRPC: Sui's JSON rendering of Move values (numbers vs
//! decimal strings, IDs, `Balance`, `Option`, enums), only when the read mask asks for `json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::BlobIdDerivation;
use haulout_types::U256;
use prost_types::value::Kind;
use serde_json::Value as Json;
use serde_json::json;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Input;
use sui_sdk_types::TypeTag;
use support::walrus::*;
use tokio_util::sync::CancellationToken;

const FROST: u64 = 1_000_000_000;

/// A JSON value from its protobuf form (numbers are Move `u8`/`u16`/`u32`, so integers).
fn to_json(value: &prost_types::Value) -> Json {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Json::Null,
        Some(Kind::BoolValue(b)) => json!(b),
        Some(Kind::NumberValue(n)) => json!(*n as u64),
        Some(Kind::StringValue(s)) => json!(s),
        Some(Kind::ListValue(l)) => l.values.iter().map(to_json).collect(),
        Some(Kind::StructValue(s)) => Json::Object(
            s.fields
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// The in-process Walrus chain `w` served over gRPC on 127.0.0.1:0.
async fn serve(w: &W) -> (Client, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    tokio::spawn(haulout_localnet::serve(
        w.node.clone(),
        listener,
        shutdown.clone(),
    ));
    (Client::new(url).unwrap(), shutdown)
}

async fn get_object(client: &mut Client, id: Address, mask: &str) -> proto::Object {
    let mut request = proto::GetObjectRequest::default();
    request.object_id = Some(id.to_string());
    request.read_mask = Some(prost_types::FieldMask::from_str(mask));
    client
        .ledger_client()
        .get_object(request)
        .await
        .unwrap()
        .into_inner()
        .object
        .unwrap()
}

async fn object_json(client: &mut Client, id: Address) -> Json {
    let object = get_object(client, id, "object_id,json").await;
    to_json(object.json.as_deref().expect("json rendered"))
}

async fn get_transaction(
    client: &mut Client,
    tx: &ExecutedTx,
    mask: &str,
) -> proto::ExecutedTransaction {
    let mut request = proto::GetTransactionRequest::default();
    request.digest = Some(tx.transaction.digest().to_string());
    request.read_mask = Some(prost_types::FieldMask::from_str(mask));
    client
        .ledger_client()
        .get_transaction(request)
        .await
        .unwrap()
        .into_inner()
        .transaction
        .unwrap()
}

/// Buys storage and registers a blob in it; returns the registration and the blob ID.
fn register(w: &W, size: u64) -> (Arc<ExecutedTx>, U256) {
    let root_hash = U256::from_le_bytes([7; 32]);
    let blob_id: U256 = BlobIdDerivation {
        encoding_type: 1,
        size,
        root_hash,
    }
    .blob_id()
    .into();
    let tx = w.ok(
        0,
        vec![
            w.system(true),
            pure(&(16u64 << 20)),
            pure(&2u32),
            Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
            pure(&blob_id),
            pure(&root_hash),
            pure(&size),
            pure(&1u8),
            pure(&true),
            pure(&w.addr(0)),
        ],
        vec![
            call(
                "system",
                "reserve_space",
                (0..4).map(Argument::Input).collect(),
            ),
            call(
                "system",
                "register_blob",
                vec![
                    Argument::Input(0),
                    Argument::Result(0),
                    Argument::Input(4),
                    Argument::Input(5),
                    Argument::Input(6),
                    Argument::Input(7),
                    Argument::Input(8),
                    Argument::Input(3),
                ],
            ),
            transfer(vec![Argument::Result(1)], 9),
        ],
    );
    (tx, blob_id)
}

fn w() -> W {
    W::with(WalrusArgs {
        nodes: 4,
        n_shards: 8,
        ..Default::default()
    })
}

#[tokio::test]
async fn coin_clock_and_masks() {
    let w = w();
    let (mut client, shutdown) = serve(&w).await;
    let owner = w.addr(0);
    let coin = w
        .owned(owner, "0x2::coin::Coin<0x2::sui::SUI>".parse().unwrap())
        .into_iter()
        .next()
        .unwrap();
    let contents = contents(&coin);
    let value = u64::from_le_bytes(contents[32..40].try_into().unwrap());
    assert_eq!(
        object_json(&mut client, coin.object_id()).await,
        json!({ "id": coin.object_id().to_string(), "balance": value.to_string() })
    );

    // Not asked for, not rendered: the default mask, and a mask without `json`.
    let plain = get_object(&mut client, coin.object_id(), "object_id,version,bcs").await;
    assert!(plain.json.is_none());
    // The wildcard includes it.
    assert!(
        get_object(&mut client, coin.object_id(), "*")
            .await
            .json
            .is_some()
    );

    // The Clock: `timestamp_ms` is a u64, so a string.
    let clock = object_json(&mut client, Address::from_static("0x6")).await;
    assert_eq!(clock["id"], json!(Address::from_static("0x6").to_string()));
    assert!(
        clock["timestamp_ms"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );

    // WAL coins: `Coin<WAL>` with its balance as a string.
    let wal = w.wal_coin(0);
    assert_eq!(
        object_json(&mut client, wal.object_id()).await,
        json!({ "id": wal.object_id().to_string(), "balance": w.wal_balance(0).to_string() })
    );

    // ListOwnedObjects and BatchGetObjects render it too.
    let mut request = proto::ListOwnedObjectsRequest::default();
    request.owner = Some(owner.to_string());
    request.object_type = Some("0x2::coin::Coin<0x2::sui::SUI>".into());
    request.read_mask = Some(prost_types::FieldMask::from_str("object_id,json"));
    let listed = client
        .state_client()
        .list_owned_objects(request)
        .await
        .unwrap()
        .into_inner();
    assert!(!listed.objects.is_empty());
    for o in &listed.objects {
        let j = to_json(o.json.as_deref().unwrap());
        assert_eq!(j["id"], json!(o.object_id()));
    }
    let mut request = proto::BatchGetObjectsRequest::default();
    let mut one = proto::GetObjectRequest::default();
    one.object_id = Some(coin.object_id().to_string());
    request.requests = vec![one];
    request.read_mask = Some(prost_types::FieldMask::from_str("json"));
    let batch = client
        .ledger_client()
        .batch_get_objects(request)
        .await
        .unwrap()
        .into_inner();
    let Some(proto::get_object_result::Result::Object(o)) = &batch.objects[0].result else {
        panic!("object expected");
    };
    assert_eq!(
        to_json(o.json.as_deref().unwrap())["balance"],
        json!(value.to_string())
    );
    shutdown.cancel();
}

#[tokio::test]
async fn walrus_objects() {
    let w = w();
    let (mut client, shutdown) = serve(&w).await;

    // System: its package ID, `version` as a string, `new_package_id` an Option (null).
    let system = object_json(&mut client, w.system_id()).await;
    assert_eq!(system["id"], json!(w.system_id().to_string()));
    assert_eq!(system["version"], json!("1"));
    assert_eq!(system["new_package_id"], Json::Null);
    // Its inner state, the `Field<u64, SystemStateInnerV1>` dynamic field.
    let inner_id = w
        .system_id()
        .derive_dynamic_child_id(&TypeTag::U64, &1u64.to_le_bytes());
    let inner = object_json(&mut client, inner_id).await;
    assert_eq!(inner["name"], json!("1"));
    let state = w.system_inner();
    assert_eq!(
        inner["value"]["total_capacity_size"],
        json!(state.total_capacity_size.to_string())
    );
    assert_eq!(
        inner["value"]["committee"]["epoch"],
        json!(state.committee.epoch)
    );
    assert_eq!(
        inner["value"]["committee"]["members"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Staking and its inner state (`Option<Committee>`, enums, tables).
    let staking = object_json(&mut client, w.staking_id()).await;
    assert_eq!(staking["id"], json!(w.staking_id().to_string()));
    let inner_id = w
        .staking_id()
        .derive_dynamic_child_id(&TypeTag::U64, &1u64.to_le_bytes());
    let inner = object_json(&mut client, inner_id).await;
    let epoch_state = &inner["value"]["epoch_state"];
    assert!(epoch_state["@variant"].is_string(), "{epoch_state}");
    let pools = &inner["value"]["pools"];
    assert_eq!(pools["size"], json!("4"));
    assert!(pools["id"].as_str().unwrap().starts_with("0x"));

    // A StakedWal: an enum state, the principal `Balance<WAL>` as a string.
    let node_id = w.g.nodes[0].node_id;
    let staked = w.stake(0, 1_000 * FROST, node_id);
    let staked_json = object_json(&mut client, staked).await;
    assert_eq!(
        staked_json,
        json!({
            "id": staked.to_string(),
            "state": { "@variant": "Staked" },
            "node_id": node_id.to_string(),
            "principal": (1_000 * FROST).to_string(),
            "activation_epoch": staked_json["activation_epoch"].clone(),
        })
    );
    assert!(staked_json["activation_epoch"].is_number());
    shutdown.cancel();
}

#[tokio::test]
async fn blob_and_its_event() {
    let w = w();
    let (mut client, shutdown) = serve(&w).await;
    let size = 1000u64;
    let (tx, blob_id) = register(&w, size);
    let blob = created(&tx)
        .into_iter()
        .find(|id| {
            w.object(*id)
                .as_struct()
                .is_some_and(|s| s.object_type().name().as_str() == "Blob")
        })
        .expect("a Blob");
    let storage_id = w.decode::<haulout_types::Blob>(blob).storage.id;
    let epoch = w.system_inner().committee.epoch;
    let encoded = w.decode::<haulout_types::Blob>(blob).storage.storage_size;
    let expected_blob = json!({
        "id": blob.to_string(),
        "registered_epoch": epoch,
        "blob_id": blob_id.to_string(),
        "size": size.to_string(),
        "encoding_type": 1,
        "certified_epoch": null,
        "storage": {
            "id": Address::from(storage_id).to_string(),
            "start_epoch": epoch,
            "end_epoch": epoch + 2,
            "storage_size": encoded.to_string(),
        },
        "deletable": true,
    });
    assert_eq!(object_json(&mut client, blob).await, expected_blob);

    // The `BlobRegistered` event of the same transaction, and the Blob among its objects.
    let executed = get_transaction(
        &mut client,
        &tx,
        "events.events.event_type,events.events.json,objects.objects.object_id,objects.objects.json",
    )
    .await;
    let events = executed.events.unwrap().events;
    let registered = events
        .iter()
        .find(|e| e.event_type().ends_with("::events::BlobRegistered"))
        .expect("BlobRegistered");
    assert_eq!(
        to_json(registered.json.as_deref().unwrap()),
        json!({
            "epoch": epoch,
            "blob_id": blob_id.to_string(),
            "size": size.to_string(),
            "encoding_type": 1,
            "end_epoch": epoch + 2,
            "deletable": true,
            "object_id": blob.to_string(),
        })
    );
    let objects = executed.objects.unwrap().objects;
    let in_tx = objects
        .iter()
        .find(|o| o.object_id() == blob.to_string())
        .expect("the blob among the transaction's objects");
    assert_eq!(to_json(in_tx.json.as_deref().unwrap()), expected_blob);

    // Without `json` in the mask, the events carry none.
    let executed = get_transaction(&mut client, &tx, "events.events.event_type").await;
    assert!(
        executed
            .events
            .unwrap()
            .events
            .iter()
            .all(|e| e.json.is_none())
    );

    // ListEvents renders it from a sealed checkpoint too.
    w.set_time(1);
    let mut request = proto::ListEventsRequest::default();
    request.read_mask = Some(prost_types::FieldMask::from_str("event_type,json"));
    let mut stream = client
        .ledger_client()
        .list_events(request)
        .await
        .unwrap()
        .into_inner();
    let mut listed = Vec::new();
    while let Some(frame) = stream.message().await.unwrap() {
        listed.extend(frame.event);
    }
    let listed = listed
        .iter()
        .find(|e| e.event_type().ends_with("::events::BlobRegistered"))
        .expect("BlobRegistered listed");
    assert_eq!(
        to_json(listed.json.as_deref().unwrap())["object_id"],
        json!(blob.to_string())
    );
    shutdown.cancel();
}
