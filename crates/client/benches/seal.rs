//! Encrypted store and read next to plain store and read of the same file, in the same run,
//! on a 10-node, 100-shard local network with its three Seal key servers (2-of-3).
//!
//! An encrypted store is `Client::seal_encrypt` (Seal, AES-256-GCM, under the `private` policy)
//! and the store of the ciphertext; an encrypted read is the read of the ciphertext and
//! `Client::seal_decrypt` (a session, keys from two key servers, each verified, the decryption).
//! Plain and encrypted runs alternate, and so does which of the two goes first in a repetition:
//! a store that follows another store finds the nodes still busy with the previous blob, and
//! runs always in the same order charged that to the encrypted store. The plain store is given
//! the file already in an `Arc` (as the encrypted store is given it borrowed), so neither times
//! a copy of the input. Phase medians (encryption, encoding, registration, upload, parse,
//! decryption) are printed after the table; each run's totals go to stderr.
//!
//! `cargo bench -p haulout-client --bench seal` (sizes: `HAULOUT_BENCH_SIZES=1MiB,64MiB`,
//! repetitions: `HAULOUT_BENCH_REPS=3`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use haulout_client::privacy::Policy;
use haulout_client::{Client, Epochs, StoreOptions, StoreResult};
use redstuff::BlobId;
use tokio_util::sync::CancellationToken;

mod common;
use common::{Chain, env_reps, env_sizes, free_ports, human, median, pattern, secs, start_network};

const NODES: usize = 10;
const SHARDS: u16 = 100;

fn main() {
    let sizes = env_sizes("1MiB,64MiB");
    let reps = env_reps(3);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(bench(sizes, reps));
}

async fn bench(sizes: Vec<usize>, reps: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("chain");
    // One block of free ports: the nodes', then the three key servers'.
    let ports = free_ports(NODES as u16 + 3);
    let chain = Chain::local(&data_dir, NODES, SHARDS, ports, Some(ports + NODES as u16));
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
    let (nodes, client, _) = start_network(&data_dir, NODES).await;
    let options = StoreOptions {
        epochs: Epochs::Count(1),
        deletable: true,
        attributes: vec![],
    };

    println!(
        "{:>8} | {:>9} {:>9} {:>7} | {:>9} {:>9} {:>7}",
        "size", "store", "enc store", "ratio", "read", "dec read", "ratio"
    );
    let mut breakdowns = Vec::new();
    for &size in &sizes {
        let mut plain_store = Phases::default();
        let mut sealed_store = Phases::default();
        let mut plain_read = Phases::default();
        let mut sealed_read = Phases::default();
        for r in 0..reps {
            let data = pattern(size, size as u64 * 7 + r as u64);
            // The plain store gets the file already in memory, as the encrypted store does
            // (its copy into the `Arc` is not part of a store).
            let shared = Arc::new(data.clone());
            // Alternate which store goes first: the one that follows another store finds the
            // nodes still busy with the previous blob.
            let (plain, sealed) = if r % 2 == 0 {
                let p = timed_store(&client, shared, &options, &mut plain_store).await;
                let s = timed_sealed_store(&client, &data, &options, &mut sealed_store).await;
                (p, s)
            } else {
                let s = timed_sealed_store(&client, &data, &options, &mut sealed_store).await;
                let p = timed_store(&client, shared, &options, &mut plain_store).await;
                (p, s)
            };

            let plain_id = plain.blob_id.parse().expect("id");
            let sealed_id = sealed.blob_id.parse().expect("id");
            if r % 2 == 0 {
                timed_read(&client, &plain_id, &data, &mut plain_read).await;
                timed_sealed_read(&client, &sealed_id, &data, &mut sealed_read).await;
            } else {
                timed_sealed_read(&client, &sealed_id, &data, &mut sealed_read).await;
                timed_read(&client, &plain_id, &data, &mut plain_read).await;
            }
            let last = |p: &Phases| secs(p.last());
            eprintln!(
                "  {} run {r} ({} first): store {}, enc store {}, read {}, dec read {}",
                human(size),
                if r % 2 == 0 { "plain" } else { "encrypted" },
                last(&plain_store),
                last(&sealed_store),
                last(&plain_read),
                last(&sealed_read),
            );
        }
        let (store, sealed_store_t, read, sealed_read_t) = (
            plain_store.total(),
            sealed_store.total(),
            plain_read.total(),
            sealed_read.total(),
        );
        println!(
            "{:>8} | {:>9} {:>9} {:>6.3}x | {:>9} {:>9} {:>6.3}x",
            human(size),
            secs(store),
            secs(sealed_store_t),
            sealed_store_t.as_secs_f64() / store.as_secs_f64(),
            secs(read),
            secs(sealed_read_t),
            sealed_read_t.as_secs_f64() / read.as_secs_f64(),
        );
        breakdowns.push((size, plain_store, sealed_store, plain_read, sealed_read));
    }
    println!("10 nodes, 100 shards, 2-of-3 key servers, medians of {reps} alternating runs");
    println!();
    println!("phases (medians; a total is the median of the sums, not the sum of the medians):");
    for (size, plain_store, sealed_store, plain_read, sealed_read) in &breakdowns {
        for (name, phases) in [
            ("store", plain_store),
            ("enc store", sealed_store),
            ("read", plain_read),
            ("dec read", sealed_read),
        ] {
            println!("{:>8} {:>9}: {}", human(*size), name, phases.describe());
        }
    }
    shutdown.cancel();
    for n in &nodes {
        n.cancel();
    }
    let _ = chain_task.await;
}

/// The timed phases of one kind of operation, over the repetitions.
#[derive(Default)]
struct Phases {
    /// (phase name, its duration) of each repetition, in order.
    runs: Vec<Vec<(&'static str, Duration)>>,
}

impl Phases {
    fn start(&mut self) -> &mut Vec<(&'static str, Duration)> {
        self.runs.push(Vec::new());
        self.runs.last_mut().expect("just pushed")
    }

    /// The latest repetition's total.
    fn last(&self) -> Duration {
        self.runs
            .last()
            .map(|run| run.iter().map(|(_, d)| *d).sum())
            .unwrap_or_default()
    }

    fn total(&self) -> Duration {
        median(
            self.runs
                .iter()
                .map(|run| run.iter().map(|(_, d)| *d).sum())
                .collect(),
        )
    }

    fn describe(&self) -> String {
        let Some(first) = self.runs.first() else {
            return String::new();
        };
        let mut parts: Vec<String> = first
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                let d = median(self.runs.iter().map(|run| run[i].1).collect());
                format!("{name} {}", secs(d))
            })
            .collect();
        parts.push(format!("= {}", secs(self.total())));
        parts.join(", ")
    }
}

/// `Client::store`, phase by phase (encode, register, upload and certify).
async fn timed_store(
    client: &Client,
    data: Arc<Vec<u8>>,
    options: &StoreOptions,
    phases: &mut Phases,
) -> StoreResult {
    let run = phases.start();
    store_phases(client, data, options, run).await
}

async fn store_phases(
    client: &Client,
    data: Arc<Vec<u8>>,
    options: &StoreOptions,
    run: &mut Vec<(&'static str, Duration)>,
) -> StoreResult {
    let t = Instant::now();
    let encoded = Arc::new(client.encode(data).await.expect("encode"));
    run.push(("encode", t.elapsed()));
    let t = Instant::now();
    let registration = client
        .register_encoded(&encoded, options)
        .await
        .expect("register");
    run.push(("register", t.elapsed()));
    let t = Instant::now();
    let stored = client
        .upload_and_certify(&encoded, &registration, None)
        .await
        .expect("upload");
    run.push(("upload+certify", t.elapsed()));
    // Uploads to the nodes outside the first quorum go on after a store returns: not into the
    // next measurement.
    client.finish_uploads(Duration::from_secs(60)).await;
    stored
}

/// `Client::seal_encrypt` then the store of the ciphertext.
async fn timed_sealed_store(
    client: &Client,
    data: &[u8],
    options: &StoreOptions,
    phases: &mut Phases,
) -> StoreResult {
    let run = phases.start();
    let t = Instant::now();
    let ciphertext = client
        .seal_encrypt(data, Policy::Private, &[], None)
        .await
        .expect("encrypt")
        .ciphertext;
    run.push(("seal_encrypt", t.elapsed()));
    store_phases(client, Arc::new(ciphertext), options, run).await
}

async fn timed_read(client: &Client, id: &BlobId, data: &[u8], phases: &mut Phases) {
    let run = phases.start();
    let t = Instant::now();
    let back = client.read(id).await.expect("read");
    run.push(("read", t.elapsed()));
    assert!(back == data);
}

async fn timed_sealed_read(client: &Client, id: &BlobId, data: &[u8], phases: &mut Phases) {
    let run = phases.start();
    let t = Instant::now();
    let ciphertext = client.read(id).await.expect("read ciphertext");
    run.push(("read", t.elapsed()));
    let t = Instant::now();
    let mut ciphertext = ciphertext;
    let object = haulout_seal::EncryptedObject::parse_taking(&mut ciphertext).expect("parse");
    run.push(("parse", t.elapsed()));
    let t = Instant::now();
    let back = client.seal_decrypt(object).await.expect("decrypt");
    run.push(("seal_decrypt", t.elapsed()));
    assert!(back.plaintext == data);
}
