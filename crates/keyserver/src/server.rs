//! The HTTP API (spec seal.md §1.7, §4): `GET /v1/service`, `POST /v1/fetch_key`, `/health`,
//! `/metrics`, with CORS for browsers and the `X-KeyServer-Version` header the SDK requires.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use haulout_seal::ObjectId;
use haulout_seal::api::{DecryptionKey, ErrorKind, FetchKeyRequest, FetchKeyResponse};
use haulout_sui::sdk::Address;
use serde::Deserialize;

use crate::certificate;
use crate::error::ApiError;
use crate::ptb::ValidPtb;
use crate::state::ServerState;

/// The Seal key-server API version this server implements (the SDK requires ≥ 0.4.1).
pub const API_VERSION: &str = "0.6.10";

const KEYSERVER_VERSION: HeaderName = HeaderName::from_static("x-keyserver-version");

/// The router of the key server's API over `state`.
pub fn router(state: Arc<ServerState>) -> Router {
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers(tower_http::cors::Any)
        .expose_headers([KEYSERVER_VERSION]);
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/v1/service", get(service))
        .route("/v1/fetch_key", post(fetch_key))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(version_header))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            state.config.concurrency,
        ))
        .layer(cors)
        .with_state(state)
}

async fn version_header(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(KEYSERVER_VERSION, HeaderValue::from_static(API_VERSION));
    response
}

async fn rate_limit(
    State(state): State<Arc<ServerState>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = client {
        if !state.limiter.allow(ip, Instant::now()) {
            state.metrics.count_error("TooManyRequests");
            return ApiError::other(
                "TooManyRequests",
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "more than {} requests per second from {ip}; slow down",
                    state.config.rate_limit_per_second
                ),
            )
            .into_response();
        }
    }
    next.run(request).await
}

#[derive(Deserialize)]
struct ServiceQuery {
    service_id: Option<String>,
}

/// `GET /v1/service?service_id=0x…`: the proof of possession of the master key, bound to
/// this server's object ID.
async fn service(
    State(state): State<Arc<ServerState>>,
    Query(query): Query<ServiceQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let asked = query.service_id.unwrap_or_default();
    let matches = asked.parse::<Address>().ok() == Some(state.config.object_id);
    if !matches {
        state.metrics.count_error("InvalidServiceId");
        return Err(ApiError::new(
            ErrorKind::InvalidServiceId,
            format!("this server is {}, not {asked:?}", state.config.object_id),
        ));
    }
    // Echo the ID as asked: the SDK compares strings.
    Ok(Json(serde_json::json!({
        "service_id": asked,
        "pop": base64::engine::general_purpose::STANDARD.encode(state.pop.to_bytes()),
    })))
}

/// `POST /v1/fetch_key`.
async fn fetch_key(
    State(state): State<Arc<ServerState>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let started = Instant::now();
    let outcome = match body {
        Ok(body) => handle_fetch_key(&state, &body).await,
        Err(e) => Err(ApiError::other(
            "PayloadTooLarge",
            e.status(),
            format!(
                "the body could not be read ({e}); at most {} bytes are accepted",
                state.config.max_body_bytes
            ),
        )),
    };
    state.metrics.observe_fetch(started.elapsed());
    match outcome {
        Ok(response) => {
            state.metrics.count_keys(response.decryption_keys.len());
            Json(response).into_response()
        }
        Err(e) => {
            state.metrics.count_error(&e.error);
            tracing::debug!(error = %e, "fetch_key refused");
            e.into_response()
        }
    }
}

async fn handle_fetch_key(state: &ServerState, body: &[u8]) -> Result<FetchKeyResponse, ApiError> {
    let request: FetchKeyRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::other(
            "InvalidRequest",
            StatusCode::BAD_REQUEST,
            format!("the body is not a fetch_key request: {e}"),
        )
    })?;
    let ptb = ValidPtb::from_bcs(&request.ptb, state.config.max_commands)?;
    let first_package = state.chain.original_package_id(ptb.package()).await?;
    if let Some(name) = &request.certificate.mvr_name {
        return Err(ApiError::new(
            ErrorKind::InvalidMVRName,
            format!("MVR names ({name}) are not resolved by this key server; leave mvrName unset"),
        ));
    }
    let now = crate::now_ms();
    certificate::check_times(&request.certificate, now, state.config.session_ttl_max_min)?;
    certificate::verify(
        &request.certificate,
        first_package,
        &request.signed_bytes(),
        &request.request_signature,
    )?;
    state
        .chain
        .evaluate(Address::new(request.certificate.user.0), ptb.ptb(), now)
        .await?;
    let mut rng = rand::rng();
    let decryption_keys = ptb
        .inner_ids()
        .iter()
        .map(|inner| {
            let id = haulout_seal::full_id(&ObjectId(first_package.into_inner()), inner);
            let key = state.master_key.extract(&id);
            DecryptionKey {
                encrypted_key: haulout_seal::elgamal::encrypt(&key, &request.enc_key, &mut rng),
                id,
            }
        })
        .collect();
    Ok(FetchKeyResponse { decryption_keys })
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn metrics(State(state): State<Arc<ServerState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::other("NotFound", StatusCode::NOT_FOUND, "no such endpoint")
}
