//! Encrypted store and read next to plain store and read of the same file, in the same run,
//! on a 10-node, 100-shard local network with its three Seal key servers (2-of-3).
//!
//! An encrypted store is `Client::seal_encrypt` (Seal, AES-256-GCM, under the `private` policy)
//! and the store of the ciphertext; an encrypted read is the read of the ciphertext and
//! `Client::seal_decrypt` (a session, keys from two key servers, each verified, the decryption).
//! Plain and encrypted runs alternate, so load that comes and goes hits both alike.
//!
//! `cargo bench -p haulout-client --bench seal` (sizes: `HAULOUT_BENCH_SIZES=1MiB,64MiB`,
//! repetitions: `HAULOUT_BENCH_REPS=3`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use haulout_client::privacy::Policy;
use haulout_client::{Client, Epochs, StoreOptions};
use tokio_util::sync::CancellationToken;

mod common;
use common::{
    Chain, free_ports, human, median, parse_size, pattern, secs, start_node, wait_for_nodes,
};

const NODES: usize = 10;
const SHARDS: u16 = 100;

fn main() {
    let sizes: Vec<usize> = std::env::var("HAULOUT_BENCH_SIZES")
        .unwrap_or_else(|_| "1MiB,64MiB".into())
        .split(',')
        .map(parse_size)
        .collect();
    let reps: usize = std::env::var("HAULOUT_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(sizes, reps));
}

async fn bench(sizes: Vec<usize>, reps: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("chain");
    // One block of free ports: the nodes', then the three key servers'.
    let ports = free_ports(NODES as u16 + 3);
    let chain = Chain::parse_from([
        "localnet".to_owned(),
        "--fresh".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--nodes".into(),
        NODES.to_string(),
        "--n-shards".into(),
        SHARDS.to_string(),
        "--epoch-duration".into(),
        "1h".into(),
        "--node-base-port".into(),
        ports.to_string(),
        "--key-server-base-port".into(),
        (ports + NODES as u16).to_string(),
        "--data".into(),
        data_dir.display().to_string(),
    ]);
    let shutdown = CancellationToken::new();
    let (localnet, chain_task) = haulout_localnet::Localnet::start(
        &chain.args,
        haulout_localnet::package::registry(),
        shutdown.clone(),
    )
    .await
    .expect("chain");
    let seal: haulout_localnet::seal::SealInfo = localnet
        .info
        .section("seal")
        .expect("seal section")
        .expect("key servers");
    for entry in &seal.key_servers {
        let mut config =
            haulout_keyserver::KeyServerConfig::load(std::path::Path::new(&entry.config))
                .expect("key-server.toml");
        config.rpc_url = localnet.info.rpc_url.clone();
        haulout_keyserver::start(config, shutdown.clone())
            .await
            .expect("key server");
    }
    let node_path = |i: usize| data_dir.join("nodes").join(i.to_string()).join("node.toml");
    let mut nodes = Vec::new();
    for i in 0..NODES {
        nodes.push(start_node(&node_path(i)).await);
    }
    let network =
        haulout_sui::NetworkConfig::load(&data_dir.join("localnet.json")).expect("network");
    let key = haulout_sui::Keystore::load(&data_dir.join("keystore"))
        .expect("keystore")
        .first()
        .expect("key")
        .clone();
    let client = Client::connect(network, Some(key)).expect("client");
    wait_for_nodes(&client).await;
    let options = StoreOptions {
        epochs: Epochs::Count(1),
        deletable: true,
        attributes: vec![],
    };

    println!(
        "{:>8} | {:>9} {:>9} {:>7} | {:>9} {:>9} {:>7}",
        "size", "store", "enc store", "ratio", "read", "dec read", "ratio"
    );
    for &size in &sizes {
        let (mut store, mut sealed_store, mut read, mut sealed_read) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for r in 0..reps {
            let data = pattern(size, size as u64 * 7 + r as u64);

            let t = Instant::now();
            let plain = client
                .store(Arc::new(data.clone()), &options, None)
                .await
                .expect("store");
            store.push(t.elapsed());
            // Uploads to the nodes outside the quorum go on after a store returns: not into
            // the next measurement.
            client.finish_uploads(Duration::from_secs(60)).await;

            let t = Instant::now();
            let ciphertext = client
                .seal_encrypt(&data, Policy::Private, &[], None)
                .await
                .expect("encrypt")
                .ciphertext;
            let sealed = client
                .store(Arc::new(ciphertext), &options, None)
                .await
                .expect("store ciphertext");
            sealed_store.push(t.elapsed());
            client.finish_uploads(Duration::from_secs(60)).await;

            let plain_id = plain.blob_id.parse().expect("id");
            let t = Instant::now();
            let back = client.read(&plain_id).await.expect("read");
            read.push(t.elapsed());
            assert!(back == data);

            let sealed_id = sealed.blob_id.parse().expect("id");
            let t = Instant::now();
            let ciphertext = client.read(&sealed_id).await.expect("read ciphertext");
            let object = haulout_seal::EncryptedObject::parse(&ciphertext).expect("parse");
            let back = client.seal_decrypt(&object).await.expect("decrypt");
            sealed_read.push(t.elapsed());
            assert!(back.plaintext == data);
        }
        let (store, sealed_store, read, sealed_read) = (
            median(store),
            median(sealed_store),
            median(read),
            median(sealed_read),
        );
        println!(
            "{:>8} | {:>9} {:>9} {:>6.3}x | {:>9} {:>9} {:>6.3}x",
            human(size),
            secs(store),
            secs(sealed_store),
            sealed_store.as_secs_f64() / store.as_secs_f64(),
            secs(read),
            secs(sealed_read),
            sealed_read.as_secs_f64() / read.as_secs_f64(),
        );
    }
    println!("10 nodes, 100 shards, 2-of-3 key servers, medians of {reps} alternating runs");
    shutdown.cancel();
    for n in &nodes {
        n.cancel();
    }
    let _ = chain_task.await;
}
