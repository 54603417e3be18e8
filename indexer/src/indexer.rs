//! The pipeline: checkpoint stream (from the watermark + 1) → verify → process → bounded channel
//! → batch → one transaction with the watermark.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use haulout_sui::SuiClient;
use haulout_types::Packages;
use sqlx::PgPool;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::{Digest, ValidatorCommittee};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::batch::Batch;
use crate::error::{IndexerError, Result};
use crate::metrics::Metrics;
use crate::process::{CHECKPOINT_MASK, CheckpointRows, Processor};
use crate::store::{self, Watermark};
use crate::verify::Verifier;

/// How the pipeline batches and buffers.
#[derive(Debug, Clone)]
pub struct IndexerConfig {
    /// The chain's gRPC URL.
    pub rpc_url: String,
    /// The `walrus` and `wal` packages (type-origin addresses).
    pub packages: Packages,
    /// Most checkpoints in one batch (one transaction).
    pub batch_checkpoints: usize,
    /// Most rows in one batch.
    pub batch_rows: usize,
    /// Processed checkpoints buffered between the stream and the committer (backpressure).
    pub channel_capacity: usize,
    /// Drop what the database holds before indexing (also after a chain reset).
    pub reset: bool,
    /// Keep the history (events, checkpoints) of only this many recent checkpoints; `None`
    /// (the default) keeps everything.
    pub retain_checkpoints: Option<u64>,
}

impl IndexerConfig {
    /// A configuration with the default batching for `rpc_url` and `packages`.
    pub fn new(rpc_url: impl Into<String>, packages: Packages) -> Self {
        Self {
            rpc_url: rpc_url.into(),
            packages,
            batch_checkpoints: DEFAULT_BATCH_CHECKPOINTS,
            batch_rows: DEFAULT_BATCH_ROWS,
            channel_capacity: DEFAULT_CHANNEL_CAPACITY,
            reset: false,
            retain_checkpoints: None,
        }
    }
}

/// Checkpoints per batch by default: large enough to amortise a transaction while catching up,
/// small enough that a batch commits in well under a second.
pub const DEFAULT_BATCH_CHECKPOINTS: usize = 500;
/// Rows per batch by default (bounds a transaction's size and memory).
pub const DEFAULT_BATCH_ROWS: usize = 50_000;
/// Processed checkpoints in flight by default.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 2_000;
/// Checkpoints fetched ahead of verification and processing.
const FETCH_BUFFER: usize = 256;
/// While catching up, a checkpoint's own BLS signature is checked at least this often (the
/// others are covered by a later signature through the digest chain).
const SIGNATURE_INTERVAL: u64 = 256;
/// How long verification waits for the next checkpoint while catching up, so that this one's
/// signature can be left to a later one's.
const DEFER_WAIT: Duration = Duration::from_millis(50);
/// A batch whose last checkpoint is older than this is catching up: it waits (up to
/// [`MAX_LINGER`], [`LINGER`] at a time) for more checkpoints before committing.
const LAG_FOR_LINGER_MS: u64 = 10_000;
/// How long a catching-up batch waits for one more checkpoint.
const LINGER: Duration = Duration::from_millis(20);
/// How long a catching-up batch collects at most.
const MAX_LINGER: Duration = Duration::from_millis(250);
/// First retry delay of a failed commit; doubles up to [`MAX_RETRY_DELAY`].
const BASE_RETRY_DELAY: Duration = Duration::from_millis(100);
/// Longest delay between commit retries.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// Checks the database against the chain and prepares it: migrations, `--reset`, and a refusal
/// (with the reason) when the database holds another chain or more than the chain has. Returns
/// the chain ID and the committed watermark.
///
/// # Errors
/// [`IndexerError::ChainReset`] if the chain was reset and `reset` is false; others if the
/// chain or the database cannot be reached.
pub async fn prepare(
    pool: &PgPool,
    client: &SuiClient,
    reset: bool,
) -> Result<(String, Option<Watermark>)> {
    store::migrate(pool).await?;
    let (chain_id, tip) = client.service_info().await?;
    if reset {
        info!(chain_id, "--reset: dropping the indexed data");
        store::reset(pool).await?;
        return Ok((chain_id, None));
    }
    let watermark = store::watermark(pool).await?;
    if let Some(w) = &watermark {
        if w.chain_id != chain_id {
            return Err(IndexerError::ChainReset {
                reason: format!(
                    "the database indexes chain {} but the RPC serves chain {chain_id}",
                    w.chain_id
                ),
            });
        }
        if tip < w.checkpoint {
            return Err(IndexerError::ChainReset {
                reason: format!(
                    "the chain's tip is checkpoint {tip}, below the {} already indexed",
                    w.checkpoint
                ),
            });
        }
    }
    Ok((chain_id, watermark))
}

/// The validator committee of Sui epoch `epoch`, as the RPC reports it (trusted on first use:
/// from then on each epoch's committee comes from the previous epoch's last checkpoint).
async fn committee_of(client: &SuiClient, epoch: u64) -> Option<ValidatorCommittee> {
    let mut request = proto::GetEpochRequest::default();
    request.epoch = Some(epoch);
    request.read_mask = Some(prost_types::FieldMask::from_str("epoch,committee"));
    let response = client
        .rpc()
        .ledger_client()
        .get_epoch(request)
        .await
        .ok()?
        .into_inner();
    let committee = response.epoch?.committee?;
    ValidatorCommittee::try_from(&committee).ok()
}

/// Runs the pipeline until `cancel` fires or an error that retrying cannot fix.
///
/// # Errors
/// Verification failures, chain resets, undecodable chain data, database errors that are not
/// transient.
pub async fn run(
    config: IndexerConfig,
    pool: PgPool,
    metrics: Arc<Metrics>,
    cancel: CancellationToken,
) -> Result<()> {
    let client = SuiClient::connect(&config.rpc_url)?;
    let (chain_id, watermark) = prepare(&pool, &client, config.reset).await?;
    let last = match &watermark {
        Some(w) => {
            let digest: Digest = w.digest.parse().map_err(|e| {
                IndexerError::Malformed(format!("stored checkpoint digest {}: {e}", w.digest))
            })?;
            Some((w.checkpoint, digest))
        }
        None => None,
    };
    let committee = committee_of(&client, watermark.as_ref().map_or(0, |w| w.epoch)).await;
    if committee.is_none() {
        warn!("the validator committee is unknown: signatures are checked from the next epoch on");
    }
    let mut verifier = Verifier::new(last, committee)?;
    let (epoch, n_shards) = store::processor_state(&pool).await?;
    let mut processor = Processor::new(config.packages, epoch, n_shards);
    if let Some(w) = &watermark {
        metrics
            .watermark_checkpoint
            .store(w.checkpoint, Ordering::Relaxed);
        metrics
            .watermark_timestamp_ms
            .store(w.timestamp_ms, Ordering::Relaxed);
    }
    let start = verifier.next();
    info!(chain_id, start, "following checkpoints");

    let (tx, rx) = mpsc::channel::<CheckpointRows>(config.channel_capacity.max(1));
    let ingest_cancel = cancel.child_token();
    let ingest_metrics = metrics.clone();
    // Three stages joined by bounded channels (backpressure all the way to the stream):
    // fetch (the gRPC stream, decoding) → verify and process → commit.
    let (raw_tx, mut raw_rx) = mpsc::channel::<proto::Checkpoint>(FETCH_BUFFER);
    let fetch_cancel = cancel.child_token();
    let fetch = tokio::spawn(async move {
        let stream = client.stream_checkpoints(start, CHECKPOINT_MASK);
        futures::pin_mut!(stream);
        loop {
            let next = tokio::select! {
                () = fetch_cancel.cancelled() => return Ok(()),
                next = stream.next() => next,
            };
            let checkpoint = match next {
                None => return Err(IndexerError::StreamEnded),
                Some(checkpoint) => checkpoint?,
            };
            tokio::select! {
                () = fetch_cancel.cancelled() => return Ok(()),
                sent = raw_tx.send(checkpoint) => if sent.is_err() { return Ok(()) },
            }
        }
    });
    let ingest = tokio::spawn(async move {
        let mut ready: Option<proto::Checkpoint> = None;
        loop {
            let checkpoint = match ready.take() {
                Some(checkpoint) => checkpoint,
                None => {
                    let next = tokio::select! {
                        () = ingest_cancel.cancelled() => return Ok(()),
                        next = raw_rx.recv() => next,
                    };
                    match next {
                        // The fetch stage ended; its result says why.
                        None => return Ok(()),
                        Some(checkpoint) => checkpoint,
                    }
                }
            };
            // Catching up, the next checkpoint is already here: its signature (or a later
            // one's) will cover this one through the digest chain. At the tip, every
            // checkpoint's own signature is checked.
            let seq = checkpoint.sequence_number.unwrap_or(0);
            let mut defer = seq % SIGNATURE_INTERVAL != 0;
            if defer {
                match raw_rx.try_recv() {
                    Ok(next) => ready = Some(next),
                    // Catching up (the checkpoint is old), the next one is worth a short wait:
                    // a BLS check costs more than a millisecond, the stream delivers
                    // thousands of checkpoints a second.
                    Err(_) if is_old(&checkpoint) => {
                        match tokio::time::timeout(DEFER_WAIT, raw_rx.recv()).await {
                            Ok(Some(next)) => ready = Some(next),
                            _ => defer = false,
                        }
                    }
                    Err(_) => defer = false,
                }
            }
            let covered = verifier.verify(&checkpoint, defer)?;
            let mut rows = processor.process(&checkpoint)?;
            rows.covered = covered;
            let (checked, _) = verifier.signature_counts();
            ingest_metrics
                .signatures_verified
                .store(checked, Ordering::Relaxed);
            ingest_metrics
                .latest_ingested_checkpoint
                .store(rows.checkpoint.sequence_number, Ordering::Relaxed);
            tokio::select! {
                () = ingest_cancel.cancelled() => return Ok(()),
                sent = tx.send(rows) => if sent.is_err() { return Ok(()) },
            }
        }
    });

    let committed = commit_loop(&config, &pool, &chain_id, watermark, rx, &metrics, &cancel).await;
    cancel.cancel();
    let ingested = ingest
        .await
        .map_err(|e| IndexerError::Malformed(format!("the ingestion task failed: {e}")))?;
    let fetched = fetch
        .await
        .map_err(|e| IndexerError::Malformed(format!("the fetch task failed: {e}")))?;
    committed.and(ingested).and(fetched)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Whether the batch's last checkpoint is well behind the clock (the indexer is catching up).
fn is_lagging(batch: &Batch) -> bool {
    batch
        .checkpoints
        .last()
        .is_some_and(|c| now_ms().saturating_sub(c.timestamp_ms) > LAG_FOR_LINGER_MS)
}

/// Whether `checkpoint` is well behind the clock (the stream is replaying history).
fn is_old(checkpoint: &proto::Checkpoint) -> bool {
    now_ms().saturating_sub(crate::process::timestamp_ms(checkpoint)) > LAG_FOR_LINGER_MS
}

async fn commit_loop(
    config: &IndexerConfig,
    pool: &PgPool,
    chain_id: &str,
    watermark: Option<Watermark>,
    mut rx: mpsc::Receiver<CheckpointRows>,
    metrics: &Metrics,
    cancel: &CancellationToken,
) -> Result<()> {
    let mut previous = watermark.map(|w| w.checkpoint);
    loop {
        // Wait for one checkpoint, then take whatever else is ready, up to the limits: a batch
        // is as large as the backlog allows, so catching up amortises transactions and
        // following the tip commits each checkpoint as soon as it arrives.
        let first = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            first = rx.recv() => first,
        };
        let Some(first) = first else {
            return Ok(());
        };
        let mut batch = Batch::default();
        let mut events = first.events.len();
        let mut covered = first.covered;
        batch.push(first);
        let started = Instant::now();
        // A batch ends at a covered checkpoint (one whose signature, or a later one's, was
        // checked): nothing is committed that no signature vouches for.
        loop {
            let full = batch.len() >= config.batch_checkpoints || batch.rows() >= config.batch_rows;
            if full && covered {
                break;
            }
            let rows = match rx.try_recv() {
                Ok(rows) => rows,
                // Catching up (the last checkpoint is old), a fuller batch is worth a short
                // wait: a transaction's fixed cost is then shared by more checkpoints. At the
                // tip, commit at once.
                Err(_) if covered && is_lagging(&batch) && started.elapsed() < MAX_LINGER => {
                    match tokio::time::timeout(LINGER, rx.recv()).await {
                        Ok(Some(rows)) => rows,
                        _ => break,
                    }
                }
                Err(_) if covered => break,
                Err(_) => {
                    let next = tokio::select! {
                        () = cancel.cancelled() => return Ok(()),
                        next = rx.recv() => next,
                    };
                    match next {
                        Some(rows) => rows,
                        // The stream failed before the signature arrived: commit nothing.
                        None => return Ok(()),
                    }
                }
            };
            events += rows.events.len();
            covered = rows.covered;
            batch.push(rows);
        }
        let mut delay = BASE_RETRY_DELAY;
        loop {
            let started = Instant::now();
            match store::commit(pool, chain_id, previous, &batch, config.retain_checkpoints).await {
                Ok(_) => {
                    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                    metrics.commit_micros.fetch_add(micros, Ordering::Relaxed);
                    break;
                }
                Err(e) if e.is_retryable() => {
                    warn!(error = %e, "commit failed; retrying");
                    metrics.commit_retries.fetch_add(1, Ordering::Relaxed);
                    tokio::select! {
                        () = cancel.cancelled() => return Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(MAX_RETRY_DELAY);
                }
                Err(e) => return Err(e),
            }
        }
        let Some(last) = batch.checkpoints.last() else {
            continue;
        };
        previous = Some(last.sequence_number);
        metrics
            .checkpoints_ingested
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        metrics
            .events_ingested
            .fetch_add(events as u64, Ordering::Relaxed);
        metrics.batches_committed.fetch_add(1, Ordering::Relaxed);
        metrics
            .watermark_checkpoint
            .store(last.sequence_number, Ordering::Relaxed);
        metrics
            .watermark_timestamp_ms
            .store(last.timestamp_ms, Ordering::Relaxed);
        tracing::debug!(
            checkpoint = last.sequence_number,
            checkpoints = batch.len(),
            events,
            "committed"
        );
    }
}
