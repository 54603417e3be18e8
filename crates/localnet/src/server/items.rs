//! What the lists and subscriptions yield, as [`Family`] implementations: checkpoints,
//! transactions and events, each with its filter, its read mask and its cursor encoding.
//!
//! Cursors are opaque to clients. `ListCheckpoints` keeps the checkpoint's sequence number
//! (8 bytes, big-endian). Transactions and events use a tagged encoding, all integers
//! big-endian:
//!
//! | cursor | bytes |
//! |---|---|
//! | a transaction | `'T'`, `0`, checkpoint (u64), index in the checkpoint (u64) |
//! | an event | `'E'`, `0`, checkpoint (u64), transaction index (u64), event index (u32) |
//! | the start of checkpoint `k` | `'T'` or `'E'`, `1`, `k` (u64) |
//!
//! The last form names the boundary before checkpoint `k`'s first item, where a scan stopped
//! at a checkpoint bound, the tip or its scan budget. Any well-formed cursor names a point in
//! ledger order, even one the chain has not reached yet; a cursor of another family is
//! `INVALID_ARGUMENT`.

use std::sync::Arc;

use prost::bytes::Bytes;
use sui_rpc::field::FieldMaskTree;
use sui_rpc::proto::sui::rpc::v2 as proto;
use tonic::Status;

use super::Rpc;
use super::filter::EventFilter;
use super::filter::TransactionFilter;
use super::list::Bound;
use super::list::Family;
use super::list::Point;
use crate::node::Node;
use crate::store::CheckpointRecord;
use crate::store::ExecutedTx;

const TRANSACTION_TAG: u8 = b'T';
const EVENT_TAG: u8 = b'E';
const ITEM: u8 = 0;
const CHECKPOINT_START: u8 = 1;

/// Renders `tx` as `GetTransaction` does: the whole message (with its objects only when the
/// mask asks for them), then the fields of `mask`.
pub(super) fn render_transaction(
    tx: &ExecutedTx,
    mask: &FieldMaskTree,
) -> proto::ExecutedTransaction {
    let with_objects = mask
        .subtree(proto::ExecutedTransaction::OBJECTS_FIELD.name)
        .is_some();
    let full = crate::proto::executed_transaction(tx, with_objects);
    crate::proto::masked_transaction(&full, mask)
}

/// The transactions of a checkpoint with their index in it.
fn indexed_transactions(node: &Node, record: &CheckpointRecord) -> Vec<(u64, Arc<ExecutedTx>)> {
    node.checkpoint_transactions(record)
        .into_iter()
        .enumerate()
        .map(|(i, tx)| (tx.index_in_checkpoint.unwrap_or(i as u64), tx))
        .collect()
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Encodes a transaction or event cursor (see the module docs).
fn encode_tagged(tag: u8, point: Point) -> Bytes {
    let mut bytes = vec![tag];
    match point {
        Point::Start(checkpoint) => {
            bytes.push(CHECKPOINT_START);
            bytes.extend_from_slice(&checkpoint.to_be_bytes());
        }
        Point::Item {
            checkpoint,
            transaction,
            event,
        } => {
            bytes.push(ITEM);
            bytes.extend_from_slice(&checkpoint.to_be_bytes());
            bytes.extend_from_slice(&transaction.to_be_bytes());
            if tag == EVENT_TAG {
                bytes.extend_from_slice(&event.to_be_bytes());
            }
        }
    }
    Bytes::from(bytes)
}

/// Decodes a transaction or event cursor (see the module docs).
fn decode_tagged(tag: u8, cursor: &[u8], what: &str) -> Result<Point, Status> {
    let item_len = if tag == EVENT_TAG { 22 } else { 18 };
    let point = match cursor {
        [t, CHECKPOINT_START, ..] if *t == tag && cursor.len() == 10 => {
            u64_at(cursor, 2).map(Point::Start)
        }
        [t, ITEM, ..] if *t == tag && cursor.len() == item_len => {
            match (u64_at(cursor, 2), u64_at(cursor, 10)) {
                (Some(checkpoint), Some(transaction)) => Some(Point::Item {
                    checkpoint,
                    transaction,
                    event: if tag == EVENT_TAG {
                        u32_at(cursor, 18).unwrap_or_default()
                    } else {
                        0
                    },
                }),
                _ => None,
            }
        }
        _ => None,
    };
    point.ok_or_else(|| {
        Status::invalid_argument(format!(
            "invalid cursor: not a {what} cursor of this server (pass a watermark cursor from \
             the same list)"
        ))
    })
}

/// `ListCheckpoints`: every checkpoint, or those holding a transaction that matches the
/// filter.
pub(super) struct Checkpoints {
    pub(super) rpc: Rpc,
    pub(super) mask: FieldMaskTree,
    pub(super) filter: Option<TransactionFilter>,
}

impl Family for Checkpoints {
    type Candidate = Arc<CheckpointRecord>;
    type Item = proto::Checkpoint;

    fn node(&self) -> &Node {
        &self.rpc.node
    }

    fn candidates(&self, record: &Arc<CheckpointRecord>) -> Vec<(Point, Self::Candidate)> {
        let matches = self.filter.as_ref().is_none_or(|filter| {
            self.rpc
                .node
                .checkpoint_transactions(record)
                .iter()
                .any(|tx| filter.matches(tx))
        });
        if matches {
            vec![(
                Point::item(record.summary.sequence_number, 0),
                record.clone(),
            )]
        } else {
            Vec::new()
        }
    }

    fn render(&self, record: Self::Candidate) -> Self::Item {
        self.rpc.checkpoint_message(&record, &self.mask)
    }

    /// The sequence number; the boundary before checkpoint `k` is `k - 1` as an `after`
    /// cursor (ascending) and `k` as a `before` cursor (descending).
    fn encode(point: Point, ascending: bool) -> Bytes {
        let seq = match point {
            Point::Item { checkpoint, .. } => checkpoint,
            Point::Start(k) if ascending => k.saturating_sub(1),
            Point::Start(k) => k,
        };
        Bytes::copy_from_slice(&seq.to_be_bytes())
    }

    fn decode(cursor: &[u8], bound: Bound) -> Result<Point, Status> {
        let seq = u64_at(cursor, 0)
            .filter(|_| cursor.len() == 8)
            .ok_or_else(|| Status::invalid_argument("invalid cursor: expected 8 bytes"))?;
        Ok(match bound {
            Bound::After => Point::Start(seq.saturating_add(1)),
            Bound::Before => Point::Start(seq),
        })
    }
}

/// `ListTransactions` and `SubscribeTransactions`: the transactions that match the filter.
pub(super) struct Transactions {
    pub(super) node: Arc<Node>,
    pub(super) mask: FieldMaskTree,
    pub(super) filter: Option<TransactionFilter>,
}

impl Family for Transactions {
    type Candidate = Arc<ExecutedTx>;
    type Item = proto::ExecutedTransaction;

    fn node(&self) -> &Node {
        &self.node
    }

    fn candidates(&self, record: &Arc<CheckpointRecord>) -> Vec<(Point, Self::Candidate)> {
        let checkpoint = record.summary.sequence_number;
        indexed_transactions(&self.node, record)
            .into_iter()
            .filter(|(_, tx)| self.filter.as_ref().is_none_or(|f| f.matches(tx)))
            .map(|(i, tx)| (Point::item(checkpoint, i), tx))
            .collect()
    }

    fn render(&self, tx: Self::Candidate) -> Self::Item {
        render_transaction(&tx, &self.mask)
    }

    fn encode(point: Point, _ascending: bool) -> Bytes {
        encode_tagged(TRANSACTION_TAG, point)
    }

    fn decode(cursor: &[u8], _bound: Bound) -> Result<Point, Status> {
        decode_tagged(TRANSACTION_TAG, cursor, "transaction")
    }
}

/// `ListEvents` and `SubscribeEvents`: the events that match the filter.
pub(super) struct Events {
    pub(super) node: Arc<Node>,
    pub(super) mask: FieldMaskTree,
    pub(super) filter: Option<EventFilter>,
}

/// An event with its position.
pub(super) struct PlacedEvent {
    tx: Arc<ExecutedTx>,
    checkpoint: u64,
    transaction_index: u64,
    event_index: u32,
}

impl Family for Events {
    type Candidate = PlacedEvent;
    type Item = proto::Event;

    fn node(&self) -> &Node {
        &self.node
    }

    fn candidates(&self, record: &Arc<CheckpointRecord>) -> Vec<(Point, Self::Candidate)> {
        let checkpoint = record.summary.sequence_number;
        let mut out = Vec::new();
        for (transaction_index, tx) in indexed_transactions(&self.node, record) {
            let Some(events) = &tx.events else { continue };
            // An index beyond u32 cannot be named on the wire: such events are left out.
            for (event_index, event) in (0..=u32::MAX).zip(&events.0) {
                if !self.filter.as_ref().is_none_or(|f| f.matches(event)) {
                    continue;
                }
                out.push((
                    Point::Item {
                        checkpoint,
                        transaction: transaction_index,
                        event: event_index,
                    },
                    PlacedEvent {
                        tx: tx.clone(),
                        checkpoint,
                        transaction_index,
                        event_index,
                    },
                ));
            }
        }
        out
    }

    fn render(&self, placed: Self::Candidate) -> Self::Item {
        let Some(event) = placed
            .tx
            .events
            .as_ref()
            .and_then(|events| events.0.get(placed.event_index as usize))
        else {
            return proto::Event::default();
        };
        let mut message =
            crate::proto::masked_event(&proto::Event::from(event.clone()), &self.mask);
        if self.mask.contains(proto::Event::CHECKPOINT_FIELD.name) {
            message.checkpoint = Some(placed.checkpoint);
        }
        if self
            .mask
            .contains(proto::Event::TRANSACTION_DIGEST_FIELD.name)
        {
            message.transaction_digest = Some(placed.tx.transaction.digest().to_string());
        }
        if self
            .mask
            .contains(proto::Event::TRANSACTION_INDEX_FIELD.name)
        {
            message.transaction_index = Some(placed.transaction_index);
        }
        if self.mask.contains(proto::Event::EVENT_INDEX_FIELD.name) {
            message.event_index = Some(placed.event_index);
        }
        message
    }

    fn encode(point: Point, _ascending: bool) -> Bytes {
        encode_tagged(EVENT_TAG, point)
    }

    fn decode(cursor: &[u8], _bound: Bound) -> Result<Point, Status> {
        decode_tagged(EVENT_TAG, cursor, "event")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_families() {
        for point in [Point::Start(0), Point::Start(u64::MAX), Point::item(7, 3)] {
            let bytes = Transactions::encode(point, true);
            assert_eq!(
                Transactions::decode(&bytes, Bound::After).expect("decode"),
                point
            );
            assert!(Events::decode(&bytes, Bound::After).is_err());
        }
        let event = Point::Item {
            checkpoint: 9,
            transaction: 2,
            event: 5,
        };
        let bytes = Events::encode(event, false);
        assert_eq!(
            Events::decode(&bytes, Bound::Before).expect("decode"),
            event
        );
        assert!(Transactions::decode(&bytes, Bound::Before).is_err());
        for bad in [
            &b""[..],
            b"T",
            b"T\x00\x00",
            b"X\x01\x00\x00\x00\x00\x00\x00\x00\x01",
        ] {
            assert_eq!(
                Transactions::decode(bad, Bound::After)
                    .expect_err("bad")
                    .code(),
                tonic::Code::InvalidArgument
            );
        }
        // Checkpoint cursors are sequence numbers.
        assert_eq!(
            Checkpoints::decode(&5u64.to_be_bytes(), Bound::After).expect("decode"),
            Point::Start(6)
        );
        assert_eq!(
            Checkpoints::decode(&5u64.to_be_bytes(), Bound::Before).expect("decode"),
            Point::Start(5)
        );
        assert_eq!(
            &Checkpoints::encode(Point::Start(6), true)[..],
            &5u64.to_be_bytes()
        );
        assert_eq!(
            &Checkpoints::encode(Point::Start(5), false)[..],
            &5u64.to_be_bytes()
        );
    }
}
