//! The `Staking` object, staking pools, storage nodes and stakes (walrus-onchain.md §4.3–§4.5).

use serde::{Deserialize, Serialize};

use crate::framework::{Bag, Balance, Element, ObjectTable, Table, UncompressedG1, VecMap};
use crate::ids::{Address, Epoch, ObjectId, U256};
use crate::move_type::move_struct;
use crate::system::{EventBlobAttestation, ExtendedField};
use crate::wal::Wal;

/// `walrus::staking::Staking` (key): the shared staking object. Its inner state
/// ([`StakingInnerV1`]) is a `u64` dynamic field of `id` keyed by `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Staking {
    /// The object ID.
    pub id: ObjectId,
    /// The version, which is the dynamic-field key of the inner state.
    pub version: u64,
    /// The package every move call targets.
    pub package_id: ObjectId,
    /// The package being upgraded to, if any.
    pub new_package_id: Option<ObjectId>,
}

move_struct!(Staking, Walrus, "staking", "Staking",
    struct [("id", "UID"), ("version", "u64"), ("package_id", "ID"),
        ("new_package_id", "Option<ID>")]);

/// `walrus::staking_inner::StakingInnerV1` (store): pools, committees and the epoch state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StakingInnerV1 {
    /// Number of shards.
    pub n_shards: u16,
    /// Epoch duration in milliseconds.
    pub epoch_duration: u64,
    /// Start of epoch 1, in milliseconds since the Unix epoch.
    pub first_epoch_start: u64,
    /// The staking pools, keyed by node ID.
    pub pools: ObjectTable<ObjectId, StakingPool>,
    /// The current epoch.
    pub epoch: Epoch,
    /// The active set (value under the extended field's key).
    pub active_set: ExtendedField<ActiveSet>,
    /// The committee selected for the next epoch, once `voting_end` ran.
    pub next_committee: Option<Committee>,
    /// The current committee: node ID to shard indices, sorted by node ID.
    pub committee: Committee,
    /// The previous epoch's committee.
    pub previous_committee: Committee,
    /// Capacity and prices selected for the next epoch.
    pub next_epoch_params: Option<EpochParams>,
    /// Where the epoch change stands.
    pub epoch_state: EpochState,
    /// Keys nodes registered for the next epoch.
    pub next_epoch_public_keys: ExtendedField<VecMap<ObjectId, Element<UncompressedG1>>>,
}

move_struct!(StakingInnerV1, Walrus, "staking_inner", "StakingInnerV1",
    struct [("n_shards", "u16"), ("epoch_duration", "u64"), ("first_epoch_start", "u64"),
        ("pools", "ObjectTable<ID, StakingPool>"), ("epoch", "u32"),
        ("active_set", "ExtendedField<ActiveSet>"), ("next_committee", "Option<Committee>"),
        ("committee", "Committee"), ("previous_committee", "Committee"),
        ("next_epoch_params", "Option<EpochParams>"), ("epoch_state", "EpochState"),
        ("next_epoch_public_keys", "ExtendedField<VecMap<ID, Element<UncompressedG1>>>")]);

/// `walrus::staking_inner::EpochState` (enum): where the epoch change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EpochState {
    /// Nodes are moving shards; the weight of those done so far.
    EpochChangeSync(u16),
    /// The epoch change finished at this time (ms).
    EpochChangeDone(u64),
    /// `voting_end` selected the next parameters at this time (ms).
    NextParamsSelected(u64),
}

move_struct!(EpochState, Walrus, "staking_inner", "EpochState",
    enum [("EpochChangeSync", [("0", "u16")]), ("EpochChangeDone", [("0", "u64")]),
        ("NextParamsSelected", [("0", "u64")])]);

/// `walrus::committee::Committee(VecMap<ID, vector<u16>>)`: node ID to shard indices, sorted
/// ascending by node ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Committee(pub VecMap<ObjectId, Vec<u16>>);

move_struct!(Committee, Walrus, "committee", "Committee",
    struct [("0", "VecMap<ID, vector<u16>>")]);

/// `walrus::epoch_parameters::EpochParams` (copy, drop, store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EpochParams {
    /// Total capacity in encoded bytes.
    pub total_capacity_size: u64,
    /// FROST per MiB per epoch.
    pub storage_price_per_unit_size: u64,
    /// FROST per MiB, once.
    pub write_price_per_unit_size: u64,
}

move_struct!(EpochParams, Walrus, "epoch_parameters", "EpochParams",
    struct [("total_capacity_size", "u64"), ("storage_price_per_unit_size", "u64"),
        ("write_price_per_unit_size", "u64")]);

/// `walrus::active_set::ActiveSet` (store): the nodes with the most stake.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ActiveSet {
    /// Maximum number of nodes.
    pub max_size: u16,
    /// Minimum stake to enter.
    pub threshold_stake: u64,
    /// The nodes and their stake.
    pub nodes: Vec<ActiveSetEntry>,
    /// Sum of the stakes.
    pub total_stake: u64,
}

move_struct!(ActiveSet, Walrus, "active_set", "ActiveSet",
    struct [("max_size", "u16"), ("threshold_stake", "u64"), ("nodes", "vector<ActiveSetEntry>"),
        ("total_stake", "u64")]);

/// `walrus::active_set::ActiveSetEntry` (copy, drop, store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActiveSetEntry {
    /// The node.
    pub node_id: ObjectId,
    /// Its stake.
    pub staked_amount: u64,
}

move_struct!(ActiveSetEntry, Walrus, "active_set", "ActiveSetEntry",
    struct [("node_id", "ID"), ("staked_amount", "u64")]);

/// `walrus::staking_pool::StakingPool` (key, store): one node's pool. Its object ID is the node
/// ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StakingPool {
    /// The object ID (= node ID).
    pub id: ObjectId,
    /// Active, withdrawing or withdrawn.
    pub state: PoolState,
    /// The node's votes on prices and capacity.
    pub voting_params: VotingParams,
    /// The node's public information.
    pub node_info: StorageNodeInfo,
    /// First epoch the pool is active in.
    pub activation_epoch: Epoch,
    /// Last epoch the pool was advanced to.
    pub latest_epoch: Epoch,
    /// WAL staked in the pool (FROST).
    pub wal_balance: u64,
    /// Shares issued.
    pub num_shares: u64,
    /// Shares to withdraw, per epoch.
    pub pending_shares_withdraw: PendingValues,
    /// WAL withdrawn before activation, per epoch.
    pub pre_active_withdrawals: PendingValues,
    /// Commission rates taking effect, per epoch.
    pub pending_commission_rate: PendingValues,
    /// Commission rate in basis points.
    pub commission_rate: u16,
    /// Exchange rate per epoch.
    pub exchange_rates: Table<Epoch, PoolExchangeRate>,
    /// Stake becoming active, per epoch.
    pub pending_stake: PendingValues,
    /// Rewards belonging to stakers.
    pub rewards_pool: Balance<Wal>,
    /// Commission earned by the node.
    pub commission: Balance<Wal>,
    /// Who may collect the commission.
    pub commission_receiver: Authorized,
    /// Who may vote in governance for the node.
    pub governance_authorized: Authorized,
    /// Reserved for extensions.
    pub extra_fields: Bag,
}

move_struct!(StakingPool, Walrus, "staking_pool", "StakingPool",
    struct [("id", "UID"), ("state", "PoolState"), ("voting_params", "VotingParams"),
        ("node_info", "StorageNodeInfo"), ("activation_epoch", "u32"), ("latest_epoch", "u32"),
        ("wal_balance", "u64"), ("num_shares", "u64"),
        ("pending_shares_withdraw", "PendingValues"), ("pre_active_withdrawals", "PendingValues"),
        ("pending_commission_rate", "PendingValues"), ("commission_rate", "u16"),
        ("exchange_rates", "Table<u32, PoolExchangeRate>"), ("pending_stake", "PendingValues"),
        ("rewards_pool", "Balance<WAL>"), ("commission", "Balance<WAL>"),
        ("commission_receiver", "Authorized"), ("governance_authorized", "Authorized"),
        ("extra_fields", "Bag")]);

/// `walrus::staking_pool::PoolState` (enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PoolState {
    /// The pool accepts stake.
    Active,
    /// The pool is being withdrawn at this epoch.
    Withdrawing(Epoch),
    /// The pool is withdrawn.
    Withdrawn,
}

move_struct!(PoolState, Walrus, "staking_pool", "PoolState",
    enum [("Active", []), ("Withdrawing", [("0", "u32")]), ("Withdrawn", [])]);

/// `walrus::staking_pool::VotingParams` (store, copy, drop): a node's votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VotingParams {
    /// Storage price vote (FROST per MiB per epoch).
    pub storage_price: u64,
    /// Write price vote (FROST per MiB).
    pub write_price: u64,
    /// Capacity vote (bytes).
    pub node_capacity: u64,
}

move_struct!(VotingParams, Walrus, "staking_pool", "VotingParams",
    struct [("storage_price", "u64"), ("write_price", "u64"), ("node_capacity", "u64")]);

/// `walrus::auth::Authorized` (enum, copy, drop, store): an address or an object capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Authorized {
    /// The sender must be this address.
    Address(Address),
    /// The caller must present this object.
    ObjectID(ObjectId),
}

move_struct!(Authorized, Walrus, "auth", "Authorized",
    enum [("Address", [("0", "address")]), ("ObjectID", [("0", "ID")])]);

/// `walrus::storage_node::StorageNodeInfo` (store): a node's public information.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StorageNodeInfo {
    /// Display name (at most 100 characters).
    pub name: String,
    /// The node ID (= pool ID).
    pub node_id: ObjectId,
    /// `host:port`, with no scheme.
    pub network_address: String,
    /// BLS key, uncompressed (96 bytes).
    pub public_key: Element<UncompressedG1>,
    /// BLS key for the next epoch, if changing.
    pub next_epoch_public_key: Option<Element<UncompressedG1>>,
    /// The node's network (TLS) key, compressed P-256 (33 bytes).
    pub network_public_key: Vec<u8>,
    /// Metadata (value under the extended field's key).
    pub metadata: ExtendedField<NodeMetadata>,
}

move_struct!(StorageNodeInfo, Walrus, "storage_node", "StorageNodeInfo",
    struct [("name", "String"), ("node_id", "ID"), ("network_address", "String"),
        ("public_key", "Element<UncompressedG1>"),
        ("next_epoch_public_key", "Option<Element<UncompressedG1>>"),
        ("network_public_key", "vector<u8>"), ("metadata", "ExtendedField<NodeMetadata>")]);

/// `walrus::node_metadata::NodeMetadata` (copy, drop, store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct NodeMetadata {
    /// Image URL.
    pub image_url: String,
    /// Project URL.
    pub project_url: String,
    /// Description.
    pub description: String,
    /// Other key/value pairs.
    pub extra_fields: VecMap<String, String>,
}

move_struct!(NodeMetadata, Walrus, "node_metadata", "NodeMetadata",
    struct [("image_url", "String"), ("project_url", "String"), ("description", "String"),
        ("extra_fields", "VecMap<String, String>")]);

/// `walrus::pending_values::PendingValues(VecMap<u32, u64>)`: amounts per future epoch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PendingValues(pub VecMap<Epoch, u64>);

move_struct!(PendingValues, Walrus, "pending_values", "PendingValues",
    struct [("0", "VecMap<u32, u64>")]);

/// `walrus::pool_exchange_rate::PoolExchangeRate` (enum, store, copy, drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PoolExchangeRate {
    /// One share per FROST.
    Flat,
    /// A general rate.
    Variable {
        /// WAL side of the rate.
        wal_amount: u128,
        /// Share side of the rate.
        share_amount: u128,
    },
}

move_struct!(PoolExchangeRate, Walrus, "pool_exchange_rate", "PoolExchangeRate",
    enum [("Flat", []), ("Variable", [("wal_amount", "u128"), ("share_amount", "u128")])]);

/// `walrus::staking_pool::NewEpochCommissionBlockedForCollection {}`: a marker (BCS `00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct NewEpochCommissionBlockedForCollection {
    /// The field the Move compiler adds to an empty struct.
    pub dummy_field: bool,
}

move_struct!(NewEpochCommissionBlockedForCollection, Walrus, "staking_pool",
    "NewEpochCommissionBlockedForCollection", struct []);

/// `walrus::storage_node::StorageNodeCap` (key, store): the operator's capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StorageNodeCap {
    /// The object ID.
    pub id: ObjectId,
    /// The node it controls.
    pub node_id: ObjectId,
    /// Last epoch the node reported `epoch_sync_done`.
    pub last_epoch_sync_done: Epoch,
    /// Last event-blob attestation.
    pub last_event_blob_attestation: Option<EventBlobAttestation>,
    /// Root of the node's deny list.
    pub deny_list_root: U256,
    /// Sequence number of the deny list.
    pub deny_list_sequence: u64,
    /// Size of the deny list.
    pub deny_list_size: u64,
}

move_struct!(StorageNodeCap, Walrus, "storage_node", "StorageNodeCap",
    struct [("id", "UID"), ("node_id", "ID"), ("last_epoch_sync_done", "u32"),
        ("last_event_blob_attestation", "Option<EventBlobAttestation>"),
        ("deny_list_root", "u256"), ("deny_list_sequence", "u64"), ("deny_list_size", "u64")]);

/// `walrus::staked_wal::StakedWal` (key, store): WAL staked with a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StakedWal {
    /// The object ID.
    pub id: ObjectId,
    /// Staked or withdrawing.
    pub state: StakedWalState,
    /// The pool it is staked with.
    pub node_id: ObjectId,
    /// The staked WAL.
    pub principal: Balance<Wal>,
    /// First epoch the stake counts in.
    pub activation_epoch: Epoch,
}

move_struct!(StakedWal, Walrus, "staked_wal", "StakedWal",
    struct [("id", "UID"), ("state", "StakedWalState"), ("node_id", "ID"),
        ("principal", "Balance<WAL>"), ("activation_epoch", "u32")]);

/// `walrus::staked_wal::StakedWalState` (enum, store, copy, drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StakedWalState {
    /// Staked.
    Staked,
    /// Withdrawal requested; can be withdrawn from this epoch.
    Withdrawing {
        /// The epoch the withdrawal completes.
        withdraw_epoch: Epoch,
    },
}

move_struct!(StakedWalState, Walrus, "staked_wal", "StakedWalState",
    enum [("Staked", []), ("Withdrawing", [("withdraw_epoch", "u32")])]);

/// `walrus::auth::Authenticated` (enum, drop): who is calling; built in a transaction and
/// never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Authenticated {
    /// The transaction sender.
    Sender(Address),
    /// The holder of this object.
    Object(ObjectId),
}

move_struct!(Authenticated, Walrus, "auth", "Authenticated",
    enum [("Sender", [("0", "address")]), ("Object", [("0", "ID")])]);

/// `walrus::walrus_context::WalrusContext` (drop): the epoch context passed to pools; never
/// stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WalrusContext {
    /// The current epoch.
    pub epoch: Epoch,
    /// Whether the next committee is selected.
    pub committee_selected: bool,
    /// The committee: node ID to shard indices.
    pub committee: VecMap<ObjectId, Vec<u16>>,
}

move_struct!(WalrusContext, Walrus, "walrus_context", "WalrusContext",
    struct [("epoch", "u32"), ("committee_selected", "bool"),
        ("committee", "VecMap<ID, vector<u16>>")]);
