//! Storage resources and blobs (walrus-onchain.md §4.6).

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use serde::{Deserialize, Serialize};

use crate::framework::{Balance, VecMap};
use crate::ids::{BlobId, Epoch, ObjectId, U256};
use crate::move_type::move_struct;
use crate::wal::Wal;

/// `walrus::storage_resource::Storage` (key, store): reserved space for a range of epochs
/// (48 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Storage {
    /// The object ID.
    pub id: ObjectId,
    /// First epoch covered.
    pub start_epoch: Epoch,
    /// First epoch no longer covered (exclusive end).
    pub end_epoch: Epoch,
    /// Size in encoded bytes.
    pub storage_size: u64,
}

move_struct!(Storage, Walrus, "storage_resource", "Storage",
    struct [("id", "UID"), ("start_epoch", "u32"), ("end_epoch", "u32"),
        ("storage_size", "u64")]);

/// `walrus::blob::Blob` (key, store): a registered blob and its storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Blob {
    /// The object ID.
    pub id: ObjectId,
    /// Epoch of registration.
    pub registered_epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// Unencoded size in bytes.
    pub size: u64,
    /// Encoding type (1 = RS2).
    pub encoding_type: u8,
    /// Epoch of first certification, once certified.
    pub certified_epoch: Option<Epoch>,
    /// The storage it occupies.
    pub storage: Storage,
    /// Whether the owner may delete it before it expires.
    pub deletable: bool,
}

impl Blob {
    /// The blob ID in its usual (base64url) form.
    pub fn blob_id(&self) -> BlobId {
        self.blob_id.into()
    }
}

move_struct!(Blob, Walrus, "blob", "Blob",
    struct [("id", "UID"), ("registered_epoch", "u32"), ("blob_id", "u256"), ("size", "u64"),
        ("encoding_type", "u8"), ("certified_epoch", "Option<u32>"), ("storage", "Storage"),
        ("deletable", "bool")]);

/// `walrus::metadata::Metadata` (drop, store): a blob's attributes, stored as its dynamic field
/// under `b"metadata"` ([`Metadata::DYNAMIC_FIELD_KEY`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// Attribute key/value pairs.
    pub metadata: VecMap<String, String>,
}

impl Metadata {
    /// The dynamic-field key (a `vector<u8>`) under which a blob keeps its metadata.
    pub const DYNAMIC_FIELD_KEY: &'static [u8] = b"metadata";
}

move_struct!(Metadata, Walrus, "metadata", "Metadata",
    struct [("metadata", "VecMap<String, String>")]);

/// `walrus::shared_blob::SharedBlob` (key, store): a blob anyone can fund and extend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SharedBlob {
    /// The object ID.
    pub id: ObjectId,
    /// The wrapped (permanent) blob.
    pub blob: Blob,
    /// WAL available to pay for extensions.
    pub funds: Balance<Wal>,
}

move_struct!(SharedBlob, Walrus, "shared_blob", "SharedBlob",
    struct [("id", "UID"), ("blob", "Blob"), ("funds", "Balance<WAL>")]);

/// `walrus::blob::BlobIdDerivation` (drop): what is hashed to give a blob ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlobIdDerivation {
    /// Encoding type (1 = RS2).
    pub encoding_type: u8,
    /// Unencoded size in bytes.
    pub size: u64,
    /// Merkle root over the sliver-pair hashes.
    pub root_hash: U256,
}

impl BlobIdDerivation {
    /// The blob ID: BLAKE2b-256 of the 41-byte BCS of `self` (walrus-protocol.md §2.4).
    pub fn blob_id(&self) -> BlobId {
        let mut hasher = Blake2b::<U32>::new();
        hasher.update([self.encoding_type]);
        hasher.update(self.size.to_le_bytes());
        hasher.update(self.root_hash.to_le_bytes());
        BlobId(hasher.finalize().into())
    }
}

move_struct!(BlobIdDerivation, Walrus, "blob", "BlobIdDerivation",
    struct [("encoding_type", "u8"), ("size", "u64"), ("root_hash", "u256")]);
