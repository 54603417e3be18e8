//! Genesis of the Seal packages: the key servers `create_and_transfer_v2_independent_server`
//! would have registered, and their configuration files.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use anyhow::Context as _;
use fastcrypto::groups::GroupElement as _;
use fastcrypto::groups::bls12381::G2Element;
use fastcrypto::groups::bls12381::Scalar;
use fastcrypto::serde_helpers::ToFromByteArray as _;
use haulout_types::KEY_TYPE_BONEH_FRANKLIN_BLS12381;
use haulout_types::KeyServer;
use haulout_types::KeyServerV2;
use haulout_types::ServerType;
use sui_sdk_types::Address;
use sui_sdk_types::Owner;
use sui_sdk_types::TypeTag;

use super::GENESIS_SEED;
use super::KEY_SERVER_TOML;
use super::KEY_SERVERS_DIR;
use super::KeyServerEntry;
use super::SealArgs;
use super::SealInfo;
use crate::node::GenesisContext;
use crate::node::GenesisObjectSpec;

/// The `KeyServerV2` dynamic field's key: `key_server::V2`.
pub(crate) const V2: u64 = 2;

/// One key server created at genesis, with its secret.
#[derive(Clone)]
pub struct KeyServerSecrets {
    /// Index (port offset).
    pub index: usize,
    /// Its registered name.
    pub name: String,
    /// The `KeyServer` object.
    pub object_id: Address,
    /// The registered URL.
    pub url: String,
    /// `host:port` it listens on.
    pub listen: String,
    /// The master secret key: a BLS12-381 scalar, 32 bytes big-endian.
    pub master_key: [u8; 32],
    /// The master public key, `master_key·g2` compressed (96 bytes).
    pub public_key: [u8; 96],
}

impl std::fmt::Debug for KeyServerSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyServerSecrets")
            .field("index", &self.index)
            .field("object_id", &self.object_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A fresh master key: a nonzero scalar below the group order, from the OS's randomness.
fn master_key() -> anyhow::Result<([u8; 32], [u8; 96])> {
    let mut bytes: [u8; 32] = rand::random();
    bytes[0] &= 0x3f; // below the BLS12-381 group order (0x73ed…)
    bytes[31] |= 1; // never zero
    let msk = Scalar::from_byte_array(&bytes)
        .map_err(|e| anyhow::anyhow!("master key out of range: {e}"))?;
    let pk = G2Element::generator() * msk;
    Ok((bytes, pk.to_byte_array()))
}

/// The objects of `args.key_servers` independent key servers (owned by the faucet, which
/// pays for their `update`s), and their secrets.
///
/// # Errors
/// If a port is out of range or an object does not encode.
pub(crate) fn build(
    args: &SealArgs,
    ctx: &GenesisContext<'_>,
) -> anyhow::Result<(Vec<GenesisObjectSpec>, Vec<KeyServerSecrets>)> {
    let packages = super::packages();
    let key_server_tag = packages
        .struct_tag::<KeyServer>()
        .context("KeyServer tag")?;
    let v2_tag = packages
        .struct_tag::<KeyServerV2>()
        .context("KeyServerV2 tag")?;
    let field_tag = crate::natives::field_type(TypeTag::U64, TypeTag::Struct(Box::new(v2_tag)));
    let mut objects = Vec::new();
    let mut servers = Vec::new();
    for index in 0..args.key_servers {
        let port = u16::try_from(index)
            .ok()
            .and_then(|i| args.key_server_base_port.checked_add(i))
            .context("--key-server-base-port + --key-servers is above 65535")?;
        // IDs 0 and 1 are the packages.
        let object_id = Address::derive_id(GENESIS_SEED, 2 + index as u64);
        let (master_key, public_key) = master_key()?;
        let name = format!("haulout-key-server-{index}");
        let url = format!("http://127.0.0.1:{port}");
        let key_server = KeyServer {
            id: object_id.into(),
            first_version: V2,
            last_version: V2,
        };
        objects.push(GenesisObjectSpec {
            type_: key_server_tag.clone(),
            has_public_transfer: true,
            contents: bcs::to_bytes(&key_server)?,
            owner: Owner::Address(ctx.faucet),
        });
        let key = bcs::to_bytes(&V2)?;
        let field_id = object_id.derive_dynamic_child_id(&TypeTag::U64, &key);
        let mut contents = field_id.as_bytes().to_vec();
        contents.extend_from_slice(&key);
        contents.extend(bcs::to_bytes(&KeyServerV2 {
            name: name.clone(),
            key_type: KEY_TYPE_BONEH_FRANKLIN_BLS12381,
            pk: public_key.to_vec(),
            server_type: ServerType::Independent { url: url.clone() },
        })?);
        objects.push(GenesisObjectSpec {
            type_: field_tag.clone(),
            has_public_transfer: false,
            contents,
            owner: Owner::Object(object_id),
        });
        servers.push(KeyServerSecrets {
            index,
            name,
            object_id,
            url,
            listen: format!("127.0.0.1:{port}"),
            master_key,
            public_key,
        });
    }
    Ok((objects, servers))
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `<data>/key-servers/<i>/key-server.toml` (mode 0600: it holds the master key) for
/// every server, and returns the `seal` section of `localnet.json`.
///
/// # Errors
/// If a file cannot be written.
pub(crate) fn write_configs(
    data: &Path,
    rpc_url: &str,
    servers: &[KeyServerSecrets],
) -> anyhow::Result<SealInfo> {
    let mut entries = Vec::new();
    for server in servers {
        let dir = data.join(KEY_SERVERS_DIR).join(server.index.to_string());
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("while creating {}", dir.display()))?;
        let path = dir.join(KEY_SERVER_TOML);
        let text = format!(
            "# Seal key server {index} of a haulout local network, written at genesis.\n\
             # master_key is secret: a BLS12-381 scalar, 32 bytes big-endian.\n\
             name = {name}\n\
             object_id = {object_id}\n\
             master_key = {master_key}\n\
             listen = {listen}\n\
             rpc_url = {rpc_url}\n\
             seal_package = {seal_package}\n",
            index = server.index,
            name = toml_string(&server.name),
            object_id = toml_string(&server.object_id.to_string()),
            master_key = toml_string(&format!("0x{}", hex::encode(server.master_key))),
            listen = toml_string(&server.listen),
            rpc_url = toml_string(rpc_url),
            seal_package = toml_string(&super::seal_package().to_string()),
        );
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("while writing {}", path.display()))?;
        // `mode` applies only to a new file.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("while restricting {}", path.display()))?;
        file.write_all(text.as_bytes())
            .with_context(|| format!("while writing {}", path.display()))?;
        entries.push(KeyServerEntry {
            object_id: server.object_id.to_string(),
            url: server.url.clone(),
            public_key: format!("0x{}", hex::encode(server.public_key)),
            config: path.display().to_string(),
        });
    }
    Ok(SealInfo {
        seal_package_id: super::seal_package().to_string(),
        policies_package_id: super::policies_package().to_string(),
        threshold: u8::try_from(servers.len().min(2)).unwrap_or(2),
        key_servers: entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_master_key_is_a_scalar_and_its_public_key_a_g2_point() {
        let (msk, pk) = master_key().expect("key");
        let scalar = Scalar::from_byte_array(&msk).expect("in range");
        let point = G2Element::from_byte_array(&pk).expect("valid point");
        assert_eq!(G2Element::generator() * scalar, point);
        assert_ne!(master_key().expect("key").0, msk, "keys are random");
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }
}
