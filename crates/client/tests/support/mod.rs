//! A whole haulout network in processes, for end-to-end tests: `haulout localnet` (the chain)
//! and one `haulout node` process per storage node, on free ports of 127.0.0.1 in a temporary
//! directory; every process is killed when the [`Network`] is dropped.
#![allow(dead_code, unreachable_pub)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod ports;
pub use ports::free_ports;

/// The `haulout` binary under test.
pub const HAULOUT: &str = env!("CARGO_BIN_EXE_haulout");

/// How long a condition may take before a test gives up (generous: CI machines are slow; a
/// test never depends on this being tight).
pub const PATIENCE: Duration = Duration::from_secs(180);

/// A running network.
pub struct Network {
    dir: tempfile::TempDir,
    chain: Child,
    nodes: Vec<Option<Child>>,
    /// The node ports, by genesis index.
    pub ports: Vec<u16>,
    /// Number of shards.
    pub n_shards: u16,
}

/// The last lines of a log file, for a failure message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<_> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Waits until `f` holds, panicking with `what` after [`PATIENCE`].
pub fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plain HTTP/1.1 request to 127.0.0.1:`port`; `(status, body)`, or `None` if the
/// connection fails.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    // A server may answer (413) and close before it has read a large body.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
    let mut body = response[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
}

/// The JSON of a body.
pub fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// A deterministic byte pattern.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 56) as u8
        })
        .collect()
}

impl Network {
    /// A fresh chain with `nodes` storage nodes and `n_shards` shards, every node running.
    pub fn start(nodes: u16, n_shards: u16, epoch_duration: &str) -> Self {
        Self::start_with(nodes, n_shards, epoch_duration, &[])
    }

    /// As [`Network::start`], with more `haulout localnet` arguments.
    pub fn start_with(nodes: u16, n_shards: u16, epoch_duration: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = free_ports(nodes);
        let log = std::fs::File::create(dir.path().join("localnet.log")).expect("log");
        let chain = Command::new(HAULOUT)
            .args([
                "localnet",
                "--fresh",
                "--listen",
                "127.0.0.1:0",
                "--accounts",
                "3",
            ])
            .args([
                "--nodes",
                &nodes.to_string(),
                "--n-shards",
                &n_shards.to_string(),
            ])
            .args(["--epoch-duration", epoch_duration])
            .args(extra)
            .args(["--node-base-port", &base.to_string()])
            .args([
                "--key-server-base-port",
                &free_ports(3).to_string(),
                "--data",
            ])
            .arg(dir.path().join("chain"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("haulout localnet starts");
        let mut network = Self {
            dir,
            chain,
            nodes: (0..nodes).map(|_| None).collect(),
            ports: (base..base + nodes).collect(),
            n_shards,
        };
        let last = network.node_config(usize::from(nodes) - 1);
        let file = network.network_file();
        let log = network.path("localnet.log");
        let chain = &mut network.chain;
        wait_for("the local chain", || {
            if let Some(status) = chain.try_wait().expect("wait") {
                panic!("haulout localnet exited ({status}):\n{}", tail(&log));
            }
            file.exists() && last.exists()
        });
        for i in 0..usize::from(nodes) {
            network.start_node(i);
        }
        for i in 0..usize::from(nodes) {
            network.wait_healthy(i);
        }
        network
    }

    /// The data directory of the chain.
    pub fn chain_dir(&self) -> PathBuf {
        self.dir.path().join("chain")
    }

    /// `localnet.json`.
    pub fn network_file(&self) -> PathBuf {
        self.chain_dir().join("localnet.json")
    }

    /// A scratch path in the test's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Node `i`'s `node.toml`.
    pub fn node_config(&self, i: usize) -> PathBuf {
        self.chain_dir()
            .join("nodes")
            .join(i.to_string())
            .join("node.toml")
    }

    /// Node `i`'s database directory.
    pub fn node_storage(&self, i: usize) -> PathBuf {
        self.chain_dir()
            .join("nodes")
            .join(i.to_string())
            .join("storage")
    }

    /// The shards node `i` holds (from its genesis configuration).
    pub fn node_shards(&self, i: usize) -> Vec<u16> {
        let text = std::fs::read_to_string(self.node_config(i)).expect("node.toml");
        let value: toml::Value = toml::from_str(&text).expect("toml");
        value["shards"]
            .as_array()
            .expect("shards")
            .iter()
            .map(|s| s.as_integer().expect("shard") as u16)
            .collect()
    }

    /// Starts (or restarts) node `i`.
    pub fn start_node(&mut self, i: usize) {
        assert!(self.nodes[i].is_none(), "node {i} is running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("node{i}.log")))
            .expect("log");
        let child = Command::new(HAULOUT)
            .args(["node", "--config"])
            .arg(self.node_config(i))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("haulout node starts");
        self.nodes[i] = Some(child);
    }

    /// Waits until node `i` answers its health endpoint with a known epoch.
    pub fn wait_healthy(&mut self, i: usize) {
        let port = self.ports[i];
        let log = self.dir.path().join(format!("node{i}.log"));
        let child = self.nodes[i].as_mut().expect("running");
        wait_for(&format!("node {i} to be healthy"), || {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("node {i} exited ({status}):\n{}", tail(&log));
            }
            http(port, "GET", "/v1/health", &[], b"").is_some_and(|(status, body)| {
                status == 200 && json(&body)["success"]["data"]["epoch"].is_u64()
            })
        });
    }

    /// SIGKILLs node `i`.
    pub fn kill_node(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGKILLs node `i` and deletes its database.
    pub fn wipe_node(&mut self, i: usize) {
        self.kill_node(i);
        std::fs::remove_dir_all(self.node_storage(i)).expect("wipe");
    }

    /// Runs `haulout --json --network <file> ARGS`.
    pub fn haulout(&self, args: &[&str]) -> Output {
        Command::new(HAULOUT)
            .arg("--json")
            .arg("--network")
            .arg(self.network_file())
            .args(args)
            .output()
            .expect("haulout runs")
    }

    /// Runs a `haulout` command that must succeed; its JSON output.
    pub fn haulout_ok(&self, args: &[&str]) -> Value {
        let out = self.haulout(args);
        assert!(
            out.status.success(),
            "haulout {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out.stdout)
    }

    /// Stores `data` with `haulout store`; the blob ID and object ID.
    pub fn store(&self, name: &str, data: &[u8], extra: &[&str]) -> (String, String) {
        let file = self.path(name);
        std::fs::write(&file, data).expect("write");
        let file = file.display().to_string();
        let mut args = vec!["store", file.as_str()];
        if !extra.contains(&"--epochs") {
            args.extend_from_slice(&["--epochs", "2"]);
        }
        args.extend_from_slice(extra);
        let out = self.haulout_ok(&args);
        let blob = &out["blobs"][0];
        (
            blob["blobId"].as_str().expect("blobId").to_owned(),
            blob["objectId"].as_str().expect("objectId").to_owned(),
        )
    }

    /// Reads a blob with `haulout read`; its bytes, or the error output.
    pub fn read(&self, blob_id: &str) -> Result<Vec<u8>, String> {
        let out_file = self.path(&format!("read-{blob_id}"));
        let out = self.haulout(&["read", blob_id, "--out", &out_file.display().to_string()]);
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let data = std::fs::read(&out_file).expect("read output");
        let _ = std::fs::remove_file(&out_file);
        Ok(data)
    }

    /// Whether node `i` stores both slivers of every pair on its shards for `blob_id`.
    pub fn node_holds(&self, i: usize, blob_id: &str) -> bool {
        self.node_holds_shards(i, blob_id, &self.node_shards(i))
    }

    /// Whether node `i` stores both slivers of every pair on `shards` for `blob_id`.
    pub fn node_holds_shards(&self, i: usize, blob_id: &str, shards: &[u16]) -> bool {
        let id: redstuff::BlobId = blob_id.parse().expect("blob ID");
        let port = self.ports[i];
        shards.iter().all(|&shard| {
            let pair = redstuff::pair_index_for_shard(&id, shard, self.n_shards);
            ["primary", "secondary"].iter().all(|axis| {
                http(
                    port,
                    "GET",
                    &format!("/v1/blobs/{blob_id}/slivers/{pair}/{axis}/status"),
                    &[],
                    b"",
                )
                .is_some_and(|(status, body)| {
                    status == 200 && json(&body)["success"]["data"] == "stored"
                })
            })
        })
    }

    /// Node `i`'s node ID (from its configuration).
    pub fn node_id(&self, i: usize) -> String {
        let text = std::fs::read_to_string(self.node_config(i)).expect("node.toml");
        let value: toml::Value = toml::from_str(&text).expect("toml");
        value["node_id"].as_str().expect("node_id").to_owned()
    }

    /// The log of node `i` (for failure messages).
    pub fn node_log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("node{i}.log"))).unwrap_or_default()
    }

    /// Rewrites a key of node `i`'s configuration.
    pub fn set_node_key(&self, i: usize, key: &str, value: &str) {
        let path = self.node_config(i);
        let text = std::fs::read_to_string(&path).expect("node.toml");
        let text: String = text
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{key} =")) {
                    format!("{key} = {value}")
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&path, text + "\n").expect("write node.toml");
    }

    /// A library client of this network signing with the first funded account, its gRPC
    /// channel bound to `runtime`.
    pub fn client(&self, runtime: &tokio::runtime::Runtime) -> haulout_client::Client {
        let key = haulout_sui::Keystore::load(&self.chain_dir().join("keystore"))
            .expect("keystore")
            .first()
            .expect("key")
            .clone();
        let network = haulout_sui::NetworkConfig::load(&self.network_file()).expect("network");
        let _guard = runtime.enter();
        haulout_client::Client::connect(network, Some(key)).expect("client")
    }

    /// The directory holding everything of the test.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill_node(i);
        }
        let _ = self.chain.kill();
        let _ = self.chain.wait();
    }
}
