//! Sustained `reserve_space` + `register_blob` PTBs per second on the local chain.
//!
//! Each transaction is the SDK's register PTB minus the coin handling: `reserve_space`,
//! `register_blob` and a `TransferObjects` of the new `Blob`, signed by one account and
//! executed in-process through `Node::execute` (signature check, input loading, natives,
//! effects), with a checkpoint sealed (and written to the ledger) every 100 ms of wall time,
//! as the running chain does.
//!
//! ```sh
//! cargo run --release -p haulout-localnet --example walrus_register_bench -- 5000
//! ```
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use std::time::Instant;

use haulout_localnet::TypeFilter;
use haulout_localnet::walrus;
use haulout_localnet::walrus::WalrusArgs;
use haulout_types::BlobIdDerivation;
use haulout_types::MoveType;
use haulout_types::U256;
use haulout_types::Wal;
use sui_crypto::SuiSigner as _;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::GasPayment;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;

fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

fn pure<T: serde::Serialize>(v: &T) -> Input {
    Input::Pure(bcs::to_bytes(v).unwrap())
}

fn call(function: &str, arguments: Vec<Argument>) -> Command {
    Command::MoveCall(MoveCall {
        package: walrus::walrus_package(),
        module: Identifier::new("system").unwrap(),
        function: Identifier::new(function).unwrap(),
        type_arguments: vec![],
        arguments,
    })
}

fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(5_000);
    let dir = tempfile::tempdir()?;
    let args = WalrusArgs {
        nodes: 10,
        n_shards: 100,
        ..Default::default()
    };
    let (node, keys, genesis) = walrus::open(dir.path(), 1, walrus::registry(), &args)?;
    let key = keys.unwrap().keys.remove(0);
    let genesis = genesis.unwrap();
    let sender = key.public_key().derive_address();
    let system = genesis.info.system_object_id.parse()?;
    let wal_type = StructTag::coin(Wal::type_tag(&walrus::packages()));
    let wal_id = node
        .owned_objects(sender, Some(&TypeFilter::Exact(wal_type)), None, 10)
        .0[0]
        .object_id();
    let gas_id = node
        .owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0[0]
        .object_id();
    let size = 1_000u64;
    let encoded: u64 = 100 * ((67 + 34) * 2 + 100 * 64 + 32); // encoded length of 1000 B, n = 100
    let start = Instant::now();
    let mut last_seal = Instant::now();
    let mut sealed = 0;
    for i in 0..n {
        let mut root = [0u8; 32];
        root[..8].copy_from_slice(&i.to_le_bytes());
        let root_hash = U256::from_le_bytes(root);
        let blob_id: U256 = BlobIdDerivation {
            encoding_type: 1,
            size,
            root_hash,
        }
        .blob_id()
        .into();
        let wal = reference(&node.object(&wal_id).unwrap());
        let gas = reference(&node.object(&gas_id).unwrap());
        let tx = Transaction {
            kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
                inputs: vec![
                    Input::Shared(SharedInput::new(system, 1, true)),
                    pure(&encoded),
                    pure(&2u32),
                    Input::ImmutableOrOwned(wal),
                    pure(&blob_id),
                    pure(&root_hash),
                    pure(&size),
                    pure(&1u8),
                    pure(&true),
                    pure(&sender),
                ],
                commands: vec![
                    call(
                        "reserve_space",
                        vec![
                            Argument::Input(0),
                            Argument::Input(1),
                            Argument::Input(2),
                            Argument::Input(3),
                        ],
                    ),
                    call(
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
            }),
            sender,
            gas_payment: GasPayment {
                objects: vec![gas],
                owner: sender,
                price: haulout_localnet::REFERENCE_GAS_PRICE,
                budget: 50_000_000,
            },
            expiration: TransactionExpiration::None,
        };
        let signature = key.sign_transaction(&tx)?;
        let done = node.execute(tx, vec![signature])?;
        let sui_sdk_types::TransactionEffects::V2(effects) = &done.effects else {
            anyhow::bail!("unexpected effects version");
        };
        anyhow::ensure!(
            effects.status == sui_sdk_types::ExecutionStatus::Success,
            "transaction {i} failed: {:?}",
            effects.status
        );
        if last_seal.elapsed() >= Duration::from_millis(100) {
            node.seal_checkpoint(now_ms())?;
            sealed += 1;
            last_seal = Instant::now();
        }
    }
    node.seal_checkpoint(now_ms())?;
    let elapsed = start.elapsed();
    println!(
        "{n} reserve_space+register_blob PTBs in {:.2} s: {:.0} tx/s ({} checkpoints)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        sealed + 1
    );
    Ok(())
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
