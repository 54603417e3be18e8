//! [`SuiClient`]: the Sui gRPC calls haulout makes, with typed results and errors.

use std::time::Duration;

use futures::Stream;
use futures::StreamExt as _;
use serde::de::DeserializeOwned;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::client::ExecuteAndWaitError;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::{
    Address, Digest, GasPayment, Input, ObjectReference, ProgrammableTransaction, SharedInput,
    Transaction, TransactionExpiration, TransactionKind,
};

use crate::error::{Result, SuiError};

/// The SUI coin type.
pub const SUI_COIN_TYPE: &str = "0x2::sui::SUI";

/// The gas budget of haulout's transactions unless the caller says otherwise (0.5 SUI).
pub const DEFAULT_GAS_BUDGET: u64 = 500_000_000;

/// How long [`SuiClient::execute`] waits for a transaction to be in a checkpoint. Only a bound
/// on a chain that stopped: a live chain checkpoints within seconds.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(60);

/// Largest gRPC answer accepted (a checkpoint with its objects can be large).
const MAX_DECODING_MESSAGE: usize = 128 << 20;

/// An object as read from the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectData {
    /// Its ID.
    pub id: Address,
    /// Its version.
    pub version: u64,
    /// Its digest.
    pub digest: Digest,
    /// Its owner.
    pub owner: proto::Owner,
    /// Its Move type (`0x…::module::Name<…>`), as the server spells it.
    pub object_type: String,
    /// The BCS of its Move struct.
    pub contents: Vec<u8>,
}

impl ObjectData {
    /// The object's reference (ID, version, digest), for an owned or immutable input.
    pub fn reference(&self) -> ObjectReference {
        ObjectReference::new(self.id, self.version, self.digest)
    }

    /// The contents decoded as `T`.
    ///
    /// # Errors
    /// If the contents are not the BCS of a `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        bcs::from_bytes(&self.contents).map_err(|e| {
            SuiError::Malformed(format!(
                "object {} of type {} does not decode as {}: {e}",
                self.id,
                self.object_type,
                std::any::type_name::<T>()
            ))
        })
    }

    /// The initial shared version, if the object is shared.
    pub fn initial_shared_version(&self) -> Option<u64> {
        (self.owner.kind() == proto::owner::OwnerKind::Shared).then(|| self.owner.version())
    }

    /// The owning address, if the object is address-owned.
    pub fn owner_address(&self) -> Option<Address> {
        (self.owner.kind() == proto::owner::OwnerKind::Address)
            .then(|| self.owner.address().parse().ok())
            .flatten()
    }

    fn from_proto(object: &proto::Object) -> Result<Self> {
        let missing = |field: &str| SuiError::Malformed(format!("object without {field}"));
        let id: Address = object
            .object_id
            .as_deref()
            .ok_or_else(|| missing("object_id"))?
            .parse()
            .map_err(|e| SuiError::Malformed(format!("object ID: {e}")))?;
        let digest: Digest = object
            .digest
            .as_deref()
            .ok_or_else(|| missing("digest"))?
            .parse()
            .map_err(|e| SuiError::Malformed(format!("digest of {id}: {e}")))?;
        Ok(Self {
            id,
            version: object.version.ok_or_else(|| missing("version"))?,
            digest,
            owner: object.owner.clone().ok_or_else(|| missing("owner"))?,
            object_type: object.object_type.clone().unwrap_or_default(),
            contents: object
                .contents
                .as_ref()
                .map(|c| c.value().to_vec())
                .unwrap_or_default(),
        })
    }
}

/// A coin: its reference and balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coin {
    /// The coin object.
    pub reference: ObjectReference,
    /// Its balance.
    pub balance: u64,
}

/// A transaction that was executed successfully and is in a checkpoint.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The transaction's digest.
    pub digest: String,
    /// The checkpoint that holds it.
    pub checkpoint: u64,
    /// Everything the server returned (effects, events, objects).
    pub transaction: proto::ExecutedTransaction,
}

impl Executed {
    /// The objects the transaction created, as (ID, type).
    pub fn created(&self) -> Vec<(Address, String)> {
        let Some(effects) = self.transaction.effects.as_ref() else {
            return Vec::new();
        };
        effects
            .changed_objects
            .iter()
            .filter(|c| c.id_operation() == proto::changed_object::IdOperation::Created)
            .filter_map(|c| {
                Some((
                    c.object_id().parse().ok()?,
                    c.object_type.clone().unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// The first created object whose type is `object_type` (compared after normalising
    /// addresses).
    pub fn created_of_type(&self, object_type: &str) -> Option<Address> {
        let want = normalize_type(object_type);
        self.created()
            .into_iter()
            .find(|(_, t)| normalize_type(t) == want)
            .map(|(id, _)| id)
    }

    /// The events the transaction emitted, in order.
    pub fn events(&self) -> &[proto::Event] {
        self.transaction
            .events
            .as_ref()
            .map(|e| e.events.as_slice())
            .unwrap_or_default()
    }

    /// The events of Move type `event_type`, decoded as `T`.
    pub fn events_of<T: DeserializeOwned>(&self, event_type: &str) -> Vec<T> {
        let want = normalize_type(event_type);
        self.events()
            .iter()
            .filter(|e| normalize_type(e.event_type()) == want)
            .filter_map(|e| bcs::from_bytes(e.contents.as_ref()?.value()).ok())
            .collect()
    }

    /// Gas paid: computation + storage − rebate, in MIST (0 if the effects lack it).
    pub fn gas_used(&self) -> u64 {
        self.transaction
            .effects
            .as_ref()
            .and_then(|e| e.gas_used.as_ref())
            .map(|g| (g.computation_cost() + g.storage_cost()).saturating_sub(g.storage_rebate()))
            .unwrap_or(0)
    }
}

/// Type strings with every address spelled in full, so that `0x2::coin::Coin<0x…>` and
/// `0x000…02::coin::Coin<…>` compare equal.
pub(crate) fn normalize_type(t: &str) -> String {
    t.parse::<sui_sdk_types::TypeTag>()
        .map(|tag| tag.to_string())
        .unwrap_or_else(|_| t.to_owned())
}

/// A Sui gRPC v2 client (cheap to clone: clones share one connection).
#[derive(Clone)]
pub struct SuiClient {
    inner: sui_rpc::Client,
    url: String,
}

impl std::fmt::Debug for SuiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiClient").field("url", &self.url).finish()
    }
}

impl SuiClient {
    /// A client of the full node at `url` (connects lazily).
    ///
    /// # Errors
    /// If `url` is not a valid endpoint.
    pub fn connect(url: &str) -> Result<Self> {
        let inner = sui_rpc::Client::new(url.to_owned())
            .map_err(|e| SuiError::InvalidUrl {
                url: url.to_owned(),
                reason: e.to_string(),
            })?
            .with_max_decoding_message_size(MAX_DECODING_MESSAGE);
        Ok(Self {
            inner,
            url: url.to_owned(),
        })
    }

    /// The RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The underlying `sui-rpc` client, for calls not wrapped here.
    pub fn rpc(&self) -> sui_rpc::Client {
        self.inner.clone()
    }

    /// The chain ID and the latest checkpoint (`GetServiceInfo`).
    ///
    /// # Errors
    /// If the call fails.
    pub async fn service_info(&self) -> Result<(String, u64)> {
        let info = self
            .rpc()
            .ledger_client()
            .get_service_info(proto::GetServiceInfoRequest::default())
            .await
            .map_err(|s| SuiError::rpc("GetServiceInfo", s))?
            .into_inner();
        Ok((info.chain_id().to_owned(), info.checkpoint_height()))
    }

    /// Object `id` at its latest version.
    ///
    /// # Errors
    /// [`SuiError::NotFound`] if there is no such object; others if the call fails.
    pub async fn object(&self, id: Address) -> Result<ObjectData> {
        self.object_at(id, None).await
    }

    /// Object `id` at `version` (the latest if `None`).
    ///
    /// # Errors
    /// [`SuiError::NotFound`] if there is no such object; others if the call fails.
    pub async fn object_at(&self, id: Address, version: Option<u64>) -> Result<ObjectData> {
        let mut request = proto::GetObjectRequest::default();
        request.object_id = Some(id.to_string());
        request.version = version;
        request.read_mask = Some(object_mask());
        let response = self
            .rpc()
            .ledger_client()
            .get_object(request)
            .await
            .map_err(|s| match s.code() {
                tonic::Code::NotFound => SuiError::NotFound(format!("object {id}")),
                _ => SuiError::rpc(format!("GetObject {id}"), s),
            })?
            .into_inner();
        let object = response
            .object
            .ok_or_else(|| SuiError::Malformed(format!("GetObject {id}: no object")))?;
        ObjectData::from_proto(&object)
    }

    /// Several objects at once (`BatchGetObjects`, in chunks of 50); `None` where an object
    /// does not exist.
    ///
    /// # Errors
    /// If a call fails.
    pub async fn objects(&self, ids: &[Address]) -> Result<Vec<Option<ObjectData>>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(50) {
            let mut request = proto::BatchGetObjectsRequest::default();
            request.requests = chunk
                .iter()
                .map(|id| {
                    let mut r = proto::GetObjectRequest::default();
                    r.object_id = Some(id.to_string());
                    r
                })
                .collect();
            request.read_mask = Some(object_mask());
            let response = self
                .rpc()
                .ledger_client()
                .batch_get_objects(request)
                .await
                .map_err(|s| SuiError::rpc("BatchGetObjects", s))?
                .into_inner();
            for result in response.objects {
                match result.result {
                    Some(proto::get_object_result::Result::Object(o)) => {
                        out.push(Some(ObjectData::from_proto(&o)?));
                    }
                    _ => out.push(None),
                }
            }
        }
        Ok(out)
    }

    /// A shared object as a transaction input.
    ///
    /// # Errors
    /// If the object does not exist or is not shared.
    pub async fn shared_input(&self, id: Address, mutable: bool) -> Result<Input> {
        let object = self.object(id).await?;
        let version = object
            .initial_shared_version()
            .ok_or_else(|| SuiError::Malformed(format!("{id} is not a shared object")))?;
        Ok(Input::Shared(SharedInput::new(id, version, mutable)))
    }

    /// The current reference of an owned or immutable object.
    ///
    /// # Errors
    /// If the object does not exist.
    pub async fn owned_ref(&self, id: Address) -> Result<ObjectReference> {
        Ok(self.object(id).await?.reference())
    }

    /// The objects of type `object_type` owned by `owner` (every page).
    ///
    /// # Errors
    /// If a call fails.
    pub async fn owned_objects(
        &self,
        owner: Address,
        object_type: &str,
    ) -> Result<Vec<ObjectData>> {
        let mut request = proto::ListOwnedObjectsRequest::default();
        request.owner = Some(owner.to_string());
        request.object_type = Some(object_type.to_owned());
        request.read_mask = Some(prost_types::FieldMask::from_str(
            "object_id,version,digest,owner,object_type,contents",
        ));
        let client = self.rpc();
        let stream = client.list_owned_objects(request);
        futures::pin_mut!(stream);
        let mut out = Vec::new();
        while let Some(object) = stream.next().await {
            let object =
                object.map_err(|s| SuiError::rpc(format!("ListOwnedObjects {owner}"), s))?;
            out.push(ObjectData::from_proto(&object)?);
        }
        Ok(out)
    }

    /// The coins of `coin_type` (`0x2::sui::SUI`, `<wal>::wal::WAL`) owned by `owner`, largest
    /// first.
    ///
    /// # Errors
    /// If a call fails.
    pub async fn coins(&self, owner: Address, coin_type: &str) -> Result<Vec<Coin>> {
        let objects = self
            .owned_objects(owner, &format!("0x2::coin::Coin<{coin_type}>"))
            .await?;
        let mut coins = objects
            .iter()
            .map(|o| {
                let coin: haulout_types::Coin<()> = o.decode()?;
                Ok(Coin {
                    reference: o.reference(),
                    balance: coin.balance.value,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        coins.sort_by_key(|c| std::cmp::Reverse(c.balance));
        Ok(coins)
    }

    /// The total balance of `coin_type` owned by `owner`.
    ///
    /// # Errors
    /// If the call fails.
    pub async fn balance(&self, owner: Address, coin_type: &str) -> Result<u64> {
        let mut request = proto::GetBalanceRequest::default();
        request.owner = Some(owner.to_string());
        request.coin_type = Some(coin_type.to_owned());
        let response = self
            .rpc()
            .state_client()
            .get_balance(request)
            .await
            .map_err(|s| SuiError::rpc(format!("GetBalance {owner} {coin_type}"), s))?
            .into_inner();
        Ok(response.balance.map(|b| b.balance()).unwrap_or(0))
    }

    /// The reference gas price.
    ///
    /// # Errors
    /// If the call fails.
    pub async fn gas_price(&self) -> Result<u64> {
        self.rpc()
            .get_reference_gas_price()
            .await
            .map_err(|s| SuiError::rpc("GetEpoch (reference gas price)", s))
    }

    /// Signs `ptb` with `key`, pays gas from the sender's largest SUI coin (which the PTB must
    /// not use otherwise), executes it and waits until it is in a checkpoint.
    ///
    /// # Errors
    /// [`SuiError::NoGas`] if the sender cannot pay `budget`; [`SuiError::TransactionFailed`]
    /// (naming the Move abort) if it executed and failed; others if a call fails.
    pub async fn execute(
        &self,
        ptb: ProgrammableTransaction,
        key: &Ed25519PrivateKey,
        budget: u64,
    ) -> Result<Executed> {
        let sender = key.public_key().derive_address();
        let gas = self
            .coins(sender, SUI_COIN_TYPE)
            .await?
            .into_iter()
            .find(|c| c.balance >= budget)
            .ok_or_else(|| SuiError::NoGas {
                address: sender.to_string(),
                needed: budget,
            })?;
        let price = self.gas_price().await?;
        let tx = Transaction {
            kind: TransactionKind::ProgrammableTransaction(ptb),
            sender,
            gas_payment: GasPayment {
                objects: vec![gas.reference],
                owner: sender,
                price,
                budget,
            },
            expiration: TransactionExpiration::None,
        };
        self.execute_transaction(&tx, key).await
    }

    /// Signs and executes a fully built transaction and waits until it is in a checkpoint.
    ///
    /// # Errors
    /// As [`SuiClient::execute`].
    pub async fn execute_transaction(
        &self,
        tx: &Transaction,
        key: &Ed25519PrivateKey,
    ) -> Result<Executed> {
        let signature = key
            .sign_transaction(tx)
            .map_err(|e| SuiError::Signing(e.to_string()))?;
        let digest = tx.digest().to_string();
        let mut request = proto::ExecuteTransactionRequest::default();
        request.transaction = Some(tx.clone().into());
        request.signatures = vec![signature.into()];
        request.read_mask = Some(prost_types::FieldMask::from_str(
            "digest,checkpoint,effects,events",
        ));
        let response = self
            .rpc()
            .execute_transaction_and_wait_for_checkpoint(request, CHECKPOINT_WAIT)
            .await
            .map_err(|e| match e {
                ExecuteAndWaitError::RpcError(status) => {
                    SuiError::rpc(format!("ExecuteTransaction {digest}"), status)
                }
                other => SuiError::Malformed(format!("ExecuteTransaction {digest}: {other}")),
            })?
            .into_inner();
        let transaction = response
            .transaction
            .ok_or_else(|| SuiError::Malformed(format!("{digest}: no transaction in answer")))?;
        let status = transaction
            .effects
            .as_ref()
            .and_then(|e| e.status.as_ref())
            .ok_or_else(|| SuiError::Malformed(format!("{digest}: no effects status")))?;
        if !status.success() {
            return Err(SuiError::TransactionFailed {
                digest,
                reason: describe_failure(status.error.as_ref()),
            });
        }
        Ok(Executed {
            digest,
            checkpoint: transaction.checkpoint(),
            transaction,
        })
    }

    /// A checkpoint stream from checkpoint `from` (inclusive) on, with the fields of `mask`
    /// (which must include `sequence_number`); it follows the tip for ever, retrying
    /// transient errors and filling gaps. Persist a checkpoint's sequence number after
    /// processing it and restart from the next one.
    pub fn stream_checkpoints(
        &self,
        from: u64,
        mask: &str,
    ) -> impl Stream<Item = Result<proto::Checkpoint>> + Send + 'static {
        use sui_rpc::client::{CheckpointStreamRequest, CheckpointStreamStart};
        let request = CheckpointStreamRequest::new()
            .with_read_mask(prost_types::FieldMask::from_str(mask))
            .with_start(CheckpointStreamStart::Checkpoint(from));
        self.inner
            .stream_checkpoints(request)
            .filter_map(|frame| async move {
                match frame {
                    Ok(frame) => frame.checkpoint.map(Ok),
                    Err(e) => Some(Err(SuiError::Malformed(format!("checkpoint stream: {e}")))),
                }
            })
    }
}

fn object_mask() -> prost_types::FieldMask {
    prost_types::FieldMask::from_str("object_id,version,digest,owner,object_type,contents")
}

/// A failed execution in words: the kind, the Move abort (with the abort constant's name for
/// the Walrus and WAL modules) and the command.
fn describe_failure(error: Option<&proto::ExecutionError>) -> String {
    let Some(error) = error else {
        return "unknown execution error".to_owned();
    };
    let mut text = format!("{:?}", error.kind());
    if let Some(proto::execution_error::ErrorDetails::Abort(abort)) = &error.error_details {
        let code = abort.abort_code();
        let location = abort.location.as_ref();
        let module = location.map(|l| l.module().to_owned()).unwrap_or_default();
        let function = location
            .map(|l| l.function_name().to_owned())
            .unwrap_or_default();
        let name = haulout_types::abort::ALL
            .iter()
            .filter(|(_, m, _)| *m == module)
            .flat_map(|(_, _, codes)| codes.iter())
            .find(|(_, v)| *v == code)
            .map(|(n, _)| format!(" ({n})"))
            .unwrap_or_default();
        text = format!("Move abort in {module}::{function} with code {code}{name}");
    }
    if let Some(command) = error.command {
        text.push_str(&format!(" in command {command}"));
    }
    if let Some(description) = error.description.as_deref().filter(|d| !d.is_empty()) {
        text.push_str(&format!(": {description}"));
    }
    text
}
