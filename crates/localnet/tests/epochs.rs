//! Sui epochs on the local chain, with time driven explicitly through
//! `Node::seal_checkpoint(timestamp_ms)`: the epoch's last checkpoint ends with the
//! `ChangeEpoch` system transaction and carries `end_of_epoch_data`; the next one is in the next
//! epoch with the gas summary reset; expirations, committees, `GetEpoch`, the checkpoint stream
//! and restarts follow the epoch.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use haulout_localnet::CheckpointRecord;
use haulout_localnet::EpochRecord;
use haulout_localnet::ExecutedTx;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::PROTOCOL_VERSION;
use haulout_localnet::REFERENCE_GAS_PRICE;
use haulout_localnet::TxError;
use haulout_localnet::TypeFilter;
use sui_crypto::SuiSigner as _;
use sui_crypto::bls12381::ValidatorCommitteeSignatureVerifier;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::ChangeEpoch;
use sui_sdk_types::EndOfEpochData;
use sui_sdk_types::EndOfEpochTransactionKind;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::GasCostSummary;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::StructTag;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEffectsV2;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use support::BUDGET;
use support::transaction;
use support::transfer_ptb;
use tokio_util::sync::CancellationToken;

/// The epoch duration of these tests: 10 s of chain time.
const EPOCH_MS: u64 = 10_000;

struct Fixture {
    _dir: tempfile::TempDir,
    node: Arc<Node>,
    keys: Vec<Ed25519PrivateKey>,
    /// Genesis: the start of epoch 0.
    t0: u64,
}

fn open(dir: &std::path::Path) -> (Arc<Node>, Option<Vec<Ed25519PrivateKey>>) {
    let (node, genesis) = Node::open(dir, 2, NativeRegistry::with_sui_framework()).expect("open");
    node.set_sui_epoch_duration(Duration::from_millis(EPOCH_MS));
    (node, genesis.map(|g| g.keys))
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, keys) = open(dir.path());
    let t0 = node.epoch_start_ms();
    Fixture {
        _dir: dir,
        node,
        keys: keys.expect("genesis ran"),
        t0,
    }
}

fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

fn effects(tx: &ExecutedTx) -> &TransactionEffectsV2 {
    let TransactionEffects::V2(e) = &tx.effects else {
        panic!("effects v2")
    };
    e
}

fn balance(o: &Object) -> u64 {
    let sui_sdk_types::ObjectData::Struct(s) = o.data() else {
        return 0;
    };
    u64::from_le_bytes(s.contents()[32..40].try_into().expect("coin"))
}

/// The owner's largest SUI coin (the 1 MIST coins the tests send are no gas).
fn gas_coin(node: &Node, owner: Address) -> Object {
    node.owned_objects(
        owner,
        Some(&TypeFilter::Exact(StructTag::gas_coin())),
        None,
        usize::MAX,
    )
    .0
    .into_iter()
    .max_by_key(balance)
    .expect("a gas coin")
}

/// Sends 1 MIST from account `from` to account `to` with the given expiration.
fn send(
    f: &Fixture,
    from: usize,
    to: usize,
    expiration: TransactionExpiration,
) -> Result<Arc<ExecutedTx>, TxError> {
    let sender = f.keys[from].public_key().derive_address();
    let recipient = f.keys[to].public_key().derive_address();
    let gas = gas_coin(&f.node, sender);
    let mut tx = transaction(
        sender,
        vec![reference(&gas)],
        BUDGET,
        transfer_ptb(1, recipient),
    );
    tx.expiration = expiration;
    let signature = f.keys[from].sign_transaction(&tx).expect("sign");
    f.node.execute(tx, vec![signature])
}

fn sum(a: &GasCostSummary, b: &GasCostSummary) -> GasCostSummary {
    GasCostSummary {
        computation_cost: a.computation_cost + b.computation_cost,
        storage_cost: a.storage_cost + b.storage_cost,
        storage_rebate: a.storage_rebate + b.storage_rebate,
        non_refundable_storage_fee: a.non_refundable_storage_fee + b.non_refundable_storage_fee,
    }
}

fn verify(node: &Node, record: &CheckpointRecord) {
    ValidatorCommitteeSignatureVerifier::new(node.committee_of(record.summary.epoch))
        .expect("verifier")
        .verify_checkpoint_summary(&record.summary, &record.signature)
        .expect("certified by the epoch's committee");
}

/// The `ChangeEpoch` of an end-of-epoch transaction.
fn change_epoch_of(tx: &ExecutedTx) -> &ChangeEpoch {
    let TransactionKind::EndOfEpoch(kinds) = &tx.transaction.kind else {
        panic!("not an end-of-epoch transaction: {:?}", tx.transaction.kind)
    };
    assert_eq!(kinds.len(), 1);
    let EndOfEpochTransactionKind::ChangeEpoch(change) = &kinds[0] else {
        panic!("not ChangeEpoch: {:?}", kinds[0])
    };
    change
}

#[test]
fn the_last_checkpoint_of_an_epoch_changes_the_epoch() {
    let f = fixture();
    let node = &f.node;
    let genesis = node.latest_checkpoint();
    assert_eq!(node.epoch(), 0);
    assert_eq!(genesis.summary.timestamp_ms, f.t0);
    assert_eq!(node.epoch_end_due_ms(), f.t0 + EPOCH_MS);

    // A checkpoint inside epoch 0.
    let a = send(&f, 0, 1, TransactionExpiration::None).expect("a");
    assert_eq!(effects(&a).epoch, 0);
    let first = node.seal_checkpoint(f.t0 + 1_000).expect("seal");
    assert_eq!(first.summary.epoch, 0);
    assert!(first.summary.end_of_epoch_data.is_none());
    assert_eq!(
        first.summary.epoch_rolling_gas_cost_summary,
        *a.effects.gas_summary()
    );

    // Executed in epoch 0, sealed by the checkpoint that ends epoch 0 (at its very deadline).
    let b = send(&f, 1, 0, TransactionExpiration::None).expect("b");
    assert_eq!(effects(&b).epoch, 0);
    let last = node.seal_checkpoint(f.t0 + EPOCH_MS).expect("seal");
    assert_eq!(last.summary.epoch, 0);
    assert_eq!(
        last.summary.sequence_number,
        first.summary.sequence_number + 1
    );
    assert_eq!(last.summary.previous_digest, Some(first.summary.digest()));
    assert_eq!(last.summary.content_digest, last.contents.digest());
    let epoch_gas = sum(a.effects.gas_summary(), b.effects.gas_summary());
    assert_eq!(last.summary.epoch_rolling_gas_cost_summary, epoch_gas);
    let validator = node.committee().members[0].public_key;
    assert_eq!(
        last.summary.end_of_epoch_data,
        Some(EndOfEpochData {
            next_epoch_committee: node.committee_of(1).members,
            next_epoch_protocol_version: PROTOCOL_VERSION,
            epoch_commitments: vec![],
        })
    );
    assert_eq!(node.committee_of(1).members[0].public_key, validator);
    verify(node, &last);

    // Its transactions: b, the Clock update, then ChangeEpoch last.
    let txs = node.checkpoint_transactions(&last);
    let digests: Vec<_> = last
        .contents
        .transactions()
        .iter()
        .map(|t| *t.transaction())
        .collect();
    assert_eq!(txs.len(), 3);
    assert_eq!(txs[0].transaction.digest(), b.transaction.digest());
    let TransactionKind::ConsensusCommitPrologue(prologue) = &txs[1].transaction.kind else {
        panic!("the Clock update")
    };
    assert_eq!(prologue.epoch, 0);
    let change = &txs[2];
    assert_eq!(digests[2], change.transaction.digest());
    assert_eq!(
        *change_epoch_of(change),
        ChangeEpoch {
            epoch: 1,
            protocol_version: PROTOCOL_VERSION,
            storage_charge: epoch_gas.storage_cost,
            computation_charge: epoch_gas.computation_cost,
            storage_rebate: epoch_gas.storage_rebate,
            non_refundable_storage_fee: epoch_gas.non_refundable_storage_fee,
            epoch_start_timestamp_ms: f.t0 + EPOCH_MS,
            system_packages: vec![],
        }
    );
    // A system transaction, as Sui builds one: sender 0x0, the placeholder gas payment, no
    // signature; effects without a gas object or gas, in the ended epoch.
    assert_eq!(change.transaction.sender, Address::ZERO);
    assert_eq!(change.transaction.gas_payment.owner, Address::ZERO);
    assert_eq!(change.transaction.gas_payment.budget, 0);
    assert_eq!(
        change.transaction.gas_payment.objects,
        vec![ObjectReference::new(
            Address::ZERO,
            0,
            sui_sdk_types::Digest::ZERO
        )]
    );
    assert_eq!(change.transaction.expiration, TransactionExpiration::None);
    assert!(change.signatures.is_empty());
    assert!(
        last.contents.transactions()[2]
            .signatures()
            .next()
            .is_none()
    );
    let e = effects(change);
    assert_eq!(e.status, ExecutionStatus::Success);
    assert_eq!(e.epoch, 0);
    assert_eq!(e.gas_object_index, None);
    assert_eq!(e.gas_used, GasCostSummary::default());
    assert_eq!(e.transaction_digest, change.transaction.digest());
    assert_eq!(change.checkpoint, Some(last.summary.sequence_number));
    assert_eq!(change.index_in_checkpoint, Some(2));
    assert_eq!(
        node.transaction(&change.transaction.digest())
            .expect("recorded")
            .checkpoint,
        Some(last.summary.sequence_number)
    );

    // Epoch 1 from now on: same validator and key, the committee's epoch follows.
    assert_eq!(node.epoch(), 1);
    assert_eq!(node.epoch_start_ms(), f.t0 + EPOCH_MS);
    assert_eq!(node.committee().epoch, 1);
    assert_eq!(node.committee().members[0].public_key, validator);
    assert_eq!(node.epoch_end_due_ms(), f.t0 + 2 * EPOCH_MS);

    // The next checkpoint: epoch 1, chained, the gas summary restarted, totals continued.
    let c = send(&f, 0, 1, TransactionExpiration::None).expect("c");
    assert_eq!(effects(&c).epoch, 1);
    let next = node.seal_checkpoint(f.t0 + EPOCH_MS + 1).expect("seal");
    assert_eq!(next.summary.epoch, 1);
    assert!(next.summary.end_of_epoch_data.is_none());
    assert_eq!(next.summary.previous_digest, Some(last.summary.digest()));
    assert_eq!(
        next.summary.epoch_rolling_gas_cost_summary,
        *c.effects.gas_summary()
    );
    assert_eq!(
        next.summary.network_total_transactions,
        last.summary.network_total_transactions + 2
    );
    let txs = node.checkpoint_transactions(&next);
    let TransactionKind::ConsensusCommitPrologue(prologue) = &txs[1].transaction.kind else {
        panic!("the Clock update")
    };
    assert_eq!(prologue.epoch, 1);
    // Signed by epoch 1's committee, which the previous checkpoint announced (the light
    // client's ratchet).
    verify(node, &next);
    let announced = sui_sdk_types::ValidatorCommittee {
        epoch: 1,
        members: last
            .summary
            .end_of_epoch_data
            .clone()
            .expect("end of epoch")
            .next_epoch_committee,
    };
    ValidatorCommitteeSignatureVerifier::new(announced)
        .expect("verifier")
        .verify_checkpoint_summary(&next.summary, &next.signature)
        .expect("certified by the announced committee");

    // The records.
    assert_eq!(
        node.epoch_record(0),
        Some(EpochRecord {
            epoch: 0,
            first_checkpoint: 0,
            last_checkpoint: Some(last.summary.sequence_number),
            start_ms: f.t0,
            end_ms: Some(f.t0 + EPOCH_MS),
            reference_gas_price: REFERENCE_GAS_PRICE,
            protocol_version: PROTOCOL_VERSION,
        })
    );
    assert_eq!(
        node.epoch_record(1),
        Some(EpochRecord {
            epoch: 1,
            first_checkpoint: last.summary.sequence_number + 1,
            last_checkpoint: None,
            start_ms: f.t0 + EPOCH_MS,
            end_ms: None,
            reference_gas_price: REFERENCE_GAS_PRICE,
            protocol_version: PROTOCOL_VERSION,
        })
    );
    assert_eq!(node.epoch_record(2), None);
}

#[test]
fn an_idle_epoch_ends_with_only_the_clock_and_change_epoch() {
    let f = fixture();
    let node = &f.node;
    // One millisecond early: still epoch 0.
    let early = node.seal_checkpoint(f.t0 + EPOCH_MS - 1).expect("seal");
    assert!(early.summary.end_of_epoch_data.is_none());
    // A late checkpoint ends only one epoch, however late (as a Sui reconfiguration).
    let last = node.seal_checkpoint(f.t0 + 5 * EPOCH_MS).expect("seal");
    assert_eq!(last.summary.epoch, 0);
    assert!(last.summary.end_of_epoch_data.is_some());
    let txs = node.checkpoint_transactions(&last);
    assert_eq!(txs.len(), 2);
    assert_eq!(change_epoch_of(&txs[1]).epoch, 1);
    assert_eq!(
        last.summary.epoch_rolling_gas_cost_summary,
        GasCostSummary::default()
    );
    assert_eq!(node.epoch(), 1);
    assert_eq!(node.epoch_start_ms(), f.t0 + 5 * EPOCH_MS);
    // The next epoch lasts a full duration from its own start.
    let next = node.seal_checkpoint(f.t0 + 6 * EPOCH_MS - 1).expect("seal");
    assert!(next.summary.end_of_epoch_data.is_none());
    let end = node.seal_checkpoint(f.t0 + 6 * EPOCH_MS).expect("seal");
    assert_eq!(end.summary.epoch, 1);
    assert_eq!(
        change_epoch_of(node.checkpoint_transactions(&end).last().expect("tx")).epoch,
        2
    );
    assert_eq!(node.epoch(), 2);
}

#[test]
fn epoch_expiration_is_checked_against_the_current_epoch() {
    let f = fixture();
    let node = &f.node;
    let ok = send(&f, 0, 1, TransactionExpiration::Epoch(0)).expect("valid in epoch 0");
    assert_eq!(effects(&ok).status, ExecutionStatus::Success);
    node.seal_checkpoint(f.t0 + EPOCH_MS).expect("seal");
    assert_eq!(node.epoch(), 1);
    let gas_before = gas_coin(node, f.keys[0].public_key().derive_address());
    match send(&f, 0, 1, TransactionExpiration::Epoch(0)) {
        Err(TxError::Expired(message)) => {
            assert!(message.contains("epoch 0"), "{message}");
        }
        other => panic!("expected an expired transaction, got {other:?}"),
    }
    // Rejected before execution: nothing changed.
    assert_eq!(
        gas_coin(node, f.keys[0].public_key().derive_address()),
        gas_before
    );
    assert!(!node.has_pending());
    let ok = send(&f, 0, 1, TransactionExpiration::Epoch(1)).expect("valid in epoch 1");
    assert_eq!(effects(&ok).epoch, 1);
    let later = send(&f, 1, 0, TransactionExpiration::Epoch(7)).expect("valid until epoch 7");
    assert_eq!(effects(&later).status, ExecutionStatus::Success);
}

/// Transactions executed while checkpoints cross epoch boundaries: each is sealed into a
/// checkpoint of the epoch it executed in, before that epoch's `ChangeEpoch`.
#[test]
fn transactions_are_sealed_in_the_epoch_they_executed_in() {
    let f = Arc::new(fixture());
    let rounds = 40;
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let f = f.clone();
            std::thread::spawn(move || {
                (0..rounds)
                    .map(|_| send(&f, i, 1 - i, TransactionExpiration::None).expect("send"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    // At least ten checkpoints (three epoch changes), and more while the workers run.
    let mut step = 0;
    while (step < 10 || workers.iter().any(|w| !w.is_finished())) && step < 1_000 {
        step += 1;
        f.node
            .seal_checkpoint(f.t0 + step * EPOCH_MS / 3)
            .expect("seal");
    }
    let sent: Vec<Arc<ExecutedTx>> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("worker"))
        .collect();
    step += 1;
    f.node
        .seal_checkpoint(f.t0 + step * EPOCH_MS / 3)
        .expect("seal");
    assert!(f.node.epoch() >= 1, "at least one epoch change happened");
    for tx in &sent {
        let tx = f.node.transaction(&tx.transaction.digest()).expect("tx");
        let seq = tx.checkpoint.expect("sealed");
        let record = f.node.checkpoint(seq).expect("checkpoint");
        assert_eq!(effects(&tx).epoch, record.summary.epoch, "checkpoint {seq}");
    }
    let tip = f.node.latest_checkpoint().summary.sequence_number;
    let mut total = 0;
    let mut previous = None;
    for seq in 0..=tip {
        let record = f.node.checkpoint(seq).expect("checkpoint");
        assert_eq!(record.summary.previous_digest, previous);
        previous = Some(record.summary.digest());
        let txs = f.node.checkpoint_transactions(&record);
        total += txs.len() as u64;
        assert_eq!(record.summary.network_total_transactions, total);
        let changes: Vec<usize> = txs
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.transaction.kind, TransactionKind::EndOfEpoch(_)))
            .map(|(i, _)| i)
            .collect();
        if record.summary.end_of_epoch_data.is_some() {
            assert_eq!(changes, vec![txs.len() - 1], "ChangeEpoch is last");
        } else {
            assert!(changes.is_empty());
        }
        for tx in &txs {
            assert_eq!(effects(tx).epoch, record.summary.epoch);
        }
    }
}

#[test]
fn a_restart_keeps_the_epoch_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, keys) = open(dir.path());
    let f = Fixture {
        _dir: tempfile::tempdir().expect("tempdir"),
        node,
        keys: keys.expect("genesis"),
        t0: 0,
    };
    let t0 = f.node.epoch_start_ms();
    send(&f, 0, 1, TransactionExpiration::None).expect("send");
    f.node.seal_checkpoint(t0 + EPOCH_MS).expect("end epoch 0");
    let in_epoch_1 = send(&f, 0, 1, TransactionExpiration::None).expect("send");
    f.node.seal_checkpoint(t0 + EPOCH_MS + 10).expect("seal");
    let records: Vec<EpochRecord> = (0..2)
        .map(|e| f.node.epoch_record(e).expect("record"))
        .collect();
    let tip = f.node.latest_checkpoint();
    let Fixture { node, keys, .. } = f;
    drop(node);

    // Restart in the middle of epoch 1: same history, the rolling gas continues.
    let (node, genesis) = open(dir.path());
    assert!(genesis.is_none());
    assert_eq!(node.epoch(), 1);
    assert_eq!(node.epoch_start_ms(), t0 + EPOCH_MS);
    assert_eq!(node.epoch_record(0).as_ref(), Some(&records[0]));
    assert_eq!(node.epoch_record(1).as_ref(), Some(&records[1]));
    assert_eq!(node.epoch_record(2), None);
    assert_eq!(node.latest_checkpoint().summary, tip.summary);
    let f = Fixture {
        _dir: tempfile::tempdir().expect("tempdir"),
        node,
        keys,
        t0,
    };
    let more = send(&f, 1, 0, TransactionExpiration::None).expect("send");
    let next = f.node.seal_checkpoint(t0 + EPOCH_MS + 20).expect("seal");
    assert_eq!(next.summary.epoch, 1);
    assert_eq!(
        next.summary.epoch_rolling_gas_cost_summary,
        sum(in_epoch_1.effects.gas_summary(), more.effects.gas_summary())
    );

    // Restart right after an epoch's last checkpoint: the next checkpoint is in epoch 2 with
    // the gas summary reset.
    let end = f
        .node
        .seal_checkpoint(t0 + 2 * EPOCH_MS)
        .expect("end epoch 1");
    assert!(end.summary.end_of_epoch_data.is_some());
    let Fixture { node, keys, .. } = f;
    drop(node);
    let (node, _) = open(dir.path());
    assert_eq!(node.epoch(), 2);
    assert_eq!(node.epoch_start_ms(), t0 + 2 * EPOCH_MS);
    assert_eq!(
        node.epoch_record(1).and_then(|r| r.last_checkpoint),
        Some(end.summary.sequence_number)
    );
    let f = Fixture {
        _dir: tempfile::tempdir().expect("tempdir"),
        node,
        keys,
        t0,
    };
    let first = send(&f, 0, 1, TransactionExpiration::None).expect("send");
    assert_eq!(effects(&first).epoch, 2);
    let next = f.node.seal_checkpoint(t0 + 2 * EPOCH_MS + 1).expect("seal");
    assert_eq!(next.summary.epoch, 2);
    assert_eq!(next.summary.previous_digest, Some(end.summary.digest()));
    assert_eq!(
        next.summary.epoch_rolling_gas_cost_summary,
        *first.effects.gas_summary()
    );
    verify(&f.node, &next);
}

/// A data directory written before Sui epochs changed has no epoch records: it opens in epoch
/// 0, from checkpoint 0 and genesis, and keeps working.
#[test]
fn a_ledger_without_epoch_records_opens_in_epoch_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = open(dir.path());
    let t0 = node.epoch_start_ms();
    node.seal_checkpoint(t0 + 1_000).expect("seal");
    let tip = node.latest_checkpoint().summary.sequence_number;
    drop(node);
    {
        let db = redb::Database::open(dir.path().join("ledger.redb")).expect("redb");
        let txn = db.begin_write().expect("write");
        let epochs: redb::TableDefinition<'_, u64, &[u8]> = redb::TableDefinition::new("epochs");
        assert!(
            txn.delete_table(epochs).expect("delete"),
            "the table existed"
        );
        txn.commit().expect("commit");
    }
    let (node, _) = open(dir.path());
    assert_eq!(node.epoch(), 0);
    assert_eq!(
        node.epoch_record(0),
        Some(EpochRecord {
            epoch: 0,
            first_checkpoint: 0,
            last_checkpoint: None,
            start_ms: t0,
            end_ms: None,
            reference_gas_price: REFERENCE_GAS_PRICE,
            protocol_version: PROTOCOL_VERSION,
        })
    );
    assert_eq!(node.latest_checkpoint().summary.sequence_number, tip);
    let last = node.seal_checkpoint(t0 + EPOCH_MS).expect("seal");
    assert!(last.summary.end_of_epoch_data.is_some());
    drop(node);
    let (node, _) = open(dir.path());
    assert_eq!(node.epoch(), 1);
    assert_eq!(
        node.epoch_record(0).and_then(|r| r.last_checkpoint),
        Some(last.summary.sequence_number)
    );
}

/// `ExecuteTransaction` refuses a transaction whose `Epoch(e)` expiration has passed, with the
/// reason, and accepts it for the current epoch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_transaction_is_rejected_over_grpc() {
    let f = fixture();
    let (mut client, shutdown) = serve(&f.node).await;
    f.node
        .seal_checkpoint(f.t0 + EPOCH_MS)
        .expect("end epoch 0");
    let sender = f.keys[0].public_key().derive_address();
    let recipient = f.keys[1].public_key().derive_address();
    let gas = gas_coin(&f.node, sender);
    let request_for = |expiration| {
        let mut tx = transaction(
            sender,
            vec![reference(&gas)],
            BUDGET,
            transfer_ptb(1, recipient),
        );
        tx.expiration = expiration;
        let signature = f.keys[0].sign_transaction(&tx).expect("sign");
        let mut request = proto::ExecuteTransactionRequest::default();
        request.transaction = Some(tx.into());
        request.signatures = vec![signature.into()];
        request.read_mask = Some(prost_types::FieldMask::from_str("effects"));
        request
    };
    let status = client
        .execution_client()
        .execute_transaction(request_for(TransactionExpiration::Epoch(0)))
        .await
        .expect_err("expired");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().contains("expired"), "{}", status.message());
    let executed = client
        .execution_client()
        .execute_transaction(request_for(TransactionExpiration::Epoch(1)))
        .await
        .expect("valid in epoch 1")
        .into_inner()
        .transaction
        .expect("transaction");
    let effects = executed.effects.expect("effects");
    assert_eq!(effects.epoch, Some(1));
    assert_eq!(effects.status.and_then(|s| s.success), Some(true));
    shutdown.cancel();
}

/// Serves `node` on 127.0.0.1:0 (no checkpoint task: the test seals) and connects a client.
async fn serve(node: &Arc<Node>) -> (sui_rpc::Client, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let shutdown = CancellationToken::new();
    tokio::spawn(haulout_localnet::serve(
        node.clone(),
        listener,
        shutdown.clone(),
    ));
    let client = sui_rpc::Client::new(format!("http://{addr}")).expect("client");
    (client, shutdown)
}

fn ms(t: prost_types::Timestamp) -> u64 {
    sui_rpc::proto::proto_to_timestamp_ms(t).expect("timestamp")
}

async fn get_epoch(
    client: &mut sui_rpc::Client,
    epoch: Option<u64>,
    mask: Option<&str>,
) -> Result<proto::Epoch, tonic::Status> {
    let mut request = proto::GetEpochRequest::default();
    request.epoch = epoch;
    request.read_mask = mask.map(prost_types::FieldMask::from_str);
    Ok(client
        .ledger_client()
        .get_epoch(request)
        .await?
        .into_inner()
        .epoch
        .expect("epoch"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_epoch_answers_past_current_and_future_epochs() {
    let f = fixture();
    let (mut client, shutdown) = serve(&f.node).await;
    let last = f
        .node
        .seal_checkpoint(f.t0 + EPOCH_MS)
        .expect("end epoch 0");
    let validator = f.node.committee().members[0].public_key;
    let all = "epoch,committee,first_checkpoint,last_checkpoint,start,end,reference_gas_price,\
               protocol_config";

    // Epoch 0, ended.
    let past = get_epoch(&mut client, Some(0), Some(all))
        .await
        .expect("epoch 0");
    assert_eq!(past.epoch, Some(0));
    assert_eq!(past.first_checkpoint, Some(0));
    assert_eq!(past.last_checkpoint, Some(last.summary.sequence_number));
    assert_eq!(past.start.map(ms), Some(f.t0));
    assert_eq!(past.end.map(ms), Some(f.t0 + EPOCH_MS));
    assert_eq!(past.reference_gas_price, Some(REFERENCE_GAS_PRICE));
    assert_eq!(
        past.protocol_config
            .as_ref()
            .and_then(|c| c.protocol_version),
        Some(PROTOCOL_VERSION)
    );
    let committee: sui_sdk_types::ValidatorCommittee = past
        .committee
        .as_ref()
        .expect("committee")
        .try_into()
        .expect("committee");
    assert_eq!(committee, f.node.committee_of(0));
    assert_eq!(committee.members[0].public_key, validator);
    assert!(past.system_state.is_none(), "not asked for");
    // The system state the TypeScript SDK asks for (`getCurrentSystemState`), rendered from
    // the chain: there is no 0x5 object.
    let with_state = get_epoch(
        &mut client,
        Some(0),
        Some(
            "system_state.epoch,system_state.version,system_state.protocol_version,\
              system_state.reference_gas_price,system_state.epoch_start_timestamp_ms,\
              system_state.safe_mode,system_state.parameters,system_state.validators",
        ),
    )
    .await
    .expect("system state");
    let state = with_state.system_state.expect("system_state");
    assert_eq!(state.epoch, Some(0));
    assert_eq!(state.version, Some(2));
    assert_eq!(state.protocol_version, Some(PROTOCOL_VERSION));
    assert_eq!(state.reference_gas_price, Some(REFERENCE_GAS_PRICE));
    assert_eq!(state.epoch_start_timestamp_ms, Some(f.t0));
    assert_eq!(state.safe_mode, Some(false));
    assert_eq!(
        state.parameters.and_then(|p| p.epoch_duration_ms),
        Some(EPOCH_MS)
    );
    let validators = state.validators.expect("validators");
    assert_eq!(validators.active_validators.len(), 1);
    assert_eq!(
        validators.active_validators[0]
            .protocol_public_key
            .as_deref(),
        Some(validator.inner().as_slice())
    );
    assert_eq!(validators.active_validators[0].voting_power, Some(10_000));
    assert_eq!(with_state.first_checkpoint, None, "the mask is honoured");

    // The current epoch, by number and by default; the default mask is Sui's.
    let current = get_epoch(&mut client, None, None).await.expect("current");
    assert_eq!(current.epoch, Some(1));
    assert_eq!(
        current.first_checkpoint,
        Some(last.summary.sequence_number + 1)
    );
    assert_eq!(current.last_checkpoint, None);
    assert_eq!(current.start.map(ms), Some(f.t0 + EPOCH_MS));
    assert_eq!(current.end, None);
    assert_eq!(current.reference_gas_price, Some(REFERENCE_GAS_PRICE));
    let config = current.protocol_config.as_ref().expect("protocol config");
    assert_eq!(config.protocol_version, Some(PROTOCOL_VERSION));
    assert!(
        config.attributes.is_empty(),
        "only protocol_version by default"
    );
    assert!(current.committee.is_none(), "not in the default mask");
    let by_number = get_epoch(&mut client, Some(1), Some(all))
        .await
        .expect("epoch 1");
    assert_eq!(by_number.epoch, Some(1));
    assert_eq!(by_number.committee.as_ref().and_then(|c| c.epoch), Some(1));

    // The read mask is honoured.
    let only = get_epoch(&mut client, Some(0), Some("end"))
        .await
        .expect("mask");
    assert_eq!(only.epoch, None);
    assert!(only.end.is_some());
    assert_eq!(only.first_checkpoint, None);
    assert!(
        get_epoch(&mut client, Some(0), Some("no_such_field"))
            .await
            .is_err_and(|s| s.code() == tonic::Code::InvalidArgument)
    );

    // A future epoch: as Sui, nothing is known but its number, and its committee is NOT_FOUND.
    let future = get_epoch(&mut client, Some(2), None).await.expect("future");
    assert_eq!(future.epoch, Some(2));
    assert_eq!(future.first_checkpoint, None);
    assert_eq!(future.start, None);
    let status = get_epoch(&mut client, Some(2), Some(all))
        .await
        .expect_err("no committee for a future epoch");
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert!(
        get_epoch(&mut client, Some(u64::MAX), Some("committee"))
            .await
            .is_err_and(|s| s.code() == tonic::Code::NotFound)
    );

    // Service info and the x-sui-epoch header report the current epoch.
    let response = client
        .ledger_client()
        .get_service_info(proto::GetServiceInfoRequest::default())
        .await
        .expect("service info");
    assert_eq!(
        response
            .metadata()
            .get(sui_rpc::headers::X_SUI_EPOCH)
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(response.into_inner().epoch, Some(1));
    shutdown.cancel();
}

/// The epoch's last checkpoint as `sui_rpc` clients read it: `end_of_epoch_data` in the
/// structured summary and in its BCS, the `EndOfEpoch` transaction kind structured and in BCS,
/// effects in BCS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_epoch_checkpoint_decodes_over_grpc() {
    let f = fixture();
    let (mut client, shutdown) = serve(&f.node).await;
    let last = f
        .node
        .seal_checkpoint(f.t0 + EPOCH_MS)
        .expect("end epoch 0");
    let mut request = proto::GetCheckpointRequest::default();
    request.checkpoint_id = Some(proto::get_checkpoint_request::CheckpointId::SequenceNumber(
        last.summary.sequence_number,
    ));
    request.read_mask = Some(prost_types::FieldMask::from_str(
        "sequence_number,digest,summary,signature,contents,transactions",
    ));
    let checkpoint = client
        .ledger_client()
        .get_checkpoint(request)
        .await
        .expect("checkpoint")
        .into_inner()
        .checkpoint
        .expect("checkpoint");
    let summary = checkpoint.summary.as_ref().expect("summary");
    let structured: sui_sdk_types::CheckpointSummary = summary.try_into().expect("summary");
    assert_eq!(structured, last.summary);
    let from_bcs: sui_sdk_types::CheckpointSummary = summary
        .bcs
        .as_ref()
        .expect("bcs")
        .deserialize()
        .expect("bcs summary");
    assert_eq!(from_bcs, last.summary);
    let end = summary
        .end_of_epoch_data
        .as_ref()
        .expect("end_of_epoch_data");
    assert_eq!(end.next_epoch_protocol_version, Some(PROTOCOL_VERSION));
    assert_eq!(end.next_epoch_committee.len(), 1);
    assert_eq!(end.next_epoch_committee[0].weight, Some(10_000));
    assert_eq!(
        end.next_epoch_committee[0].public_key.as_deref(),
        Some(f.node.committee().members[0].public_key.inner().as_slice())
    );
    let signature: sui_sdk_types::ValidatorAggregatedSignature = checkpoint
        .signature
        .as_ref()
        .expect("signature")
        .try_into()
        .expect("signature");
    ValidatorCommitteeSignatureVerifier::new(f.node.committee_of(0))
        .expect("verifier")
        .verify_checkpoint_summary(&structured, &signature)
        .expect("certified");

    let executed = checkpoint.transactions.last().expect("a transaction");
    let transaction = executed.transaction.as_ref().expect("transaction");
    assert_eq!(
        transaction.kind.as_ref().and_then(|k| k.kind),
        Some(proto::transaction_kind::Kind::EndOfEpoch as i32)
    );
    let kinds = &transaction
        .kind
        .as_ref()
        .and_then(|k| k.end_of_epoch_opt())
        .expect("end_of_epoch")
        .transactions;
    assert_eq!(
        kinds[0].kind,
        Some(proto::end_of_epoch_transaction_kind::Kind::ChangeEpoch as i32)
    );
    let change = kinds[0].change_epoch_opt().expect("change_epoch");
    assert_eq!(change.epoch, Some(1));
    assert_eq!(change.epoch_start_timestamp.map(ms), Some(f.t0 + EPOCH_MS));
    let decoded: sui_sdk_types::Transaction = transaction.try_into().expect("transaction");
    assert_eq!(change_epoch_of_kind(&decoded.kind).epoch, 1);
    let effects: TransactionEffects = executed
        .effects
        .as_ref()
        .expect("effects")
        .try_into()
        .expect("effects bcs");
    let TransactionEffects::V2(effects) = effects else {
        panic!("v2")
    };
    assert_eq!(effects.epoch, 0);
    assert_eq!(effects.gas_object_index, None);
    assert_eq!(executed.transaction_index, Some(1));
    assert!(executed.signatures.is_empty());
    shutdown.cancel();
}

fn change_epoch_of_kind(kind: &TransactionKind) -> &ChangeEpoch {
    let TransactionKind::EndOfEpoch(kinds) = kind else {
        panic!("not end of epoch")
    };
    let EndOfEpochTransactionKind::ChangeEpoch(change) = &kinds[0] else {
        panic!("not ChangeEpoch")
    };
    change
}

/// A subscription open across an epoch boundary delivers every checkpoint, in order, chained.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpoint_stream_crosses_epochs_without_gaps() {
    let f = fixture();
    let (mut client, shutdown) = serve(&f.node).await;
    let mut request = proto::SubscribeCheckpointsRequest::default();
    request.read_mask = Some(prost_types::FieldMask::from_str(
        "sequence_number,digest,summary,transactions.digest",
    ));
    // The server holds its receiver once the response (the stream) has come back.
    let mut stream = client
        .subscription_client()
        .subscribe_checkpoints(request)
        .await
        .expect("subscribe")
        .into_inner();
    let start = f.node.latest_checkpoint();
    let times = [
        EPOCH_MS / 2,
        EPOCH_MS,
        EPOCH_MS + 1,
        2 * EPOCH_MS - 1,
        2 * EPOCH_MS,
        2 * EPOCH_MS + 1,
    ];
    let mut sealed = Vec::new();
    for t in times {
        sealed.push(f.node.seal_checkpoint(f.t0 + t).expect("seal"));
    }
    let mut previous = Some(start.summary.digest().to_string());
    for (i, expected) in sealed.iter().enumerate() {
        let frame = tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .expect("a frame in time")
            .expect("stream open")
            .expect("frame");
        let checkpoint = frame.checkpoint.expect("checkpoint");
        assert_eq!(
            frame.cursor,
            Some(start.summary.sequence_number + 1 + i as u64)
        );
        assert_eq!(
            checkpoint.sequence_number,
            Some(expected.summary.sequence_number)
        );
        let summary = checkpoint.summary.as_ref().expect("summary");
        assert_eq!(summary.previous_digest, previous);
        previous = checkpoint.digest.clone();
        assert_eq!(summary.epoch, Some(expected.summary.epoch));
        assert_eq!(
            summary.end_of_epoch_data.is_some(),
            expected.summary.end_of_epoch_data.is_some()
        );
    }
    let epochs: Vec<(u64, bool)> = sealed
        .iter()
        .map(|r| (r.summary.epoch, r.summary.end_of_epoch_data.is_some()))
        .collect();
    assert_eq!(
        epochs,
        vec![
            (0, false),
            (0, true),
            (1, false),
            (1, false),
            (1, true),
            (2, false)
        ]
    );
    shutdown.cancel();
}

/// The running chain ends epochs by itself: with a short epoch (shorter than the idle
/// heartbeat) and no transactions, the checkpoint task seals an epoch's last checkpoint when it
/// is due, and the stream shows the next epoch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_chain_changes_epochs_when_idle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = haulout_localnet::LocalnetArgs {
        data: dir.path().to_path_buf(),
        fresh: true,
        listen: "127.0.0.1:0".parse().expect("addr"),
        accounts: 1,
        sui_epoch_duration: Duration::from_millis(300),
        list_scan_budget: haulout_localnet::DEFAULT_LIST_SCAN_BUDGET,
        seal: haulout_localnet::seal::SealArgs {
            key_servers: 0,
            ..Default::default()
        },
        walrus: haulout_localnet::walrus::WalrusArgs {
            nodes: 0,
            ..Default::default()
        },
    };
    let shutdown = CancellationToken::new();
    let (localnet, task) = haulout_localnet::Localnet::start(
        &args,
        NativeRegistry::with_sui_framework(),
        shutdown.clone(),
    )
    .await
    .expect("start");
    let mut client = sui_rpc::Client::new(localnet.info.rpc_url.clone()).expect("client");
    let mut request = proto::SubscribeCheckpointsRequest::default();
    request.read_mask = Some(prost_types::FieldMask::from_str("sequence_number,summary"));
    let mut stream = client
        .subscription_client()
        .subscribe_checkpoints(request)
        .await
        .expect("subscribe")
        .into_inner();
    // Bounded: the checkpoint task must end epoch 0 and then seal in epoch 1 (a few hundred
    // milliseconds; the bound only stops a broken chain from hanging the test).
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        let mut ended = None;
        while let Some(frame) = stream.next().await {
            let checkpoint = frame.expect("frame").checkpoint.expect("checkpoint");
            let summary = checkpoint.summary.expect("summary");
            if ended.is_some_and(|e| summary.epoch == Some(e + 1)) {
                return summary.epoch;
            }
            if summary.end_of_epoch_data.is_some() {
                ended = summary.epoch;
            }
        }
        None
    })
    .await
    .expect("an epoch change in time")
    .expect("stream open");
    assert!(found >= 1);
    assert!(localnet.node.epoch() >= found);
    shutdown.cancel();
    task.await.expect("join").expect("localnet task");
}
