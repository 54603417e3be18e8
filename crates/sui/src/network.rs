//! Where a network is: the `localnet.json` that `haulout localnet` writes, or the same fields
//! for a real Sui network.

use std::path::{Path, PathBuf};

use haulout_types::Packages;
use serde::{Deserialize, Serialize};
use sui_sdk_types::Address;

use crate::error::{Result, SuiError};

/// A Walrus network on a Sui chain: the RPC endpoint, the packages and the shared objects.
///
/// Its JSON form is `localnet.json` (camelCase keys); every other key of that file is
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfig {
    /// The chain ID (base58 digest of the genesis checkpoint), if known.
    #[serde(default)]
    pub chain_id: Option<String>,
    /// The Sui gRPC URL.
    pub rpc_url: String,
    /// The faucet URL (`POST` a `FixedAmountRequest`), on a local network.
    #[serde(default)]
    pub faucet_url: Option<String>,
    /// The `wal` package.
    pub wal_package_id: Address,
    /// The `walrus` package (its type-origin address).
    pub walrus_package_id: Address,
    /// The shared `System` object.
    pub system_object_id: Address,
    /// The shared `Staking` object.
    pub staking_object_id: Address,
    /// The shared `GovernanceConfig`, where governance is deployed.
    #[serde(default)]
    pub governance_config_id: Option<Address>,
    /// The shared `ProtectedTreasury` of WAL.
    #[serde(default)]
    pub treasury_id: Option<Address>,
    /// Number of shards (informational: the chain's `System` is authoritative).
    #[serde(default)]
    pub n_shards: Option<u16>,
    /// Walrus epoch duration in milliseconds (informational).
    #[serde(default)]
    pub epoch_duration_ms: Option<u64>,
    /// The genesis storage nodes of a local network, in committee order.
    #[serde(default)]
    pub nodes: Vec<NetworkNode>,
    /// The Sui keystore of the funded accounts of a local network.
    #[serde(default)]
    pub keystore: Option<String>,
    /// The Seal deployment (packages and key servers), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealNetwork>,
}

/// A Seal deployment: the `seal` section of `localnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SealNetwork {
    /// The `seal` package (`key_server`, `time`).
    pub seal_package_id: Address,
    /// The `policies` package (`private`, `allowlist`, `subscription`, `tle`).
    pub policies_package_id: Address,
    /// How many key servers must release a key, by default.
    pub threshold: u8,
    /// The network's key servers.
    pub key_servers: Vec<SealKeyServer>,
}

/// A key server listed in `localnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SealKeyServer {
    /// Its `KeyServer` object (its identity).
    pub object_id: Address,
    /// Its URL.
    pub url: String,
    /// Its IBE public key (hex, 96 bytes).
    #[serde(default)]
    pub public_key: String,
    /// The path of its `key-server.toml`, on a local network.
    #[serde(default)]
    pub config: String,
}

/// A genesis storage node listed in `localnet.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkNode {
    /// The node ID.
    pub node_id: Address,
    /// `host:port`.
    pub network_address: String,
    /// The path of its `node.toml`.
    #[serde(default)]
    pub config: String,
}

impl NetworkConfig {
    /// Reads a network file (`localnet.json`).
    ///
    /// # Errors
    /// If the file cannot be read, or lacks the Walrus fields (a chain started with
    /// `--nodes 0` has no Walrus deployment).
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| SuiError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| SuiError::BadFile {
            path: path.display().to_string(),
            reason: format!(
                "not a Walrus network file ({e}); was the chain started with --nodes 0?"
            ),
        })
    }

    /// The type-origin packages, for Move type tags.
    pub fn packages(&self) -> Packages {
        Packages {
            walrus: self.walrus_package_id,
            wal: self.wal_package_id,
        }
    }

    /// The keystore of this network: the `keystore` key if set, else the file `keystore`
    /// beside the network file `path`.
    pub fn keystore_path(&self, path: &Path) -> PathBuf {
        match &self.keystore {
            Some(k) => PathBuf::from(k),
            None => path
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("keystore"),
        }
    }

    /// The coin type of WAL: `<wal package>::wal::WAL`.
    pub fn wal_coin_type(&self) -> String {
        format!("{}::wal::WAL", self.wal_package_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_localnet_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("localnet.json");
        std::fs::write(
            &path,
            r#"{"chainId":"abc","rpcUrl":"http://127.0.0.1:9000","faucetUrl":"http://127.0.0.1:9000/v2/gas",
               "accounts":[],"keystore":"/k","walPackageId":"0x1","walrusPackageId":"0x2",
               "systemObjectId":"0x3","stakingObjectId":"0x4","governanceConfigId":"0x5",
               "treasuryId":"0x6","nShards":12,"epochDurationMs":1000,
               "nodes":[{"nodeId":"0x7","networkAddress":"127.0.0.1:9100","config":"n.toml"}]}"#,
        )
        .unwrap();
        let net = NetworkConfig::load(&path).unwrap();
        assert_eq!(net.n_shards, Some(12));
        assert_eq!(net.nodes[0].network_address, "127.0.0.1:9100");
        assert_eq!(net.keystore_path(&path), PathBuf::from("/k"));
        assert!(net.wal_coin_type().ends_with("::wal::WAL"));
    }

    #[test]
    fn a_chain_without_walrus_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("localnet.json");
        std::fs::write(&path, r#"{"rpcUrl":"http://x"}"#).unwrap();
        let err = NetworkConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("--nodes 0"), "{err}");
        let err = NetworkConfig::load(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(err, SuiError::Io { .. }));
    }
}
