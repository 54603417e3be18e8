//! Prometheus metrics of the indexer and its GraphQL service, in the text format at `/metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters and gauges (monotonic counters end in `_total`; units are in the names).
#[derive(Debug, Default)]
pub struct Metrics {
    /// Checkpoints received from the chain and processed.
    pub checkpoints_ingested: AtomicU64,
    /// Walrus events processed.
    pub events_ingested: AtomicU64,
    /// Batches committed.
    pub batches_committed: AtomicU64,
    /// Commits that failed and were retried.
    pub commit_retries: AtomicU64,
    /// Time spent committing, in microseconds.
    pub commit_micros: AtomicU64,
    /// Checkpoint signatures verified against the committee.
    pub signatures_verified: AtomicU64,
    /// Last committed checkpoint.
    pub watermark_checkpoint: AtomicU64,
    /// Timestamp of the last committed checkpoint (ms).
    pub watermark_timestamp_ms: AtomicU64,
    /// Latest checkpoint received from the chain.
    pub latest_ingested_checkpoint: AtomicU64,
    /// GraphQL requests served.
    pub graphql_requests: AtomicU64,
    /// GraphQL requests answered with errors.
    pub graphql_errors: AtomicU64,
}

impl Metrics {
    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        };
        metric(
            "indexer_checkpoints_ingested_total",
            "counter",
            "Checkpoints received, verified and processed.",
            load(&self.checkpoints_ingested).to_string(),
        );
        metric(
            "indexer_events_ingested_total",
            "counter",
            "Walrus events processed.",
            load(&self.events_ingested).to_string(),
        );
        metric(
            "indexer_batches_committed_total",
            "counter",
            "Batches committed with their watermark.",
            load(&self.batches_committed).to_string(),
        );
        metric(
            "indexer_commit_retries_total",
            "counter",
            "Batch commits that failed and were retried.",
            load(&self.commit_retries).to_string(),
        );
        metric(
            "indexer_commit_seconds_total",
            "counter",
            "Time spent committing batches.",
            format!("{:.6}", load(&self.commit_micros) as f64 / 1e6),
        );
        metric(
            "indexer_signatures_verified_total",
            "counter",
            "Checkpoint BLS signatures verified against the validator committee.",
            load(&self.signatures_verified).to_string(),
        );
        metric(
            "indexer_watermark_checkpoint",
            "gauge",
            "Last checkpoint committed.",
            load(&self.watermark_checkpoint).to_string(),
        );
        metric(
            "indexer_watermark_timestamp_ms",
            "gauge",
            "Timestamp of the last checkpoint committed.",
            load(&self.watermark_timestamp_ms).to_string(),
        );
        metric(
            "indexer_latest_ingested_checkpoint",
            "gauge",
            "Latest checkpoint received from the chain.",
            load(&self.latest_ingested_checkpoint).to_string(),
        );
        metric(
            "graphql_requests_total",
            "counter",
            "GraphQL requests served.",
            load(&self.graphql_requests).to_string(),
        );
        metric(
            "graphql_errors_total",
            "counter",
            "GraphQL requests answered with errors.",
            load(&self.graphql_errors).to_string(),
        );
        out
    }
}
