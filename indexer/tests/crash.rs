//! Crash safety and chain resets. The `haulout-indexer` binary, killed with SIGKILL at random
//! points while ingesting and restarted, ends with a database identical (every table, row for
//! row) to an uninterrupted run; a database of another chain is refused unless `--reset`.
#![allow(clippy::unwrap_used)]

#[path = "../../crates/localnet/tests/support/mod.rs"]
mod support;

mod common;
mod scripted;

use std::process::Stdio;
use std::time::Duration;

use haulout_indexer::{IndexerConfig, IndexerError, Metrics};
use rand::{Rng as _, SeedableRng as _};
use tokio_util::sync::CancellationToken;

fn indexer_command(rpc_url: &str, database_url: &str, batch: usize) -> tokio::process::Command {
    let packages = common::packages();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_haulout-indexer"));
    command
        .args(["--rpc-url", rpc_url])
        .args(["--walrus-package", &packages.walrus.to_string()])
        .args(["--wal-package", &packages.wal.to_string()])
        .args(["--database-url", database_url])
        .args(["--listen", "127.0.0.1:0"])
        .args(["--batch-checkpoints", &batch.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_then_restart_ends_identical() {
    let s = scripted::script(60);
    let tip = s.w.node.latest_checkpoint().summary.sequence_number;
    let served = common::Served::start(s.w.node.clone()).await;
    let whole = common::TestDb::new().await;
    common::index_to(&whole.pool, &served.url, tip, 1_000).await;

    let killed = common::TestDb::new().await;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261207);
    // Kill points: five random checkpoints (sorted), each run killed a random moment after the
    // watermark passed its point — mid-batch, mid-commit, between batches, or (when an earlier
    // run already got past the point) during start-up. The number of kills does not depend on
    // how fast the indexer is; a last run then catches up to the tip.
    let mut targets: Vec<u64> = (0..5).map(|_| rng.random_range(0..tip)).collect();
    targets.sort_unstable();
    let mut kills = 0;
    for target in targets.into_iter().chain([tip]) {
        let batch = rng.random_range(1..=4);
        let mut child = indexer_command(&served.url, &killed.url, batch)
            .spawn()
            .unwrap();
        common::wait_for(
            "the indexer's progress",
            common::CATCH_UP_TIMEOUT,
            || async {
                common::watermark(&killed.pool)
                    .await
                    .is_some_and(|w| w >= target)
            },
        )
        .await;
        let micros = rng.random_range(0..5_000);
        tokio::time::sleep(Duration::from_micros(micros)).await;
        child.start_kill().unwrap();
        let status = child.wait().await.unwrap();
        assert!(!status.success());
        kills += 1;
    }
    assert_eq!(common::watermark(&killed.pool).await, Some(tip));
    println!("{kills} kills over {tip} checkpoints");
    common::assert_same(
        &common::dump(&whole.pool).await,
        &common::dump(&killed.pool).await,
    );
    served.stop().await;
    whole.drop().await;
    killed.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_chain_is_refused_unless_reset() {
    // Chain A has the scripted history; chain B is younger than what was indexed from A.
    let a = scripted::script(0);
    let tip_a = a.w.node.latest_checkpoint().summary.sequence_number;
    let served_a = common::Served::start(a.w.node.clone()).await;
    let db = common::TestDb::new().await;
    common::index_to(&db.pool, &served_a.url, tip_a, 5).await;
    served_a.stop().await;

    let b = support::walrus::W::with(haulout_localnet::walrus::WalrusArgs {
        nodes: scripted::N_NODES,
        n_shards: scripted::N_SHARDS,
        ..Default::default()
    });
    b.set_time(0);
    let tip_b = b.node.latest_checkpoint().summary.sequence_number;
    assert!(tip_b < tip_a);
    let served_b = common::Served::start(b.node.clone()).await;
    let config = IndexerConfig::new(&served_b.url, common::packages());
    let err = haulout_indexer::run(
        config.clone(),
        db.pool.clone(),
        std::sync::Arc::new(Metrics::default()),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, IndexerError::ChainReset { .. }), "{err}");
    assert!(err.to_string().contains("--reset"), "{err}");
    // The binary says so and exits with 2.
    let output = indexer_command(&served_b.url, &db.url, 10)
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--reset"));

    // With --reset it drops A's rows and indexes B from genesis.
    let mut config = config;
    config.reset = true;
    let cancel = CancellationToken::new();
    let task = tokio::spawn(haulout_indexer::run(
        config,
        db.pool.clone(),
        std::sync::Arc::new(Metrics::default()),
        cancel.clone(),
    ));
    common::wait_for("indexing chain B", common::CATCH_UP_TIMEOUT, || async {
        common::watermark(&db.pool).await == Some(tip_b)
    })
    .await;
    cancel.cancel();
    task.await.unwrap().unwrap();
    let data = common::data(
        &db.pool,
        "{ stats { blobCount } proposals { nodes { number } } }",
    )
    .await;
    assert_eq!(data["stats"]["blobCount"], 0);
    assert_eq!(data["proposals"]["nodes"], serde_json::json!([]));
    served_b.stop().await;
    db.drop().await;
}
