//! The `System` object and its inner state (walrus-onchain.md §4.1–§4.2).

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::framework::{Balance, Element, G1, UncompressedG1, VecMap};
use crate::ids::{Epoch, ObjectId, U256};
use crate::move_type::move_struct;
use crate::wal::Wal;

/// `walrus::system::System` (key): the shared system object. Its inner state
/// ([`SystemStateInnerV1`]) is a `u64` dynamic field of `id` keyed by `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct System {
    /// The object ID.
    pub id: ObjectId,
    /// The version, which is the dynamic-field key of the inner state.
    pub version: u64,
    /// The package every move call targets.
    pub package_id: ObjectId,
    /// The package being upgraded to, if any.
    pub new_package_id: Option<ObjectId>,
}

move_struct!(System, Walrus, "system", "System",
    struct [("id", "UID"), ("version", "u64"), ("package_id", "ID"),
        ("new_package_id", "Option<ID>")]);

/// `walrus::system_state_inner::SystemStateInnerV1` (store): committee, capacity, prices and
/// future accounting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SystemStateInnerV1 {
    /// The current committee with its BLS keys.
    pub committee: BlsCommittee,
    /// Total capacity in (encoded) bytes.
    pub total_capacity_size: u64,
    /// Capacity in use, in (encoded) bytes.
    pub used_capacity_size: u64,
    /// FROST per MiB of encoded size per epoch.
    pub storage_price_per_unit_size: u64,
    /// FROST per MiB of encoded size, paid once on registration.
    pub write_price_per_unit_size: u64,
    /// Per-epoch usage and rewards for the epochs ahead.
    pub future_accounting: FutureAccountingRingBuffer,
    /// Event-blob attestations (kept empty by haulout).
    pub event_blob_certification_state: EventBlobCertificationState,
    /// Deny-list sizes per node (value under the extended field's key).
    pub deny_list_sizes: ExtendedField<VecMap<ObjectId, u64>>,
}

move_struct!(SystemStateInnerV1, Walrus, "system_state_inner", "SystemStateInnerV1",
    struct [("committee", "BlsCommittee"), ("total_capacity_size", "u64"),
        ("used_capacity_size", "u64"), ("storage_price_per_unit_size", "u64"),
        ("write_price_per_unit_size", "u64"), ("future_accounting", "FutureAccountingRingBuffer"),
        ("event_blob_certification_state", "EventBlobCertificationState"),
        ("deny_list_sizes", "ExtendedField<VecMap<ID, u64>>")]);

/// `walrus::bls_aggregate::BlsCommittee` (copy, drop, store): the committee that certifies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlsCommittee {
    /// Members sorted by node ID; bit `i` of a signer bitmap refers to `members[i]`.
    pub members: Vec<BlsCommitteeMember>,
    /// Sum of the member weights.
    pub n_shards: u16,
    /// The committee's epoch.
    pub epoch: Epoch,
    /// Sum of the member keys, compressed (48 bytes).
    pub total_aggregated_key: Element<G1>,
}

move_struct!(BlsCommittee, Walrus, "bls_aggregate", "BlsCommittee",
    struct [("members", "vector<BlsCommitteeMember>"), ("n_shards", "u16"), ("epoch", "u32"),
        ("total_aggregated_key", "Element<G1>")]);

/// `walrus::bls_aggregate::BlsCommitteeMember` (copy, drop, store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlsCommitteeMember {
    /// The node's BLS public key, uncompressed (96 bytes).
    pub public_key: Element<UncompressedG1>,
    /// The node's shard count.
    pub weight: u16,
    /// The node ID.
    pub node_id: ObjectId,
}

move_struct!(BlsCommitteeMember, Walrus, "bls_aggregate", "BlsCommitteeMember",
    struct [("public_key", "Element<UncompressedG1>"), ("weight", "u16"), ("node_id", "ID")]);

/// `walrus::storage_accounting::FutureAccountingRingBuffer` (store).
///
/// Invariant: `ring_buffer[(current_index + i) % length].epoch == current_epoch + i`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FutureAccountingRingBuffer {
    /// Slot of the current epoch.
    pub current_index: u32,
    /// Number of slots (= max epochs ahead).
    pub length: u32,
    /// Exactly `length` slots.
    pub ring_buffer: Vec<FutureAccounting>,
}

move_struct!(FutureAccountingRingBuffer, Walrus, "storage_accounting",
    "FutureAccountingRingBuffer",
    struct [("current_index", "u32"), ("length", "u32"),
        ("ring_buffer", "vector<FutureAccounting>")]);

/// `walrus::storage_accounting::FutureAccounting` (store): one epoch's usage and rewards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FutureAccounting {
    /// The epoch this slot accounts for.
    pub epoch: Epoch,
    /// Encoded bytes reserved in that epoch.
    pub used_capacity: u64,
    /// WAL to pay out at the end of that epoch.
    pub rewards_to_distribute: Balance<Wal>,
}

move_struct!(FutureAccounting, Walrus, "storage_accounting", "FutureAccounting",
    struct [("epoch", "u32"), ("used_capacity", "u64"),
        ("rewards_to_distribute", "Balance<WAL>")]);

/// `walrus::event_blob::EventBlobCertificationState` (store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct EventBlobCertificationState {
    /// The latest certified event blob.
    pub latest_certified_blob: Option<EventBlob>,
    /// Attested weight per candidate event blob.
    pub aggregate_weight_per_blob: VecMap<EventBlob, u16>,
}

move_struct!(EventBlobCertificationState, Walrus, "event_blob", "EventBlobCertificationState",
    struct [("latest_certified_blob", "Option<EventBlob>"),
        ("aggregate_weight_per_blob", "VecMap<EventBlob, u16>")]);

/// `walrus::event_blob::EventBlob` (copy, drop, store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventBlob {
    /// The event blob's ID.
    pub blob_id: U256,
    /// The last checkpoint it covers.
    pub ending_checkpoint_sequence_number: u64,
}

move_struct!(EventBlob, Walrus, "event_blob", "EventBlob",
    struct [("blob_id", "u256"), ("ending_checkpoint_sequence_number", "u64")]);

/// `walrus::event_blob::EventBlobAttestation` (copy, drop, store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventBlobAttestation {
    /// The attested checkpoint.
    pub checkpoint_sequence_num: u64,
    /// The epoch of the attestation.
    pub epoch: Epoch,
}

move_struct!(EventBlobAttestation, Walrus, "event_blob", "EventBlobAttestation",
    struct [("checkpoint_sequence_num", "u64"), ("epoch", "u32")]);

/// `walrus::extended_field::ExtendedField<phantom T>` (key, store): a UID whose dynamic field
/// under [`ExtendedFieldKey`] holds the `T` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct ExtendedField<T> {
    /// The UID the value hangs under.
    pub id: ObjectId,
    #[serde(skip)]
    _value: PhantomData<T>,
}

impl<T> ExtendedField<T> {
    /// An extended field with the given UID.
    pub const fn new(id: ObjectId) -> Self {
        Self {
            id,
            _value: PhantomData,
        }
    }
}

move_struct!(ExtendedField<T>, Walrus, "extended_field", "ExtendedField", params ["phantom T"],
    args <T> |p| vec![T::type_tag(p)], struct [("id", "UID")]);

/// `walrus::extended_field::Key()` (copy, drop, store): the key of an extended field's value.
/// BCS `00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ExtendedFieldKey {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(ExtendedFieldKey, Walrus, "extended_field", "Key", struct []);
