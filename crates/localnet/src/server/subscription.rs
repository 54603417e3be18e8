//! `SubscriptionService`: the live checkpoint, transaction and event streams.

use std::collections::VecDeque;
use std::sync::Arc;

use sui_rpc::field::FieldMaskTree;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::subscription_service_server::SubscriptionService;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use tonic::Request;
use tonic::Response;
use tonic::Status;
use tonic::codegen::BoxStream;

use super::Rpc;
use super::filter::EventFilter;
use super::filter::TransactionFilter;
use super::items::Events;
use super::items::Transactions;
use super::list::Family;
use super::list::Frame;
use super::list::Live;
use super::read_mask;
use crate::node::Node;

const SUBSCRIBE_DEFAULT_MASK: &str = "sequence_number,digest";
/// As `ListTransactions` (Sui's `read_mask_defaults::TRANSACTION`).
const SUBSCRIBE_TRANSACTIONS_DEFAULT_MASK: &str = "digest";
/// As `ListEvents` (Sui's `read_mask_defaults::EVENT`).
const SUBSCRIBE_EVENTS_DEFAULT_MASK: &str = "event_type";

/// Streams the frames of `live` as responses built by `set`.
fn live_stream<F, R>(live: Live<F>, set: fn(Option<F::Item>, proto::Watermark) -> R) -> BoxStream<R>
where
    F: Family + Send + 'static,
    F::Candidate: Send,
    F::Item: Send,
    R: Send + 'static,
{
    let stream = futures::stream::unfold(live, move |mut live| async move {
        let frame = live.next_frame().await?;
        let response = frame.map(
            |Frame {
                 item, watermark, ..
             }| set(item, watermark),
        );
        Some((response, live))
    });
    Box::pin(stream)
}

struct Subscription {
    node: Arc<Node>,
    rx: broadcast::Receiver<Arc<proto::Checkpoint>>,
    mask: FieldMaskTree,
    /// The next sequence number to deliver, once the first frame went out.
    next: Option<u64>,
    /// Frames ready to go (gap fill after the receiver lagged).
    ready: VecDeque<proto::SubscribeCheckpointsResponse>,
    shutdown: CancellationToken,
}

impl Subscription {
    fn frame(&self, checkpoint: &proto::Checkpoint) -> proto::SubscribeCheckpointsResponse {
        let mut frame = proto::SubscribeCheckpointsResponse::default();
        frame.cursor = checkpoint.sequence_number;
        frame.checkpoint = Some(crate::proto::masked_checkpoint(checkpoint, &self.mask));
        frame
    }

    /// Queues frames for every checkpoint from `self.next` up to and including `upto`.
    fn fill_to(&mut self, upto: u64) {
        let Some(mut seq) = self.next else { return };
        while seq <= upto {
            let Some(record) = self.node.checkpoint(seq) else {
                break;
            };
            let txs = self.node.checkpoint_transactions(&record);
            let mut frame = proto::SubscribeCheckpointsResponse::default();
            frame.cursor = Some(seq);
            frame.checkpoint = Some(crate::proto::checkpoint_by_mask(&record, &txs, &self.mask));
            self.ready.push_back(frame);
            seq += 1;
        }
        self.next = Some(seq);
    }

    async fn next_frame(&mut self) -> Option<Result<proto::SubscribeCheckpointsResponse, Status>> {
        loop {
            if let Some(frame) = self.ready.pop_front() {
                return Some(Ok(frame));
            }
            let received = tokio::select! {
                () = self.shutdown.cancelled() => return None,
                r = self.rx.recv() => r,
            };
            match received {
                Ok(checkpoint) => {
                    let seq = checkpoint.sequence_number.unwrap_or_default();
                    match self.next {
                        Some(next) if seq < next => continue,
                        Some(next) if seq > next => self.fill_to(seq.saturating_sub(1)),
                        _ => {}
                    }
                    self.next = Some(seq + 1);
                    return Some(Ok(self.frame(&checkpoint)));
                }
                Err(RecvError::Lagged(_)) => {
                    // Deliver what was missed from the ledger, in order.
                    let tip = self.node.latest_checkpoint().summary.sequence_number;
                    if self.next.is_none() {
                        self.next = Some(tip);
                    }
                    self.fill_to(tip);
                }
                Err(RecvError::Closed) => {
                    return Some(Err(Status::unavailable("the chain is shutting down")));
                }
            }
        }
    }
}

impl Rpc {
    /// Takes a subscription slot, held by the returned stream until it is dropped.
    fn open<R: Send + 'static>(&self, stream: BoxStream<R>) -> Result<BoxStream<R>, Status> {
        let permit = self
            .subscriptions
            .clone()
            .try_acquire_owned()
            .map_err(|_| {
                Status::resource_exhausted(format!(
                    "too many open subscriptions (at most {}): close one and retry",
                    self.options.max_subscriptions
                ))
            })?;
        Ok(Box::pin(futures::StreamExt::map(stream, move |item| {
            let _held = &permit;
            item
        })))
    }
}

#[tonic::async_trait]
impl SubscriptionService for Rpc {
    async fn subscribe_checkpoints(
        &self,
        request: Request<proto::SubscribeCheckpointsRequest>,
    ) -> Result<Response<BoxStream<proto::SubscribeCheckpointsResponse>>, Status> {
        let request = request.into_inner();
        if request.filter.is_some() {
            return Err(Status::unimplemented(
                "checkpoint filters are not supported by the local chain",
            ));
        }
        let mask = read_mask::<proto::Checkpoint>(request.read_mask, SUBSCRIBE_DEFAULT_MASK)?;
        let subscription = Subscription {
            rx: self.node.subscribe(),
            node: self.node.clone(),
            mask,
            next: None,
            ready: VecDeque::new(),
            shutdown: self.shutdown.clone(),
        };
        let stream = futures::stream::unfold(subscription, |mut s| async move {
            let item = s.next_frame().await?;
            Some((item, s))
        });
        Ok(Response::new(self.open(Box::pin(stream))?))
    }

    /// Starts after the latest checkpoint: a first progress-only frame, then the matching
    /// transactions of each new checkpoint (a progress-only frame for a checkpoint without
    /// any), with the cursors of `ListTransactions`, so a client replays a gap with it.
    async fn subscribe_transactions(
        &self,
        request: Request<proto::SubscribeTransactionsRequest>,
    ) -> Result<Response<BoxStream<proto::SubscribeTransactionsResponse>>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::ExecutedTransaction>(
            request.read_mask,
            SUBSCRIBE_TRANSACTIONS_DEFAULT_MASK,
        )?;
        let filter = request
            .filter
            .as_ref()
            .map(TransactionFilter::parse)
            .transpose()?;
        let family = Transactions {
            node: self.node.clone(),
            mask,
            filter,
        };
        let live = Live::new(family, self.shutdown.clone());
        Ok(Response::new(self.open(live_stream(
            live,
            |item, watermark| {
                let mut response = proto::SubscribeTransactionsResponse::default();
                response.transaction = item;
                response.watermark = Some(watermark);
                response
            },
        ))?))
    }

    /// As [`Self::subscribe_transactions`], for events, with the cursors of `ListEvents`.
    async fn subscribe_events(
        &self,
        request: Request<proto::SubscribeEventsRequest>,
    ) -> Result<Response<BoxStream<proto::SubscribeEventsResponse>>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Event>(request.read_mask, SUBSCRIBE_EVENTS_DEFAULT_MASK)?;
        let filter = request
            .filter
            .as_ref()
            .map(EventFilter::parse)
            .transpose()?;
        let family = Events {
            node: self.node.clone(),
            mask,
            filter,
        };
        let live = Live::new(family, self.shutdown.clone());
        Ok(Response::new(self.open(live_stream(
            live,
            |item, watermark| {
                let mut response = proto::SubscribeEventsResponse::default();
                response.event = item;
                response.watermark = Some(watermark);
                response
            },
        ))?))
    }
}
