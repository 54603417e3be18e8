//! The publisher/aggregator HTTP API (walrus-protocol.md §6): `PUT /v1/blobs` stores the body,
//! `GET /v1/blobs/{id}` (with `Range`) and `GET /v1/blobs/by-object-id/{id}` read, `GET
//! /status` answers `OK`. Uploads are limited to a configurable size before they are read.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use haulout_types::node_api::ApiError;
use redstuff::BlobId;
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::error::ClientError;
use crate::store::{Epochs, StoreOptions};

/// Decoded blobs kept for repeated (ranged) reads, in bytes.
const CACHE_BYTES: usize = 256 << 20;

/// Settings of the daemon.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Where to listen (default 127.0.0.1:31415).
    pub listen: SocketAddr,
    /// The largest blob `PUT /v1/blobs` accepts.
    pub max_upload: usize,
}

struct Daemon {
    client: Client,
    max_upload: usize,
    cache: Mutex<VecDeque<(BlobId, Arc<Vec<u8>>)>>,
}

fn error(code: StatusCode, reason: &str, message: impl Into<String>) -> Response {
    let status = match code.as_u16() {
        400 => "INVALID_ARGUMENT",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        413 => "OUT_OF_RANGE",
        416 => "OUT_OF_RANGE",
        451 => "PERMISSION_DENIED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };
    let body = ApiError::new(code.as_u16(), status, reason, message);
    (code, axum::Json(body)).into_response()
}

fn client_error(e: &ClientError) -> Response {
    match e {
        ClientError::MetadataUnavailable { .. } => {
            error(StatusCode::NOT_FOUND, "BLOB_NOT_FOUND", e.to_string())
        }
        ClientError::NotEnoughSlivers { .. } => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "BLOB_UNAVAILABLE",
            e.to_string(),
        ),
        ClientError::InvalidBlob(_) | ClientError::Inconsistent { .. } => error(
            StatusCode::UNAVAILABLE_FOR_LEGAL_REASONS,
            "FORBIDDEN_BLOB",
            e.to_string(),
        ),
        ClientError::NoQuorum { .. } => error(
            StatusCode::GATEWAY_TIMEOUT,
            "INSUFFICIENT_CONFIRMATIONS",
            e.to_string(),
        ),
        ClientError::Invalid(_) | ClientError::NotEnoughWal { .. } => {
            error(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", e.to_string())
        }
        _ => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            e.to_string(),
        ),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PutQuery {
    epochs: Option<u32>,
    #[serde(default)]
    permanent: bool,
    /// Deprecated no-op (blobs are deletable by default), accepted as Walrus does.
    #[serde(default)]
    #[allow(dead_code)]
    deletable: bool,
}

async fn put_blob(
    State(daemon): State<Arc<Daemon>>,
    Query(query): Query<PutQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if daemon.client.address().is_none() {
        return error(
            StatusCode::FORBIDDEN,
            "NO_WALLET",
            "this daemon has no wallet: it serves reads only",
        );
    }
    if headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|l| l > daemon.max_upload as u64)
    {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!(
                "blobs larger than {} bytes are not accepted here",
                daemon.max_upload
            ),
        );
    }
    let data = match axum::body::to_bytes(body, daemon.max_upload).await {
        Ok(d) => d,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!(
                    "blobs larger than {} bytes are not accepted here",
                    daemon.max_upload
                ),
            );
        }
    };
    let options = StoreOptions {
        epochs: Epochs::Count(query.epochs.unwrap_or(1)),
        deletable: !query.permanent,
        attributes: Vec::new(),
    };
    match daemon
        .client
        .store(Arc::new(data.to_vec()), &options, None)
        .await
    {
        Ok(stored) => {
            let Ok(object_id) = stored.object_id.parse::<haulout_sui::sdk::Address>() else {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "bad object ID",
                );
            };
            let blob = match daemon.client.blob_object(object_id).await {
                Ok(b) => b,
                Err(e) => return client_error(&e),
            };
            let result = json!({
                "newlyCreated": {
                    "blobObject": {
                        "id": stored.object_id,
                        "registeredEpoch": blob.registered_epoch,
                        "blobId": stored.blob_id,
                        "size": blob.size,
                        "encodingType": "RS2",
                        "certifiedEpoch": blob.certified_epoch,
                        "storage": {
                            "id": haulout_sui::sdk::Address::from(blob.storage.id).to_string(),
                            "startEpoch": blob.storage.start_epoch,
                            "endEpoch": blob.storage.end_epoch,
                            "storageSize": blob.storage.storage_size,
                        },
                        "deletable": blob.deletable,
                    },
                    "resourceOperation": {
                        "registerFromScratch": {
                            "encodedLength": stored.encoded_size,
                            "epochsAhead": blob.storage.end_epoch - blob.registered_epoch,
                        }
                    },
                    "cost": stored.cost,
                }
            });
            (StatusCode::OK, axum::Json(result)).into_response()
        }
        Err(e) => client_error(&e),
    }
}

impl Daemon {
    async fn read(&self, blob_id: &BlobId) -> Result<Arc<Vec<u8>>, ClientError> {
        if let Some((_, data)) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(id, _)| id == blob_id)
        {
            return Ok(data.clone());
        }
        let data = Arc::new(self.client.read(blob_id).await?);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if data.len() <= CACHE_BYTES / 4 {
            cache.push_front((*blob_id, data.clone()));
            let mut total = 0;
            cache.retain(|(_, d)| {
                total += d.len();
                total <= CACHE_BYTES
            });
        }
        Ok(data)
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` → the inclusive range within `len`, or `Err` when it
/// cannot be satisfied; `Ok(None)` for no or unsupported (multi-range) headers.
fn parse_range(value: &str, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            if n == 0 || len == 0 {
                return Err(());
            }
            (len.saturating_sub(n), len - 1)
        }
        (s, "") => (s.parse().map_err(|_| ())?, len.saturating_sub(1)),
        (s, e) => {
            let (s, e): (u64, u64) = (s.parse().map_err(|_| ())?, e.parse().map_err(|_| ())?);
            (s, e.min(len.saturating_sub(1)))
        }
    };
    if start >= len || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

fn blob_response(blob_id: &BlobId, data: &[u8], headers: &HeaderMap) -> Response {
    let len = data.len() as u64;
    let etag = format!("\"{blob_id}\"");
    let mut response = match headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| parse_range(v, len))
    {
        Some(Err(())) => {
            let mut r = error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "INVALID_RANGE",
                format!("the blob has {len} bytes"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        Some(Ok(Some((start, end)))) => {
            let mut r = (
                StatusCode::PARTIAL_CONTENT,
                Bytes::copy_from_slice(&data[start as usize..=end as usize]),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
        _ => (StatusCode::OK, Bytes::copy_from_slice(data)).into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

async fn get_blob(
    State(daemon): State<Arc<Daemon>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(blob_id) = id.parse::<BlobId>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_REQUEST",
            format!("{id:?} is not a blob ID (base64url, 32 bytes)"),
        );
    };
    match daemon.read(&blob_id).await {
        Ok(data) => blob_response(&blob_id, &data, &headers),
        Err(e) => client_error(&e),
    }
}

async fn get_by_object(
    State(daemon): State<Arc<Daemon>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(object_id) = id.parse::<haulout_sui::sdk::Address>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_REQUEST",
            format!("{id:?} is not an object ID"),
        );
    };
    let blob = match daemon.client.blob_object(object_id).await {
        Ok(b) => b,
        Err(ClientError::Sui(haulout_sui::SuiError::NotFound(_))) => {
            return error(
                StatusCode::NOT_FOUND,
                "BLOB_NOT_FOUND",
                format!("no object {object_id}"),
            );
        }
        Err(e) => return client_error(&e),
    };
    let blob_id = BlobId(blob.blob_id().0);
    match daemon.read(&blob_id).await {
        Ok(data) => blob_response(&blob_id, &data, &headers),
        Err(e) => client_error(&e),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint")
}

/// The daemon's router over `client`.
pub fn router(client: Client, max_upload: usize) -> Router {
    let daemon = Arc::new(Daemon {
        client,
        max_upload,
        cache: Mutex::new(VecDeque::new()),
    });
    Router::new()
        .route("/status", get(|| async { "OK" }))
        .route("/v1/blobs", put(put_blob))
        .route("/v1/blobs/{id}", get(get_blob))
        .route("/v1/blobs/by-object-id/{id}", get(get_by_object))
        .fallback(not_found)
        .layer(DefaultBodyLimit::disable())
        .with_state(daemon)
}

/// Serves the daemon until `shutdown`.
///
/// # Errors
/// If the address cannot be bound.
pub async fn serve(
    client: Client,
    config: DaemonConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("binding the daemon to {}: {e}", config.listen))?;
    tracing::info!(listen = %config.listen, "publisher/aggregator daemon started");
    axum::serve(listener, router(client, config.max_upload))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(parse_range("bytes=50-500", 100), Ok(Some((50, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Err(()));
        assert_eq!(parse_range("bytes=5-1", 100), Err(()));
        assert_eq!(parse_range("bytes=x-1", 100), Err(()));
        assert_eq!(parse_range("bytes=0-1,3-4", 100), Ok(None));
        assert_eq!(parse_range("items=0-1", 100), Ok(None));
        assert_eq!(parse_range("bytes=0-0", 0), Err(()));
    }
}
