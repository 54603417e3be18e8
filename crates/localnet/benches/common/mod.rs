//! What the gRPC benchmarks share: starting a chain, building and executing transactions, and
//! following object references through effects.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use haulout_localnet::Localnet;
use haulout_localnet::LocalnetArgs;
use haulout_localnet::NativeRegistry;
use haulout_localnet::walrus::WalrusArgs;
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

/// Gas budget of the measured transactions.
pub const BUDGET: u64 = 10_000_000;

/// A chain started for a benchmark, with the key of its first account.
pub struct Bench {
    pub dir: tempfile::TempDir,
    pub localnet: Localnet,
    pub task: JoinHandle<anyhow::Result<()>>,
    pub shutdown: CancellationToken,
    pub key: Ed25519PrivateKey,
    pub sender: Address,
    pub url: String,
}

impl Bench {
    /// Starts a chain on 127.0.0.1:0 in a temp dir with two funded accounts.
    pub async fn start(walrus: WalrusArgs, registry: NativeRegistry) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let shutdown = CancellationToken::new();
        let args = LocalnetArgs {
            data: dir.path().to_path_buf(),
            fresh: true,
            listen: "127.0.0.1:0".parse().expect("addr"),
            accounts: 2,
            sui_epoch_duration: haulout_localnet::DEFAULT_SUI_EPOCH_DURATION,
            list_scan_budget: haulout_localnet::DEFAULT_LIST_SCAN_BUDGET,
            seal: haulout_localnet::seal::SealArgs {
                key_servers: 0,
                ..Default::default()
            },
            walrus,
        };
        let (localnet, task) = Localnet::start(&args, registry, shutdown.clone())
            .await
            .expect("start");
        let keystore: Vec<String> = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("keystore")).expect("keystore"),
        )
        .expect("json");
        let key = Ed25519PrivateKey::from_base64(&keystore[0]).expect("key");
        let sender = key.public_key().derive_address();
        let url = localnet.info.rpc_url.clone();
        Self {
            dir,
            localnet,
            task,
            shutdown,
            key,
            sender,
            url,
        }
    }

    /// A new client of the chain (its own HTTP/2 connection).
    pub fn client(&self) -> Client {
        Client::new(self.url.clone()).expect("client")
    }

    /// Stops the chain and waits for its last checkpoint.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.expect("join").expect("localnet");
    }

    /// The sender's objects of `object_type` (all objects if `None`).
    pub async fn owned(&self, object_type: Option<&str>) -> Vec<ObjectReference> {
        let mut request = proto::ListOwnedObjectsRequest::default();
        request.owner = Some(self.sender.to_string());
        request.object_type = object_type.map(str::to_owned);
        request.read_mask = Some(prost_types::FieldMask::from_str("object_id,version,digest"));
        self.client()
            .state_client()
            .list_owned_objects(request)
            .await
            .expect("owned objects")
            .into_inner()
            .objects
            .iter()
            .map(|o| {
                ObjectReference::new(
                    o.object_id().parse().expect("id"),
                    o.version(),
                    o.digest().parse().expect("digest"),
                )
            })
            .collect()
    }

    /// Splits `workers` gas coins off the sender's genesis SUI coins, one genesis coin per
    /// round of at most 200; returns the new coins and the genesis coins left untouched.
    pub async fn split_gas(&self, workers: usize) -> (Vec<ObjectReference>, Vec<ObjectReference>) {
        let mut genesis = self.owned(Some("0x2::coin::Coin<0x2::sui::SUI>")).await;
        let per_round = workers.clamp(1, 200);
        let amount = 9_000_000_000_000 / per_round as u64;
        let mut client = self.client();
        let mut coins = Vec::new();
        while coins.len() < workers {
            let gas = genesis.pop().expect("enough genesis coins for the workers");
            let n = (workers - coins.len()).min(per_round);
            let tx = transfer(
                self.sender,
                gas,
                &vec![amount; n],
                self.sender,
                haulout_localnet::MAX_GAS_BUDGET,
            );
            let done = execute(&mut client, &self.key, &tx).await;
            assert_success(&done, "splitting gas coins");
            coins.extend(created(&done));
        }
        (coins, genesis)
    }
}

/// Splits `amounts` off the gas coin and sends them all to `recipient`.
pub fn transfer(
    sender: Address,
    gas: ObjectReference,
    amounts: &[u64],
    recipient: Address,
    budget: u64,
) -> Transaction {
    let mut inputs: Vec<Input> = amounts
        .iter()
        .map(|a| Input::Pure(a.to_le_bytes().to_vec()))
        .collect();
    inputs.push(Input::Pure(recipient.as_bytes().to_vec()));
    let n = u16::try_from(amounts.len()).expect("few amounts");
    let ptb = ProgrammableTransaction {
        inputs,
        commands: vec![
            Command::SplitCoins(sui_sdk_types::SplitCoins {
                coin: Argument::Gas,
                amounts: (0..n).map(Argument::Input).collect(),
            }),
            Command::TransferObjects(sui_sdk_types::TransferObjects {
                objects: (0..n).map(|i| Argument::NestedResult(0, i)).collect(),
                address: Argument::Input(n),
            }),
        ],
    };
    transaction(sender, gas, budget, ptb)
}

/// A PTB transaction paying gas with one coin at the reference price.
pub fn transaction(
    sender: Address,
    gas: ObjectReference,
    budget: u64,
    ptb: ProgrammableTransaction,
) -> Transaction {
    Transaction {
        kind: TransactionKind::ProgrammableTransaction(ptb),
        sender,
        gas_payment: GasPayment {
            objects: vec![gas],
            owner: sender,
            price: haulout_localnet::REFERENCE_GAS_PRICE,
            budget,
        },
        expiration: TransactionExpiration::None,
    }
}

/// Signs and executes `tx`, returning digest, status, changed objects and the gas object.
pub async fn execute(
    client: &mut Client,
    key: &Ed25519PrivateKey,
    tx: &Transaction,
) -> proto::ExecutedTransaction {
    let signature = key.sign_transaction(tx).expect("sign");
    let mut request = proto::ExecuteTransactionRequest::default();
    request.transaction = Some(tx.clone().into());
    request.signatures = vec![signature.into()];
    request.read_mask = Some(prost_types::FieldMask::from_str(
        "digest,effects.status,effects.changed_objects,effects.gas_object",
    ));
    client
        .execution_client()
        .execute_transaction(request)
        .await
        .expect("execute")
        .into_inner()
        .transaction
        .expect("transaction")
}

/// Panics with the effects' status unless `tx` succeeded.
pub fn assert_success(tx: &proto::ExecutedTransaction, what: &str) {
    let status = tx.effects.as_ref().and_then(|e| e.status.as_ref());
    assert_eq!(
        status.and_then(|s| s.success),
        Some(true),
        "{what} failed: {status:?}"
    );
}

/// The objects `tx` created.
pub fn created(tx: &proto::ExecutedTransaction) -> Vec<ObjectReference> {
    tx.effects
        .as_ref()
        .expect("effects")
        .changed_objects
        .iter()
        .filter(|c| c.id_operation() == proto::changed_object::IdOperation::Created)
        .map(|c| {
            ObjectReference::new(
                c.object_id().parse().expect("id"),
                c.output_version(),
                c.output_digest().parse().expect("digest"),
            )
        })
        .collect()
}

/// The new reference of the gas coin.
pub fn gas_ref(tx: &proto::ExecutedTransaction) -> ObjectReference {
    let gas = tx
        .effects
        .as_ref()
        .and_then(|e| e.gas_object.as_ref())
        .expect("gas object");
    ObjectReference::new(
        gas.object_id().parse().expect("id"),
        gas.output_version(),
        gas.output_digest().parse().expect("digest"),
    )
}

/// The new reference of object `id` after `tx`.
pub fn new_ref(tx: &proto::ExecutedTransaction, id: Address) -> ObjectReference {
    let id_text = id.to_string();
    let c = tx
        .effects
        .as_ref()
        .expect("effects")
        .changed_objects
        .iter()
        .find(|c| c.object_id() == id_text)
        .expect("object changed");
    ObjectReference::new(
        id,
        c.output_version(),
        c.output_digest().parse().expect("digest"),
    )
}

/// The `p` quantile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Parses `[seconds] [workers]` from the command line (cargo's own `--bench` flag is skipped).
pub fn args(default_seconds: u64, default_workers: usize) -> (u64, usize) {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let seconds = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seconds);
    let workers = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_workers);
    (seconds, workers)
}

/// Runs `workers` loops, each from its own state, until `duration` has passed; returns the
/// number of iterations and the elapsed time. `step` does one iteration and returns the
/// worker's next state.
pub async fn run_workers<S, F, Fut>(
    states: Vec<S>,
    duration: Duration,
    clients: &[Client],
    step: F,
) -> (u64, Duration)
where
    S: Send + 'static,
    F: Fn(Client, S) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = S> + Send,
{
    let start = std::time::Instant::now();
    let deadline = start + duration;
    let mut handles = Vec::new();
    for (i, state) in states.into_iter().enumerate() {
        let client = clients[i % clients.len()].clone();
        let step = step.clone();
        handles.push(tokio::spawn(async move {
            let mut state = state;
            let mut done = 0u64;
            while std::time::Instant::now() < deadline {
                state = step(client.clone(), state).await;
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.expect("worker");
    }
    (total, start.elapsed())
}
