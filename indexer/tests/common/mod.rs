//! Shared by the indexer's integration tests: a fresh Postgres database per test, a local chain
//! served over gRPC on 127.0.0.1, running the indexer until a checkpoint, GraphQL requests
//! without a socket, and a dump of every table for row-for-row comparisons.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use haulout_indexer::{IndexerConfig, Metrics, graphql, store};
use haulout_localnet::Node;
use haulout_types::Packages;
use sqlx::{PgPool, Row as _};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

/// How long a test waits for the indexer to reach a checkpoint before failing.
pub const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(120);

/// A database of its own for one test, dropped by [`TestDb::drop`].
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    admin: PgPool,
    name: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    /// Creates a fresh database on the server of `HAULOUT_DATABASE_URL`.
    pub async fn new() -> Self {
        let Ok(base) = std::env::var("HAULOUT_DATABASE_URL") else {
            panic!(
                "HAULOUT_DATABASE_URL is not set: the indexer's tests need Postgres. Run \
                 `export HAULOUT_DATABASE_URL=$(scripts/postgres.sh | tail -1)` first \
                 (scripts/test.sh does this)"
            );
        };
        let admin = store::connect(&base, 2)
            .await
            .expect("connect to HAULOUT_DATABASE_URL");
        let name = format!(
            "haulout_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        let url = with_database(&base, &name);
        let pool = store::connect(&url, 8).await.unwrap();
        store::migrate(&pool).await.unwrap();
        Self {
            pool,
            url,
            admin,
            name,
        }
    }

    /// Drops the database.
    pub async fn drop(self) {
        self.pool.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.admin)
        .await
        .unwrap();
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database");
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// A chain node served over gRPC on 127.0.0.1 until dropped... or [`Served::stop`].
pub struct Served {
    pub url: String,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Served {
    pub async fn start(node: Arc<Node>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(haulout_localnet::serve_with(
            node,
            listener,
            shutdown.clone(),
            haulout_localnet::RpcOptions::default(),
        ));
        Self {
            url,
            shutdown,
            task,
        }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// The packages of the local chain.
pub fn packages() -> Packages {
    haulout_localnet::walrus::packages()
}

/// The committed watermark's checkpoint, if any (none while `--reset` rebuilds the tables).
pub async fn watermark(pool: &PgPool) -> Option<u64> {
    store::watermark(pool)
        .await
        .ok()
        .flatten()
        .map(|w| w.checkpoint)
}

/// Polls `condition` every few milliseconds until it holds, failing after `timeout`.
pub async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !condition().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the indexer in-process until it has committed `target`, then stops it; returns its
/// metrics.
pub async fn index_to(
    pool: &PgPool,
    rpc_url: &str,
    target: u64,
    batch_checkpoints: usize,
) -> Arc<Metrics> {
    let mut config = IndexerConfig::new(rpc_url, packages());
    config.batch_checkpoints = batch_checkpoints;
    let cancel = CancellationToken::new();
    let metrics = Arc::new(Metrics::default());
    let task = tokio::spawn(haulout_indexer::run(
        config,
        pool.clone(),
        metrics.clone(),
        cancel.clone(),
    ));
    let start = Instant::now();
    loop {
        if watermark(pool).await.is_some_and(|w| w >= target) {
            break;
        }
        if task.is_finished() {
            let result = task.await.unwrap();
            panic!("the indexer stopped before checkpoint {target}: {result:?}");
        }
        assert!(
            start.elapsed() < CATCH_UP_TIMEOUT,
            "the indexer did not reach checkpoint {target} (at {:?})",
            watermark(pool).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cancel.cancel();
    task.await.unwrap().unwrap();
    metrics
}

/// Answers a GraphQL query through the router (no socket).
pub async fn gql(pool: &PgPool, query: &str) -> serde_json::Value {
    let (state, poller) = graphql::state(
        pool.clone(),
        Arc::new(Metrics::default()),
        Duration::from_secs(3600 * 24 * 365 * 100),
        CancellationToken::new(),
    );
    poller.abort();
    let request = axum::http::Request::post(graphql::GRAPHQL_PATH)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            serde_json::json!({ "query": query }).to_string(),
        ))
        .unwrap();
    let response = graphql::app(state).oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// [`gql`], asserting there are no errors; returns `data`.
pub async fn data(pool: &PgPool, query: &str) -> serde_json::Value {
    let response = gql(pool, query).await;
    assert!(
        response.get("errors").is_none(),
        "errors for {query}: {response}"
    );
    response["data"].clone()
}

/// [`gql`], expecting an error; returns its message.
pub async fn error(pool: &PgPool, query: &str) -> String {
    let response = gql(pool, query).await;
    response["errors"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error for {query}, got {response}"))
        .to_owned()
}

/// Every row of every table the indexer writes, as text, sorted.
pub async fn dump(pool: &PgPool) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for table in store::TABLES {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT t::text FROM {table} t ORDER BY 1"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        out.insert(
            (*table).to_owned(),
            rows.iter().map(|r| r.get::<String, _>(0)).collect(),
        );
    }
    out
}

/// Asserts two dumps are equal, naming the rows that differ.
pub fn assert_same(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) {
    let mut diffs = Vec::new();
    for (table, rows) in a {
        let other = &b[table];
        for row in rows {
            if !other.contains(row) {
                diffs.push(format!("{table}: only in the first: {row}"));
            }
        }
        for row in other {
            if !rows.contains(row) {
                diffs.push(format!("{table}: only in the second: {row}"));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "the databases differ:\n{}",
        diffs.join("\n")
    );
}
