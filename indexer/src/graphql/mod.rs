//! The GraphQL service: the schema ([`schema`], [`sdl`]), and the HTTP routes ([`app`]):
//! `/graphql` (POST queries, GET GraphiQL), `/graphql/ws` (subscriptions), `/health`,
//! `/metrics`. Each request reads one snapshot, so every answer reflects exactly one committed
//! checkpoint (`stats { checkpoint }` names it).

mod cursor;
mod query;
mod reader;
mod subscription;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql::{EmptyMutation, Schema};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse, GraphQLSubscription};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use cursor::{Cursor, CursorError};
pub use query::Query;
pub use reader::Reader;
pub use subscription::{Notifier, Subscription};

use crate::metrics::Metrics;
use crate::store::{self, Watermark};

/// The schema type.
pub type IndexerSchema = Schema<Query, EmptyMutation, Subscription>;

/// The GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/graphql";
/// The WebSocket endpoint of subscriptions.
pub const GRAPHQL_WS_PATH: &str = "/graphql/ws";
/// Health: 200 while the watermark is recent, 503 otherwise.
pub const HEALTH_PATH: &str = "/health";
/// Prometheus metrics.
pub const METRICS_PATH: &str = "/metrics";

/// Page size when a connection is given neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Largest `first`/`last` accepted.
pub const MAX_PAGE_SIZE: usize = 100;
/// Deepest query accepted (the deepest useful query, proposals → votes → pageInfo, is 6).
pub const MAX_QUERY_DEPTH: usize = 10;
/// Most complex query accepted: a connection counts its page size times its selection, so a
/// first page of 100 blobs with all their fields fits, 100 proposals × 100 votes does not.
pub const MAX_QUERY_COMPLEXITY: usize = 5_000;
/// Largest request body (a query, not data: GraphQL requests here are small).
pub const MAX_REQUEST_BYTES: usize = 32 * 1024;
/// How often the service reads the watermark for subscriptions and `/health`.
pub const WATERMARK_POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The limits the service enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    /// See [`DEFAULT_PAGE_SIZE`].
    pub default_page_size: usize,
    /// See [`MAX_PAGE_SIZE`].
    pub max_page_size: usize,
    /// See [`MAX_QUERY_DEPTH`].
    pub max_depth: usize,
    /// See [`MAX_QUERY_COMPLEXITY`].
    pub max_complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_page_size: DEFAULT_PAGE_SIZE,
            max_page_size: MAX_PAGE_SIZE,
            max_depth: MAX_QUERY_DEPTH,
            max_complexity: MAX_QUERY_COMPLEXITY,
        }
    }
}

/// The schema with `limits`; `notifier` feeds subscriptions (without it they fail).
pub fn schema(limits: Limits, notifier: Option<Notifier>) -> IndexerSchema {
    let mut builder = Schema::build(Query, EmptyMutation, Subscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .data(limits);
    if let Some(notifier) = notifier {
        builder = builder.data(notifier);
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `graphql/schema.graphql`.
pub fn sdl() -> String {
    schema(Limits::default(), None).sdl()
}

/// What the routes share.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: IndexerSchema,
    /// The database.
    pub pool: PgPool,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The committed watermark.
    pub watermark: watch::Receiver<Option<Watermark>>,
    /// `/health` fails when the last committed checkpoint is older than this.
    pub max_lag: Duration,
}

/// The router of the service.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(GRAPHQL_PATH, get(graphiql).post(graphql))
        .route_service(
            GRAPHQL_WS_PATH,
            GraphQLSubscription::new(state.schema.clone()),
        )
        .route(HEALTH_PATH, get(health))
        .route(METRICS_PATH, get(metrics))
        // The GraphQL extractor reads the body itself, so the limit is a layer, not axum's
        // extractor default.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_REQUEST_BYTES,
        ))
        .with_state(state)
}

/// Builds the state: schema, notifier, and the task that keeps the watermark current (ends when
/// `cancel` fires).
pub fn state(
    pool: PgPool,
    metrics: Arc<Metrics>,
    max_lag: Duration,
    cancel: CancellationToken,
) -> (AppState, tokio::task::JoinHandle<()>) {
    let (tx, rx) = watch::channel(None);
    let notifier = Notifier {
        pool: pool.clone(),
        watermark: rx.clone(),
    };
    let poll_pool = pool.clone();
    let task = tokio::spawn(async move {
        loop {
            match store::watermark(&poll_pool).await {
                Ok(w) => {
                    tx.send_if_modified(|old| {
                        if *old != w {
                            *old = w;
                            true
                        } else {
                            false
                        }
                    });
                }
                Err(e) => tracing::debug!(error = %e, "reading the watermark"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(WATERMARK_POLL_INTERVAL) => {}
            }
        }
    });
    (
        AppState {
            schema: schema(Limits::default(), Some(notifier)),
            pool,
            metrics,
            watermark: rx,
            max_lag,
        },
        task,
    )
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint(GRAPHQL_PATH)
            .subscription_endpoint(GRAPHQL_WS_PATH)
            .title("haulout indexer")
            .finish(),
    )
}

async fn graphql(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    state
        .metrics
        .graphql_requests
        .fetch_add(1, Ordering::Relaxed);
    let reader = Arc::new(Reader::new(state.pool.clone()));
    let response = state
        .schema
        .execute(request.into_inner().data(reader.clone()))
        .await;
    reader.finish().await;
    if response.is_err() {
        state.metrics.graphql_errors.fetch_add(1, Ordering::Relaxed);
    }
    response.into()
}

async fn health(State(state): State<AppState>) -> Response {
    let watermark = state.watermark.borrow().clone();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    match watermark {
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({"status": "unavailable", "reason": "nothing indexed yet"}),
            ),
        )
            .into_response(),
        Some(w) => {
            let lag_ms = now_ms.saturating_sub(w.timestamp_ms);
            let max_ms = u64::try_from(state.max_lag.as_millis()).unwrap_or(u64::MAX);
            let body = serde_json::json!({
                "checkpoint": w.checkpoint,
                "timestampMs": w.timestamp_ms,
                "lagMs": lag_ms,
                "maxLagMs": max_ms,
                "status": if lag_ms <= max_ms { "ok" } else { "lagging" },
            });
            let code = if lag_ms <= max_ms {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (code, axum::Json(body)).into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
