//! The node's state: what it stores (through [`Store`]), what it knows from the chain (fed by
//! the follower through [`ChainSink`]) and the operations the REST API performs on it. Every
//! operation validates its input completely before it writes anything.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use haulout_sui::sdk::Address;
use haulout_sui::{Committee, WalrusCheckpoint};
use haulout_types::bls::BlsKey;
use haulout_types::node_api::{BlobStatus, DeletableCounts, EventId, StoredOnNodeStatus};
use haulout_types::{
    BlobPersistenceType, BlsSignature, InvalidBlobIdBody, ProtocolMessage, SignedMessage,
    StorageConfirmationBody,
};
use haulout_types::{ObjectId, WalrusEvent};
use redstuff::{BlobMetadata, BlobMetadataWithId, EncodingConfig, SliverRef};

use crate::follower::{ChainSink, CommitteeView};
use crate::store::{Axis, Batch, BlobRecord, Registration, Store, StoreError};

/// How long data of a not-yet-registered blob stays buffered (`?pending=true`).
const PENDING_TTL: Duration = Duration::from_secs(60);

/// Why an operation was refused; the REST layer maps each to its status and reason.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The blob is not registered (or expired, or deleted).
    #[error("blob {0} is not registered")]
    NotRegistered(String),
    /// The blob ID was invalidated.
    #[error("blob {0} is invalid")]
    InvalidBlob(String),
    /// Metadata that does not belong to the blob ID or the network.
    #[error("invalid metadata: {0}")]
    InvalidMetadata(String),
    /// An encoding type other than RS2.
    #[error("unsupported encoding type")]
    UnsupportedEncoding,
    /// No metadata stored.
    #[error("no metadata stored for blob {0}")]
    MetadataNotFound(String),
    /// No such sliver stored.
    #[error("sliver not stored")]
    SliverNotFound,
    /// The pair's shard is not this node's.
    #[error("shard {0} is not assigned to this node")]
    ShardNotAssigned(u16),
    /// A pair or sliver index beyond the shard count.
    #[error("index {0} is out of range for {1} shards")]
    IndexOutOfRange(u16, u16),
    /// The sliver's own index does not match the pair.
    #[error("sliver index {got} does not belong to pair {pair} ({axis:?})")]
    SliverIndexMismatch {
        /// The pair in the path.
        pair: u16,
        /// The sliver's index.
        got: u16,
        /// The axis.
        axis: Axis,
    },
    /// The sliver does not verify against the metadata.
    #[error("invalid sliver: {0}")]
    InvalidSliver(String),
    /// The body is not the expected BCS value.
    #[error("malformed body: {0}")]
    Malformed(String),
    /// Not every owned sliver is stored yet.
    #[error("missing slivers: {0} of the node's shards lack them")]
    MissingSlivers(usize),
    /// The pending buffer is full.
    #[error("the buffer for unregistered uploads is full")]
    CacheSaturated,
    /// The node has not read its committee yet.
    #[error("the node is starting and does not know its committee yet")]
    Starting,
    /// A storage failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What [`NodeState::admit_sliver`] leaves to do with an upload.
#[derive(Debug)]
pub enum Admitted {
    /// Nothing more: the upload was buffered, or the sliver is already stored.
    Done(Stored),
    /// Verify the sliver against `metadata`, then write it to `shard`.
    Verify {
        /// The shard the sliver belongs to.
        shard: u16,
        /// The blob's metadata.
        metadata: BlobMetadata,
        /// The sliver's BCS.
        bytes: Vec<u8>,
    },
}

/// What a PUT did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Newly stored.
    Created,
    /// Already stored.
    AlreadyStored,
    /// Buffered until the registration is seen.
    Buffered,
}

#[derive(Default)]
struct Pending {
    bytes: u64,
    entries: HashMap<[u8; 32], PendingBlob>,
}

struct PendingBlob {
    since: Instant,
    metadata: Option<Vec<u8>>,
    slivers: Vec<(u16, Axis, Vec<u8>)>,
}

/// The node's committee view, reduced to what requests need.
#[derive(Debug, Clone)]
struct View {
    epoch: u32,
    owned: BTreeSet<u16>,
    full: CommitteeView,
}

/// The node's state, shared by the REST API, the follower and background tasks.
pub struct NodeState {
    store: Store,
    encoding: EncodingConfig,
    node_id: Option<Address>,
    key: BlsKey,
    view: RwLock<Option<View>>,
    pending: Mutex<Pending>,
    max_pending_bytes: u64,
    started: Instant,
    latest_checkpoint: Mutex<Option<u64>>,
    /// Woken when blobs become certified or shards change, for the recovery task.
    pub recovery_wakeup: tokio::sync::Notify,
    /// When a client last stored metadata or a sliver of each blob: while it is uploading,
    /// recovery leaves the blob alone (see [`NodeState::receiving_uploads`]).
    uploads: Mutex<HashMap<[u8; 32], Instant>>,
}

/// How long after a client's last upload of a blob's metadata or sliver the node still expects
/// the rest from it rather than recovering them. A client sends every node the metadata first,
/// the slivers of the nodes outside its first quorum only once the blob is certified, and goes
/// on uploading to those after it returned; a node recovering the blob meanwhile would do that
/// work twice (and take CPU from the upload). Long enough to cover a slow first quorum.
pub const UPLOAD_QUIET: Duration = Duration::from_secs(10);

impl std::fmt::Debug for NodeState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeState")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

fn blob_text(id: &[u8; 32]) -> String {
    redstuff::BlobId(*id).to_string()
}

fn object_bytes(id: ObjectId) -> [u8; 32] {
    Address::from(id).into_inner()
}

impl NodeState {
    /// A node with database `store` for a network of `n_shards`, signing with `key`.
    ///
    /// # Errors
    /// If `n_shards` cannot encode (fewer than 4).
    pub fn new(
        store: Store,
        n_shards: u16,
        node_id: Option<Address>,
        key: BlsKey,
        max_pending_bytes: u64,
    ) -> Result<Arc<Self>, redstuff::InvalidConfig> {
        let state = Arc::new(Self {
            store,
            encoding: EncodingConfig::new(n_shards)?,
            node_id,
            key,
            view: RwLock::new(None),
            pending: Mutex::new(Pending::default()),
            max_pending_bytes,
            started: Instant::now(),
            latest_checkpoint: Mutex::new(None),
            recovery_wakeup: tokio::sync::Notify::new(),
            uploads: Mutex::new(HashMap::new()),
        });
        *state
            .latest_checkpoint
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = state.store.cursor().ok().flatten();
        Ok(state)
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The encoding parameters of the network.
    pub fn encoding(&self) -> &EncodingConfig {
        &self.encoding
    }

    /// The node's BLS key.
    pub fn key(&self) -> &BlsKey {
        &self.key
    }

    /// Time since start.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// The last checkpoint applied.
    pub fn latest_checkpoint(&self) -> Option<u64> {
        *self
            .latest_checkpoint
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn view(&self) -> Result<View, NodeError> {
        self.view
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(NodeError::Starting)
    }

    /// The current committee epoch, if known.
    pub fn epoch(&self) -> Option<u32> {
        self.view().ok().map(|v| v.epoch)
    }

    /// The shards this node owns in the current committee.
    pub fn owned_shards(&self) -> Vec<u16> {
        self.view()
            .map(|v| v.owned.into_iter().collect())
            .unwrap_or_default()
    }

    /// The committees, if known.
    pub fn committees(&self) -> Option<CommitteeView> {
        self.view().ok().map(|v| v.full)
    }

    fn shard_of(&self, blob: &[u8; 32], pair: u16) -> u16 {
        redstuff::shard_index_for_pair(&redstuff::BlobId(*blob), pair, self.encoding.n_shards())
    }

    fn record(&self, blob: &[u8; 32]) -> Result<Option<BlobRecord>, NodeError> {
        Ok(self.store.blob(blob)?)
    }

    /// The blob's record if it is registered now; the errors the API reports otherwise.
    fn registered(&self, blob: &[u8; 32], epoch: u32) -> Result<BlobRecord, NodeError> {
        match self.record(blob)? {
            Some(r) if r.invalid.is_some() => Err(NodeError::InvalidBlob(blob_text(blob))),
            Some(r) if r.is_registered(epoch) => Ok(r),
            _ => Err(NodeError::NotRegistered(blob_text(blob))),
        }
    }

    /// Whether the blob ID is marked invalid (served as 451).
    pub fn is_invalid(&self, blob: &[u8; 32]) -> Result<bool, NodeError> {
        Ok(self.record(blob)?.is_some_and(|r| r.invalid.is_some()))
    }

    fn check_metadata(&self, blob: &[u8; 32], bytes: &[u8]) -> Result<BlobMetadata, NodeError> {
        let metadata: BlobMetadata =
            bcs::from_bytes(bytes).map_err(|e| NodeError::Malformed(e.to_string()))?;
        if metadata.encoding_type() != redstuff::EncodingType::Rs2 {
            return Err(NodeError::UnsupportedEncoding);
        }
        let with_id = BlobMetadataWithId::new_unverified(redstuff::BlobId(*blob), metadata);
        with_id
            .verify(&self.encoding)
            .map_err(|e| NodeError::InvalidMetadata(e.to_string()))?;
        Ok(with_id.into_parts().1)
    }

    /// The maximum size of a metadata body for this network.
    pub fn max_metadata_size(&self) -> usize {
        let n = usize::from(self.encoding.n_shards());
        42 + 3 + 66 * n
    }

    /// The maximum size of a sliver body for this network (the largest blob's sliver).
    pub fn max_sliver_size(&self) -> usize {
        let primary = usize::from(self.encoding.n_secondary_source_symbols());
        primary * usize::from(redstuff::MAX_SYMBOL_SIZE) + 16
    }

    /// The largest sliver of `axis` a registered blob of `size` bytes can have (BCS).
    pub fn sliver_size_for(&self, size: u64, axis: Axis) -> u64 {
        let data = match axis {
            Axis::Primary => self.encoding.primary_sliver_size(size),
            Axis::Secondary => self.encoding.secondary_sliver_size(size),
        }
        .unwrap_or(u64::MAX / 2);
        data + 16
    }

    /// `PUT /v1/blobs/{id}/metadata`.
    ///
    /// # Errors
    /// As the endpoint documents.
    pub fn put_metadata(
        &self,
        blob: &[u8; 32],
        bytes: Vec<u8>,
        pending: bool,
    ) -> Result<Stored, NodeError> {
        let view = self.view()?;
        let metadata = self.check_metadata(blob, &bytes)?;
        match self.registered(blob, view.epoch) {
            Ok(record) => {
                if metadata.unencoded_length() != record.size {
                    return Err(NodeError::InvalidMetadata(format!(
                        "the blob was registered with {} bytes, the metadata says {}",
                        record.size,
                        metadata.unencoded_length()
                    )));
                }
                if self.store.metadata(blob)?.is_some() {
                    return Ok(Stored::AlreadyStored);
                }
                let mut batch = Batch::default();
                batch.metadata(*blob, bytes);
                self.store.write(batch)?;
                self.uploaded(blob);
                Ok(Stored::Created)
            }
            Err(NodeError::NotRegistered(_)) if pending => {
                self.buffer(blob, bytes.len() as u64, |p| p.metadata = Some(bytes))?;
                Ok(Stored::Buffered)
            }
            Err(e) => Err(e),
        }
    }

    fn buffer(
        &self,
        blob: &[u8; 32],
        len: u64,
        put: impl FnOnce(&mut PendingBlob),
    ) -> Result<(), NodeError> {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let expired: Vec<[u8; 32]> = pending
            .entries
            .iter()
            .filter(|(_, e)| now.duration_since(e.since) > PENDING_TTL)
            .map(|(k, _)| *k)
            .collect();
        for key in expired {
            if let Some(e) = pending.entries.remove(&key) {
                pending.bytes -= pending_size(&e);
            }
        }
        if pending.bytes + len > self.max_pending_bytes {
            return Err(NodeError::CacheSaturated);
        }
        pending.bytes += len;
        let entry = pending.entries.entry(*blob).or_insert_with(|| PendingBlob {
            since: now,
            metadata: None,
            slivers: Vec::new(),
        });
        put(entry);
        Ok(())
    }

    /// `GET /v1/blobs/{id}/metadata`: the BCS `BlobMetadataWithId`.
    ///
    /// # Errors
    /// `InvalidBlob` for an invalidated blob, `MetadataNotFound`.
    pub fn metadata_with_id(&self, blob: &[u8; 32]) -> Result<Vec<u8>, NodeError> {
        if self.is_invalid(blob)? {
            return Err(NodeError::InvalidBlob(blob_text(blob)));
        }
        let bytes = self
            .store
            .metadata(blob)?
            .ok_or_else(|| NodeError::MetadataNotFound(blob_text(blob)))?;
        let mut out = blob.to_vec();
        out.extend_from_slice(&bytes);
        Ok(out)
    }

    /// The stored metadata, decoded.
    ///
    /// # Errors
    /// `MetadataNotFound`, or a corrupt record.
    pub fn metadata(&self, blob: &[u8; 32]) -> Result<BlobMetadata, NodeError> {
        let bytes = self
            .store
            .metadata(blob)?
            .ok_or_else(|| NodeError::MetadataNotFound(blob_text(blob)))?;
        bcs::from_bytes(&bytes).map_err(|e| NodeError::Malformed(e.to_string()))
    }

    /// `GET /v1/blobs/{id}/metadata/status`.
    ///
    /// # Errors
    /// If the store cannot be read.
    pub fn metadata_status(&self, blob: &[u8; 32]) -> Result<StoredOnNodeStatus, NodeError> {
        if self.store.metadata(blob)?.is_some() {
            return Ok(StoredOnNodeStatus::Stored);
        }
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        Ok(match pending.entries.get(blob) {
            Some(e) if e.metadata.is_some() => StoredOnNodeStatus::Buffered,
            _ => StoredOnNodeStatus::Nonexistent,
        })
    }

    fn check_pair(&self, pair: u16) -> Result<(), NodeError> {
        let n = self.encoding.n_shards();
        if pair >= n {
            return Err(NodeError::IndexOutOfRange(pair, n));
        }
        Ok(())
    }

    fn sliver_index(&self, pair: u16, axis: Axis) -> u16 {
        match axis {
            Axis::Primary => pair,
            Axis::Secondary => self.encoding.n_shards() - 1 - pair,
        }
    }

    /// Checks a sliver body (BCS `SliverData`, parsed in place) against the blob's metadata:
    /// its index belongs to `pair` on `axis`, and it verifies (shape and Merkle root).
    pub(crate) fn check_sliver(
        &self,
        pair: u16,
        axis: Axis,
        bytes: &[u8],
        metadata: &BlobMetadata,
    ) -> Result<(), NodeError> {
        let expected = self.sliver_index(pair, axis);
        let sliver_axis = match axis {
            Axis::Primary => redstuff::Axis::Primary,
            Axis::Secondary => redstuff::Axis::Secondary,
        };
        let sliver = SliverRef::from_bcs(sliver_axis, bytes)
            .map_err(|e| NodeError::Malformed(e.to_string()))?;
        if sliver.index != expected {
            return Err(NodeError::SliverIndexMismatch {
                pair,
                got: sliver.index,
                axis,
            });
        }
        sliver
            .verify(&self.encoding, metadata)
            .map_err(|e| NodeError::InvalidSliver(e.to_string()))
    }

    /// `PUT /v1/blobs/{id}/slivers/{pair}/{axis}`: [`NodeState::admit_sliver`], then
    /// [`NodeState::check_sliver`], then [`NodeState::write_sliver`], on the calling thread.
    ///
    /// # Errors
    /// As the endpoint documents.
    pub fn put_sliver(
        &self,
        blob: &[u8; 32],
        pair: u16,
        axis: Axis,
        bytes: Vec<u8>,
        pending: bool,
    ) -> Result<Stored, NodeError> {
        match self.admit_sliver(blob, pair, axis, bytes, pending)? {
            Admitted::Done(stored) => Ok(stored),
            Admitted::Verify {
                shard,
                metadata,
                bytes,
            } => {
                self.check_sliver(pair, axis, &bytes, &metadata)?;
                self.write_sliver(blob, shard, axis, bytes)
            }
        }
    }

    /// The checks of a sliver upload that need no hashing: the pair is in range and on one of
    /// the node's shards, the blob is registered (or the upload is buffered with `pending`),
    /// its metadata is stored, and the sliver is not stored yet.
    ///
    /// # Errors
    /// As the endpoint documents.
    pub fn admit_sliver(
        &self,
        blob: &[u8; 32],
        pair: u16,
        axis: Axis,
        bytes: Vec<u8>,
        pending: bool,
    ) -> Result<Admitted, NodeError> {
        let view = self.view()?;
        self.check_pair(pair)?;
        let shard = self.shard_of(blob, pair);
        if !view.owned.contains(&shard) {
            return Err(NodeError::ShardNotAssigned(shard));
        }
        match self.registered(blob, view.epoch) {
            Ok(_) => {}
            Err(NodeError::NotRegistered(_)) if pending => {
                if bytes.len() > self.max_sliver_size() {
                    return Err(NodeError::InvalidSliver(
                        "larger than any blob's sliver".into(),
                    ));
                }
                let len = bytes.len() as u64;
                self.buffer(blob, len, |p| p.slivers.push((pair, axis, bytes)))?;
                return Ok(Admitted::Done(Stored::Buffered));
            }
            Err(e) => return Err(e),
        }
        let metadata = self.metadata(blob)?;
        if self.store.has_sliver(shard, blob, axis)? {
            return Ok(Admitted::Done(Stored::AlreadyStored));
        }
        Ok(Admitted::Verify {
            shard,
            metadata,
            bytes,
        })
    }

    /// Writes an uploaded sliver that [`NodeState::check_sliver`] accepted.
    ///
    /// # Errors
    /// If the write fails.
    pub fn write_sliver(
        &self,
        blob: &[u8; 32],
        shard: u16,
        axis: Axis,
        bytes: Vec<u8>,
    ) -> Result<Stored, NodeError> {
        let mut batch = Batch::default();
        batch.sliver(shard, *blob, axis, bytes);
        // Synced before any confirmation is signed (see `confirmation`).
        batch.defer_sync();
        self.store.write(batch)?;
        self.uploaded(blob);
        Ok(Stored::Created)
    }

    /// Notes that a client just stored data of `blob` (and forgets blobs uploaded long ago).
    fn uploaded(&self, blob: &[u8; 32]) {
        let mut uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        uploads.retain(|_, at| at.elapsed() < UPLOAD_QUIET);
        uploads.insert(*blob, Instant::now());
    }

    /// Whether a client stored metadata or a sliver of `blob` less than [`UPLOAD_QUIET`] ago
    /// (it is probably still uploading the rest).
    pub fn receiving_uploads(&self, blob: &[u8; 32]) -> bool {
        let uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        uploads
            .get(blob)
            .is_some_and(|at| at.elapsed() < UPLOAD_QUIET)
    }

    /// Stores a sliver rebuilt or fetched by the node itself (already verified).
    ///
    /// # Errors
    /// If the write fails.
    pub fn store_verified_sliver(
        &self,
        blob: &[u8; 32],
        shard: u16,
        axis: Axis,
        bytes: Vec<u8>,
    ) -> Result<(), NodeError> {
        let mut batch = Batch::default();
        batch.sliver(shard, *blob, axis, bytes);
        Ok(self.store.write(batch)?)
    }

    /// Stores metadata fetched by the node itself (already verified against the blob ID).
    ///
    /// # Errors
    /// If the write fails.
    pub fn store_verified_metadata(
        &self,
        blob: &[u8; 32],
        bytes: Vec<u8>,
    ) -> Result<(), NodeError> {
        let mut batch = Batch::default();
        batch.metadata(*blob, bytes);
        Ok(self.store.write(batch)?)
    }

    /// Checks metadata fetched from another node against the blob ID.
    ///
    /// # Errors
    /// If it does not verify.
    pub fn verify_metadata(
        &self,
        blob: &[u8; 32],
        bytes: &[u8],
    ) -> Result<BlobMetadata, NodeError> {
        self.check_metadata(blob, bytes)
    }

    /// `GET /v1/blobs/{id}/slivers/{pair}/{axis}`: the BCS `SliverData`.
    ///
    /// # Errors
    /// `InvalidBlob`, `IndexOutOfRange`, `SliverNotFound`.
    pub fn sliver(&self, blob: &[u8; 32], pair: u16, axis: Axis) -> Result<Vec<u8>, NodeError> {
        self.check_pair(pair)?;
        if self.is_invalid(blob)? {
            return Err(NodeError::InvalidBlob(blob_text(blob)));
        }
        let shard = self.shard_of(blob, pair);
        self.store
            .sliver(shard, blob, axis)?
            .ok_or(NodeError::SliverNotFound)
    }

    /// `GET …/slivers/{pair}/{axis}/status`.
    ///
    /// # Errors
    /// `IndexOutOfRange`, or a read failure.
    pub fn sliver_status(
        &self,
        blob: &[u8; 32],
        pair: u16,
        axis: Axis,
    ) -> Result<StoredOnNodeStatus, NodeError> {
        self.check_pair(pair)?;
        let shard = self.shard_of(blob, pair);
        if self.store.has_sliver(shard, blob, axis)? {
            return Ok(StoredOnNodeStatus::Stored);
        }
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        Ok(match pending.entries.get(blob) {
            Some(e) if e.slivers.iter().any(|(p, a, _)| *p == pair && *a == axis) => {
                StoredOnNodeStatus::Buffered
            }
            _ => StoredOnNodeStatus::Nonexistent,
        })
    }

    /// The owned shards of `blob` that lack a sliver, as (shard, pair, axis).
    ///
    /// # Errors
    /// If the store cannot be read.
    pub fn missing_slivers(&self, blob: &[u8; 32]) -> Result<Vec<(u16, u16, Axis)>, NodeError> {
        let view = self.view()?;
        let n = self.encoding.n_shards();
        let offset = redstuff::BlobId(*blob).rotation_offset(n);
        let mut missing = Vec::new();
        for &shard in &view.owned {
            let pair = (n + shard - offset) % n;
            for axis in [Axis::Primary, Axis::Secondary] {
                if !self.store.has_sliver(shard, blob, axis)? {
                    missing.push((shard, pair, axis));
                }
            }
        }
        Ok(missing)
    }

    /// `GET /v1/blobs/{id}/confirmation/…`: a signed storage confirmation, for the permanent
    /// registration (`object_id` None) or the deletable `Blob` object `object_id`.
    ///
    /// # Errors
    /// `NotRegistered` (no such live registration), `MissingSlivers`.
    pub fn confirmation(
        &self,
        blob: &[u8; 32],
        object_id: Option<[u8; 32]>,
    ) -> Result<SignedMessage<StorageConfirmationBody>, NodeError> {
        let view = self.view()?;
        let record = self.registered(blob, view.epoch)?;
        let matches = record.live(view.epoch).any(|r| match object_id {
            None => !r.deletable,
            Some(id) => r.deletable && r.object_id == id,
        });
        if !matches {
            return Err(NodeError::NotRegistered(blob_text(blob)));
        }
        if self.store.metadata(blob)?.is_none() {
            return Err(NodeError::MissingSlivers(view.owned.len()));
        }
        let missing = self.missing_slivers(blob)?;
        if !missing.is_empty() {
            return Err(NodeError::MissingSlivers(missing.len()));
        }
        // Every sliver confirmed is on disk first.
        self.store.sync()?;
        let blob_type = match object_id {
            None => BlobPersistenceType::Permanent,
            Some(id) => BlobPersistenceType::Deletable {
                object_id: ObjectId::from(Address::new(id)),
            },
        };
        let message = ProtocolMessage::new(
            view.epoch,
            StorageConfirmationBody {
                blob_id: haulout_types::BlobId(*blob),
                blob_type,
            },
        );
        let signature = self.key.sign(&message.to_bcs());
        Ok(SignedMessage::new(&message, BlsSignature(signature)))
    }

    /// An `InvalidBlobIdMsg` for `blob`, signed in the current epoch.
    ///
    /// # Errors
    /// `Starting` before the committee is known.
    pub fn sign_invalid(
        &self,
        blob: &[u8; 32],
    ) -> Result<SignedMessage<InvalidBlobIdBody>, NodeError> {
        let view = self.view()?;
        let message = ProtocolMessage::new(
            view.epoch,
            InvalidBlobIdBody {
                blob_id: haulout_types::BlobId(*blob),
            },
        );
        let signature = self.key.sign(&message.to_bcs());
        Ok(SignedMessage::new(&message, BlsSignature(signature)))
    }

    /// `GET /v1/blobs/{id}/status`.
    ///
    /// # Errors
    /// If the store cannot be read.
    pub fn blob_status(&self, blob: &[u8; 32]) -> Result<BlobStatus, NodeError> {
        let epoch = self.epoch().unwrap_or(0);
        let Some(record) = self.record(blob)? else {
            return Ok(BlobStatus::Nonexistent);
        };
        if let Some(event) = record.invalid.clone() {
            return Ok(BlobStatus::Invalid { event });
        }
        let live: Vec<&Registration> = record.live(epoch).collect();
        let deletable_counts = DeletableCounts {
            count_deletable_total: live.iter().filter(|r| r.deletable).count() as u32,
            count_deletable_certified: live.iter().filter(|r| r.deletable && r.certified).count()
                as u32,
        };
        let permanent = live
            .iter()
            .filter(|r| !r.deletable)
            .max_by_key(|r| (r.certified, r.end_epoch));
        Ok(match permanent {
            Some(p) => BlobStatus::Permanent {
                end_epoch: p.end_epoch,
                is_certified: p.certified,
                status_event: p.event.clone(),
                deletable_counts,
                initial_certified_epoch: record.initial_certified_epoch,
            },
            None if deletable_counts.count_deletable_total > 0 => BlobStatus::Deletable {
                initial_certified_epoch: record.initial_certified_epoch,
                deletable_counts,
            },
            None => BlobStatus::Nonexistent,
        })
    }

    /// The certified blobs whose slivers this node owes, for recovery.
    ///
    /// # Errors
    /// If the store cannot be read.
    pub fn certified_blobs(&self) -> Result<Vec<[u8; 32]>, NodeError> {
        let epoch = self.epoch().unwrap_or(0);
        Ok(self
            .store
            .blobs()?
            .into_iter()
            .filter(|(_, r)| r.is_certified(epoch))
            .map(|(id, _)| id)
            .collect())
    }

    /// Garbage collection at epoch `epoch`: data of blobs with no live registration (expired,
    /// deleted) or invalidated is deleted, and so is the record once nothing refers to it.
    ///
    /// # Errors
    /// If the store fails.
    pub fn collect_garbage(&self, epoch: u32) -> Result<usize, NodeError> {
        let mut batch = Batch::default();
        let mut removed = 0;
        for (id, mut record) in self.store.blobs()? {
            if record.invalid.is_some() || !record.is_registered(epoch) {
                batch.delete_data(id);
                removed += 1;
                if record.invalid.is_none() {
                    record.registrations.retain(|r| r.end_epoch > epoch);
                    batch.blob(id, (!record.registrations.is_empty()).then_some(record));
                }
            }
        }
        if removed > 0 {
            self.store.write(batch)?;
        }
        Ok(removed)
    }

    fn apply_event(&self, record: &mut BlobRecord, event: &WalrusEvent, id: &EventId) {
        match event {
            WalrusEvent::BlobRegistered(e) => {
                record.size = e.size;
                let object_id = object_bytes(e.object_id);
                record.registrations.retain(|r| r.object_id != object_id);
                record.registrations.push(Registration {
                    object_id,
                    deletable: e.deletable,
                    end_epoch: e.end_epoch,
                    certified: false,
                    event: id.clone(),
                });
            }
            WalrusEvent::BlobCertified(e) => {
                let object_id = object_bytes(e.object_id);
                if let Some(r) = record
                    .registrations
                    .iter_mut()
                    .find(|r| r.object_id == object_id)
                {
                    r.certified = true;
                    r.end_epoch = e.end_epoch;
                    r.event = id.clone();
                } else {
                    record.registrations.push(Registration {
                        object_id,
                        deletable: e.deletable,
                        end_epoch: e.end_epoch,
                        certified: true,
                        event: id.clone(),
                    });
                }
                let first = record
                    .initial_certified_epoch
                    .map_or(e.epoch, |f| f.min(e.epoch));
                record.initial_certified_epoch = Some(first);
            }
            WalrusEvent::BlobDeleted(e) => {
                let object_id = object_bytes(e.object_id);
                record.registrations.retain(|r| r.object_id != object_id);
            }
            WalrusEvent::InvalidBlobID(_) => record.invalid = Some(id.clone()),
            _ => {}
        }
    }

    /// Takes the buffered uploads of blobs that just became registered and stores the valid
    /// ones.
    fn flush_pending(&self, blobs: &[[u8; 32]]) {
        let taken: Vec<([u8; 32], PendingBlob)> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            blobs
                .iter()
                .filter_map(|b| {
                    let e = pending.entries.remove(b)?;
                    pending.bytes -= pending_size(&e);
                    Some((*b, e))
                })
                .collect()
        };
        for (blob, entry) in taken {
            if let Some(m) = entry.metadata {
                if let Err(e) = self.put_metadata(&blob, m, false) {
                    tracing::debug!(blob = %blob_text(&blob), error = %e, "buffered metadata refused");
                }
            }
            for (pair, axis, bytes) in entry.slivers {
                if let Err(e) = self.put_sliver(&blob, pair, axis, bytes, false) {
                    tracing::debug!(blob = %blob_text(&blob), error = %e, "buffered sliver refused");
                }
            }
        }
    }
}

fn pending_size(e: &PendingBlob) -> u64 {
    e.metadata.as_ref().map_or(0, |m| m.len() as u64)
        + e.slivers
            .iter()
            .map(|(_, _, s)| s.len() as u64)
            .sum::<u64>()
}

impl ChainSink for NodeState {
    fn cursor(&self) -> anyhow::Result<Option<u64>> {
        Ok(self.store.cursor()?)
    }

    fn apply_checkpoint(&self, checkpoint: &WalrusCheckpoint) -> anyhow::Result<()> {
        let mut records: HashMap<[u8; 32], BlobRecord> = HashMap::new();
        let mut registered = Vec::new();
        let mut certified = false;
        let mut invalidated = Vec::new();
        for (id, event) in &checkpoint.events {
            let blob = match event {
                WalrusEvent::BlobRegistered(e) => e.blob_id,
                WalrusEvent::BlobCertified(e) => e.blob_id,
                WalrusEvent::BlobDeleted(e) => e.blob_id,
                WalrusEvent::InvalidBlobID(e) => e.blob_id,
                _ => continue,
            };
            let blob: [u8; 32] = haulout_types::BlobId::from(blob).0;
            let record = match records.entry(blob) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(self.store.blob(&blob)?.unwrap_or_default())
                }
            };
            self.apply_event(record, event, id);
            match event {
                WalrusEvent::BlobRegistered(_) => registered.push(blob),
                WalrusEvent::BlobCertified(_) => certified = true,
                WalrusEvent::InvalidBlobID(_) => invalidated.push(blob),
                _ => {}
            }
        }
        let mut batch = Batch::default();
        for (blob, record) in records {
            batch.blob(blob, Some(record));
        }
        for blob in &invalidated {
            batch.delete_data(*blob);
        }
        batch.cursor(checkpoint.sequence_number);
        self.store.write(batch)?;
        *self
            .latest_checkpoint
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(checkpoint.sequence_number);
        if !registered.is_empty() {
            self.flush_pending(&registered);
        }
        if certified {
            self.recovery_wakeup.notify_one();
        }
        Ok(())
    }

    fn set_committees(&self, view: &CommitteeView) -> anyhow::Result<()> {
        let owned: BTreeSet<u16> = self
            .node_id
            .and_then(|me| view.current.member(me))
            .map(|(_, m)| m.shards.iter().copied().collect())
            .unwrap_or_default();
        let previous = self.view().ok();
        let changed = previous
            .as_ref()
            .is_none_or(|p| p.owned != owned || p.epoch != view.current.epoch);
        let new_epoch = previous
            .as_ref()
            .is_some_and(|p| p.epoch != view.current.epoch);
        *self.view.write().unwrap_or_else(|p| p.into_inner()) = Some(View {
            epoch: view.current.epoch,
            owned: owned.clone(),
            full: view.clone(),
        });
        if changed {
            self.recovery_wakeup.notify_one();
        }
        if new_epoch || previous.is_none() {
            let removed = self.collect_garbage(view.current.epoch)?;
            if removed > 0 {
                tracing::info!(
                    removed,
                    epoch = view.current.epoch,
                    "garbage-collected blobs"
                );
            }
        }
        // Shards no longer owned are dropped once the epoch change is done.
        if !view.changing {
            if let Some(me) = self.node_id {
                if let Some((_, m)) = view.previous.member(me) {
                    for shard in m.shards.iter().filter(|s| !owned.contains(s)) {
                        self.store.delete_shard(*shard)?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn take_over_shards(&self, shards: Vec<u16>, _view: CommitteeView) -> anyhow::Result<()> {
        // The recovery task rebuilds every sliver the node owes on its owned shards (from
        // the other nodes' recovery symbols); wait until none is missing for these shards.
        self.recovery_wakeup.notify_one();
        loop {
            let mut missing = 0;
            for blob in self.certified_blobs()? {
                missing += self
                    .missing_slivers(&blob)?
                    .iter()
                    .filter(|(shard, _, _)| shards.contains(shard))
                    .count();
            }
            if missing == 0 {
                return Ok(());
            }
            self.recovery_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The committee member for `node_id`, if any.
pub fn member_of(committee: &Committee, node_id: Address) -> Option<usize> {
    committee.member(node_id).map(|(i, _)| i)
}
