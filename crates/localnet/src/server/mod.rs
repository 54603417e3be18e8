//! The Sui gRPC v2 services (native gRPC and gRPC-web, with CORS) and the faucet, on one port.

mod execution;
mod faucet;
mod filter;
mod items;
mod ledger;
mod list;
mod packages;
mod state;
mod subscription;

pub use faucet::FAUCET_AMOUNT_MIST;

use std::sync::Arc;

use prost_types::FieldMask;
use sui_rpc::field::FieldMaskTree;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::field::MessageFields;
use sui_rpc::proto::sui::rpc::v2::ledger_service_server::LedgerServiceServer;
use sui_rpc::proto::sui::rpc::v2::move_package_service_server::MovePackageServiceServer;
use sui_rpc::proto::sui::rpc::v2::state_service_server::StateServiceServer;
use sui_rpc::proto::sui::rpc::v2::subscription_service_server::SubscriptionServiceServer;
use sui_rpc::proto::sui::rpc::v2::transaction_execution_service_server::TransactionExecutionServiceServer;
use tokio_util::sync::CancellationToken;
use tower_http::cors::AllowHeaders;
use tower_http::cors::AllowMethods;
use tower_http::cors::AllowOrigin;
use tower_http::cors::CorsLayer;
use tower_http::cors::ExposeHeaders;

use crate::node::Node;

/// Path of the faucet route (Sui faucet v2 style).
pub const FAUCET_PATH: &str = "/v2/gas";
/// Most items a paginated or streaming request returns at once.
const MAX_PAGE_SIZE: usize = 1_000;
/// Items a paginated request returns when it names no page size.
const DEFAULT_PAGE_SIZE: usize = 50;

/// Checkpoints a list request reads by default before it ends with `SCAN_LIMIT`: a few
/// milliseconds of work, and more than five hours of an idle chain (a checkpoint every 2 s).
pub const DEFAULT_LIST_SCAN_BUDGET: u64 = 10_000;
/// Default of [`RpcOptions::max_subscriptions`].
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 1_024;

/// Tuning of the gRPC services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpcOptions {
    /// Most checkpoints one `ListCheckpoints`, `ListTransactions` or `ListEvents` request
    /// reads (at least 1): a scan that has not reached the end of its range by then ends with
    /// `QUERY_END_REASON_SCAN_LIMIT` and a cursor to resume from.
    pub list_scan_budget: u64,
    /// Most subscriptions (`SubscribeCheckpoints`, `SubscribeTransactions`,
    /// `SubscribeEvents`) open at once; one more is refused with `RESOURCE_EXHAUSTED`.
    pub max_subscriptions: usize,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self {
            list_scan_budget: DEFAULT_LIST_SCAN_BUDGET,
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
        }
    }
}

/// The state every service shares.
#[derive(Clone, Debug)]
pub(crate) struct Rpc {
    node: Arc<Node>,
    /// Ends long-lived streams when the server shuts down.
    shutdown: CancellationToken,
    options: RpcOptions,
    /// One permit per open subscription.
    subscriptions: Arc<tokio::sync::Semaphore>,
}

/// Validates `mask` (or `default`) against `M` and turns it into a tree.
fn read_mask<M: MessageFields>(
    mask: Option<FieldMask>,
    default: &str,
) -> Result<FieldMaskTree, tonic::Status> {
    let mask = mask.unwrap_or_else(|| FieldMask::from_str(default));
    mask.validate::<M>().map_err(|path| {
        tonic::Status::invalid_argument(format!("invalid read_mask path: {path}"))
    })?;
    Ok(FieldMaskTree::from_field_mask(&mask))
}

fn parse_address(field: &str, s: Option<&str>) -> Result<sui_sdk_types::Address, tonic::Status> {
    let s = s.ok_or_else(|| tonic::Status::invalid_argument(format!("missing {field}")))?;
    s.parse()
        .map_err(|e| tonic::Status::invalid_argument(format!("invalid {field} {s:?}: {e}")))
}

fn page_size(requested: Option<u32>) -> usize {
    match requested {
        None | Some(0) => DEFAULT_PAGE_SIZE,
        Some(n) => (n as usize).min(MAX_PAGE_SIZE),
    }
}

/// The axum router serving every gRPC service (native and gRPC-web) and the faucet, with the
/// default [`RpcOptions`].
///
/// Subscriptions end when `shutdown` is cancelled, so that graceful shutdown completes.
pub fn router(node: Arc<Node>, shutdown: CancellationToken) -> axum::Router {
    router_with(node, shutdown, RpcOptions::default())
}

/// [`router`] with the given options.
pub fn router_with(
    node: Arc<Node>,
    shutdown: CancellationToken,
    options: RpcOptions,
) -> axum::Router {
    let rpc = Rpc {
        node: node.clone(),
        shutdown,
        subscriptions: Arc::new(tokio::sync::Semaphore::new(options.max_subscriptions)),
        options,
    };
    let mut routes = tonic::service::Routes::builder();
    routes
        .add_service(LedgerServiceServer::new(rpc.clone()))
        .add_service(StateServiceServer::new(rpc.clone()))
        .add_service(SubscriptionServiceServer::new(rpc.clone()))
        .add_service(TransactionExecutionServiceServer::new(rpc.clone()))
        .add_service(MovePackageServiceServer::new(rpc));
    let grpc = routes
        .routes()
        .into_axum_router()
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(axum::middleware::map_response_with_state(
            node.clone(),
            sui_headers,
        ));
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods(AllowMethods::any())
        .allow_headers(AllowHeaders::any())
        .expose_headers(ExposeHeaders::list(
            [
                "grpc-status",
                "grpc-message",
                "grpc-status-details-bin",
                sui_rpc::headers::X_SUI_CHAIN_ID,
                sui_rpc::headers::X_SUI_CHAIN,
                sui_rpc::headers::X_SUI_CHECKPOINT_HEIGHT,
                sui_rpc::headers::X_SUI_EPOCH,
                sui_rpc::headers::X_SUI_TIMESTAMP_MS,
                sui_rpc::headers::X_SUI_LOWEST_AVAILABLE_CHECKPOINT,
                sui_rpc::headers::X_SUI_LOWEST_AVAILABLE_CHECKPOINT_OBJECTS,
            ]
            .map(axum::http::HeaderName::from_static),
        ));
    grpc.merge(faucet::router(node)).layer(cors)
}

/// Adds the `x-sui-*` headers Sui full nodes send with every response (chain, epoch, tip).
async fn sui_headers(
    axum::extract::State(node): axum::extract::State<Arc<Node>>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    use axum::http::HeaderValue;
    use sui_rpc::headers;
    let latest = node.latest_checkpoint();
    let values = [
        (headers::X_SUI_CHAIN_ID, node.chain_id().to_owned()),
        (headers::X_SUI_CHAIN, "localnet".to_owned()),
        (headers::X_SUI_EPOCH, node.epoch().to_string()),
        (
            headers::X_SUI_CHECKPOINT_HEIGHT,
            latest.summary.sequence_number.to_string(),
        ),
        (headers::X_SUI_LOWEST_AVAILABLE_CHECKPOINT, "0".to_owned()),
        (
            headers::X_SUI_LOWEST_AVAILABLE_CHECKPOINT_OBJECTS,
            "0".to_owned(),
        ),
        (
            headers::X_SUI_TIMESTAMP_MS,
            latest.summary.timestamp_ms.to_string(),
        ),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(axum::http::HeaderName::from_static(name), value);
        }
    }
    response
}

/// Serves the router on `listener` until `shutdown` is cancelled, with the default
/// [`RpcOptions`].
///
/// # Errors
/// If the server fails.
pub async fn serve(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    serve_with(node, listener, shutdown, RpcOptions::default()).await
}

/// [`serve`] with the given options.
///
/// # Errors
/// If the server fails.
pub async fn serve_with(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
    options: RpcOptions,
) -> anyhow::Result<()> {
    use axum::serve::ListenerExt as _;
    let app = router_with(node, shutdown.clone(), options);
    // Without TCP_NODELAY, small responses wait for the client's delayed ACK (~40 ms each).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
    Ok(())
}
