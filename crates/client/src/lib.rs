//! haulout's client: the library behind the `haulout` command-line tool.
//!
//! - [`Client`]: a Walrus network seen from a user — [`Client::store`] (encode, register, upload
//!   to the nodes owning each shard, certify with a quorum's aggregate signature),
//!   [`Client::read`] (verified metadata and slivers, decode, consistency check),
//!   [`Client::blob_status`], [`Client::list_blobs`], [`Client::delete`], [`Client::extend`],
//!   [`Client::info`].
//! - [`nodes`]: the storage nodes' REST API, client side.
//! - [`daemon`]: the publisher/aggregator HTTP API.
//! - [`privacy`]: Seal encryption under on-chain policies, key servers, allowlists and
//!   subscriptions.
//! - [`cli`]: the `haulout` command line.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cli;
mod client;
pub mod daemon;
mod error;
mod governance;
pub mod nodes;
pub mod privacy;
mod read;
mod status;
mod store;
pub mod up;

pub use client::{BlobInfo, Client, MemberInfo, NetworkInfo, UNIT_SIZE, storage_units};
pub use error::{ClientError, Result};
pub use governance::Choice;
pub use store::{Epochs, Progress, Registration, StoreOptions, StoreProgress, StoreResult};
