//! What every request of a key server shares: its configuration, master key, proof of
//! possession, chain, rate limiter and metrics.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use haulout_seal::ibe::{MasterKey, ProofOfPossession};

use crate::chain::Chain;
use crate::config::KeyServerConfig;
use crate::limit::RateLimiter;

/// A running key server's shared state.
#[derive(Debug)]
pub struct ServerState {
    /// Its configuration.
    pub config: KeyServerConfig,
    /// The master secret key.
    pub master_key: MasterKey,
    /// The proof of possession of `master_key` for `config.object_id`.
    pub pop: ProofOfPossession,
    /// The chain policies are evaluated on.
    pub chain: Chain,
    /// Per-client rate limits.
    pub limiter: RateLimiter,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
}

/// The key server's counters.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    fetches: AtomicU64,
    fetch_micros: AtomicU64,
    keys: AtomicU64,
    errors: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            fetches: AtomicU64::new(0),
            fetch_micros: AtomicU64::new(0),
            keys: AtomicU64::new(0),
            errors: Mutex::new(std::collections::BTreeMap::new()),
        }
    }
}

impl Metrics {
    /// A `fetch_key` request took `elapsed`.
    pub fn observe_fetch(&self, elapsed: Duration) {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.fetch_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// `n` keys were released.
    pub fn count_keys(&self, n: usize) {
        self.keys.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// A request was refused with `kind` (a fixed set of names, so labels stay few).
    pub fn count_error(&self, kind: &str) {
        let mut errors = self
            .errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *errors.entry(kind.to_owned()).or_default() += 1;
    }

    /// The Prometheus text rendering.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "haulout_keyserver_uptime_seconds",
            "gauge",
            "Seconds since the key server started.",
            self.started.elapsed().as_secs_f64(),
        );
        metric(
            "haulout_keyserver_fetch_key_requests_total",
            "counter",
            "fetch_key requests answered.",
            self.fetches.load(Ordering::Relaxed) as f64,
        );
        metric(
            "haulout_keyserver_fetch_key_seconds_total",
            "counter",
            "Time spent answering fetch_key requests.",
            self.fetch_micros.load(Ordering::Relaxed) as f64 / 1e6,
        );
        metric(
            "haulout_keyserver_keys_released_total",
            "counter",
            "User secret keys released (ElGamal-encrypted).",
            self.keys.load(Ordering::Relaxed) as f64,
        );
        let errors = self
            .errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(
            out,
            "# HELP haulout_keyserver_errors_total Requests refused, by error kind.\n\
             # TYPE haulout_keyserver_errors_total counter"
        );
        for (kind, n) in errors.iter() {
            let _ = writeln!(out, "haulout_keyserver_errors_total{{kind=\"{kind}\"}} {n}");
        }
        out
    }
}
