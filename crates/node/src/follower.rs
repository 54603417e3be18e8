//! The chain follower: the node's only view of the chain. It streams checkpoints from the
//! persisted cursor (`SuiClient::follow_walrus`), hands each checkpoint's Walrus events to the
//! node's state together with the sequence number (one write: exactly once across restarts),
//! keeps the node's committee view current, and takes part in epoch changes: when the staking
//! state is `EpochChangeSync(e)` and the node is in epoch `e`'s committee, it takes over the
//! shards it gains and then sends `staking::epoch_sync_done(e)`.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use haulout_sui::sdk::Address;
use haulout_sui::{Committee, Ed25519PrivateKey, SuiError, Walrus, WalrusCheckpoint};
use haulout_types::{EpochState, StorageNodeCap, WalrusEvent};
use tokio_util::sync::CancellationToken;

/// The committees a node needs to know: the current one, and during an epoch change the
/// previous one (whose members still hold the shards being moved).
#[derive(Debug, Clone)]
pub struct CommitteeView {
    /// The current epoch's committee.
    pub current: Committee,
    /// The previous epoch's committee (empty members at genesis).
    pub previous: Committee,
    /// Whether the epoch change to `current.epoch` is still in progress.
    pub changing: bool,
}

/// What the follower drives. The node's state implements it.
pub trait ChainSink: Send + Sync + 'static {
    /// The last checkpoint applied, if any.
    fn cursor(&self) -> anyhow::Result<Option<u64>>;
    /// Applies one checkpoint's events and records it as the cursor, atomically.
    fn apply_checkpoint(&self, checkpoint: &WalrusCheckpoint) -> anyhow::Result<()>;
    /// The committees changed.
    fn set_committees(&self, view: &CommitteeView) -> anyhow::Result<()>;
    /// Takes over `shards` (gained in `view.current.epoch`) from their previous owners in
    /// `view.previous`, or rebuilds them by recovery; returns once they are held.
    fn take_over_shards(
        &self,
        shards: Vec<u16>,
        view: CommitteeView,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
}

/// The node's identity on chain, for its own transactions.
#[derive(Clone)]
pub struct NodeIdentity {
    /// Its node ID.
    pub node_id: Address,
    /// Its `StorageNodeCap`.
    pub cap: Address,
    /// Its Sui account key (pays gas, owns the cap).
    pub sui_key: Ed25519PrivateKey,
}

/// Reads the committees from the staking state.
///
/// # Errors
/// If the chain cannot be read.
pub async fn committee_view(walrus: &Walrus) -> Result<CommitteeView, SuiError> {
    let (staking, _) = walrus.staking_state().await?;
    let current = walrus
        .committee_of(&staking.committee, staking.epoch, staking.n_shards)
        .await?;
    let previous = walrus
        .committee_of(
            &staking.previous_committee,
            staking.epoch.saturating_sub(1),
            staking.n_shards,
        )
        .await?;
    Ok(CommitteeView {
        current,
        previous,
        changing: matches!(staking.epoch_state, EpochState::EpochChangeSync(_)),
    })
}

/// Follows the chain until `shutdown`, feeding `sink`. Transient chain errors are retried
/// with a bounded back-off; a checkpoint that cannot be applied stops the follower (the node
/// reports it and stops rather than skip data).
///
/// # Errors
/// If a checkpoint cannot be applied.
pub async fn run<S: ChainSink>(
    walrus: Walrus,
    sink: Arc<S>,
    me: NodeIdentity,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let syncer = Arc::new(EpochSyncer::default());
    let mut backoff = Duration::from_millis(200);
    loop {
        let result = follow_once(&walrus, &sink, &me, &syncer, &shutdown).await;
        match result {
            Ok(()) => return Ok(()),
            Err(FollowError::Fatal(e)) => return Err(e),
            Err(FollowError::Transient(e)) => {
                tracing::warn!(error = %e, "chain follower: retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

enum FollowError {
    Transient(anyhow::Error),
    Fatal(anyhow::Error),
}

async fn follow_once<S: ChainSink>(
    walrus: &Walrus,
    sink: &Arc<S>,
    me: &NodeIdentity,
    syncer: &Arc<EpochSyncer>,
    shutdown: &CancellationToken,
) -> Result<(), FollowError> {
    let refresh = || async {
        let view = committee_view(walrus)
            .await
            .map_err(|e| FollowError::Transient(e.into()))?;
        sink.set_committees(&view).map_err(FollowError::Fatal)?;
        syncer.maybe_sync(walrus, sink, me, view, shutdown);
        Ok::<(), FollowError>(())
    };
    refresh().await?;
    let from = sink
        .cursor()
        .map_err(FollowError::Fatal)?
        .map_or(0, |c| c + 1);
    let stream = walrus
        .client()
        .follow_walrus(from, walrus.packages().walrus);
    futures::pin_mut!(stream);
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            next = stream.next() => next,
        };
        let Some(checkpoint) = next else {
            return Err(FollowError::Transient(anyhow::anyhow!(
                "checkpoint stream ended"
            )));
        };
        let checkpoint = checkpoint.map_err(|e| FollowError::Transient(e.into()))?;
        let epoch_event = checkpoint.events.iter().any(|(_, e)| {
            matches!(
                e,
                WalrusEvent::EpochChangeStart(_)
                    | WalrusEvent::EpochChangeDone(_)
                    | WalrusEvent::EpochParametersSelected(_)
            )
        });
        // A committee change is known before the events that depend on it are applied.
        if epoch_event {
            refresh().await?;
        }
        sink.apply_checkpoint(&checkpoint)
            .map_err(FollowError::Fatal)?;
    }
}

/// Sends `epoch_sync_done` at most once per epoch, after the shards are taken over.
#[derive(Default)]
struct EpochSyncer {
    started: std::sync::Mutex<u32>,
}

impl EpochSyncer {
    fn maybe_sync<S: ChainSink>(
        self: &Arc<Self>,
        walrus: &Walrus,
        sink: &Arc<S>,
        me: &NodeIdentity,
        view: CommitteeView,
        shutdown: &CancellationToken,
    ) {
        let epoch = view.current.epoch;
        if !view.changing || view.current.member(me.node_id).is_none() {
            return;
        }
        {
            let mut started = self.started.lock().unwrap_or_else(|p| p.into_inner());
            if *started >= epoch {
                return;
            }
            *started = epoch;
        }
        let (walrus, sink, me, shutdown, this) = (
            walrus.clone(),
            sink.clone(),
            me.clone(),
            shutdown.clone(),
            self.clone(),
        );
        tokio::spawn(async move {
            let work = sync_epoch(&walrus, &sink, &me, view);
            tokio::select! {
                () = shutdown.cancelled() => {}
                result = work => if let Err(e) = result {
                    tracing::warn!(epoch, error = %e, "epoch sync failed; will retry at the next checkpoint");
                    let mut started = this.started.lock().unwrap_or_else(|p| p.into_inner());
                    *started = epoch - 1;
                }
            }
        });
    }
}

async fn sync_epoch<S: ChainSink>(
    walrus: &Walrus,
    sink: &Arc<S>,
    me: &NodeIdentity,
    view: CommitteeView,
) -> anyhow::Result<()> {
    let epoch = view.current.epoch;
    let cap: StorageNodeCap = walrus.client().object(me.cap).await?.decode()?;
    if cap.last_epoch_sync_done >= epoch {
        return Ok(());
    }
    let mine = view
        .current
        .member(me.node_id)
        .map(|(_, m)| m.shards.clone())
        .unwrap_or_default();
    let had = view
        .previous
        .member(me.node_id)
        .map(|(_, m)| m.shards.clone())
        .unwrap_or_default();
    let gained: Vec<u16> = mine.into_iter().filter(|s| !had.contains(s)).collect();
    if !gained.is_empty() {
        tracing::info!(epoch, ?gained, "taking over shards");
        sink.take_over_shards(gained, view.clone()).await?;
    }
    match walrus.epoch_sync_done(&me.sui_key, me.cap, epoch).await {
        Ok(tx) => {
            tracing::info!(epoch, digest = %tx.digest, "sent epoch_sync_done");
            Ok(())
        }
        // Another attempt of ours won the race, or the epoch moved on: nothing to do.
        Err(SuiError::TransactionFailed { reason, .. })
            if reason.contains("EDuplicateSyncDone") || reason.contains("EInvalidSyncEpoch") =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
