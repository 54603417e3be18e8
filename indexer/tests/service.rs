//! The GraphQL service on its own: the checked-in schema is current, abusive or invalid queries
//! get clear errors, `/health` and `/metrics` answer.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use haulout_indexer::{Metrics, graphql};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

/// `graphql/schema.graphql` is what the code serves. Set `UPDATE_SCHEMA=1` to rewrite it.
#[test]
fn the_checked_in_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../graphql/schema.graphql");
    let sdl = graphql::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &sdl).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == sdl,
        "graphql/schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test -p \
         haulout-indexer --test service` and commit it"
    );
    for field in [
        "blob(blobId: String!): Blob",
        "stats: Stats!",
        "stakedWal(owner: String!",
        "proposal(number: Int!): Proposal",
    ] {
        assert!(sdl.contains(field), "{field}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abusive_queries_get_clear_errors() {
    let db = common::TestDb::new().await;
    let pool = &db.pool;
    let err = common::error(pool, "{ blobs(first: 1000) { nodes { blobId } } }").await;
    assert!(err.contains("exceeds the maximum of 100"), "{err}");
    let err = common::error(pool, "{ blobs(first: -1) { nodes { blobId } } }").await;
    assert!(err.contains("negative"), "{err}");
    let err = common::error(pool, "{ blobs(first: 1, last: 1) { nodes { blobId } } }").await;
    assert!(err.contains("either first or last"), "{err}");
    let err = common::error(pool, "{ blobs(after: \"garbage\") { nodes { blobId } } }").await;
    assert!(err.contains("invalid cursor"), "{err}");
    // A cursor of another listing.
    let cursor = haulout_indexer::graphql::Cursor {
        table: "proposals".into(),
        key: vec![serde_json::json!(1)],
    };
    let cursor = async_graphql::connection::CursorType::encode_cursor(&cursor);
    let err = common::error(
        pool,
        &format!("{{ blobs(after: \"{cursor}\") {{ nodes {{ blobId }} }} }}"),
    )
    .await;
    assert!(err.contains("belongs to proposals"), "{err}");
    // Too complex: 100 proposals × 100 votes.
    let err = common::error(
        pool,
        "{ proposals(first: 100) { nodes { votes(first: 100) { nodes { voter weight } } } } }",
    )
    .await;
    assert!(err.to_lowercase().contains("complex"), "{err}");
    // Too deep.
    let deep = format!(
        "{{ __schema {{ types {{ {} }} }} }}",
        "fields { type { ofType { ".repeat(4) + "name" + &" } } }".repeat(4)
    );
    let err = common::error(pool, &deep).await;
    assert!(err.to_lowercase().contains("nested too deep"), "{err}");
    // Not GraphQL, and an unknown field.
    let err = common::error(pool, "{ blobs(").await;
    assert!(!err.is_empty());
    let err = common::error(pool, "{ nonsense }").await;
    assert!(err.contains("nonsense"), "{err}");
    // Empty database: lookups are null, stats say nothing is indexed.
    let data = common::data(
        pool,
        "{ blob(blobId: \"x\") { blobId } stats { checkpoint blobCount } }",
    )
    .await;
    assert_eq!(data["blob"], serde_json::Value::Null);
    assert_eq!(data["stats"]["checkpoint"], serde_json::Value::Null);
    assert_eq!(data["stats"]["blobCount"], 0);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_graphiql_and_body_limit() {
    let db = common::TestDb::new().await;
    let (state, poller) = graphql::state(
        db.pool.clone(),
        Arc::new(Metrics::default()),
        Duration::from_secs(60),
        CancellationToken::new(),
    );
    poller.abort();
    let app = graphql::app(state);
    let get = |path: &str| {
        axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let response = app
        .clone()
        .oneshot(get(graphql::HEALTH_PATH))
        .await
        .unwrap();
    assert_eq!(response.status(), 503, "nothing indexed yet");
    let response = app
        .clone()
        .oneshot(get(graphql::METRICS_PATH))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    assert!(text.contains("indexer_watermark_checkpoint"), "{text}");
    let response = app
        .clone()
        .oneshot(get(graphql::GRAPHQL_PATH))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("graphiql"));
    let huge = serde_json::json!({ "query": format!("{{ stats {{ checkpoint }} }} #{}", "x".repeat(100_000)) });
    let huge = huge.to_string();
    let request = axum::http::Request::post(graphql::GRAPHQL_PATH)
        .header("content-type", "application/json")
        .header("content-length", huge.len())
        .body(axum::body::Body::from(huge))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 413);
    db.drop().await;
}
