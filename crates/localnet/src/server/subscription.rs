//! `SubscriptionService`: the live checkpoint stream.

use std::collections::VecDeque;
use std::sync::Arc;

use sui_rpc::field::FieldMaskTree;
use sui_rpc::merge::Merge as _;
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
use super::read_mask;
use crate::node::Node;

const SUBSCRIBE_DEFAULT_MASK: &str = "sequence_number,digest";

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
        frame.checkpoint = Some(proto::Checkpoint::merge_from(checkpoint, &self.mask));
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
            let full = crate::proto::checkpoint(&record, &txs);
            let frame = self.frame(&full);
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
        Ok(Response::new(Box::pin(stream)))
    }
}
