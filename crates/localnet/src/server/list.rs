//! The ledger scans behind `ListCheckpoints`, `ListTransactions` and `ListEvents`, and the live
//! streams of `SubscribeTransactions` and `SubscribeEvents`: canonical ledger order, cursors,
//! limits, the scan budget, watermarks and the `QueryEnd` of every list.
//!
//! Every item has a [`Point`] in ledger order: its checkpoint, its transaction's index in that
//! checkpoint, its index in the transaction's events. A request's checkpoint range and cursors
//! are all bounds in that order; the scan reads the checkpoints of their intersection one at a
//! time through [`Node`]'s accessors (never holding the chain's lock for more than one read),
//! in the requested direction, and yields one frame per matching item, then one final frame
//! with the [`QueryEnd`](proto::QueryEnd):
//!
//! - `ITEM_LIMIT` on the frame of the `limit`-th item, unless nothing can follow it;
//! - `SCAN_LIMIT` after reading `scan_budget` checkpoints, its cursor the checkpoint boundary
//!   the scan reached;
//! - otherwise the bound that ended the interval: `CHECKPOINT_BOUND` (`start_checkpoint` or
//!   `end_checkpoint`), `CURSOR_BOUND` (`after` or `before`) or `LEDGER_TIP` (the latest
//!   checkpoint when the request arrived); on ties the checkpoint bound is reported.
//!
//! Every frame's watermark carries a resume cursor and, once known, the checkpoint up to which
//! (ascending; down to which, descending) every match in the interval has been delivered.

use std::collections::VecDeque;
use std::sync::Arc;

use prost::bytes::Bytes;
use sui_rpc::proto::sui::rpc::v2 as proto;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tonic::Status;

use crate::node::Node;
use crate::store::CheckpointRecord;

/// A point in canonical ledger order.
///
/// Items sit at [`Point::Item`]; [`Point::Start`] is the boundary before a checkpoint's first
/// item, which resume cursors name when no item does (a checkpoint range bound, the tip, the
/// frontier of a budget-limited scan).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Point {
    /// Before every item of checkpoint `.0`, after every item of the checkpoints before it.
    Start(u64),
    /// An item: a checkpoint, a transaction in it (0 for a checkpoint), an event of that
    /// transaction (0 for a checkpoint or a transaction).
    Item {
        checkpoint: u64,
        transaction: u64,
        event: u32,
    },
}

impl Point {
    /// A checkpoint or transaction item.
    pub(super) fn item(checkpoint: u64, transaction: u64) -> Self {
        Self::Item {
            checkpoint,
            transaction,
            event: 0,
        }
    }

    fn key(self) -> (u64, u8, u64, u32) {
        match self {
            Self::Start(checkpoint) => (checkpoint, 0, 0, 0),
            Self::Item {
                checkpoint,
                transaction,
                event,
            } => (checkpoint, 1, transaction, event),
        }
    }

    /// The checkpoint this point is in (or starts).
    fn checkpoint(self) -> u64 {
        match self {
            Self::Start(c) | Self::Item { checkpoint: c, .. } => c,
        }
    }
}

impl Ord for Point {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Point {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Which bound of `QueryOptions` a cursor is decoded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bound {
    /// `after`: items strictly after it.
    After,
    /// `before`: items strictly before it.
    Before,
}

/// What a list or subscription yields: checkpoints, transactions or events.
pub(super) trait Family {
    /// A matching item before it is rendered.
    type Candidate;
    /// The rendered item (masked).
    type Item;

    /// The chain.
    fn node(&self) -> &Node;

    /// The matching items of checkpoint `record`, in ascending ledger order.
    fn candidates(&self, record: &Arc<CheckpointRecord>) -> Vec<(Point, Self::Candidate)>;

    /// Renders one item with the request's read mask.
    fn render(&self, candidate: Self::Candidate) -> Self::Item;

    /// The opaque cursor of `point`, for a scan in the given direction (a cursor resumes an
    /// ascending scan as `after` and a descending one as `before`).
    fn encode(point: Point, ascending: bool) -> Bytes;

    /// The point a request's cursor names.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` if `cursor` is not a cursor of this family.
    fn decode(cursor: &[u8], bound: Bound) -> Result<Point, Status>;
}

/// One frame of a list or a subscription.
#[derive(Debug)]
pub(super) struct Frame<I> {
    /// The matching item, if the frame carries one.
    pub(super) item: Option<I>,
    /// The resume cursor and coverage as of this frame.
    pub(super) watermark: proto::Watermark,
    /// Set on the final frame of a list.
    pub(super) end: Option<proto::QueryEndReason>,
}

fn watermark(cursor: Bytes, checkpoint: Option<u64>) -> proto::Watermark {
    let mut watermark = proto::Watermark::default();
    watermark.cursor = Some(cursor);
    watermark.checkpoint = checkpoint;
    watermark
}

/// The limits of one list request.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// Items returned when the request names no limit.
    pub(super) default_items: usize,
    /// Most items returned (larger limits are lowered to it, as the proto says).
    pub(super) max_items: usize,
    /// Most checkpoints read.
    pub(super) scan_budget: u64,
}

/// The range and options of a list request.
#[derive(Clone, Debug, Default)]
pub(super) struct Query {
    /// `start_checkpoint` (inclusive).
    pub(super) start_checkpoint: Option<u64>,
    /// `end_checkpoint` (exclusive).
    pub(super) end_checkpoint: Option<u64>,
    /// `options`.
    pub(super) options: Option<proto::QueryOptions>,
}

/// A list request's scan: an iterator of frames, each computed when the client asks for it.
pub(super) struct ListScan<F: Family> {
    family: F,
    ascending: bool,
    /// Exclusive bounds: the scan yields the items strictly between them.
    lower: Point,
    upper: Point,
    /// The next checkpoint to read; `None` once the interval's last one was read.
    next: Option<u64>,
    /// The interval's last checkpoint in the scan direction.
    last: u64,
    /// The matching items of the checkpoint being delivered, in scan order.
    pending: VecDeque<(Point, F::Candidate)>,
    /// The checkpoint being delivered, and whether the interval reaches its far end.
    current: (u64, bool),
    /// The checkpoint up to (down to) which every match has been delivered.
    covered: Option<u64>,
    emitted: usize,
    limit: usize,
    budget: u64,
    /// The final frame once the interval is exhausted: reason, cursor point, coverage.
    natural_end: (proto::QueryEndReason, Point, Option<u64>),
    done: bool,
}

impl<F: Family> ListScan<F> {
    /// Plans the scan of `query` over the ledger up to `tip`, the latest checkpoint.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an unknown ordering or a malformed cursor.
    pub(super) fn new(family: F, query: &Query, limits: Limits, tip: u64) -> Result<Self, Status> {
        let options = query.options.clone().unwrap_or_default();
        let ascending = match options.ordering {
            None => true,
            Some(o) => match proto::Ordering::try_from(o) {
                Ok(proto::Ordering::Ascending) => true,
                Ok(proto::Ordering::Descending) => false,
                _ => {
                    return Err(Status::invalid_argument(format!(
                        "options.ordering: unknown ordering {o}"
                    )));
                }
            },
        };
        let limit = match options.limit {
            None | Some(0) => limits.default_items,
            Some(n) => usize::try_from(n)
                .unwrap_or(usize::MAX)
                .min(limits.max_items),
        };
        let after = options
            .after
            .as_deref()
            .map(|c| F::decode(c, Bound::After))
            .transpose()?;
        let before = options
            .before
            .as_deref()
            .map(|c| F::decode(c, Bound::Before))
            .transpose()?;

        // The exclusive bounds, each with the reason a scan ending there reports; later
        // candidates win ties, so a checkpoint bound is preferred to a cursor bound and a
        // cursor bound to the tip.
        let mut lower = (
            Point::Start(query.start_checkpoint.unwrap_or(0)),
            proto::QueryEndReason::CheckpointBound,
        );
        if let Some(after) = after.filter(|a| *a > lower.0) {
            lower = (after, proto::QueryEndReason::CursorBound);
        }
        let beyond_tip = Point::Start(tip.saturating_add(1));
        let mut upper = (beyond_tip, proto::QueryEndReason::LedgerTip);
        if let Some(before) = before.filter(|b| *b <= upper.0) {
            upper = (before, proto::QueryEndReason::CursorBound);
        }
        if let Some(end) = query.end_checkpoint.map(Point::Start) {
            if end <= upper.0 {
                upper = (end, proto::QueryEndReason::CheckpointBound);
            }
        }
        let (lower, lower_reason) = lower;
        let (upper, upper_reason) = upper;

        // The last checkpoint holding items below `upper`, and the first above `lower`.
        let top = match upper {
            Point::Start(k) => k.checked_sub(1),
            Point::Item { checkpoint, .. } => Some(checkpoint),
        };
        let bottom = lower.checkpoint();
        let (first, last) = if ascending {
            (Some(bottom), top)
        } else {
            (top, Some(bottom))
        };
        let next = match (first, last) {
            (Some(first), Some(last))
                if lower < upper
                    && (if ascending {
                        first <= last
                    } else {
                        first >= last
                    }) =>
            {
                Some(first)
            }
            _ => None,
        };
        let natural_end = if ascending {
            // Everything below `upper` was delivered.
            let covered = match upper {
                Point::Start(k) => k.checked_sub(1),
                Point::Item { checkpoint, .. } => checkpoint.checked_sub(1),
            };
            (upper_reason, upper, covered)
        } else if lower >= beyond_tip {
            // A descending interval entirely beyond the tip.
            (proto::QueryEndReason::LedgerTip, lower, None)
        } else {
            // Everything above `lower` was delivered.
            let covered = match lower {
                Point::Start(k) => Some(k),
                Point::Item { checkpoint, .. } => checkpoint.checked_add(1),
            };
            (lower_reason, lower, covered)
        };
        Ok(Self {
            family,
            ascending,
            lower,
            upper,
            next,
            last: last.unwrap_or_default(),
            pending: VecDeque::new(),
            current: (0, false),
            covered: None,
            emitted: 0,
            limit: limit.max(1),
            budget: limits.scan_budget.max(1),
            natural_end,
            done: false,
        })
    }

    fn frame(
        &self,
        item: Option<F::Item>,
        point: Point,
        end: Option<proto::QueryEndReason>,
    ) -> Frame<F::Item> {
        Frame {
            item,
            watermark: watermark(F::encode(point, self.ascending), self.covered),
            end,
        }
    }

    /// Reads checkpoint `checkpoint` and queues its matching items within the interval.
    fn read(&mut self, checkpoint: u64) -> Result<(), Status> {
        let record = self
            .family
            .node()
            .checkpoint(checkpoint)
            .ok_or_else(|| Status::internal(format!("checkpoint {checkpoint} missing")))?;
        let (lower, upper) = (self.lower, self.upper);
        let mut pending: VecDeque<_> = self
            .family
            .candidates(&record)
            .into_iter()
            .filter(|(point, _)| lower < *point && *point < upper)
            .collect();
        let whole = if self.ascending {
            upper >= Point::Start(checkpoint.saturating_add(1))
        } else {
            lower <= Point::Start(checkpoint)
        };
        if !self.ascending {
            pending.make_contiguous().reverse();
        }
        if pending.is_empty() && whole {
            self.covered = Some(checkpoint);
        }
        self.current = (checkpoint, whole);
        self.pending = pending;
        self.next = if checkpoint == self.last {
            None
        } else if self.ascending {
            checkpoint.checked_add(1)
        } else {
            checkpoint.checked_sub(1)
        };
        Ok(())
    }
}

impl<F: Family> Iterator for ListScan<F> {
    type Item = Result<Frame<F::Item>, Status>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            if let Some((point, candidate)) = self.pending.pop_front() {
                let (checkpoint, whole) = self.current;
                let last_here = self.pending.is_empty();
                if last_here && whole {
                    self.covered = Some(checkpoint);
                }
                self.emitted += 1;
                let exhausted = last_here && self.next.is_none();
                let end = (self.emitted >= self.limit && !exhausted)
                    .then_some(proto::QueryEndReason::ItemLimit);
                self.done = end.is_some();
                let item = self.family.render(candidate);
                return Some(Ok(self.frame(Some(item), point, end)));
            }
            let Some(checkpoint) = self.next else {
                self.done = true;
                let (reason, point, covered) = self.natural_end;
                self.covered = covered;
                return Some(Ok(self.frame(None, point, Some(reason))));
            };
            if self.budget == 0 {
                // The frontier: everything before (ascending) or after (descending) it was read.
                self.done = true;
                let frontier = if self.ascending {
                    Point::Start(checkpoint)
                } else {
                    Point::Start(checkpoint.saturating_add(1))
                };
                return Some(Ok(self.frame(
                    None,
                    frontier,
                    Some(proto::QueryEndReason::ScanLimit),
                )));
            }
            self.budget -= 1;
            if let Err(status) = self.read(checkpoint) {
                self.done = true;
                return Some(Err(status));
            }
        }
    }
}

/// A live stream of the items of the checkpoints sealed after it started: first a progress
/// frame at the tip, then, for each new checkpoint in order, one frame per matching item, or a
/// progress frame if none matched (so progress advances even when nothing matches).
pub(super) struct Live<F: Family> {
    family: F,
    tip: watch::Receiver<u64>,
    /// The next checkpoint to deliver.
    next: u64,
    ready: VecDeque<Frame<F::Item>>,
    shutdown: CancellationToken,
}

impl<F: Family> Live<F> {
    /// Starts a stream after the latest checkpoint, which ends when `shutdown` is cancelled.
    pub(super) fn new(family: F, shutdown: CancellationToken) -> Self {
        let mut tip = family.node().watch_tip();
        let latest = *tip.borrow_and_update();
        let next = latest.saturating_add(1);
        let start = Frame {
            item: None,
            watermark: watermark(F::encode(Point::Start(next), true), Some(latest)),
            end: None,
        };
        Self {
            family,
            tip,
            next,
            ready: VecDeque::from([start]),
            shutdown,
        }
    }

    /// Queues the frames of checkpoint `self.next`.
    fn read_next(&mut self) -> Result<(), Status> {
        let checkpoint = self.next;
        let record = self
            .family
            .node()
            .checkpoint(checkpoint)
            .ok_or_else(|| Status::internal(format!("checkpoint {checkpoint} missing")))?;
        let candidates = self.family.candidates(&record);
        let count = candidates.len();
        for (i, (point, candidate)) in candidates.into_iter().enumerate() {
            let covered = if i + 1 == count {
                Some(checkpoint)
            } else {
                checkpoint.checked_sub(1)
            };
            self.ready.push_back(Frame {
                item: Some(self.family.render(candidate)),
                watermark: watermark(F::encode(point, true), covered),
                end: None,
            });
        }
        if count == 0 {
            self.ready.push_back(Frame {
                item: None,
                watermark: watermark(
                    F::encode(Point::Start(checkpoint.saturating_add(1)), true),
                    Some(checkpoint),
                ),
                end: None,
            });
        }
        self.next = checkpoint.saturating_add(1);
        Ok(())
    }

    /// The next frame; `None` once the server shuts down.
    pub(super) async fn next_frame(&mut self) -> Option<Result<Frame<F::Item>, Status>> {
        loop {
            if let Some(frame) = self.ready.pop_front() {
                return Some(Ok(frame));
            }
            let tip = *self.tip.borrow_and_update();
            if self.next <= tip {
                // One checkpoint at a time, read from the ledger: a slow subscriber only lags.
                if let Err(status) = self.read_next() {
                    return Some(Err(status));
                }
                continue;
            }
            tokio::select! {
                () = self.shutdown.cancelled() => return None,
                changed = self.tip.changed() => {
                    if changed.is_err() {
                        return Some(Err(Status::unavailable("the chain is shutting down")));
                    }
                }
            }
        }
    }
}
