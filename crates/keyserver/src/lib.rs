//! haulout's key server: Seal-compatible release of identity-based decryption keys (spec
//! seal.md). A user asks for the keys of some identities under a policy package; the server
//! checks the request (a PTB of `seal_approve*` calls, a session certificate signed by the
//! user's wallet, a request signature by the session key), dry-runs the PTB on the chain with
//! the user as sender, and when nothing aborts answers each key ElGamal-encrypted to the
//! user's ephemeral key. It keeps no state but its master key, and reaches the chain only
//! through the Sui gRPC API.
//!
//! - [`KeyServerConfig`]: the `key-server.toml` file.
//! - [`start`]: serves the API until cancelled; [`register`] publishes a new server's
//!   `KeyServer` object on chain.
//! - [`ptb`], [`certificate`], [`chain`]: the checks, in the order Seal makes them.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod certificate;
pub mod chain;
pub mod config;
pub mod error;
pub mod limit;
pub mod ptb;
pub mod server;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use haulout_seal::ibe::MasterKey;
use haulout_sui::sdk::Address;
use haulout_sui::{Ed25519PrivateKey, SuiClient};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use config::{ConfigError, KeyServerConfig};
pub use error::ApiError;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Starts serving `config`'s key server; the task ends when `shutdown` is cancelled.
/// Returns the address it listens on.
///
/// # Errors
/// If the master key is invalid, the RPC URL is unusable or the address cannot be bound.
pub async fn start(
    config: KeyServerConfig,
    shutdown: CancellationToken,
) -> anyhow::Result<(SocketAddr, JoinHandle<anyhow::Result<()>>)> {
    let master_key = config.master_key().map_err(anyhow::Error::msg)?;
    let client = SuiClient::connect(&config.rpc_url)?;
    let pop =
        master_key.proof_of_possession(&haulout_seal::ObjectId(config.object_id.into_inner()));
    let state = Arc::new(state::ServerState {
        chain: chain::Chain::new(client, config.seal_package, config.allowed_staleness_ms),
        limiter: limit::RateLimiter::new(config.rate_limit_per_second, config.rate_limit_burst),
        metrics: state::Metrics::default(),
        pop,
        master_key,
        config,
    });
    let listener = tokio::net::TcpListener::bind(state.config.listen)
        .await
        .with_context(|| format!("while binding {}", state.config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, object = %state.config.object_id, "key server listening");
    let app = server::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
            .context("key server")
    });
    Ok((addr, task))
}

/// Registers a new independent key server on chain: a `seal::key_server::KeyServer` object
/// owned by `key`'s address, whose `KeyServerV2` holds `name`, `url` and the public key of
/// `master_key`. Returns the object's ID (the server's identity).
///
/// # Errors
/// If the transaction fails.
pub async fn register(
    client: &SuiClient,
    key: &Ed25519PrivateKey,
    seal_package: Address,
    name: &str,
    url: &str,
    master_key: &MasterKey,
) -> anyhow::Result<Address> {
    use haulout_sui::sdk::{Argument, ProgrammableTransaction};
    let public_key = master_key.public_key().to_bytes().to_vec();
    let ptb = ProgrammableTransaction {
        inputs: vec![
            haulout_sui::pure(&name.to_owned())?,
            haulout_sui::pure(&url.to_owned())?,
            haulout_sui::pure(&0u8)?,
            haulout_sui::pure(&public_key)?,
        ],
        commands: vec![haulout_sui::move_call(
            seal_package,
            "key_server",
            "create_and_transfer_v2_independent_server",
            (0..4).map(Argument::Input).collect(),
        )],
    };
    let executed = client
        .execute(ptb, key, haulout_sui::DEFAULT_GAS_BUDGET)
        .await
        .context("while registering the key server")?;
    let ty = format!("{seal_package}::key_server::KeyServer");
    executed
        .created_of_type(&ty)
        .with_context(|| format!("transaction {} created no {ty}", executed.digest))
}
