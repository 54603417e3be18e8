//! `key-server.toml`: a key server's identity (its `KeyServer` object), master key, address and
//! the chain it evaluates policies on. `haulout localnet` writes one per genesis key server;
//! [`KeyServerConfig::generate`] makes a new one for `haulout key-server init`.

use std::net::SocketAddr;
use std::path::Path;

use haulout_seal::ibe::MasterKey;
use haulout_sui::sdk::Address;
use serde::{Deserialize, Serialize};

/// Defaults of the optional knobs (Seal's defaults where Seal has one).
mod defaults {
    pub(super) fn session_ttl_max_min() -> u16 {
        30
    }
    pub(super) fn allowed_staleness_ms() -> u64 {
        120_000
    }
    pub(super) fn max_body_bytes() -> usize {
        180 * 1024
    }
    pub(super) fn max_commands() -> usize {
        100
    }
    pub(super) fn rate_limit_per_second() -> u32 {
        200
    }
    pub(super) fn rate_limit_burst() -> u32 {
        400
    }
    pub(super) fn concurrency() -> usize {
        256
    }
}

/// A key server's configuration file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyServerConfig {
    /// Display name (also the `KeyServerV2.name` registered on chain).
    pub name: String,
    /// The `seal::key_server::KeyServer` object: the server's identity, bound into every share.
    pub object_id: Address,
    /// The IBE master secret key: a 32-byte big-endian BLS12-381 scalar, `0x`-hex. Secret.
    pub master_key: String,
    /// Where the HTTP API listens.
    pub listen: SocketAddr,
    /// The Sui gRPC URL of the (trusted) full node policies are evaluated on.
    pub rpc_url: String,
    /// The Seal package (its `time::check_staleness` is prepended to every evaluation).
    pub seal_package: Address,
    /// Longest session a certificate may ask for, in minutes.
    #[serde(default = "defaults::session_ttl_max_min")]
    pub session_ttl_max_min: u16,
    /// How far the chain's clock may lag the server's before it counts as stale, in ms.
    #[serde(default = "defaults::allowed_staleness_ms")]
    pub allowed_staleness_ms: u64,
    /// Largest `fetch_key` body accepted.
    #[serde(default = "defaults::max_body_bytes")]
    pub max_body_bytes: usize,
    /// Most `seal_approve*` calls (keys) in one request.
    #[serde(default = "defaults::max_commands")]
    pub max_commands: usize,
    /// Requests per second each client IP may make (0: no limit).
    #[serde(default = "defaults::rate_limit_per_second")]
    pub rate_limit_per_second: u32,
    /// Requests a client IP may make at once before the rate applies.
    #[serde(default = "defaults::rate_limit_burst")]
    pub rate_limit_burst: u32,
    /// Requests served at once.
    #[serde(default = "defaults::concurrency")]
    pub concurrency: usize,
}

impl std::fmt::Debug for KeyServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyServerConfig")
            .field("name", &self.name)
            .field("object_id", &self.object_id)
            .field("master_key", &"<secret>")
            .field("listen", &self.listen)
            .field("rpc_url", &self.rpc_url)
            .field("seal_package", &self.seal_package)
            .finish_non_exhaustive()
    }
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
    /// The file is not a valid key-server configuration.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl KeyServerConfig {
    /// A configuration with a fresh random master key and the default knobs; `object_id` is
    /// zero until the server is registered on chain.
    pub fn generate<R: rand::RngCore + rand::CryptoRng>(
        name: String,
        listen: SocketAddr,
        rpc_url: String,
        seal_package: Address,
        rng: &mut R,
    ) -> Self {
        let key = MasterKey::generate(rng);
        Self {
            name,
            object_id: Address::ZERO,
            master_key: format!("0x{}", hex::encode(key.to_bytes())),
            listen,
            rpc_url,
            seal_package,
            session_ttl_max_min: defaults::session_ttl_max_min(),
            allowed_staleness_ms: defaults::allowed_staleness_ms(),
            max_body_bytes: defaults::max_body_bytes(),
            max_commands: defaults::max_commands(),
            rate_limit_per_second: defaults::rate_limit_per_second(),
            rate_limit_burst: defaults::rate_limit_burst(),
            concurrency: defaults::concurrency(),
        }
    }

    /// Reads and checks a `key-server.toml`.
    ///
    /// # Errors
    /// If the file cannot be read, is not valid TOML of this shape, or holds an invalid key.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.display().to_string(),
            reason,
        };
        let config: Self = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        config.check().map_err(invalid)?;
        Ok(config)
    }

    /// Writes the file, readable by its owner only (it holds the master key).
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let io = |source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    fn check(&self) -> Result<(), String> {
        self.master_key()?;
        if self.session_ttl_max_min == 0 {
            return Err("session_ttl_max_min must be positive".into());
        }
        if self.max_commands == 0 || self.max_body_bytes == 0 || self.concurrency == 0 {
            return Err("max_commands, max_body_bytes and concurrency must be positive".into());
        }
        Ok(())
    }

    /// The master key.
    ///
    /// # Errors
    /// If `master_key` is not a 32-byte hex scalar below the group order.
    pub fn master_key(&self) -> Result<MasterKey, String> {
        let bytes = hex::decode(self.master_key.trim_start_matches("0x"))
            .map_err(|e| format!("master_key: {e}"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "master_key: expected 32 bytes".to_owned())?;
        MasterKey::from_bytes(&bytes).map_err(|e| format!("master_key: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_configs_round_trip_and_stay_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ks").join("key-server.toml");
        let mut rng = rand::rng();
        let config = KeyServerConfig::generate(
            "ks".into(),
            "127.0.0.1:9300".parse().unwrap(),
            "http://127.0.0.1:9000".into(),
            Address::TWO,
            &mut rng,
        );
        config.save(&path).unwrap();
        assert_eq!(KeyServerConfig::load(&path).unwrap(), config);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the master key must not be readable by others"
            );
        }
        assert!(!format!("{config:?}").contains(&config.master_key[2..]));
    }

    #[test]
    fn bad_master_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key-server.toml");
        let mut rng = rand::rng();
        let mut config = KeyServerConfig::generate(
            "ks".into(),
            "127.0.0.1:9300".parse().unwrap(),
            "http://127.0.0.1:9000".into(),
            Address::TWO,
            &mut rng,
        );
        for bad in ["0x1234", "zz", &format!("0x{}", "ff".repeat(32))] {
            config.master_key = bad.into();
            config.save(&path).unwrap();
            let err = KeyServerConfig::load(&path).unwrap_err().to_string();
            assert!(err.contains("master_key"), "{err}");
        }
    }
}
