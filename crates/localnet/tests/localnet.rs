//! End-to-end tests with the real `sui-rpc` client against a chain on 127.0.0.1:0.

mod support;

use futures::StreamExt as _;
use proto::execution_error::ExecutionErrorKind;
use sui_rpc::client::CheckpointStreamRequest;
use sui_rpc::client::CheckpointStreamStart;
use sui_rpc::field::FieldMaskUtil as _;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::Identifier;
use sui_sdk_types::MoveCall;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::TypeTag;
use support::*;

/// The current reference of `owner`'s SUI coin `coin` (which it must still own).
async fn current(chain: &mut Chain, owner: Address, coin: &ObjectReference) -> ObjectReference {
    chain
        .coins(owner)
        .await
        .into_iter()
        .find(|c| c.0.object_id() == coin.object_id())
        .expect("gas")
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_is_executed_checkpointed_and_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start(dir.path(), true).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let bob_before = chain.balance(bob).await;
    let coins = chain.coins(alice).await;
    assert_eq!(coins.len(), 5, "genesis coins");
    let gas = coins[0].0.clone();
    let tx = transaction(alice, vec![gas.clone()], BUDGET, transfer_ptb(1_234, bob));
    let key = chain.keys[0].clone();
    let executed = chain.execute(&tx, &key).await.expect("execute");
    assert!(status_success(&executed), "{executed:?}");
    assert!(executed.checkpoint.is_some(), "waited for its checkpoint");
    assert_eq!(executed.digest(), tx.digest().to_string());
    assert_eq!(chain.balance(bob).await, bob_before + 1_234);

    // Lamport rule: every written object is at 1 + max(input versions).
    let effects = executed.effects.as_ref().expect("effects");
    assert_eq!(effects.lamport_version(), gas.version() + 1);
    assert_eq!(
        chain.object_version(*gas.object_id()).await,
        gas.version() + 1
    );
    let created = created(&executed);
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0].object_id(),
        Address::derive_id(tx.digest(), 0).to_string(),
        "new object IDs are derive_id(tx digest, count)"
    );
    assert_eq!(
        created[0].object_type(),
        "0x0000000000000000000000000000000000000000000000000000000000000002::coin::Coin<0x0000000000000000000000000000000000000000000000000000000000000002::sui::SUI>"
    );

    // Re-submitting the same transaction returns the same result.
    let again = chain.execute(&tx, &key).await.expect("re-execute");
    assert_eq!(again.effects, executed.effects);

    // The transaction, its checkpoint and the chain id are consistent.
    let checkpoint = chain
        .get_checkpoint(
            executed.checkpoint(),
            Some("sequence_number,digest,summary,contents,transactions.digest,signature"),
        )
        .await;
    assert!(
        checkpoint
            .transactions
            .iter()
            .any(|t| t.digest() == executed.digest())
    );
    let summary: sui_sdk_types::CheckpointSummary = checkpoint
        .summary
        .as_ref()
        .expect("summary")
        .try_into()
        .expect("summary");
    assert_eq!(summary.digest().to_string(), checkpoint.digest());
    let signature: sui_sdk_types::ValidatorAggregatedSignature = checkpoint
        .signature
        .as_ref()
        .expect("signature")
        .try_into()
        .expect("signature");
    let committee = chain.localnet.node.committee().clone();
    sui_crypto::bls12381::ValidatorCommitteeSignatureVerifier::new(committee)
        .expect("verifier")
        .verify_checkpoint_summary(&summary, &signature)
        .expect("checkpoint is certified by the committee");

    let info = chain
        .client
        .ledger_client()
        .get_service_info(proto::GetServiceInfoRequest::default())
        .await
        .expect("service info")
        .into_inner();
    let genesis = chain.get_checkpoint(0, None).await;
    assert_eq!(info.chain_id(), genesis.digest());
    assert_eq!(
        chain.client.get_reference_gas_price().await.expect("rgp"),
        GAS_PRICE
    );
    chain.stop().await;
}

/// Everything that must be rejected or fail leaves the state unchanged (except gas for
/// failures, which is charged from the gas coin alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_errors_or_failure_effects_and_change_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start(dir.path(), true).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let alice_key = chain.keys[0].clone();
    let bob_key = chain.keys[1].clone();
    let coins = chain.coins(alice).await;
    let gas = coins[0].0.clone();
    let bob_before = chain.balance(bob).await;
    let alice_before = chain.balance(alice).await;

    // Bad signature: signed by someone else.
    let tx = transaction(alice, vec![gas.clone()], BUDGET, transfer_ptb(1, bob));
    let err = chain
        .execute(&tx, &bob_key)
        .await
        .expect_err("wrong signer");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    // Wrong owner: Alice pays with Bob's coin.
    let bobs = chain.coins(bob).await;
    let tx = transaction(
        alice,
        vec![bobs[0].0.clone()],
        BUDGET,
        transfer_ptb(1, alice),
    );
    let err = chain.execute(&tx, &alice_key).await.expect_err("not owned");
    assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err}");

    // Gas budget larger than the gas coin.
    let tx = transaction(
        alice,
        vec![gas.clone()],
        coins[0].1 + 1,
        transfer_ptb(1, bob),
    );
    let err = chain
        .execute(&tx, &alice_key)
        .await
        .expect_err("budget above balance");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    // Malformed BCS.
    let mut request = proto::ExecuteTransactionRequest::default();
    let mut bad = proto::Transaction::default();
    bad.bcs = Some(vec![1, 2, 3].into());
    request.transaction = Some(bad);
    let err = chain
        .client
        .execution_client()
        .execute_transaction(request)
        .await
        .expect_err("malformed");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    assert_eq!(
        chain.balance(alice).await,
        alice_before,
        "rejections cost nothing"
    );
    assert_eq!(chain.object_version(*gas.object_id()).await, gas.version());

    // Insufficient coin balance: a failure with effects; only gas is charged.
    let tx = transaction(
        alice,
        vec![gas.clone()],
        BUDGET,
        transfer_ptb(coins[0].1 * 10, bob),
    );
    let executed = chain.execute(&tx, &alice_key).await.expect("executes");
    let error = failed_with(&executed, ExecutionErrorKind::InsufficientCoinBalance);
    assert_eq!(error.command, Some(0));
    let effects = executed.effects.as_ref().expect("effects");
    assert_eq!(
        effects.changed_objects.len(),
        1,
        "only the gas coin changes"
    );
    let gas_used = effects.gas_used.as_ref().expect("gas used");
    let charged = gas_used.computation_cost() + gas_used.storage_cost() - gas_used.storage_rebate();
    assert!(charged > 0);
    assert_eq!(chain.balance(alice).await, alice_before - charged);
    assert_eq!(chain.balance(bob).await, bob_before);
    let gas = current(&mut chain, alice, &gas).await;

    // Stale version: the old reference of the gas coin is refused.
    let stale = coins[0].0.clone();
    let tx = transaction(alice, vec![stale.clone()], BUDGET, transfer_ptb(1, bob));
    let err = chain.execute(&tx, &alice_key).await.expect_err("stale");
    assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err}");

    // Unknown function: Sui's FunctionNotFound.
    let ptb = ProgrammableTransaction {
        inputs: vec![],
        commands: vec![Command::MoveCall(MoveCall {
            package: Address::TWO,
            module: Identifier::new("coin").expect("id"),
            function: Identifier::new("does_not_exist").expect("id"),
            type_arguments: vec![],
            arguments: vec![],
        })],
    };
    let tx = transaction(alice, vec![gas.clone()], BUDGET, ptb);
    let executed = chain.execute(&tx, &alice_key).await.expect("executes");
    failed_with(&executed, ExecutionErrorKind::FunctionNotFound);
    let gas = current(&mut chain, alice, &gas).await;

    // Insufficient gas: the budget covers computation but not storage.
    let tx = transaction(
        alice,
        vec![gas.clone()],
        GAS_PRICE * haulout_localnet::COMPUTATION_UNITS,
        transfer_ptb(1, bob),
    );
    let executed = chain.execute(&tx, &alice_key).await.expect("executes");
    failed_with(&executed, ExecutionErrorKind::InsufficientGas);
    assert_eq!(chain.balance(bob).await, bob_before);
    chain.stop().await;
}

/// Move calls through the native table: coin::split + public_transfer, coin::join, and a
/// Move abort with its location.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_framework_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start(dir.path(), true).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let coins = chain.coins(alice).await;
    let sui: TypeTag = StructTag::sui().into();
    let coin: TypeTag = StructTag::coin(sui.clone()).into();
    let call = |module: &str, function: &str, arguments: Vec<Argument>| {
        // transfer functions are generic over the object type, coin functions over the coin's.
        let type_argument = if module == "transfer" {
            coin.clone()
        } else {
            sui.clone()
        };
        Command::MoveCall(MoveCall {
            package: Address::TWO,
            module: Identifier::new(module).expect("id"),
            function: Identifier::new(function).expect("id"),
            type_arguments: vec![type_argument],
            arguments,
        })
    };
    // coin::split of the amount of input 1 off the coin of input 0, and the split coin sent to
    // the address of input `to`.
    let split = || {
        call(
            "coin",
            "split",
            vec![Argument::Input(0), Argument::Input(1)],
        )
    };
    let send_split = |to: u16| {
        call(
            "transfer",
            "public_transfer",
            vec![Argument::Result(0), Argument::Input(to)],
        )
    };
    let bob_before = chain.balance(bob).await;
    // split 500 off coin 1, join coin 2 into coin 1, send the split part to Bob.
    let ptb = ProgrammableTransaction {
        inputs: vec![
            sui_sdk_types::Input::ImmutableOrOwned(coins[1].0.clone()),
            sui_sdk_types::Input::Pure(500u64.to_le_bytes().to_vec()),
            sui_sdk_types::Input::ImmutableOrOwned(coins[2].0.clone()),
            sui_sdk_types::Input::Pure(bob.as_bytes().to_vec()),
        ],
        commands: vec![
            split(),
            call("coin", "join", vec![Argument::Input(0), Argument::Input(2)]),
            send_split(3),
        ],
    };
    let executed = chain.execute_ptb(0, ptb).await.expect("execute");
    assert!(status_success(&executed), "{:?}", executed.effects);
    assert_eq!(chain.balance(bob).await, bob_before + 500);
    let after = chain.coins(alice).await;
    assert!(
        after
            .iter()
            .all(|c| c.0.object_id() != coins[2].0.object_id()),
        "joined coin deleted"
    );
    let merged = after
        .iter()
        .find(|c| c.0.object_id() == coins[1].0.object_id())
        .expect("coin 1");
    assert_eq!(merged.1, coins[1].1 - 500 + coins[2].1);
    let deleted = executed
        .effects
        .as_ref()
        .expect("effects")
        .changed_objects
        .iter()
        .filter(|c| c.id_operation() == proto::changed_object::IdOperation::Deleted)
        .count();
    assert_eq!(deleted, 1);

    // Splitting more than the coin holds aborts in 0x2::balance with ENotEnough (2).
    let coins = chain.coins(alice).await;
    let ptb = ProgrammableTransaction {
        inputs: vec![
            sui_sdk_types::Input::ImmutableOrOwned(coins[1].0.clone()),
            sui_sdk_types::Input::Pure(u64::MAX.to_le_bytes().to_vec()),
            sui_sdk_types::Input::Pure(bob.as_bytes().to_vec()),
        ],
        commands: vec![split(), send_split(2)],
    };
    let executed = chain.execute_ptb(0, ptb).await.expect("execute");
    let error = failed_with(&executed, ExecutionErrorKind::MoveAbort);
    let Some(proto::execution_error::ErrorDetails::Abort(abort)) = &error.error_details else {
        panic!("abort details: {error:?}");
    };
    assert_eq!(abort.abort_code, Some(2));
    assert_eq!(
        abort
            .location
            .as_ref()
            .and_then(|l| l.module.clone())
            .as_deref(),
        Some("balance")
    );

    // Sui's borrow rules within one call: a coin joined into itself (borrowed `&mut`, then
    // taken by value) is InvalidValueUsage on argument 1, and no SUI appears from nowhere.
    let total = chain.localnet.node.total_sui();
    let coins = chain.coins(alice).await;
    let ptb = ProgrammableTransaction {
        inputs: vec![sui_sdk_types::Input::ImmutableOrOwned(coins[1].0.clone())],
        commands: vec![call(
            "coin",
            "join",
            vec![Argument::Input(0), Argument::Input(0)],
        )],
    };
    let executed = chain.execute_ptb(0, ptb).await.expect("execute");
    let error = failed_with(&executed, ExecutionErrorKind::CommandArgumentError);
    let Some(proto::execution_error::ErrorDetails::CommandArgumentError(details)) =
        &error.error_details
    else {
        panic!("command argument details: {error:?}");
    };
    assert_eq!(details.argument, Some(1), "{error:?}");
    assert_eq!(
        details.kind(),
        proto::command_argument_error::CommandArgumentErrorKind::InvalidValueUsage
    );
    let after = chain.coins(alice).await;
    let coin = after
        .iter()
        .find(|c| c.0.object_id() == coins[1].0.object_id())
        .expect("the coin is still there");
    assert_eq!(coin.1, coins[1].1, "the coin is unchanged");
    assert_eq!(
        chain.localnet.node.total_sui(),
        total,
        "no SUI created or destroyed"
    );

    // GetFunction describes natives in Sui's signature encoding.
    let function = chain.get_function("0x2", "coin", "split").await;
    assert_eq!(function.parameters.len(), 3);
    assert_eq!(function.type_parameters.len(), 1);
    chain.stop().await;
}

/// A checkpoint stream resumes across a restart of the chain without gaps, and the
/// `previous_digest` chain holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoint_stream_resumes_across_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start(dir.path(), true).await;
    let (alice, bob) = (chain.address(0), chain.address(1));
    let first = chain
        .execute_ptb(0, transfer_ptb(7, bob))
        .await
        .expect("execute");
    let mask =
        prost_types::FieldMask::from_str("sequence_number,digest,summary,transactions.digest");
    let stream = chain.client.stream_checkpoints(
        CheckpointStreamRequest::new()
            .with_read_mask(mask.clone())
            .with_start(CheckpointStreamStart::Checkpoint(0)),
    );
    let upto = first.checkpoint();
    let frames: Vec<_> = stream
        .take(usize::try_from(upto + 1).expect("usize"))
        .collect()
        .await;
    let mut previous: Option<String> = None;
    let mut cursor = 0;
    let mut seen_tx = false;
    for (i, frame) in frames.into_iter().enumerate() {
        let frame = frame.expect("frame");
        let checkpoint = frame
            .checkpoint
            .expect("unfiltered frames carry checkpoints");
        assert_eq!(frame.cursor, i as u64);
        assert_eq!(checkpoint.sequence_number(), i as u64);
        let summary = checkpoint.summary.as_ref().expect("summary");
        assert_eq!(summary.previous_digest.clone(), previous);
        previous = Some(checkpoint.digest().to_owned());
        seen_tx |= checkpoint
            .transactions
            .iter()
            .any(|t| t.digest() == first.digest());
        cursor = frame.cursor;
    }
    assert!(seen_tx);
    let alice_balance = chain.balance(alice).await;
    let chain_id = chain.localnet.info.chain_id.clone();
    chain.stop().await;

    // Restart on the same data: same chain, same state, the stream continues at cursor + 1.
    let mut chain = Chain::start(dir.path(), false).await;
    assert_eq!(chain.localnet.info.chain_id, chain_id);
    assert_eq!(chain.balance(alice).await, alice_balance);
    let second = chain
        .execute_ptb(0, transfer_ptb(8, bob))
        .await
        .expect("execute after restart");
    assert!(status_success(&second));
    let stream = chain.client.stream_checkpoints(
        CheckpointStreamRequest::new()
            .with_read_mask(mask)
            .with_start(CheckpointStreamStart::Checkpoint(cursor + 1)),
    );
    let n = usize::try_from(second.checkpoint() - cursor).expect("usize");
    let frames: Vec<_> = stream.take(n).collect().await;
    let mut seen_second = false;
    for (i, frame) in frames.into_iter().enumerate() {
        let frame = frame.expect("frame");
        let checkpoint = frame.checkpoint.expect("checkpoint");
        assert_eq!(
            checkpoint.sequence_number(),
            cursor + 1 + i as u64,
            "no gaps"
        );
        assert_eq!(
            checkpoint
                .summary
                .as_ref()
                .expect("summary")
                .previous_digest
                .clone(),
            previous
        );
        previous = Some(checkpoint.digest().to_owned());
        seen_second |= checkpoint
            .transactions
            .iter()
            .any(|t| t.digest() == second.digest());
    }
    assert!(seen_second);
    chain.stop().await;
}
