//! A scripted history on a local chain — stores, certifications, attributes, an extension, a
//! deletion, an invalid blob ID, stake, a split, a withdrawal, epoch changes with a committee
//! change, a proposal with votes, its finalization and execution — indexed, then checked
//! against the chain's own objects through GraphQL; and an interrupted run (stopped between
//! batches, restarted) that ends with the same database as an uninterrupted one.
#![allow(clippy::unwrap_used)]

#[path = "../../crates/localnet/tests/support/mod.rs"]
mod support;

mod common;
mod scripted;

use haulout_types::{Blob, MoveStruct as _, Proposal, StakedWal, StakingPool, Storage, U256};
use scripted::{N_NODES, blob_id, encoded, script};
use support::walrus::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_history_is_reflected_in_graphql() {
    let s = script(0);
    let w = &s.w;
    let tip = w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(w.node.clone()).await;
    let db = common::TestDb::new().await;
    let metrics = common::index_to(&db.pool, &served.url, tip, 3).await;
    let pool = &db.pool;
    // BLS signatures were checked against the validator committee (at least every batch's
    // last checkpoint; the others through the digest chain).
    assert!(
        metrics
            .signatures_verified
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );

    // Blobs.
    let q = |id: U256| {
        format!(
            "{{ blob(blobId: \"{}\") {{ blobId objectId owner size encodedSize status \
             registeredEpoch certifiedEpoch endEpoch deletable attributes }} }}",
            blob_id(id)
        )
    };
    let a = common::data(pool, &q(s.blob_a.1)).await["blob"].clone();
    assert_eq!(a["status"], "DELETED");
    assert_eq!(a["objectId"], s.blob_a.0.to_string());
    assert_eq!(a["owner"], serde_json::Value::Null);
    assert_eq!(
        a["attributes"],
        serde_json::Value::Null,
        "deleted with the blob"
    );
    assert_eq!(a["size"], "1000");
    let b_chain: Blob = w.decode(s.blob_b.0);
    let b = common::data(pool, &q(s.blob_b.1)).await["blob"].clone();
    assert_eq!(b["status"], "CERTIFIED");
    assert_eq!(b["owner"], w.addr(0).to_string());
    assert_eq!(b["size"], "2000");
    assert_eq!(b["encodedSize"], encoded(2_000).to_string());
    assert_eq!(b["registeredEpoch"], 1);
    assert_eq!(b["certifiedEpoch"], 1);
    assert_eq!(b["endEpoch"], b_chain.storage.end_epoch);
    assert_eq!(b_chain.storage.end_epoch, 5, "extended by one epoch");
    assert_eq!(b["deletable"], false);
    let c = common::data(pool, &q(s.blob_c.1)).await["blob"].clone();
    assert_eq!(c["status"], "INVALID");
    let by_object = common::data(
        pool,
        &format!(
            "{{ blobObject(objectId: \"{}\") {{ blobId }} }}",
            s.blob_b.0
        ),
    )
    .await;
    assert_eq!(by_object["blobObject"]["blobId"], blob_id(s.blob_b.1));
    let page = common::data(
        pool,
        &format!(
            "{{ blobs(first: 10, owner: \"{}\") {{ nodes {{ objectId status }} pageInfo {{ hasNextPage }} }} }}",
            w.addr(0)
        ),
    )
    .await;
    assert_eq!(
        page["blobs"]["nodes"].as_array().unwrap().len(),
        2,
        "{page}"
    );
    let certified = common::data(pool, "{ blobs(status: CERTIFIED) { nodes { objectId } } }").await;
    assert_eq!(
        certified["blobs"]["nodes"],
        serde_json::json!([{ "objectId": s.blob_b.0.to_string() }])
    );

    // Storage: A's storage came back to account 0 when A was deleted.
    let storage: Storage = w.decode(s.storage_back);
    let resources = common::data(
        pool,
        &format!(
            "{{ storageResources(owner: \"{}\") {{ nodes {{ objectId endEpoch storageSize }} }} }}",
            w.addr(0)
        ),
    )
    .await;
    assert_eq!(
        resources["storageResources"]["nodes"],
        serde_json::json!([{
            "objectId": s.storage_back.to_string(),
            "endEpoch": storage.end_epoch,
            "storageSize": storage.storage_size.to_string(),
        }])
    );

    // Epochs and committees, as the chain has them.
    let inner = w.system_inner();
    let staking = w.staking_inner();
    let epoch = common::data(
        pool,
        "{ epoch { number storagePrice writePrice totalCapacity usedCapacity committee { nodeId shards } } }",
    )
    .await["epoch"]
        .clone();
    assert_eq!(epoch["number"], staking.epoch);
    assert_eq!(staking.epoch, 3);
    assert_eq!(
        epoch["storagePrice"],
        inner.storage_price_per_unit_size.to_string()
    );
    assert_eq!(
        epoch["writePrice"],
        inner.write_price_per_unit_size.to_string()
    );
    assert_eq!(
        epoch["totalCapacity"],
        inner.total_capacity_size.to_string()
    );
    assert_eq!(epoch["usedCapacity"], inner.used_capacity_size.to_string());
    let committee: Vec<serde_json::Value> = staking
        .committee
        .0
        .contents
        .iter()
        .map(|e| serde_json::json!({ "nodeId": e.key.to_string(), "shards": e.value }))
        .collect();
    assert_eq!(epoch["committee"], serde_json::json!(committee));
    // Burns: what the WAL treasury lost (3% of each ended epoch's rewards, taken in the
    // transaction that ends it), credited to the epochs that ended.
    let wal = sui_sdk_types::TypeTag::Struct(Box::new(haulout_types::Wal::struct_tag(&packages())));
    let cap_id = w.node.coin_info(&wal).unwrap().treasury.unwrap();
    let cap: haulout_types::TreasuryCap<haulout_types::Wal> = w.decode(cap_id);
    let lost = haulout_types::Wal::TOTAL_SUPPLY_FROST - cap.total_supply.value;
    let burns = common::data(
        pool,
        "{ e0: epoch(number: 0) { burn } e1: epoch(number: 1) { burn } \
             e2: epoch(number: 2) { burn } e3: epoch(number: 3) { burn } }",
    )
    .await;
    let burned: Vec<u64> = ["e0", "e1", "e2", "e3"]
        .iter()
        .map(|e| burns[e]["burn"].as_str().map_or(0, |b| b.parse().unwrap()))
        .collect();
    assert!(
        lost > 0,
        "the history's storage fees give rewards, 3% of which burn"
    );
    assert_eq!(burned.iter().sum::<u64>(), lost, "{burned:?}");
    assert_eq!(burned[3], 0, "epoch 3 has not ended");
    let first = common::data(pool, "{ epoch(number: 1) { committee { nodeId } } }").await;
    assert_eq!(first["epoch"]["committee"].as_array().unwrap().len(), 4);
    assert_eq!(committee.len(), 3, "node 3 left the committee");

    // Pools: stake as on chain.
    let pools = common::data(
        pool,
        "{ stakingPools(first: 10) { nodes { nodeId name networkAddress stake commissionRate shards state } } }",
    )
    .await;
    let nodes = pools["stakingPools"]["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), N_NODES);
    for n in &w.g.nodes {
        let chain: StakingPool = w.decode(n.node_id);
        let row = nodes
            .iter()
            .find(|p| p["nodeId"] == n.node_id.to_string())
            .unwrap();
        assert_eq!(row["stake"], chain.wal_balance.to_string(), "{row}");
        assert_eq!(row["name"], chain.node_info.name);
        assert_eq!(row["commissionRate"], chain.commission_rate);
        let shards = staking
            .committee
            .0
            .get(&n.node_id.into())
            .cloned()
            .unwrap_or_default();
        assert_eq!(row["shards"], serde_json::json!(shards));
    }

    // Staked WAL of account 1: the 4,000 WAL left after the split and withdrawal.
    let staked: StakedWal = w.decode(s.staked);
    let mine = common::data(
        pool,
        &format!(
            "{{ stakedWal(owner: \"{}\") {{ objectId nodeId principal activationEpoch state }} }}",
            w.addr(1)
        ),
    )
    .await;
    assert_eq!(
        mine["stakedWal"],
        serde_json::json!([{
            "objectId": s.staked.to_string(),
            "nodeId": w.g.nodes[0].node_id.to_string(),
            "principal": staked.principal.value.to_string(),
            "activationEpoch": staked.activation_epoch,
            "state": "STAKED",
        }])
    );
    assert_eq!(staked.principal.value, 4_000 * FROST);
    // The same positions, a page at a time.
    let paged = common::data(
        pool,
        &format!(
            "{{ stakedWalPositions(owner: \"{}\", first: 1) {{ pageInfo {{ hasNextPage }} \
             nodes {{ objectId nodeId principal activationEpoch state }} }} }}",
            w.addr(1)
        ),
    )
    .await;
    assert_eq!(paged["stakedWalPositions"]["nodes"], mine["stakedWal"]);
    assert_eq!(
        paged["stakedWalPositions"]["pageInfo"]["hasNextPage"],
        false
    );
    let node3 = common::data(
        pool,
        &format!(
            "{{ stakedWal(owner: \"{}\") {{ state }} }}",
            w.addr(Who::Node(3))
        ),
    )
    .await;
    assert_eq!(node3["stakedWal"][0]["state"], "WITHDRAWING");

    // The proposal, its tally and every vote.
    let chain: Proposal = w.decode(s.proposal);
    let p = common::data(
        pool,
        &format!(
            "{{ proposal(number: {}) {{ number title description proposer status yes no abstain \
             votingEndEpoch votes(first: 10) {{ nodes {{ voter stakedWalId choice weight }} }} }} }}",
            chain.number
        ),
    )
    .await["proposal"]
        .clone();
    assert_eq!(p["status"], "EXECUTED");
    assert_eq!(p["title"], "Raise the bar");
    assert_eq!(p["yes"], chain.yes.to_string());
    assert_eq!(p["no"], chain.no.to_string());
    assert_eq!(p["abstain"], "0");
    assert_eq!(p["votingEndEpoch"], chain.voting_end_epoch);
    assert_eq!(p["proposer"], chain.proposer.to_string());
    let votes = p["votes"]["nodes"].as_array().unwrap();
    assert_eq!(votes.len(), 3);
    let yes: Vec<_> = votes.iter().filter(|v| v["choice"] == "YES").collect();
    assert_eq!(yes.len(), 2);
    let listed = common::data(pool, "{ proposals(status: EXECUTED) { nodes { number } } }").await;
    assert_eq!(listed["proposals"]["nodes"][0]["number"], chain.number);

    // Totals: B is the only live (and certified) blob.
    let stats = common::data(
        pool,
        "{ stats { checkpoint blobCount certifiedBlobCount storedBytes totalStake } }",
    )
    .await["stats"]
        .clone();
    assert_eq!(stats["checkpoint"], tip);
    assert_eq!(stats["blobCount"], 1);
    assert_eq!(stats["certifiedBlobCount"], 1);
    assert_eq!(stats["storedBytes"], "2000");
    let total: u64 =
        w.g.nodes
            .iter()
            .map(|n| w.decode::<StakingPool>(n.node_id).wal_balance)
            .sum();
    assert_eq!(stats["totalStake"], total.to_string());

    // History: every Walrus event, in order.
    let registered = common::data(
        pool,
        "{ events(eventType: \"BlobRegistered\") { nodes { subject data } } }",
    )
    .await;
    assert_eq!(registered["events"]["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        registered["events"]["nodes"][0]["subject"],
        blob_id(s.blob_a.1)
    );
    let _ = Blob::struct_tag(&common::packages());

    // The dashboard's example queries run without errors on this history.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../graphql/examples");
    let mut ran = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("subscription ") {
            continue;
        }
        let response = common::gql(pool, &text).await;
        assert!(
            response.get("errors").is_none(),
            "{}: {response}",
            path.display()
        );
        ran += 1;
    }
    assert!(ran >= 5);
    let dashboard = common::data(
        pool,
        &std::fs::read_to_string(dir.join("blob.graphql")).unwrap(),
    )
    .await;
    assert_eq!(
        dashboard["blob"]["blobId"],
        blob_id(s.blob_a.1),
        "the example names blob A"
    );

    served.stop().await;
    db.drop().await;
}

/// An indexer stopped between batches and restarted resumes from its watermark and ends with
/// the same rows as one that ran without stopping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_where_it_stopped() {
    let s = script(0);
    let tip = s.w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(s.w.node.clone()).await;
    let whole = common::TestDb::new().await;
    common::index_to(&whole.pool, &served.url, tip, 1_000).await;
    let pieces = common::TestDb::new().await;
    let mut at = 0;
    while at < tip {
        let target = (at + 1 + tip / 4).min(tip);
        common::index_to(&pieces.pool, &served.url, target, 2).await;
        at = common::watermark(&pieces.pool).await.unwrap();
        assert!(at >= target);
    }
    common::assert_same(
        &common::dump(&whole.pool).await,
        &common::dump(&pieces.pool).await,
    );
    served.stop().await;
    whole.drop().await;
    pieces.drop().await;
}

/// Subscriptions deliver every checkpoint, in order, as the indexer commits it, and the blob
/// events of the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_follow_the_commits() {
    use futures::StreamExt as _;

    let s = script(0);
    let tip = s.w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(s.w.node.clone()).await;
    let db = common::TestDb::new().await;
    let cancel = tokio_util::sync::CancellationToken::new();
    let (state, poller) = haulout_indexer::graphql::state(
        db.pool.clone(),
        std::sync::Arc::new(haulout_indexer::Metrics::default()),
        std::time::Duration::from_secs(60),
        cancel.clone(),
    );
    let mut checkpoints = state
        .schema
        .execute_stream("subscription { checkpoints { sequenceNumber digest } }");
    let mut blobs = state
        .schema
        .execute_stream("subscription { blobEvents { eventType subject checkpoint } }");
    // A subscription begins at the watermark when it is first polled: poll both once before
    // anything is indexed, so that every checkpoint is new to them.
    {
        use futures::FutureExt as _;
        assert!(checkpoints.next().now_or_never().is_none());
        assert!(blobs.next().now_or_never().is_none());
    }
    let mut config = haulout_indexer::IndexerConfig::new(&served.url, common::packages());
    config.batch_checkpoints = 2;
    let indexer = tokio::spawn(haulout_indexer::run(
        config,
        db.pool.clone(),
        std::sync::Arc::new(haulout_indexer::Metrics::default()),
        cancel.clone(),
    ));
    let checkpoints = checkpoints
        .map(|r| {
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            let v = r.data.into_json().unwrap();
            v["checkpoints"]["sequenceNumber"].as_u64().unwrap()
        })
        .take_while(move |&seq| std::future::ready(seq < tip))
        .collect::<Vec<u64>>();
    let blobs = blobs
        .map(|r| r.data.into_json().unwrap()["blobEvents"].clone())
        .take(6)
        .collect::<Vec<serde_json::Value>>();
    let (seen, events) = tokio::time::timeout(common::CATCH_UP_TIMEOUT, async {
        tokio::join!(checkpoints, blobs)
    })
    .await
    .expect("every checkpoint and blob event is delivered");
    assert_eq!(seen, (0..tip).collect::<Vec<_>>());
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "BlobRegistered",
            "BlobCertified",
            "BlobRegistered",
            "BlobCertified",
            "BlobCertified",
            "BlobDeleted"
        ]
    );
    assert_eq!(events[0]["subject"], blob_id(s.blob_a.1));
    cancel.cancel();
    indexer.await.unwrap().unwrap();
    poller.await.unwrap();
    served.stop().await;
    db.drop().await;
}

/// With pruning on, only the recent history is kept, the current state is whole, and
/// `reader_lo` says where the history starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_keeps_recent_history_and_all_state() {
    let s = script(0);
    let tip = s.w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(s.w.node.clone()).await;
    let db = common::TestDb::new().await;
    let mut config = haulout_indexer::IndexerConfig::new(&served.url, common::packages());
    config.retain_checkpoints = Some(3);
    config.batch_checkpoints = 2;
    let cancel = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(haulout_indexer::run(
        config,
        db.pool.clone(),
        std::sync::Arc::new(haulout_indexer::Metrics::default()),
        cancel.clone(),
    ));
    common::wait_for("the tip", common::CATCH_UP_TIMEOUT, || async {
        common::watermark(&db.pool).await == Some(tip)
    })
    .await;
    cancel.cancel();
    task.await.unwrap().unwrap();
    let lo: i64 = sqlx::query_scalar("SELECT min(sequence_number) FROM checkpoints")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(u64::try_from(lo).unwrap(), tip - 2);
    let reader_lo: i64 = sqlx::query_scalar("SELECT reader_lo FROM watermarks")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(reader_lo, lo);
    let data = common::data(
        &db.pool,
        "{ stats { blobCount } events(first: 100) { nodes { checkpoint } } }",
    )
    .await;
    assert_eq!(data["stats"]["blobCount"], 1, "state is not pruned");
    assert!(
        data["events"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["checkpoint"].as_i64().unwrap() >= lo)
    );
    served.stop().await;
    db.drop().await;
}

/// The verifier refuses a gap, a forged digest, a broken `previous_digest` chain and a bad
/// signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_catches_gaps_and_forgeries() {
    use haulout_indexer::{IndexerError, Verifier};
    use sui_rpc::field::FieldMaskUtil as _;

    let s = script(0);
    let served = common::Served::start(s.w.node.clone()).await;
    let client = sui_rpc::Client::new(served.url.clone()).unwrap();
    let get = |seq: u64| {
        let mut client = client.clone();
        async move {
            let mut request = sui_rpc::proto::sui::rpc::v2::GetCheckpointRequest::default();
            request.checkpoint_id = Some(
                sui_rpc::proto::sui::rpc::v2::get_checkpoint_request::CheckpointId::SequenceNumber(
                    seq,
                ),
            );
            request.read_mask = Some(prost_types::FieldMask::from_str(
                haulout_indexer::CHECKPOINT_MASK,
            ));
            client
                .ledger_client()
                .get_checkpoint(request)
                .await
                .unwrap()
                .into_inner()
                .checkpoint
                .unwrap()
        }
    };
    let (c0, c1, c2) = (get(0).await, get(1).await, get(2).await);
    let fails = |r: Result<bool, IndexerError>, what: &str| {
        let err = r.unwrap_err().to_string();
        assert!(err.contains(what), "{err}");
    };
    let mut v = Verifier::new(None, None).unwrap();
    v.verify(&c0, false).unwrap();
    fails(v.verify(&c2, false), "sequence continuity");
    let mut forged = c1.clone();
    forged.digest = c0.digest.clone();
    fails(v.verify(&forged, false), "hashes to");
    v.verify(&c1, false).unwrap();
    // Checkpoint 2 after a different checkpoint 1: the digest chain breaks.
    let mut v = Verifier::new(Some((1, c0.digest().parse().unwrap())), None).unwrap();
    fails(v.verify(&c2, false), "previous_digest");
    // A transaction list that is not the contents'.
    let mut v = Verifier::new(Some((1, c1.digest().parse().unwrap())), None).unwrap();
    let mut dropped = c2.clone();
    dropped.transactions.clear();
    fails(v.verify(&dropped, false), "in its contents");
    // A signature from another checkpoint fails against the committee.
    let committee = {
        let mut request = sui_rpc::proto::sui::rpc::v2::GetEpochRequest::default();
        request.epoch = Some(0);
        request.read_mask = Some(prost_types::FieldMask::from_str("committee"));
        let epoch = client
            .clone()
            .ledger_client()
            .get_epoch(request)
            .await
            .unwrap()
            .into_inner()
            .epoch
            .unwrap();
        sui_sdk_types::ValidatorCommittee::try_from(epoch.committee.as_ref().unwrap()).unwrap()
    };
    let mut v = Verifier::new(
        Some((1, c1.digest().parse().unwrap())),
        Some(committee.clone()),
    )
    .unwrap();
    let mut resigned = c2.clone();
    resigned.signature = c1.signature.clone();
    assert!(!v.verify(&resigned, true).unwrap(), "deferred: not covered");
    let mut v = Verifier::new(Some((1, c1.digest().parse().unwrap())), Some(committee)).unwrap();
    fails(v.verify(&resigned, false), "BLS signature");
    assert!(v.verify(&c2, false).unwrap());
    assert_eq!(v.signature_counts(), (1, 0));
    served.stop().await;
}

/// The same over a real WebSocket (`graphql-transport-ws` at `/graphql/ws`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_subscription_delivers_checkpoints() {
    use futures::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

    let s = script(0);
    let tip = s.w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(s.w.node.clone()).await;
    let db = common::TestDb::new().await;
    let cancel = tokio_util::sync::CancellationToken::new();
    let (state, poller) = haulout_indexer::graphql::state(
        db.pool.clone(),
        std::sync::Arc::new(haulout_indexer::Metrics::default()),
        std::time::Duration::from_secs(60),
        cancel.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, haulout_indexer::graphql::app(state))
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    });
    let mut request = format!("ws://{addr}{}", haulout_indexer::graphql::GRAPHQL_WS_PATH)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: serde_json::Value| Message::text(v.to_string());
    ws.send(send(serde_json::json!({"type": "connection_init"})))
        .await
        .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    ws.send(send(serde_json::json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": "subscription { checkpoints { sequenceNumber } }" },
    })))
    .await
    .unwrap();
    let mut config = haulout_indexer::IndexerConfig::new(&served.url, common::packages());
    config.batch_checkpoints = 4;
    let indexer = tokio::spawn(haulout_indexer::run(
        config,
        db.pool.clone(),
        std::sync::Arc::new(haulout_indexer::Metrics::default()),
        cancel.clone(),
    ));
    let mut seen = Vec::new();
    tokio::time::timeout(common::CATCH_UP_TIMEOUT, async {
        while seen.last() != Some(&tip) {
            let message = ws.next().await.unwrap().unwrap();
            let Ok(text) = message.to_text() else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            if v["type"] == "next" {
                seen.push(
                    v["payload"]["data"]["checkpoints"]["sequenceNumber"]
                        .as_u64()
                        .unwrap(),
                );
            }
        }
    })
    .await
    .expect("the checkpoints arrive over the WebSocket");
    // Delivered in order without gaps, from wherever the subscription started.
    assert!(seen.windows(2).all(|w| w[1] == w[0] + 1), "{seen:?}");
    cancel.cancel();
    indexer.await.unwrap().unwrap();
    server.await.unwrap().unwrap();
    poller.await.unwrap();
    served.stop().await;
    db.drop().await;
}
