//! A batch: the rows of consecutive checkpoints merged in chain order (the last state of each
//! key wins), ready to be committed in one transaction with the watermark.

use std::collections::BTreeMap;

use crate::process::{
    BlobRow, BlobStatus, Change, CheckpointRow, CheckpointRows, EpochRow, EventRow, PoolRow,
    ProposalRow, StakedWalRow, StorageRow, VoteRow,
};

/// What happens to one blob object in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobUpdate {
    /// Its latest state.
    Row(BlobRow),
    /// Its object was deleted after its last state in the database, at this checkpoint.
    Gone(u64),
}

/// An attribute change: `None` removes them.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributesUpdate {
    /// The attributes.
    pub attributes: Option<serde_json::Value>,
    /// Version of the field object.
    pub version: u64,
    /// Checkpoint.
    pub checkpoint: u64,
}

/// Epoch change state and the committee of an epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochStateUpdate {
    /// SYNC, DONE, PARAMS_SELECTED.
    pub state: &'static str,
    /// Node to shards.
    pub committee: Vec<(String, Vec<u16>)>,
}

/// Rows of consecutive checkpoints.
#[derive(Debug, Default)]
pub struct Batch {
    /// The checkpoints, in order.
    pub checkpoints: Vec<CheckpointRow>,
    /// Their Walrus events.
    pub events: Vec<EventRow>,
    /// Blob objects.
    pub blobs: BTreeMap<String, BlobUpdate>,
    /// Blob attributes, by blob object.
    pub attributes: BTreeMap<String, AttributesUpdate>,
    /// Blob IDs certified invalid, with the checkpoint.
    pub invalidations: Vec<(String, u64)>,
    /// Storage resources (`None`: deleted).
    pub storage: BTreeMap<String, Option<StorageRow>>,
    /// Staking pools.
    pub pools: BTreeMap<String, PoolRow>,
    /// Staked WAL (`None`: deleted).
    pub staked_wal: BTreeMap<String, Option<StakedWalRow>>,
    /// Epoch parameters.
    pub epochs: BTreeMap<u32, EpochRow>,
    /// Epoch state and committee.
    pub epoch_states: BTreeMap<u32, EpochStateUpdate>,
    /// WAL burned, by Walrus epoch (FROST).
    pub burns: BTreeMap<u32, u128>,
    /// Proposals.
    pub proposals: BTreeMap<u64, ProposalRow>,
    /// Votes.
    pub votes: Vec<VoteRow>,
    /// The Walrus epoch after the last checkpoint.
    pub walrus_epoch: u32,
}

impl Batch {
    /// Number of checkpoints in the batch.
    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    /// Whether the batch has no checkpoint.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Rows (events and changed keys) in the batch: a measure of its size.
    pub fn rows(&self) -> usize {
        self.checkpoints.len()
            + self.events.len()
            + self.blobs.len()
            + self.attributes.len()
            + self.storage.len()
            + self.pools.len()
            + self.staked_wal.len()
            + self.epochs.len()
            + self.burns.len()
            + self.proposals.len()
            + self.votes.len()
    }

    /// Adds the next checkpoint's rows.
    pub fn push(&mut self, rows: CheckpointRows) {
        self.walrus_epoch = rows.walrus_epoch;
        for change in rows.changes {
            match change {
                Change::Blob(row) => {
                    // A row in the batch already invalidated stays invalid.
                    let mut row = row;
                    if let Some(BlobUpdate::Row(old)) = self.blobs.get(&row.object_id) {
                        if old.status == BlobStatus::Invalid {
                            row.status = BlobStatus::Invalid;
                        }
                        row.created_checkpoint = old.created_checkpoint;
                        row.created |= old.created;
                    }
                    self.blobs
                        .insert(row.object_id.clone(), BlobUpdate::Row(row));
                }
                Change::BlobGone {
                    object_id,
                    checkpoint,
                } => match self.blobs.get_mut(&object_id) {
                    Some(BlobUpdate::Row(row)) => {
                        row.status = BlobStatus::Deleted;
                        row.owner = None;
                        row.checkpoint = checkpoint;
                    }
                    _ => {
                        self.blobs.insert(object_id, BlobUpdate::Gone(checkpoint));
                    }
                },
                Change::Attributes {
                    blob_object_id,
                    attributes,
                    version,
                    checkpoint,
                } => {
                    self.attributes.insert(
                        blob_object_id,
                        AttributesUpdate {
                            attributes,
                            version,
                            checkpoint,
                        },
                    );
                }
                Change::Invalidate {
                    blob_id,
                    checkpoint,
                } => {
                    for update in self.blobs.values_mut() {
                        if let BlobUpdate::Row(row) = update
                            && row.blob_id == blob_id
                            && !row.status.is_final()
                        {
                            row.status = BlobStatus::Invalid;
                            row.checkpoint = checkpoint;
                        }
                    }
                    self.invalidations.push((blob_id, checkpoint));
                }
                Change::Storage(row) => {
                    self.storage.insert(row.object_id.clone(), Some(row));
                }
                Change::StorageGone(id) => {
                    self.storage.insert(id, None);
                }
                Change::Pool(row) => {
                    self.pools.insert(row.node_id.clone(), row);
                }
                Change::StakedWal(row) => {
                    self.staked_wal.insert(row.object_id.clone(), Some(row));
                }
                Change::StakedWalGone(id) => {
                    self.staked_wal.insert(id, None);
                }
                Change::Burn { epoch, amount } => {
                    *self.burns.entry(epoch).or_default() += u128::from(amount);
                }
                Change::Epoch(row) => {
                    let start = self
                        .epochs
                        .get(&row.epoch)
                        .map(|old| (old.start_checkpoint, old.start_timestamp_ms));
                    let mut row = row;
                    if let Some((checkpoint, timestamp)) = start {
                        row.start_checkpoint = checkpoint;
                        row.start_timestamp_ms = timestamp;
                    }
                    self.epochs.insert(row.epoch, row);
                }
                Change::EpochState {
                    epoch,
                    state,
                    committee,
                } => {
                    self.epoch_states
                        .insert(epoch, EpochStateUpdate { state, committee });
                }
                Change::Proposal(row) => {
                    self.proposals.insert(row.number, row);
                }
                Change::Vote(row) => self.votes.push(row),
            }
        }
        self.events.extend(rows.events);
        self.checkpoints.push(rows.checkpoint);
    }
}
