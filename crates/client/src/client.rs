//! [`Client`]: a Walrus network seen from a user — its chain state and committee, the user's
//! blobs, and their storage nodes.

use haulout_sui::sdk::{Address, Argument, Command, Input, ProgrammableTransaction};
use haulout_sui::{
    Committee, DEFAULT_GAS_BUDGET, Ed25519PrivateKey, Executed, NetworkConfig, SuiClient, Walrus,
    WalrusState,
};
use haulout_types::Blob;
use redstuff::{BlobId, EncodingConfig};
use serde::Serialize;

use crate::error::{ClientError, Result};
use crate::nodes::NodeClient;

/// Bytes per storage unit (prices are per MiB of encoded size).
pub const UNIT_SIZE: u64 = 1 << 20;

/// A connection to a Walrus network, optionally with a key to sign transactions.
#[derive(Clone)]
pub struct Client {
    pub(crate) walrus: Walrus,
    pub(crate) network: NetworkConfig,
    pub(crate) key: Option<Ed25519PrivateKey>,
    pub(crate) nodes: NodeClient,
    /// Uploads that go on after a store returned (see [`Client::finish_uploads`]).
    pub(crate) background: crate::store::Background,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("rpc_url", &self.network.rpc_url)
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

/// A `Blob` object as a user sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct BlobInfo {
    /// The blob ID (base64url).
    pub blob_id: String,
    /// The `Blob` object's ID.
    pub object_id: String,
    /// Unencoded size in bytes.
    pub size: u64,
    /// Epoch of registration.
    pub registered_epoch: u32,
    /// Epoch of certification, once certified.
    pub certified_epoch: Option<u32>,
    /// First epoch the storage no longer covers.
    pub end_epoch: u32,
    /// Whether the owner may delete it.
    pub deletable: bool,
    /// Encoded bytes reserved for it.
    pub storage_size: u64,
}

impl BlobInfo {
    /// From the decoded object.
    pub fn from_blob(blob: &Blob) -> Self {
        Self {
            blob_id: blob.blob_id().to_string(),
            object_id: Address::from(blob.id).to_string(),
            size: blob.size,
            registered_epoch: blob.registered_epoch,
            certified_epoch: blob.certified_epoch,
            end_epoch: blob.storage.end_epoch,
            deletable: blob.deletable,
            storage_size: blob.storage.storage_size,
        }
    }
}

/// What `haulout info` shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInfo {
    /// The current epoch.
    pub epoch: u32,
    /// `EpochChangeSync` or `EpochChangeDone`.
    pub epoch_state: String,
    /// Number of shards.
    pub n_shards: u16,
    /// The largest blob the network takes, in bytes.
    pub max_blob_size: u64,
    /// FROST per MiB of encoded size per epoch.
    pub storage_price: u64,
    /// FROST per MiB of encoded size, once.
    pub write_price: u64,
    /// Total capacity (encoded bytes).
    pub total_capacity: u64,
    /// Capacity in use (encoded bytes).
    pub used_capacity: u64,
    /// How many epochs ahead storage can be bought.
    pub max_epochs_ahead: u32,
    /// The committee.
    pub committee: Vec<MemberInfo>,
}

/// One committee member in [`NetworkInfo`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberInfo {
    /// Its node ID.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// `host:port`.
    pub network_address: String,
    /// Its shards.
    pub shards: Vec<u16>,
    /// Its stake (FROST).
    pub stake: u64,
    /// Commission in basis points.
    pub commission_rate: u16,
}

pub(crate) use haulout_sui::{move_call as call, pure};

/// What [`Client::register`] registers.
pub(crate) struct NewBlob<'a> {
    pub(crate) encoded_size: u64,
    pub(crate) epochs: u32,
    pub(crate) blob_id: &'a BlobId,
    pub(crate) root_hash: [u8; 32],
    pub(crate) size: u64,
    pub(crate) deletable: bool,
    pub(crate) attributes: &'a [(String, String)],
    pub(crate) cost: u64,
}

/// The first result of a command that returns several (`SplitCoins`).
fn nested(result: Argument) -> Argument {
    match result {
        Argument::Result(i) => Argument::NestedResult(i, 0),
        other => other,
    }
}

/// The storage units (MiB, rounded up) of `encoded_size` bytes.
pub fn storage_units(encoded_size: u64) -> u64 {
    encoded_size.div_ceil(UNIT_SIZE)
}

impl Client {
    /// Connects to the network of `network`; `key` signs transactions (reads need none).
    ///
    /// # Errors
    /// If the RPC URL is not valid.
    pub fn connect(network: NetworkConfig, key: Option<Ed25519PrivateKey>) -> Result<Self> {
        let sui = SuiClient::connect(&network.rpc_url)?;
        Ok(Self {
            walrus: Walrus::new(sui, &network),
            network,
            key,
            nodes: NodeClient::default(),
            background: crate::store::Background::default(),
        })
    }

    /// The chain access.
    pub fn walrus(&self) -> &Walrus {
        &self.walrus
    }

    /// The Sui client.
    pub fn sui(&self) -> &SuiClient {
        self.walrus.client()
    }

    /// The network description.
    pub fn network(&self) -> &NetworkConfig {
        &self.network
    }

    /// The storage-node HTTP client.
    pub fn node_client(&self) -> &NodeClient {
        &self.nodes
    }

    /// The signer's address, if a key was given.
    pub fn address(&self) -> Option<Address> {
        self.key.as_ref().map(|k| k.public_key().derive_address())
    }

    pub(crate) fn signer(&self) -> Result<&Ed25519PrivateKey> {
        self.key
            .as_ref()
            .ok_or_else(|| ClientError::Invalid("this command needs a wallet (--wallet)".into()))
    }

    /// The signer's address, or the error a command without a wallet gets.
    pub(crate) fn sender(&self) -> Result<Address> {
        Ok(self.signer()?.public_key().derive_address())
    }

    /// Executes `ptb` signed by the wallet's key.
    ///
    /// # Errors
    /// If there is no key, no gas, or the transaction fails.
    pub async fn execute(&self, ptb: ProgrammableTransaction) -> Result<Executed> {
        Ok(self
            .sui()
            .execute(ptb, self.signer()?, DEFAULT_GAS_BUDGET)
            .await?)
    }

    /// The WAL coin type.
    pub fn wal_type(&self) -> String {
        self.network.wal_coin_type()
    }

    /// The current Walrus state.
    ///
    /// # Errors
    /// If it cannot be read.
    pub async fn state(&self) -> Result<WalrusState> {
        Ok(self.walrus.state().await?)
    }

    /// The current committee with its nodes' addresses.
    ///
    /// # Errors
    /// If it cannot be read.
    pub async fn committee(&self) -> Result<Committee> {
        Ok(self.walrus.committee().await?)
    }

    /// The encoding of the network's current shard count.
    ///
    /// # Errors
    /// If the chain cannot be read or the shard count is unusable.
    pub async fn encoding(&self) -> Result<EncodingConfig> {
        let (_, inner) = self.walrus.system_state().await?;
        Ok(EncodingConfig::new(inner.committee.n_shards)?)
    }

    /// Epoch, committee, prices and capacity.
    ///
    /// # Errors
    /// If the chain cannot be read.
    pub async fn info(&self) -> Result<NetworkInfo> {
        let state = self.state().await?;
        let committee = self
            .walrus
            .committee_of(
                &state.staking.committee,
                state.staking.epoch,
                state.staking.n_shards,
            )
            .await?;
        let inner = &state.system_inner;
        let config = EncodingConfig::new(inner.committee.n_shards)?;
        Ok(NetworkInfo {
            epoch: state.epoch(),
            epoch_state: if state.in_epoch_change() {
                "EpochChangeSync".into()
            } else {
                "EpochChangeDone".into()
            },
            n_shards: inner.committee.n_shards,
            max_blob_size: config.max_blob_size(),
            storage_price: inner.storage_price_per_unit_size,
            write_price: inner.write_price_per_unit_size,
            total_capacity: inner.total_capacity_size,
            used_capacity: inner.used_capacity_size,
            max_epochs_ahead: inner.future_accounting.length,
            committee: committee
                .members
                .iter()
                .map(|m| MemberInfo {
                    node_id: m.node_id.to_string(),
                    name: m.name.clone(),
                    network_address: m.network_address.clone(),
                    shards: m.shards.clone(),
                    stake: m.stake,
                    commission_rate: m.commission_rate,
                })
                .collect(),
        })
    }

    fn blob_type(&self) -> String {
        format!("{}::blob::Blob", self.network.walrus_package_id)
    }

    /// The `Blob` objects owned by `owner` (the wallet's address when `None`).
    ///
    /// # Errors
    /// If the chain cannot be read.
    pub async fn list_blobs(&self, owner: Option<Address>) -> Result<Vec<BlobInfo>> {
        let owner = match owner {
            Some(o) => o,
            None => self
                .address()
                .ok_or_else(|| ClientError::Invalid("give an owner or a wallet".into()))?,
        };
        let objects = self.sui().owned_objects(owner, &self.blob_type()).await?;
        let mut blobs = objects
            .iter()
            .map(|o| o.decode::<Blob>().map(|b| BlobInfo::from_blob(&b)))
            .collect::<Result<Vec<_>, _>>()?;
        blobs.sort_by(|a, b| {
            a.registered_epoch
                .cmp(&b.registered_epoch)
                .then(a.blob_id.cmp(&b.blob_id))
        });
        Ok(blobs)
    }

    /// Reads one `Blob` object.
    ///
    /// # Errors
    /// If it does not exist or is not a `Blob`.
    pub async fn blob_object(&self, object_id: Address) -> Result<Blob> {
        let object = self.sui().object(object_id).await?;
        if object.object_type != self.blob_type() {
            return Err(ClientError::Invalid(format!(
                "{object_id} is a {}, not a Walrus Blob",
                object.object_type
            )));
        }
        Ok(object.decode()?)
    }

    pub(crate) async fn wal_payment(
        &self,
        inputs: &mut Vec<Input>,
        commands: &mut Vec<Command>,
        needed: u64,
    ) -> Result<Argument> {
        let sender = self.sender()?;
        let coins = self.sui().coins(sender, &self.wal_type()).await?;
        let available: u64 = coins.iter().map(|c| c.balance).sum();
        if available < needed || coins.is_empty() {
            return Err(ClientError::NotEnoughWal {
                address: sender.to_string(),
                needed,
                available,
            });
        }
        // The fewest coins that cover the cost, merged into the first.
        let mut chosen = Vec::new();
        let mut sum = 0u64;
        for coin in &coins {
            chosen.push(coin.reference.clone());
            sum += coin.balance;
            if sum >= needed {
                break;
            }
        }
        let first = inputs.len() as u16;
        for reference in chosen.iter() {
            inputs.push(Input::ImmutableOrOwned(reference.clone()));
        }
        if chosen.len() > 1 {
            commands.push(Command::MergeCoins(haulout_sui::sdk::MergeCoins {
                coin: Argument::Input(first),
                coins_to_merge: (first + 1..first + chosen.len() as u16)
                    .map(Argument::Input)
                    .collect(),
            }));
        }
        Ok(Argument::Input(first))
    }

    /// Deletes a deletable blob the wallet owns; its storage resource goes back to the wallet.
    ///
    /// # Errors
    /// If the object is not a deletable blob of the wallet's, or the transaction fails.
    pub async fn delete(&self, object_id: Address) -> Result<Executed> {
        let blob = self.blob_object(object_id).await?;
        if !blob.deletable {
            return Err(ClientError::Invalid(format!(
                "blob {} ({object_id}) is permanent: it cannot be deleted",
                blob.blob_id()
            )));
        }
        let sender = self.sender()?;
        let sui = self.sui();
        let package = self.walrus.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                sui.shared_input(self.walrus.system_id(), false).await?,
                Input::ImmutableOrOwned(sui.owned_ref(object_id).await?),
                pure(&sender)?,
            ],
            commands: vec![
                call(
                    package,
                    "system",
                    "delete_blob",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                Command::TransferObjects(haulout_sui::sdk::TransferObjects {
                    objects: vec![Argument::Result(0)],
                    address: Argument::Input(2),
                }),
            ],
        };
        self.execute(ptb).await
    }

    /// Extends a certified blob by `epochs`, paying from the wallet's WAL.
    ///
    /// # Errors
    /// If the blob is not certified, the extension goes beyond the maximum, or the transaction
    /// fails.
    pub async fn extend(&self, object_id: Address, epochs: u32) -> Result<(Executed, u32)> {
        let blob = self.blob_object(object_id).await?;
        if blob.certified_epoch.is_none() {
            return Err(ClientError::Invalid(format!(
                "blob {} is not certified: only certified blobs can be extended",
                blob.blob_id()
            )));
        }
        let (_, inner) = self.walrus.system_state().await?;
        let cost = storage_units(blob.storage.storage_size)
            * inner.storage_price_per_unit_size
            * u64::from(epochs);
        let sui = self.sui();
        let package = self.walrus.call_package().await?;
        let mut inputs = vec![
            sui.shared_input(self.walrus.system_id(), true).await?,
            Input::ImmutableOrOwned(sui.owned_ref(object_id).await?),
            pure(&epochs)?,
        ];
        let mut commands = Vec::new();
        let coin = self.wal_payment(&mut inputs, &mut commands, cost).await?;
        commands.push(call(
            package,
            "system",
            "extend_blob",
            vec![
                Argument::Input(0),
                Argument::Input(1),
                Argument::Input(2),
                coin,
            ],
        ));
        let executed = self
            .execute(ProgrammableTransaction { inputs, commands })
            .await?;
        Ok((executed, blob.storage.end_epoch + epochs))
    }

    pub(crate) async fn register(&self, new: NewBlob<'_>) -> Result<(Executed, Address)> {
        let NewBlob {
            encoded_size,
            epochs,
            blob_id,
            root_hash,
            size,
            deletable,
            attributes,
            cost,
        } = new;
        let sender = self.sender()?;
        let sui = self.sui();
        let package = self.walrus.call_package().await?;
        let mut inputs = vec![
            sui.shared_input(self.walrus.system_id(), true).await?,
            pure(&encoded_size)?,
            pure(&epochs)?,
            pure(blob_id.as_bytes())?,
            pure(&root_hash)?,
            pure(&size)?,
            pure(&1u8)?,
            pure(&deletable)?,
            pure(&sender)?,
        ];
        let mut commands = Vec::new();
        let coin = self.wal_payment(&mut inputs, &mut commands, cost).await?;
        let storage = Argument::Result(commands.len() as u16);
        commands.push(call(
            package,
            "system",
            "reserve_space",
            vec![
                Argument::Input(0),
                Argument::Input(1),
                Argument::Input(2),
                coin,
            ],
        ));
        let blob = Argument::Result(commands.len() as u16);
        commands.push(call(
            package,
            "system",
            "register_blob",
            vec![
                Argument::Input(0),
                storage,
                Argument::Input(3),
                Argument::Input(4),
                Argument::Input(5),
                Argument::Input(6),
                Argument::Input(7),
                coin,
            ],
        ));
        for (key, value) in attributes {
            let k = inputs.len() as u16;
            inputs.push(pure(key)?);
            inputs.push(pure(value)?);
            commands.push(call(
                package,
                "blob",
                "insert_or_update_metadata_pair",
                vec![blob, Argument::Input(k), Argument::Input(k + 1)],
            ));
        }
        commands.push(Command::TransferObjects(
            haulout_sui::sdk::TransferObjects {
                objects: vec![blob],
                address: Argument::Input(8),
            },
        ));
        let executed = self
            .execute(ProgrammableTransaction { inputs, commands })
            .await?;
        let object = executed
            .created_of_type(&self.blob_type())
            .ok_or_else(|| ClientError::Invalid("register_blob created no Blob object".into()))?;
        Ok((executed, object))
    }

    /// Stakes `amount` FROST of the wallet's WAL with node `node_id`
    /// (`staking::stake_with_pool`); returns the transaction and the new `StakedWal`.
    ///
    /// # Errors
    /// If the wallet holds too little WAL or the call aborts (e.g. an unknown node).
    pub async fn stake(&self, node_id: Address, amount: u64) -> Result<(Executed, Address)> {
        let sender = self.sender()?;
        let sui = self.sui();
        let package = self.walrus.call_package().await?;
        let mut inputs = vec![
            sui.shared_input(self.walrus.staking_id(), true).await?,
            pure(&amount)?,
            pure(&node_id)?,
            pure(&sender)?,
        ];
        let mut commands = Vec::new();
        let coin = self.wal_payment(&mut inputs, &mut commands, amount).await?;
        let split = Argument::Result(commands.len() as u16);
        commands.push(Command::SplitCoins(haulout_sui::sdk::SplitCoins {
            coin,
            amounts: vec![Argument::Input(1)],
        }));
        let staked = Argument::Result(commands.len() as u16);
        commands.push(call(
            package,
            "staking",
            "stake_with_pool",
            vec![Argument::Input(0), nested(split), Argument::Input(2)],
        ));
        commands.push(Command::TransferObjects(
            haulout_sui::sdk::TransferObjects {
                objects: vec![staked],
                address: Argument::Input(3),
            },
        ));
        let executed = self
            .execute(ProgrammableTransaction { inputs, commands })
            .await?;
        let staked_type = format!("{}::staked_wal::StakedWal", self.network.walrus_package_id);
        let staked_id = executed
            .created_of_type(&staked_type)
            .ok_or_else(|| ClientError::Invalid("stake_with_pool created no StakedWal".into()))?;
        Ok((executed, staked_id))
    }

    pub(crate) async fn certify(
        &self,
        object_id: Address,
        signature: Vec<u8>,
        bitmap: Vec<u8>,
        message: Vec<u8>,
    ) -> Result<Executed> {
        let sui = self.sui();
        let package = self.walrus.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                sui.shared_input(self.walrus.system_id(), false).await?,
                Input::ImmutableOrOwned(sui.owned_ref(object_id).await?),
                pure(&signature)?,
                pure(&bitmap)?,
                pure(&message)?,
            ],
            commands: vec![call(
                package,
                "system",
                "certify_blob",
                (0..5).map(Argument::Input).collect(),
            )],
        };
        self.execute(ptb).await
    }
}
