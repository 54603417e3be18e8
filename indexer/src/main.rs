//! `haulout-indexer`: follows a Walrus network's checkpoints into Postgres and serves GraphQL.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use haulout_indexer::{IndexerConfig, Metrics, graphql, store};
use haulout_sui::NetworkConfig;
use haulout_types::Packages;
use sui_sdk_types::Address;
use tokio_util::sync::CancellationToken;

/// Follow a Walrus network's checkpoints into Postgres exactly once and serve its state over
/// GraphQL (GraphiQL at /graphql, subscriptions at /graphql/ws, /health, /metrics).
#[derive(Debug, Parser)]
#[command(name = "haulout-indexer", version)]
struct Args {
    /// The network file (`localnet.json`): RPC URL and packages.
    #[arg(long, env = "HAULOUT_NETWORK", conflicts_with_all = ["rpc_url", "walrus_package", "wal_package"])]
    network: Option<PathBuf>,
    /// The Sui gRPC URL (without --network).
    #[arg(long, env = "HAULOUT_RPC_URL", requires_all = ["walrus_package", "wal_package"])]
    rpc_url: Option<String>,
    /// The `walrus` package's type-origin address (without --network).
    #[arg(long)]
    walrus_package: Option<Address>,
    /// The `wal` package's type-origin address (without --network).
    #[arg(long)]
    wal_package: Option<Address>,
    /// The Postgres URL (`scripts/postgres.sh` prints one).
    #[arg(long, env = "HAULOUT_DATABASE_URL")]
    database_url: String,
    /// Where to serve GraphQL, /health and /metrics.
    #[arg(long, env = "HAULOUT_INDEXER_LISTEN", default_value = "127.0.0.1:8000")]
    listen: SocketAddr,
    /// Drop the indexed data first and index from genesis (needed after a chain reset).
    #[arg(long)]
    reset: bool,
    /// Only serve GraphQL from the database (another process indexes).
    #[arg(long)]
    serve_only: bool,
    /// Most checkpoints committed in one transaction.
    #[arg(long, default_value_t = haulout_indexer::DEFAULT_BATCH_CHECKPOINTS)]
    batch_checkpoints: usize,
    /// `/health` fails when the last committed checkpoint is older than this many seconds.
    #[arg(long, default_value_t = 120)]
    health_max_lag_secs: u64,
    /// Prune history: keep the events and checkpoints of only this many recent checkpoints
    /// (current state is never pruned). Off by default.
    #[arg(long)]
    retain_checkpoints: Option<u64>,
    /// Print the GraphQL schema (SDL) and exit.
    #[arg(long)]
    print_schema: bool,
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "--print-schema") {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,haulout=debug,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("haulout-indexer: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("haulout-indexer: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let pool = store::connect(&args.database_url, 16)
        .await
        .context("while connecting to Postgres (is it running? scripts/postgres.sh starts one)")?;
    let metrics = Arc::new(Metrics::default());
    let cancel = CancellationToken::new();

    let indexer = if args.serve_only {
        store::migrate(&pool).await.context("while migrating")?;
        None
    } else {
        let (rpc_url, packages) = match (&args.network, &args.rpc_url) {
            (Some(path), _) => {
                let network = NetworkConfig::load(path)
                    .with_context(|| format!("while reading {}", path.display()))?;
                (network.rpc_url.clone(), network.packages())
            }
            (None, Some(url)) => (
                url.clone(),
                Packages {
                    walrus: args
                        .walrus_package
                        .context("--walrus-package is required")?,
                    wal: args.wal_package.context("--wal-package is required")?,
                },
            ),
            (None, None) => anyhow::bail!(
                "say which network to index: --network FILE, or --rpc-url with \
                 --walrus-package and --wal-package (or --serve-only)"
            ),
        };
        let mut config = IndexerConfig::new(rpc_url, packages);
        config.reset = args.reset;
        config.batch_checkpoints = args.batch_checkpoints.max(1);
        config.retain_checkpoints = args.retain_checkpoints;
        // Migrate (and reset) before serving, so the service never sees a half-made schema.
        let client = haulout_sui::SuiClient::connect(&config.rpc_url)?;
        haulout_indexer::prepare(&pool, &client, config.reset).await?;
        config.reset = false;
        let task = tokio::spawn(haulout_indexer::run(
            config,
            pool.clone(),
            metrics.clone(),
            cancel.clone(),
        ));
        Some(task)
    };

    let (state, poller) = graphql::state(
        pool.clone(),
        metrics.clone(),
        Duration::from_secs(args.health_max_lag_secs),
        cancel.clone(),
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("while binding {}", args.listen))?;
    tracing::info!(address = %args.listen, "serving GraphQL at /graphql");
    let serve_cancel = cancel.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, graphql::app(state))
            .with_graceful_shutdown(async move { serve_cancel.cancelled().await })
            .await
    });

    let signal = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let result = match indexer {
        Some(task) => tokio::select! {
            () = signal => Ok(()),
            joined = task => joined.context("the indexer task panicked")?.map_err(anyhow::Error::from),
        },
        None => {
            signal.await;
            Ok(())
        }
    };
    cancel.cancel();
    let _ = server.await;
    let _ = poller.await;
    result
}
