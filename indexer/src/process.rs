//! Processing: one checkpoint (as the gRPC API serves it) into the rows it changes. Pure, no I/O:
//! the Walrus events of the configured package and the changed Walrus objects, decoded with
//! `haulout-types`.

use std::collections::HashMap;

use haulout_types::{
    Blob, BlobId, Field, Metadata, MoveStruct, Packages, PoolState, Proposal, ProposalAction,
    ProposalStatus, SharedBlob, StakedWal, StakedWalState, StakingInnerV1, StakingPool, Storage,
    StructTag, SystemStateInnerV1, TreasuryCap, Wal, WalrusEvent,
};
use serde::de::DeserializeOwned;
use sui_rpc::proto::sui::rpc::v2 as proto;

use crate::error::{IndexerError, Result};

/// The read mask of the checkpoints the indexer follows: what verification and processing need.
pub const CHECKPOINT_MASK: &str = "sequence_number,digest,summary.bcs,summary.digest,\
summary.epoch,summary.previous_digest,summary.content_digest,summary.timestamp,\
summary.total_network_transactions,contents.bcs,contents.digest,signature,\
transactions.digest,transactions.effects.changed_objects,transactions.events.events.event_type,\
transactions.events.events.contents,transactions.events.events.sender,\
objects.objects.object_id,objects.objects.version,objects.objects.owner,\
objects.objects.object_type,objects.objects.contents";

/// A blob's status, as stored and as GraphQL shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobStatus {
    /// Registered, not certified.
    Registered,
    /// Certified and not expired.
    Certified,
    /// Deleted (or its object destroyed).
    Deleted,
    /// Its end epoch has passed.
    Expired,
    /// Its blob ID was certified invalid.
    Invalid,
}

impl BlobStatus {
    /// The stored (and GraphQL) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "REGISTERED",
            Self::Certified => "CERTIFIED",
            Self::Deleted => "DELETED",
            Self::Expired => "EXPIRED",
            Self::Invalid => "INVALID",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "REGISTERED" => Self::Registered,
            "CERTIFIED" => Self::Certified,
            "DELETED" => Self::Deleted,
            "EXPIRED" => Self::Expired,
            "INVALID" => Self::Invalid,
            _ => return None,
        })
    }

    /// Whether no later object change can undo this status.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Deleted | Self::Invalid)
    }
}

/// One checkpoint's summary row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// Sequence number.
    pub sequence_number: u64,
    /// Digest (base58).
    pub digest: String,
    /// Sui epoch.
    pub epoch: u64,
    /// Timestamp, ms since the Unix epoch.
    pub timestamp_ms: u64,
    /// Transactions in it.
    pub tx_count: u32,
    /// Walrus events in it.
    pub walrus_events: u32,
    /// Transactions up to and including it.
    pub network_total_transactions: u64,
}

/// One Walrus event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Checkpoint.
    pub checkpoint: u64,
    /// Position of the transaction in the checkpoint.
    pub tx_index: u32,
    /// Position of the event in the transaction.
    pub event_index: u32,
    /// Transaction digest.
    pub tx_digest: String,
    /// Checkpoint timestamp (ms).
    pub timestamp_ms: u64,
    /// Event name (`BlobRegistered`, …).
    pub event_type: &'static str,
    /// The blob ID, proposal or node it is about.
    pub subject: Option<String>,
    /// Its fields as JSON.
    pub data: serde_json::Value,
    /// Its BCS contents.
    pub bcs: Vec<u8>,
    /// The decoded event.
    pub event: WalrusEvent,
}

/// A blob object's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRow {
    /// Object ID.
    pub object_id: String,
    /// Blob ID (base64url).
    pub blob_id: String,
    /// Owner (address, or the SharedBlob), `None` once gone.
    pub owner: Option<String>,
    /// Unencoded size.
    pub size: u64,
    /// Encoded size for the network's shard count.
    pub encoded_size: u64,
    /// Encoding type.
    pub encoding_type: u8,
    /// Status as of this change.
    pub status: BlobStatus,
    /// Registration epoch.
    pub registered_epoch: u32,
    /// Certification epoch.
    pub certified_epoch: Option<u32>,
    /// Exclusive end epoch.
    pub end_epoch: u32,
    /// Deletable.
    pub deletable: bool,
    /// The Storage it occupies.
    pub storage_id: String,
    /// Object version.
    pub version: u64,
    /// Checkpoint of the change.
    pub checkpoint: u64,
    /// Checkpoint of the first change of this object in the batch (or in the database).
    pub created_checkpoint: u64,
    /// Whether the object was created in this batch (a new ID: no row for it can be stored).
    pub created: bool,
}

/// A storage resource's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRow {
    /// Object ID.
    pub object_id: String,
    /// Owning address.
    pub owner: Option<String>,
    /// First epoch.
    pub start_epoch: u32,
    /// Exclusive end epoch.
    pub end_epoch: u32,
    /// Encoded bytes.
    pub storage_size: u64,
    /// Object version.
    pub version: u64,
    /// Checkpoint of the change.
    pub checkpoint: u64,
}

/// A staking pool's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolRow {
    /// Node ID.
    pub node_id: String,
    /// Node name.
    pub name: String,
    /// `host:port`.
    pub network_address: String,
    /// BLS key.
    pub public_key: Vec<u8>,
    /// Network key.
    pub network_public_key: Vec<u8>,
    /// ACTIVE, WITHDRAWING, WITHDRAWN.
    pub state: &'static str,
    /// Epoch of the withdrawal.
    pub withdrawing_epoch: Option<u32>,
    /// WAL staked (FROST).
    pub stake: u64,
    /// Shares.
    pub shares: u64,
    /// Commission rate (bps).
    pub commission_rate: u16,
    /// Rewards pool (FROST).
    pub rewards: u64,
    /// Commission (FROST).
    pub commission: u64,
    /// Activation epoch.
    pub activation_epoch: u32,
    /// Latest epoch.
    pub latest_epoch: u32,
    /// Votes.
    pub storage_price_vote: u64,
    /// Votes.
    pub write_price_vote: u64,
    /// Votes.
    pub capacity_vote: u64,
    /// Version of the field object.
    pub version: u64,
    /// Checkpoint of the change.
    pub checkpoint: u64,
}

/// A staked WAL position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StakedWalRow {
    /// Object ID.
    pub object_id: String,
    /// Owning address.
    pub owner: Option<String>,
    /// Node ID.
    pub node_id: String,
    /// Principal (FROST).
    pub principal: u64,
    /// Activation epoch.
    pub activation_epoch: u32,
    /// STAKED or WITHDRAWING.
    pub state: &'static str,
    /// Withdrawal epoch.
    pub withdraw_epoch: Option<u32>,
    /// Version.
    pub version: u64,
    /// Checkpoint.
    pub checkpoint: u64,
}

/// An epoch's parameters, from the system state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochRow {
    /// Epoch.
    pub epoch: u32,
    /// First checkpoint seen in it.
    pub start_checkpoint: u64,
    /// That checkpoint's timestamp.
    pub start_timestamp_ms: u64,
    /// Storage price.
    pub storage_price: u64,
    /// Write price.
    pub write_price: u64,
    /// Total capacity.
    pub total_capacity: u64,
    /// Used capacity.
    pub used_capacity: u64,
    /// Rewards to distribute at its end.
    pub rewards: u64,
    /// Shards.
    pub n_shards: u16,
    /// Checkpoint.
    pub checkpoint: u64,
}

/// A proposal's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRow {
    /// Number.
    pub number: u64,
    /// Object ID.
    pub object_id: String,
    /// Proposer.
    pub proposer: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action as JSON.
    pub action: serde_json::Value,
    /// Created.
    pub created_epoch: u32,
    /// Voting end.
    pub voting_end_epoch: u32,
    /// Tallies.
    pub yes: u64,
    /// Tallies.
    pub no: u64,
    /// Tallies.
    pub abstain: u64,
    /// ACTIVE, PASSED, REJECTED, EXECUTED.
    pub status: &'static str,
    /// Version.
    pub version: u64,
    /// Checkpoint.
    pub checkpoint: u64,
}

/// A vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteRow {
    /// Proposal object.
    pub proposal_id: String,
    /// The StakedWal that voted.
    pub staked_wal_id: String,
    /// Sender.
    pub voter: String,
    /// 0 yes, 1 no, 2 abstain.
    pub choice: u8,
    /// Weight.
    pub weight: u64,
    /// Checkpoint.
    pub checkpoint: u64,
    /// Transaction.
    pub tx_digest: String,
}

/// One change to the current-state tables, in chain order.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A blob object written.
    Blob(BlobRow),
    /// A blob object deleted (status DELETED from then on).
    BlobGone {
        /// Object ID.
        object_id: String,
        /// Checkpoint.
        checkpoint: u64,
    },
    /// A blob's attributes set (`None`: removed).
    Attributes {
        /// The blob object.
        blob_object_id: String,
        /// Key/value pairs.
        attributes: Option<serde_json::Value>,
        /// Version of the field object.
        version: u64,
        /// Checkpoint.
        checkpoint: u64,
    },
    /// All blobs of a blob ID are invalid.
    Invalidate {
        /// Blob ID.
        blob_id: String,
        /// Checkpoint.
        checkpoint: u64,
    },
    /// A storage resource written.
    Storage(StorageRow),
    /// A storage resource deleted or wrapped.
    StorageGone(String),
    /// A pool written.
    Pool(PoolRow),
    /// A staked WAL written.
    StakedWal(StakedWalRow),
    /// A staked WAL deleted.
    StakedWalGone(String),
    /// Epoch parameters.
    Epoch(EpochRow),
    /// WAL burned (the WAL treasury's supply dropped) while `epoch` was current; the burn of
    /// an epoch's rewards happens in the transaction that ends it, before the epoch moves on.
    Burn {
        /// Walrus epoch.
        epoch: u32,
        /// FROST burned.
        amount: u64,
    },
    /// Epoch change state and committee.
    EpochState {
        /// Epoch.
        epoch: u32,
        /// SYNC, DONE, PARAMS_SELECTED.
        state: &'static str,
        /// Node to shards.
        committee: Vec<(String, Vec<u16>)>,
    },
    /// A proposal written.
    Proposal(ProposalRow),
    /// A vote cast.
    Vote(VoteRow),
}

/// What one checkpoint changes.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointRows {
    /// The checkpoint itself.
    pub checkpoint: CheckpointRow,
    /// Its Walrus events.
    pub events: Vec<EventRow>,
    /// Its changes, in order.
    pub changes: Vec<Change>,
    /// The Walrus epoch after it.
    pub walrus_epoch: u32,
    /// Whether its signature (or a later one's, through the digest chain) was verified: a
    /// batch may only end at a covered checkpoint.
    pub covered: bool,
}

/// The Move types the processor recognises, resolved for one deployment.
#[derive(Debug, Clone)]
pub struct Processor {
    packages: Packages,
    blob: StructTag,
    shared_blob: StructTag,
    storage: StructTag,
    staked_wal: StakingTag,
    proposal: StructTag,
    pool: StructTag,
    system_inner: StructTag,
    staking_inner: StructTag,
    metadata_field: StructTag,
    treasury_cap: StructTag,
    /// The current Walrus epoch and shard count (state carried across checkpoints).
    epoch: u32,
    n_shards: u16,
}

type StakingTag = StructTag;

impl Processor {
    /// A processor for `packages`, starting in Walrus epoch `epoch` with `n_shards` shards
    /// (from the database on a restart; 0 before anything is indexed).
    pub fn new(packages: Packages, epoch: u32, n_shards: u16) -> Self {
        let p = &packages;
        Self {
            blob: Blob::struct_tag(p),
            shared_blob: SharedBlob::struct_tag(p),
            storage: Storage::struct_tag(p),
            staked_wal: StakedWal::struct_tag(p),
            proposal: Proposal::struct_tag(p),
            pool: StakingPool::struct_tag(p),
            system_inner: Field::<u64, SystemStateInnerV1>::struct_tag(p),
            staking_inner: Field::<u64, StakingInnerV1>::struct_tag(p),
            metadata_field: Field::<Vec<u8>, Metadata>::struct_tag(p),
            treasury_cap: TreasuryCap::<Wal>::struct_tag(p),
            packages,
            epoch,
            n_shards,
        }
    }

    /// The Walrus epoch as of the last processed checkpoint.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Processes one checkpoint.
    ///
    /// # Errors
    /// [`IndexerError::Malformed`] if a field the mask asks for is missing, or a Walrus object or
    /// event does not decode (the chain and `haulout-types` disagree: indexing must stop).
    pub fn process(&mut self, checkpoint: &proto::Checkpoint) -> Result<CheckpointRows> {
        let seq = checkpoint
            .sequence_number
            .ok_or_else(|| malformed("checkpoint without sequence_number"))?;
        let summary = checkpoint
            .summary
            .as_ref()
            .ok_or_else(|| malformed(format!("checkpoint {seq} without summary")))?;
        let timestamp_ms = timestamp_ms(checkpoint);
        let digest = checkpoint
            .digest
            .clone()
            .or_else(|| summary.digest.clone())
            .ok_or_else(|| malformed(format!("checkpoint {seq} without digest")))?;

        let objects: HashMap<(&str, u64), &proto::Object> = checkpoint
            .objects
            .as_ref()
            .map(|set| {
                set.objects
                    .iter()
                    .filter_map(|o| Some(((o.object_id.as_deref()?, o.version?), o)))
                    .collect()
            })
            .unwrap_or_default();

        let mut events = Vec::new();
        let mut changes = Vec::new();
        for (tx_index, tx) in checkpoint.transactions.iter().enumerate() {
            let tx_index =
                u32::try_from(tx_index).map_err(|_| malformed("too many transactions"))?;
            let tx_digest = tx.digest().to_owned();
            // Objects first: a transaction's effects are its new state; its events then refine
            // what objects cannot say (deletion of a blob, invalid blob IDs, votes).
            if let Some(effects) = &tx.effects {
                // A burn belongs to the epoch the transaction ran in, even when the transaction
                // ends that epoch (whichever object it writes first).
                let tx_epoch = self.epoch;
                let first = changes.len();
                for changed in &effects.changed_objects {
                    self.object_change(changed, &objects, seq, timestamp_ms, &mut changes)?;
                }
                for change in &mut changes[first..] {
                    if let Change::Burn { epoch, .. } = change {
                        *epoch = tx_epoch;
                    }
                }
            }
            if let Some(list) = &tx.events {
                for (event_index, event) in list.events.iter().enumerate() {
                    let Ok(tag) = event.event_type().parse::<StructTag>() else {
                        continue;
                    };
                    let contents = event
                        .contents
                        .as_ref()
                        .map(|c| c.value())
                        .unwrap_or_default();
                    let decoded = WalrusEvent::decode(&tag, contents, self.packages.walrus)
                        .map_err(|e| malformed(format!("event {tag} in checkpoint {seq}: {e}")))?;
                    let Some(decoded) = decoded else { continue };
                    let event_index =
                        u32::try_from(event_index).map_err(|_| malformed("too many events"))?;
                    self.event_change(&decoded, seq, &tx_digest, &mut changes);
                    let (name, subject, data) = describe_event(&decoded);
                    events.push(EventRow {
                        checkpoint: seq,
                        tx_index,
                        event_index,
                        tx_digest: tx_digest.clone(),
                        timestamp_ms,
                        event_type: name,
                        subject,
                        data,
                        bcs: contents.to_vec(),
                        event: decoded,
                    });
                }
            }
        }
        Ok(CheckpointRows {
            checkpoint: CheckpointRow {
                sequence_number: seq,
                digest,
                epoch: summary.epoch.unwrap_or(0),
                timestamp_ms,
                tx_count: u32::try_from(checkpoint.transactions.len()).unwrap_or(u32::MAX),
                walrus_events: u32::try_from(events.len()).unwrap_or(u32::MAX),
                network_total_transactions: summary.total_network_transactions.unwrap_or(0),
            },
            events,
            changes,
            walrus_epoch: self.epoch,
            covered: true,
        })
    }

    fn object_change(
        &mut self,
        changed: &proto::ChangedObject,
        objects: &HashMap<(&str, u64), &proto::Object>,
        seq: u64,
        timestamp_ms: u64,
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        use proto::changed_object::{IdOperation, InputObjectState, OutputObjectState};
        let Some(id) = changed.object_id.as_deref() else {
            return Ok(());
        };
        match changed.output_state() {
            OutputObjectState::ObjectWrite => {
                let Some(version) = changed.output_version else {
                    return Err(malformed(format!("written object {id} without a version")));
                };
                let Some(object) = objects.get(&(id, version)) else {
                    return Err(malformed(format!(
                        "checkpoint {seq} lacks the output object {id} v{version}"
                    )));
                };
                let created = changed.id_operation() == IdOperation::Created;
                let input = changed.input_version.and_then(|v| objects.get(&(id, v)));
                self.burn(object, input.copied(), changes)?;
                self.written_object(object, version, created, seq, timestamp_ms, changes)
            }
            OutputObjectState::DoesNotExist
                if changed.input_state() == InputObjectState::Exists =>
            {
                // Deleted or wrapped: what it was tells which table.
                let type_ = changed.object_type.clone().or_else(|| {
                    let v = changed.input_version?;
                    objects.get(&(id, v))?.object_type.clone()
                });
                let Some(tag) = type_.and_then(|t| t.parse::<StructTag>().ok()) else {
                    return Ok(());
                };
                if tag == self.blob {
                    changes.push(Change::BlobGone {
                        object_id: id.to_owned(),
                        checkpoint: seq,
                    });
                } else if tag == self.storage {
                    changes.push(Change::StorageGone(id.to_owned()));
                } else if tag == self.staked_wal {
                    changes.push(Change::StakedWalGone(id.to_owned()));
                } else if tag == self.metadata_field {
                    let parent = changed
                        .input_version
                        .and_then(|v| objects.get(&(id, v)))
                        .and_then(|o| parent_of(o));
                    if let Some(parent) = parent {
                        changes.push(Change::Attributes {
                            blob_object_id: parent,
                            attributes: None,
                            version: changed.output_version.unwrap_or(0),
                            checkpoint: seq,
                        });
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A drop of the WAL treasury's supply from `input` (the object before the transaction) to
    /// `object` is a burn.
    fn burn(
        &self,
        object: &proto::Object,
        input: Option<&proto::Object>,
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        // Most written objects are not the treasury: a substring test spares them a parse.
        let (Some(ty), Some(before)) = (object.object_type.as_deref(), input) else {
            return Ok(());
        };
        if !ty.contains("::coin::TreasuryCap<") {
            return Ok(());
        }
        let Ok(tag) = ty.parse::<StructTag>() else {
            return Ok(());
        };
        if tag != self.treasury_cap {
            return Ok(());
        }
        let id = object.object_id();
        let after: TreasuryCap<Wal> = decode(id, &tag, contents_of(object))?;
        let before: TreasuryCap<Wal> = decode(id, &tag, contents_of(before))?;
        let burned = before
            .total_supply
            .value
            .saturating_sub(after.total_supply.value);
        if burned > 0 {
            changes.push(Change::Burn {
                epoch: self.epoch,
                amount: burned,
            });
        }
        Ok(())
    }

    fn written_object(
        &mut self,
        object: &proto::Object,
        version: u64,
        created: bool,
        seq: u64,
        timestamp_ms: u64,
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        // Packages (object type `package`, no contents) and other non-struct types are skipped.
        let Some(tag) = object
            .object_type
            .as_deref()
            .and_then(|t| t.parse::<StructTag>().ok())
        else {
            return Ok(());
        };
        let id = object.object_id().to_owned();
        let contents = contents_of(object);
        let owner = address_owner(object);
        if tag == self.blob {
            let blob: Blob = decode(&id, &tag, contents)?;
            let mut row = self.blob_row(&blob, owner, version, seq);
            row.created = created;
            changes.push(Change::Blob(row));
        } else if tag == self.shared_blob {
            let shared: SharedBlob = decode(&id, &tag, contents)?;
            changes.push(Change::Blob(self.blob_row(
                &shared.blob,
                Some(id.clone()),
                version,
                seq,
            )));
        } else if tag == self.storage {
            let s: Storage = decode(&id, &tag, contents)?;
            changes.push(Change::Storage(StorageRow {
                object_id: id,
                owner,
                start_epoch: s.start_epoch,
                end_epoch: s.end_epoch,
                storage_size: s.storage_size,
                version,
                checkpoint: seq,
            }));
        } else if tag == self.staked_wal {
            let s: StakedWal = decode(&id, &tag, contents)?;
            let (state, withdraw_epoch) = match s.state {
                StakedWalState::Staked => ("STAKED", None),
                StakedWalState::Withdrawing { withdraw_epoch } => {
                    ("WITHDRAWING", Some(withdraw_epoch))
                }
            };
            changes.push(Change::StakedWal(StakedWalRow {
                object_id: id,
                owner,
                node_id: s.node_id.to_string(),
                principal: s.principal.value,
                activation_epoch: s.activation_epoch,
                state,
                withdraw_epoch,
                version,
                checkpoint: seq,
            }));
        } else if tag == self.pool {
            // An `ObjectTable` value: the pool is an object of its own (owned by its field).
            let pool: StakingPool = decode(&id, &tag, contents)?;
            let (state, withdrawing_epoch) = match pool.state {
                PoolState::Active => ("ACTIVE", None),
                PoolState::Withdrawing(e) => ("WITHDRAWING", Some(e)),
                PoolState::Withdrawn => ("WITHDRAWN", None),
            };
            changes.push(Change::Pool(PoolRow {
                node_id: pool.id.to_string(),
                name: pool.node_info.name,
                network_address: pool.node_info.network_address,
                public_key: pool.node_info.public_key.bytes,
                network_public_key: pool.node_info.network_public_key,
                state,
                withdrawing_epoch,
                stake: pool.wal_balance,
                shares: pool.num_shares,
                commission_rate: pool.commission_rate,
                rewards: pool.rewards_pool.value,
                commission: pool.commission.value,
                activation_epoch: pool.activation_epoch,
                latest_epoch: pool.latest_epoch,
                storage_price_vote: pool.voting_params.storage_price,
                write_price_vote: pool.voting_params.write_price,
                capacity_vote: pool.voting_params.node_capacity,
                version,
                checkpoint: seq,
            }));
        } else if tag == self.system_inner {
            let field: Field<u64, SystemStateInnerV1> = decode(&id, &tag, contents)?;
            let inner = field.value;
            let ring = &inner.future_accounting;
            let rewards = usize::try_from(ring.current_index)
                .ok()
                .and_then(|i| ring.ring_buffer.get(i))
                .map(|slot| slot.rewards_to_distribute.value)
                .unwrap_or(0);
            self.epoch = inner.committee.epoch;
            self.n_shards = inner.committee.n_shards;
            changes.push(Change::Epoch(EpochRow {
                epoch: inner.committee.epoch,
                start_checkpoint: seq,
                start_timestamp_ms: timestamp_ms,
                storage_price: inner.storage_price_per_unit_size,
                write_price: inner.write_price_per_unit_size,
                total_capacity: inner.total_capacity_size,
                used_capacity: inner.used_capacity_size,
                rewards,
                n_shards: inner.committee.n_shards,
                checkpoint: seq,
            }));
        } else if tag == self.staking_inner {
            let field: Field<u64, StakingInnerV1> = decode(&id, &tag, contents)?;
            let inner = field.value;
            let state = match inner.epoch_state {
                haulout_types::EpochState::EpochChangeSync(_) => "SYNC",
                haulout_types::EpochState::EpochChangeDone(_) => "DONE",
                haulout_types::EpochState::NextParamsSelected(_) => "PARAMS_SELECTED",
            };
            changes.push(Change::EpochState {
                epoch: inner.epoch,
                state,
                committee: inner
                    .committee
                    .0
                    .contents
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.clone()))
                    .collect(),
            });
        } else if tag == self.proposal {
            let p: Proposal = decode(&id, &tag, contents)?;
            let action = match &p.action {
                ProposalAction::Signal => serde_json::json!({"kind": "SIGNAL"}),
                ProposalAction::SetParameter { name, value } => {
                    serde_json::json!({"kind": "SET_PARAMETER", "name": name, "value": value.to_string()})
                }
            };
            changes.push(Change::Proposal(ProposalRow {
                number: p.number,
                object_id: id,
                proposer: p.proposer.to_string(),
                title: p.title,
                description: p.description,
                action,
                created_epoch: p.created_epoch,
                voting_end_epoch: p.voting_end_epoch,
                yes: p.yes,
                no: p.no,
                abstain: p.abstain,
                status: match p.status {
                    ProposalStatus::Active => "ACTIVE",
                    ProposalStatus::Passed => "PASSED",
                    ProposalStatus::Rejected => "REJECTED",
                    ProposalStatus::Executed => "EXECUTED",
                },
                version,
                checkpoint: seq,
            }));
        } else if tag == self.metadata_field {
            let field: Field<Vec<u8>, Metadata> = decode(&id, &tag, contents)?;
            if let Some(parent) = parent_of(object) {
                let map: serde_json::Map<String, serde_json::Value> = field
                    .value
                    .metadata
                    .contents
                    .into_iter()
                    .map(|e| (e.key, serde_json::Value::String(e.value)))
                    .collect();
                changes.push(Change::Attributes {
                    blob_object_id: parent,
                    attributes: Some(serde_json::Value::Object(map)),
                    version,
                    checkpoint: seq,
                });
            }
        }
        Ok(())
    }

    fn blob_row(&self, blob: &Blob, owner: Option<String>, version: u64, seq: u64) -> BlobRow {
        let status = if blob.storage.end_epoch <= self.epoch {
            BlobStatus::Expired
        } else if blob.certified_epoch.is_some() {
            BlobStatus::Certified
        } else {
            BlobStatus::Registered
        };
        BlobRow {
            object_id: blob.id.to_string(),
            blob_id: blob.blob_id().to_string(),
            owner,
            size: blob.size,
            encoded_size: encoded_blob_length(blob.size, self.n_shards).unwrap_or(0),
            encoding_type: blob.encoding_type,
            status,
            registered_epoch: blob.registered_epoch,
            certified_epoch: blob.certified_epoch,
            end_epoch: blob.storage.end_epoch,
            deletable: blob.deletable,
            storage_id: blob.storage.id.to_string(),
            version,
            checkpoint: seq,
            created_checkpoint: seq,
            // A shared blob's row is its inner blob's, older than the `SharedBlob` object.
            created: false,
        }
    }

    fn event_change(
        &mut self,
        event: &WalrusEvent,
        seq: u64,
        tx_digest: &str,
        changes: &mut Vec<Change>,
    ) {
        match event {
            WalrusEvent::InvalidBlobID(e) => changes.push(Change::Invalidate {
                blob_id: BlobId::from(e.blob_id).to_string(),
                checkpoint: seq,
            }),
            WalrusEvent::VoteCast(v) => changes.push(Change::Vote(VoteRow {
                proposal_id: v.proposal_id.to_string(),
                staked_wal_id: v.staked_wal_id.to_string(),
                voter: v.voter.to_string(),
                choice: v.choice,
                weight: v.weight,
                checkpoint: seq,
                tx_digest: tx_digest.to_owned(),
            })),
            _ => {}
        }
    }
}

/// The encoded size of a blob of `size` bytes under RS2 with `n_shards` shards: every shard's
/// primary and secondary slivers plus the metadata (a hash pair per shard and the blob ID) on
/// every shard (walrus-protocol.md §2; `encoding::encoded_blob_length` on chain).
pub fn encoded_blob_length(size: u64, n_shards: u16) -> Option<u64> {
    let n = u64::from(n_shards);
    if n < 4 {
        return None;
    }
    let f = (n - 1) / 3;
    let (primary, secondary) = (n - 2 * f, n - f);
    let mut symbol = (size.max(1) - 1) / (primary * secondary) + 1;
    if symbol % 2 == 1 {
        symbol += 1;
    }
    let slivers = (primary + secondary).checked_mul(symbol)?;
    n.checked_mul(slivers.checked_add(n * 64 + 32)?)
}

/// A checkpoint's timestamp in milliseconds (0 if the mask left it out).
pub(crate) fn timestamp_ms(checkpoint: &proto::Checkpoint) -> u64 {
    checkpoint
        .summary
        .as_ref()
        .and_then(|s| s.timestamp.as_ref())
        .map_or(0, |t| {
            u64::try_from(t.seconds).unwrap_or(0) * 1000
                + u64::try_from(t.nanos).unwrap_or(0) / 1_000_000
        })
}

/// An object's Move contents (empty if absent).
fn contents_of(object: &proto::Object) -> &[u8] {
    object
        .contents
        .as_ref()
        .map(|c| c.value())
        .unwrap_or_default()
}

fn decode<T: DeserializeOwned>(id: &str, tag: &StructTag, contents: &[u8]) -> Result<T> {
    bcs::from_bytes(contents).map_err(|e| malformed(format!("object {id} of type {tag}: {e}")))
}

fn malformed(msg: impl Into<String>) -> IndexerError {
    IndexerError::Malformed(msg.into())
}

fn address_owner(object: &proto::Object) -> Option<String> {
    use proto::owner::OwnerKind;
    let owner = object.owner.as_ref()?;
    match owner.kind() {
        OwnerKind::Address | OwnerKind::ConsensusAddress => owner.address.clone(),
        _ => None,
    }
}

fn parent_of(object: &proto::Object) -> Option<String> {
    let owner = object.owner.as_ref()?;
    (owner.kind() == proto::owner::OwnerKind::Object).then(|| owner.address.clone())?
}

/// An event's name, subject and JSON form (blob IDs in base64url, u64 as strings).
fn describe_event(event: &WalrusEvent) -> (&'static str, Option<String>, serde_json::Value) {
    fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
        let mut value = serde_json::to_value(v).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut value {
            for (k, v) in map.iter_mut() {
                if k == "blob_id" {
                    if let Some(id) = v
                        .as_str()
                        .and_then(|s| s.parse::<haulout_types::U256>().ok())
                    {
                        *v = serde_json::Value::String(BlobId::from(id).to_string());
                    }
                } else if let Some(n) = v.as_u64() {
                    // Amounts may exceed what JSON numbers carry exactly.
                    if n > (1 << 53) {
                        *v = serde_json::Value::String(n.to_string());
                    }
                }
            }
        }
        value
    }
    let blob = |id: &haulout_types::U256| Some(BlobId::from(*id).to_string());
    use WalrusEvent as E;
    match event {
        E::BlobRegistered(e) => ("BlobRegistered", blob(&e.blob_id), json(e)),
        E::BlobCertified(e) => ("BlobCertified", blob(&e.blob_id), json(e)),
        E::BlobDeleted(e) => ("BlobDeleted", blob(&e.blob_id), json(e)),
        E::InvalidBlobID(e) => ("InvalidBlobID", blob(&e.blob_id), json(e)),
        E::EpochChangeStart(e) => ("EpochChangeStart", None, json(e)),
        E::EpochChangeDone(e) => ("EpochChangeDone", None, json(e)),
        E::ShardsReceived(e) => ("ShardsReceived", None, json(e)),
        E::EpochParametersSelected(e) => ("EpochParametersSelected", None, json(e)),
        E::ShardRecoveryStart(e) => ("ShardRecoveryStart", None, json(e)),
        E::ContractUpgraded(e) => ("ContractUpgraded", None, json(e)),
        E::RegisterDenyListUpdate(e) => (
            "RegisterDenyListUpdate",
            Some(e.node_id.to_string()),
            json(e),
        ),
        E::DenyListUpdate(e) => ("DenyListUpdate", Some(e.node_id.to_string()), json(e)),
        E::DenyListBlobDeleted(e) => ("DenyListBlobDeleted", blob(&e.blob_id), json(e)),
        E::ContractUpgradeProposed(e) => ("ContractUpgradeProposed", None, json(e)),
        E::ContractUpgradeQuorumReached(e) => ("ContractUpgradeQuorumReached", None, json(e)),
        E::ProtocolVersionUpdated(e) => ("ProtocolVersionUpdated", None, json(e)),
        E::PricesUpdated(e) => ("PricesUpdated", None, json(e)),
        E::StoragePoolCreated(e) => (
            "StoragePoolCreated",
            Some(e.storage_pool_id.to_string()),
            json(e),
        ),
        E::PooledBlobRegistered(e) => ("PooledBlobRegistered", blob(&e.blob_id), json(e)),
        E::PooledBlobCertified(e) => ("PooledBlobCertified", blob(&e.blob_id), json(e)),
        E::PooledBlobDeleted(e) => ("PooledBlobDeleted", blob(&e.blob_id), json(e)),
        E::StoragePoolExtended(e) => (
            "StoragePoolExtended",
            Some(e.storage_pool_id.to_string()),
            json(e),
        ),
        E::ProposalCreated(e) => ("ProposalCreated", Some(e.proposal_id.to_string()), json(e)),
        E::VoteCast(e) => ("VoteCast", Some(e.proposal_id.to_string()), json(e)),
        E::ProposalFinalized(e) => (
            "ProposalFinalized",
            Some(e.proposal_id.to_string()),
            json(e),
        ),
        E::ProposalExecuted(e) => ("ProposalExecuted", Some(e.proposal_id.to_string()), json(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_length_matches_the_chain() {
        // 4 shards: f = 1, 2 primary and 3 secondary symbols; 1 byte -> symbol 2.
        assert_eq!(encoded_blob_length(1, 4), Some(4 * (5 * 2 + 4 * 64 + 32)));
        assert_eq!(encoded_blob_length(1, 3), None);
    }

    #[test]
    fn package_objects_are_skipped() {
        use proto::changed_object::{IdOperation, InputObjectState, OutputObjectState};
        let packages = Packages {
            walrus: sui_sdk_types::Address::from_static("0x7a"),
            wal: sui_sdk_types::Address::from_static("0x7b"),
        };
        let id = packages.walrus.to_string();
        let mut object = proto::Object::default();
        object.object_id = Some(id.clone());
        object.version = Some(1);
        object.object_type = Some("package".into());
        let mut changed = proto::ChangedObject::default();
        changed.object_id = Some(id);
        changed.input_state = Some(InputObjectState::DoesNotExist as i32);
        changed.output_state = Some(OutputObjectState::ObjectWrite as i32);
        changed.output_version = Some(1);
        changed.id_operation = Some(IdOperation::Created as i32);
        changed.object_type = Some("package".into());
        let mut effects = proto::TransactionEffects::default();
        effects.changed_objects = vec![changed];
        let mut tx = proto::ExecutedTransaction::default();
        tx.digest = Some("genesis".into());
        tx.effects = Some(effects);
        let mut set = proto::ObjectSet::default();
        set.objects = vec![object];
        let mut checkpoint = proto::Checkpoint::default();
        checkpoint.sequence_number = Some(0);
        checkpoint.digest = Some("checkpoint".into());
        checkpoint.summary = Some(proto::CheckpointSummary::default());
        checkpoint.transactions = vec![tx];
        checkpoint.objects = Some(set);
        let rows = Processor::new(packages, 0, 0)
            .process(&checkpoint)
            .expect("a package object is not malformed");
        assert!(rows.changes.is_empty() && rows.events.is_empty());
        assert_eq!(rows.checkpoint.tx_count, 1);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            BlobStatus::Registered,
            BlobStatus::Certified,
            BlobStatus::Deleted,
            BlobStatus::Expired,
            BlobStatus::Invalid,
        ] {
            assert_eq!(BlobStatus::parse(s.as_str()), Some(s));
        }
        assert!(BlobStatus::Deleted.is_final() && !BlobStatus::Expired.is_final());
    }
}
