//! The `seal` and `policies` Move packages on the local chain, and its Seal key servers.
//!
//! - `seal` mirrors Seal's `key_server` (the `KeyServer` object and its `u64`-keyed
//!   `KeyServerV2` dynamic field, in Seal's layouts, so `@mysten/seal` finds servers by object
//!   ID) and `time::check_staleness`, which a key server prepends to each policy evaluation.
//! - `policies` holds haulout's access policies, each with a `seal_approve` a key server dry-runs
//!   through `SimulateTransaction`: `private`, `allowlist`, `subscription` (paid in WAL), `tle`.
//!
//! Every function runs as a native mirroring `move/seal` and `move/policies` (same checks in the
//! same order, same abort codes and locations, same objects and dynamic fields), with objects
//! in the layouts of `haulout-types`. [`SealPackage`] puts it behind the chain's package seam:
//! genesis creates `--key-servers` servers and writes their `key-server.toml` files and the
//! `seal` section of `localnet.json` ([`SealInfo`]).

mod genesis;
mod natives;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use haulout_types::Origin;
use haulout_types::SealPackages;
use serde::Deserialize;
use serde::Serialize;
use sui_sdk_types::Address;
use sui_sdk_types::Digest;

pub use genesis::KeyServerSecrets;

use crate::natives::NativeRegistry;
use crate::node::GenesisContext;
use crate::node::GenesisObjectSpec;
use crate::node::Node;
use crate::package::ChainPackage;
use crate::package::JsonFields;

/// Seed of every deterministic genesis ID of the Seal packages.
const GENESIS_SEED: Digest = Digest::new(*b"haulout seal genesis seed v00001");

/// Name of the Seal genesis description (the `seal` section of `localnet.json`).
pub const SEAL_JSON: &str = "seal.json";
/// Directory (in the data directory) of the key servers' configurations.
pub const KEY_SERVERS_DIR: &str = "key-servers";
/// Name of a key server's configuration file, in `key-servers/<i>/`.
pub const KEY_SERVER_TOML: &str = "key-server.toml";
/// The gas budget a Seal key server dry-runs policies with (Seal's `GAS_BUDGET`).
pub const KEY_SERVER_GAS_BUDGET: u64 = 500_000_000;

/// The `seal` package ID of the local chain (also its original ID).
pub fn seal_package() -> Address {
    Address::derive_id(GENESIS_SEED, 0)
}

/// The `policies` package ID of the local chain (also its original ID: Seal identities are
/// `policies_package() ‖ inner id`).
pub fn policies_package() -> Address {
    Address::derive_id(GENESIS_SEED, 1)
}

/// The package addresses in `haulout-types` form.
pub fn packages() -> SealPackages {
    SealPackages {
        seal: seal_package(),
        policies: policies_package(),
    }
}

/// The address of the Seal packages' mirrored types of `origin`.
pub(crate) fn origin_address(origin: Origin) -> Option<Address> {
    packages().address(origin)
}

/// The `seal` and `policies` package objects genesis creates, for the packages `registry` has
/// natives of ([`crate::package::package_object`]).
pub fn package_objects(registry: &NativeRegistry) -> Vec<sui_sdk_types::MovePackage> {
    [
        (seal_package(), Origin::Seal),
        (policies_package(), Origin::Policies),
    ]
    .into_iter()
    .filter_map(|(id, origin)| crate::package::package_object(registry, id, origin))
    .collect()
}

/// Adds every native function and type of the `seal` and `policies` packages to `registry`.
pub fn register(registry: &mut NativeRegistry) {
    natives::register(registry);
}

/// Genesis flags of the Seal packages.
#[derive(Clone, Debug, clap::Args, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SealArgs {
    /// Seal key servers registered at genesis (`KeyServer` objects with a `KeyServerV2`; 0: none).
    #[arg(long, default_value_t = 3)]
    pub key_servers: usize,
    /// First port of the key servers (key server i listens on 127.0.0.1:port+i).
    #[arg(long, default_value_t = 9300)]
    pub key_server_base_port: u16,
}

impl Default for SealArgs {
    fn default() -> Self {
        Self {
            key_servers: 3,
            key_server_base_port: 9300,
        }
    }
}

/// One key server in `localnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct KeyServerEntry {
    /// The `KeyServer` object ID (`0x` + 64 hex digits): the server's identity.
    pub object_id: String,
    /// Its URL, as registered on chain.
    pub url: String,
    /// Its master public key, `0x` + hex of the 96-byte compressed G2 element.
    pub public_key: String,
    /// Path of its `key-server.toml`.
    pub config: String,
}

/// The `seal` section of `localnet.json` (also kept in `<data>/seal.json` for restarts).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SealInfo {
    /// The `seal` package.
    pub seal_package_id: String,
    /// The `policies` package (the first package ID of its identities).
    pub policies_package_id: String,
    /// The threshold clients encrypt with: 2, or the number of servers if fewer.
    pub threshold: u8,
    /// The key servers, in index order.
    pub key_servers: Vec<KeyServerEntry>,
}

/// The Seal packages on a chain: the key servers' genesis, `key-server.toml` files and
/// `seal.json`.
#[derive(Debug)]
pub struct SealPackage {
    args: SealArgs,
    built: Option<Vec<KeyServerSecrets>>,
    info: Option<SealInfo>,
}

impl SealPackage {
    /// The Seal packages with these genesis flags.
    pub fn new(args: SealArgs) -> Self {
        Self {
            args,
            built: None,
            info: None,
        }
    }
}

impl ChainPackage for SealPackage {
    fn name(&self) -> &'static str {
        "seal"
    }

    fn register(&self, registry: &mut NativeRegistry) {
        register(registry);
    }

    fn genesis(&mut self, ctx: &GenesisContext<'_>) -> anyhow::Result<Vec<GenesisObjectSpec>> {
        let (objects, servers) = genesis::build(&self.args, ctx)?;
        self.built = Some(servers);
        Ok(objects)
    }

    fn package_objects(&self, registry: &NativeRegistry) -> Vec<sui_sdk_types::MovePackage> {
        package_objects(registry)
    }

    fn open(
        &mut self,
        data: &Path,
        rpc_url: &str,
        _node: &Arc<Node>,
    ) -> anyhow::Result<JsonFields> {
        let path = data.join(SEAL_JSON);
        let info: SealInfo = match self.built.take() {
            Some(servers) => {
                let info = genesis::write_configs(data, rpc_url, &servers)?;
                crate::run::write_json(&path, &info)?;
                info
            }
            None if path.exists() => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("while reading {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("while parsing {}", path.display()))?
            }
            // A chain from before the Seal packages.
            None => return Ok(JsonFields::new()),
        };
        let mut fields = JsonFields::new();
        fields.insert("seal".into(), serde_json::to_value(&info)?);
        self.info = Some(info);
        Ok(fields)
    }

    fn fresh_paths(&self) -> &'static [&'static str] {
        &[SEAL_JSON, KEY_SERVERS_DIR]
    }

    fn summary(&self) -> Vec<String> {
        let Some(info) = &self.info else {
            return Vec::new();
        };
        let mut lines = vec![
            format!(
                "seal       {} key servers, threshold {}",
                info.key_servers.len(),
                info.threshold
            ),
            format!("  seal package     {}", info.seal_package_id),
            format!("  policies package {}", info.policies_package_id),
        ];
        for server in &info.key_servers {
            lines.push(format!(
                "  key server {} at {} ({})",
                server.object_id, server.url, server.config
            ));
        }
        lines
    }
}
