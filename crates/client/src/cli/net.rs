//! The commands that talk to a network: storage nodes, store/read, blobs, wallet, faucet,
//! daemon.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use haulout_node::config::NodeConfig;
use haulout_sui::sdk::Address;
use haulout_sui::{Candidate, Keystore, NetworkConfig, SUI_COIN_TYPE, SuiClient, Walrus};
use redstuff::BlobId;
use serde::Serialize;

use super::args::{
    BlobStatusArgs, DaemonArgs, ExtendArgs, FaucetArgs, ListBlobsArgs, NetworkArgs, NodeArgs,
    NodeCommand, NodeInitArgs, NodeRegisterArgs, ObjectArgs, ProposalsArgs, ProposeArgs, ReadArgs,
    StakeArgs, StoreArgs, VoteArgs, WalletCommand,
};
use super::output::{CliOutput, emit, progress};
use crate::{Client, Epochs, StoreOptions, StoreProgress, StoreResult};

/// The network of the arguments: the network file, or the flags of a real Sui network.
pub(crate) fn network(args: &NetworkArgs) -> anyhow::Result<NetworkConfig> {
    if let Some(rpc_url) = &args.rpc_url {
        let id = |name: &str, v: &Option<String>| -> anyhow::Result<Address> {
            v.as_deref()
                .ok_or_else(|| anyhow!("--{name} is needed with --rpc-url"))?
                .parse()
                .map_err(|e| anyhow!("--{name}: {e}"))
        };
        return Ok(NetworkConfig {
            chain_id: None,
            rpc_url: rpc_url.clone(),
            faucet_url: None,
            wal_package_id: id("wal-package", &args.wal_package)?,
            walrus_package_id: id("walrus-package", &args.walrus_package)?,
            system_object_id: id("system-object", &args.system_object)?,
            staking_object_id: id("staking-object", &args.staking_object)?,
            governance_config_id: None,
            treasury_id: None,
            n_shards: None,
            epoch_duration_ms: None,
            nodes: Vec::new(),
            keystore: None,
            seal: None,
        });
    }
    NetworkConfig::load(&args.network).with_context(|| {
        format!(
            "no network at {} (start one with `haulout localnet`, or pass --network FILE or --rpc-url …)",
            args.network.display()
        )
    })
}

fn wallet_path(args: &NetworkArgs, network: &NetworkConfig) -> PathBuf {
    match &args.wallet {
        Some(p) => p.clone(),
        None => network.keystore_path(&args.network),
    }
}

/// The client of the arguments, with the wallet's first key when `need_key` (or when the
/// wallet exists).
pub(super) fn client(args: &NetworkArgs, need_key: bool) -> anyhow::Result<Client> {
    let network = network(args)?;
    let path = wallet_path(args, &network);
    let key = match Keystore::load(&path) {
        Ok(keystore) => Some(keystore.first()?.clone()),
        Err(e) if need_key => {
            return Err(anyhow!(e).context(format!(
                "no wallet at {} (make one with `haulout wallet new FILE`, or pass --wallet)",
                path.display()
            )));
        }
        Err(_) => None,
    };
    let _runtime = runtime()?.enter();
    Ok(Client::connect(network, key)?)
}

/// The process's one async runtime (gRPC channels are bound to the runtime they are made in).
pub(super) fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(RUNTIME.get_or_init(|| rt))
}

fn blob_id(text: &str) -> anyhow::Result<BlobId> {
    text.parse()
        .map_err(|e| anyhow!("{text:?} is not a blob ID: {e}"))
}

pub(super) fn object_id(text: &str) -> anyhow::Result<Address> {
    text.parse()
        .map_err(|e| anyhow!("{text:?} is not an object ID: {e}"))
}

/// FROST → WAL with 9 decimals, for people.
pub(super) fn wal(frost: u64) -> String {
    format!("{}.{:09} WAL", frost / 1_000_000_000, frost % 1_000_000_000)
}

// === node ===

/// `haulout node …`.
pub(crate) fn node(args: NodeArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(NodeCommand::Init(init)) => node_init(init, net, json),
        Some(NodeCommand::Register(reg)) => node_register(reg, net, json),
        None => {
            let path = args.config.ok_or_else(|| {
                anyhow!("give --config FILE (or `haulout node init` to make one)")
            })?;
            let config = NodeConfig::load(&path)?;
            super::serve_until_signal(|shutdown| haulout_node::run(config, shutdown))
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeInitOutput {
    config: String,
    sui_address: String,
    network_address: String,
}

impl CliOutput for NodeInitOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "wrote {}", self.config)?;
        writeln!(
            out,
            "  Sui account: {} (needs SUI for gas)",
            self.sui_address
        )?;
        writeln!(out, "  reached at:  {}", self.network_address)?;
        writeln!(out, "next: haulout node register --config {}", self.config)
    }
}

fn node_init(args: NodeInitArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let network = network(net)?;
    let n_shards = match network.n_shards {
        Some(n) => n,
        None => runtime()?.block_on(async {
            let walrus = Walrus::new(SuiClient::connect(&network.rpc_url)?, &network);
            Ok::<_, anyhow::Error>(walrus.system_state().await?.1.committee.n_shards)
        })?,
    };
    let public = args
        .public_address
        .unwrap_or_else(|| args.listen.to_string());
    let storage = args.storage.unwrap_or_else(|| PathBuf::from("db"));
    let config = NodeConfig::generate(
        &args.name,
        args.listen,
        &public,
        storage,
        &network,
        n_shards,
    );
    config.save_new(&args.config)?;
    emit(
        &NodeInitOutput {
            config: args.config.display().to_string(),
            sui_address: config.sui_address.clone(),
            network_address: public,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeRegisterOutput {
    node_id: String,
    storage_node_cap_id: String,
    digest: String,
}

impl CliOutput for NodeRegisterOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "registered node {}", self.node_id)?;
        writeln!(out, "  cap: {}", self.storage_node_cap_id)?;
        writeln!(out, "  transaction: {}", self.digest)?;
        writeln!(
            out,
            "it joins the committee once it has enough stake, at an epoch change"
        )
    }
}

fn node_register(
    args: NodeRegisterArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut config = NodeConfig::load(&args.config)?;
    if !config.node_id.is_empty() {
        bail!(
            "{} is already registered as node {}",
            args.config.display(),
            config.node_id
        );
    }
    let key = config.sui_key().map_err(|e| anyhow!("sui_key: {e}"))?;
    let bls = config
        .protocol_key()
        .map_err(|e| anyhow!("protocol_key: {e}"))?;
    let network = config.network();
    let faucet = self::network(net).ok().and_then(|n| n.faucet_url);
    let candidate = Candidate {
        name: config.name.clone(),
        network_address: config.network_address.clone(),
        network_public_key: config
            .network_public_key()
            .map_err(|e| anyhow!("network_key: {e}"))?,
        commission_rate: args.commission_rate,
        storage_price: args.storage_price,
        write_price: args.write_price,
        node_capacity: args.capacity,
    };
    let (node_id, cap, digest) = runtime()?.block_on(async {
        let sui = SuiClient::connect(&network.rpc_url)?;
        let address = key.public_key().derive_address();
        if sui.balance(address, SUI_COIN_TYPE).await? == 0 {
            match &faucet {
                Some(url) => request_faucet(url, address).await?,
                None => bail!("the node's account {address} has no SUI for gas: fund it first"),
            }
        }
        let walrus = Walrus::new(sui, &network);
        let (executed, node_id) = walrus.register_candidate(&key, &bls, &candidate).await?;
        let cap_type = format!(
            "{}::storage_node::StorageNodeCap",
            network.walrus_package_id
        );
        let cap = executed
            .created_of_type(&cap_type)
            .ok_or_else(|| anyhow!("register_candidate created no StorageNodeCap"))?;
        Ok((node_id, cap, executed.digest.to_string()))
    })?;
    config.node_id = node_id.to_string();
    config.storage_node_cap_id = cap.to_string();
    config.save(&args.config)?;
    emit(
        &NodeRegisterOutput {
            node_id: node_id.to_string(),
            storage_node_cap_id: cap.to_string(),
            digest,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

// === store and read ===

#[derive(Serialize)]
struct StoreOutput {
    blobs: Vec<StoredFile>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StoredFile {
    path: String,
    #[serde(flatten)]
    result: StoreResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption: Option<super::privacy::Encryption>,
}

impl CliOutput for StoreOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        for b in &self.blobs {
            let r = &b.result;
            writeln!(out, "stored {} ({} bytes)", b.path, r.size)?;
            writeln!(out, "  blob ID:   {}", r.blob_id)?;
            writeln!(out, "  object ID: {}", r.object_id)?;
            if let Some(e) = &b.encryption {
                writeln!(
                    out,
                    "  encrypted: {} policy, {} of the key servers needed ({} bytes of plaintext)",
                    e.policy.module(),
                    e.threshold,
                    e.plaintext_size
                )?;
            }
            writeln!(
                out,
                "  {} until epoch {} (encoded {} bytes)",
                if r.deletable {
                    "deletable"
                } else {
                    "permanent"
                },
                r.end_epoch,
                r.encoded_size
            )?;
            writeln!(
                out,
                "  cost:      {} + {} MIST gas",
                wal(r.cost),
                r.gas_used
            )?;
        }
        Ok(())
    }
}

fn parse_attributes(raw: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    raw.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| anyhow!("--attribute {a:?}: expected KEY=VALUE"))
        })
        .collect()
}

/// `haulout store`.
pub(crate) fn store(args: StoreArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let epochs = match args.epochs.as_str() {
        "max" => Epochs::Max,
        n => Epochs::Count(
            n.parse()
                .map_err(|_| anyhow!("--epochs {n:?}: a number of epochs, or `max`"))?,
        ),
    };
    let options = StoreOptions {
        epochs,
        deletable: !args.permanent,
        attributes: parse_attributes(&args.attributes)?,
    };
    let client = client(net, true)?;
    let mut blobs = Vec::new();
    runtime()?.block_on(async {
        for path in &args.files {
            let mut data =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let mut encryption = None;
            if args.encrypt {
                let (ciphertext, info) = super::privacy::encrypt(&client, &args, &data)
                    .await
                    .with_context(|| format!("storing {}", path.display()))?;
                data = ciphertext;
                encryption = Some(info);
            }
            let size = data.len() as u64;
            let bar = progress(0, "uploading", size >= 1 << 20 && !json);
            let bar2 = bar.clone();
            let report: crate::Progress = Arc::new(move |p| match p {
                StoreProgress::Encoded { slivers, .. } => bar2.set_length(slivers),
                StoreProgress::Uploaded(n) => bar2.inc(n),
                StoreProgress::Certifying => bar2.set_message("certifying"),
                StoreProgress::Registered => bar2.set_message("uploading"),
            });
            let result = client
                .store(Arc::new(data), &options, Some(report))
                .await
                .with_context(|| format!("storing {}", path.display()))?;
            bar.finish_and_clear();
            blobs.push(StoredFile {
                path: path.display().to_string(),
                result,
                encryption,
            });
        }
        Ok::<_, anyhow::Error>(())
    })?;
    emit(&StoreOutput { blobs }, json)?;
    // The blobs are certified, but uploads to the nodes outside the quorum may still be going
    // on: finish them (bounded), so that those nodes need not recover what the client has.
    let left = runtime()?.block_on(client.finish_uploads(UPLOAD_TAIL));
    if left > 0 {
        tracing::warn!(
            uploads = left,
            "some storage nodes did not get their slivers in time; they recover them themselves"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// How long `haulout store` goes on uploading to the nodes outside the quorum once its blobs are
/// certified and printed, before it exits.
const UPLOAD_TAIL: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReadOutput {
    blob_id: String,
    size: usize,
    out: String,
}

impl CliOutput for ReadOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "read {} bytes of {} into {}",
            self.size, self.blob_id, self.out
        )
    }
}

/// `haulout read`.
pub(crate) fn read(args: ReadArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let id = blob_id(&args.blob_id)?;
    if json && args.out.is_none() {
        bail!("with --json, give --out FILE for the blob's bytes");
    }
    let client = client(net, false)?;
    let data = runtime()?.block_on(async {
        let mut data = client.read(&id).await?;
        if args.raw {
            return Ok::<_, anyhow::Error>(data);
        }
        Ok(super::privacy::decrypt(&client, &mut data)
            .await?
            .unwrap_or(data))
    })?;
    match &args.out {
        Some(path) => {
            write_atomically(path, &data)?;
            emit(
                &ReadOutput {
                    blob_id: id.to_string(),
                    size: data.len(),
                    out: path.display().to_string(),
                },
                json,
            )?;
        }
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(&data)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_atomically(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("haulout-partial");
    std::fs::write(&tmp, data).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

// === blobs ===

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusOutput {
    blob_id: String,
    status: haulout_types::node_api::BlobStatus,
}

impl CliOutput for StatusOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        use haulout_types::node_api::BlobStatus;
        write!(out, "blob {}: ", self.blob_id)?;
        match &self.status {
            BlobStatus::Nonexistent => writeln!(out, "does not exist"),
            BlobStatus::Invalid { .. } => writeln!(out, "invalid"),
            BlobStatus::Permanent {
                end_epoch,
                is_certified,
                ..
            } => writeln!(
                out,
                "permanent, {}, until epoch {end_epoch}",
                if *is_certified {
                    "certified"
                } else {
                    "registered (not certified)"
                }
            ),
            BlobStatus::Deletable {
                initial_certified_epoch,
                deletable_counts,
            } => writeln!(
                out,
                "deletable, {} registration(s), {} certified{}",
                deletable_counts.count_deletable_total,
                deletable_counts.count_deletable_certified,
                initial_certified_epoch
                    .map(|e| format!(", first certified in epoch {e}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// `haulout blob-status`.
pub(crate) fn blob_status(
    args: BlobStatusArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let id = blob_id(&args.blob_id)?;
    let client = client(net, false)?;
    let status = runtime()?.block_on(client.blob_status(&id))?;
    let exists = !matches!(status, haulout_types::node_api::BlobStatus::Nonexistent);
    emit(
        &StatusOutput {
            blob_id: id.to_string(),
            status,
        },
        json,
    )?;
    Ok(if exists {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Serialize)]
struct ListOutput {
    owner: String,
    blobs: Vec<crate::BlobInfo>,
}

impl CliOutput for ListOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.blobs.is_empty() {
            return writeln!(out, "{} owns no blobs", self.owner);
        }
        writeln!(
            out,
            "{:<44} {:<66} {:>12} {:>9} {:>5} kind",
            "blob ID", "object ID", "size", "certified", "end"
        )?;
        for b in &self.blobs {
            writeln!(
                out,
                "{:<44} {:<66} {:>12} {:>9} {:>5} {}",
                b.blob_id,
                b.object_id,
                b.size,
                b.certified_epoch
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no".into()),
                b.end_epoch,
                if b.deletable {
                    "deletable"
                } else {
                    "permanent"
                }
            )?;
        }
        Ok(())
    }
}

/// `haulout list-blobs`.
pub(crate) fn list_blobs(
    args: ListBlobsArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = client(net, args.owner.is_none())?;
    let owner = match &args.owner {
        Some(o) => object_id(o)?,
        None => client.address().ok_or_else(|| anyhow!("no wallet"))?,
    };
    let blobs = runtime()?.block_on(client.list_blobs(Some(owner)))?;
    emit(
        &ListOutput {
            owner: owner.to_string(),
            blobs,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TxOutput {
    action: &'static str,
    object_id: String,
    digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_epoch: Option<u32>,
}

impl CliOutput for TxOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        match self.end_epoch {
            Some(e) => writeln!(
                out,
                "{} {} until epoch {e} (transaction {})",
                self.action, self.object_id, self.digest
            ),
            None => writeln!(
                out,
                "{} {} (transaction {})",
                self.action, self.object_id, self.digest
            ),
        }
    }
}

/// `haulout extend`.
pub(crate) fn extend(args: ExtendArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let id = object_id(&args.object_id)?;
    let client = client(net, true)?;
    let (executed, end_epoch) = runtime()?.block_on(client.extend(id, args.epochs))?;
    emit(
        &TxOutput {
            action: "extended",
            object_id: id.to_string(),
            digest: executed.digest.to_string(),
            end_epoch: Some(end_epoch),
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

impl CliOutput for crate::NetworkInfo {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "epoch {} ({})", self.epoch, self.epoch_state)?;
        writeln!(
            out,
            "shards: {}   max blob size: {} bytes",
            self.n_shards, self.max_blob_size
        )?;
        writeln!(
            out,
            "prices: storage {} FROST/MiB/epoch, write {} FROST/MiB   max {} epochs ahead",
            self.storage_price, self.write_price, self.max_epochs_ahead
        )?;
        writeln!(
            out,
            "capacity: {} of {} bytes used",
            self.used_capacity, self.total_capacity
        )?;
        writeln!(out, "committee ({} nodes):", self.committee.len())?;
        for m in &self.committee {
            writeln!(
                out,
                "  {:<10} {} {:<21} {:>4} shards  stake {}",
                m.name,
                m.node_id,
                m.network_address,
                m.shards.len(),
                wal(m.stake)
            )?;
        }
        Ok(())
    }
}

/// `haulout info`.
pub(crate) fn info(net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let client = client(net, false)?;
    let info = runtime()?.block_on(client.info())?;
    emit(&info, json)?;
    Ok(ExitCode::SUCCESS)
}

// === wallet and faucet ===

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WalletOutput {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    keystore: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sui: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wal: Option<u64>,
}

impl CliOutput for WalletOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(k) = &self.keystore {
            writeln!(out, "wrote {k}")?;
        }
        writeln!(out, "{}", self.address)?;
        if let (Some(sui), Some(w)) = (self.sui, self.wal) {
            writeln!(
                out,
                "  {}.{:09} SUI",
                sui / 1_000_000_000,
                sui % 1_000_000_000
            )?;
            writeln!(out, "  {}", wal(w))?;
        }
        Ok(())
    }
}

/// `haulout wallet …`.
pub(crate) fn wallet(
    command: WalletCommand,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let output = match command {
        WalletCommand::New { path } => {
            let keystore = Keystore::generate(1);
            keystore.save_new(&path)?;
            WalletOutput {
                address: keystore.addresses()[0].to_string(),
                keystore: Some(path.display().to_string()),
                sui: None,
                wal: None,
            }
        }
        WalletCommand::Address => {
            let client = client(net, true)?;
            WalletOutput {
                address: client.address().map(|a| a.to_string()).unwrap_or_default(),
                keystore: None,
                sui: None,
                wal: None,
            }
        }
        WalletCommand::Balance { address } => {
            let client = client(net, address.is_none())?;
            let address = match address {
                Some(a) => object_id(&a)?,
                None => client.address().ok_or_else(|| anyhow!("no wallet"))?,
            };
            let (sui, w) = runtime()?.block_on(async {
                let sui = client.sui().balance(address, SUI_COIN_TYPE).await?;
                let w = client.sui().balance(address, &client.wal_type()).await?;
                Ok::<_, anyhow::Error>((sui, w))
            })?;
            WalletOutput {
                address: address.to_string(),
                keystore: None,
                sui: Some(sui),
                wal: Some(w),
            }
        }
    };
    emit(&output, json)?;
    Ok(ExitCode::SUCCESS)
}

async fn request_faucet(url: &str, recipient: Address) -> anyhow::Result<()> {
    let body = serde_json::json!({"FixedAmountRequest": {"recipient": recipient.to_string()}});
    let response = reqwest::Client::new()
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .with_context(|| format!("faucet {url}"))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!(
            "faucet {url}: HTTP {status}: {}",
            text.chars().take(300).collect::<String>()
        );
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaucetOutput {
    recipient: String,
    sui: u64,
}

impl CliOutput for FaucetOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{} now holds {}.{:09} SUI",
            self.recipient,
            self.sui / 1_000_000_000,
            self.sui % 1_000_000_000
        )
    }
}

/// `haulout faucet`.
pub(crate) fn faucet(args: FaucetArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let client = client(net, args.address.is_none())?;
    let url = client
        .network()
        .faucet_url
        .clone()
        .ok_or_else(|| anyhow!("this network has no faucet (only a local network does)"))?;
    let recipient = match &args.address {
        Some(a) => object_id(a)?,
        None => client.address().ok_or_else(|| anyhow!("no wallet"))?,
    };
    let sui = runtime()?.block_on(async {
        request_faucet(&url, recipient).await?;
        Ok::<_, anyhow::Error>(client.sui().balance(recipient, SUI_COIN_TYPE).await?)
    })?;
    emit(
        &FaucetOutput {
            recipient: recipient.to_string(),
            sui,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `haulout daemon`.
pub(crate) fn daemon(args: DaemonArgs, net: &NetworkArgs) -> anyhow::Result<ExitCode> {
    let client = client(net, !args.read_only)?;
    let client = if args.read_only {
        let _runtime = runtime()?.enter();
        Client::connect(client.network().clone(), None)?
    } else {
        client
    };
    let config = crate::daemon::DaemonConfig {
        listen: args.listen,
        max_upload: args.max_upload,
    };
    super::serve_until_signal(|shutdown| crate::daemon::serve(client, config, shutdown))
}

/// `1.5` WAL → FROST (9 decimals).
pub(super) fn parse_wal(text: &str) -> anyhow::Result<u64> {
    let bad = || anyhow!("{text:?} is not an amount of WAL (like 10 or 0.5)");
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 9 || (whole.is_empty() && fraction.is_empty()) {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().map_err(|_| bad())?
    };
    whole
        .checked_mul(1_000_000_000)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(bad)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StakeOutput {
    node_id: String,
    amount: u64,
    staked_wal_id: String,
    digest: String,
}

impl CliOutput for StakeOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "staked {} with node {}",
            wal(self.amount),
            self.node_id
        )?;
        writeln!(out, "  StakedWal: {}", self.staked_wal_id)?;
        writeln!(out, "  transaction: {}", self.digest)
    }
}

/// `haulout stake`.
pub(crate) fn stake(args: StakeArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let node = object_id(&args.node)?;
    let amount = parse_wal(&args.amount)?;
    if amount == 0 {
        bail!("--amount must be more than 0");
    }
    let client = client(net, true)?;
    let (executed, staked) = runtime()?.block_on(client.stake(node, amount))?;
    emit(
        &StakeOutput {
            node_id: node.to_string(),
            amount,
            staked_wal_id: staked.to_string(),
            digest: executed.digest.to_string(),
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A command that sends one transaction about one object (`delete`, `unstake`, `withdraw`,
/// `finalize`, `execute`), printed as `<action> <object> (transaction …)`.
pub(crate) fn object_tx(
    args: ObjectArgs,
    net: &NetworkArgs,
    json: bool,
    action: &'static str,
    send: impl AsyncFnOnce(&Client, Address) -> crate::Result<haulout_sui::Executed>,
) -> anyhow::Result<ExitCode> {
    let id = object_id(&args.object_id)?;
    let client = client(net, true)?;
    let executed = runtime()?.block_on(send(&client, id))?;
    tx_output(action, id, &executed, json)
}

fn tx_output(
    action: &'static str,
    object: Address,
    executed: &haulout_sui::Executed,
    json: bool,
) -> anyhow::Result<ExitCode> {
    emit(
        &TxOutput {
            action,
            object_id: object.to_string(),
            digest: executed.digest.to_string(),
            end_epoch: None,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `haulout vote`.
pub(crate) fn vote(args: VoteArgs, net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let proposal = object_id(&args.proposal)?;
    let staked = object_id(&args.stake)?;
    let choice: crate::Choice = args.choice.parse().map_err(|e: String| anyhow!(e))?;
    let client = client(net, true)?;
    let executed = runtime()?.block_on(client.vote(proposal, staked, choice))?;
    tx_output("voted on", proposal, &executed, json)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProposeOutput {
    proposal_id: String,
    digest: String,
}

impl CliOutput for ProposeOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "proposal {} (transaction {})",
            self.proposal_id, self.digest
        )
    }
}

/// `haulout propose`.
pub(crate) fn propose(
    args: ProposeArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let staked = object_id(&args.stake)?;
    let parameter = match &args.set_parameter {
        None => None,
        Some(p) => {
            let (name, value) = p
                .split_once('=')
                .ok_or_else(|| anyhow!("--set-parameter {p:?}: expected NAME=VALUE"))?;
            let value: u64 = value
                .parse()
                .map_err(|_| anyhow!("--set-parameter {p:?}: the value must be a whole number"))?;
            Some((name.to_owned(), value))
        }
    };
    let client = client(net, true)?;
    let (executed, proposal) =
        runtime()?.block_on(client.propose(staked, &args.title, &args.description, parameter))?;
    emit(
        &ProposeOutput {
            proposal_id: proposal.to_string(),
            digest: executed.digest.to_string(),
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct NodesOutput {
    epoch: u32,
    nodes: Vec<crate::MemberInfo>,
}

impl CliOutput for NodesOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "committee of epoch {} ({} nodes)",
            self.epoch,
            self.nodes.len()
        )?;
        for m in &self.nodes {
            writeln!(
                out,
                "  {:<16} {} {:<21} {:>4} shards  stake {}  commission {:.2}%",
                m.name,
                m.node_id,
                m.network_address,
                m.shards.len(),
                wal(m.stake),
                f64::from(m.commission_rate) / 100.0
            )?;
        }
        Ok(())
    }
}

/// `haulout nodes`.
pub(crate) fn nodes(net: &NetworkArgs, json: bool) -> anyhow::Result<ExitCode> {
    let client = client(net, false)?;
    let info = runtime()?.block_on(client.info())?;
    emit(
        &NodesOutput {
            epoch: info.epoch,
            nodes: info.committee,
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ProposalsOutput {
    proposals: serde_json::Value,
}

impl CliOutput for ProposalsOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        let list = self.proposals.as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return writeln!(out, "no proposals");
        }
        for p in list {
            writeln!(
                out,
                "#{} {} [{}] yes {} no {} abstain {} (voting ends in epoch {})",
                p["number"],
                p["title"].as_str().unwrap_or(""),
                p["status"].as_str().unwrap_or(""),
                p["yes"].as_str().unwrap_or("0"),
                p["no"].as_str().unwrap_or("0"),
                p["abstain"].as_str().unwrap_or("0"),
                p["votingEndEpoch"]
            )?;
        }
        Ok(())
    }
}

/// `haulout proposals`: from the indexer.
pub(crate) fn proposals(args: ProposalsArgs, json: bool) -> anyhow::Result<ExitCode> {
    let query = serde_json::json!({
        "query": "{ proposals(first: 50) { nodes { number title status yes no abstain votingEndEpoch } } }"
    });
    let answer: serde_json::Value = runtime()?.block_on(async {
        let response = reqwest::Client::new()
            .post(&args.graphql)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(query.to_string())
            .send()
            .await
            .with_context(|| {
                format!(
                    "the indexer at {} (is it running? haulout up)",
                    args.graphql
                )
            })?;
        let body = response.bytes().await?;
        serde_json::from_slice::<serde_json::Value>(&body).context("the indexer's answer")
    })?;
    if let Some(errors) = answer.get("errors") {
        bail!("the indexer: {errors}");
    }
    emit(
        &ProposalsOutput {
            proposals: answer["data"]["proposals"]["nodes"].clone(),
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_wal;

    #[test]
    fn wal_amounts() {
        assert_eq!(parse_wal("1").unwrap(), 1_000_000_000);
        assert_eq!(parse_wal("0.5").unwrap(), 500_000_000);
        assert_eq!(parse_wal(".000000001").unwrap(), 1);
        assert_eq!(parse_wal("12.25").unwrap(), 12_250_000_000);
        for bad in ["", ".", "x", "1.0000000001", "-1", "99999999999999999999"] {
            assert!(parse_wal(bad).is_err(), "{bad}");
        }
    }
}
