//! The haulout storage node: it follows the chain (blob registrations, certifications,
//! deletions, invalidations, committees and epochs), stores the slivers of the shards it owns,
//! serves the Walrus storage-node REST API, signs storage confirmations, recovers missing
//! slivers from other nodes and takes part in epoch changes.
//!
//! - [`follower`]: the chain follower and the node's part in epoch changes
//!   (`epoch_sync_done`), driving a [`follower::ChainSink`].
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod config;
pub mod follower;
pub mod invalidate;
pub mod metrics;
pub mod recovery;
mod run;
pub mod state;
pub mod store;
pub mod symbols;

pub use run::run;
