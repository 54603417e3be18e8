//! `node.toml`: a storage node's identity, keys, addresses and the network it belongs to.
//! `haulout localnet` writes one per genesis node; [`NodeConfig::generate`] makes a new one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use haulout_sui::sdk::Address;
use haulout_sui::{Ed25519PrivateKey, NetworkConfig};
use haulout_types::bls::BlsKey;
use serde::{Deserialize, Serialize};

/// Defaults of the optional knobs.
mod defaults {
    pub(super) fn max_pending_bytes() -> u64 {
        256 << 20
    }
    pub(super) fn recovery_concurrency() -> usize {
        4
    }
    pub(super) fn request_concurrency() -> usize {
        256
    }
}

/// A storage node's configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Display name.
    pub name: String,
    /// The node ID (its staking pool's ID); empty until registered.
    #[serde(default)]
    pub node_id: String,
    /// Where the REST API listens.
    pub listen_address: SocketAddr,
    /// `host:port` the node is reached at (on chain).
    pub network_address: String,
    /// The Sui gRPC URL.
    pub rpc_url: String,
    /// The node's database directory.
    pub storage_path: PathBuf,
    /// BLS12-381 protocol key: 32-byte big-endian scalar, hex.
    pub protocol_key: String,
    /// P-256 network key (Sui keystore format: base64 of flag || secret key).
    pub network_key: String,
    /// The node's Sui account key (Sui keystore format).
    pub sui_key: String,
    /// The address of `sui_key`.
    #[serde(default)]
    pub sui_address: String,
    /// Its `StorageNodeCap`; empty until registered.
    #[serde(default)]
    pub storage_node_cap_id: String,
    /// The `StakedWal` created at genesis, if any.
    #[serde(default)]
    pub staked_wal_id: String,
    /// The `wal` package.
    pub wal_package_id: Address,
    /// The `walrus` package (type origin).
    pub walrus_package_id: Address,
    /// The `System` object.
    pub system_object_id: Address,
    /// The `Staking` object.
    pub staking_object_id: Address,
    /// Number of shards of the network.
    pub n_shards: u16,
    /// The shards held in the first epoch (informational; the chain is authoritative).
    #[serde(default)]
    pub shards: Vec<u16>,
    /// Bytes of not-yet-registered uploads buffered with `?pending=true`.
    #[serde(default = "defaults::max_pending_bytes")]
    pub max_pending_bytes: u64,
    /// Slivers recovered at once.
    #[serde(default = "defaults::recovery_concurrency")]
    pub recovery_concurrency: usize,
    /// Requests served at once.
    #[serde(default = "defaults::request_concurrency")]
    pub request_concurrency: usize,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid node configuration.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl NodeConfig {
    /// Reads and checks a `node.toml`; a relative `storage_path` is taken relative to the
    /// file's directory.
    ///
    /// # Errors
    /// If the file cannot be read, is not valid TOML of this shape, or holds an invalid key or ID.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.display().to_string(),
            reason,
        };
        let mut config: Self = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if config.storage_path.is_relative() {
            let base = path.parent().unwrap_or_else(|| Path::new("."));
            config.storage_path = base.join(&config.storage_path);
        }
        config.check().map_err(invalid)?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        self.protocol_key()
            .map_err(|e| format!("protocol_key: {e}"))?;
        self.sui_key().map_err(|e| format!("sui_key: {e}"))?;
        if !self.node_id.is_empty() {
            self.node_id().map_err(|e| format!("node_id: {e}"))?;
        }
        if !self.storage_node_cap_id.is_empty() {
            self.cap_id()
                .map_err(|e| format!("storage_node_cap_id: {e}"))?;
        }
        if self.n_shards < 4 {
            return Err(format!(
                "n_shards is {}; Red Stuff needs at least 4",
                self.n_shards
            ));
        }
        Ok(())
    }

    /// The BLS protocol key.
    ///
    /// # Errors
    /// If `protocol_key` is not a 32-byte hex scalar.
    pub fn protocol_key(&self) -> Result<BlsKey, String> {
        let bytes =
            hex::decode(self.protocol_key.trim_start_matches("0x")).map_err(|e| e.to_string())?;
        BlsKey::from_bytes(&bytes).map_err(|e| e.to_string())
    }

    /// The Sui account key.
    ///
    /// # Errors
    /// If `sui_key` is not a base64 Ed25519 key.
    pub fn sui_key(&self) -> Result<Ed25519PrivateKey, String> {
        Ed25519PrivateKey::from_base64(&self.sui_key).map_err(|e| e.to_string())
    }

    /// The node ID.
    ///
    /// # Errors
    /// If `node_id` is not set or not an address.
    pub fn node_id(&self) -> Result<Address, String> {
        self.node_id
            .parse()
            .map_err(|e| format!("{e}; is the node registered (`haulout node register`)?"))
    }

    /// The `StorageNodeCap` ID.
    ///
    /// # Errors
    /// If it is not set or not an address.
    pub fn cap_id(&self) -> Result<Address, String> {
        self.storage_node_cap_id
            .parse()
            .map_err(|e| format!("{e}; is the node registered (`haulout node register`)?"))
    }

    /// The network this node belongs to, in the shape every chain reader takes.
    pub fn network(&self) -> NetworkConfig {
        NetworkConfig {
            chain_id: None,
            rpc_url: self.rpc_url.clone(),
            faucet_url: None,
            wal_package_id: self.wal_package_id,
            walrus_package_id: self.walrus_package_id,
            system_object_id: self.system_object_id,
            staking_object_id: self.staking_object_id,
            governance_config_id: None,
            treasury_id: None,
            n_shards: Some(self.n_shards),
            epoch_duration_ms: None,
            nodes: Vec::new(),
            keystore: None,
            seal: None,
        }
    }

    /// A new, unregistered node of `network`: fresh BLS, P-256 and Sui keys; `node_id` and
    /// `storage_node_cap_id` are filled in by registration.
    pub fn generate(
        name: &str,
        listen_address: SocketAddr,
        network_address: &str,
        storage_path: PathBuf,
        network: &NetworkConfig,
        n_shards: u16,
    ) -> Self {
        let bls = BlsKey::from_ikm(&rand::random());
        let network_key = haulout_sui::crypto::secp256r1::Secp256r1PrivateKey::new(rand::random());
        let sui_key = Ed25519PrivateKey::new(rand::random());
        Self {
            name: name.to_owned(),
            node_id: String::new(),
            listen_address,
            network_address: network_address.to_owned(),
            rpc_url: network.rpc_url.clone(),
            storage_path,
            protocol_key: hex::encode(bls.to_bytes()),
            network_key: network_key.to_base64(),
            sui_address: sui_key.public_key().derive_address().to_string(),
            sui_key: sui_key.to_base64(),
            storage_node_cap_id: String::new(),
            staked_wal_id: String::new(),
            wal_package_id: network.wal_package_id,
            walrus_package_id: network.walrus_package_id,
            system_object_id: network.system_object_id,
            staking_object_id: network.staking_object_id,
            n_shards,
            shards: Vec::new(),
            max_pending_bytes: defaults::max_pending_bytes(),
            recovery_concurrency: defaults::recovery_concurrency(),
            request_concurrency: defaults::request_concurrency(),
        }
    }

    /// The compressed P-256 network public key (33 bytes), as registered on chain.
    ///
    /// # Errors
    /// If `network_key` is not a base64 P-256 key.
    pub fn network_public_key(&self) -> Result<Vec<u8>, String> {
        let key =
            haulout_sui::crypto::secp256r1::Secp256r1PrivateKey::from_base64(&self.network_key)
                .map_err(|e| e.to_string())?;
        Ok(key.public_key().as_bytes().to_vec())
    }

    /// Writes the configuration, refusing to overwrite an existing file, readable by the owner
    /// only (it holds secret keys).
    ///
    /// # Errors
    /// If the file exists or cannot be written.
    pub fn save_new(&self, path: &Path) -> Result<(), ConfigError> {
        self.write(path, true)
    }

    /// Rewrites the configuration in place (after registration).
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        self.write(path, false)
    }

    fn write(&self, path: &Path, new: bool) -> Result<(), ConfigError> {
        use std::io::Write as _;
        let io = |source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let tmp = path.with_extension("toml.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        if new && path.exists() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "refusing to overwrite an existing node configuration",
            )));
        }
        let mut file = options.open(&tmp).map_err(io)?;
        file.write_all(
            format!(
                "# haulout storage node. Start it with: haulout node --config {}\n",
                path.display()
            )
            .as_bytes(),
        )
        .map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}
