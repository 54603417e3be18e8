//! Sui accounts in the Sui CLI keystore format: a JSON array of base64 `flag || secret key`.

use std::path::Path;

use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_sdk_types::Address;

use crate::error::{Result, SuiError};

/// The Ed25519 keys of a Sui keystore file, in file order.
#[derive(Clone)]
pub struct Keystore {
    keys: Vec<Ed25519PrivateKey>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keystore")
            .field("addresses", &self.addresses())
            .finish()
    }
}

impl Keystore {
    /// Reads a keystore. Keys of other schemes are refused with the index of the entry.
    ///
    /// # Errors
    /// If the file cannot be read, is not a JSON array of strings, or holds a key that is
    /// not a base64 Ed25519 key.
    pub fn load(path: &Path) -> Result<Self> {
        let bad = |reason: String| SuiError::BadFile {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|source| SuiError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let entries: Vec<String> = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a Sui keystore (a JSON array of keys): {e}")))?;
        let keys = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                Ed25519PrivateKey::from_base64(entry)
                    .map_err(|e| bad(format!("entry {i} is not an Ed25519 key: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { keys })
    }

    /// A keystore of `n` fresh random keys.
    pub fn generate(n: usize) -> Self {
        Self {
            keys: (0..n)
                .map(|_| Ed25519PrivateKey::new(rand::random()))
                .collect(),
        }
    }

    /// A keystore holding `keys`.
    pub fn from_keys(keys: Vec<Ed25519PrivateKey>) -> Self {
        Self { keys }
    }

    /// Writes the keystore, readable by the owner only, refusing to overwrite a file.
    ///
    /// # Errors
    /// If the file exists or cannot be written.
    pub fn save_new(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let io = |source| SuiError::Io {
            path: path.display().to_string(),
            source,
        };
        let entries: Vec<String> = self.keys.iter().map(|k| k.to_base64()).collect();
        let text =
            serde_json::to_string_pretty(&entries).map_err(|e| SuiError::Signing(e.to_string()))?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// The keys, in file order.
    pub fn keys(&self) -> &[Ed25519PrivateKey] {
        &self.keys
    }

    /// The first key (the default account).
    ///
    /// # Errors
    /// If the keystore is empty.
    pub fn first(&self) -> Result<&Ed25519PrivateKey> {
        self.keys
            .first()
            .ok_or_else(|| SuiError::NotFound("the keystore holds no key".into()))
    }

    /// The key of `address`, if the keystore holds it.
    pub fn key_of(&self, address: Address) -> Option<&Ed25519PrivateKey> {
        self.keys
            .iter()
            .find(|k| k.public_key().derive_address() == address)
    }

    /// The addresses of the keys, in file order.
    pub fn addresses(&self) -> Vec<Address> {
        self.keys
            .iter()
            .map(|k| k.public_key().derive_address())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/keystore");
        let ks = Keystore::generate(2);
        ks.save_new(&path).unwrap();
        assert!(ks.save_new(&path).is_err(), "never overwrites");
        let back = Keystore::load(&path).unwrap();
        assert_eq!(back.addresses(), ks.addresses());
        assert!(back.key_of(ks.addresses()[1]).is_some());
        std::fs::write(&path, r#"["AAAA"]"#).unwrap();
        let err = Keystore::load(&path).unwrap_err().to_string();
        assert!(err.contains("entry 0"), "{err}");
        std::fs::write(&path, "{").unwrap();
        assert!(Keystore::load(&path).is_err());
        assert!(Keystore::from_keys(vec![]).first().is_err());
    }
}
