//! The storage-node operator's Walrus transactions: `staking::register_candidate` (with the
//! proof of possession of the node's BLS key) and `staking::epoch_sync_done`.

use haulout_types::bls::{BlsKey, proof_of_possession_message};
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_sdk_types::{
    Address, Argument, Command, Identifier, Input, MoveCall, ProgrammableTransaction,
};

use crate::client::{DEFAULT_GAS_BUDGET, Executed};
use crate::error::{Result, SuiError};
use crate::walrus::Walrus;

/// The Clock's object ID.
pub const CLOCK_ID: Address = Address::from_static("0x6");

/// A pure (BCS) transaction input.
///
/// # Errors
/// If `value` does not serialize.
pub fn pure<T: serde::Serialize>(value: &T) -> Result<Input> {
    bcs::to_bytes(value)
        .map(Input::Pure)
        .map_err(|e| SuiError::Malformed(format!("BCS of a pure argument: {e}")))
}

/// A `MoveCall` command without type arguments.
pub fn move_call(
    package: Address,
    module: &'static str,
    function: &'static str,
    arguments: Vec<Argument>,
) -> Command {
    Command::MoveCall(MoveCall {
        package,
        module: Identifier::from_static(module),
        function: Identifier::from_static(function),
        type_arguments: vec![],
        arguments,
    })
}

/// What `register_candidate` records about a new storage node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Display name (at most 100 characters).
    pub name: String,
    /// `host:port`, no scheme (at most 259 characters).
    pub network_address: String,
    /// The node's P-256 network key, compressed (33 bytes).
    pub network_public_key: Vec<u8>,
    /// Commission rate in basis points (at most 10,000).
    pub commission_rate: u16,
    /// Vote on the storage price (FROST per MiB per epoch).
    pub storage_price: u64,
    /// Vote on the write price (FROST per MiB).
    pub write_price: u64,
    /// Vote on the capacity (bytes).
    pub node_capacity: u64,
}

impl Walrus {
    /// The package the Walrus calls target (`System.package_id`).
    ///
    /// # Errors
    /// If `System` cannot be read.
    pub async fn call_package(&self) -> Result<Address> {
        Ok(self.system().await?.package_id.into())
    }

    /// Registers a storage node: `staking::register_candidate` with the proof of possession
    /// of `bls` for the sender (the owner of `key`) in the current epoch; the
    /// `StorageNodeCap` goes to the sender. Returns the transaction and the new node ID (the
    /// pool's ID).
    ///
    /// # Errors
    /// If the chain cannot be read or the transaction fails (e.g. a bad network key length).
    pub async fn register_candidate(
        &self,
        key: &Ed25519PrivateKey,
        bls: &BlsKey,
        candidate: &Candidate,
    ) -> Result<(Executed, Address)> {
        let client = self.client();
        let package = self.call_package().await?;
        let (staking, _) = self.staking_state().await?;
        let sender = key.public_key().derive_address();
        let public_key = bls.public_key();
        let pop = bls.sign(&proof_of_possession_message(
            staking.epoch,
            sender.as_bytes(),
            &public_key,
        ));
        let empty = String::new();
        let ptb = ProgrammableTransaction {
            inputs: vec![
                client.shared_input(self.staking_id(), true).await?,
                pure(&candidate.name)?,
                pure(&candidate.network_address)?,
                pure(&empty)?,
                pure(&public_key.to_vec())?,
                pure(&candidate.network_public_key)?,
                pure(&pop.to_vec())?,
                pure(&candidate.commission_rate)?,
                pure(&candidate.storage_price)?,
                pure(&candidate.write_price)?,
                pure(&candidate.node_capacity)?,
                pure(&sender)?,
            ],
            commands: vec![
                move_call(
                    package,
                    "node_metadata",
                    "new",
                    vec![Argument::Input(3), Argument::Input(3), Argument::Input(3)],
                ),
                move_call(
                    package,
                    "staking",
                    "register_candidate",
                    vec![
                        Argument::Input(0),
                        Argument::Input(1),
                        Argument::Input(2),
                        Argument::Result(0),
                        Argument::Input(4),
                        Argument::Input(5),
                        Argument::Input(6),
                        Argument::Input(7),
                        Argument::Input(8),
                        Argument::Input(9),
                        Argument::Input(10),
                    ],
                ),
                Command::TransferObjects(sui_sdk_types::TransferObjects {
                    objects: vec![Argument::Result(1)],
                    address: Argument::Input(11),
                }),
            ],
        };
        let executed = client.execute(ptb, key, DEFAULT_GAS_BUDGET).await?;
        let pool_type = format!("{}::staking_pool::StakingPool", self.packages().walrus);
        let cap_type = format!("{}::storage_node::StorageNodeCap", self.packages().walrus);
        let node_id = match executed.created_of_type(&pool_type) {
            Some(id) => id,
            None => {
                let cap = executed.created_of_type(&cap_type).ok_or_else(|| {
                    SuiError::Malformed("register_candidate created no StorageNodeCap".into())
                })?;
                let cap: haulout_types::StorageNodeCap = client.object(cap).await?.decode()?;
                cap.node_id.into()
            }
        };
        Ok((executed, node_id))
    }

    /// Tells the chain the node holds its shards of `epoch`: `staking::epoch_sync_done(staking,
    /// cap, epoch, clock)`, signed with the key owning `cap`.
    ///
    /// # Errors
    /// If the chain cannot be read or the call aborts (`EInvalidSyncEpoch` when `epoch` is not
    /// the current one, `EDuplicateSyncDone` when already sent, `ENotInCommittee`).
    pub async fn epoch_sync_done(
        &self,
        key: &Ed25519PrivateKey,
        cap: Address,
        epoch: u32,
    ) -> Result<Executed> {
        let client = self.client();
        let package = self.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                client.shared_input(self.staking_id(), true).await?,
                Input::ImmutableOrOwned(client.owned_ref(cap).await?),
                pure(&epoch)?,
                client.shared_input(CLOCK_ID, false).await?,
            ],
            commands: vec![move_call(
                package,
                "staking",
                "epoch_sync_done",
                (0..4).map(Argument::Input).collect(),
            )],
        };
        client.execute(ptb, key, DEFAULT_GAS_BUDGET).await
    }

    /// Marks a blob ID invalid: `system::invalidate_blob_id(system, signature, bitmap,
    /// message)` with an aggregate signature of committee members holding more than a third of
    /// the shards over an `InvalidBlobIdMsg` of the current epoch; signed with `key`.
    ///
    /// # Errors
    /// If the chain cannot be read or the call aborts (too little weight, wrong epoch).
    pub async fn invalidate_blob_id(
        &self,
        key: &Ed25519PrivateKey,
        signature: &[u8],
        bitmap: &[u8],
        message: &[u8],
    ) -> Result<Executed> {
        let client = self.client();
        let package = self.call_package().await?;
        let ptb = ProgrammableTransaction {
            inputs: vec![
                client.shared_input(self.system_id(), false).await?,
                pure(&signature.to_vec())?,
                pure(&bitmap.to_vec())?,
                pure(&message.to_vec())?,
            ],
            commands: vec![move_call(
                package,
                "system",
                "invalidate_blob_id",
                (0..4).map(Argument::Input).collect(),
            )],
        };
        client.execute(ptb, key, DEFAULT_GAS_BUDGET).await
    }
}
