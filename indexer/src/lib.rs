//! haulout's indexer: follows the chain's checkpoints into Postgres exactly once and serves the
//! Walrus network's state over GraphQL.
//!
//! - [`run`]: the pipeline — a resumable checkpoint stream from the committed watermark + 1
//!   ([`Verifier`]: sequence continuity, `previous_digest` chain, contents digest, the
//!   committee's BLS signature), a pure [`Processor`] (Walrus events and changed objects decoded
//!   with `haulout-types`), a bounded channel, and batches committed with the watermark in one
//!   transaction ([`store::commit`]).
//! - [`graphql`]: the GraphQL schema (Relay connections, reads pinned to one committed
//!   checkpoint, limits) and the HTTP service (`/graphql` with GraphiQL and WebSocket
//!   subscriptions, `/health`, `/metrics`).
//! - Migrations live in `migrations/` at the workspace root and are applied at start-up.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod batch;
mod copy;
mod error;
mod indexer;
mod metrics;
mod process;
mod verify;

pub mod graphql;
pub mod store;

pub use batch::Batch;
pub use error::{IndexerError, Result};
pub use indexer::{
    DEFAULT_BATCH_CHECKPOINTS, DEFAULT_BATCH_ROWS, DEFAULT_CHANNEL_CAPACITY, IndexerConfig,
    prepare, run,
};
pub use metrics::Metrics;
pub use process::{BlobStatus, CHECKPOINT_MASK, CheckpointRows, Processor, encoded_blob_length};
pub use verify::Verifier;
