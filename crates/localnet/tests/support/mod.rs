//! Shared helpers: start a chain on a free port in a temp dir, read its keys, build transactions.
//! `walrus` holds the helpers of the in-process Walrus tests.
#![allow(dead_code, unreachable_pub)]

pub mod walrus;

use std::path::Path;
use std::time::Duration;

use haulout_localnet::Localnet;
use haulout_localnet::LocalnetArgs;
use haulout_localnet::NativeRegistry;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::GasPayment;
use sui_sdk_types::Input;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const GAS_PRICE: u64 = haulout_localnet::REFERENCE_GAS_PRICE;
pub const BUDGET: u64 = 50_000_000;

pub struct Chain {
    pub localnet: Localnet,
    pub task: JoinHandle<anyhow::Result<()>>,
    pub shutdown: CancellationToken,
    pub client: Client,
    pub keys: Vec<Ed25519PrivateKey>,
}

impl Chain {
    /// A chain without the Walrus packages, with two funded accounts.
    pub async fn start(dir: &Path, fresh: bool) -> Self {
        let walrus = haulout_localnet::walrus::WalrusArgs {
            nodes: 0,
            ..Default::default()
        };
        Self::start_full(dir, fresh, walrus, NativeRegistry::with_sui_framework()).await
    }

    /// A chain with two funded accounts and the Walrus genesis of `walrus` (with the Walrus
    /// natives unless `walrus.nodes` is 0).
    pub async fn start_with(
        dir: &Path,
        fresh: bool,
        walrus: haulout_localnet::walrus::WalrusArgs,
    ) -> Self {
        let registry = if walrus.nodes == 0 {
            NativeRegistry::with_sui_framework()
        } else {
            haulout_localnet::walrus::registry()
        };
        Self::start_full(dir, fresh, walrus, registry).await
    }

    /// A chain without the Walrus packages whose native table is `registry` (e.g. with a
    /// test-only package).
    pub async fn start_with_registry(dir: &Path, fresh: bool, registry: NativeRegistry) -> Self {
        let walrus = haulout_localnet::walrus::WalrusArgs {
            nodes: 0,
            ..Default::default()
        };
        Self::start_full(dir, fresh, walrus, registry).await
    }

    /// A chain with two funded accounts, the Walrus genesis of `walrus` and the natives of
    /// `registry`.
    pub async fn start_full(
        dir: &Path,
        fresh: bool,
        walrus: haulout_localnet::walrus::WalrusArgs,
        registry: NativeRegistry,
    ) -> Self {
        let seal = haulout_localnet::seal::SealArgs {
            key_servers: 0,
            ..Default::default()
        };
        Self::start_packages(dir, fresh, walrus, seal, registry).await
    }

    /// A chain with two funded accounts, the Walrus genesis of `walrus`, the Seal genesis of
    /// `seal` and the natives of `registry`.
    pub async fn start_packages(
        dir: &Path,
        fresh: bool,
        walrus: haulout_localnet::walrus::WalrusArgs,
        seal: haulout_localnet::seal::SealArgs,
        registry: NativeRegistry,
    ) -> Self {
        let args = LocalnetArgs {
            data: dir.to_path_buf(),
            fresh,
            listen: "127.0.0.1:0".parse().expect("addr"),
            accounts: 2,
            sui_epoch_duration: haulout_localnet::DEFAULT_SUI_EPOCH_DURATION,
            list_scan_budget: haulout_localnet::DEFAULT_LIST_SCAN_BUDGET,
            seal,
            walrus,
        };
        let shutdown = CancellationToken::new();
        let (localnet, task) = Localnet::start(&args, registry, shutdown.clone())
            .await
            .expect("start localnet");
        let keystore = std::fs::read_to_string(dir.join("keystore")).expect("keystore");
        let keys: Vec<String> = serde_json::from_str(&keystore).expect("keystore json");
        let keys = keys
            .iter()
            .map(|k| Ed25519PrivateKey::from_base64(k).expect("key"))
            .collect();
        let client = Client::new(localnet.info.rpc_url.clone()).expect("client");
        Self {
            localnet,
            task,
            shutdown,
            client,
            keys,
        }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.expect("join").expect("localnet task");
    }

    pub fn address(&self, i: usize) -> Address {
        self.keys[i].public_key().derive_address()
    }

    /// The SUI coins of `owner` as (reference, balance), sorted by object ID.
    pub async fn coins(&mut self, owner: Address) -> Vec<(ObjectReference, u64)> {
        self.coins_of(owner, "0x2::sui::SUI").await
    }

    /// The `0x2::coin::Coin<coin_type>` objects of `owner` through `ListOwnedObjects`, as
    /// (reference, balance), sorted by object ID.
    pub async fn coins_of(
        &mut self,
        owner: Address,
        coin_type: &str,
    ) -> Vec<(ObjectReference, u64)> {
        let mut request = proto::ListOwnedObjectsRequest::default();
        request.owner = Some(owner.to_string());
        request.object_type = Some(format!("0x2::coin::Coin<{coin_type}>"));
        request.read_mask = Some(prost_types::FieldMask::from_str(
            "object_id,version,digest,balance",
        ));
        let response = self
            .client
            .state_client()
            .list_owned_objects(request)
            .await
            .expect("list owned")
            .into_inner();
        response
            .objects
            .iter()
            .map(|o| {
                (
                    ObjectReference::new(
                        o.object_id().parse().expect("id"),
                        o.version(),
                        o.digest().parse().expect("digest"),
                    ),
                    o.balance(),
                )
            })
            .collect()
    }

    pub async fn balance(&mut self, owner: Address) -> u64 {
        let mut request = proto::GetBalanceRequest::default();
        request.owner = Some(owner.to_string());
        request.coin_type = Some("0x2::sui::SUI".into());
        self.client
            .state_client()
            .get_balance(request)
            .await
            .expect("balance")
            .into_inner()
            .balance
            .expect("balance")
            .balance()
    }

    /// Object `id` through `GetObject` with the fields of `mask` (`None`: the server's default).
    pub async fn get_object(&mut self, id: Address, mask: Option<&str>) -> proto::Object {
        let mut request = proto::GetObjectRequest::default();
        request.object_id = Some(id.to_string());
        request.read_mask = mask.map(prost_types::FieldMask::from_str);
        self.client
            .ledger_client()
            .get_object(request)
            .await
            .expect("get object")
            .into_inner()
            .object
            .expect("object")
    }

    pub async fn object_version(&mut self, id: Address) -> u64 {
        self.get_object(id, None).await.version()
    }

    /// Checkpoint `sequence_number` through `GetCheckpoint` with the fields of `mask` (`None`:
    /// the server's default).
    pub async fn get_checkpoint(
        &mut self,
        sequence_number: u64,
        mask: Option<&str>,
    ) -> proto::Checkpoint {
        let mut request = proto::GetCheckpointRequest::default();
        request.checkpoint_id = Some(proto::get_checkpoint_request::CheckpointId::SequenceNumber(
            sequence_number,
        ));
        request.read_mask = mask.map(prost_types::FieldMask::from_str);
        self.client
            .ledger_client()
            .get_checkpoint(request)
            .await
            .expect("get checkpoint")
            .into_inner()
            .checkpoint
            .expect("checkpoint")
    }

    /// `package::module::name` through `GetFunction`.
    pub async fn get_function(
        &mut self,
        package: &str,
        module: &str,
        name: &str,
    ) -> proto::FunctionDescriptor {
        let mut request = proto::GetFunctionRequest::default();
        request.package_id = Some(package.into());
        request.module_name = Some(module.into());
        request.name = Some(name.into());
        self.client
            .package_client()
            .get_function(request)
            .await
            .expect("get function")
            .into_inner()
            .function
            .expect("function")
    }

    pub async fn execute(
        &mut self,
        tx: &Transaction,
        key: &Ed25519PrivateKey,
    ) -> Result<proto::ExecutedTransaction, tonic::Status> {
        let signature = key.sign_transaction(tx).expect("sign");
        let mut request = proto::ExecuteTransactionRequest::default();
        request.transaction = Some(tx.clone().into());
        request.signatures = vec![signature.into()];
        request.read_mask = Some(prost_types::FieldMask::from_str("*"));
        let response = self
            .client
            .execute_transaction_and_wait_for_checkpoint(request, Duration::from_secs(30))
            .await
            .map_err(|e| match e {
                sui_rpc::client::ExecuteAndWaitError::RpcError(status) => status,
                other => tonic::Status::internal(other.to_string()),
            })?;
        Ok(response.into_inner().transaction.expect("transaction"))
    }

    /// Executes `ptb` signed by account `account`, paying gas with its first SUI coin.
    pub async fn execute_ptb(
        &mut self,
        account: usize,
        ptb: ProgrammableTransaction,
    ) -> Result<proto::ExecutedTransaction, tonic::Status> {
        let sender = self.address(account);
        let gas = self.coins(sender).await[0].0.clone();
        let tx = transaction(sender, vec![gas], BUDGET, ptb);
        let key = self.keys[account].clone();
        self.execute(&tx, &key).await
    }

    /// `SimulateTransaction` of `ptb` from `sender` with gas selection and no gas payment, as
    /// the TypeScript SDK's `Transaction.build()` sends it: `edit` first rewrites the inputs
    /// (e.g. with [`unresolve`]); the answer carries the fields of `mask`.
    pub async fn simulate(
        &mut self,
        sender: Address,
        ptb: ProgrammableTransaction,
        mask: &str,
        edit: impl FnOnce(&mut Vec<proto::Input>),
    ) -> Result<proto::ExecutedTransaction, tonic::Status> {
        let mut kind = proto::TransactionKind::from(TransactionKind::ProgrammableTransaction(ptb));
        let Some(proto::transaction_kind::Data::ProgrammableTransaction(p)) = kind.data.as_mut()
        else {
            panic!("programmable transaction");
        };
        edit(&mut p.inputs);
        let mut transaction = proto::Transaction::default();
        transaction.kind = Some(kind);
        transaction.sender = Some(sender.to_string());
        let mut gas = proto::GasPayment::default();
        gas.owner = Some(sender.to_string());
        transaction.gas_payment = Some(gas);
        let mut request = proto::SimulateTransactionRequest::default();
        request.transaction = Some(transaction);
        request.do_gas_selection = Some(true);
        request.read_mask = Some(prost_types::FieldMask::from_str(mask));
        Ok(self
            .client
            .execution_client()
            .simulate_transaction(request)
            .await?
            .into_inner()
            .transaction
            .expect("transaction"))
    }
}

/// Leaves an object input with its ID alone (no kind, version or digest), for the server to
/// resolve, as the TypeScript SDK sends objects it only knows by ID.
pub fn unresolve(input: &mut proto::Input) {
    input.kind = None;
    input.version = None;
    input.digest = None;
}

/// A PTB transaction from `sender` paying gas with `gas`.
pub fn transaction(
    sender: Address,
    gas: Vec<ObjectReference>,
    budget: u64,
    ptb: ProgrammableTransaction,
) -> Transaction {
    Transaction {
        kind: TransactionKind::ProgrammableTransaction(ptb),
        sender,
        gas_payment: GasPayment {
            objects: gas,
            owner: sender,
            price: GAS_PRICE,
            budget,
        },
        expiration: TransactionExpiration::None,
    }
}

/// Splits `amount` off the gas coin and sends it to `recipient`.
pub fn transfer_ptb(amount: u64, recipient: Address) -> ProgrammableTransaction {
    ProgrammableTransaction {
        inputs: vec![
            Input::Pure(amount.to_le_bytes().to_vec()),
            Input::Pure(recipient.as_bytes().to_vec()),
        ],
        commands: vec![
            Command::SplitCoins(sui_sdk_types::SplitCoins {
                coin: Argument::Gas,
                amounts: vec![Argument::Input(0)],
            }),
            Command::TransferObjects(sui_sdk_types::TransferObjects {
                objects: vec![Argument::NestedResult(0, 0)],
                address: Argument::Input(1),
            }),
        ],
    }
}

pub fn status_success(tx: &proto::ExecutedTransaction) -> bool {
    tx.effects
        .as_ref()
        .and_then(|e| e.status.as_ref())
        .and_then(|s| s.success)
        .unwrap_or(false)
}

/// The error of `tx`, which must have failed with an error of `kind`.
pub fn failed_with(
    tx: &proto::ExecutedTransaction,
    kind: proto::execution_error::ExecutionErrorKind,
) -> &proto::ExecutionError {
    assert!(!status_success(tx), "{tx:?}");
    let error = tx
        .effects
        .as_ref()
        .and_then(|e| e.status.as_ref())
        .and_then(|s| s.error.as_ref())
        .expect("error");
    assert_eq!(error.kind(), kind, "{error:?}");
    error
}

/// The objects a transaction's effects report as created.
pub fn created(tx: &proto::ExecutedTransaction) -> Vec<&proto::ChangedObject> {
    tx.effects
        .as_ref()
        .expect("effects")
        .changed_objects
        .iter()
        .filter(|c| c.id_operation() == proto::changed_object::IdOperation::Created)
        .collect()
}
