//! Sustained `reserve_space` + `register_blob` PTBs per second through the gRPC API.
//!
//! `cargo bench -p haulout-localnet --bench register -- [seconds] [workers]`
//!
//! A Walrus chain (10 nodes, 100 shards) is started in a temp dir on 127.0.0.1:0. One account
//! splits its genesis SUI and WAL into one gas coin and one WAL coin per worker. Baseline,
//! measured in the same run for a third of the time: the same workers send plain coin
//! transfers. Then each worker loops over the register PTB of the SDK minus its coin handling —
//! `system::reserve_space(system, encoded_size, 2 epochs, wal)`, `system::register_blob(system,
//! storage, blob_id, root_hash, 1000, RS2, deletable, wal)`, `TransferObjects` of the new `Blob`
//! — signed with Ed25519 and sent with `ExecuteTransaction`; the WAL and gas coins' new
//! references come from the effects. Every PTB mutates the shared `System` object, as on Walrus.

mod common;

use std::time::Duration;

use common::Bench;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::BlobIdDerivation;
use haulout_types::U256;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::Client;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;

/// Unencoded size of every registered blob.
const SIZE: u64 = 1_000;
/// Encoded length of a 1,000-byte blob with 100 shards: 100 sliver pairs of 2 × (67 + 34)
/// symbols of 1 byte plus the metadata (100 × 64 bytes of hashes + 32).
const ENCODED: u64 = 100 * ((67 + 34) * 2 + 100 * 64 + 32);

fn pure<T: serde::Serialize>(v: &T) -> Input {
    Input::Pure(bcs::to_bytes(v).expect("BCS of a plain value"))
}

/// What one worker needs to build its next PTB.
#[derive(Clone)]
struct Worker {
    index: u64,
    sent: u64,
    gas: ObjectReference,
    wal: ObjectReference,
}

/// The fixed parts of the register PTB.
#[derive(Clone)]
struct Register {
    key: Ed25519PrivateKey,
    sender: Address,
    walrus_package: Address,
    system: SharedInput,
}

impl Register {
    fn call(&self, function: &'static str, arguments: Vec<Argument>) -> Command {
        Command::MoveCall(MoveCall {
            package: self.walrus_package,
            module: Identifier::from_static("system"),
            function: Identifier::from_static(function),
            type_arguments: vec![],
            arguments,
        })
    }

    async fn step(&self, mut client: Client, mut w: Worker) -> Worker {
        let mut root = [0u8; 32];
        root[..8].copy_from_slice(&w.index.to_le_bytes());
        root[8..16].copy_from_slice(&w.sent.to_le_bytes());
        let root_hash = U256::from_le_bytes(root);
        let blob_id: U256 = BlobIdDerivation {
            encoding_type: 1,
            size: SIZE,
            root_hash,
        }
        .blob_id()
        .into();
        let ptb = ProgrammableTransaction {
            inputs: vec![
                Input::Shared(self.system.clone()),
                pure(&ENCODED),
                pure(&2u32),
                Input::ImmutableOrOwned(w.wal.clone()),
                pure(&blob_id),
                pure(&root_hash),
                pure(&SIZE),
                pure(&1u8),
                pure(&true),
                pure(&self.sender),
            ],
            commands: vec![
                self.call("reserve_space", (0..4).map(Argument::Input).collect()),
                self.call(
                    "register_blob",
                    vec![
                        Argument::Input(0),
                        Argument::Result(0),
                        Argument::Input(4),
                        Argument::Input(5),
                        Argument::Input(6),
                        Argument::Input(7),
                        Argument::Input(8),
                        Argument::Input(3),
                    ],
                ),
                Command::TransferObjects(sui_sdk_types::TransferObjects {
                    objects: vec![Argument::Result(1)],
                    address: Argument::Input(9),
                }),
            ],
        };
        let tx = common::transaction(self.sender, w.gas, 50_000_000, ptb);
        let done = common::execute(&mut client, &self.key, &tx).await;
        common::assert_success(&done, "reserve_space + register_blob");
        w.gas = common::gas_ref(&done);
        w.wal = common::new_ref(&done, *w.wal.object_id());
        w.sent += 1;
        w
    }
}

#[tokio::main]
async fn main() {
    let (seconds, workers) = common::args(10, 32);
    let walrus = WalrusArgs {
        nodes: 10,
        n_shards: 100,
        ..Default::default()
    };
    let bench = Bench::start(walrus, haulout_localnet::walrus::registry()).await;
    let genesis = bench.localnet.info.walrus.clone().expect("walrus genesis");
    let recipient: Address = bench.localnet.info.accounts[1]
        .address
        .parse()
        .expect("address");
    let (gas_coins, mut spare) = bench.split_gas(workers).await;

    // One WAL coin per worker, split off the account's genesis WAL.
    let wal_type = format!("0x2::coin::Coin<{}::wal::WAL>", genesis.wal_package_id);
    let wal = bench.owned(Some(&wal_type)).await;
    let wal = wal.first().cloned().expect("the account holds WAL");
    let mut client = bench.client();
    let mut request = proto::GetObjectRequest::default();
    request.object_id = Some(wal.object_id().to_string());
    request.read_mask = Some(prost_types::FieldMask::from_str("balance"));
    let balance = client
        .ledger_client()
        .get_object(request)
        .await
        .expect("WAL coin")
        .into_inner()
        .object
        .expect("object")
        .balance();
    let share = balance / (workers as u64 + 1);
    let n = u16::try_from(workers).expect("at most 65535 workers");
    let mut inputs = vec![Input::ImmutableOrOwned(wal)];
    inputs.extend((0..workers).map(|_| pure(&share)));
    inputs.push(pure(&bench.sender));
    let split = ProgrammableTransaction {
        inputs,
        commands: vec![
            Command::SplitCoins(sui_sdk_types::SplitCoins {
                coin: Argument::Input(0),
                amounts: (1..=n).map(Argument::Input).collect(),
            }),
            Command::TransferObjects(sui_sdk_types::TransferObjects {
                objects: (0..n).map(|i| Argument::NestedResult(0, i)).collect(),
                address: Argument::Input(n + 1),
            }),
        ],
    };
    let gas = spare.pop().expect("a spare genesis coin");
    let tx = common::transaction(bench.sender, gas, haulout_localnet::MAX_GAS_BUDGET, split);
    let done = common::execute(&mut client, &bench.key, &tx).await;
    common::assert_success(&done, "splitting WAL");
    let wal_coins = common::created(&done);

    let mut request = proto::GetObjectRequest::default();
    request.object_id = Some(genesis.system_object_id.clone());
    request.read_mask = Some(prost_types::FieldMask::from_str("owner"));
    let owner = client
        .ledger_client()
        .get_object(request)
        .await
        .expect("system object")
        .into_inner()
        .object
        .expect("object")
        .owner
        .expect("owner");
    let register = Register {
        key: bench.key.clone(),
        sender: bench.sender,
        walrus_package: genesis.walrus_package_id.parse().expect("package"),
        system: SharedInput::new(
            genesis.system_object_id.parse().expect("system"),
            owner.version(),
            true,
        ),
    };

    let shared: Vec<Client> = (0..4).map(|_| bench.client()).collect();
    // Baseline, in the same run: the same workers sending 1-MIST coin transfers.
    let (transfers, transfer_elapsed) = {
        let key = bench.key.clone();
        let sender = bench.sender;
        common::run_workers(
            gas_coins.clone(),
            Duration::from_secs((seconds / 3).max(1)),
            &shared,
            move |mut client: Client, gas| {
                let key = key.clone();
                async move {
                    let tx = common::transfer(sender, gas, &[1], recipient, common::BUDGET);
                    common::gas_ref(&common::execute(&mut client, &key, &tx).await)
                }
            },
        )
        .await
    };
    let transfer_rate = transfers as f64 / transfer_elapsed.as_secs_f64();

    // The baseline moved the gas coins on: read their current references.
    let gas_now = {
        let mut request = proto::BatchGetObjectsRequest::default();
        request.requests = gas_coins
            .iter()
            .map(|g| {
                let mut r = proto::GetObjectRequest::default();
                r.object_id = Some(g.object_id().to_string());
                r
            })
            .collect();
        request.read_mask = Some(prost_types::FieldMask::from_str("object_id,version,digest"));
        client
            .ledger_client()
            .batch_get_objects(request)
            .await
            .expect("gas coins")
            .into_inner()
            .objects
            .iter()
            .map(|o| {
                let o = o.object();
                ObjectReference::new(
                    o.object_id().parse().expect("id"),
                    o.version(),
                    o.digest().parse().expect("digest"),
                )
            })
            .collect::<Vec<_>>()
    };
    let states: Vec<Worker> = gas_now
        .into_iter()
        .zip(wal_coins)
        .enumerate()
        .map(|(i, (gas, wal))| Worker {
            index: i as u64,
            sent: 0,
            gas,
            wal,
        })
        .collect();
    let (total, elapsed) = common::run_workers(
        states,
        Duration::from_secs(seconds),
        &shared,
        move |client: Client, w: Worker| {
            let register = register.clone();
            async move { register.step(client, w).await }
        },
    )
    .await;
    let rate = total as f64 / elapsed.as_secs_f64();
    println!("workers                       {workers}");
    println!(
        "duration                      {:.1} s",
        elapsed.as_secs_f64()
    );
    println!("reserve_space+register_blob   {total}");
    println!("registrations/s               {rate:.0}");
    println!("baseline transfers/s          {transfer_rate:.0} (same workers and connections)");
    println!("registrations / transfers     {:.2}", rate / transfer_rate);
    bench.stop().await;
}
