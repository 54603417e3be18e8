//! Store and read throughput on a 10-node, 100-shard local network, each next to the
//! encode-only (resp. decode-only) time of the same blob measured in the same run.
//!
//! `cargo bench -p haulout-client --bench network` (sizes: `HAULOUT_BENCH_SIZES=1KiB,1MiB,64MiB`,
//! repetitions: `HAULOUT_BENCH_REPS=5`). The chain and the ten nodes run in this process (each
//! node its own server, store and follower), so everything is built with the bench profile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use haulout_client::{Epochs, StoreOptions};
use haulout_node::config::NodeConfig;
use redstuff::{ConsistencyCheck, EncodingConfig, Primary, SliverData, pair_index_for_shard};
use tokio_util::sync::CancellationToken;

mod common;
use common::{
    Chain, env_reps, env_sizes, free_ports, human, median, mib_s, pattern, secs, start_network,
};

const NODES: usize = 10;
const SHARDS: u16 = 100;
const DOWN: usize = 6;

fn main() {
    let sizes = env_sizes("1KiB,1MiB,64MiB");
    let reps = env_reps(5);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(sizes, reps));
}

async fn bench(sizes: Vec<usize>, reps: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("chain");
    let chain = Chain::local(&data_dir, NODES, SHARDS, free_ports(NODES as u16), None);
    let shutdown = CancellationToken::new();
    let chain_task = tokio::spawn(haulout_localnet::run(chain.args, shutdown.clone()));
    let network_file = data_dir.join("localnet.json");
    let last = data_dir
        .join("nodes")
        .join((NODES - 1).to_string())
        .join("node.toml");
    while !(network_file.exists() && last.exists()) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every node follows the chain once it is healthy.
    let (nodes, client, committee) = start_network(&data_dir, NODES).await;
    let node_path = |i: usize| data_dir.join("nodes").join(i.to_string()).join("node.toml");
    let config = EncodingConfig::new(SHARDS).expect("config");
    let options = StoreOptions {
        epochs: Epochs::Count(1),
        deletable: true,
        attributes: vec![],
    };
    // The nodes that stay up in the degraded reads: the last four of the committee.
    let up: Vec<usize> = (DOWN..NODES).collect();

    struct Row {
        size: usize,
        encode: Duration,
        store: Duration,
        decode: Duration,
        read: Duration,
        read_degraded: Duration,
        blob: redstuff::BlobId,
    }
    let mut rows = Vec::new();
    for &size in &sizes {
        let reps = if size >= 32 << 20 { reps.min(3) } else { reps };
        let data = pattern(size, size as u64);
        // The encode-only baseline is timed right before each store (below), of the blob that
        // store encodes, so that both see the same machine: on a shared machine, load that
        // comes and goes would otherwise skew the ratio.
        let mut encode = Vec::new();
        let encoded = config.encode(&data).expect("encode");
        // Decode-only: the primary slivers the degraded read uses (the up nodes' shards).
        let mut pairs: Vec<u16> = up
            .iter()
            .flat_map(|&i| committee.members[i].shards.iter().copied())
            .map(|shard| pair_index_for_shard(encoded.metadata().blob_id(), shard, SHARDS))
            .collect();
        pairs.sort();
        pairs.truncate(usize::from(config.n_primary_source_symbols()));
        let slivers: Vec<SliverData<Primary>> =
            pairs.iter().map(|&p| encoded.primary_sliver(p)).collect();
        let mut decode = Vec::new();
        for _ in 0..reps {
            let s = slivers.clone();
            let t = Instant::now();
            let back = config
                .decode(encoded.metadata(), s, ConsistencyCheck::Default)
                .expect("decode");
            decode.push(t.elapsed());
            assert_eq!(back.len(), size);
        }
        let mut store = Vec::new();
        let mut phases = Vec::new();
        let mut blob = None;
        for r in 0..reps {
            let data = Arc::new(pattern(size, size as u64 * 31 + r as u64));
            let t = Instant::now();
            let baseline = config.encode(&data).expect("encode");
            encode.push(t.elapsed());
            drop(baseline);
            let marks: Arc<std::sync::Mutex<Vec<(&'static str, Instant)>>> = Arc::default();
            let m = marks.clone();
            let progress: haulout_client::Progress = Arc::new(move |p| {
                let name = match p {
                    haulout_client::StoreProgress::Encoded { .. } => "encoded",
                    haulout_client::StoreProgress::Registered => "registered",
                    haulout_client::StoreProgress::Certifying => "confirmed",
                    haulout_client::StoreProgress::Uploaded(_) => return,
                };
                m.lock().expect("marks").push((name, Instant::now()));
            });
            let t = Instant::now();
            let stored = client
                .store(data, &options, Some(progress))
                .await
                .expect("store");
            let total = t.elapsed();
            store.push(total);
            // The uploads to the nodes outside the quorum go on after the store returned; they
            // finish here, untimed, before the next measurement.
            let left = client.finish_uploads(Duration::from_secs(60)).await;
            assert_eq!(left, 0, "uploads still running after a minute");
            let everyone = t.elapsed();
            let marks = marks.lock().expect("marks").clone();
            let mut last = t;
            let mut phase = Vec::new();
            for (name, at) in marks {
                phase.push(format!("{name} +{:.0} ms", (at - last).as_secs_f64() * 1e3));
                last = at;
            }
            phase.push(format!(
                "certified +{:.0} ms",
                (t + total - last).as_secs_f64() * 1e3
            ));
            phase.push(format!(
                "(every node done +{:.0} ms)",
                (everyone - total).as_secs_f64() * 1e3
            ));
            phases.push((total, phase.join(", ")));
            blob = Some(stored.blob_id.parse::<redstuff::BlobId>().expect("id"));
        }
        phases.sort_by_key(|(t, _)| *t);
        println!(
            "{}: store phases (median run): {}",
            human(size),
            phases[phases.len() / 2].1
        );
        let blob = blob.expect("blob");
        let mut read = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let back = client.read(&blob).await.expect("read");
            read.push(t.elapsed());
            assert_eq!(back.len(), size);
        }
        rows.push(Row {
            size,
            encode: median(encode),
            store: median(store),
            decode: median(decode),
            read: median(read),
            read_degraded: Duration::ZERO,
            blob,
        });
    }
    // Six of the ten nodes down (the first six of the committee).
    for member in committee.members.iter().take(DOWN) {
        let i = (0..NODES)
            .find(|&i| {
                NodeConfig::load(&node_path(i))
                    .is_ok_and(|c| c.node_id == member.node_id.to_string())
            })
            .expect("node config");
        nodes[i].cancel();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for row in &mut rows {
        let reps = if row.size >= 32 << 20 {
            reps.min(3)
        } else {
            reps
        };
        let mut read = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let back = client.read(&row.blob).await.expect("degraded read");
            read.push(t.elapsed());
            assert_eq!(back.len(), row.size);
        }
        row.read_degraded = median(read);
    }

    println!(
        "10 nodes, 100 shards, medians of {reps} runs (64 MiB: of {})",
        reps.min(3)
    );
    println!(
        "{:>8} | {:>9} {:>9} {:>8} | {:>9} {:>9} {:>9} {:>10}",
        "size", "encode", "store", "store/enc", "decode", "read", "read -6", "read-6/dec"
    );
    for row in &rows {
        println!(
            "{:>8} | {:>9} {:>9} {:>8.2}x | {:>9} {:>9} {:>9} {:>9.2}x",
            human(row.size),
            secs(row.encode),
            secs(row.store),
            row.store.as_secs_f64() / row.encode.as_secs_f64(),
            secs(row.decode),
            secs(row.read),
            secs(row.read_degraded),
            row.read_degraded.as_secs_f64() / row.decode.as_secs_f64(),
        );
    }
    for row in &rows {
        println!(
            "{:>8}: store {} · read {} · read with 6 down {}",
            human(row.size),
            mib_s(row.size, row.store),
            mib_s(row.size, row.read),
            mib_s(row.size, row.read_degraded)
        );
    }
    shutdown.cancel();
    for n in &nodes {
        n.cancel();
    }
    let _ = chain_task.await;
}
