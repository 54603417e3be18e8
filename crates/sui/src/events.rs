//! Walrus events out of checkpoints: what storage nodes follow.

use futures::{Stream, StreamExt as _};
use haulout_types::WalrusEvent;
use haulout_types::node_api::EventId;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::{Address, StructTag};

use crate::client::SuiClient;
use crate::error::{Result, SuiError};

/// The read mask [`walrus_checkpoint`] needs.
pub const WALRUS_CHECKPOINT_MASK: &str = "sequence_number,summary.timestamp,transactions.digest,transactions.events.events.event_type,transactions.events.events.contents";

/// The Walrus events of one checkpoint, in order, with their IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalrusCheckpoint {
    /// The checkpoint's sequence number.
    pub sequence_number: u64,
    /// Its timestamp (ms since the Unix epoch), 0 if the server did not send it.
    pub timestamp_ms: u64,
    /// Its Walrus events.
    pub events: Vec<(EventId, WalrusEvent)>,
}

/// The events of package `walrus` (its type-origin address) in `checkpoint`.
///
/// # Errors
/// If an event of a Walrus type does not decode (the chain and our mirror disagree).
pub fn walrus_checkpoint(
    checkpoint: &proto::Checkpoint,
    walrus: Address,
) -> Result<WalrusCheckpoint> {
    let mut events = Vec::new();
    for tx in &checkpoint.transactions {
        let Some(list) = tx.events.as_ref() else {
            continue;
        };
        for (seq, event) in list.events.iter().enumerate() {
            let Ok(tag) = event.event_type().parse::<StructTag>() else {
                continue;
            };
            let contents = event
                .contents
                .as_ref()
                .map(|c| c.value())
                .unwrap_or_default();
            let decoded = WalrusEvent::decode(&tag, contents, walrus).map_err(|e| {
                SuiError::Malformed(format!(
                    "event {tag} in checkpoint {}: {e}",
                    checkpoint.sequence_number()
                ))
            })?;
            if let Some(decoded) = decoded {
                let id = EventId {
                    tx_digest: tx.digest().to_owned(),
                    event_seq: seq as u64,
                };
                events.push((id, decoded));
            }
        }
    }
    let timestamp_ms = checkpoint
        .summary
        .as_ref()
        .and_then(|s| s.timestamp.as_ref())
        .map(|t| {
            u64::try_from(t.seconds).unwrap_or(0) * 1000
                + u64::try_from(t.nanos).unwrap_or(0) / 1_000_000
        })
        .unwrap_or(0);
    Ok(WalrusCheckpoint {
        sequence_number: checkpoint.sequence_number(),
        timestamp_ms,
        events,
    })
}

impl SuiClient {
    /// Every checkpoint from `from` (inclusive) on, with its Walrus events (possibly none),
    /// following the tip for ever; resume after a restart from the last processed
    /// sequence number + 1.
    pub fn follow_walrus(
        &self,
        from: u64,
        walrus: Address,
    ) -> impl Stream<Item = Result<WalrusCheckpoint>> + Send + 'static {
        self.stream_checkpoints(from, WALRUS_CHECKPOINT_MASK)
            .map(move |checkpoint| walrus_checkpoint(&checkpoint?, walrus))
    }
}
