//! Benchmarks of `BENCHMARKS.md`: ingestion catching up on a recorded chain (10,000 checkpoints,
//! 100,000 Walrus events), then GraphQL latency and throughput of a blob lookup and a first page
//! of blobs with 1,000,000 blobs in the database, over HTTP on 127.0.0.1.
//!
//! `HAULOUT_DATABASE_URL=$(scripts/postgres.sh | tail -1) cargo bench -p haulout-indexer`
//! (`HAULOUT_BENCH_CHECKPOINTS`, `HAULOUT_BENCH_EVENTS_PER_CHECKPOINT`, `HAULOUT_BENCH_BLOBS`,
//! `HAULOUT_BENCH_SECONDS` change its size).
#![allow(clippy::unwrap_used, missing_docs, unreachable_pub)]

#[path = "../../crates/localnet/tests/support/mod.rs"]
mod support;

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use haulout_indexer::{IndexerConfig, Metrics, graphql};
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::{BlobIdDerivation, U256};
use sui_sdk_types::{Argument, Command, Input};
use support::walrus::*;
use tokio_util::sync::CancellationToken;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A chain of `checkpoints` checkpoints, each one transaction registering `blobs_per_tx` blobs
/// (each with its own storage): `blobs_per_tx` `BlobRegistered` events per checkpoint.
fn record(checkpoints: u64, blobs_per_tx: u64) -> W {
    let w = W::with(WalrusArgs {
        nodes: 4,
        n_shards: 12,
        ..Default::default()
    });
    // The blobs go to an address of their own, so that the account's owned objects (its gas and
    // WAL coins, looked up for every transaction) stay few.
    let sink = sui_sdk_types::Address::from_static("0xb10b");
    let started = Instant::now();
    for c in 0..checkpoints {
        if c > 0 && c % 2_000 == 0 {
            eprintln!(
                "recorded {c} checkpoints in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        let mut inputs = vec![
            w.system(true),
            Input::ImmutableOrOwned(reference(&w.wal_coin(0))),
            pure(&haulout_indexer::encoded_blob_length(1_000, 12).unwrap()),
            pure(&1u32),
            pure(&1_000u64),
            pure(&1u8),
            pure(&true),
            pure(&sink),
        ];
        let mut commands = Vec::new();
        let mut blobs = Vec::new();
        for i in 0..blobs_per_tx {
            let root_hash = U256::from(c * blobs_per_tx + i);
            let blob_id: U256 = BlobIdDerivation {
                encoding_type: 1,
                size: 1_000,
                root_hash,
            }
            .blob_id()
            .into();
            let at = u16::try_from(inputs.len()).unwrap();
            inputs.push(pure(&blob_id));
            inputs.push(pure(&root_hash));
            let storage = u16::try_from(commands.len()).unwrap();
            commands.push(call(
                "system",
                "reserve_space",
                vec![
                    Argument::Input(0),
                    Argument::Input(2),
                    Argument::Input(3),
                    Argument::Input(1),
                ],
            ));
            blobs.push(Argument::Result(storage + 1));
            commands.push(call(
                "system",
                "register_blob",
                vec![
                    Argument::Input(0),
                    Argument::Result(storage),
                    Argument::Input(at),
                    Argument::Input(at + 1),
                    Argument::Input(4),
                    Argument::Input(5),
                    Argument::Input(6),
                    Argument::Input(1),
                ],
            ));
        }
        commands.push(Command::TransferObjects(sui_sdk_types::TransferObjects {
            objects: blobs,
            address: Argument::Input(7),
        }));
        w.ok(0, inputs, commands);
        w.set_time(0);
    }
    w
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn post(client: &reqwest::Client, url: &str, query: &str) -> serde_json::Value {
    let body = serde_json::json!({ "query": query }).to_string();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// p50/p99 of `n` sequential requests, then requests/s of `workers` concurrent clients for
/// `seconds`.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    label: &str,
    n: usize,
    workers: usize,
    seconds: u64,
    query: impl Fn(usize) -> String + Send + Sync + 'static,
) {
    let query = Arc::new(query);
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let q = query(i);
        let started = Instant::now();
        let response = post(client, url, &q).await;
        latencies.push(started.elapsed());
        assert!(response.get("errors").is_none(), "{response}");
    }
    latencies.sort();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let client = client.clone();
        let url = url.to_owned();
        let query = query.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            while Instant::now() < deadline {
                let response = post(&client, &url, &query(w * 1_000_003 + done)).await;
                assert!(response.get("errors").is_none(), "{response}");
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    println!(
        "{label}: p50 {:.2} ms, p99 {:.2} ms ({n} sequential); {:.0} requests/s ({workers} concurrent clients, {seconds} s)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        total as f64 / seconds as f64,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let checkpoints = env("HAULOUT_BENCH_CHECKPOINTS", 10_000);
    let n_blobs = env("HAULOUT_BENCH_BLOBS", 1_000_000);

    // Ingestion.
    let started = Instant::now();
    let w = record(checkpoints, env("HAULOUT_BENCH_EVENTS_PER_CHECKPOINT", 10));
    let tip = w.node.latest_checkpoint().summary.sequence_number;
    println!(
        "recorded a chain of {} checkpoints in {:.1} s",
        tip + 1,
        started.elapsed().as_secs_f64()
    );
    let served = common::Served::start(w.node.clone()).await;
    let db = common::TestDb::new().await;
    let metrics = Arc::new(Metrics::default());
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let task = tokio::spawn(haulout_indexer::run(
        IndexerConfig::new(&served.url, common::packages()),
        db.pool.clone(),
        metrics.clone(),
        cancel.clone(),
    ));
    common::wait_for("catching up", Duration::from_secs(3_600), || async {
        common::watermark(&db.pool).await == Some(tip)
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    cancel.cancel();
    task.await.unwrap().unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    println!(
        "ingestion: {} checkpoints and {events} Walrus events in {elapsed:.2} s: {:.0} checkpoints/s, {:.0} events/s ({} batches, {:.2} s in commits, {} BLS signatures checked)",
        tip + 1,
        (tip + 1) as f64 / elapsed,
        events as f64 / elapsed,
        metrics
            .batches_committed
            .load(std::sync::atomic::Ordering::Relaxed),
        metrics
            .commit_micros
            .load(std::sync::atomic::Ordering::Relaxed) as f64
            / 1e6,
        metrics
            .signatures_verified
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    // Where the time goes: the chain's stream alone, then verification and processing alone.
    let client = haulout_sui::SuiClient::connect(&served.url).unwrap();
    let started = Instant::now();
    let stream = client.stream_checkpoints(0, haulout_indexer::CHECKPOINT_MASK);
    futures::pin_mut!(stream);
    let mut all = Vec::new();
    while let Some(c) = futures::StreamExt::next(&mut stream).await {
        let c = c.unwrap();
        let done = c.sequence_number() == tip;
        all.push(c);
        if done {
            break;
        }
    }
    let streamed = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut verifier = haulout_indexer::Verifier::new(None, None).unwrap();
    let mut processor = haulout_indexer::Processor::new(common::packages(), 0, 0);
    for c in &all {
        verifier.verify(c, true).unwrap();
        processor.process(c).unwrap();
    }
    let processed = started.elapsed().as_secs_f64();
    println!(
        "  of which: the chain's checkpoint stream alone {streamed:.2} s ({:.0} checkpoints/s); \
         verification (without signatures) and processing alone {processed:.2} s ({:.0} checkpoints/s)",
        all.len() as f64 / streamed,
        all.len() as f64 / processed,
    );
    drop(all);
    served.stop().await;

    // GraphQL with `n_blobs` blobs.
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO blobs (object_id, blob_id, owner, size, encoded_size, encoding_type, status, \
         registered_epoch, certified_epoch, end_epoch, deletable, storage_id, version, \
         created_checkpoint, updated_checkpoint) \
         SELECT '0x' || lpad(to_hex(i), 64, '0'), 'bench' || i, \
         '0x' || lpad(to_hex(i % 1000), 64, '0'), 1000 + i, 13200, 1, \
         CASE WHEN i % 3 = 0 THEN 'REGISTERED' ELSE 'CERTIFIED' END, 1, 1, 10, true, \
         '0x' || lpad(to_hex(i + 100000000), 64, '0'), 1, 1, 1 \
         FROM generate_series(1, $1::bigint) AS i",
    )
    .bind(i64::try_from(n_blobs).unwrap())
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE blobs")
        .execute(&db.pool)
        .await
        .unwrap();
    println!(
        "inserted {n_blobs} blobs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (state, poller) = graphql::state(
        db.pool.clone(),
        Arc::new(Metrics::default()),
        Duration::from_secs(3_600),
        cancel.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let server_cancel = CancellationToken::new();
    let stop = server_cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, graphql::app(state))
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
    });
    let client = reqwest::Client::new();
    let seconds = env("HAULOUT_BENCH_SECONDS", 10);
    measure(&client, &url, "blob lookup", 2_000, 16, seconds, move |i| {
        let n = (i as u64 * 7_919) % n_blobs + 1;
        format!(
            "{{ blob(blobId: \"bench{n}\") {{ blobId objectId owner size encodedSize status \
             registeredEpoch certifiedEpoch endEpoch deletable }} }}"
        )
    })
    .await;
    measure(
        &client,
        &url,
        "first page of blobs (20)",
        2_000,
        16,
        seconds,
        |_| {
            "{ blobs(first: 20) { pageInfo { hasNextPage endCursor } nodes { blobId objectId owner \
         size encodedSize status registeredEpoch certifiedEpoch endEpoch deletable } } }"
                .to_owned()
        },
    )
    .await;
    server_cancel.cancel();
    let _ = server.await;
    poller.abort();
    db.drop().await;
}
