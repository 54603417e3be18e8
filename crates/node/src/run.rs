//! The storage-node process: the REST API, the chain follower and background recovery over
//! one database, until shutdown.

use anyhow::Context as _;
use haulout_sui::{SuiClient, Walrus};
use tokio_util::sync::CancellationToken;

use crate::config::NodeConfig;
use crate::follower::{self, NodeIdentity};
use crate::invalidate::Invalidator;
use crate::state::NodeState;
use crate::store::Store;
use crate::{api, recovery};

/// Runs the node of `config` until `shutdown` is cancelled or a part fails: opens (or creates)
/// its database, serves the REST API on `listen_address` (HTTP/1.1 and HTTP/2 cleartext),
/// follows the chain from the persisted cursor and recovers missing slivers in the background.
///
/// # Errors
/// If the configuration holds invalid keys or IDs, the database cannot be opened, the address
/// cannot be bound, or the follower hits a checkpoint it cannot apply.
pub async fn run(config: NodeConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let protocol_key = config
        .protocol_key()
        .map_err(|e| anyhow::anyhow!("protocol_key: {e}"))?;
    let identity = NodeIdentity {
        node_id: config
            .node_id()
            .map_err(|e| anyhow::anyhow!("node_id: {e}"))?,
        cap: config
            .cap_id()
            .map_err(|e| anyhow::anyhow!("storage_node_cap_id: {e}"))?,
        sui_key: config
            .sui_key()
            .map_err(|e| anyhow::anyhow!("sui_key: {e}"))?,
    };
    let store = Store::open(&config.storage_path).with_context(|| {
        format!(
            "opening the node database in {}",
            config.storage_path.display()
        )
    })?;
    let state = NodeState::new(
        store,
        config.n_shards,
        Some(identity.node_id),
        protocol_key,
        config.max_pending_bytes,
    )
    .context("n_shards")?;
    let client = SuiClient::connect(&config.rpc_url)
        .with_context(|| format!("rpc_url {}", config.rpc_url))?;
    let walrus = Walrus::new(client, &config.network());
    let listener = tokio::net::TcpListener::bind(config.listen_address)
        .await
        .with_context(|| format!("binding the REST API to {}", config.listen_address))?;
    tracing::info!(
        name = %config.name,
        node_id = %identity.node_id,
        listen = %config.listen_address,
        cursor = ?state.latest_checkpoint(),
        "storage node started"
    );

    let me = identity.node_id;
    let invalidator = Invalidator {
        walrus: walrus.clone(),
        me: identity.clone(),
    };
    let follower = tokio::spawn(follower::run(
        walrus,
        state.clone(),
        identity,
        shutdown.clone(),
    ));
    let recovery = tokio::spawn(recovery::run(
        state.clone(),
        Some(me),
        config.recovery_concurrency,
        Some(invalidator),
        shutdown.clone(),
    ));
    let server_shutdown = shutdown.clone();
    let request_concurrency = config.request_concurrency;
    let server = tokio::spawn(async move {
        let app = api::router(state).layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            request_concurrency.max(1),
        ));
        axum::serve(listener, app)
            .with_graceful_shutdown(server_shutdown.cancelled_owned())
            .await
    });

    // The follower only ends on shutdown or a fatal error; either way everything stops.
    let followed = follower.await;
    shutdown.cancel();
    let served = server.await;
    let _ = recovery.await;
    followed
        .context("chain follower panicked")?
        .context("chain follower")?;
    served
        .context("REST server panicked")?
        .context("REST server")?;
    tracing::info!("storage node stopped");
    Ok(())
}
