//! Storing a blob: encode, buy storage and register it in one transaction, upload metadata and
//! sliver pairs to the nodes owning each shard, collect a quorum of signed confirmations and
//! certify the blob on chain with their aggregate.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use haulout_sui::sdk::Address;
use haulout_sui::{Committee, CommitteeMember};
use haulout_types::bls;
use haulout_types::{BlobPersistenceType, SignedMessage, StorageConfirmationBody};
use redstuff::{BlobId, EncodedBlob, Node, SliverRef, pair_index_for_shard};
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::client::{Client, NewBlob, storage_units};
use crate::error::{ClientError, Result, summarize};
use crate::nodes::NodeRequestError;

/// How long the store waits for a storage node to see the blob's registration.
const REGISTRATION_WAIT: Duration = Duration::from_secs(30);
/// Attempts per request for other transient failures.
const ATTEMPTS: u32 = 4;
/// Sliver uploads in flight per node.
const PER_NODE_CONCURRENCY: usize = 8;
/// Once a quorum has confirmed, the store waits for more confirmations this fraction of the
/// time the quorum took, at most [`TAIL_MAX`]; the uploads still running then go on in the
/// background.
const TAIL_DIVISOR: u32 = 20;
/// See [`TAIL_DIVISOR`].
const TAIL_MAX: Duration = Duration::from_millis(100);
/// The least time the nodes outside the first quorum wait for its slow members.
const LATE_MIN: Duration = Duration::from_millis(50);

/// How long storage is bought for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Epochs {
    /// This many epochs from the current one.
    Count(u32),
    /// As far ahead as the network allows.
    Max,
}

/// Options of [`Client::store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long to store the blob.
    pub epochs: Epochs,
    /// A deletable blob (the owner may delete it early) instead of a permanent one.
    pub deletable: bool,
    /// Key–value attributes recorded on the `Blob` object.
    pub attributes: Vec<(String, String)>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            epochs: Epochs::Count(1),
            deletable: true,
            attributes: Vec::new(),
        }
    }
}

/// A step of a store, for progress reports.
#[derive(Debug, Clone)]
pub enum StoreProgress {
    /// The blob is encoded: `slivers` uploads follow.
    Encoded {
        /// The blob ID.
        blob_id: BlobId,
        /// Sliver uploads to do.
        slivers: u64,
    },
    /// The blob is registered on chain.
    Registered,
    /// `n` more slivers were uploaded.
    Uploaded(u64),
    /// A quorum confirmed; certifying.
    Certifying,
}

/// A callback for [`StoreProgress`].
pub type Progress = Arc<dyn Fn(StoreProgress) + Send + Sync>;

/// What a store did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreResult {
    /// The blob ID (base64url).
    pub blob_id: String,
    /// The `Blob` object.
    pub object_id: String,
    /// Unencoded size.
    pub size: u64,
    /// Encoded size (what the storage is bought for).
    pub encoded_size: u64,
    /// First epoch not covered.
    pub end_epoch: u32,
    /// Whether it is deletable.
    pub deletable: bool,
    /// WAL paid, in FROST (storage + write fee).
    pub cost: u64,
    /// SUI paid for gas, in MIST.
    pub gas_used: u64,
    /// Shards whose nodes confirmed.
    pub confirmed_shards: u16,
    /// The registration transaction.
    pub register_digest: String,
    /// The certification transaction.
    pub certify_digest: String,
}

/// A blob registered on chain, before upload.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The `Blob` object.
    pub object_id: Address,
    /// Whether it is deletable.
    pub deletable: bool,
    /// WAL paid, in FROST.
    pub cost: u64,
    /// Encoded size.
    pub encoded_size: u64,
    /// First epoch not covered.
    pub end_epoch: u32,
    /// The transaction.
    pub executed: haulout_sui::Executed,
}

/// A node's verified confirmation.
struct Confirmation {
    member: usize,
    weight: u16,
    signature: [u8; 96],
    message: Vec<u8>,
}

impl Client {
    /// Stores `data`: the whole protocol of walrus-protocol.md §6, one blob.
    ///
    /// Returns once the blob is certified, which takes a quorum of confirmations; the uploads
    /// to the other nodes may still be running then and go on in the background of this
    /// runtime (as with Walrus's client, a node that misses its slivers recovers them once the
    /// blob is certified). [`Client::finish_uploads`] waits for them; a process that is about
    /// to exit should call it.
    ///
    /// # Errors
    /// If the wallet cannot pay, the chain refuses the transactions, or too few nodes confirm.
    pub async fn store(
        &self,
        data: Arc<Vec<u8>>,
        options: &StoreOptions,
        progress: Option<Progress>,
    ) -> Result<StoreResult> {
        let report = |p: StoreProgress| {
            if let Some(f) = &progress {
                f(p);
            }
        };
        self.signer()?;
        let encoded = Arc::new(self.encode(data).await?);
        report(StoreProgress::Encoded {
            blob_id: *encoded.metadata().blob_id(),
            slivers: 2 * u64::from(encoded.config().n_shards()),
        });
        let registration = self.register_encoded(&encoded, options).await?;
        report(StoreProgress::Registered);
        self.upload_and_certify(&encoded, &registration, progress)
            .await
    }

    /// Encodes `data` for the network's current shard count (on a blocking thread).
    ///
    /// # Errors
    /// If the chain cannot be read or the blob is too large.
    pub async fn encode(&self, data: Arc<Vec<u8>>) -> Result<EncodedBlob> {
        let config = self.encoding().await?;
        let size = data.len() as u64;
        if size > config.max_blob_size() {
            return Err(ClientError::Invalid(format!(
                "the file has {size} bytes; this network stores at most {} per blob",
                config.max_blob_size()
            )));
        }
        tokio::task::spawn_blocking(move || config.encode(&data))
            .await
            .map_err(|e| ClientError::Invalid(format!("encoder panicked: {e}")))?
            .map_err(ClientError::from)
    }

    /// Buys storage for `encoded` and registers it, in one transaction; nothing is uploaded.
    ///
    /// # Errors
    /// If the epochs are out of range, the wallet cannot pay, or the transaction fails.
    pub async fn register_encoded(
        &self,
        encoded: &EncodedBlob,
        options: &StoreOptions,
    ) -> Result<Registration> {
        self.register_metadata(encoded.metadata(), options).await
    }

    /// Buys storage for the blob of `metadata` and registers it (what [`Client::register_encoded`]
    /// does, for callers that build the metadata themselves).
    ///
    /// # Errors
    /// As [`Client::register_encoded`].
    pub async fn register_metadata(
        &self,
        metadata: &redstuff::BlobMetadataWithId,
        options: &StoreOptions,
    ) -> Result<Registration> {
        let state = self.state().await?;
        let inner = &state.system_inner;
        let config = &redstuff::EncodingConfig::new(inner.committee.n_shards)?;
        let max_ahead = inner.future_accounting.length;
        let epochs = match options.epochs {
            Epochs::Max => max_ahead,
            Epochs::Count(n) if n == 0 || n > max_ahead => {
                return Err(ClientError::Invalid(format!(
                    "--epochs must be between 1 and {max_ahead} (the network's maximum)"
                )));
            }
            Epochs::Count(n) => n,
        };
        let size = metadata.metadata().unencoded_length();
        let encoded_size = config.encoded_blob_length(size)?;
        let units = storage_units(encoded_size);
        let cost = units * inner.storage_price_per_unit_size * u64::from(epochs)
            + units * inner.write_price_per_unit_size;
        let blob_id = *metadata.blob_id();
        let root_hash = match metadata.metadata().root_hash() {
            Node::Digest(d) => d,
            Node::Empty => [0; 32],
        };
        let (executed, object_id) = self
            .register(NewBlob {
                encoded_size,
                epochs,
                blob_id: &blob_id,
                root_hash,
                size,
                deletable: options.deletable,
                attributes: &options.attributes,
                cost,
            })
            .await?;
        Ok(Registration {
            object_id,
            deletable: options.deletable,
            cost,
            encoded_size,
            end_epoch: state.epoch() + epochs,
            executed,
        })
    }

    /// Uploads a registered blob to the committee and certifies it with a quorum of
    /// confirmations.
    ///
    /// # Errors
    /// If too few nodes confirm or the certification fails.
    pub async fn upload_and_certify(
        &self,
        encoded: &Arc<EncodedBlob>,
        registration: &Registration,
        progress: Option<Progress>,
    ) -> Result<StoreResult> {
        let report = |p: StoreProgress| {
            if let Some(f) = &progress {
                f(p);
            }
        };
        let object_id = registration.object_id;
        let blob_id = *encoded.metadata().blob_id();
        let options_deletable = registration.deletable;
        let committee = self.committee().await?;
        let blob_type = if options_deletable {
            BlobPersistenceType::Deletable {
                object_id: object_id.into(),
            }
        } else {
            BlobPersistenceType::Permanent
        };
        let (confirmations, others) = self
            .upload(encoded, &committee, object_id, &blob_type, &progress)
            .await?;
        report(StoreProgress::Certifying);

        let signed: Vec<(Address, [u8; 96], Vec<u8>)> = confirmations
            .iter()
            .map(|c| {
                (
                    committee.members[c.member].node_id,
                    c.signature,
                    c.message.clone(),
                )
            })
            .collect();
        let certified = self.certify_confirmations(object_id, &signed).await;
        // Now (or on an error) the nodes outside the first quorum get their slivers.
        drop(others);
        let certified = certified?;
        let registered = &registration.executed;
        Ok(StoreResult {
            blob_id: blob_id.to_string(),
            object_id: object_id.to_string(),
            size: encoded.metadata().metadata().unencoded_length(),
            encoded_size: registration.encoded_size,
            end_epoch: registration.end_epoch,
            deletable: registration.deletable,
            cost: registration.cost,
            gas_used: registered.gas_used() + certified.gas_used(),
            confirmed_shards: confirmations.iter().map(|c| c.weight).sum(),
            register_digest: registered.digest.to_string(),
            certify_digest: certified.digest.to_string(),
        })
    }

    /// Certifies blob object `object_id` with confirmations `(node ID, signature, signed
    /// message)` from committee members: aggregates the signatures of those that signed the
    /// first one's message and sets their bits in the System committee's order.
    ///
    /// # Errors
    /// If there is nothing to aggregate or `certify_blob` aborts (too little weight, wrong
    /// epoch).
    pub async fn certify_confirmations(
        &self,
        object_id: Address,
        confirmations: &[(Address, [u8; 96], Vec<u8>)],
    ) -> Result<haulout_sui::Executed> {
        let (_, inner) = self.walrus.system_state().await?;
        let members = &inner.committee.members;
        let mut bitmap = vec![0u8; members.len().div_ceil(8)];
        let mut signatures = Vec::new();
        let message = confirmations
            .first()
            .map(|(_, _, m)| m.clone())
            .ok_or_else(|| ClientError::Invalid("no confirmations to certify with".into()))?;
        for (node_id, signature, signed) in confirmations {
            let Some(i) = members
                .iter()
                .position(|m| Address::from(m.node_id) == *node_id)
            else {
                continue;
            };
            if *signed != message {
                continue;
            }
            bitmap[i / 8] |= 1 << (i % 8);
            signatures.push(*signature);
        }
        let refs: Vec<&[u8]> = signatures.iter().map(|s| s.as_slice()).collect();
        let signature = bls::aggregate_signatures(&refs)
            .ok_or_else(|| ClientError::Invalid("could not aggregate the signatures".into()))?;
        self.certify(object_id, signature.to_vec(), bitmap, message)
            .await
    }

    /// Waits until the node uploads that earlier stores left running (see [`Client::store`])
    /// have finished, or `timeout` has passed; returns how many were still running then (they
    /// go on in the background of this runtime; a node that never gets its slivers recovers
    /// them from the others once the blob is certified).
    pub async fn finish_uploads(&self, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut left = Vec::new();
        for mut handle in self.background.take() {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                left.push(handle);
            }
        }
        let n = left.len();
        self.background.add(left);
        n
    }

    /// Node uploads of earlier stores still running.
    pub fn pending_uploads(&self) -> usize {
        self.background.pending()
    }

    /// Uploads to the committee, the nodes of a first quorum (by shard weight) ahead of the
    /// others, and returns once a quorum confirmed; the uploads still running then go on in the
    /// background ([`Client::finish_uploads`]).
    ///
    /// On a machine whose CPU or bandwidth is the bottleneck, uploading to everyone at once
    /// makes every node finish late. Every node gets its metadata right away; the first
    /// quorum's nodes get their slivers, and the others theirs once the returned [`Others`] is
    /// dropped (after the certification), one of the first quorum failed, or the first quorum
    /// is late: it has not confirmed half as long again after the first of its nodes got its
    /// slivers as that took. Once the others are uploading, a quorum of confirmations gets a
    /// short tail for more.
    async fn upload(
        &self,
        encoded: &Arc<EncodedBlob>,
        committee: &Committee,
        object_id: Address,
        blob_type: &BlobPersistenceType,
        progress: &Option<Progress>,
    ) -> Result<(Vec<Confirmation>, Others)> {
        let config = *encoded.config();
        let n = config.n_shards();
        let blob_id = *encoded.metadata().blob_id();
        let epoch = committee.epoch;
        let first = first_quorum(committee, &config);
        let (events_tx, mut events) = mpsc::unbounded_channel();
        let (gate, gate_rx) = watch::channel(false);
        // Progress is reported until this store returns, not by the uploads that outlive it.
        let live = Arc::new(AtomicBool::new(true));
        let progress: Option<Progress> = progress.clone().map(|f| {
            let live = live.clone();
            Arc::new(move |p: StoreProgress| {
                if live.load(Ordering::Relaxed) {
                    f(p);
                }
            }) as Progress
        });
        let mut handles = Vec::new();
        let mut any_first = false;
        for (index, member) in committee.members.iter().enumerate() {
            if member.shards.is_empty() {
                continue;
            }
            let deletable = match blob_type {
                BlobPersistenceType::Deletable { .. } => Some(object_id.to_string()),
                BlobPersistenceType::Permanent => None,
            };
            let turn = if first[index] {
                any_first = true;
                None
            } else {
                Some(gate_rx.clone())
            };
            let this = self.clone();
            let encoded = encoded.clone();
            let member = member.clone();
            let progress = progress.clone();
            let expected = *blob_type;
            let events = events_tx.clone();
            handles.push(tokio::spawn(async move {
                let result = this
                    .upload_to(
                        &encoded,
                        &member,
                        deletable.as_deref(),
                        &progress,
                        turn,
                        || {
                            let _ = events.send(Event::Sent(index));
                        },
                    )
                    .await
                    .and_then(|signed| {
                        verify_confirmation(&signed, &member, &blob_id, epoch, &expected)
                    });
                let _ = events.send(Event::Done(index, result));
            }));
        }
        drop(events_tx);
        // Tracked from the start, so that they are waited for even if this store is dropped.
        self.background.add(handles);
        let open = |gate: &watch::Sender<bool>| {
            gate.send_replace(true);
        };
        if !any_first {
            open(&gate);
        }
        let started = Instant::now();
        let mut confirmed: Vec<Confirmation> = Vec::new();
        let mut weight = 0u16;
        let mut errors = Vec::new();
        // When the others start at the latest, once the first of the first quorum is sent.
        let mut late_at: Option<Instant> = None;
        let mut tail_end: Option<Instant> = None;
        loop {
            let deadline = match (tail_end, late_at.filter(|_| !*gate.borrow())) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let event = match deadline {
                None => events.recv().await,
                Some(at) => match tokio::time::timeout_at(at.into(), events.recv()).await {
                    Ok(event) => event,
                    Err(_) => {
                        if tail_end.is_some_and(|t| Instant::now() >= t) {
                            break;
                        }
                        open(&gate);
                        continue;
                    }
                },
            };
            let Some(event) = event else {
                break;
            };
            match event {
                Event::Sent(index) => {
                    if first[index] && late_at.is_none() {
                        late_at = Some(Instant::now() + late_slack(started.elapsed()));
                    }
                }
                Event::Done(index, Ok((signature, message))) => {
                    let member = &committee.members[index];
                    let w = member.shards.len() as u16;
                    weight += w;
                    confirmed.push(Confirmation {
                        member: index,
                        weight: w,
                        signature,
                        message,
                    });
                    if tail_end.is_none() && config.is_quorum(weight) {
                        if !*gate.borrow() {
                            // The others have not started: nothing to wait for.
                            break;
                        }
                        tail_end = Some(Instant::now() + tail(started.elapsed()));
                    }
                }
                Event::Done(index, Err(e)) => {
                    let member = &committee.members[index];
                    tracing::warn!(node = %member.name, error = %e, "storage node did not confirm");
                    errors.push(format!("{}: {e}", member.name));
                    if first[index] {
                        open(&gate);
                    }
                }
            }
        }
        live.store(false, Ordering::Relaxed);
        if !config.is_quorum(weight) {
            return Err(ClientError::NoQuorum {
                weight,
                n_shards: n,
                quorum: n - config.max_faulty(),
                errors: summarize(&errors, 3),
            });
        }
        Ok((confirmed, Others(gate)))
    }

    /// Metadata, then (once `turn` opens, if given) every owned sliver pair, then `sent()`,
    /// then the confirmation, of one node.
    async fn upload_to(
        &self,
        encoded: &Arc<EncodedBlob>,
        member: &CommitteeMember,
        deletable: Option<&str>,
        progress: &Option<Progress>,
        turn: Option<watch::Receiver<bool>>,
        sent: impl FnOnce(),
    ) -> Result<SignedMessage<StorageConfirmationBody>, NodeRequestError> {
        let nodes = &self.nodes;
        let address = &member.network_address;
        let blob_id = *encoded.metadata().blob_id();
        let n = encoded.config().n_shards();
        let metadata = encoded.metadata().metadata();
        // Shared, not copied, by the retries.
        let metadata_bcs = bytes::Bytes::from(bcs::to_bytes(metadata).unwrap_or_default());
        retry(|| nodes.put_metadata(address, &blob_id, metadata_bcs.clone())).await?;
        if let Some(mut turn) = turn {
            // An error means the store is over: go on.
            let _ = turn.wait_for(|open| *open).await;
        }
        let jobs: Vec<(bool, u16)> = member
            .shards
            .iter()
            .map(|&shard| pair_index_for_shard(&blob_id, shard, n))
            .flat_map(|pair| [(true, pair), (false, pair)])
            .collect();
        let uploads = futures::stream::iter(jobs)
            .map(|(primary, pair)| {
                let nodes = nodes.clone();
                let address = address.clone();
                let encoded = encoded.clone();
                let progress = progress.clone();
                async move {
                    // Serialized straight from the encoded blob: one copy, not two.
                    let symbol_size = encoded.symbol_size();
                    let (axis, sliver) = if primary {
                        let sliver = SliverRef {
                            axis: redstuff::Axis::Primary,
                            index: pair,
                            symbol_size,
                            data: encoded.primary_bytes(pair),
                        };
                        ("primary", sliver)
                    } else {
                        let index = n - 1 - pair;
                        let sliver = SliverRef {
                            axis: redstuff::Axis::Secondary,
                            index,
                            symbol_size,
                            data: encoded.secondary_bytes(index),
                        };
                        ("secondary", sliver)
                    };
                    let bcs = sliver.to_bcs();
                    let bytes = bytes::Bytes::from(bcs);
                    let result =
                        retry(|| nodes.put_sliver(&address, &blob_id, pair, axis, bytes.clone()))
                            .await;
                    if result.is_ok() {
                        if let Some(f) = &progress {
                            f(StoreProgress::Uploaded(1));
                        }
                    }
                    result
                }
            })
            .buffer_unordered(PER_NODE_CONCURRENCY);
        futures::pin_mut!(uploads);
        while let Some(result) = uploads.next().await {
            result?;
        }
        sent();
        retry(|| nodes.confirmation(address, &blob_id, deletable)).await
    }
}

/// Holds back the uploads to the nodes outside the first quorum until dropped (or opened).
pub(crate) struct Others(watch::Sender<bool>);

impl Drop for Others {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

/// What a node's upload task reports to its store.
enum Event {
    /// Node `index` holds every sliver it owns (it has not confirmed yet).
    Sent(usize),
    /// Node `index` is done: its verified confirmation, or why not.
    Done(usize, Result<([u8; 96], Vec<u8>), NodeRequestError>),
}

/// Which committee members (by index) form the first quorum the store uploads to: the
/// heaviest first, until their shards are a quorum.
fn first_quorum(committee: &Committee, config: &redstuff::EncodingConfig) -> Vec<bool> {
    let mut order: Vec<usize> = (0..committee.members.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(committee.members[i].shards.len()));
    let mut first = vec![false; committee.members.len()];
    let mut weight = 0u16;
    for i in order {
        if config.is_quorum(weight) {
            break;
        }
        first[i] = true;
        weight = weight.saturating_add(committee.members[i].shards.len() as u16);
    }
    first
}

/// How long after the first node of the first quorum got its slivers the others start theirs
/// at the latest (the rest of the first quorum is slow).
fn late_slack(elapsed: Duration) -> Duration {
    (elapsed / 2).max(LATE_MIN)
}

/// How long a store waits for more confirmations once a quorum confirmed.
fn tail(elapsed: Duration) -> Duration {
    (elapsed / TAIL_DIVISOR).min(TAIL_MAX)
}

/// Node uploads still running after their store returned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Background(Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>);

impl Background {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<tokio::task::JoinHandle<()>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, handles: Vec<tokio::task::JoinHandle<()>>) {
        let mut all = self.lock();
        all.retain(|h| !h.is_finished());
        all.extend(handles.into_iter().filter(|h| !h.is_finished()));
    }

    fn take(&self) -> Vec<tokio::task::JoinHandle<()>> {
        std::mem::take(&mut *self.lock())
    }

    fn pending(&self) -> usize {
        self.lock().iter().filter(|h| !h.is_finished()).count()
    }
}

/// Checks a node's confirmation: the right blob, persistence type and epoch, signed by the
/// node's key on chain.
fn verify_confirmation(
    signed: &SignedMessage<StorageConfirmationBody>,
    member: &CommitteeMember,
    blob_id: &BlobId,
    epoch: u32,
    expected: &BlobPersistenceType,
) -> Result<([u8; 96], Vec<u8>), NodeRequestError> {
    let bad = |reason: String| NodeRequestError::Malformed {
        url: member.network_address.clone(),
        reason,
    };
    let message = signed
        .message()
        .map_err(|e| bad(format!("confirmation does not decode: {e}")))?;
    if message.body.blob_id.0 != *blob_id.as_bytes() || &message.body.blob_type != expected {
        return Err(bad("confirmation for another blob".into()));
    }
    if message.epoch != epoch {
        return Err(bad(format!(
            "confirmation for epoch {}, the committee is of epoch {epoch}",
            message.epoch
        )));
    }
    if !bls::verify(
        &signed.signature.0,
        &member.public_key,
        &signed.serialized_message,
    ) {
        return Err(bad("confirmation signature does not verify".into()));
    }
    Ok((signed.signature.0, signed.serialized_message.clone()))
}

/// Retries `f` while its error is transient: up to [`REGISTRATION_WAIT`] for a node that has
/// not yet seen the registration, [`ATTEMPTS`] times for others.
pub(crate) async fn retry<T, F, Fut>(mut f: F) -> Result<T, NodeRequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, NodeRequestError>>,
{
    let started = Instant::now();
    let mut attempts = 0;
    let mut delay = Duration::from_millis(100);
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if !e.is_retryable() => return Err(e),
            Err(e) => {
                attempts += 1;
                if e.is_waiting_for_chain() {
                    if started.elapsed() > REGISTRATION_WAIT {
                        return Err(e);
                    }
                } else if attempts >= ATTEMPTS {
                    return Err(e);
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
        }
    }
}
