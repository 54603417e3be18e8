//! A Sui-compatible single-node local chain that serves the Sui gRPC v2 API.
//!
//! The chain keeps Sui's object model (IDs, Lamport versions, digests, owners), executes
//! programmable transactions with native implementations of Move functions
//! ([`NativeRegistry`]), seals BLS-signed checkpoints and serves native gRPC and gRPC-web (with
//! CORS) on one port, plus a faucet at `POST /v2/gas`. Start it with [`run`].
//!
//! Natively mirrored Move packages ([`walrus`], [`seal`]) plug in through one seam,
//! [`package::ChainPackage`].

mod error;
mod executor;
mod framework;
mod json;
mod natives;
mod node;
pub mod package;
mod proto;
mod run;
pub mod seal;
mod server;
mod signal;
mod store;
pub mod value;
pub mod walrus;

pub use error::TxError;
pub use executor::{
    COMPUTATION_UNITS, STORAGE_PRICE, STORAGE_REBATE_RATE_BPS, STORAGE_UNITS_PER_BYTE,
};
pub use natives::{
    Abilities, FunctionSig, NativeContext, NativeFunction, NativeImpl, NativeRegistry, Param,
    SigType, TRANSFER_E_RECEIVING_OBJECT_TYPE_MISMATCH, TRANSFER_E_UNABLE_TO_RECEIVE_OBJECT, args,
    field_type, receiving_object_type, receiving_type,
};
pub use node::{
    COINS_PER_ACCOUNT, CoinInfoIds, DEFAULT_SUI_EPOCH_DURATION, ExtraGenesis, FAUCET_COIN_MIST,
    FAUCET_COINS, GENESIS_COIN_MIST, GenesisAccounts, GenesisContext, GenesisObjectSpec,
    MAX_GAS_BUDGET, Node, PROTOCOL_VERSION, REFERENCE_GAS_PRICE, SIMULATION_GAS_COIN_ID,
    SIMULATION_GAS_COIN_VALUE, TypeFilter,
};
pub use run::{
    AccountInfo, KEYSTORE, LOCALNET_JSON, Localnet, LocalnetArgs, LocalnetInfo,
    MAX_CHECKPOINT_INTERVAL, MIN_CHECKPOINT_INTERVAL, run,
};
pub use server::{
    DEFAULT_LIST_SCAN_BUDGET, DEFAULT_MAX_SUBSCRIPTIONS, FAUCET_AMOUNT_MIST, FAUCET_PATH,
    RpcOptions, router, router_with, serve, serve_with,
};
pub use signal::shutdown_signal;
pub use store::{CheckpointRecord, EpochRecord, ExecutedTx, GenesisMeta};
pub use value::{CLOCK_ID, Value};
pub use walrus::WALRUS_JSON;
