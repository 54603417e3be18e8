//! `haulout up`: a whole local network — the chain, every storage node, Postgres, the indexer
//! with GraphQL and the publisher/aggregator daemon — each its own process, started in order,
//! each waited for until healthy, stopped together. `haulout down` stops a detached one.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use serde::{Deserialize, Serialize};

/// How long each service may take to become healthy.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// What to start.
#[derive(Debug, Clone)]
pub struct UpConfig {
    /// The data directory (chain, nodes, Postgres, logs).
    pub data: PathBuf,
    /// Storage nodes (a fresh network only).
    pub nodes: u16,
    /// Shards (a fresh network only).
    pub n_shards: u16,
    /// The Walrus epoch duration (a fresh network only).
    pub epoch_duration: String,
    /// WAL staked with each storage node at genesis (a fresh network only; `None`: the local
    /// chain's default).
    pub stake_per_node: Option<u64>,
    /// Start over instead of resuming.
    pub fresh: bool,
    /// The `haulout` binary.
    pub haulout: PathBuf,
    /// The `haulout-indexer` binary.
    pub indexer: PathBuf,
    /// `scripts/postgres.sh`.
    pub postgres_script: PathBuf,
    /// The indexer's GraphQL address.
    pub indexer_listen: String,
    /// The daemon's address.
    pub daemon_listen: String,
    /// Postgres's port.
    pub postgres_port: u16,
}

/// A started process, as `up.json` records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    /// What it is.
    pub name: String,
    /// Its process ID.
    pub pid: u32,
    /// Where it serves.
    pub endpoint: String,
    /// Its log file.
    pub log: String,
}

/// `up.json`: the services of a running network.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpState {
    /// The services, in start order.
    pub services: Vec<Service>,
    /// The network file.
    pub network_file: String,
    /// The Postgres URL.
    pub database_url: String,
    /// The Postgres data directory (stopped with the network).
    #[serde(default)]
    pub postgres_dir: String,
}

/// A network being started or running.
#[derive(Debug)]
pub struct Up {
    children: Vec<(String, Child)>,
    /// What was started.
    pub state: UpState,
    data: PathBuf,
}

fn wait_until(
    what: &str,
    child: &mut Child,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if ready() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("{what} exited ({status}) before it was ready");
        }
        if start.elapsed() > START_TIMEOUT {
            bail!("{what} was not ready after {} s", START_TIMEOUT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET path` on `addr` answers 2xx.
fn http_ok(addr: &str, path: &str) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 2")
}

fn signal(pid: u32, sig: &str) -> bool {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Up {
    fn spawn(&mut self, name: &str, command: &mut Command, endpoint: &str) -> anyhow::Result<()> {
        let logs = self.data.join("logs");
        std::fs::create_dir_all(&logs)?;
        let log_path = logs.join(format!("{name}.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        // Its own process group: a Ctrl-C in the terminal reaches `haulout up` only, which
        // then stops every service in order.
        std::os::unix::process::CommandExt::process_group(command, 0);
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        self.state.services.push(Service {
            name: name.to_owned(),
            pid: child.id(),
            endpoint: endpoint.to_owned(),
            log: log_path.display().to_string(),
        });
        self.children.push((name.to_owned(), child));
        Ok(())
    }

    fn last(&mut self) -> &mut Child {
        &mut self
            .children
            .last_mut()
            .expect("a child was just started")
            .1
    }

    /// Starts everything and waits until every service is healthy; on any failure everything
    /// started so far is stopped.
    ///
    /// # Errors
    /// If a service does not start or become healthy (its log is named).
    pub fn start(config: &UpConfig) -> anyhow::Result<Self> {
        let data = std::path::absolute(&config.data)?;
        if let Ok(text) = std::fs::read_to_string(data.join("up.json"))
            && let Ok(state) = serde_json::from_str::<UpState>(&text)
            && state.services.iter().any(|s| signal(s.pid, "-0"))
        {
            bail!(
                "a network is already running from {} (stop it with `haulout down --data {}`)",
                data.display(),
                config.data.display()
            );
        }
        let chain_dir = data.join("localnet");
        let network_file = chain_dir.join("localnet.json");
        let mut up = Self {
            children: Vec::new(),
            state: UpState {
                services: Vec::new(),
                network_file: network_file.display().to_string(),
                database_url: String::new(),
                postgres_dir: data.join("postgres").display().to_string(),
            },
            data: data.clone(),
        };
        match up.start_all(config, &chain_dir, &network_file) {
            Ok(()) => Ok(up),
            Err(e) => {
                up.stop();
                Err(e)
            }
        }
    }

    fn start_all(
        &mut self,
        config: &UpConfig,
        chain_dir: &Path,
        network_file: &Path,
    ) -> anyhow::Result<()> {
        let resuming = !config.fresh && network_file.exists();
        if !resuming {
            let _ = std::fs::remove_file(network_file);
        }
        let mut chain = Command::new(&config.haulout);
        chain.arg("localnet").arg("--data").arg(chain_dir);
        if !resuming {
            chain
                .arg("--fresh")
                .args(["--nodes", &config.nodes.to_string()])
                .args(["--n-shards", &config.n_shards.to_string()])
                .args(["--epoch-duration", &config.epoch_duration]);
            if let Some(stake) = config.stake_per_node {
                chain.args(["--stake-per-node", &stake.to_string()]);
            }
        }
        self.spawn("localnet", &mut chain, "http://127.0.0.1:9000")?;
        let started = std::time::SystemTime::now();
        wait_until("the local chain", self.last(), || {
            // localnet.json is rewritten once the chain serves.
            std::fs::metadata(network_file)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= started)
        })?;
        let network = haulout_sui::NetworkConfig::load(network_file)?;
        if let Some(rpc) = self.state.services.last_mut() {
            rpc.endpoint = network.rpc_url.clone();
        }

        for (i, node) in network.nodes.iter().enumerate() {
            let config_path = if Path::new(&node.config).is_absolute() {
                PathBuf::from(&node.config)
            } else {
                chain_dir
                    .join("nodes")
                    .join(i.to_string())
                    .join("node.toml")
            };
            let mut command = Command::new(&config.haulout);
            command.arg("node").arg("--config").arg(&config_path);
            self.spawn(
                &format!("node-{i}"),
                &mut command,
                &format!("http://{}", node.network_address),
            )?;
        }
        for (i, node) in network.nodes.iter().enumerate() {
            let child = &mut self.children[1 + i].1;
            wait_until(&format!("storage node {i}"), child, || {
                http_ok(&node.network_address, "/v1/health")
            })?;
        }

        let pg_log = self.data.join("logs").join("postgres.log");
        let pg = Command::new("bash")
            .arg(&config.postgres_script)
            .env("HAULOUT_PG_DIR", self.data.join("postgres"))
            .env("HAULOUT_PG_PORT", config.postgres_port.to_string())
            .stderr(std::fs::File::create(&pg_log)?)
            .output()
            .with_context(|| format!("running {}", config.postgres_script.display()))?;
        if !pg.status.success() {
            bail!(
                "{} failed (port {}; its output is in {})",
                config.postgres_script.display(),
                config.postgres_port,
                pg_log.display()
            );
        }
        let url = String::from_utf8_lossy(&pg.stdout)
            .lines()
            .last()
            .map(str::trim)
            .filter(|l| l.starts_with("postgres"))
            .ok_or_else(|| {
                anyhow!(
                    "{} printed no connection URL",
                    config.postgres_script.display()
                )
            })?
            .to_owned();
        self.state.database_url = url.clone();

        let mut indexer = Command::new(&config.indexer);
        indexer.arg("--network").arg(network_file).args([
            "--database-url",
            &url,
            "--listen",
            &config.indexer_listen,
        ]);
        if !resuming {
            indexer.arg("--reset");
        }
        let listen = config.indexer_listen.clone();
        self.spawn("indexer", &mut indexer, &format!("http://{listen}/graphql"))?;
        wait_until("the indexer", self.last(), || http_ok(&listen, "/health"))?;

        let mut daemon = Command::new(&config.haulout);
        daemon.arg("--network").arg(network_file).args([
            "daemon",
            "--listen",
            &config.daemon_listen,
        ]);
        let listen = config.daemon_listen.clone();
        self.spawn("daemon", &mut daemon, &format!("http://{listen}"))?;
        wait_until("the daemon", self.last(), || http_ok(&listen, "/status"))?;

        let text = serde_json::to_string_pretty(&self.state)?;
        std::fs::write(self.data.join("up.json"), text + "\n")?;
        Ok(())
    }

    /// The first service found to have exited, if any (does not block).
    pub fn exited(&mut self) -> Option<String> {
        self.children.iter_mut().find_map(|(name, child)| {
            child
                .try_wait()
                .ok()
                .flatten()
                .map(|status| format!("{name} exited ({status})"))
        })
    }

    /// Lets the services run on after this process exits.
    pub fn detach(mut self) {
        self.children.clear();
    }

    /// Stops every service (SIGTERM, in reverse order; SIGKILL after 20 s) and removes
    /// `up.json`.
    pub fn stop(&mut self) {
        for (_, child) in self.children.iter().rev() {
            signal(child.id(), "-TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        for (_, child) in self.children.iter_mut().rev() {
            while child.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.children.clear();
        stop_postgres(&self.state.postgres_dir);
        let _ = std::fs::remove_file(self.data.join("up.json"));
    }
}

/// Stops the Postgres cluster in `dir` (as its owner when run as root), if it runs.
fn stop_postgres(dir: &str) {
    if dir.is_empty() || !Path::new(dir).join("PG_VERSION").exists() {
        return;
    }
    // scripts/postgres.sh may keep the cluster elsewhere behind a symbolic link that the
    // server's user cannot traverse.
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| PathBuf::from(dir));
    let dir = real.to_string_lossy().into_owned();
    let dir = dir.as_str();
    let Some(pg_ctl) = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin").join("pg_ctl"))
        .find(|p| p.exists())
    else {
        return;
    };
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        c
    } else {
        Command::new(&pg_ctl)
    };
    let _ = command
        .args(["-D", dir, "-m", "fast", "-w", "stop"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// `haulout down`: stops the network recorded in `<data>/up.json`.
///
/// # Errors
/// If no network is recorded there.
pub fn down(data: &Path) -> anyhow::Result<Vec<String>> {
    let path = data.join("up.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("no running network recorded in {}", path.display()))?;
    let state: UpState = serde_json::from_str(&text)?;
    let mut stopped = Vec::new();
    for service in state.services.iter().rev() {
        if signal(service.pid, "-TERM") {
            stopped.push(service.name.clone());
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    for service in &state.services {
        while signal(service.pid, "-0") {
            if Instant::now() > deadline {
                signal(service.pid, "-KILL");
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    stop_postgres(&state.postgres_dir);
    stopped.push("postgres".into());
    std::fs::remove_file(&path)?;
    Ok(stopped)
}
