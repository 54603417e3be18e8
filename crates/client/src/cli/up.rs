//! `haulout up` and `haulout down`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use serde::Serialize;

use super::args::{DownArgs, UpArgs};
use super::output::{CliOutput, emit};
use crate::up::{Up, UpConfig, UpState};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpOutput {
    #[serde(flatten)]
    state: UpState,
    #[serde(skip)]
    network: Option<haulout_sui::NetworkConfig>,
    data: String,
    detached: bool,
}

impl CliOutput for UpOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "haulout network up ({})", self.data)?;
        for s in &self.state.services {
            writeln!(out, "  {:<10} {:<40} log {}", s.name, s.endpoint, s.log)?;
        }
        writeln!(out, "  postgres   {}", self.state.database_url)?;
        if let Some(n) = &self.network {
            writeln!(out, "  wal package     {}", n.wal_package_id)?;
            writeln!(out, "  walrus package  {}", n.walrus_package_id)?;
            writeln!(out, "  system object   {}", n.system_object_id)?;
            writeln!(out, "  staking object  {}", n.staking_object_id)?;
        }
        let net = format!("--network {}", self.state.network_file);
        writeln!(out, "try:")?;
        writeln!(out, "  haulout {net} store FILE --epochs 2")?;
        writeln!(out, "  haulout {net} read BLOB_ID --out copy")?;
        writeln!(
            out,
            "  curl -X PUT --data-binary @FILE http://127.0.0.1:31415/v1/blobs"
        )?;
        writeln!(
            out,
            "  curl -s http://127.0.0.1:8000/graphql -H 'content-type: application/json' -d '{{\"query\":\"{{ stats {{ checkpoint blobCount }} }}\"}}'"
        )?;
        if self.detached {
            writeln!(out, "stop it with: haulout down --data {}", self.data)
        } else {
            writeln!(out, "Ctrl-C stops everything")
        }
    }
}

fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the haulout binary")?;
    let path = exe.with_file_name(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(anyhow!(
            "{} not found beside {} (build it: cargo build --release --bin {name})",
            path.display(),
            exe.display()
        ))
    }
}

/// `haulout up`.
pub(crate) fn up(args: UpArgs, json: bool) -> anyhow::Result<ExitCode> {
    // The script of the checkout: given, in the current directory, or beside the build's
    // target directory.
    let exe = std::env::current_exe().context("locating the haulout binary")?;
    let candidates: Vec<PathBuf> = match std::env::var_os("HAULOUT_POSTGRES_SCRIPT") {
        Some(p) => vec![PathBuf::from(p)],
        None => {
            let mut c = vec![PathBuf::from("scripts/postgres.sh")];
            c.extend(
                exe.ancestors()
                    .skip(1)
                    .map(|d| d.join("scripts/postgres.sh")),
            );
            c
        }
    };
    let script = candidates.into_iter().find(|p| p.exists()).ok_or_else(|| {
        anyhow!("scripts/postgres.sh not found: run haulout up from the repository (or set HAULOUT_POSTGRES_SCRIPT)")
    })?;
    let config = UpConfig {
        data: args.data.clone(),
        nodes: args.nodes,
        n_shards: args.n_shards,
        epoch_duration: args.epoch_duration,
        stake_per_node: args.stake_per_node,
        fresh: args.fresh,
        haulout: std::env::current_exe().context("locating the haulout binary")?,
        indexer: sibling("haulout-indexer")?,
        postgres_script: script,
        indexer_listen: args.indexer_listen,
        daemon_listen: args.daemon_listen,
        postgres_port: args.postgres_port,
    };
    let started = std::time::Instant::now();
    let mut up = Up::start(&config)?;
    let network =
        haulout_sui::NetworkConfig::load(std::path::Path::new(&up.state.network_file)).ok();
    emit(
        &UpOutput {
            state: up.state.clone(),
            network,
            data: args.data.display().to_string(),
            detached: args.detach,
        },
        json,
    )?;
    eprintln!(
        "haulout up: ready in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if args.detach {
        up.detach();
        return Ok(ExitCode::SUCCESS);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let signal_tx = tx.clone();
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(haulout_localnet::shutdown_signal());
            let _ = signal_tx.send(None);
        }
    });
    let reason = loop {
        if let Ok(msg) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            break msg;
        }
        if let Some(exited) = up.exited() {
            break Some(exited);
        }
    };
    drop(tx);
    if let Some(reason) = &reason {
        eprintln!("haulout up: {reason}; stopping everything");
    } else {
        eprintln!("haulout up: stopping");
    }
    up.stop();
    Ok(if reason.is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Serialize)]
struct DownOutput {
    stopped: Vec<String>,
}

impl CliOutput for DownOutput {
    fn print_human(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "stopped {}", self.stopped.join(", "))
    }
}

/// `haulout down`.
pub(crate) fn down(args: DownArgs, json: bool) -> anyhow::Result<ExitCode> {
    let stopped = crate::up::down(&args.data)?;
    emit(&DownOutput { stopped }, json)?;
    Ok(ExitCode::SUCCESS)
}
