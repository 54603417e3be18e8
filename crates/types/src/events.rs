//! Walrus events, module `walrus::events` (walrus-onchain.md §4.8). All are `copy, drop`; an
//! event's BCS is its fields in order.

use serde::{Deserialize, Serialize};

use crate::ids::{Epoch, ObjectId, U256};
use crate::move_type::move_struct;

/// `walrus::events::BlobRegistered`: A blob was registered (`register_blob`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlobRegistered {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// Unencoded size in bytes.
    pub size: u64,
    /// Encoding type (1 = RS2).
    pub encoding_type: u8,
    /// First epoch the blob is no longer stored.
    pub end_epoch: Epoch,
    /// Whether the blob is deletable.
    pub deletable: bool,
    /// The `Blob` object.
    pub object_id: ObjectId,
}

move_struct!(BlobRegistered, Walrus, "events", "BlobRegistered", struct [("epoch", "u32"), ("blob_id", "u256"), ("size", "u64"), ("encoding_type", "u8"), ("end_epoch", "u32"), ("deletable", "bool"), ("object_id", "ID")]);

/// `walrus::events::BlobCertified`: A blob was certified, or a certified blob extended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlobCertified {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// First epoch the blob is no longer stored.
    pub end_epoch: Epoch,
    /// Whether the blob is deletable.
    pub deletable: bool,
    /// The `Blob` object.
    pub object_id: ObjectId,
    /// Whether this is an extension of an already certified blob.
    pub is_extension: bool,
}

move_struct!(BlobCertified, Walrus, "events", "BlobCertified", struct [("epoch", "u32"), ("blob_id", "u256"), ("end_epoch", "u32"), ("deletable", "bool"), ("object_id", "ID"), ("is_extension", "bool")]);

/// `walrus::events::BlobDeleted`: A deletable blob was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlobDeleted {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// The end epoch it had.
    pub end_epoch: Epoch,
    /// The deleted `Blob` object.
    pub object_id: ObjectId,
    /// Whether it had been certified.
    pub was_certified: bool,
}

move_struct!(BlobDeleted, Walrus, "events", "BlobDeleted", struct [("epoch", "u32"), ("blob_id", "u256"), ("end_epoch", "u32"), ("object_id", "ID"), ("was_certified", "bool")]);

/// `walrus::events::InvalidBlobID`: A blob ID was certified invalid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvalidBlobID {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
}

move_struct!(InvalidBlobID, Walrus, "events", "InvalidBlobID", struct [("epoch", "u32"), ("blob_id", "u256")]);

/// `walrus::events::EpochChangeStart`: An epoch change started.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EpochChangeStart {
    /// The new epoch.
    pub epoch: Epoch,
}

move_struct!(EpochChangeStart, Walrus, "events", "EpochChangeStart", struct [("epoch", "u32")]);

/// `walrus::events::EpochChangeDone`: An epoch change finished.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EpochChangeDone {
    /// The new epoch.
    pub epoch: Epoch,
}

move_struct!(EpochChangeDone, Walrus, "events", "EpochChangeDone", struct [("epoch", "u32")]);

/// `walrus::events::ShardsReceived`: A node received shards.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardsReceived {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The shards.
    pub shards: Vec<u16>,
}

move_struct!(ShardsReceived, Walrus, "events", "ShardsReceived", struct [("epoch", "u32"), ("shards", "vector<u16>")]);

/// `walrus::events::EpochParametersSelected`: The next epoch's committee and parameters were selected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EpochParametersSelected {
    /// The next epoch.
    pub next_epoch: Epoch,
}

move_struct!(EpochParametersSelected, Walrus, "events", "EpochParametersSelected", struct [("next_epoch", "u32")]);

/// `walrus::events::ShardRecoveryStart`: A node started recovering shards.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardRecoveryStart {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The shards.
    pub shards: Vec<u16>,
}

move_struct!(ShardRecoveryStart, Walrus, "events", "ShardRecoveryStart", struct [("epoch", "u32"), ("shards", "vector<u16>")]);

/// `walrus::events::ContractUpgraded`: The package was upgraded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractUpgraded {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The new package.
    pub package_id: ObjectId,
    /// The new version.
    pub version: u64,
}

move_struct!(ContractUpgraded, Walrus, "events", "ContractUpgraded", struct [("epoch", "u32"), ("package_id", "ID"), ("version", "u64")]);

/// `walrus::events::RegisterDenyListUpdate`: A node registered a deny-list update.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegisterDenyListUpdate {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The deny list's root.
    pub root: U256,
    /// The deny list's sequence number.
    pub sequence_number: u64,
    /// The node.
    pub node_id: ObjectId,
}

move_struct!(RegisterDenyListUpdate, Walrus, "events", "RegisterDenyListUpdate", struct [("epoch", "u32"), ("root", "u256"), ("sequence_number", "u64"), ("node_id", "ID")]);

/// `walrus::events::DenyListUpdate`: A node's deny-list update was certified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DenyListUpdate {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The deny list's root.
    pub root: U256,
    /// The deny list's sequence number.
    pub sequence_number: u64,
    /// The node.
    pub node_id: ObjectId,
}

move_struct!(DenyListUpdate, Walrus, "events", "DenyListUpdate", struct [("epoch", "u32"), ("root", "u256"), ("sequence_number", "u64"), ("node_id", "ID")]);

/// `walrus::events::DenyListBlobDeleted`: A deny-listed blob was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DenyListBlobDeleted {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
}

move_struct!(DenyListBlobDeleted, Walrus, "events", "DenyListBlobDeleted", struct [("epoch", "u32"), ("blob_id", "u256")]);

/// `walrus::events::ContractUpgradeProposed`: A package upgrade was proposed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractUpgradeProposed {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// Digest of the proposed package.
    pub package_digest: Vec<u8>,
}

move_struct!(ContractUpgradeProposed, Walrus, "events", "ContractUpgradeProposed", struct [("epoch", "u32"), ("package_digest", "vector<u8>")]);

/// `walrus::events::ContractUpgradeQuorumReached`: A package upgrade reached a quorum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractUpgradeQuorumReached {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// Digest of the package.
    pub package_digest: Vec<u8>,
}

move_struct!(ContractUpgradeQuorumReached, Walrus, "events", "ContractUpgradeQuorumReached", struct [("epoch", "u32"), ("package_digest", "vector<u8>")]);

/// `walrus::events::ProtocolVersionUpdated`: The protocol version was updated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProtocolVersionUpdated {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// First epoch of the new version.
    pub start_epoch: Epoch,
    /// The new version.
    pub protocol_version: u64,
}

move_struct!(ProtocolVersionUpdated, Walrus, "events", "ProtocolVersionUpdated", struct [("epoch", "u32"), ("start_epoch", "u32"), ("protocol_version", "u64")]);

/// `walrus::events::PricesUpdated`: The storage and write prices were updated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PricesUpdated {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// FROST per MiB per epoch.
    pub storage_price: u64,
    /// FROST per MiB.
    pub write_price: u64,
}

move_struct!(PricesUpdated, Walrus, "events", "PricesUpdated", struct [("epoch", "u32"), ("storage_price", "u64"), ("write_price", "u64")]);

/// `walrus::events::StoragePoolCreated`: A storage pool was created.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoragePoolCreated {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The pool.
    pub storage_pool_id: ObjectId,
    /// Reserved capacity in encoded bytes.
    pub reserved_encoded_capacity_bytes: u64,
    /// First epoch.
    pub start_epoch: Epoch,
    /// Exclusive end epoch.
    pub end_epoch: Epoch,
}

move_struct!(StoragePoolCreated, Walrus, "events", "StoragePoolCreated", struct [("epoch", "u32"), ("storage_pool_id", "ID"), ("reserved_encoded_capacity_bytes", "u64"), ("start_epoch", "u32"), ("end_epoch", "u32")]);

/// `walrus::events::PooledBlobRegistered`: A blob was registered in a storage pool.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PooledBlobRegistered {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// Unencoded size in bytes.
    pub unencoded_size: u64,
    /// Encoding type.
    pub encoding_type: u8,
    /// Whether the blob is deletable.
    pub deletable: bool,
    /// The pooled blob.
    pub object_id: ObjectId,
    /// The pool.
    pub storage_pool_id: ObjectId,
}

move_struct!(PooledBlobRegistered, Walrus, "events", "PooledBlobRegistered", struct [("epoch", "u32"), ("blob_id", "u256"), ("unencoded_size", "u64"), ("encoding_type", "u8"), ("deletable", "bool"), ("object_id", "ID"), ("storage_pool_id", "ID")]);

/// `walrus::events::PooledBlobCertified`: A pooled blob was certified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PooledBlobCertified {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// Whether the blob is deletable.
    pub deletable: bool,
    /// The pooled blob.
    pub object_id: ObjectId,
    /// The pool.
    pub storage_pool_id: ObjectId,
}

move_struct!(PooledBlobCertified, Walrus, "events", "PooledBlobCertified", struct [("epoch", "u32"), ("blob_id", "u256"), ("deletable", "bool"), ("object_id", "ID"), ("storage_pool_id", "ID")]);

/// `walrus::events::PooledBlobDeleted`: A pooled blob was deleted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PooledBlobDeleted {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The blob ID.
    pub blob_id: U256,
    /// The pooled blob.
    pub object_id: ObjectId,
    /// Whether it had been certified.
    pub was_certified: bool,
    /// The pool.
    pub storage_pool_id: ObjectId,
}

move_struct!(PooledBlobDeleted, Walrus, "events", "PooledBlobDeleted", struct [("epoch", "u32"), ("blob_id", "u256"), ("object_id", "ID"), ("was_certified", "bool"), ("storage_pool_id", "ID")]);

/// `walrus::events::StoragePoolExtended`: A storage pool was extended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoragePoolExtended {
    /// Epoch of the event.
    pub epoch: Epoch,
    /// The pool.
    pub storage_pool_id: ObjectId,
    /// The new exclusive end epoch.
    pub new_end_epoch: Epoch,
}

move_struct!(StoragePoolExtended, Walrus, "events", "StoragePoolExtended", struct [("epoch", "u32"), ("storage_pool_id", "ID"), ("new_end_epoch", "u32")]);
