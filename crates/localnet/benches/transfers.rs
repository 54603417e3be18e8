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

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use common::BUDGET;
use common::Bench;
use futures::StreamExt as _;
use haulout_localnet::NativeRegistry;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;

#[tokio::main]
async fn main() {
    let (seconds, workers) = common::args(10, 64);
    let walrus = haulout_localnet::walrus::WalrusArgs {
        nodes: 0,
        ..Default::default()
    };
    let bench = Bench::start(walrus, NativeRegistry::with_sui_framework()).await;
    let recipient: Address = bench.localnet.info.accounts[1]
        .address
        .parse()
        .expect("address");
    let (coins, _) = bench.split_gas(workers).await;

    // Checkpoint arrival times, by transaction digest.
    let executed_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let checkpoints = Arc::new(Mutex::new(0u64));
    let watcher = {
        let executed_at = executed_at.clone();
        let latencies = latencies.clone();
        let checkpoints = checkpoints.clone();
        let client = bench.client();
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

    let shared: Vec<Client> = (0..4).map(|_| bench.client()).collect();
    // Baseline, measured in the same run: the same workers on the same connections making the
    // lightest unary call there is (GetServiceInfo) — the transport floor no transfer can beat.
    let (floor_calls, floor_elapsed) = common::run_workers(
        vec![(); workers],
        Duration::from_secs((seconds / 3).max(1)),
        &shared,
        |mut client: Client, ()| async move {
            client
                .ledger_client()
                .get_service_info(proto::GetServiceInfoRequest::default())
                .await
                .expect("service info");
        },
    )
    .await;
    let floor_rate = floor_calls as f64 / floor_elapsed.as_secs_f64();

    let sender = bench.sender;
    let key = bench.key.clone();
    let recorder = executed_at.clone();
    let (total, elapsed) = common::run_workers(
        coins,
        Duration::from_secs(seconds),
        &shared,
        move |mut client: Client, gas| {
            let key = key.clone();
            let executed_at = recorder.clone();
            async move {
                let tx = common::transfer(sender, gas, &[1], recipient, BUDGET);
                let result = common::execute(&mut client, &key, &tx).await;
                executed_at
                    .lock()
                    .expect("lock")
                    .insert(result.digest().to_owned(), Instant::now());
                common::gas_ref(&result)
            }
        },
    )
    .await;
    // Let the last checkpoints arrive.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    watcher.abort();
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    let checkpoints = *checkpoints.lock().expect("lock");
    let rate = total as f64 / elapsed.as_secs_f64();
    println!("workers                 {workers}");
    println!("duration                {:.1} s", elapsed.as_secs_f64());
    println!("transfers               {total}");
    println!("transfers/s             {rate:.0}");
    println!("baseline GetServiceInfo/s {floor_rate:.0} (same workers and connections)");
    println!("transfers / baseline    {:.2}", rate / floor_rate);
    println!("checkpoints seen        {checkpoints}");
    println!(
        "checkpoint latency p50  {:.0} ms",
        common::percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "checkpoint latency p99  {:.0} ms",
        common::percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!("latency samples         {}", latencies.len());
    bench.stop().await;
}
