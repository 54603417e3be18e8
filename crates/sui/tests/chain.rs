//! `SuiClient` and `Walrus` against a real local chain on 127.0.0.1.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures::StreamExt as _;
use haulout_localnet::{Localnet, LocalnetArgs};
use haulout_sui::{Keystore, NetworkConfig, SuiClient, SuiError, Walrus, sdk};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_walrus_and_executes_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let walrus_args = haulout_localnet::walrus::WalrusArgs {
        nodes: 4,
        n_shards: 12,
        // Short epochs, so that the keeper's `voting_end` soon emits a Walrus event.
        epoch_duration: Duration::from_secs(1),
        ..Default::default()
    };
    let args = LocalnetArgs {
        data: dir.path().to_path_buf(),
        fresh: true,
        listen: "127.0.0.1:0".parse().unwrap(),
        accounts: 2,
        sui_epoch_duration: haulout_localnet::DEFAULT_SUI_EPOCH_DURATION,
        list_scan_budget: haulout_localnet::DEFAULT_LIST_SCAN_BUDGET,
        seal: haulout_localnet::seal::SealArgs {
            key_servers: 0,
            ..Default::default()
        },
        walrus: walrus_args,
    };
    let shutdown = CancellationToken::new();
    let (localnet, task) = Localnet::start(
        &args,
        haulout_localnet::walrus::registry(),
        shutdown.clone(),
    )
    .await
    .unwrap();

    let network_path = dir.path().join("localnet.json");
    let network = NetworkConfig::load(&network_path).unwrap();
    assert_eq!(network.rpc_url, localnet.info.rpc_url);
    let keystore = Keystore::load(&network.keystore_path(&network_path)).unwrap();
    let key = keystore.first().unwrap().clone();
    let me = key.public_key().derive_address();

    let client = SuiClient::connect(&network.rpc_url).unwrap();
    let walrus = Walrus::new(client.clone(), &network);
    let state = walrus.state().await.unwrap();
    assert_eq!(state.epoch(), 1);
    assert_eq!(state.system_inner.committee.n_shards, 12);
    let committee = walrus.committee().await.unwrap();
    assert_eq!(committee.members.len(), 4);
    assert!(
        committee
            .members
            .iter()
            .all(|m| m.shards.len() == 3 && m.public_key.len() == 96)
    );
    assert_eq!(
        committee
            .members
            .iter()
            .map(|m| m.node_id)
            .collect::<Vec<_>>(),
        network.nodes.iter().map(|n| n.node_id).collect::<Vec<_>>()
    );
    assert!(committee.is_quorum(9) && !committee.is_quorum(8));
    assert!(committee.is_validity(5) && !committee.is_validity(4));

    let wal = client.coins(me, &network.wal_coin_type()).await.unwrap();
    assert!(!wal.is_empty() && wal[0].balance > 0);

    // A transfer of 1 MIST to a fresh address executes and is in a checkpoint.
    let other = Keystore::generate(1).addresses()[0];
    let ptb = sdk::ProgrammableTransaction {
        inputs: vec![
            sdk::Input::Pure(1u64.to_le_bytes().to_vec()),
            sdk::Input::Pure(other.as_bytes().to_vec()),
        ],
        commands: vec![
            sdk::Command::SplitCoins(sdk::SplitCoins {
                coin: sdk::Argument::Gas,
                amounts: vec![sdk::Argument::Input(0)],
            }),
            sdk::Command::TransferObjects(sdk::TransferObjects {
                objects: vec![sdk::Argument::NestedResult(0, 0)],
                address: sdk::Argument::Input(1),
            }),
        ],
    };
    let executed = client
        .execute(ptb, &key, haulout_sui::DEFAULT_GAS_BUDGET)
        .await
        .unwrap();
    assert_eq!(executed.created().len(), 1);
    assert_eq!(
        client
            .balance(other, haulout_sui::SUI_COIN_TYPE)
            .await
            .unwrap(),
        1
    );

    // A failing Move call is an error naming the abort.
    let ptb = sdk::ProgrammableTransaction {
        inputs: vec![
            client
                .shared_input(network.system_object_id, true)
                .await
                .unwrap(),
            sdk::Input::Pure(0u64.to_le_bytes().to_vec()),
            sdk::Input::Pure(1u32.to_le_bytes().to_vec()),
        ],
        commands: vec![
            sdk::Command::SplitCoins(sdk::SplitCoins {
                coin: sdk::Argument::Gas,
                amounts: vec![sdk::Argument::Input(1)],
            }),
            sdk::Command::MoveCall(sdk::MoveCall {
                package: network.walrus_package_id,
                module: sdk::Identifier::from_static("system"),
                function: sdk::Identifier::from_static("reserve_space"),
                type_arguments: vec![],
                arguments: vec![
                    sdk::Argument::Input(0),
                    sdk::Argument::Input(1),
                    sdk::Argument::Input(2),
                    sdk::Argument::NestedResult(0, 0),
                ],
            }),
        ],
    };
    let err = client
        .execute(ptb, &key, haulout_sui::DEFAULT_GAS_BUDGET)
        .await
        .unwrap_err();
    assert!(matches!(err, SuiError::TransactionFailed { .. }), "{err}");

    // Missing objects and senders without gas are clear errors.
    assert!(matches!(
        client.object(other).await,
        Err(SuiError::NotFound(_))
    ));

    // The checkpoint stream starts where it is asked to and goes on in order.
    let stream = client.stream_checkpoints(executed.checkpoint, "sequence_number");
    let first: Vec<u64> = stream
        .take(2)
        .map(|c| c.unwrap().sequence_number())
        .collect()
        .await;
    assert_eq!(first, vec![executed.checkpoint, executed.checkpoint + 1]);

    // The Walrus events of the checkpoints: the keeper's `voting_end` selects epoch 2's
    // parameters (the timeout only turns a stalled chain into a failure).
    let walrus_stream = client.follow_walrus(0, network.walrus_package_id);
    futures::pin_mut!(walrus_stream);
    let mut last = None;
    let selected = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(checkpoint) = walrus_stream.next().await {
            let checkpoint = checkpoint.unwrap();
            if let Some(prev) = last {
                assert_eq!(checkpoint.sequence_number, prev + 1, "no gaps");
            }
            last = Some(checkpoint.sequence_number);
            for (id, event) in checkpoint.events {
                if let haulout_types::WalrusEvent::EpochParametersSelected(e) = event {
                    assert!(!id.tx_digest.is_empty());
                    return e.next_epoch;
                }
            }
        }
        panic!("stream ended")
    })
    .await
    .unwrap();
    assert_eq!(selected, 2);

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

/// The `key = "value"` string entries of a flat TOML file (what genesis writes).
fn toml_strings(path: &std::path::Path) -> std::collections::HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .filter(|(_, v)| v.starts_with('"'))
        .map(|(k, v)| (k.trim().to_owned(), serde_json::from_str(v).unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_transactions_register_a_candidate_and_complete_an_epoch_change() {
    let dir = tempfile::tempdir().unwrap();
    let args = LocalnetArgs {
        data: dir.path().to_path_buf(),
        fresh: true,
        listen: "127.0.0.1:0".parse().unwrap(),
        accounts: 2,
        sui_epoch_duration: haulout_localnet::DEFAULT_SUI_EPOCH_DURATION,
        list_scan_budget: haulout_localnet::DEFAULT_LIST_SCAN_BUDGET,
        seal: haulout_localnet::seal::SealArgs {
            key_servers: 0,
            ..Default::default()
        },
        walrus: haulout_localnet::walrus::WalrusArgs {
            nodes: 3,
            n_shards: 6,
            epoch_duration: Duration::from_secs(1),
            ..Default::default()
        },
    };
    let shutdown = CancellationToken::new();
    let (_localnet, task) = Localnet::start(
        &args,
        haulout_localnet::walrus::registry(),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let network_path = dir.path().join("localnet.json");
    let network = NetworkConfig::load(&network_path).unwrap();
    let keystore = Keystore::load(&network.keystore_path(&network_path)).unwrap();
    let client = SuiClient::connect(&network.rpc_url).unwrap();
    let walrus = Walrus::new(client.clone(), &network);

    // A new candidate, operated by the second funded account.
    let operator = keystore.keys()[1].clone();
    let bls = haulout_types::bls::BlsKey::from_ikm(&[42; 32]);
    let candidate = haulout_sui::Candidate {
        name: "newcomer".into(),
        network_address: "127.0.0.1:1".into(),
        network_public_key: vec![2; 33],
        commission_rate: 500,
        storage_price: 1_000,
        write_price: 2_000,
        node_capacity: 1 << 40,
    };
    let (_, node_id) = walrus
        .register_candidate(&operator, &bls, &candidate)
        .await
        .unwrap();
    let pool = &walrus.pools(&[node_id]).await.unwrap()[0];
    assert_eq!(pool.node_info.name, "newcomer");
    assert_eq!(
        pool.node_info.public_key.bytes,
        bls.public_key_uncompressed().to_vec()
    );
    assert_eq!(pool.commission_rate, 500);
    // A wrong network key length aborts, named.
    let bad = haulout_sui::Candidate {
        network_public_key: vec![2; 5],
        ..candidate.clone()
    };
    let err = walrus
        .register_candidate(&operator, &bls, &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("EInvalidNetworkPublicKey"), "{err}");

    // The genesis nodes, from their node.toml: wait for the keeper to start epoch 2, then
    // every node syncs; the change completes with the last (3 equal nodes: all are needed).
    let nodes: Vec<_> = (0..3)
        .map(|i| toml_strings(&dir.path().join(format!("nodes/{i}/node.toml"))))
        .collect();
    let started = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let state = walrus.state().await.unwrap();
            if state.in_epoch_change() {
                return state.epoch();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(started, 2);
    for (i, node) in nodes.iter().enumerate() {
        let key = haulout_sui::Ed25519PrivateKey::from_base64(&node["sui_key"]).unwrap();
        let cap: sdk::Address = node["storage_node_cap_id"].parse().unwrap();
        walrus.epoch_sync_done(&key, cap, 2).await.unwrap();
        let state = walrus.state().await.unwrap();
        assert_eq!(state.in_epoch_change(), i < 2, "after node {i}");
        if i == 0 {
            let err = walrus
                .epoch_sync_done(&key, cap, 2)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains("EDuplicateSyncDone"), "{err}");
        }
    }

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(30), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
