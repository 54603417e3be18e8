//! haulout's chain access, shared by the storage node and the client: everything they need to
//! find a network, hold keys and talk to Sui — only through the Sui gRPC v2 API, so the same
//! code runs against the local chain and a real Sui full node.
//!
//! - [`NetworkConfig`]: a network's RPC URL, packages and shared objects (`localnet.json`).
//! - [`Keystore`]: Ed25519 accounts in the Sui CLI keystore format.
//! - [`SuiClient`]: object reads, owned coins, transaction execution (sign, execute, wait for
//!   the checkpoint, failures as errors naming the Move abort), checkpoint streams that resume
//!   from a cursor; [`SuiClient::follow_walrus`] turns them into [`WalrusCheckpoint`]s, the
//!   Walrus events of each checkpoint with their event IDs.
//! - [`Walrus`]: typed reads of the Walrus `System` and `Staking` objects, their inner states
//!   and the committee with each node's address, BLS key and shards; a storage node's own
//!   transactions ([`Walrus::register_candidate`], [`Walrus::epoch_sync_done`]).
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod error;
mod events;
mod keystore;
mod network;
mod transactions;
mod walrus;

pub use client::{Coin, DEFAULT_GAS_BUDGET, Executed, ObjectData, SUI_COIN_TYPE, SuiClient};
pub use error::{Result, SuiError};
pub use events::{WALRUS_CHECKPOINT_MASK, WalrusCheckpoint, walrus_checkpoint};
pub use keystore::Keystore;
pub use network::{NetworkConfig, NetworkNode, SealKeyServer, SealNetwork};
pub use transactions::{CLOCK_ID, Candidate, move_call, pure};
pub use walrus::{Committee, CommitteeMember, Walrus, WalrusState};

pub use sui_crypto as crypto;
pub use sui_crypto::ed25519::Ed25519PrivateKey;
pub use sui_rpc::proto::sui::rpc::v2 as proto;
pub use sui_sdk_types as sdk;
