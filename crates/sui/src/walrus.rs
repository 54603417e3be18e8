//! Typed reads of the Walrus objects: `System`, `Staking`, their inner states (the `u64`
//! dynamic field keyed by the object's version, as the TypeScript SDK derives it) and the
//! committee with each node's pool.

use haulout_types::{
    Committee as CommitteeMap, EpochState, Field, ObjectId, Packages, StakingInnerV1, StakingPool,
    System, SystemStateInnerV1, TypeTag, derive_dynamic_field_id,
};
use sui_sdk_types::Address;

use crate::client::SuiClient;
use crate::error::{Result, SuiError};
use crate::network::NetworkConfig;

/// A node of a committee, as clients and nodes need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeMember {
    /// The node ID (= its staking pool's ID).
    pub node_id: Address,
    /// Its display name.
    pub name: String,
    /// `host:port`, no scheme.
    pub network_address: String,
    /// Its BLS public key, uncompressed (96 bytes), as stored on chain.
    pub public_key: Vec<u8>,
    /// The shards it holds in this committee, in the committee's order.
    pub shards: Vec<u16>,
    /// The pool's staked WAL (FROST).
    pub stake: u64,
    /// The pool's commission rate (basis points).
    pub commission_rate: u16,
}

/// A committee: its epoch, shard count and members in committee order (sorted by node ID,
/// which is also the order of signer bitmaps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    /// The epoch it serves.
    pub epoch: u32,
    /// The number of shards.
    pub n_shards: u16,
    /// The members.
    pub members: Vec<CommitteeMember>,
}

impl Committee {
    /// The member holding `shard`, with its index.
    pub fn owner_of(&self, shard: u16) -> Option<(usize, &CommitteeMember)> {
        self.members
            .iter()
            .enumerate()
            .find(|(_, m)| m.shards.contains(&shard))
    }

    /// The member with ID `node_id`, with its index.
    pub fn member(&self, node_id: Address) -> Option<(usize, &CommitteeMember)> {
        self.members
            .iter()
            .enumerate()
            .find(|(_, m)| m.node_id == node_id)
    }

    /// Whether shard weight `w` is a quorum (3w ≥ 2n + 1).
    pub fn is_quorum(&self, w: u32) -> bool {
        3 * w > 2 * u32::from(self.n_shards)
    }

    /// Whether shard weight `w` includes at least one correct node (3w ≥ n + 1).
    pub fn is_validity(&self, w: u32) -> bool {
        3 * w > u32::from(self.n_shards)
    }
}

/// Everything about the current epoch that a client or node reads at once.
#[derive(Debug, Clone)]
pub struct WalrusState {
    /// The `System` object.
    pub system: System,
    /// Its inner state (committee keys, capacity, prices).
    pub system_inner: SystemStateInnerV1,
    /// The staking inner state (epoch, epoch state, committees).
    pub staking: StakingInnerV1,
    /// The version of the staking inner state's field object that was read.
    pub staking_version: u64,
}

impl WalrusState {
    /// The current epoch.
    pub fn epoch(&self) -> u32 {
        self.staking.epoch
    }

    /// Whether an epoch change is in progress (nodes are moving shards).
    pub fn in_epoch_change(&self) -> bool {
        matches!(self.staking.epoch_state, EpochState::EpochChangeSync(_))
    }
}

/// Reads of the Walrus deployment of a [`NetworkConfig`].
#[derive(Debug, Clone)]
pub struct Walrus {
    client: SuiClient,
    packages: Packages,
    system_id: Address,
    staking_id: Address,
}

impl Walrus {
    /// The Walrus deployment described by `network`, over `client`.
    pub fn new(client: SuiClient, network: &NetworkConfig) -> Self {
        Self {
            client,
            packages: network.packages(),
            system_id: network.system_object_id,
            staking_id: network.staking_object_id,
        }
    }

    /// The chain client.
    pub fn client(&self) -> &SuiClient {
        &self.client
    }

    /// The type-origin packages.
    pub fn packages(&self) -> Packages {
        self.packages
    }

    /// The `System` object's ID.
    pub fn system_id(&self) -> Address {
        self.system_id
    }

    /// The `Staking` object's ID.
    pub fn staking_id(&self) -> Address {
        self.staking_id
    }

    /// The `System` object.
    ///
    /// # Errors
    /// If it cannot be read or decoded.
    pub async fn system(&self) -> Result<System> {
        self.client.object(self.system_id).await?.decode()
    }

    /// `System` and its inner state.
    ///
    /// # Errors
    /// If they cannot be read or decoded.
    pub async fn system_state(&self) -> Result<(System, SystemStateInnerV1)> {
        let system = self.system().await?;
        let inner = self.inner_field(self.system_id, system.version).await?;
        let field: Field<u64, SystemStateInnerV1> = inner.decode()?;
        Ok((system, field.value))
    }

    /// The staking inner state and the version of its field object.
    ///
    /// # Errors
    /// If it cannot be read or decoded.
    pub async fn staking_state(&self) -> Result<(StakingInnerV1, u64)> {
        let staking: System = self.client.object(self.staking_id).await?.decode()?;
        let inner = self.inner_field(self.staking_id, staking.version).await?;
        let field: Field<u64, StakingInnerV1> = inner.decode()?;
        Ok((field.value, inner.version))
    }

    /// `System`, both inner states, read one after the other.
    ///
    /// # Errors
    /// If they cannot be read or decoded.
    pub async fn state(&self) -> Result<WalrusState> {
        let (system, system_inner) = self.system_state().await?;
        let (staking, staking_version) = self.staking_state().await?;
        Ok(WalrusState {
            system,
            system_inner,
            staking,
            staking_version,
        })
    }

    /// The staking pools of `node_ids`, in that order.
    ///
    /// # Errors
    /// If a pool is missing or does not decode.
    pub async fn pools(&self, node_ids: &[Address]) -> Result<Vec<StakingPool>> {
        let objects = self.client.objects(node_ids).await?;
        objects
            .into_iter()
            .zip(node_ids)
            .map(|(object, id)| {
                object
                    .ok_or_else(|| SuiError::NotFound(format!("staking pool {id}")))?
                    .decode()
            })
            .collect()
    }

    /// The members of a committee map (node ID → shards), with their pools.
    ///
    /// # Errors
    /// If a pool cannot be read.
    pub async fn committee_of(
        &self,
        map: &CommitteeMap,
        epoch: u32,
        n_shards: u16,
    ) -> Result<Committee> {
        let ids: Vec<Address> = map.0.contents.iter().map(|e| e.key.into()).collect();
        let pools = self.pools(&ids).await?;
        let members = map
            .0
            .contents
            .iter()
            .zip(pools)
            .map(|(entry, pool)| CommitteeMember {
                node_id: entry.key.into(),
                name: pool.node_info.name.clone(),
                network_address: pool.node_info.network_address.clone(),
                public_key: pool.node_info.public_key.bytes.clone(),
                shards: entry.value.clone(),
                stake: pool.wal_balance,
                commission_rate: pool.commission_rate,
            })
            .collect();
        Ok(Committee {
            epoch,
            n_shards,
            members,
        })
    }

    /// The current committee (from the staking state, with each node's pool).
    ///
    /// # Errors
    /// If the state or a pool cannot be read.
    pub async fn committee(&self) -> Result<Committee> {
        let (staking, _) = self.staking_state().await?;
        self.committee_of(&staking.committee, staking.epoch, staking.n_shards)
            .await
    }

    async fn inner_field(&self, parent: Address, version: u64) -> Result<crate::ObjectData> {
        let id: Address = derive_dynamic_field_id(
            ObjectId::from(parent),
            &TypeTag::U64,
            &version.to_le_bytes(),
        )
        .into();
        self.client.object(id).await
    }
}
