//! Every simple signature scheme Sui accepts, and multisig, can send transactions, with the
//! sender derived from its key (or committee); the shared Clock is read through `&Clock` and moves with checkpoints; shared objects
//! can be mutated but stay shared.

use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::TxError;
use haulout_localnet::TypeFilter;
use sui_crypto::SuiSigner;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_crypto::multisig::MultisigAggregator;
use sui_crypto::secp256k1::Secp256k1PrivateKey;
use sui_crypto::secp256r1::Secp256r1PrivateKey;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::GasPayment;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::MultisigAggregatedSignature;
use sui_sdk_types::MultisigCommittee;
use sui_sdk_types::MultisigMember;
use sui_sdk_types::MultisigMemberPublicKey;
use sui_sdk_types::MultisigMemberSignature;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::PasskeyAuthenticator;
use sui_sdk_types::PasskeyPublicKey;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::SimpleSignature;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use sui_sdk_types::UserSignature;

fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

/// Reads the Clock (shared, immutable use) and sends 1 MIST back to `to`.
fn clock_and_transfer(sender: Address, gas: &Object, to: Address) -> Transaction {
    Transaction {
        kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
            inputs: vec![
                Input::Shared(SharedInput::new(haulout_localnet::CLOCK_ID, 1, false)),
                Input::Pure(1u64.to_le_bytes().to_vec()),
                Input::Pure(to.as_bytes().to_vec()),
            ],
            commands: vec![
                Command::MoveCall(MoveCall {
                    package: Address::TWO,
                    module: Identifier::new("clock").expect("id"),
                    function: Identifier::new("timestamp_ms").expect("id"),
                    type_arguments: vec![],
                    arguments: vec![Argument::Input(0)],
                }),
                Command::SplitCoins(sui_sdk_types::SplitCoins {
                    coin: Argument::Gas,
                    amounts: vec![Argument::Input(1)],
                }),
                Command::TransferObjects(sui_sdk_types::TransferObjects {
                    objects: vec![Argument::NestedResult(1, 0)],
                    address: Argument::Input(2),
                }),
            ],
        }),
        sender,
        gas_payment: GasPayment {
            objects: vec![reference(gas)],
            owner: sender,
            price: haulout_localnet::REFERENCE_GAS_PRICE,
            budget: 50_000_000,
        },
        expiration: TransactionExpiration::None,
    }
}

fn send_with<S: SuiSigner>(node: &Node, signer: &S, sender: Address, to: Address) {
    node.faucet_transfer(sender, 1_000_000_000).expect("faucet");
    let coins = node
        .owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0;
    let tx = clock_and_transfer(sender, &coins[0], to);
    let signature = signer.sign_transaction(&tx).expect("sign");
    let done = node.execute(tx, vec![signature]).expect("execute");
    let TransactionEffects::V2(e) = &done.effects else {
        panic!("v2")
    };
    assert_eq!(e.status, ExecutionStatus::Success, "{:?}", e.status);
    // The Clock was read, not written.
    assert!(
        e.changed_objects
            .iter()
            .all(|c| c.object_id != haulout_localnet::CLOCK_ID)
    );
    assert_eq!(e.unchanged_consensus_objects.len(), 1);
}

#[test]
fn secp256k1_and_secp256r1_senders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = Node::open(dir.path(), 1, NativeRegistry::with_sui_framework()).expect("open");
    let to = Address::new([5; 32]);
    let k1 = Secp256k1PrivateKey::new([3; 32]).expect("k1 key");
    send_with(&node, &k1, k1.public_key().derive_address(), to);
    let r1 = Secp256r1PrivateKey::new([4; 32]);
    send_with(&node, &r1, r1.public_key().derive_address(), to);
    assert_eq!(node.balances(to).values().next().map(|b| b.1), Some(2));

    // A checkpoint moves the Clock: a new version with the checkpoint's timestamp.
    let clock = node.object(&haulout_localnet::CLOCK_ID).expect("clock");
    let record = node
        .seal_checkpoint(clock_ms(&clock) + 5_000)
        .expect("seal");
    let after = node.object(&haulout_localnet::CLOCK_ID).expect("clock");
    assert!(after.version() > clock.version());
    assert_eq!(clock_ms(&after), record.summary.timestamp_ms);

    // The Clock cannot be taken mutably.
    let coins = node
        .owned_objects(
            k1.public_key().derive_address(),
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0;
    let mut tx = clock_and_transfer(k1.public_key().derive_address(), &coins[0], to);
    if let TransactionKind::ProgrammableTransaction(p) = &mut tx.kind {
        p.inputs[0] = Input::Shared(SharedInput::new(haulout_localnet::CLOCK_ID, 1, true));
    }
    let signature = k1.sign_transaction(&tx).expect("sign");
    assert!(node.execute(tx, vec![signature]).is_err());
}

fn clock_ms(clock: &Object) -> u64 {
    let sui_sdk_types::ObjectData::Struct(s) = clock.data() else {
        panic!("struct")
    };
    u64::from_le_bytes(s.contents()[32..40].try_into().expect("u64"))
}

#[test]
fn shared_objects_can_be_mutated_but_not_transferred() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, genesis) =
        Node::open(dir.path(), 1, NativeRegistry::with_sui_framework()).expect("open");
    let key = genesis.expect("genesis").keys[0].clone();
    let sender = key.public_key().derive_address();
    let sui: sui_sdk_types::TypeTag = StructTag::sui().into();
    let gas_coins = |node: &Node| {
        node.owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0
    };
    let run = |node: &Node, inputs: Vec<Input>, commands: Vec<Command>| {
        let gas = gas_coins(node)[0].clone();
        let tx = Transaction {
            kind: TransactionKind::ProgrammableTransaction(ProgrammableTransaction {
                inputs,
                commands,
            }),
            sender,
            gas_payment: GasPayment {
                objects: vec![reference(&gas)],
                owner: sender,
                price: haulout_localnet::REFERENCE_GAS_PRICE,
                budget: 50_000_000,
            },
            expiration: TransactionExpiration::None,
        };
        let signature = key.sign_transaction(&tx).expect("sign");
        let done = node.execute(tx, vec![signature]).expect("execute");
        let TransactionEffects::V2(e) = &done.effects else {
            panic!("v2")
        };
        (e.status.clone(), done)
    };
    let call =
        |module: &str, function: &str, ty: sui_sdk_types::TypeTag, arguments: Vec<Argument>| {
            Command::MoveCall(MoveCall {
                package: Address::TWO,
                module: Identifier::new(module).expect("id"),
                function: Identifier::new(function).expect("id"),
                type_arguments: vec![ty],
                arguments,
            })
        };
    // Share a new zero coin.
    let coin_type: sui_sdk_types::TypeTag = StructTag::gas_coin().into();
    let (status, done) = run(
        &node,
        vec![],
        vec![
            call("coin", "zero", sui.clone(), vec![]),
            call(
                "transfer",
                "public_share_object",
                coin_type,
                vec![Argument::Result(0)],
            ),
        ],
    );
    assert_eq!(status, ExecutionStatus::Success);
    let shared = done
        .output_objects
        .iter()
        .find(|o| matches!(o.owner(), sui_sdk_types::Owner::Shared(_)))
        .expect("shared coin")
        .clone();
    let sui_sdk_types::Owner::Shared(initial) = *shared.owner() else {
        unreachable!()
    };
    let shared_input = || Input::Shared(SharedInput::new(shared.object_id(), initial, true));

    // Mutating it is fine: split 5 off the gas coin and merge it in.
    let (status, _) = run(
        &node,
        vec![shared_input(), Input::Pure(5u64.to_le_bytes().to_vec())],
        vec![
            Command::SplitCoins(sui_sdk_types::SplitCoins {
                coin: Argument::Gas,
                amounts: vec![Argument::Input(1)],
            }),
            Command::MergeCoins(sui_sdk_types::MergeCoins {
                coin: Argument::Input(0),
                coins_to_merge: vec![Argument::NestedResult(0, 0)],
            }),
        ],
    );
    assert_eq!(status, ExecutionStatus::Success);
    let after = node.object(&shared.object_id()).expect("shared");
    assert!(after.version() > shared.version());
    assert_eq!(after.owner(), shared.owner());

    // Transferring it is not.
    let (status, _) = run(
        &node,
        vec![shared_input(), Input::Pure(sender.as_bytes().to_vec())],
        vec![Command::TransferObjects(sui_sdk_types::TransferObjects {
            objects: vec![Argument::Input(0)],
            address: Argument::Input(1),
        })],
    );
    assert!(
        matches!(
            status,
            ExecutionStatus::Failure {
                error: sui_sdk_types::ExecutionError::ConsensusObjectOperationNotAllowed,
                ..
            }
        ),
        "{status:?}"
    );
    assert_eq!(
        node.object(&shared.object_id()).expect("shared").owner(),
        shared.owner()
    );
}

/// A member's signature as a multisig member signature.
fn member_signature(signature: UserSignature) -> MultisigMemberSignature {
    match signature {
        UserSignature::Simple(SimpleSignature::Ed25519 { signature, .. }) => {
            MultisigMemberSignature::Ed25519(signature)
        }
        UserSignature::Simple(SimpleSignature::Secp256k1 { signature, .. }) => {
            MultisigMemberSignature::Secp256k1(signature)
        }
        UserSignature::Simple(SimpleSignature::Secp256r1 { signature, .. }) => {
            MultisigMemberSignature::Secp256r1(signature)
        }
        other => panic!("not a simple signature: {other:?}"),
    }
}

/// A 2-of-3 multisig address (Ed25519, secp256k1 and secp256r1 members of weight 1) sends a
/// transaction signed by two members; one member alone, or a signature over another
/// transaction, is refused before execution and changes nothing.
#[test]
fn multisig_sender() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = Node::open(dir.path(), 1, NativeRegistry::with_sui_framework()).expect("open");
    let ed = Ed25519PrivateKey::new([6; 32]);
    let k1 = Secp256k1PrivateKey::new([7; 32]).expect("k1 key");
    let r1 = Secp256r1PrivateKey::new([8; 32]);
    let committee = MultisigCommittee::new(
        vec![
            MultisigMember::new(MultisigMemberPublicKey::Ed25519(ed.public_key()), 1),
            MultisigMember::new(MultisigMemberPublicKey::Secp256k1(k1.public_key()), 1),
            MultisigMember::new(MultisigMemberPublicKey::Secp256r1(r1.public_key()), 1),
        ],
        2,
    );
    let sender = committee.derive_address();
    node.faucet_transfer(sender, 1_000_000_000).expect("faucet");
    let coins = node
        .owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0;
    let to = Address::new([9; 32]);
    let tx = clock_and_transfer(sender, &coins[0], to);
    let before = node.object(&coins[0].object_id()).expect("gas coin");

    // One member: weight 1 < threshold 2.
    let alone = MultisigAggregatedSignature::new(
        committee.clone(),
        vec![member_signature(ed.sign_transaction(&tx).expect("sign"))],
        0b001,
    );
    let error = node
        .execute(tx.clone(), vec![UserSignature::Multisig(alone)])
        .expect_err("below the threshold");
    assert!(matches!(error, TxError::Signature(_)), "{error:?}");
    // Two members, but one signed another transaction.
    let other = clock_and_transfer(sender, &coins[0], Address::new([10; 32]));
    let mixed = MultisigAggregatedSignature::new(
        committee.clone(),
        vec![
            member_signature(ed.sign_transaction(&tx).expect("sign")),
            member_signature(r1.sign_transaction(&other).expect("sign")),
        ],
        0b101,
    );
    let error = node
        .execute(tx.clone(), vec![UserSignature::Multisig(mixed)])
        .expect_err("a signature over another transaction");
    assert!(matches!(error, TxError::Signature(_)), "{error:?}");
    assert_eq!(
        node.object(&coins[0].object_id()).expect("gas coin"),
        before,
        "refused transactions change nothing"
    );

    // The secp256k1 and secp256r1 members together.
    let mut aggregator = MultisigAggregator::new_with_transaction(committee, &tx);
    aggregator
        .add_signature(k1.sign_transaction(&tx).expect("sign"))
        .expect("k1 member");
    aggregator
        .add_signature(r1.sign_transaction(&tx).expect("sign"))
        .expect("r1 member");
    let signature = aggregator.finish().expect("threshold reached");
    let done = node
        .execute(tx, vec![UserSignature::Multisig(signature)])
        .expect("execute");
    let TransactionEffects::V2(e) = &done.effects else {
        panic!("v2")
    };
    assert_eq!(e.status, ExecutionStatus::Success, "{:?}", e.status);
    assert_eq!(node.balances(to).values().next().map(|b| b.1), Some(1));
}

/// A passkey account (WebAuthn over secp256r1) sends a transaction: the authenticator signs
/// `authenticator_data || sha256(client_data_json)`, whose challenge is the transaction's signing
/// digest. A challenge of another transaction or a bad signature is refused.
#[test]
fn passkey_sender() {
    use base64::Engine as _;
    use sha2::Digest as _;
    use sui_crypto::Signer as _;

    let dir = tempfile::tempdir().expect("tempdir");
    let (node, _) = Node::open(dir.path(), 1, NativeRegistry::with_sui_framework()).expect("open");
    let key = Secp256r1PrivateKey::new([11; 32]);
    let sender = PasskeyPublicKey::new(key.public_key()).derive_address();
    node.faucet_transfer(sender, 1_000_000_000).expect("faucet");
    let coins = node
        .owned_objects(
            sender,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            10,
        )
        .0;
    let to = Address::new([12; 32]);
    let tx = clock_and_transfer(sender, &coins[0], to);
    // What a browser's authenticator returns for a `navigator.credentials.get` whose challenge
    // is `challenge_of`'s signing digest.
    let authenticate = |challenge_of: &Transaction, signer: &Secp256r1PrivateKey| {
        let authenticator_data = [[0x49; 32].as_slice(), &[0x1d, 0, 0, 0, 0]].concat();
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(challenge_of.signing_digest());
        let client_data_json = format!(
            r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"http://localhost:5173","crossOrigin":false}}"#
        );
        let mut message = authenticator_data.clone();
        message.extend_from_slice(&sha2::Sha256::digest(client_data_json.as_bytes()));
        let signature = SimpleSignature::Secp256r1 {
            signature: signer.sign(&message),
            public_key: key.public_key(),
        };
        UserSignature::Passkey(
            PasskeyAuthenticator::new(authenticator_data, client_data_json, signature)
                .expect("authenticator"),
        )
    };
    let other = clock_and_transfer(sender, &coins[0], Address::new([13; 32]));
    let error = node
        .execute(tx.clone(), vec![authenticate(&other, &key)])
        .expect_err("the challenge of another transaction");
    assert!(matches!(error, TxError::Signature(_)), "{error:?}");
    let error = node
        .execute(
            tx.clone(),
            vec![authenticate(&tx, &Secp256r1PrivateKey::new([14; 32]))],
        )
        .expect_err("signed by another key");
    assert!(matches!(error, TxError::Signature(_)), "{error:?}");

    let done = node
        .execute(tx.clone(), vec![authenticate(&tx, &key)])
        .expect("execute");
    let TransactionEffects::V2(e) = &done.effects else {
        panic!("v2")
    };
    assert_eq!(e.status, ExecutionStatus::Success, "{:?}", e.status);
    assert_eq!(node.balances(to).values().next().map(|b| b.1), Some(1));
}
