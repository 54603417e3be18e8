//! The Walrus storage-node REST API (walrus-protocol.md §5) on axum: the exact paths, JSON
//! envelopes, status codes and error reasons that Walrus clients and the official TypeScript
//! SDK expect. Bodies are size-limited before they are read; binary bodies must be
//! `application/octet-stream`; every 2xx of a PUT or JSON GET carries a JSON body.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt as _;
use haulout_types::node_api::{
    ApiError, ApiSuccess, EventProgress, HealthInfo, OwnedShardStatus, ShardSummary,
    StorageConfirmationJson, Uptime, reason, status,
};
use serde::Deserialize;

use crate::state::{Admitted, NodeError, NodeState, Stored};
use crate::store::Axis;
use crate::symbols::recovery_symbols;

/// A REST error: HTTP status, canonical status name, reason and message.
#[derive(Debug)]
pub struct RestError(ApiError);

impl RestError {
    fn new((code, name): (u16, &str), reason: &str, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, name, reason, message))
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let code =
            StatusCode::from_u16(self.0.error.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.0)).into_response()
    }
}

impl From<NodeError> for RestError {
    fn from(e: NodeError) -> Self {
        let message = e.to_string();
        let (st, r) = match &e {
            NodeError::NotRegistered(_) => (status::FAILED_PRECONDITION, reason::NOT_REGISTERED),
            NodeError::InvalidBlob(_) => (
                status::UNAVAILABLE_FOR_LEGAL_REASONS,
                reason::FORBIDDEN_BLOB,
            ),
            NodeError::InvalidMetadata(_) => (status::INVALID_ARGUMENT, reason::INVALID_METADATA),
            NodeError::UnsupportedEncoding => {
                (status::INVALID_ARGUMENT, reason::UNSUPPORTED_ENCODING_TYPE)
            }
            NodeError::MetadataNotFound(_) => (status::NOT_FOUND, reason::METADATA_NOT_FOUND),
            NodeError::SliverNotFound => (status::NOT_FOUND, reason::SLIVER_NOT_FOUND),
            NodeError::ShardNotAssigned(_) => {
                (status::FAILED_PRECONDITION, reason::SHARD_NOT_ASSIGNED)
            }
            NodeError::IndexOutOfRange(..) => {
                (status::INVALID_ARGUMENT, reason::INDEX_OUT_OF_RANGE)
            }
            NodeError::SliverIndexMismatch { .. } => {
                (status::INVALID_ARGUMENT, reason::SLIVER_INDEX_MISMATCH)
            }
            NodeError::InvalidSliver(_) => (status::INVALID_ARGUMENT, reason::INVALID_SLIVER),
            NodeError::Malformed(_) => (status::INVALID_ARGUMENT, reason::MALFORMED_REQUEST),
            NodeError::MissingSlivers(_) => (status::FAILED_PRECONDITION, reason::MISSING_SLIVERS),
            NodeError::CacheSaturated => (status::INVALID_ARGUMENT, reason::CACHE_SATURATED),
            NodeError::Starting => (status::UNAVAILABLE, reason::INTERNAL_ERROR),
            NodeError::Store(_) => {
                tracing::error!(error = %e, "storage failure");
                return Self::new(
                    status::INTERNAL,
                    reason::INTERNAL_ERROR,
                    "internal storage error",
                );
            }
        };
        Self::new(st, r, message)
    }
}

type Result<T, E = RestError> = std::result::Result<T, E>;

fn json<T: serde::Serialize>(code: StatusCode, data: T) -> Response {
    (code, axum::Json(ApiSuccess::new(code.as_u16(), data))).into_response()
}

fn parse_blob_id(text: &str) -> Result<[u8; 32]> {
    text.parse::<redstuff::BlobId>().map(|b| b.0).map_err(|e| {
        RestError::new(
            status::INVALID_ARGUMENT,
            reason::MALFORMED_REQUEST,
            format!("invalid blob ID {text:?}: {e}"),
        )
    })
}

fn parse_axis(text: &str) -> Result<Axis> {
    match text {
        "primary" => Ok(Axis::Primary),
        "secondary" => Ok(Axis::Secondary),
        other => Err(RestError::new(
            status::INVALID_ARGUMENT,
            reason::MALFORMED_REQUEST,
            format!("sliver type must be primary or secondary, not {other:?}"),
        )),
    }
}

fn parse_pair(text: &str) -> Result<u16> {
    text.parse().map_err(|_| {
        RestError::new(
            status::INVALID_ARGUMENT,
            reason::MALFORMED_REQUEST,
            format!("invalid sliver pair index {text:?}"),
        )
    })
}

/// A binary body: `Content-Type: application/octet-stream` and at most `limit` bytes, read
/// only after both checks.
async fn binary_body(request: Request, limit: usize) -> Result<Vec<u8>> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if content_type.map(|c| c.split(';').next().unwrap_or("").trim())
        != Some("application/octet-stream")
    {
        return Err(RestError::new(
            status::INVALID_ARGUMENT,
            reason::INVALID_CONTENT_TYPE,
            "the body must be sent with Content-Type: application/octet-stream",
        ));
    }
    let too_large = || {
        RestError::new(
            (413, "SIZE_EXCEEDED"),
            reason::PAYLOAD_TOO_LARGE,
            format!("the body is larger than the {limit} bytes this endpoint accepts"),
        )
    };
    if let Some(len) = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(too_large());
    }
    // Collected into one buffer of the declared size (no regrowing, no second copy for the
    // handlers that need a Vec), never beyond the limit.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut out = Vec::with_capacity(declared.min(limit));
    let mut stream = request.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            RestError::new(
                status::INVALID_ARGUMENT,
                reason::MALFORMED_REQUEST,
                format!("reading the body: {e}"),
            )
        })?;
        if out.len() + chunk.len() > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Runs `f` on rayon's pool (one thread per core) and waits for it without blocking the
/// runtime; a panic comes back as an error instead of aborting the process.
async fn on_cpu_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .map_err(|_| "the verification panicked".to_owned());
        let _ = tx.send(result);
    });
    rx.await
        .map_err(|_| "the verification was dropped".to_owned())?
}

#[derive(Debug, Deserialize, Default)]
struct PendingQuery {
    #[serde(default)]
    pending: bool,
}

fn stored_response(stored: Stored, what: &str) -> Response {
    match stored {
        Stored::Created => json(StatusCode::CREATED, format!("{what} successfully stored")),
        Stored::AlreadyStored => json(StatusCode::OK, format!("{what} already stored")),
        Stored::Buffered => json(
            StatusCode::ACCEPTED,
            format!("{what} buffered until the blob is registered"),
        ),
    }
}

async fn get_metadata(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let bytes = state.metadata_with_id(&blob)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

async fn put_metadata(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
    Query(query): Query<PendingQuery>,
    request: Request,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let body = binary_body(request, state.max_metadata_size()).await?;
    let stored =
        tokio::task::spawn_blocking(move || state.put_metadata(&blob, body, query.pending))
            .await
            .map_err(|e| {
                RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e.to_string())
            })??;
    Ok(stored_response(stored, "metadata"))
}

async fn metadata_status(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    Ok(json(StatusCode::OK, state.metadata_status(&blob)?))
}

async fn get_sliver(
    State(state): State<Arc<NodeState>>,
    Path((id, pair, axis)): Path<(String, String, String)>,
) -> Result<Response> {
    let (blob, pair, axis) = (parse_blob_id(&id)?, parse_pair(&pair)?, parse_axis(&axis)?);
    let bytes = state.sliver(&blob, pair, axis)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

async fn put_sliver(
    State(state): State<Arc<NodeState>>,
    Path((id, pair, axis)): Path<(String, String, String)>,
    Query(query): Query<PendingQuery>,
    request: Request,
) -> Result<Response> {
    let (blob, pair, axis) = (parse_blob_id(&id)?, parse_pair(&pair)?, parse_axis(&axis)?);
    // The limit: what the registered size implies, or the largest blob's sliver while the
    // registration is not known (buffered uploads).
    let limit = match state.store().blob(&blob).map_err(NodeError::from)? {
        Some(record) => state.sliver_size_for(record.size, axis) as usize,
        None => state.max_sliver_size(),
    };
    let body = binary_body(request, limit).await.map_err(|e| {
        if e.0.error.code == 413 {
            RestError::new(
                status::INVALID_ARGUMENT,
                reason::SLIVER_TOO_LARGE,
                e.0.error.message,
            )
        } else {
            e
        }
    })?;
    // The checks and the write on blocking threads (they read and write the database); the
    // verification, pure computation, on the CPU pool, so that however many uploads arrive at
    // once no more verify at a time than there are cores.
    let internal = |e: String| RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e);
    let this = state.clone();
    let admitted = tokio::task::spawn_blocking(move || {
        this.admit_sliver(&blob, pair, axis, body, query.pending)
    })
    .await
    .map_err(|e| internal(e.to_string()))??;
    let (shard, metadata, body) = match admitted {
        Admitted::Done(stored) => return Ok(stored_response(stored, "sliver")),
        Admitted::Verify {
            shard,
            metadata,
            bytes,
        } => (shard, metadata, bytes),
    };
    let this = state.clone();
    let body = on_cpu_pool(move || {
        this.check_sliver(pair, axis, &body, &metadata)
            .map(|()| body)
    })
    .await
    .map_err(internal)??;
    let stored = tokio::task::spawn_blocking(move || state.write_sliver(&blob, shard, axis, body))
        .await
        .map_err(|e| internal(e.to_string()))??;
    Ok(stored_response(stored, "sliver"))
}

async fn sliver_status(
    State(state): State<Arc<NodeState>>,
    Path((id, pair, axis)): Path<(String, String, String)>,
) -> Result<Response> {
    let (blob, pair, axis) = (parse_blob_id(&id)?, parse_pair(&pair)?, parse_axis(&axis)?);
    Ok(json(
        StatusCode::OK,
        state.sliver_status(&blob, pair, axis)?,
    ))
}

async fn confirm_permanent(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let signed = tokio::task::spawn_blocking(move || state.confirmation(&blob, None))
        .await
        .map_err(|e| RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e.to_string()))??;
    Ok(json(
        StatusCode::OK,
        StorageConfirmationJson::Signed(signed),
    ))
}

async fn confirm_deletable(
    State(state): State<Arc<NodeState>>,
    Path((id, object)): Path<(String, String)>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let object: haulout_sui::sdk::Address = object.parse().map_err(|_| {
        RestError::new(
            status::INVALID_ARGUMENT,
            reason::MALFORMED_REQUEST,
            format!("invalid object ID {object:?}"),
        )
    })?;
    let object = object.into_inner();
    let signed = tokio::task::spawn_blocking(move || state.confirmation(&blob, Some(object)))
        .await
        .map_err(|e| RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e.to_string()))??;
    Ok(json(
        StatusCode::OK,
        StorageConfirmationJson::Signed(signed),
    ))
}

async fn blob_status(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    Ok(json(StatusCode::OK, state.blob_status(&blob)?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SymbolsQuery {
    target_sliver: Option<u16>,
    target_type: Option<String>,
}

async fn get_recovery_symbols(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
    Query(query): Query<SymbolsQuery>,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let (Some(target), Some(axis)) = (query.target_sliver, query.target_type) else {
        return Err(RestError::new(
            status::INVALID_ARGUMENT,
            reason::NO_SYMBOLS_SPECIFIED,
            "give targetSliver and targetType",
        ));
    };
    let axis = parse_axis(&axis)?;
    let symbols =
        tokio::task::spawn_blocking(move || recovery_symbols(&state, &blob, target, axis))
            .await
            .map_err(|e| {
                RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e.to_string())
            })??;
    if symbols.is_empty() {
        return Err(RestError::new(
            status::INVALID_ARGUMENT,
            reason::SYMBOL_NOT_PRESENT_AT_SHARDS,
            "none of this node's shards holds a sliver of that blob",
        ));
    }
    let bytes = bcs::to_bytes(&symbols)
        .map_err(|e| RestError::new(status::INTERNAL, reason::INTERNAL_ERROR, e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

async fn inconsistency_proof(
    State(state): State<Arc<NodeState>>,
    Path((id, axis)): Path<(String, String)>,
    request: Request,
) -> Result<Response> {
    let blob = parse_blob_id(&id)?;
    let axis = parse_axis(&axis)?;
    let body = binary_body(request, 64 << 20).await?;
    let metadata = state.metadata(&blob)?;
    let config = *state.encoding();
    let valid = match axis {
        Axis::Primary => bcs::from_bytes::<redstuff::InconsistencyProof<redstuff::Primary>>(&body)
            .map_err(|e| NodeError::Malformed(e.to_string()))?
            .verify(&config, &metadata)
            .is_ok(),
        Axis::Secondary => {
            bcs::from_bytes::<redstuff::InconsistencyProof<redstuff::Secondary>>(&body)
                .map_err(|e| NodeError::Malformed(e.to_string()))?
                .verify(&config, &metadata)
                .is_ok()
        }
    };
    if !valid {
        return Err(RestError::new(
            status::INVALID_ARGUMENT,
            "INVALID_PROOF",
            "the proof does not show an inconsistency",
        ));
    }
    Ok(json(StatusCode::OK, state.sign_invalid(&blob)?))
}

async fn health(State(state): State<Arc<NodeState>>) -> Response {
    let uptime = state.uptime();
    let owned = state.owned_shards().len() as u32;
    let info = HealthInfo {
        uptime: Uptime {
            secs: uptime.as_secs(),
            nanos: uptime.subsec_nanos(),
        },
        epoch: state.epoch().unwrap_or(0),
        public_key: base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            state.key().public_key(),
        ),
        node_status: if state.epoch().is_some() {
            "Active"
        } else {
            "Starting"
        }
        .to_owned(),
        event_progress: EventProgress::default(),
        shard_summary: ShardSummary {
            owned,
            owned_shard_status: OwnedShardStatus {
                ready: owned,
                ..Default::default()
            },
            read_only: 0,
        },
        latest_checkpoint_sequence_number: state.latest_checkpoint(),
    };
    json(StatusCode::OK, info)
}

async fn metrics(State(state): State<Arc<NodeState>>) -> Response {
    let text = crate::metrics::render(&state);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

async fn not_found() -> RestError {
    RestError::new(
        status::NOT_FOUND,
        reason::MALFORMED_REQUEST,
        "no such endpoint",
    )
}

/// CORS for browsers, as Walrus nodes send it: any origin, method and header.
async fn cors(request: Request, next: axum::middleware::Next) -> Response {
    let preflight = request.method() == axum::http::Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers: &mut HeaderMap = response.headers_mut();
    for name in [
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::ACCESS_CONTROL_ALLOW_METHODS,
        header::ACCESS_CONTROL_ALLOW_HEADERS,
    ] {
        headers.insert(name, HeaderValue::from_static("*"));
    }
    response
}

/// The router of the node's REST API over `state`.
pub fn router(state: Arc<NodeState>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/metrics", get(metrics))
        .route(
            "/v1/blobs/{id}/metadata",
            get(get_metadata).put(put_metadata),
        )
        .route("/v1/blobs/{id}/metadata/status", get(metadata_status))
        .route(
            "/v1/blobs/{id}/slivers/{pair}/{axis}",
            get(get_sliver).put(put_sliver),
        )
        .route(
            "/v1/blobs/{id}/slivers/{pair}/{axis}/status",
            get(sliver_status),
        )
        .route(
            "/v1/blobs/{id}/confirmation/permanent",
            get(confirm_permanent),
        )
        .route(
            "/v1/blobs/{id}/confirmation/deletable/{object}",
            get(confirm_deletable),
        )
        .route("/v1/blobs/{id}/recoverySymbols", get(get_recovery_symbols))
        .route(
            "/v1/blobs/{id}/inconsistencyProof/{axis}",
            post(inconsistency_proof),
        )
        .route("/v1/blobs/{id}/status", get(blob_status))
        .fallback(not_found)
        // Bodies are limited per endpoint in `binary_body`; this disables axum's own 2 MB cap.
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(cors))
        .with_state(state)
}
