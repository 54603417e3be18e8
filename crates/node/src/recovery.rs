//! Self-healing: for every certified blob whose slivers are missing on the node's shards (it
//! was down, wiped, or gained shards), fetch the metadata from any node (verified against the
//! blob ID) and rebuild each missing sliver from other nodes' recovery symbols, verifying every
//! symbol; secondary slivers first (they need only `p` symbols), then primary (`s`). The work
//! list is derived from the database each round, so recovery resumes after a restart; it runs
//! in the background and never blocks serving.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;

use redstuff::{Primary, Recovered, Secondary};
use tokio_util::sync::CancellationToken;

use crate::invalidate::Invalidator;
use crate::state::NodeState;
use crate::store::Axis;
use crate::symbols::GeneralRecoverySymbol;

/// Largest answer read from a peer (recovery symbols of one target from all its shards).
const MAX_PEER_RESPONSE: usize = 64 << 20;
/// Rounds run at least this often even without a wake-up (peers that were down come back).
const ROUND_INTERVAL: Duration = Duration::from_secs(3);

/// Peer HTTP client for recovery.
#[derive(Clone, Debug)]
pub struct Peers {
    http: reqwest::Client,
}

impl Default for Peers {
    fn default() -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .connect_timeout(Duration::from_secs(3))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl Peers {
    async fn get(&self, url: &str) -> Option<Vec<u8>> {
        let response = self.http.get(url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        if response
            .content_length()
            .is_some_and(|l| l > MAX_PEER_RESPONSE as u64)
        {
            return None;
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            if body.len() + chunk.len() > MAX_PEER_RESPONSE {
                return None;
            }
            body.extend_from_slice(&chunk);
        }
        Some(body)
    }
}

fn peer_addresses(state: &NodeState, me: Option<haulout_sui::sdk::Address>) -> Vec<String> {
    let Some(view) = state.committees() else {
        return Vec::new();
    };
    let mut out: Vec<String> = view
        .current
        .members
        .iter()
        .chain(view.previous.members.iter())
        .filter(|m| Some(m.node_id) != me)
        .map(|m| m.network_address.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Runs recovery rounds until `shutdown`.
pub async fn run(
    state: Arc<NodeState>,
    me: Option<haulout_sui::sdk::Address>,
    concurrency: usize,
    invalidator: Option<Invalidator>,
    shutdown: CancellationToken,
) {
    let peers = Peers::default();
    loop {
        if let Err(e) = round(&state, me, &peers, concurrency, invalidator.as_ref()).await {
            tracing::warn!(error = %e, "recovery round failed");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = state.recovery_wakeup.notified() => {}
            () = tokio::time::sleep(ROUND_INTERVAL) => {}
        }
    }
}

/// One pass over every certified blob; returns the number of slivers rebuilt.
///
/// # Errors
/// If the node's database fails.
pub async fn round(
    state: &Arc<NodeState>,
    me: Option<haulout_sui::sdk::Address>,
    peers: &Peers,
    concurrency: usize,
    invalidator: Option<&Invalidator>,
) -> anyhow::Result<usize> {
    if state.epoch().is_none() {
        return Ok(0);
    }
    let mut rebuilt = 0;
    let mut transferred = 0;
    for blob in state.certified_blobs()? {
        let missing = state.missing_slivers(&blob)?;
        // A client still uploading this blob to this node brings the rest (a later round
        // recovers what it does not).
        if missing.is_empty() || state.receiving_uploads(&blob) {
            continue;
        }
        let addresses = peer_addresses(state, me);
        let blob_text = redstuff::BlobId(blob).to_string();
        if state.store().metadata(&blob)?.is_none()
            && !fetch_metadata(state, &blob, &blob_text, &addresses, peers).await?
        {
            continue;
        }
        let metadata = Arc::new(state.metadata(&blob)?);
        let mut order = missing;
        order.sort_by_key(|(_, _, axis)| *axis == Axis::Primary);
        // Slivers are rebuilt a few at a time; each asks every peer at once.
        let results: Vec<anyhow::Result<Outcome>> = futures::stream::iter(order)
            .map(|(shard, pair, axis)| {
                recover_one(
                    state,
                    blob,
                    &blob_text,
                    metadata.clone(),
                    (shard, pair, axis),
                    &addresses,
                    peers,
                )
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut proof = None;
        for result in results {
            match result? {
                Outcome::Rebuilt => rebuilt += 1,
                Outcome::Transferred => transferred += 1,
                Outcome::Inconsistent(axis, bytes) => proof = Some((axis, bytes)),
                Outcome::NotYet => {}
            }
        }
        if let Some((axis, bytes)) = proof {
            tracing::warn!(blob = %blob_text, "inconsistent encoding: invalidating the blob");
            match invalidator {
                Some(inv) => {
                    if let Err(e) = inv.invalidate(state, blob, axis, bytes).await {
                        tracing::warn!(blob = %blob_text, error = %e, "invalidation not yet possible");
                    }
                }
                None => tracing::warn!(blob = %blob_text, "no chain access to invalidate it"),
            }
        }
    }
    if rebuilt + transferred > 0 {
        tracing::info!(rebuilt, transferred, "recovered slivers");
    }
    Ok(rebuilt + transferred)
}

/// The address of the node that held `shard` in the previous epoch, if it was another node.
fn previous_owner(state: &NodeState, shard: u16) -> Option<String> {
    let view = state.committees()?;
    let (_, owner) = view.previous.owner_of(shard)?;
    let (_, me) = view.current.owner_of(shard)?;
    (owner.node_id != me.node_id).then(|| owner.network_address.clone())
}

enum Outcome {
    Rebuilt,
    /// Fetched from the shard's previous owner.
    Transferred,
    /// The axis and the BCS of an inconsistency proof.
    Inconsistent(&'static str, Vec<u8>),
    NotYet,
}

async fn recover_one(
    state: &Arc<NodeState>,
    blob: [u8; 32],
    blob_text: &str,
    metadata: Arc<redstuff::BlobMetadata>,
    (shard, pair, axis): (u16, u16, Axis),
    addresses: &[String],
    peers: &Peers,
) -> anyhow::Result<Outcome> {
    let n = state.encoding().n_shards();
    let target = match axis {
        Axis::Primary => pair,
        Axis::Secondary => n - 1 - pair,
    };
    let kind = if axis == Axis::Primary {
        "primary"
    } else {
        "secondary"
    };
    // A shard gained at an epoch change: its previous owner still holds it until the new
    // epoch is done; one verified request instead of a decoding.
    if let Some(previous) = previous_owner(state, shard) {
        let url = format!("http://{previous}/v1/blobs/{blob_text}/slivers/{pair}/{kind}");
        if let Some(bytes) = peers.get(&url).await {
            let state2 = state.clone();
            let metadata2 = metadata.clone();
            let checked = tokio::task::spawn_blocking(move || {
                state2
                    .check_sliver(pair, axis, &bytes, &metadata2)
                    .map(|()| bytes)
            })
            .await?;
            if let Ok(bytes) = checked {
                state.store_verified_sliver(&blob, shard, axis, bytes)?;
                return Ok(Outcome::Transferred);
            }
        }
    }
    let answers = futures::future::join_all(addresses.iter().map(|address| {
        let url = format!(
            "http://{address}/v1/blobs/{blob_text}/recoverySymbols?targetSliver={target}&targetType={kind}"
        );
        async move { peers.get(&url).await }
    }))
    .await;
    let symbols: Vec<GeneralRecoverySymbol> = answers
        .into_iter()
        .flatten()
        .filter_map(|body| bcs::from_bytes::<Vec<GeneralRecoverySymbol>>(&body).ok())
        .flatten()
        .filter(|s| s.target_index == target)
        .collect();
    let config = *state.encoding();
    // Decoding is CPU work: off the async threads.
    let result = tokio::task::spawn_blocking(move || match axis {
        Axis::Primary => config
            .recover_sliver::<Primary>(
                &metadata,
                target,
                symbols
                    .into_iter()
                    .filter_map(GeneralRecoverySymbol::into_primary),
            )
            .map(|r| match r {
                Recovered::Sliver(s) => Ok(s.to_bcs()),
                Recovered::Inconsistent(proof) => Err(bcs::to_bytes(&proof).unwrap_or_default()),
            }),
        Axis::Secondary => config
            .recover_sliver::<Secondary>(
                &metadata,
                target,
                symbols
                    .into_iter()
                    .filter_map(GeneralRecoverySymbol::into_secondary),
            )
            .map(|r| match r {
                Recovered::Sliver(s) => Ok(s.to_bcs()),
                Recovered::Inconsistent(proof) => Err(bcs::to_bytes(&proof).unwrap_or_default()),
            }),
    })
    .await?;
    Ok(match result {
        Ok(Ok(bytes)) => {
            state.store_verified_sliver(&blob, shard, axis, bytes)?;
            Outcome::Rebuilt
        }
        Ok(Err(proof)) => Outcome::Inconsistent(kind, proof),
        Err(e) => {
            tracing::debug!(blob = %blob_text, target, kind, error = %e, "not enough symbols yet");
            Outcome::NotYet
        }
    })
}

async fn fetch_metadata(
    state: &NodeState,
    blob: &[u8; 32],
    blob_text: &str,
    addresses: &[String],
    peers: &Peers,
) -> anyhow::Result<bool> {
    for address in addresses {
        let url = format!("http://{address}/v1/blobs/{blob_text}/metadata");
        let Some(body) = peers.get(&url).await else {
            continue;
        };
        // The body is BCS `BlobMetadataWithId`: the 32-byte ID, then the metadata.
        if body.len() < 32 || body[..32] != blob[..] {
            continue;
        }
        if state.verify_metadata(blob, &body[32..]).is_ok() {
            state.store_verified_metadata(blob, body[32..].to_vec())?;
            return Ok(true);
        }
    }
    Ok(false)
}
