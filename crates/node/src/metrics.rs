//! `/metrics` in the Prometheus text format.

use std::fmt::Write as _;

use crate::state::NodeState;

/// The node's metrics.
pub fn render(state: &NodeState) -> String {
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, value: f64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    };
    gauge(
        "haulout_node_uptime_seconds",
        "Seconds since the node started.",
        state.uptime().as_secs_f64(),
    );
    gauge(
        "haulout_node_epoch",
        "The node's current committee epoch.",
        f64::from(state.epoch().unwrap_or(0)),
    );
    gauge(
        "haulout_node_owned_shards",
        "Shards owned in the current committee.",
        state.owned_shards().len() as f64,
    );
    gauge(
        "haulout_node_checkpoint",
        "The last checkpoint applied.",
        state.latest_checkpoint().map_or(-1.0, |c| c as f64),
    );
    let blobs = state.store().blobs().map(|b| b.len()).unwrap_or(0);
    gauge(
        "haulout_node_blobs",
        "Blob IDs known from the chain.",
        blobs as f64,
    );
    out
}
