//! `haulout localnet`: arguments, start-up (genesis files), the checkpoint sealer and the server.

use std::net::SocketAddr;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::Deserialize;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::natives::NativeRegistry;
use crate::node::Node;
use crate::package::ChainPackage;
use crate::seal::SealArgs;
use crate::walrus::WalrusArgs;
use crate::walrus::WalrusGenesis;

/// Shortest time between two checkpoints: batches transactions under load while keeping the
/// latency from execution to checkpoint near this value.
pub const MIN_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// Longest time between two checkpoints: keeps subscriptions alive (clients reset a stream
/// after 30 s without data) and the Clock moving.
pub const MAX_CHECKPOINT_INTERVAL: Duration = Duration::from_secs(2);
/// Name of the network description file in the data directory.
pub const LOCALNET_JSON: &str = "localnet.json";
/// Name of the Sui-format keystore in the data directory.
pub const KEYSTORE: &str = "keystore";

/// Arguments of `haulout localnet`.
#[derive(Clone, Debug, clap::Args)]
pub struct LocalnetArgs {
    /// Directory holding the chain (ledger, localnet.json, keystore).
    #[arg(long, env = "HAULOUT_LOCALNET_DATA", default_value = ".data/localnet")]
    pub data: PathBuf,
    /// Delete the existing chain and start over from a new genesis.
    #[arg(long)]
    pub fresh: bool,
    /// Address to serve gRPC, gRPC-web and the faucet on.
    #[arg(
        long,
        env = "HAULOUT_LOCALNET_LISTEN",
        default_value = "127.0.0.1:9000"
    )]
    pub listen: SocketAddr,
    /// Number of funded accounts created at genesis.
    #[arg(long, default_value_t = 4)]
    pub accounts: usize,
    /// Sui epoch duration (`500ms`, `30s`, `10m`, `2h`, `1d`; 60 s as `sui start`): the first
    /// checkpoint at or after the epoch's start plus this ends the epoch. Read at every start.
    #[arg(long, default_value = "60s", value_parser = crate::walrus::parse_duration)]
    pub sui_epoch_duration: Duration,
    /// Most checkpoints one `ListCheckpoints`, `ListTransactions` or `ListEvents` request
    /// reads before it ends with `QUERY_END_REASON_SCAN_LIMIT` and a cursor to resume from.
    #[arg(long, default_value_t = crate::server::DEFAULT_LIST_SCAN_BUDGET, value_parser = clap::value_parser!(u64).range(1..))]
    pub list_scan_budget: u64,
    /// Genesis of the `wal` and `walrus` packages.
    #[command(flatten)]
    pub walrus: WalrusArgs,
    /// Genesis of the `seal` and `policies` packages and the key servers.
    #[command(flatten)]
    pub seal: SealArgs,
}

/// One funded account in `localnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountInfo {
    /// `0x`-prefixed address.
    pub address: String,
}

/// The contents of `<data>/localnet.json`: how every other haulout command finds the network.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LocalnetInfo {
    /// Base58 digest of the genesis checkpoint.
    pub chain_id: String,
    /// URL of the gRPC (and gRPC-web) endpoint.
    pub rpc_url: String,
    /// URL of the faucet.
    pub faucet_url: String,
    /// The funded accounts, whose keys are in the keystore, in the same order.
    pub accounts: Vec<AccountInfo>,
    /// Path of the Sui-format keystore.
    pub keystore: String,
    /// The Walrus packages and objects (absent with `--nodes 0`).
    #[serde(flatten, skip_serializing_if = "Option::is_none", default)]
    pub walrus: Option<WalrusGenesis>,
    /// The other packages' sections (e.g. `seal`); read one with [`LocalnetInfo::section`].
    #[serde(flatten, default)]
    pub sections: serde_json::Map<String, serde_json::Value>,
}

impl LocalnetInfo {
    /// The section `name` of `localnet.json` (e.g. `"seal"`, a [`crate::seal::SealInfo`]), if
    /// present.
    ///
    /// # Errors
    /// If the section does not decode as `T`.
    pub fn section<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, serde_json::Error> {
        self.sections
            .get(name)
            .map(|v| serde_json::from_value(v.clone()))
            .transpose()
    }
}

/// A started local chain.
pub struct Localnet {
    /// The chain.
    pub node: Arc<Node>,
    /// The address the server listens on.
    pub addr: SocketAddr,
    /// What was written to `localnet.json`.
    pub info: LocalnetInfo,
    /// The natively mirrored packages of this chain.
    packages: Arc<[Box<dyn ChainPackage>]>,
}

impl std::fmt::Debug for Localnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Localnet")
            .field("addr", &self.addr)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Localnet {
    /// Opens (or creates) the chain, writes `localnet.json` (and the keystore at genesis) and
    /// starts serving and sealing checkpoints until `shutdown` is cancelled.
    ///
    /// The returned task ends after a final checkpoint once `shutdown` is cancelled.
    ///
    /// # Errors
    /// If the data directory, the database or the listen address cannot be used.
    pub async fn start(
        args: &LocalnetArgs,
        registry: NativeRegistry,
        shutdown: CancellationToken,
    ) -> anyhow::Result<(Self, JoinHandle<anyhow::Result<()>>)> {
        let mut packages = crate::package::packages(args);
        if args.fresh && args.data.exists() {
            let generic = ["ledger.redb", LOCALNET_JSON, KEYSTORE];
            let owned = packages
                .iter()
                .flat_map(|p| p.fresh_paths().iter().copied());
            for name in generic.into_iter().chain(owned) {
                let path = args.data.join(name);
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)
                        .with_context(|| format!("while removing {}", path.display()))?;
                } else if path.exists() {
                    std::fs::remove_file(&path)
                        .with_context(|| format!("while removing {}", path.display()))?;
                }
            }
        }
        let data = args.data.clone();
        let accounts = args.accounts;
        let (node, genesis, mut packages) = tokio::task::spawn_blocking(move || {
            let cell = std::sync::Mutex::new(packages);
            let extra = |ctx: &crate::GenesisContext<'_>| {
                let mut packages = cell
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut objects = Vec::new();
                for package in packages.iter_mut() {
                    objects.extend(
                        package
                            .genesis(ctx)
                            .with_context(|| format!("in the {} genesis", package.name()))?,
                    );
                }
                Ok(objects)
            };
            let objects: Vec<_> = cell
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .iter()
                .flat_map(|p| p.package_objects(&registry))
                .collect();
            let (node, keys) =
                Node::open_with_packages(&data, accounts, registry, &objects, &extra)?;
            packages = cell
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            anyhow::Ok((node, keys, packages))
        })
        .await
        .context("while opening the chain")??;
        node.set_sui_epoch_duration(args.sui_epoch_duration);
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| {
                format!(
                    "while binding {}: is another localnet running?",
                    args.listen
                )
            })?;
        let addr = listener.local_addr()?;
        let keystore_path = args.data.join(KEYSTORE);
        if let Some(genesis) = &genesis {
            let keys: Vec<String> = genesis.keys.iter().map(|k| k.to_base64()).collect();
            write_json(&keystore_path, &keys)?;
        }
        let rpc_url = format!("http://{addr}");
        let mut json = serde_json::to_value(LocalnetInfo {
            walrus: None,
            sections: serde_json::Map::new(),
            chain_id: node.chain_id().to_owned(),
            rpc_url: rpc_url.clone(),
            faucet_url: format!("http://{addr}{}", crate::server::FAUCET_PATH),
            accounts: node
                .accounts()
                .iter()
                .map(|a| AccountInfo {
                    address: a.to_string(),
                })
                .collect(),
            keystore: keystore_path.display().to_string(),
        })?;
        for package in &mut packages {
            let fields = package
                .open(&args.data, &rpc_url, &node)
                .with_context(|| format!("while opening the {} package", package.name()))?;
            if let serde_json::Value::Object(map) = &mut json {
                map.extend(fields);
            }
        }
        let info: LocalnetInfo =
            serde_json::from_value(json).context("while assembling localnet.json")?;
        write_json(&args.data.join(LOCALNET_JSON), &info)?;
        let packages: Arc<[Box<dyn ChainPackage>]> = packages.into();

        let sealer = tokio::spawn(seal_checkpoints(
            node.clone(),
            packages.clone(),
            shutdown.clone(),
        ));
        let server = tokio::spawn(crate::server::serve_with(
            node.clone(),
            listener,
            shutdown.clone(),
            crate::server::RpcOptions {
                list_scan_budget: args.list_scan_budget,
                ..Default::default()
            },
        ));
        let task = tokio::spawn(async move {
            let served = server.await.context("the server task panicked")?;
            let sealed = sealer.await.context("the checkpoint task panicked")?;
            served.and(sealed)
        });
        Ok((
            Self {
                node,
                addr,
                info,
                packages,
            },
            task,
        ))
    }
}

/// Writes `value` as pretty JSON to `path`.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("while writing {}", path.display()))
}

/// Seals checkpoints: soon after transactions arrive (at most every
/// [`MIN_CHECKPOINT_INTERVAL`]), at least every [`MAX_CHECKPOINT_INTERVAL`], and as soon as the
/// Sui epoch is due to end (so the epoch's last checkpoint is on time, even when idle); a final
/// one at shutdown so no executed transaction is left out.
/// After each checkpoint, every package acts on the new clock (the Walrus keeper sends the
/// epoch change due).
async fn seal_checkpoints(
    node: Arc<Node>,
    packages: Arc<[Box<dyn ChainPackage>]>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut last = Instant::now();
    loop {
        // Wake up when the Sui epoch is due to end, so its last checkpoint is on time.
        let until_epoch_end = Duration::from_millis(
            node.epoch_end_due_ms()
                .saturating_sub(crate::node::now_ms()),
        );
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = node.pending_notified() => {}
            () = tokio::time::sleep_until(last + MAX_CHECKPOINT_INTERVAL) => {}
            () = tokio::time::sleep(until_epoch_end) => {}
        }
        match on_wake(
            last.elapsed(),
            node.has_pending(),
            crate::node::now_ms(),
            node.epoch_end_due_ms(),
        ) {
            Wake::Idle => continue,
            Wake::Batch => tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep_until(last + MIN_CHECKPOINT_INTERVAL) => {}
            },
            Wake::Seal => {}
        }
        last = Instant::now();
        seal(&node).await?;
        after_checkpoint(&node, &packages).await;
    }
    if node.has_pending() {
        seal(&node).await?;
    }
    Ok(())
}

/// What the checkpoint task does when it wakes up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// Seal a checkpoint now.
    Seal,
    /// Seal once [`MIN_CHECKPOINT_INTERVAL`] has passed since the last checkpoint, so that
    /// transactions arriving together share a checkpoint.
    Batch,
    /// Nothing is due: wait again.
    Idle,
}

/// The sealing decision, from the time since the last checkpoint, whether transactions wait
/// for a checkpoint, the wall clock and when the Sui epoch is due to end (both in ms). An epoch
/// that is due is ended at once (its last checkpoint takes what is pending, without the
/// batching delay), even when the chain is idle.
fn on_wake(since_last: Duration, pending: bool, now_ms: u64, epoch_end_due_ms: u64) -> Wake {
    if now_ms >= epoch_end_due_ms {
        Wake::Seal
    } else if pending {
        Wake::Batch
    } else if since_last >= MAX_CHECKPOINT_INTERVAL {
        Wake::Seal
    } else {
        Wake::Idle
    }
}

/// Lets every package act after a checkpoint, on a blocking thread.
async fn after_checkpoint(node: &Arc<Node>, packages: &Arc<[Box<dyn ChainPackage>]>) {
    let node = node.clone();
    let packages = packages.clone();
    let done = tokio::task::spawn_blocking(move || {
        for package in packages.iter() {
            package.after_checkpoint(&node);
        }
    })
    .await;
    if let Err(e) = done {
        tracing::warn!("package task after a checkpoint: {e}");
    }
}

async fn seal(node: &Arc<Node>) -> anyhow::Result<()> {
    let node = node.clone();
    let record = tokio::task::spawn_blocking(move || node.seal_checkpoint(crate::node::now_ms()))
        .await
        .context("the checkpoint task panicked")??;
    // Every checkpoint carries the Clock update; only those with user transactions are news.
    let transactions = record.contents.transactions().len();
    if transactions > 1 {
        tracing::debug!(
            checkpoint = record.summary.sequence_number,
            transactions,
            "sealed checkpoint"
        );
    } else {
        tracing::trace!(
            checkpoint = record.summary.sequence_number,
            "sealed checkpoint"
        );
    }
    Ok(())
}

impl Localnet {
    /// Prints what `haulout localnet` prints once the chain serves: its endpoints, accounts,
    /// epoch and each package's summary.
    pub fn print_ready(&self, args: &LocalnetArgs) {
        let info = &self.info;
        println!("haulout localnet ready");
        println!("  chain id   {}", info.chain_id);
        println!("  rpc        {} (gRPC and gRPC-web)", info.rpc_url);
        println!("  faucet     POST {}", info.faucet_url);
        println!("  data       {}", args.data.display());
        println!(
            "  keystore   {} ({} funded accounts)",
            info.keystore,
            info.accounts.len()
        );
        for account in &info.accounts {
            println!("    {}", account.address);
        }
        println!(
            "  sui epoch  {} (every {} ms)",
            self.node.epoch(),
            self.node.sui_epoch_duration().as_millis()
        );
        for package in self.packages.iter() {
            for line in package.summary() {
                println!("  {line}");
            }
        }
    }
}

/// Runs the local chain until `shutdown` is cancelled, printing a summary when it is ready.
///
/// # Errors
/// If start-up fails or the server or checkpoint task fails.
pub async fn run(args: LocalnetArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    let (localnet, task) = Localnet::start(&args, crate::package::registry(), shutdown).await?;
    localnet.print_ready(&args);
    task.await.context("the localnet task panicked")?
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: LocalnetArgs,
    }

    #[test]
    fn the_sui_epoch_duration_flag() {
        let cli = Cli::try_parse_from(["localnet"]).expect("defaults");
        assert_eq!(
            cli.args.sui_epoch_duration,
            crate::node::DEFAULT_SUI_EPOCH_DURATION
        );
        assert_eq!(cli.args.sui_epoch_duration, Duration::from_secs(60));
        let cli = Cli::try_parse_from([
            "localnet",
            "--sui-epoch-duration",
            "5m",
            "--epoch-duration",
            "1h",
        ])
        .expect("both epoch flags");
        assert_eq!(cli.args.sui_epoch_duration, Duration::from_secs(300));
        assert_eq!(cli.args.walrus.epoch_duration, Duration::from_secs(3600));
        let cli = Cli::try_parse_from(["localnet", "--sui-epoch-duration", "750ms"]).expect("ms");
        assert_eq!(cli.args.sui_epoch_duration, Duration::from_millis(750));
        assert!(Cli::try_parse_from(["localnet", "--sui-epoch-duration", "0s"]).is_err());
        assert!(Cli::try_parse_from(["localnet", "--sui-epoch-duration", "soon"]).is_err());
    }

    #[test]
    fn the_list_scan_budget_flag() {
        let cli = Cli::try_parse_from(["localnet"]).expect("defaults");
        assert_eq!(
            cli.args.list_scan_budget,
            crate::server::DEFAULT_LIST_SCAN_BUDGET
        );
        let cli = Cli::try_parse_from(["localnet", "--list-scan-budget", "25"]).expect("budget");
        assert_eq!(cli.args.list_scan_budget, 25);
        assert!(Cli::try_parse_from(["localnet", "--list-scan-budget", "0"]).is_err());
    }

    #[test]
    fn localnet_json_keeps_walrus_fields_flat_and_package_sections_apart() {
        let walrus = WalrusGenesis {
            wal_package_id: "0x1".into(),
            walrus_package_id: "0x2".into(),
            system_object_id: "0x3".into(),
            staking_object_id: "0x4".into(),
            governance_config_id: "0x5".into(),
            treasury_id: "0x6".into(),
            n_shards: 2,
            epoch_duration_ms: 1000,
            nodes: vec![],
        };
        let mut sections = serde_json::Map::new();
        sections.insert("seal".into(), serde_json::json!({"threshold": 2}));
        let info = LocalnetInfo {
            chain_id: "c".into(),
            rpc_url: "r".into(),
            faucet_url: "f".into(),
            accounts: vec![],
            keystore: "k".into(),
            walrus: Some(walrus),
            sections,
        };
        let json = serde_json::to_value(&info).expect("json");
        assert_eq!(json["walPackageId"], "0x1");
        assert_eq!(json["seal"]["threshold"], 2);
        let back: LocalnetInfo = serde_json::from_value(json).expect("parse");
        assert_eq!(
            back, info,
            "walrus keys are not repeated among the sections"
        );
        assert_eq!(
            back.section::<serde_json::Value>("seal").expect("section"),
            Some(serde_json::json!({"threshold": 2}))
        );
        assert_eq!(back.section::<u8>("none").expect("absent"), None);
    }

    #[test]
    fn a_due_epoch_is_sealed_at_once_even_when_idle() {
        let due = 60_000;
        let soon = Duration::from_millis(10);
        // Idle, long before MAX_CHECKPOINT_INTERVAL: only the epoch's end makes it seal.
        assert_eq!(on_wake(soon, false, due - 1, due), Wake::Idle);
        assert_eq!(on_wake(soon, false, due, due), Wake::Seal);
        assert_eq!(on_wake(soon, false, due + 5, due), Wake::Seal);
        // Pending transactions are batched, except into the epoch's last checkpoint.
        assert_eq!(on_wake(soon, true, due - 1, due), Wake::Batch);
        assert_eq!(on_wake(soon, true, due, due), Wake::Seal);
        // The idle heartbeat.
        assert_eq!(
            on_wake(MAX_CHECKPOINT_INTERVAL, false, due - 1, due),
            Wake::Seal
        );
    }
}
