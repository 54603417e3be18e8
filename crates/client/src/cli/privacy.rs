//! The Seal commands: `haulout allowlist`, `haulout subscription`, `haulout key-server`, and
//! the encryption step of `haulout store --encrypt` and decryption step of `haulout read`.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use haulout_keyserver::KeyServerConfig;
use haulout_sui::sdk::Address;
use serde::Serialize;

use super::args::{
    AllowlistCommand, KeyServerArgs, KeyServerCommand, KeyServerInitArgs, NetworkArgs, StoreArgs,
    SubscriptionCommand,
};
use super::net::{client, object_id, parse_wal, runtime, wal};
use super::output::{CliOutput, emit};
use crate::Client;
use crate::privacy::Policy;

/// How a stored file was encrypted (part of `haulout store`'s output).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Encryption {
    /// The policy.
    pub(crate) policy: Policy,
    /// The identity's inner id (hex).
    pub(crate) inner_id: String,
    /// Key servers needed.
    pub(crate) threshold: u8,
    /// Plaintext bytes.
    pub(crate) plaintext_size: usize,
}

/// `haulout store --encrypt`: the ciphertext to store in place of `data`.
pub(crate) async fn encrypt(
    client: &Client,
    args: &StoreArgs,
    data: &[u8],
) -> anyhow::Result<(Vec<u8>, Encryption)> {
    let policy: Policy = args
        .policy
        .parse()
        .map_err(|e: String| anyhow!("--policy: {e}"))?;
    let servers = args
        .key_servers
        .iter()
        .map(|s| object_id(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sealed = client
        .seal_encrypt(data, policy, &servers, args.threshold)
        .await
        .context("encrypting")?;
    Ok((
        sealed.ciphertext,
        Encryption {
            policy,
            inner_id: hex::encode(sealed.inner_id),
            threshold: sealed.threshold,
            plaintext_size: data.len(),
        },
    ))
}

/// `haulout read`: the plaintext of `data` if it is a Seal ciphertext of this network's
/// policies (`None`, and `data` as it was, if it is not encrypted). A ciphertext's buffer is
/// taken and decrypted in place.
pub(crate) async fn decrypt(
    client: &Client,
    data: &mut Vec<u8>,
) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(seal) = client.network().seal.as_ref() else {
        return Ok(None);
    };
    let Ok(object) = haulout_seal::EncryptedObject::parse_taking(data) else {
        return Ok(None);
    };
    if Address::new(object.package_id.0) != seal.policies_package_id {
        // Another deployment's ciphertext: give the bytes back as they were.
        *data = object.to_bytes();
        return Ok(None);
    }
    if client.address().is_none() {
        bail!(
            "this blob is Seal-encrypted: reading it needs a wallet (--wallet) its policy \
             approves, or --raw for the ciphertext"
        );
    }
    let decrypted = client.seal_decrypt(object).await.context("decrypting")?;
    Ok(Some(decrypted.plaintext))
}

/// Starts the key servers a local chain's genesis made (the `seal` section of its
/// `localnet.json`), each on the chain's actual RPC URL; their tasks end with `shutdown`.
///
/// # Errors
/// If a key server's configuration cannot be read or its address cannot be bound.
pub(crate) async fn start_key_servers(
    info: &haulout_localnet::LocalnetInfo,
    shutdown: &tokio_util::sync::CancellationToken,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<anyhow::Result<()>>>> {
    let Some(seal) = info.section::<haulout_localnet::seal::SealInfo>("seal")? else {
        return Ok(Vec::new());
    };
    let mut tasks = Vec::new();
    for entry in &seal.key_servers {
        let mut config = KeyServerConfig::load(std::path::Path::new(&entry.config))?;
        config.rpc_url = info.rpc_url.clone();
        let (addr, task) = haulout_keyserver::start(config, shutdown.clone())
            .await
            .with_context(|| format!("starting key server {}", entry.object_id))?;
        println!("  key server {} on http://{addr}", entry.object_id);
        tasks.push(task);
    }
    if !tasks.is_empty() {
        println!(
            "  seal       {}-of-{} key servers",
            seal.threshold,
            tasks.len()
        );
    }
    Ok(tasks)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TxOutput {
    digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowlist_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cap_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fee: Option<u64>,
    #[serde(skip)]
    summary: String,
}

impl TxOutput {
    fn new(digest: String, summary: String) -> Self {
        Self {
            digest,
            allowlist_id: None,
            service_id: None,
            cap_id: None,
            subscription_id: None,
            fee: None,
            summary,
        }
    }
}

impl CliOutput for TxOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", self.summary)?;
        for (label, value) in [
            ("allowlist", &self.allowlist_id),
            ("service", &self.service_id),
            ("cap", &self.cap_id),
            ("subscription", &self.subscription_id),
        ] {
            if let Some(v) = value {
                writeln!(out, "  {label}: {v}")?;
            }
        }
        writeln!(out, "  transaction: {}", self.digest)
    }
}

/// `haulout allowlist …`.
pub(crate) fn allowlist(
    command: AllowlistCommand,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = client(net, true)?;
    let output = runtime()?.block_on(async {
        Ok::<_, anyhow::Error>(match command {
            AllowlistCommand::Create { name } => {
                let (tx, list, cap) = client.allowlist_create(&name).await?;
                let mut out = TxOutput::new(
                    tx.digest,
                    format!(
                        "created allowlist {list:?}; encrypt for it with \
                         --encrypt --policy allowlist:{list}"
                    ),
                );
                out.allowlist_id = Some(list.to_string());
                out.cap_id = Some(cap.to_string());
                out
            }
            AllowlistCommand::Add { allowlist, address } => {
                let (list, member) = (object_id(&allowlist)?, object_id(&address)?);
                let tx = client.allowlist_change(list, member, true).await?;
                TxOutput::new(tx.digest, format!("{member} may now read under {list}"))
            }
            AllowlistCommand::Remove { allowlist, address } => {
                let (list, member) = (object_id(&allowlist)?, object_id(&address)?);
                let tx = client.allowlist_change(list, member, false).await?;
                TxOutput::new(
                    tx.digest,
                    format!("{member} was removed from {list} (keys it fetched before stay valid)"),
                )
            }
        })
    })?;
    emit(&output, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `haulout subscription …`.
pub(crate) fn subscription(
    command: SubscriptionCommand,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let client = client(net, true)?;
    let output = runtime()?.block_on(async {
        Ok::<_, anyhow::Error>(match command {
            SubscriptionCommand::Create { name, fee, ttl } => {
                let fee = parse_wal(&fee)?;
                let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
                let (tx, service, cap) = client.subscription_create(&name, fee, ttl_ms).await?;
                let mut out = TxOutput::new(
                    tx.digest,
                    format!(
                        "created service {name:?}: {} for {} s of access; encrypt for it with \
                         --encrypt --policy subscription:{service}",
                        wal(fee),
                        ttl.as_secs()
                    ),
                );
                out.service_id = Some(service.to_string());
                out.cap_id = Some(cap.to_string());
                out.fee = Some(fee);
                out
            }
            SubscriptionCommand::Buy { service } => {
                let service = object_id(&service)?;
                let (tx, sub, fee) = client.subscription_buy(service).await?;
                let mut out = TxOutput::new(
                    tx.digest,
                    format!("subscribed to {service} for {}", wal(fee)),
                );
                out.subscription_id = Some(sub.to_string());
                out.service_id = Some(service.to_string());
                out.fee = Some(fee);
                out
            }
        })
    })?;
    emit(&output, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `haulout key-server …`.
pub(crate) fn key_server(
    args: KeyServerArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(KeyServerCommand::Init(init)) => key_server_init(init, net, json),
        None => {
            let path = args
                .config
                .ok_or_else(|| anyhow!("give --config FILE, or `haulout key-server init`"))?;
            let config = KeyServerConfig::load(&path)?;
            super::serve_until_signal(|shutdown| async move {
                let (_, task) = haulout_keyserver::start(config, shutdown).await?;
                task.await.context("key server task")?
            })
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyServerInitOutput {
    config: String,
    object_id: String,
    url: String,
    public_key: String,
}

impl CliOutput for KeyServerInitOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "registered key server {} at {}",
            self.object_id, self.url
        )?;
        writeln!(
            out,
            "  config: {} (holds the master key: keep it secret)",
            self.config
        )?;
        writeln!(out, "  run it: haulout key-server --config {}", self.config)
    }
}

fn key_server_init(
    args: KeyServerInitArgs,
    net: &NetworkArgs,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if args.config.exists() {
        bail!(
            "{} exists; refusing to overwrite a master key",
            args.config.display()
        );
    }
    let client = client(net, true)?;
    let seal = client.network().seal.clone().ok_or_else(|| {
        anyhow!("this network has no Seal package (no `seal` in the network file)")
    })?;
    let url = args
        .url
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let mut config = KeyServerConfig::generate(
        args.name.clone(),
        args.listen,
        client.network().rpc_url.clone(),
        seal.seal_package_id,
        &mut rand::rng(),
    );
    let master_key = config.master_key().map_err(anyhow::Error::msg)?;
    let key = client.signer().map_err(|e| anyhow!("{e}"))?.clone();
    let object_id = runtime()?.block_on(haulout_keyserver::register(
        client.sui(),
        &key,
        seal.seal_package_id,
        &args.name,
        &url,
        &master_key,
    ))?;
    config.object_id = object_id;
    config.save(&args.config)?;
    emit(
        &KeyServerInitOutput {
            config: args.config.display().to_string(),
            object_id: object_id.to_string(),
            url,
            public_key: hex::encode(master_key.public_key().to_bytes()),
        },
        json,
    )?;
    Ok(ExitCode::SUCCESS)
}
