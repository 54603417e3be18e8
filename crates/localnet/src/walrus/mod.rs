//! The `wal` and `walrus` Move packages on the local chain: genesis (contracts.md §6) and the
//! native implementations of their functions, each mirroring its Move twin in `move/` (same
//! checks in the same order, same abort codes and locations, same events, same object and
//! dynamic-field changes), with every object stored in the layouts of `haulout-types`.
//!
//! - [`WalrusArgs`]: the genesis flags (`--nodes`, `--n-shards`, `--epoch-duration`, …).
//! - [`genesis`]: the objects `init`, `initialize_walrus`, `register_candidate` and the first
//!   epoch change leave behind, and the storage nodes' configuration files.
//! - [`register`]: adds every native function and type to a [`NativeRegistry`].
//! - [`WalrusPackage`]: all of it behind the chain's package seam.
//! - [`keeper`]: the chain calling `voting_end` and `initiate_epoch_change` when they are due.
//! - [`bls`]: BLS12-381 min_pk signatures, certificates and proofs of possession.
//! - [`staking_math`], [`governance_math`]: the pure staking and governance arithmetic of the
//!   Move code (D'Hondt apportionment, committees, exchange rates, rewards, tallies).

mod auth;
pub use haulout_types::bls;
pub mod genesis;
mod governance;
pub mod governance_math;
pub mod keeper;
mod natives;
mod package;
mod staking;
pub mod staking_math;
mod storage;
mod system;

use std::time::Duration;

use haulout_types::ObjectId;
use haulout_types::Packages;
use serde::Deserialize;
use serde::Serialize;
use sui_sdk_types::Address;
use sui_sdk_types::Digest;

use crate::natives::NativeRegistry;

pub use genesis::WalrusGenesis;
pub(crate) use package::origin_address;
pub use package::{WALRUS_JSON, WalrusPackage};

/// Seed of every deterministic genesis ID of the Walrus packages.
const GENESIS_SEED: Digest = Digest::new(*b"haulout walrus genesis seed v001");

/// The `wal` package ID of the local chain.
pub fn wal_package() -> Address {
    Address::derive_id(GENESIS_SEED, 0)
}

/// The `walrus` package ID of the local chain (also its type-origin address).
pub fn walrus_package() -> Address {
    Address::derive_id(GENESIS_SEED, 1)
}

/// The package addresses in `haulout-types` form.
pub fn packages() -> Packages {
    Packages {
        walrus: ObjectId::from(walrus_package()).into(),
        wal: ObjectId::from(wal_package()).into(),
    }
}

/// Genesis flags of the Walrus packages.
#[derive(Clone, Debug, clap::Args, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WalrusArgs {
    /// Storage nodes registered and staked at genesis (0: no Walrus packages at all).
    #[arg(long, default_value_t = 10)]
    pub nodes: usize,
    /// Number of shards; must be a multiple of the number of nodes (equal shards per node).
    #[arg(long, default_value_t = 100)]
    pub n_shards: u16,
    /// Walrus epoch duration (`500ms`, `30s`, `10m`, `2h`, `1d`).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    #[serde(with = "duration_ms")]
    pub epoch_duration: Duration,
    /// Most epochs storage can be bought ahead.
    #[arg(long, default_value_t = 53)]
    pub max_epochs_ahead: u32,
    /// Storage price, FROST per MiB (encoded) per epoch.
    #[arg(long, default_value_t = 1_000)]
    pub storage_price: u64,
    /// Write price, FROST per MiB (encoded).
    #[arg(long, default_value_t = 2_000)]
    pub write_price: u64,
    /// WAL (whole tokens) given to each funded account at genesis.
    #[arg(long, default_value_t = 1_000_000)]
    pub wal_per_account: u64,
    /// WAL (whole tokens) staked with each storage node at genesis.
    #[arg(long, default_value_t = 10_000_000)]
    pub stake_per_node: u64,
    /// First port of the storage nodes (node i listens on 127.0.0.1:port+i).
    #[arg(long, default_value_t = 9100)]
    pub node_base_port: u16,
}

impl Default for WalrusArgs {
    fn default() -> Self {
        Self {
            nodes: 10,
            n_shards: 100,
            epoch_duration: Duration::from_secs(600),
            max_epochs_ahead: 53,
            storage_price: 1_000,
            write_price: 2_000,
            wal_per_account: 1_000_000,
            stake_per_node: 10_000_000,
            node_base_port: 9100,
        }
    }
}

mod duration_ms {
    use std::time::Duration;

    use serde::Deserialize as _;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

/// Parses `500ms`, `30s`, `10m`, `2h`, `1d` (a bare number is seconds).
///
/// # Errors
/// If the text is not a number with one of those units, or is zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: expected e.g. 10m"))?;
    let ms = match unit {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1_000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        "d" => n.checked_mul(86_400_000),
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?}: use ms, s, m, h or d"
            ));
        }
    }
    .ok_or_else(|| format!("duration {text:?} is too long"))?;
    if ms == 0 {
        return Err("the duration must be positive".into());
    }
    Ok(Duration::from_millis(ms))
}

/// Opens the chain in `dir` like [`crate::Node::open`], running the Walrus genesis of `args`
/// (unless `args.nodes` is 0) when the chain is created now. Returns the node, the funded
/// accounts' keys and what Walrus genesis produced (both only when genesis ran now).
///
/// # Errors
/// As [`crate::Node::open`], or if the Walrus genesis arguments are inconsistent.
pub fn open(
    dir: &std::path::Path,
    accounts: usize,
    registry: NativeRegistry,
    args: &WalrusArgs,
) -> anyhow::Result<(
    std::sync::Arc<crate::Node>,
    Option<crate::GenesisAccounts>,
    Option<genesis::GenesisOutput>,
)> {
    let built = std::sync::Mutex::new(None);
    let extra = |ctx: &crate::GenesisContext<'_>| {
        if args.nodes == 0 {
            return Ok(Vec::new());
        }
        let output = genesis::build(args, ctx)?;
        let objects = output.objects.clone();
        *built
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(output);
        Ok(objects)
    };
    let packages = package_objects(&registry);
    let (node, keys) = crate::Node::open_with_packages(dir, accounts, registry, &packages, &extra)?;
    let built = built
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok((node, keys, built))
}

/// The `wal` and `walrus` package objects genesis creates, for the packages `registry` has
/// natives of ([`crate::package::package_object`]).
pub fn package_objects(registry: &NativeRegistry) -> Vec<sui_sdk_types::MovePackage> {
    [
        (wal_package(), haulout_types::Origin::Wal),
        (walrus_package(), haulout_types::Origin::Walrus),
    ]
    .into_iter()
    .filter_map(|(id, origin)| crate::package::package_object(registry, id, origin))
    .collect()
}

/// Adds every native function and type of the `wal` and `walrus` packages to `registry`.
pub fn register(registry: &mut NativeRegistry) {
    natives::register_types(registry);
    system::register(registry);
    storage::register(registry);
    staking::register(registry);
    governance::register(registry);
    auth::register(registry);
}

/// A registry with the Sui framework and the `wal` and `walrus` packages.
pub fn registry() -> NativeRegistry {
    let mut registry = NativeRegistry::with_sui_framework();
    register(&mut registry);
    registry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("10y").is_err());
        assert!(parse_duration("m").is_err());
    }
}
