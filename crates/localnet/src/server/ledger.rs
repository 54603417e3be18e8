//! `LedgerService`: service info, objects, transactions, checkpoints and epochs.

use sui_rpc::field::FieldMaskTree;
use sui_rpc::merge::Merge as _;
use sui_rpc::proto::google::rpc::Status as RpcStatus;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_rpc::proto::sui::rpc::v2::ledger_service_server::LedgerService;
use sui_rpc::proto::timestamp_ms_to_proto;
use sui_sdk_types::Digest;
use tonic::Request;
use tonic::Response;
use tonic::Status;
use tonic::codegen::BoxStream;

use super::DEFAULT_PAGE_SIZE;
use super::MAX_PAGE_SIZE;
use super::Rpc;
use super::filter::EventFilter;
use super::filter::TransactionFilter;
use super::items::Checkpoints;
use super::items::Events;
use super::items::Transactions;
use super::items::render_transaction;
use super::list::Family;
use super::list::Frame;
use super::list::Limits;
use super::list::ListScan;
use super::list::Query;
use super::parse_address;
use super::read_mask;
use crate::store::CheckpointRecord;

const GET_OBJECT_DEFAULT_MASK: &str = "object_id,version,digest";
const GET_TRANSACTION_DEFAULT_MASK: &str = "digest";
const GET_CHECKPOINT_DEFAULT_MASK: &str = "sequence_number,digest";
/// What Sui's `ListEvents` reads when no mask is given (`sui-rpc-api`'s `read_mask_defaults`).
const LIST_EVENTS_DEFAULT_MASK: &str = "event_type";
/// What Sui's `GetEpoch` reads when no mask is given (`sui-rpc-api`'s `READ_MASK_DEFAULT`).
const GET_EPOCH_DEFAULT_MASK: &str = "epoch,first_checkpoint,last_checkpoint,start,end,\
                                      reference_gas_price,protocol_config.protocol_version";

fn parse_digest(field: &str, s: Option<&str>) -> Result<Digest, Status> {
    let s = s.ok_or_else(|| Status::invalid_argument(format!("missing {field}")))?;
    Digest::from_base58(s)
        .map_err(|e| Status::invalid_argument(format!("invalid {field} {s:?}: {e}")))
}

impl Rpc {
    fn object_message(
        &self,
        request: &proto::GetObjectRequest,
        mask: &FieldMaskTree,
    ) -> Result<proto::Object, Status> {
        let id = parse_address("object_id", request.object_id.as_deref())?;
        let object = match request.version {
            Some(v) => self.node.object_at(&id, v),
            None => self.node.object(&id),
        };
        let object = object.ok_or_else(|| match request.version {
            Some(v) => Status::not_found(format!("object {id} at version {v} not found")),
            None => Status::not_found(format!("object {id} not found")),
        })?;
        Ok(crate::proto::masked_object(
            &crate::proto::object(&object),
            mask,
        ))
    }

    fn transaction_message(
        &self,
        digest: Option<&str>,
        mask: &FieldMaskTree,
    ) -> Result<proto::ExecutedTransaction, Status> {
        let digest = parse_digest("digest", digest)?;
        let tx = self
            .node
            .transaction(&digest)
            .ok_or_else(|| Status::not_found(format!("transaction {digest} not found")))?;
        Ok(render_transaction(&tx, mask))
    }

    /// A checkpoint filtered by `mask`, building transactions only when the mask asks for them.
    pub(super) fn checkpoint_message(
        &self,
        record: &CheckpointRecord,
        mask: &FieldMaskTree,
    ) -> proto::Checkpoint {
        let needs_txs = mask
            .subtree(proto::Checkpoint::TRANSACTIONS_FIELD.name)
            .is_some()
            || mask
                .subtree(proto::Checkpoint::OBJECTS_FIELD.name)
                .is_some();
        let txs = if needs_txs {
            self.node.checkpoint_transactions(record)
        } else {
            Vec::new()
        };
        crate::proto::checkpoint_by_mask(record, &txs, mask)
    }
}

/// Builds a list response from a scan frame.
fn list_response<I, R: Default>(
    frame: Frame<I>,
    set: impl FnOnce(&mut R, Option<I>, proto::Watermark, Option<proto::QueryEnd>),
) -> R {
    let mut response = R::default();
    let end = frame.end.map(|reason| {
        let mut end = proto::QueryEnd::default();
        end.reason = Some(reason as i32);
        end
    });
    set(&mut response, frame.item, frame.watermark, end);
    response
}

/// Streams the frames of `scan`, each computed when the client asks for it.
fn scan_stream<F, R>(
    scan: ListScan<F>,
    set: fn(&mut R, Option<F::Item>, proto::Watermark, Option<proto::QueryEnd>),
) -> BoxStream<R>
where
    F: Family + Send + 'static,
    F::Candidate: Send,
    F::Item: Send,
    R: Default + Send + 'static,
{
    Box::pin(futures::stream::iter(
        scan.map(move |frame| frame.map(|f| list_response(f, set))),
    ))
}

#[tonic::async_trait]
impl LedgerService for Rpc {
    async fn get_service_info(
        &self,
        _request: Request<proto::GetServiceInfoRequest>,
    ) -> Result<Response<proto::GetServiceInfoResponse>, Status> {
        let latest = self.node.latest_checkpoint();
        let mut message = proto::GetServiceInfoResponse::default();
        message.chain_id = Some(self.node.chain_id().to_owned());
        message.chain = Some("localnet".to_owned());
        message.epoch = Some(self.node.epoch());
        message.checkpoint_height = Some(latest.summary.sequence_number);
        message.timestamp = Some(timestamp_ms_to_proto(latest.summary.timestamp_ms));
        message.lowest_available_checkpoint = Some(0);
        message.lowest_available_checkpoint_objects = Some(0);
        message.server = Some(format!("haulout-localnet/{}", env!("CARGO_PKG_VERSION")));
        Ok(Response::new(message))
    }

    async fn get_object(
        &self,
        request: Request<proto::GetObjectRequest>,
    ) -> Result<Response<proto::GetObjectResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Object>(request.read_mask.clone(), GET_OBJECT_DEFAULT_MASK)?;
        let mut message = proto::GetObjectResponse::default();
        message.object = Some(self.object_message(&request, &mask)?);
        Ok(Response::new(message))
    }

    async fn batch_get_objects(
        &self,
        request: Request<proto::BatchGetObjectsRequest>,
    ) -> Result<Response<proto::BatchGetObjectsResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Object>(request.read_mask.clone(), GET_OBJECT_DEFAULT_MASK)?;
        if request.requests.len() > MAX_PAGE_SIZE {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_PAGE_SIZE} objects per batch"
            )));
        }
        let mut message = proto::BatchGetObjectsResponse::default();
        message.objects = request
            .requests
            .iter()
            .map(|r| {
                let mut result = proto::GetObjectResult::default();
                result.result = Some(match self.object_message(r, &mask) {
                    Ok(o) => proto::get_object_result::Result::Object(o),
                    Err(status) => proto::get_object_result::Result::Error(rpc_status(&status)),
                });
                result
            })
            .collect();
        Ok(Response::new(message))
    }

    async fn get_transaction(
        &self,
        request: Request<proto::GetTransactionRequest>,
    ) -> Result<Response<proto::GetTransactionResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::ExecutedTransaction>(
            request.read_mask,
            GET_TRANSACTION_DEFAULT_MASK,
        )?;
        let mut message = proto::GetTransactionResponse::default();
        message.transaction = Some(self.transaction_message(request.digest.as_deref(), &mask)?);
        Ok(Response::new(message))
    }

    async fn batch_get_transactions(
        &self,
        request: Request<proto::BatchGetTransactionsRequest>,
    ) -> Result<Response<proto::BatchGetTransactionsResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::ExecutedTransaction>(
            request.read_mask,
            GET_TRANSACTION_DEFAULT_MASK,
        )?;
        if request.digests.len() > MAX_PAGE_SIZE {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_PAGE_SIZE} transactions per batch"
            )));
        }
        let mut message = proto::BatchGetTransactionsResponse::default();
        message.transactions = request
            .digests
            .iter()
            .map(|d| {
                let mut result = proto::GetTransactionResult::default();
                result.result = Some(match self.transaction_message(Some(d), &mask) {
                    Ok(t) => proto::get_transaction_result::Result::Transaction(t),
                    Err(status) => {
                        proto::get_transaction_result::Result::Error(rpc_status(&status))
                    }
                });
                result
            })
            .collect();
        Ok(Response::new(message))
    }

    async fn get_checkpoint(
        &self,
        request: Request<proto::GetCheckpointRequest>,
    ) -> Result<Response<proto::GetCheckpointResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Checkpoint>(request.read_mask, GET_CHECKPOINT_DEFAULT_MASK)?;
        let record = match request.checkpoint_id {
            None => self.node.latest_checkpoint(),
            Some(proto::get_checkpoint_request::CheckpointId::SequenceNumber(seq)) => self
                .node
                .checkpoint(seq)
                .ok_or_else(|| Status::not_found(format!("checkpoint {seq} not found")))?,
            Some(proto::get_checkpoint_request::CheckpointId::Digest(d)) => {
                let digest = parse_digest("digest", Some(&d))?;
                self.node
                    .checkpoint_by_digest(&digest)
                    .ok_or_else(|| Status::not_found(format!("checkpoint {digest} not found")))?
            }
            Some(_) => return Err(Status::invalid_argument("unknown checkpoint_id")),
        };
        let mut message = proto::GetCheckpointResponse::default();
        message.checkpoint = Some(self.checkpoint_message(&record, &mask));
        Ok(Response::new(message))
    }

    /// As Sui's `get_epoch`: `epoch` defaults to the current one; a past or current epoch is
    /// answered from its record (`last_checkpoint` and `end` only once it ended); a future
    /// epoch has no record, so only `epoch` is set, and asking for its `committee` is
    /// `NOT_FOUND` ("Committee for epoch N not found"). There is no `0x5` object, so
    /// `system_state` is never set.
    async fn get_epoch(
        &self,
        request: Request<proto::GetEpochRequest>,
    ) -> Result<Response<proto::GetEpochResponse>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Epoch>(request.read_mask, GET_EPOCH_DEFAULT_MASK)?;
        let current = self.node.current_epoch();
        let number = request.epoch.unwrap_or(current.epoch);
        let record = if number == current.epoch {
            Some(current)
        } else {
            self.node.epoch_record(number)
        };
        let mut epoch = proto::Epoch::default();
        epoch.epoch = Some(number);
        if let Some(record) = record {
            let mut config = proto::ProtocolConfig::default();
            config.protocol_version = Some(record.protocol_version);
            config
                .attributes
                .insert("max_gas_payment_objects".into(), "256".into());
            config
                .attributes
                .insert("max_tx_gas".into(), crate::node::MAX_GAS_BUDGET.to_string());
            config.attributes.insert(
                "storage_gas_price".into(),
                crate::executor::STORAGE_PRICE.to_string(),
            );
            let committee = self.node.committee_of(number);
            epoch.system_state = Some(Box::new(system_state(
                &record,
                &committee,
                self.node.sui_epoch_duration(),
            )));
            epoch.committee = Some(committee.into());
            epoch.first_checkpoint = Some(record.first_checkpoint);
            epoch.last_checkpoint = record.last_checkpoint;
            epoch.start = Some(timestamp_ms_to_proto(record.start_ms));
            epoch.end = record.end_ms.map(timestamp_ms_to_proto);
            epoch.reference_gas_price = Some(record.reference_gas_price);
            epoch.protocol_config = Some(config);
        } else if mask.contains(proto::Epoch::COMMITTEE_FIELD.name) {
            return Err(Status::not_found(format!(
                "Committee for epoch {number} not found"
            )));
        }
        let mut message = proto::GetEpochResponse::default();
        message.epoch = Some(proto::Epoch::merge_from(&epoch, &mask));
        Ok(Response::new(message))
    }

    async fn list_checkpoints(
        &self,
        request: Request<proto::ListCheckpointsRequest>,
    ) -> Result<Response<BoxStream<proto::ListCheckpointsResponse>>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Checkpoint>(request.read_mask, GET_CHECKPOINT_DEFAULT_MASK)?;
        let filter = request
            .filter
            .as_ref()
            .map(TransactionFilter::parse)
            .transpose()?;
        let query = Query {
            start_checkpoint: request.start_checkpoint,
            end_checkpoint: request.end_checkpoint,
            options: request.options,
        };
        let family = Checkpoints {
            rpc: self.clone(),
            mask,
            filter,
        };
        // Every checkpoint read is an item unless a filter is given: the whole page fits the
        // default limit.
        let limits = Limits {
            default_items: MAX_PAGE_SIZE,
            max_items: MAX_PAGE_SIZE,
            scan_budget: self.options.list_scan_budget,
        };
        let scan = ListScan::new(family, &query, limits, self.tip())?;
        Ok(Response::new(scan_stream(
            scan,
            |r, item, watermark, end| {
                r.checkpoint = item;
                r.watermark = Some(watermark);
                r.end = end;
            },
        )))
    }

    async fn list_transactions(
        &self,
        request: Request<proto::ListTransactionsRequest>,
    ) -> Result<Response<BoxStream<proto::ListTransactionsResponse>>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::ExecutedTransaction>(
            request.read_mask,
            GET_TRANSACTION_DEFAULT_MASK,
        )?;
        let filter = request
            .filter
            .as_ref()
            .map(TransactionFilter::parse)
            .transpose()?;
        let query = Query {
            start_checkpoint: request.start_checkpoint,
            end_checkpoint: request.end_checkpoint,
            options: request.options,
        };
        let family = Transactions {
            node: self.node.clone(),
            mask,
            filter,
        };
        let scan = ListScan::new(family, &query, self.list_limits(), self.tip())?;
        Ok(Response::new(scan_stream(
            scan,
            |r, item, watermark, end| {
                r.transaction = item;
                r.watermark = Some(watermark);
                r.end = end;
            },
        )))
    }

    async fn list_events(
        &self,
        request: Request<proto::ListEventsRequest>,
    ) -> Result<Response<BoxStream<proto::ListEventsResponse>>, Status> {
        let request = request.into_inner();
        let mask = read_mask::<proto::Event>(request.read_mask, LIST_EVENTS_DEFAULT_MASK)?;
        let filter = request
            .filter
            .as_ref()
            .map(EventFilter::parse)
            .transpose()?;
        let query = Query {
            start_checkpoint: request.start_checkpoint,
            end_checkpoint: request.end_checkpoint,
            options: request.options,
        };
        let family = Events {
            node: self.node.clone(),
            mask,
            filter,
        };
        let scan = ListScan::new(family, &query, self.list_limits(), self.tip())?;
        Ok(Response::new(scan_stream(
            scan,
            |r, item, watermark, end| {
                r.event = item;
                r.watermark = Some(watermark);
                r.end = end;
            },
        )))
    }
}

impl Rpc {
    /// The latest checkpoint: the `LEDGER_TIP` of lists started now.
    fn tip(&self) -> u64 {
        self.node.latest_checkpoint().summary.sequence_number
    }

    /// The limits of `ListTransactions` and `ListEvents`.
    fn list_limits(&self) -> Limits {
        Limits {
            default_items: DEFAULT_PAGE_SIZE,
            max_items: MAX_PAGE_SIZE,
            scan_budget: self.options.list_scan_budget,
        }
    }
}

/// A `google.rpc.Status` for a per-item error in a batch.
fn rpc_status(status: &Status) -> RpcStatus {
    RpcStatus {
        code: status.code() as i32,
        message: status.message().to_owned(),
        details: Vec::new(),
    }
}

/// The `system_state` of `GetEpoch`, rendered from the chain's own state: the local chain has no
/// `0x5` system object, so this is what a `SuiSystemStateInnerV2` of a one-validator network
/// holds for the epoch — number, protocol version, gas price, start, safe mode off, the epoch
/// duration, and the validator set (the single validator's BLS key and stake). There is no
/// storage fund or stake subsidy object; those fields stay unset.
fn system_state(
    record: &crate::store::EpochRecord,
    committee: &sui_sdk_types::ValidatorCommittee,
    epoch_duration: std::time::Duration,
) -> proto::SystemState {
    let mut parameters = proto::SystemParameters::default();
    parameters.epoch_duration_ms = u64::try_from(epoch_duration.as_millis()).ok();
    parameters.stake_subsidy_start_epoch = Some(0);
    let n_validators = committee.members.len() as u64;
    parameters.min_validator_count = Some(n_validators);
    parameters.max_validator_count = Some(n_validators);
    let total_stake: u64 = committee.members.iter().map(|m| m.stake).sum();
    let mut validators = proto::ValidatorSet::default();
    validators.total_stake = Some(total_stake);
    validators.active_validators = committee
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut v = proto::Validator::default();
            v.name = Some(format!("haulout-localnet-{i}"));
            v.protocol_public_key =
                Some(prost::bytes::Bytes::copy_from_slice(m.public_key.inner()));
            // Sui normalises voting power to a total of 10,000.
            v.voting_power = Some(
                u64::try_from(u128::from(m.stake) * 10_000 / u128::from(total_stake.max(1)))
                    .unwrap_or(10_000),
            );
            v.gas_price = Some(record.reference_gas_price);
            v.next_epoch_gas_price = Some(record.reference_gas_price);
            v.next_epoch_stake = Some(m.stake);
            v.commission_rate = Some(0);
            v.next_epoch_commission_rate = Some(0);
            v
        })
        .collect();
    let mut state = proto::SystemState::default();
    state.version = Some(2);
    state.epoch = Some(record.epoch);
    state.protocol_version = Some(record.protocol_version);
    state.validators = Some(validators);
    state.parameters = Some(parameters);
    state.reference_gas_price = Some(record.reference_gas_price);
    state.safe_mode = Some(false);
    state.safe_mode_storage_rewards = Some(0);
    state.safe_mode_computation_rewards = Some(0);
    state.safe_mode_storage_rebates = Some(0);
    state.safe_mode_non_refundable_storage_fee = Some(0);
    state.epoch_start_timestamp_ms = Some(record.start_ms);
    state
}
