//! Sustained coin transfers per second through the gRPC API, and checkpoint latency.
//!
//! `cargo bench -p haulout-localnet --bench transfers -- [seconds] [workers]`
//!
//! Before the transfers, the same workers call `GetServiceInfo` for a third of the time: that
//! transport floor is the baseline the transfer rate is reported against.
//!
//! A chain is started in a temp dir on 127.0.0.1:0. One account splits a genesis coin into
//! `workers` gas coins; each worker then loops: build a transfer (split 1 MIST off its gas coin
//! and send it to the other account), sign it, `ExecuteTransaction`, take the gas coin's new
//! reference from the effects. A subscription records when each transaction's checkpoint
//! arrives: checkpoint latency is that time minus the time `ExecuteTransaction` returned.
//! Client and server share the machine, as they do in `haulout up`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use futures::StreamExt as _;
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
use tokio_util::sync::CancellationToken;

const BUDGET: u64 = 10_000_000;

fn transfer(
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
    Transaction {
        kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
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
        }),
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

async fn execute(
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

fn gas_ref(tx: &proto::ExecutedTransaction) -> ObjectReference {
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let workers: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(64);
    let dir = tempfile::tempdir().expect("tempdir");
    let shutdown = CancellationToken::new();
    let localnet_args = LocalnetArgs {
        data: dir.path().to_path_buf(),
        fresh: true,
        listen: "127.0.0.1:0".parse().expect("addr"),
        accounts: 2,
        sui_epoch_duration: haulout_localnet::DEFAULT_SUI_EPOCH_DURATION,
        walrus: haulout_localnet::walrus::WalrusArgs {
            nodes: 0,
            ..Default::default()
        },
    };
    let (localnet, task) = Localnet::start(
        &localnet_args,
        NativeRegistry::with_sui_framework(),
        shutdown.clone(),
    )
    .await
    .expect("start");
    let keystore: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("keystore")).expect("keystore"),
    )
    .expect("json");
    let key = Ed25519PrivateKey::from_base64(&keystore[0]).expect("key");
    let sender = key.public_key().derive_address();
    let recipient: Address = localnet.info.accounts[1].address.parse().expect("address");
    let url = localnet.info.rpc_url.clone();
    let mut client = Client::new(url.clone()).expect("client");

    // Gas coins for the workers, split off genesis coins.
    let mut request = proto::ListOwnedObjectsRequest::default();
    request.owner = Some(sender.to_string());
    request.read_mask = Some(prost_types::FieldMask::from_str("object_id,version,digest"));
    let owned = client
        .state_client()
        .list_owned_objects(request)
        .await
        .expect("coins")
        .into_inner();
    // Each split round uses its own genesis coin (10,000 SUI), up to 200 new coins a round.
    let per_round = workers.min(200);
    let amount = 9_000_000_000_000 / per_round as u64;
    let mut coins = Vec::new();
    for round in 0.. {
        if coins.len() >= workers {
            break;
        }
        let genesis = owned
            .objects
            .get(round)
            .expect("enough genesis coins for the workers");
        let gas = ObjectReference::new(
            genesis.object_id().parse().expect("id"),
            genesis.version(),
            genesis.digest().parse().expect("digest"),
        );
        let n = (workers - coins.len()).min(per_round);
        let tx = transfer(
            sender,
            gas,
            &vec![amount; n],
            sender,
            haulout_localnet::MAX_GAS_BUDGET,
        );
        let done = execute(&mut client, &key, &tx).await;
        let status = done.effects.as_ref().and_then(|e| e.status.as_ref());
        assert_eq!(
            status.and_then(|s| s.success),
            Some(true),
            "splitting gas coins failed: {status:?}"
        );
        for c in &done.effects.as_ref().expect("effects").changed_objects {
            if c.id_operation() == proto::changed_object::IdOperation::Created {
                coins.push(ObjectReference::new(
                    c.object_id().parse().expect("id"),
                    c.output_version(),
                    c.output_digest().parse().expect("digest"),
                ));
            }
        }
    }

    // Checkpoint arrival times, by transaction digest.
    let executed_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let checkpoints = Arc::new(Mutex::new(0u64));
    let watcher = {
        let executed_at = executed_at.clone();
        let latencies = latencies.clone();
        let checkpoints = checkpoints.clone();
        let client = Client::new(url.clone()).expect("client");
        let mut stream = Box::pin(client.stream_checkpoints(
            sui_rpc::client::CheckpointStreamRequest::new().with_read_mask(
                prost_types::FieldMask::from_str("sequence_number,transactions.digest"),
            ),
        ));
        tokio::spawn(async move {
            while let Some(frame) = stream.next().await {
                let Ok(frame) = frame else { break };
                let now = Instant::now();
                *checkpoints.lock().expect("lock") += 1;
                let Some(checkpoint) = frame.checkpoint else {
                    continue;
                };
                let mut executed_at = executed_at.lock().expect("lock");
                let mut latencies = latencies.lock().expect("lock");
                for tx in &checkpoint.transactions {
                    if let Some(t) = executed_at.remove(tx.digest()) {
                        latencies.push(now.saturating_duration_since(t));
                    }
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut handles = Vec::new();
    let clients = 4;
    let shared: Vec<Client> = (0..clients)
        .map(|_| Client::new(url.clone()).expect("client"))
        .collect();
    // Baseline, measured in the same run: the same workers on the same connections making the
    // lightest unary call there is (GetServiceInfo) — the transport floor no transfer can beat.
    let floor_start = Instant::now();
    let floor_deadline = floor_start + Duration::from_secs((seconds / 3).max(1));
    let mut floor_handles = Vec::new();
    for i in 0..workers {
        let mut client = shared[i % clients].clone();
        floor_handles.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < floor_deadline {
                client
                    .ledger_client()
                    .get_service_info(proto::GetServiceInfoRequest::default())
                    .await
                    .expect("service info");
                done += 1;
            }
            done
        }));
    }
    let mut floor_calls = 0;
    for h in floor_handles {
        floor_calls += h.await.expect("worker");
    }
    let floor_rate = floor_calls as f64 / floor_start.elapsed().as_secs_f64();

    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    for (i, coin) in coins.into_iter().enumerate() {
        let key = key.clone();
        let mut client = shared[i % clients].clone();
        let executed_at = executed_at.clone();
        handles.push(tokio::spawn(async move {
            let mut gas = coin;
            let mut done = 0u64;
            while Instant::now() < deadline {
                let tx = transfer(sender, gas, &[1], recipient, BUDGET);
                let result = execute(&mut client, &key, &tx).await;
                executed_at
                    .lock()
                    .expect("lock")
                    .insert(result.digest().to_owned(), Instant::now());
                gas = gas_ref(&result);
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.expect("worker");
    }
    let elapsed = start.elapsed();
    // Let the last checkpoints arrive.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    watcher.abort();
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    let checkpoints = *checkpoints.lock().expect("lock");
    println!("workers                 {workers}");
    println!("duration                {:.1} s", elapsed.as_secs_f64());
    println!("transfers               {total}");
    println!(
        "transfers/s             {:.0}",
        total as f64 / elapsed.as_secs_f64()
    );
    println!("baseline GetServiceInfo/s {floor_rate:.0} (same workers and connections)");
    println!(
        "transfers / baseline    {:.2}",
        total as f64 / elapsed.as_secs_f64() / floor_rate
    );
    println!("checkpoints seen        {checkpoints}");
    println!(
        "checkpoint latency p50  {:.0} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "checkpoint latency p99  {:.0} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!("latency samples         {}", latencies.len());
    shutdown.cancel();
    task.await.expect("join").expect("localnet");
}
