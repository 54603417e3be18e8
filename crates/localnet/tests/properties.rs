//! Property tests of the executor: random coin operations keep the SUI supply constant and
//! every object's version strictly increasing, whether transactions succeed or fail.

use std::collections::BTreeMap;

use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::TypeFilter;
use proptest::prelude::*;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::GasPayment;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;

#[derive(Clone, Debug)]
enum Op {
    /// Split `permille`/1000 of a coin (values above 1000 overdraw) and send it to `to`.
    Split {
        from: usize,
        coin: usize,
        permille: u64,
        to: usize,
    },
    /// Merge one coin into another with `MergeCoins`.
    Merge { from: usize, a: usize, b: usize },
    /// Send a whole coin.
    Transfer { from: usize, coin: usize, to: usize },
    /// `0x2::coin::join` through the native table.
    Join { from: usize, a: usize, b: usize },
    /// Pay with several gas coins (smashing).
    SmashGas { from: usize, n: usize },
    /// Seal a checkpoint (moves the Clock).
    Checkpoint,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 0..8usize, 0..1_200u64, 0..2usize).prop_map(|(from, coin, permille, to)| {
            Op::Split {
                from,
                coin,
                permille,
                to,
            }
        }),
        (0..2usize, 0..8usize, 0..8usize).prop_map(|(from, a, b)| Op::Merge { from, a, b }),
        (0..2usize, 0..8usize, 0..2usize).prop_map(|(from, coin, to)| Op::Transfer {
            from,
            coin,
            to
        }),
        (0..2usize, 0..8usize, 0..8usize).prop_map(|(from, a, b)| Op::Join { from, a, b }),
        (0..2usize, 1..4usize).prop_map(|(from, n)| Op::SmashGas { from, n }),
        Just(Op::Checkpoint),
    ]
}

fn coins(node: &Node, owner: Address) -> Vec<Object> {
    node.owned_objects(
        owner,
        Some(&TypeFilter::Exact(StructTag::gas_coin())),
        None,
        usize::MAX,
    )
    .0
}

fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

fn balance(o: &Object) -> u64 {
    let sui_sdk_types::ObjectData::Struct(s) = o.data() else {
        return 0;
    };
    u64::from_le_bytes(s.contents()[32..40].try_into().expect("coin"))
}

fn run(
    node: &Node,
    key: &Ed25519PrivateKey,
    gas: Vec<ObjectReference>,
    ptb: ProgrammableTransaction,
) -> Option<std::sync::Arc<haulout_localnet::ExecutedTx>> {
    let sender = key.public_key().derive_address();
    let tx = Transaction {
        kind: TransactionKind::ProgrammableTransaction(ptb),
        sender,
        gas_payment: GasPayment {
            objects: gas,
            owner: sender,
            price: haulout_localnet::REFERENCE_GAS_PRICE,
            budget: 10_000_000,
        },
        expiration: TransactionExpiration::None,
    };
    let signature = key.sign_transaction(&tx).expect("sign");
    // Rejections (e.g. an object used twice) are fine: they must change nothing.
    node.execute(tx, vec![signature]).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn coin_operations_keep_supply_and_raise_versions(ops in prop::collection::vec(op(), 1..16)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (node, genesis) = Node::open(dir.path(), 2, NativeRegistry::with_sui_framework()).expect("open");
        let keys = genesis.expect("genesis").keys;
        let addresses: Vec<Address> = keys.iter().map(|k| k.public_key().derive_address()).collect();
        let supply = node.total_sui();
        let mut versions: BTreeMap<Address, u64> = BTreeMap::new();
        let mut now = 1_000;
        for op in ops {
            let (from, ptb, gas) = match op {
                Op::Checkpoint => {
                    now += 1_000;
                    node.seal_checkpoint(now).expect("seal");
                    continue;
                }
                Op::Split { from, coin, permille, to } => {
                    let c = coins(&node, addresses[from]);
                    let (Some(gas), Some(coin)) = (c.first(), c.get(coin % c.len().max(1))) else { continue };
                    let amount = u64::try_from(u128::from(balance(coin)) * u128::from(permille) / 1000).unwrap_or(u64::MAX);
                    let coin_arg = if coin.object_id() == gas.object_id() { Argument::Gas } else { Argument::Input(2) };
                    let mut inputs = vec![Input::Pure(amount.to_le_bytes().to_vec()), Input::Pure(addresses[to].as_bytes().to_vec())];
                    if coin_arg != Argument::Gas {
                        inputs.push(Input::ImmutableOrOwned(reference(coin)));
                    }
                    let ptb = ProgrammableTransaction {
                        inputs,
                        commands: vec![
                            Command::SplitCoins(sui_sdk_types::SplitCoins { coin: coin_arg, amounts: vec![Argument::Input(0)] }),
                            Command::TransferObjects(sui_sdk_types::TransferObjects { objects: vec![Argument::NestedResult(0, 0)], address: Argument::Input(1) }),
                        ],
                    };
                    (from, ptb, vec![reference(gas)])
                }
                Op::Merge { from, a, b } | Op::Join { from, a, b } => {
                    let c = coins(&node, addresses[from]);
                    if c.len() < 3 { continue }
                    let (a, b) = (1 + a % (c.len() - 1), 1 + b % (c.len() - 1));
                    // The same coin on both sides is one input used twice (which must fail
                    // without creating or destroying SUI).
                    let (inputs, other) = if a == b {
                        (vec![Input::ImmutableOrOwned(reference(&c[a]))], Argument::Input(0))
                    } else {
                        (vec![Input::ImmutableOrOwned(reference(&c[a])), Input::ImmutableOrOwned(reference(&c[b]))], Argument::Input(1))
                    };
                    let command = if matches!(op, Op::Merge { .. }) {
                        Command::MergeCoins(sui_sdk_types::MergeCoins { coin: Argument::Input(0), coins_to_merge: vec![other] })
                    } else {
                        Command::MoveCall(MoveCall {
                            package: Address::TWO,
                            module: Identifier::new("coin").expect("id"),
                            function: Identifier::new("join").expect("id"),
                            type_arguments: vec![StructTag::sui().into()],
                            arguments: vec![Argument::Input(0), other],
                        })
                    };
                    (from, ProgrammableTransaction { inputs, commands: vec![command] }, vec![reference(&c[0])])
                }
                Op::Transfer { from, coin, to } => {
                    let c = coins(&node, addresses[from]);
                    if c.len() < 2 { continue }
                    let coin = 1 + coin % (c.len() - 1);
                    let ptb = ProgrammableTransaction {
                        inputs: vec![Input::ImmutableOrOwned(reference(&c[coin])), Input::Pure(addresses[to].as_bytes().to_vec())],
                        commands: vec![Command::TransferObjects(sui_sdk_types::TransferObjects { objects: vec![Argument::Input(0)], address: Argument::Input(1) })],
                    };
                    (from, ptb, vec![reference(&c[0])])
                }
                Op::SmashGas { from, n } => {
                    let c = coins(&node, addresses[from]);
                    let gas: Vec<ObjectReference> = c.iter().take(n).map(reference).collect();
                    let ptb = ProgrammableTransaction {
                        inputs: vec![Input::Pure(1u64.to_le_bytes().to_vec()), Input::Pure(addresses[1 - from].as_bytes().to_vec())],
                        commands: vec![
                            Command::SplitCoins(sui_sdk_types::SplitCoins { coin: Argument::Gas, amounts: vec![Argument::Input(0)] }),
                            Command::TransferObjects(sui_sdk_types::TransferObjects { objects: vec![Argument::NestedResult(0, 0)], address: Argument::Input(1) }),
                        ],
                    };
                    (from, ptb, gas)
                }
            };
            let before = node.total_sui();
            let executed = run(&node, &keys[from], gas, ptb);
            prop_assert_eq!(before, supply);
            prop_assert_eq!(node.total_sui(), supply, "supply changed after {:?}", op);
            let Some(executed) = executed else { continue };
            for o in &executed.output_objects {
                if let Some(input) = executed.input_objects.iter().find(|i| i.object_id() == o.object_id()) {
                    prop_assert!(o.version() > input.version(), "{} not above its input version", o.object_id());
                }
                let previous = versions.insert(o.object_id(), o.version());
                prop_assert!(previous.is_none_or(|p| o.version() > p), "version of {} did not increase", o.object_id());
            }
        }
    }
}
