//! What the network benchmarks share: sizes, data, ports, timing and in-process storage nodes.

#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::time::Duration;

use haulout_node::config::NodeConfig;
use tokio_util::sync::CancellationToken;

#[path = "../../tests/support/ports.rs"]
mod ports;
pub use ports::free_ports;

/// `haulout localnet`'s arguments, parsed as the command line would.
#[derive(clap::Parser)]
pub struct Chain {
    /// The chain's arguments.
    #[command(flatten)]
    pub args: haulout_localnet::LocalnetArgs,
}

impl Chain {
    /// A fresh chain in `data_dir` with `nodes` storage nodes and `shards` shards, hour-long
    /// epochs, the nodes on ports from `node_base` and the key servers (if any) from
    /// `key_server_base`.
    pub fn local(
        data_dir: &Path,
        nodes: usize,
        shards: u16,
        node_base: u16,
        key_server_base: Option<u16>,
    ) -> Self {
        let mut args = vec![
            "localnet".to_owned(),
            "--fresh".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--nodes".into(),
            nodes.to_string(),
            "--n-shards".into(),
            shards.to_string(),
            "--epoch-duration".into(),
            "1h".into(),
            "--node-base-port".into(),
            node_base.to_string(),
            "--data".into(),
            data_dir.display().to_string(),
        ];
        if let Some(base) = key_server_base {
            args.extend(["--key-server-base-port".into(), base.to_string()]);
        }
        <Self as clap::Parser>::parse_from(args)
    }
}

/// `HAULOUT_BENCH_SIZES` (comma-separated, like `1KiB,64MiB`), or `default`.
pub fn env_sizes(default: &str) -> Vec<usize> {
    std::env::var("HAULOUT_BENCH_SIZES")
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(parse_size)
        .collect()
}

/// `HAULOUT_BENCH_REPS`, or `default`.
pub fn env_reps(default: usize) -> usize {
    std::env::var("HAULOUT_BENCH_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

/// Starts the `n` storage nodes whose configurations genesis wrote under `data_dir`, connects a
/// client with the keystore's first key and waits until every node is healthy; the nodes'
/// shutdown tokens, the client and the committee.
pub async fn start_network(
    data_dir: &Path,
    n: usize,
) -> (
    Vec<CancellationToken>,
    haulout_client::Client,
    haulout_sui::Committee,
) {
    let mut nodes = Vec::new();
    for i in 0..n {
        let config = data_dir.join("nodes").join(i.to_string()).join("node.toml");
        nodes.push(start_node(&config).await);
    }
    let network =
        haulout_sui::NetworkConfig::load(&data_dir.join("localnet.json")).expect("network");
    let key = haulout_sui::Keystore::load(&data_dir.join("keystore"))
        .expect("keystore")
        .first()
        .expect("key")
        .clone();
    let client = haulout_client::Client::connect(network, Some(key)).expect("client");
    let committee = wait_for_nodes(&client).await;
    (nodes, client, committee)
}

/// Waits (at most 2 minutes) until every committee member answers its health endpoint; the
/// committee.
pub async fn wait_for_nodes(client: &haulout_client::Client) -> haulout_sui::Committee {
    let started = std::time::Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the storage nodes did not all become healthy"
        );
        if let Ok(c) = client.committee().await {
            let healthy = futures::future::join_all(c.members.iter().map(|m| async move {
                reqwest::get(format!("http://{}/v1/health", m.network_address))
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }))
            .await;
            if healthy.iter().all(|h| *h) {
                return c;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn parse_size(text: &str) -> usize {
    let t = text.trim();
    let (n, mult) = if let Some(n) = t.strip_suffix("MiB") {
        (n, 1 << 20)
    } else if let Some(n) = t.strip_suffix("KiB") {
        (n, 1 << 10)
    } else {
        (t, 1)
    };
    n.parse::<usize>().expect("a size like 1KiB, 1MiB, 64MiB") * mult
}

pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

pub fn mib_s(bytes: usize, d: Duration) -> String {
    format!(
        "{:.1} MiB/s",
        bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
    )
}

pub async fn start_node(path: &Path) -> CancellationToken {
    let token = CancellationToken::new();
    let config = NodeConfig::load(path).expect("node.toml");
    let t = token.clone();
    tokio::spawn(async move {
        if let Err(e) = haulout_node::run(config, t).await {
            eprintln!("node stopped: {e:#}");
        }
    });
    token
}

pub fn human(size: usize) -> String {
    if size >= 1 << 20 {
        format!("{} MiB", size >> 20)
    } else if size >= 1 << 10 {
        format!("{} KiB", size >> 10)
    } else {
        format!("{size} B")
    }
}
