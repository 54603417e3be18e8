//! Genesis of the `wal` and `walrus` packages (contracts.md §6).
//!
//! The local chain has no Move VM to run `init`, so genesis writes the objects that publishing
//! both packages and running, in order, `wal::init`, `init::initialize_walrus`,
//! `staking::register_candidate` (proof of possession checked), `staking::stake_with_pool`
//! for each node, and the change to epoch 1 leave behind:
//!
//! - `ProtectedTreasury` (shared) with `TreasuryCap<WAL>` under its dynamic object field,
//!   the frozen `CoinMetadata<WAL>`, and the minted supply split into `Coin<WAL>`s for the
//!   funded accounts (the remainder to the faucet, which plays the publisher);
//! - `System` (shared) with its `SystemStateInnerV1` field: the committee of all nodes with
//!   equal shards, epoch 1, the configured prices, capacity and the accounting ring buffer
//!   rotated once, as the first epoch change leaves it;
//! - `Staking` (shared) with its `StakingInnerV1` field: `n_shards`, epoch 1 in
//!   `EpochChangeDone`, the committee (node ID → shards, sorted by node ID), the active set,
//!   and one `StakingPool` per node under the `pools` object table, with its exchange rates,
//!   node metadata and bag;
//! - per node: a `StorageNodeCap` and the `StakedWal` of its genesis stake, owned by the node's
//!   Sui account (funded with SUI for gas);
//! - `GovernanceConfig` (shared) with the defaults of `governance::init`.

use std::path::Path;
use std::path::PathBuf;

use anyhow::Context as _;
use haulout_types::ActiveSet;
use haulout_types::ActiveSetEntry;
use haulout_types::Authorized;
use haulout_types::Bag;
use haulout_types::Balance;
use haulout_types::BlsCommittee;
use haulout_types::BlsCommitteeMember;
use haulout_types::Coin;
use haulout_types::CoinMetadata;
use haulout_types::Committee;
use haulout_types::Element;
use haulout_types::EpochState;
use haulout_types::EventBlobCertificationState;
use haulout_types::ExtendedField;
use haulout_types::ExtendedFieldKey;
use haulout_types::Field;
use haulout_types::FutureAccounting;
use haulout_types::FutureAccountingRingBuffer;
use haulout_types::GovernanceConfig;
use haulout_types::MoveStruct;
use haulout_types::MoveType;
use haulout_types::NodeMetadata;
use haulout_types::ObjectId;
use haulout_types::ObjectTable;
use haulout_types::Packages;
use haulout_types::PendingValues;
use haulout_types::PoolExchangeRate;
use haulout_types::PoolState;
use haulout_types::ProtectedTreasury;
use haulout_types::StakedWal;
use haulout_types::StakedWalState;
use haulout_types::Staking;
use haulout_types::StakingInnerV1;
use haulout_types::StakingPool;
use haulout_types::StorageNodeCap;
use haulout_types::StorageNodeInfo;
use haulout_types::System;
use haulout_types::SystemStateInnerV1;
use haulout_types::Table;
use haulout_types::TreasuryCap;
use haulout_types::TreasuryCapKey;
use haulout_types::Url;
use haulout_types::VecMap;
use haulout_types::VotingParams;
use haulout_types::Wal;
use haulout_types::Wrapper;
use serde::Deserialize;
use serde::Serialize;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_crypto::secp256r1::Secp256r1PrivateKey;
use sui_sdk_types::Address;
use sui_sdk_types::Owner;
use sui_sdk_types::StructTag;

use super::GENESIS_SEED;
use super::WalrusArgs;
use super::bls;
use crate::node::GenesisContext;
use crate::node::GenesisObjectSpec;

/// Version of `System` and `Staking` (`system::VERSION`, `staking::VERSION`).
const VERSION: u64 = 1;
/// `staking_inner::ACTIVE_SET_SIZE_LIMIT`.
const ACTIVE_SET_SIZE_LIMIT: u16 = 150;
/// `staking_inner::MIN_STAKE`.
const MIN_STAKE: u64 = 0;
/// Capacity each node votes for at genesis (1 TiB).
pub const NODE_CAPACITY: u64 = 1 << 40;
/// The epoch the chain starts in.
pub const FIRST_EPOCH: u32 = 1;
/// SUI given to each storage node's account at genesis (for `epoch_sync_done` and the like).
pub const NODE_SUI_MIST: u64 = 1_000 * 1_000_000_000;

/// One storage node in `localnet.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NodeEntry {
    /// The node ID (= its staking pool's ID).
    pub node_id: String,
    /// `host:port` (no scheme), as registered on chain.
    pub network_address: String,
    /// Path of the node's `node.toml`.
    pub config: String,
}

/// What Walrus genesis created: the `localnet.json` fields, also kept in `<data>/walrus.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WalrusGenesis {
    /// The `wal` package.
    pub wal_package_id: String,
    /// The `walrus` package (its type-origin address; the SDK's calls target it).
    pub walrus_package_id: String,
    /// The shared `System` object (the SDK's `systemObjectId`).
    pub system_object_id: String,
    /// The shared `Staking` object (the SDK's `stakingPoolId`).
    pub staking_object_id: String,
    /// The shared `GovernanceConfig`.
    pub governance_config_id: String,
    /// The shared `ProtectedTreasury` of WAL.
    pub treasury_id: String,
    /// Number of shards.
    pub n_shards: u16,
    /// Walrus epoch duration in milliseconds.
    pub epoch_duration_ms: u64,
    /// The storage nodes, sorted by node ID (the committee order).
    pub nodes: Vec<NodeEntry>,
}

/// The secrets and on-chain identity of one storage node, for its `node.toml`.
#[derive(Clone, Debug)]
pub struct NodeSecrets {
    /// Index (in creation order).
    pub index: usize,
    /// Display name.
    pub name: String,
    /// The node ID.
    pub node_id: Address,
    /// `host:port`.
    pub network_address: String,
    /// The BLS protocol key.
    pub protocol_key: bls::BlsKey,
    /// The P-256 network key.
    pub network_key: Secp256r1PrivateKey,
    /// The node's Sui account key.
    pub sui_key: Ed25519PrivateKey,
    /// Its `StorageNodeCap`.
    pub cap_id: Address,
    /// Its genesis `StakedWal`.
    pub staked_wal_id: Address,
    /// The shards it holds in epoch 1.
    pub shards: Vec<u16>,
}

/// Everything genesis produced.
#[derive(Clone, Debug)]
pub struct GenesisOutput {
    /// The objects to add to the genesis transaction.
    pub objects: Vec<GenesisObjectSpec>,
    /// The IDs for `localnet.json` (node config paths are filled in by [`write_node_configs`]).
    pub info: WalrusGenesis,
    /// The nodes' secrets.
    pub nodes: Vec<NodeSecrets>,
}

struct Builder {
    packages: Packages,
    next: u64,
    objects: Vec<GenesisObjectSpec>,
}

impl Builder {
    fn fresh(&mut self) -> Address {
        // IDs 0 and 1 are the packages.
        let id = Address::derive_id(GENESIS_SEED, 2 + self.next);
        self.next += 1;
        id
    }

    fn tag<T: MoveStruct>(&self) -> StructTag {
        T::struct_tag(&self.packages)
    }

    fn push<T: Serialize + MoveStruct>(
        &mut self,
        value: &T,
        public: bool,
        owner: Owner,
    ) -> anyhow::Result<()> {
        self.objects.push(GenesisObjectSpec {
            type_: self.tag::<T>(),
            has_public_transfer: public,
            contents: bcs::to_bytes(value)?,
            owner,
        });
        Ok(())
    }

    /// `dynamic_field::add(parent, key, value)`; returns the field's ID.
    fn field<K, V>(&mut self, parent: Address, key: K, value: V) -> anyhow::Result<Address>
    where
        K: Serialize + MoveType,
        V: Serialize + MoveType,
        Field<K, V>: MoveStruct,
    {
        let key_bytes = bcs::to_bytes(&key)?;
        let id = parent.derive_dynamic_child_id(&K::type_tag(&self.packages), &key_bytes);
        let field = Field {
            id: id.into(),
            name: key,
            value,
        };
        self.push(&field, false, Owner::Object(parent))?;
        Ok(id)
    }

    /// `dynamic_object_field::add(parent, key, child)` for a child of ID `child_id`; returns
    /// the owner the child must get.
    fn object_field<K>(
        &mut self,
        parent: Address,
        key: K,
        child_id: Address,
    ) -> anyhow::Result<Owner>
    where
        K: Serialize + MoveType,
        Wrapper<K>: MoveStruct,
        Field<Wrapper<K>, ObjectId>: MoveStruct,
    {
        let field_id = self.field(parent, Wrapper { name: key }, ObjectId::from(child_id))?;
        Ok(Owner::Object(field_id))
    }

    /// `extended_field::new(value)`.
    fn extended<T>(&mut self, value: T) -> anyhow::Result<ExtendedField<T>>
    where
        T: Serialize + MoveType,
        Field<ExtendedFieldKey, T>: MoveStruct,
    {
        let id = self.fresh();
        self.field(id, ExtendedFieldKey::default(), value)?;
        Ok(ExtendedField::new(id.into()))
    }
}

fn random_bytes() -> [u8; 32] {
    rand::random()
}

/// Builds the Walrus genesis objects for `ctx` (the funded accounts and the faucet).
///
/// # Errors
/// If the arguments are inconsistent (no shards per node, too many nodes), a proof of
/// possession fails to verify, or an object does not encode.
pub fn build(args: &WalrusArgs, ctx: &GenesisContext<'_>) -> anyhow::Result<GenesisOutput> {
    let n_nodes = args.nodes;
    anyhow::ensure!(
        n_nodes > 0,
        "Walrus genesis needs at least one storage node"
    );
    let n_shards = usize::from(args.n_shards);
    anyhow::ensure!(
        n_shards >= n_nodes && n_shards % n_nodes == 0,
        "--n-shards ({n_shards}) must be a positive multiple of --nodes ({n_nodes}) so every \
         node gets the same number of shards"
    );
    anyhow::ensure!(
        args.max_epochs_ahead > 0 && args.max_epochs_ahead <= 1000,
        "--max-epochs-ahead must be between 1 and 1000"
    );
    anyhow::ensure!(
        args.storage_price > 0 && args.write_price > 0,
        "prices must be non-zero"
    );
    let packages = super::packages();
    let mut b = Builder {
        packages,
        next: 0,
        objects: Vec::new(),
    };
    let frost = Wal::FROST_PER_WAL;

    // === wal::init ===
    let treasury_cap_id = b.fresh();
    let metadata_id = b.fresh();
    let treasury_id = b.fresh();
    let wal_metadata = CoinMetadata::<Wal>::new(
        metadata_id.into(),
        Wal::DECIMALS,
        Wal::COIN_NAME.to_owned(),
        Wal::SYMBOL.to_owned(),
        "The native token for the Walrus Protocol.".to_owned(),
        Some(Url {
            url: "https://www.walrus.xyz/wal-icon.svg".to_owned(),
        }),
    );
    b.push(&wal_metadata, true, Owner::Immutable)?;
    b.push(
        &ProtectedTreasury {
            id: treasury_id.into(),
        },
        false,
        Owner::Shared(1),
    )?;
    let cap_owner = b.object_field(treasury_id, TreasuryCapKey::default(), treasury_cap_id)?;
    b.push(
        &TreasuryCap::<Wal> {
            id: treasury_cap_id.into(),
            total_supply: haulout_types::Supply::new(Wal::TOTAL_SUPPLY_FROST),
        },
        true,
        cap_owner,
    )?;
    let mut unallocated = Wal::TOTAL_SUPPLY_FROST;
    let mut take = |amount: u64| -> anyhow::Result<u64> {
        unallocated = unallocated
            .checked_sub(amount)
            .context("the genesis WAL exceeds the total supply of 5·10⁹ WAL")?;
        Ok(amount)
    };
    let per_account = args
        .wal_per_account
        .checked_mul(frost)
        .context("--wal-per-account is too large")?;
    let stake = args
        .stake_per_node
        .checked_mul(frost)
        .context("--stake-per-node is too large")?;
    anyhow::ensure!(stake > 0, "--stake-per-node must be positive");
    let mut wal_coins = Vec::new();
    for account in ctx.accounts {
        wal_coins.push((*account, take(per_account)?));
    }
    for _ in 0..n_nodes {
        take(stake)?;
    }
    wal_coins.push((ctx.faucet, unallocated));
    for (owner, amount) in wal_coins {
        if amount == 0 {
            continue;
        }
        let coin = Coin::<Wal> {
            id: b.fresh().into(),
            balance: Balance::new(amount),
        };
        b.push(&coin, true, Owner::Address(owner))?;
    }

    // === init::initialize_walrus: System and Staking ===
    let walrus_package = ObjectId::from(super::walrus_package());
    let system_id = b.fresh();
    let deny_list_sizes = b.extended(VecMap::<ObjectId, u64>::default())?;
    let staking_id = b.fresh();
    let pools_id = b.fresh();

    // === register_candidate (epoch 0) for each node ===
    struct Candidate {
        secrets: NodeSecrets,
        pool: StakingPool,
    }
    let mut candidates = Vec::new();
    for index in 0..n_nodes {
        let protocol_key = bls::BlsKey::from_ikm(&random_bytes());
        let mut network_bytes = random_bytes();
        network_bytes[0] &= 0x7f; // below the P-256 group order
        network_bytes[31] |= 1; // never zero
        let network_key = Secp256r1PrivateKey::new(network_bytes);
        let sui_key = Ed25519PrivateKey::new(random_bytes());
        let operator = sui_key.public_key().derive_address();
        let public_key = protocol_key.public_key();
        let port = usize::from(args.node_base_port)
            .checked_add(index)
            .and_then(|p| u16::try_from(p).ok())
            .context("--node-base-port + --nodes exceeds the port range")?;
        let network_address = format!("127.0.0.1:{port}");
        let name = format!("haulout-node-{index}");
        // staking_pool::new: the proof of possession, for the sender and epoch 0.
        let pop_message = bls::proof_of_possession_message(0, operator.as_bytes(), &public_key);
        let pop = protocol_key.sign(&pop_message);
        anyhow::ensure!(
            bls::verify(&pop, &public_key, &pop_message),
            "the proof of possession of node {index} does not verify"
        );
        let node_id = b.fresh();
        let exchange_rates_id = b.fresh();
        b.field(exchange_rates_id, 0u32, PoolExchangeRate::Flat)?;
        b.field(exchange_rates_id, FIRST_EPOCH, PoolExchangeRate::Flat)?;
        let metadata = b.extended(NodeMetadata::default())?;
        let extra_fields_id = b.fresh();
        let cap_id = b.fresh();
        let network_public_key = network_key.public_key().as_bytes().to_vec();
        anyhow::ensure!(network_public_key.len() == 33, "P-256 keys are 33 bytes");
        let pool = StakingPool {
            id: node_id.into(),
            state: PoolState::Active,
            voting_params: VotingParams {
                storage_price: args.storage_price,
                write_price: args.write_price,
                node_capacity: NODE_CAPACITY,
            },
            node_info: StorageNodeInfo {
                name: name.clone(),
                node_id: node_id.into(),
                network_address: network_address.clone(),
                public_key: Element::new(protocol_key.public_key_uncompressed().to_vec()),
                next_epoch_public_key: None,
                network_public_key,
                metadata,
            },
            activation_epoch: 0,
            latest_epoch: FIRST_EPOCH,
            wal_balance: stake,
            num_shares: stake,
            pending_shares_withdraw: PendingValues::default(),
            pre_active_withdrawals: PendingValues::default(),
            pending_commission_rate: PendingValues::default(),
            commission_rate: 0,
            exchange_rates: Table::new(exchange_rates_id.into(), 2),
            pending_stake: PendingValues::default(),
            rewards_pool: Balance::new(0),
            commission: Balance::new(0),
            commission_receiver: Authorized::ObjectID(cap_id.into()),
            governance_authorized: Authorized::Address(ObjectId::from(operator).into()),
            extra_fields: Bag {
                id: extra_fields_id.into(),
                size: 0,
            },
        };
        b.push(
            &StorageNodeCap {
                id: cap_id.into(),
                node_id: node_id.into(),
                last_epoch_sync_done: 0,
                last_event_blob_attestation: None,
                deny_list_root: haulout_types::U256::ZERO,
                deny_list_sequence: 0,
                deny_list_size: 0,
            },
            true,
            Owner::Address(operator),
        )?;
        // stake_with_pool at epoch 0: active from epoch 1.
        let staked_wal_id = b.fresh();
        b.push(
            &StakedWal {
                id: staked_wal_id.into(),
                state: StakedWalState::Staked,
                node_id: node_id.into(),
                principal: Balance::new(stake),
                activation_epoch: FIRST_EPOCH,
            },
            true,
            Owner::Address(operator),
        )?;
        let mut gas = b.fresh().as_bytes().to_vec();
        gas.extend_from_slice(&NODE_SUI_MIST.to_le_bytes());
        b.objects.push(GenesisObjectSpec {
            type_: StructTag::gas_coin(),
            has_public_transfer: true,
            contents: gas,
            owner: Owner::Address(operator),
        });
        candidates.push(Candidate {
            secrets: NodeSecrets {
                index,
                name,
                node_id,
                network_address,
                protocol_key,
                network_key,
                sui_key,
                cap_id,
                staked_wal_id,
                shards: Vec::new(),
            },
            pool,
        });
    }

    // === The first committee: equal shards, in node ID order (committee::initialize) ===
    candidates.sort_by_key(|c| c.secrets.node_id);
    let per_node = n_shards / n_nodes;
    let mut members = Vec::new();
    let mut committee = Vec::new();
    let mut active = Vec::new();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    for (i, c) in candidates.iter_mut().enumerate() {
        let shards: Vec<u16> = (i * per_node..(i + 1) * per_node)
            .map(u16::try_from)
            .collect::<Result<_, _>>()?;
        c.secrets.shards = shards.clone();
        let weight = u16::try_from(per_node)?;
        members.push(BlsCommitteeMember {
            public_key: c.pool.node_info.public_key.clone(),
            weight,
            node_id: c.secrets.node_id.into(),
        });
        keys.push(c.pool.node_info.public_key.bytes.clone());
        committee.push((ObjectId::from(c.secrets.node_id), shards));
        active.push(ActiveSetEntry {
            node_id: c.secrets.node_id.into(),
            staked_amount: stake,
        });
    }
    let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let total_key = bls::aggregate_public_keys(&key_refs).context("aggregating the node keys")?;
    let bls_committee = BlsCommittee {
        members,
        n_shards: args.n_shards,
        epoch: FIRST_EPOCH,
        total_aggregated_key: Element::new(total_key.compress().to_vec()),
    };

    // The ring buffer as `ring_new(L)` then one `ring_pop_expand` leave it.
    let length = args.max_epochs_ahead;
    let mut ring: Vec<FutureAccounting> = (0..length)
        .map(|epoch| FutureAccounting {
            epoch,
            used_capacity: 0,
            rewards_to_distribute: Balance::new(0),
        })
        .collect();
    ring.push(FutureAccounting {
        epoch: length,
        used_capacity: 0,
        rewards_to_distribute: Balance::new(0),
    });
    ring.swap_remove(0);
    let total_capacity_size = NODE_CAPACITY
        .checked_mul(n_nodes as u64)
        .context("too many nodes")?;
    let system_inner = SystemStateInnerV1 {
        committee: bls_committee,
        total_capacity_size,
        used_capacity_size: 0,
        storage_price_per_unit_size: args.storage_price,
        write_price_per_unit_size: args.write_price,
        future_accounting: FutureAccountingRingBuffer {
            current_index: 1 % length,
            length,
            ring_buffer: ring,
        },
        event_blob_certification_state: EventBlobCertificationState::default(),
        deny_list_sizes,
    };
    b.push(
        &System {
            id: system_id.into(),
            version: VERSION,
            package_id: walrus_package,
            new_package_id: None,
        },
        false,
        Owner::Shared(1),
    )?;
    b.field(system_id, VERSION, system_inner)?;

    let total_stake = stake
        .checked_mul(n_nodes as u64)
        .context("the total stake overflows")?;
    let active_set = b.extended(ActiveSet {
        max_size: ACTIVE_SET_SIZE_LIMIT,
        threshold_stake: MIN_STAKE,
        nodes: active,
        total_stake,
    })?;
    let next_epoch_public_keys =
        b.extended(VecMap::<ObjectId, Element<haulout_types::UncompressedG1>>::default())?;
    let epoch_duration_ms =
        u64::try_from(args.epoch_duration.as_millis()).context("--epoch-duration is too long")?;
    let staking_inner = StakingInnerV1 {
        n_shards: args.n_shards,
        epoch_duration: epoch_duration_ms,
        first_epoch_start: ctx.epoch_start_ms,
        pools: ObjectTable::new(pools_id.into(), n_nodes as u64),
        epoch: FIRST_EPOCH,
        active_set,
        next_committee: None,
        committee: Committee(committee.into_iter().collect()),
        previous_committee: Committee::default(),
        next_epoch_params: None,
        epoch_state: EpochState::EpochChangeDone(ctx.epoch_start_ms),
        next_epoch_public_keys,
    };
    b.push(
        &Staking {
            id: staking_id.into(),
            version: VERSION,
            package_id: walrus_package,
            new_package_id: None,
        },
        false,
        Owner::Shared(1),
    )?;
    b.field(staking_id, VERSION, staking_inner)?;
    for c in &candidates {
        let owner = b.object_field(
            pools_id,
            ObjectId::from(c.secrets.node_id),
            c.secrets.node_id,
        )?;
        b.push(&c.pool, true, owner)?;
    }

    // === governance::init ===
    let governance_id = b.fresh();
    b.push(
        &GovernanceConfig {
            id: governance_id.into(),
            next_number: 0,
            min_stake_to_propose: 1_000_000_000_000,
            voting_period_epochs: 2,
            quorum_bps: 2000,
            pass_threshold_bps: 5000,
        },
        false,
        Owner::Shared(1),
    )?;

    let nodes: Vec<NodeSecrets> = candidates.into_iter().map(|c| c.secrets).collect();
    let info = WalrusGenesis {
        wal_package_id: super::wal_package().to_string(),
        walrus_package_id: super::walrus_package().to_string(),
        system_object_id: system_id.to_string(),
        staking_object_id: staking_id.to_string(),
        governance_config_id: governance_id.to_string(),
        treasury_id: treasury_id.to_string(),
        n_shards: args.n_shards,
        epoch_duration_ms,
        nodes: nodes
            .iter()
            .map(|n| NodeEntry {
                node_id: n.node_id.to_string(),
                network_address: n.network_address.clone(),
                config: String::new(),
            })
            .collect(),
    };
    Ok(GenesisOutput {
        objects: b.objects,
        info,
        nodes,
    })
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// Writes `<data>/nodes/<i>/node.toml` for every node and fills in `info.nodes[].config`.
///
/// # Errors
/// If a file cannot be written.
pub fn write_node_configs(
    data: &Path,
    rpc_url: &str,
    nodes: &[NodeSecrets],
    info: &mut WalrusGenesis,
) -> anyhow::Result<()> {
    for node in nodes {
        let dir = data.join("nodes").join(node.index.to_string());
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("while creating {}", dir.display()))?;
        let path: PathBuf = dir.join("node.toml");
        let shards = node
            .shards
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let text = format!(
            "# Storage node {index} of a haulout local Walrus network, written at genesis.\n\
             # Start it with: haulout node --config {path}\n\
             name = {name}\n\
             node_id = {node_id}\n\
             listen_address = {listen}\n\
             network_address = {listen}\n\
             rpc_url = {rpc}\n\
             storage_path = {storage}\n\
             # BLS12-381 protocol key (32-byte big-endian scalar, hex).\n\
             protocol_key = {protocol_key}\n\
             # P-256 network key (Sui keystore format: base64 of flag || secret key).\n\
             network_key = {network_key}\n\
             # The node's Sui account (Sui keystore format: base64 of flag || secret key).\n\
             sui_key = {sui_key}\n\
             sui_address = {sui_address}\n\
             storage_node_cap_id = {cap}\n\
             staked_wal_id = {staked}\n\
             wal_package_id = {wal}\n\
             walrus_package_id = {walrus}\n\
             system_object_id = {system}\n\
             staking_object_id = {staking}\n\
             n_shards = {n_shards}\n\
             # Shards held in the first epoch.\n\
             shards = [{shards}]\n",
            index = node.index,
            path = path.display(),
            name = toml_string(&node.name),
            node_id = toml_string(&node.node_id.to_string()),
            listen = toml_string(&node.network_address),
            rpc = toml_string(rpc_url),
            storage = toml_string(&dir.join("storage").display().to_string()),
            protocol_key = toml_string(&hex::encode(node.protocol_key.to_bytes())),
            network_key = toml_string(&node.network_key.to_base64()),
            sui_key = toml_string(&node.sui_key.to_base64()),
            sui_address = toml_string(&node.sui_key.public_key().derive_address().to_string()),
            cap = toml_string(&node.cap_id.to_string()),
            staked = toml_string(&node.staked_wal_id.to_string()),
            wal = toml_string(&info.wal_package_id),
            walrus = toml_string(&info.walrus_package_id),
            system = toml_string(&info.system_object_id),
            staking = toml_string(&info.staking_object_id),
            n_shards = info.n_shards,
        );
        std::fs::write(&path, text).with_context(|| format!("while writing {}", path.display()))?;
        if let Some(entry) = info
            .nodes
            .iter_mut()
            .find(|e| e.node_id == node.node_id.to_string())
        {
            entry.config = path.display().to_string();
        }
    }
    Ok(())
}
