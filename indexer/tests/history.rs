//! A scripted history on a local chain — stores, certifications, attributes, an extension, a
//! deletion, an invalid blob ID, stake, a split, a withdrawal, epoch changes with a committee
//! change, a proposal with votes, its finalization and execution — indexed, then checked
//! against the chain's own objects through GraphQL; and an interrupted run (stopped between
//! batches, restarted) that ends with the same database as an uninterrupted one.
#![allow(clippy::unwrap_used)]

#[path = "../../crates/localnet/tests/support/mod.rs"]
mod support;

mod common;

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::walrus::{WalrusArgs, bls};
use haulout_types::{
    Blob, BlobId, BlobIdDerivation, MoveStruct as _, Proposal, StakedWal, StakingPool, Storage,
    U256,
};
use sui_sdk_types::{Address, Argument, ExecutionStatus, Input};
use support::walrus::*;

const N_NODES: usize = 4;
const N_SHARDS: u16 = 12;

/// What the script did, to check the index against.
struct Script {
    w: W,
    blob_a: (Address, U256),
    blob_b: (Address, U256),
    blob_c: (Address, U256),
    storage_back: Address,
    staked: Address,
    proposal: Address,
}

fn encoded(size: u64) -> u64 {
    haulout_indexer::encoded_blob_length(size, N_SHARDS).unwrap()
}

fn certify_message(epoch: u32, blob_id: U256, object: Option<Address>) -> Vec<u8> {
    let mut m = vec![1, 0, 3];
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&blob_id.to_le_bytes());
    match object {
        None => m.push(0),
        Some(id) => {
            m.push(1);
            m.extend_from_slice(id.as_bytes());
        }
    }
    m
}

fn invalid_blob_message(epoch: u32, blob_id: U256) -> Vec<u8> {
    let mut m = vec![2, 0, 3];
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&blob_id.to_le_bytes());
    m
}

trait Walrus {
    fn buy(&self, i: usize, amount: u64, epochs: u32) -> Address;
    fn register(&self, i: usize, storage: Address, size: u64, deletable: bool) -> (Address, U256);
    fn certificate(&self, message: &[u8], signers: &[usize]) -> (Vec<u8>, Vec<u8>);
    fn certify(&self, blob: Address, message: &[u8]) -> Arc<ExecutedTx>;
    fn seal(&self);
}

impl Walrus for W {
    fn buy(&self, i: usize, amount: u64, epochs: u32) -> Address {
        let tx = self.ok(
            i,
            vec![
                self.system(true),
                pure(&amount),
                pure(&epochs),
                Input::ImmutableOrOwned(reference(&self.wal_coin(i))),
                pure(&self.addr(i)),
            ],
            vec![
                call(
                    "system",
                    "reserve_space",
                    (0..4).map(Argument::Input).collect(),
                ),
                transfer(vec![Argument::Result(0)], 4),
            ],
        );
        created(&tx)[0]
    }

    fn register(&self, i: usize, storage: Address, size: u64, deletable: bool) -> (Address, U256) {
        let root_hash = U256::from_le_bytes([size as u8; 32]);
        let blob_id: U256 = BlobIdDerivation {
            encoding_type: 1,
            size,
            root_hash,
        }
        .blob_id()
        .into();
        let tx = self.ok(
            i,
            vec![
                self.system(true),
                self.input_obj(storage),
                pure(&blob_id),
                pure(&root_hash),
                pure(&size),
                pure(&1u8),
                pure(&deletable),
                Input::ImmutableOrOwned(reference(&self.wal_coin(i))),
                pure(&self.addr(i)),
            ],
            vec![
                call(
                    "system",
                    "register_blob",
                    (0..8).map(Argument::Input).collect(),
                ),
                transfer(vec![Argument::Result(0)], 8),
            ],
        );
        (self.created_of::<Blob>(&tx), blob_id)
    }

    fn certificate(&self, message: &[u8], signers: &[usize]) -> (Vec<u8>, Vec<u8>) {
        let sigs: Vec<[u8; 96]> = signers
            .iter()
            .map(|&i| self.g.nodes[i].protocol_key.sign(message))
            .collect();
        let refs: Vec<&[u8]> = sigs.iter().map(|s| s.as_slice()).collect();
        let signature = bls::aggregate_signatures(&refs).unwrap().to_vec();
        let mut bitmap = vec![0u8; N_NODES.div_ceil(8)];
        for &i in signers {
            bitmap[i / 8] |= 1 << (i % 8);
        }
        (signature, bitmap)
    }

    fn certify(&self, blob: Address, message: &[u8]) -> Arc<ExecutedTx> {
        let (signature, bitmap) = self.certificate(message, &[0, 1, 2]);
        self.ok(
            0,
            vec![
                self.system(false),
                self.input_obj(blob),
                pure(&signature),
                pure(&bitmap),
                pure(&message.to_vec()),
            ],
            vec![call(
                "system",
                "certify_blob",
                (0..5).map(Argument::Input).collect(),
            )],
        )
    }

    /// Cuts a checkpoint of what was executed since the last one.
    fn seal(&self) {
        self.set_time(0);
    }
}

fn governance(w: &W, function: &str, inputs: Vec<Input>, who: Who) -> Arc<ExecutedTx> {
    let n = u16::try_from(inputs.len()).unwrap();
    w.ok(who, inputs, vec![call("governance", function, (0..n).map(Argument::Input).collect())])
}

/// Runs the scripted history (sealing checkpoints as it goes) and returns what it made.
fn script() -> Script {
    let w = W::with(WalrusArgs {
        nodes: N_NODES,
        n_shards: N_SHARDS,
        max_epochs_ahead: 5,
        stake_per_node: 10_000,
        ..Default::default()
    });
    w.seal();
    // Blob A: deletable, attributes, certified, then deleted (its storage comes back).
    let s1 = w.buy(0, encoded(1_000), 3);
    let a = w.register(0, s1, 1_000, true);
    w.ok(
        0,
        vec![w.input_obj(a.0), pure(&"k".to_owned()), pure(&"v".to_owned())],
        vec![
            call("metadata", "new", vec![]),
            call("blob", "add_metadata", vec![Argument::Input(0), Argument::Result(0)]),
            call(
                "blob",
                "insert_or_update_metadata_pair",
                vec![Argument::Input(0), Argument::Input(1), Argument::Input(2)],
            ),
        ],
    );
    w.seal();
    w.certify(a.0, &certify_message(1, a.1, Some(a.0)));
    w.seal();
    // Blob B: permanent, certified, extended by one epoch.
    let s2 = w.buy(0, encoded(2_000), 3);
    let b = w.register(0, s2, 2_000, false);
    w.certify(b.0, &certify_message(1, b.1, None));
    w.ok(
        0,
        vec![
            w.system(true),
            w.input_obj(b.0),
            pure(&1u32),
            Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
        ],
        vec![call("system", "extend_blob", (0..4).map(Argument::Input).collect())],
    );
    w.seal();
    w.ok(
        0,
        vec![w.system(false), w.input_obj(a.0), pure(&w.addr(0))],
        vec![
            call("system", "delete_blob", vec![Argument::Input(0), Argument::Input(1)]),
            transfer(vec![Argument::Result(0)], 2),
        ],
    );
    // Blob C: registered, then its blob ID certified invalid.
    let s3 = w.buy(0, encoded(3_000), 2);
    let c = w.register(0, s3, 3_000, false);
    let (signature, bitmap) = w.certificate(&invalid_blob_message(1, c.1), &[0, 1, 2]);
    w.ok(
        0,
        vec![
            w.system(false),
            pure(&signature),
            pure(&bitmap),
            pure(&invalid_blob_message(1, c.1)),
        ],
        vec![call("system", "invalidate_blob_id", (0..4).map(Argument::Input).collect())],
    );
    w.seal();

    // Stake: account 1 stakes with node 0, splits, withdraws the (pre-active) part directly;
    // node 3 withdraws its genesis stake, so the next committee has no place for it.
    let staked = w.stake(1, 5_000 * FROST, w.g.nodes[0].node_id);
    let part = w.split(1, staked, 1_000 * FROST);
    assert_eq!(status(&w.withdraw(&w.keys[1], part)), ExecutionStatus::Success);
    let node3 = &w.g.nodes[3];
    assert_eq!(
        status(&w.request_withdraw(&node3.sui_key, node3.staked_wal_id)),
        ExecutionStatus::Success
    );
    w.seal();

    // A signal proposal by node 0, voted yes by nodes 0 and 1, no by node 2.
    let config = Input::Shared(sui_sdk_types::SharedInput::new(
        addr(&w.g.info.governance_config_id),
        1,
        true,
    ));
    let tx = w.exec(
        Who::Node(0),
        vec![
            config.clone(),
            w.staking(false),
            w.input_obj(w.g.nodes[0].staked_wal_id),
            pure(&"Raise the bar".to_owned()),
            pure(&"A signal for the indexer test".to_owned()),
        ],
        vec![
            call("governance", "signal_action", vec![]),
            call(
                "governance",
                "create_proposal",
                (0..5).map(Argument::Input).chain([Argument::Result(0)]).collect(),
            ),
        ],
    );
    assert_eq!(status(&tx), ExecutionStatus::Success);
    let proposal = w.created_of::<Proposal>(&tx);
    for (node, choice) in [(0, 0u8), (1, 0), (2, 1)] {
        governance(
            &w,
            "vote",
            vec![
                w.shared(proposal, true),
                w.staking(false),
                w.input_obj(w.g.nodes[node].staked_wal_id),
                pure(&choice),
            ],
            Who::Node(node),
        );
    }
    w.seal();

    // Two epoch changes (the committee loses node 3), then finalize and execute.
    w.advance_epoch();
    w.seal();
    w.advance_epoch();
    w.seal();
    let config_ro = Input::Shared(sui_sdk_types::SharedInput::new(
        addr(&w.g.info.governance_config_id),
        1,
        false,
    ));
    governance(
        &w,
        "finalize",
        vec![w.shared(proposal, true), config_ro, w.staking(false)],
        Who::Account(0),
    );
    governance(
        &w,
        "execute",
        vec![w.shared(proposal, true), config, w.staking(true)],
        Who::Account(0),
    );
    w.seal();
    Script {
        storage_back: s1,
        w,
        blob_a: a,
        blob_b: b,
        blob_c: c,
        staked,
        proposal,
    }
}

fn blob_id(id: U256) -> String {
    BlobId::from(id).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_history_is_reflected_in_graphql() {
    let s = script();
    let w = &s.w;
    let tip = w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(w.node.clone()).await;
    let db = common::TestDb::new().await;
    common::index_to(&db.pool, &served.url, tip, 3).await;
    let pool = &db.pool;

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
    assert_eq!(a["attributes"], serde_json::Value::Null, "deleted with the blob");
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
        &format!("{{ blobObject(objectId: \"{}\") {{ blobId }} }}", s.blob_b.0),
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
    assert_eq!(page["blobs"]["nodes"].as_array().unwrap().len(), 2, "{page}");
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
    assert_eq!(epoch["storagePrice"], inner.storage_price_per_unit_size.to_string());
    assert_eq!(epoch["writePrice"], inner.write_price_per_unit_size.to_string());
    assert_eq!(epoch["totalCapacity"], inner.total_capacity_size.to_string());
    assert_eq!(epoch["usedCapacity"], inner.used_capacity_size.to_string());
    let committee: Vec<serde_json::Value> = staking
        .committee
        .0
        .contents
        .iter()
        .map(|e| serde_json::json!({ "nodeId": e.key.to_string(), "shards": e.value }))
        .collect();
    assert_eq!(epoch["committee"], serde_json::json!(committee));
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
    let total: u64 = w
        .g
        .nodes
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
        assert!(response.get("errors").is_none(), "{}: {response}", path.display());
        ran += 1;
    }
    assert!(ran >= 5);
    let dashboard = common::data(pool, &std::fs::read_to_string(dir.join("blob.graphql")).unwrap()).await;
    assert_eq!(dashboard["blob"]["blobId"], blob_id(s.blob_a.1), "the example names blob A");

    served.stop().await;
    db.drop().await;
}

/// An indexer stopped between batches and restarted resumes from its watermark and ends with
/// the same rows as one that ran without stopping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_where_it_stopped() {
    let s = script();
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
    common::assert_same(&common::dump(&whole.pool).await, &common::dump(&pieces.pool).await);
    served.stop().await;
    whole.drop().await;
    pieces.drop().await;
}
