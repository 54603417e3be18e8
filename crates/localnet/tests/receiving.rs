//! Receiving inputs (Sui's "transfer to object"): an object sent to an object's ID is received
//! in a later transaction through a native that holds the parent by `&mut`, with Sui's input
//! checks, `Receiving<T>` typing, `0x2::transfer::receive_impl` aborts and effects.
//!
//! The test-only package `0xcafe::wallet` (registered here, not in the library) has an owned
//! `Wallet { id: UID }` and natives built on `NativeContext::receive`.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use haulout_localnet::Abilities;
use haulout_localnet::ExecutedTx;
use haulout_localnet::FunctionSig;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::Param;
use haulout_localnet::SigType;
use haulout_localnet::TxError;
use haulout_localnet::Value;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_rpc::proto::sui::rpc::v2 as proto;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::ChangedObject;
use sui_sdk_types::Command;
use sui_sdk_types::CommandArgumentError;
use sui_sdk_types::Digest;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::IdOperation;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::MoveLocation;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectIn;
use sui_sdk_types::ObjectOut;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::StructTag;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEffectsV2;
use sui_sdk_types::TypeTag;
use support::*;

const PACKAGE: Address = Address::from_static("0xcafe");
const SUI: u64 = 1_000_000_000;

fn wallet_type() -> StructTag {
    StructTag::new(
        PACKAGE,
        Identifier::from_static("wallet"),
        Identifier::from_static("Wallet"),
        vec![],
    )
}

fn wallet_sig() -> SigType {
    SigType::datatype(PACKAGE, "wallet", "Wallet", vec![])
}

fn sui_coin_sig() -> SigType {
    SigType::datatype(
        Address::TWO,
        "coin",
        "Coin",
        vec![SigType::datatype(Address::TWO, "sui", "SUI", vec![])],
    )
}

fn parent_of(wallet: &Value) -> Result<Address, ExecutionError> {
    wallet.object_id().ok_or(ExecutionError::InvariantViolation)
}

/// The Sui framework plus `0xcafe::wallet`:
/// `new(ctx): Wallet`,
/// `receive_coin(w: &mut Wallet, r: Receiving<Coin<SUI>>): Coin<SUI>`,
/// `receive<T: key + store>(w: &mut Wallet, r: Receiving<T>): T`,
/// `set_field(w: &mut Wallet, v: u64)` (a dynamic field: an object owned by the wallet).
fn registry() -> NativeRegistry {
    let mut r = NativeRegistry::with_sui_framework();
    r.register_datatype(PACKAGE, "wallet", "Wallet", Abilities::OBJECT);
    r.register(
        PACKAGE,
        "wallet",
        "new",
        FunctionSig {
            type_params: vec![],
            params: vec![Param::TxContext { mutable: true }],
            returns: vec![wallet_sig()],
            is_entry: false,
        },
        Arc::new(|ctx, _, _| {
            let id = ctx.fresh_id();
            Ok(vec![Value::typed(
                wallet_type().into(),
                id.as_bytes().to_vec(),
            )])
        }),
    );
    r.register(
        PACKAGE,
        "wallet",
        "receive_coin",
        FunctionSig {
            type_params: vec![],
            params: vec![
                Param::MutRef(wallet_sig()),
                Param::Val(SigType::receiving(sui_coin_sig())),
            ],
            returns: vec![sui_coin_sig()],
            is_entry: false,
        },
        Arc::new(|ctx, _, a| Ok(vec![ctx.receive(parent_of(&a[0])?, &a[1])?])),
    );
    r.register(
        PACKAGE,
        "wallet",
        "receive",
        FunctionSig {
            type_params: vec![Abilities::OBJECT],
            params: vec![
                Param::MutRef(wallet_sig()),
                Param::Val(SigType::receiving(SigType::TypeParam(0))),
            ],
            returns: vec![SigType::TypeParam(0)],
            is_entry: false,
        },
        Arc::new(|ctx, _, a| Ok(vec![ctx.receive(parent_of(&a[0])?, &a[1])?])),
    );
    r.register(
        PACKAGE,
        "wallet",
        "set_field",
        FunctionSig {
            type_params: vec![],
            params: vec![Param::MutRef(wallet_sig()), Param::Val(SigType::U64)],
            returns: vec![],
            is_entry: false,
        },
        Arc::new(|ctx, _, a| {
            ctx.set_dynamic_field(
                parent_of(&a[0])?,
                TypeTag::U64,
                a[1].bytes.clone(),
                TypeTag::U64,
                a[1].bytes.clone(),
            );
            Ok(vec![])
        }),
    );
    r
}

fn call_at(
    package: Address,
    module: &str,
    function: &str,
    type_arguments: Vec<TypeTag>,
    arguments: Vec<Argument>,
) -> Command {
    Command::MoveCall(MoveCall {
        package,
        module: Identifier::new(module).expect("module"),
        function: Identifier::new(function).expect("function"),
        type_arguments,
        arguments,
    })
}

fn wallet_call(function: &str, type_arguments: Vec<TypeTag>, arguments: Vec<Argument>) -> Command {
    call_at(PACKAGE, "wallet", function, type_arguments, arguments)
}

/// A call of `0x2::transfer::function`.
fn transfer_module_call(
    function: &str,
    type_arguments: Vec<TypeTag>,
    arguments: Vec<Argument>,
) -> Command {
    call_at(
        Address::TWO,
        "transfer",
        function,
        type_arguments,
        arguments,
    )
}

/// `wallet::receive_coin` of the receiving input 1 through the wallet of input 0.
fn receive_coin() -> Command {
    wallet_call(
        "receive_coin",
        vec![],
        vec![Argument::Input(0), Argument::Input(1)],
    )
}

/// `wallet::receive<object_type>` of the receiving input 1 through the wallet of input 0.
fn receive_as(object_type: TypeTag) -> Command {
    wallet_call(
        "receive",
        vec![object_type],
        vec![Argument::Input(0), Argument::Input(1)],
    )
}

/// `receive` (one of the above), then what it returned sent to the address of input 2.
fn and_forward(receive: Command) -> Vec<Command> {
    vec![
        receive,
        transfer(vec![Argument::Result(0)], Argument::Input(2)),
    ]
}

fn transfer(objects: Vec<Argument>, address: Argument) -> Command {
    Command::TransferObjects(sui_sdk_types::TransferObjects { objects, address })
}

fn pure_address(a: Address) -> Input {
    Input::Pure(a.as_bytes().to_vec())
}

/// `wallet::new`, the new wallet sent to `owner`.
fn new_wallet_ptb(owner: Address) -> ProgrammableTransaction {
    ProgrammableTransaction {
        inputs: vec![pure_address(owner)],
        commands: vec![
            wallet_call("new", vec![], vec![]),
            transfer(vec![Argument::Result(0)], Argument::Input(0)),
        ],
    }
}

/// The key of SUI in `Node::balances`.
fn sui_key() -> String {
    TypeTag::from(StructTag::sui()).to_string()
}

fn sui_coin() -> TypeTag {
    StructTag::gas_coin().into()
}

fn effects(tx: &ExecutedTx) -> &TransactionEffectsV2 {
    let TransactionEffects::V2(e) = &tx.effects else {
        panic!("v2 effects")
    };
    e
}

fn change(tx: &ExecutedTx, id: Address) -> Option<&ChangedObject> {
    effects(tx)
        .changed_objects
        .iter()
        .find(|c| c.object_id == id)
}

fn assert_success(tx: &ExecutedTx) {
    assert_eq!(effects(tx).status, ExecutionStatus::Success, "{tx:?}");
}

/// `0x2::transfer::receive_impl`'s abort location (function index 15 in the current framework).
fn receive_abort(code: u64) -> ExecutionError {
    ExecutionError::MoveAbort {
        location: MoveLocation {
            package: Address::TWO,
            module: Identifier::from_static("transfer"),
            function: 15,
            instruction: 0,
            function_name: Some(Identifier::from_static("receive_impl")),
        },
        code,
    }
}

fn arg_error(argument: u16, kind: CommandArgumentError) -> ExecutionError {
    ExecutionError::CommandArgumentError { argument, kind }
}

/// One account's view of a chain opened on a temp dir with [`registry`].
struct World {
    dir: tempfile::TempDir,
    node: Arc<Node>,
    key: Ed25519PrivateKey,
    sender: Address,
    /// The coin every transaction pays gas with.
    gas: Address,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let (node, genesis) = Node::open(dir.path(), 1, registry()).expect("open");
        let key = genesis.expect("genesis").keys[0].clone();
        let sender = key.public_key().derive_address();
        let gas = node.owned_objects(sender, None, None, 1).0[0].object_id();
        Self {
            dir,
            node,
            key,
            sender,
            gas,
        }
    }

    /// A new chain where the sender owns a new wallet, which owns a coin of `amount` MIST sent
    /// to its ID: (the chain, the wallet's ID, the coin's ID).
    fn with_coin_in_wallet(amount: u64) -> (Self, Address, Address) {
        let w = Self::new();
        let wallet = w.new_wallet();
        let coin = w.send_sui(wallet, amount);
        (w, wallet, coin)
    }

    /// Seals the pending transactions, closes the chain and opens it again from disk.
    fn reopen(self) -> Self {
        self.node.seal_checkpoint(0).expect("seal");
        let Self {
            dir,
            node,
            key,
            sender,
            gas,
        } = self;
        drop(node);
        let (node, genesis) = Node::open(dir.path(), 1, registry()).expect("reopen");
        assert!(genesis.is_none(), "the chain was reopened, not created");
        Self {
            dir,
            node,
            key,
            sender,
            gas,
        }
    }

    fn object(&self, id: Address) -> Object {
        self.node.object(&id).expect("live object")
    }

    fn reference(&self, id: Address) -> ObjectReference {
        let o = self.object(id);
        ObjectReference::new(id, o.version(), o.digest())
    }

    fn try_run(
        &self,
        inputs: Vec<Input>,
        commands: Vec<Command>,
    ) -> Result<Arc<ExecutedTx>, TxError> {
        let tx = transaction(
            self.sender,
            vec![self.reference(self.gas)],
            BUDGET,
            ProgrammableTransaction { inputs, commands },
        );
        let signature = self.key.sign_transaction(&tx).expect("sign");
        self.node.execute(tx, vec![signature])
    }

    fn run(&self, inputs: Vec<Input>, commands: Vec<Command>) -> Arc<ExecutedTx> {
        self.try_run(inputs, commands).expect("accepted")
    }

    fn created(tx: &ExecutedTx) -> Address {
        let created: Vec<_> = effects(tx)
            .changed_objects
            .iter()
            .filter(|c| c.id_operation == IdOperation::Created)
            .collect();
        assert_eq!(created.len(), 1, "{tx:?}");
        created[0].object_id
    }

    /// Runs `ptb`, which must succeed and create one object; returns its ID.
    fn create(&self, ptb: ProgrammableTransaction) -> Address {
        let tx = self.run(ptb.inputs, ptb.commands);
        assert_success(&tx);
        Self::created(&tx)
    }

    /// A new `Wallet` owned by the sender.
    fn new_wallet(&self) -> Address {
        self.create(new_wallet_ptb(self.sender))
    }

    /// A new coin of `amount` MIST split off the gas coin and sent to `recipient`.
    fn send_sui(&self, recipient: Address, amount: u64) -> Address {
        self.create(transfer_ptb(amount, recipient))
    }

    /// Sends one of the sender's objects to `recipient` (an account's or an object's address).
    fn send_object(&self, id: Address, recipient: Address) {
        let tx = self.run(
            vec![
                Input::ImmutableOrOwned(self.reference(id)),
                pure_address(recipient),
            ],
            vec![transfer(vec![Argument::Input(0)], Argument::Input(1))],
        );
        assert_success(&tx);
    }

    fn gas_balance(&self) -> u64 {
        match self.object(self.gas).data() {
            sui_sdk_types::ObjectData::Struct(s) => {
                u64::from_le_bytes(s.contents()[32..40].try_into().expect("coin"))
            }
            sui_sdk_types::ObjectData::Package(_) => panic!("gas coin"),
        }
    }

    /// Runs a transaction that must fail with `error` at `command`: only the gas coin changes
    /// (it pays for the computation), every object in `watched` keeps its version and owner.
    fn run_failing(
        &self,
        inputs: Vec<Input>,
        commands: Vec<Command>,
        error: ExecutionError,
        command: Option<u64>,
        watched: &[Address],
    ) -> Arc<ExecutedTx> {
        let before: Vec<Object> = watched.iter().map(|id| self.object(*id)).collect();
        let gas_before = self.gas_balance();
        let tx = self.run(inputs, commands);
        let e = effects(&tx);
        assert_eq!(
            e.status,
            ExecutionStatus::Failure { error, command },
            "{tx:?}"
        );
        let changed: Vec<Address> = e.changed_objects.iter().map(|c| c.object_id).collect();
        assert_eq!(changed, vec![self.gas], "only the gas coin changes");
        let g = &e.gas_used;
        assert!(g.computation_cost > 0);
        let net = g.computation_cost + g.storage_cost - g.storage_rebate;
        assert_eq!(self.gas_balance(), gas_before - net, "gas is charged");
        for o in before {
            let now = self.object(o.object_id());
            assert_eq!((now.version(), *now.owner()), (o.version(), *o.owner()));
        }
        tx
    }

    /// Asserts the transaction is rejected before execution: nothing is charged or changed.
    fn rejected(&self, inputs: Vec<Input>, commands: Vec<Command>) -> TxError {
        let gas = self.reference(self.gas);
        let err = self.try_run(inputs, commands).expect_err("rejected");
        assert_eq!(self.reference(self.gas), gas, "nothing charged");
        err
    }

    /// The inputs of a receipt: the wallet `parent` (owned), then `object` as a receiving input.
    fn receipt(&self, parent: Address, object: ObjectReference) -> Vec<Input> {
        vec![
            Input::ImmutableOrOwned(self.reference(parent)),
            Input::Receiving(object),
        ]
    }

    /// The inputs of a [`Self::receipt`], then the sender's address to forward the object to.
    fn receipt_to_sender(&self, parent: Address, object: ObjectReference) -> Vec<Input> {
        let mut inputs = self.receipt(parent, object);
        inputs.push(pure_address(self.sender));
        inputs
    }

    /// Receives the coin `object` through the wallet `parent` and sends it to the sender.
    fn receive_and_forward(&self, parent: Address, object: ObjectReference) -> Arc<ExecutedTx> {
        self.run(
            self.receipt_to_sender(parent, object),
            and_forward(receive_coin()),
        )
    }

    /// A `receive_coin` of `object` through `parent`, which must be [`Self::rejected`].
    fn receipt_rejected(&self, parent: Address, object: ObjectReference) -> TxError {
        self.rejected(self.receipt(parent, object), vec![receive_coin()])
    }

    /// The object `id` given both as an owned and as a receiving input (and no commands), which
    /// must be [`Self::rejected`].
    fn owned_and_receiving_rejected(&self, id: Address) -> TxError {
        self.rejected(
            vec![
                Input::ImmutableOrOwned(self.reference(id)),
                Input::Receiving(self.reference(id)),
            ],
            vec![],
        )
    }

    /// A `receive_coin` of `object` through `parent`, its result left unused, which must fail
    /// as [`Self::run_failing`] checks.
    fn receipt_failing(
        &self,
        parent: Address,
        object: ObjectReference,
        error: ExecutionError,
        command: Option<u64>,
        watched: &[Address],
    ) -> Arc<ExecutedTx> {
        self.run_failing(
            self.receipt(parent, object),
            vec![receive_coin()],
            error,
            command,
            watched,
        )
    }
}

/// A coin sent to a wallet's ID is received into a PTB and forwarded to the sender: the
/// effects show it modified (input: the wallet-owned version; output: the sender's, at the
/// Lamport version), balances move, and a second receive at the old version aborts like Sui,
/// also after a restart (the received markers are rebuilt from the ledger).
#[test]
fn a_coin_sent_to_an_object_is_received_and_forwarded() {
    let (w, wallet, coin) = World::with_coin_in_wallet(7 * SUI);
    let sent = w.object(coin);
    assert_eq!(
        *sent.owner(),
        Owner::Address(wallet),
        "owned by the wallet's address"
    );
    assert_eq!(w.node.balances(wallet)[&sui_key()].1, 7 * SUI);
    let sender_before = w.node.balances(w.sender)[&sui_key()].1;
    let total_before = w.node.total_sui();
    let wallet_before = w.object(wallet);
    let gas_before = w.object(w.gas);

    let tx = w.receive_and_forward(wallet, w.reference(coin));
    assert_success(&tx);
    let e = effects(&tx);
    let lamport = 1 + sent
        .version()
        .max(wallet_before.version())
        .max(gas_before.version());
    assert_eq!(e.lamport_version, lamport);
    let received = change(&tx, coin).expect("the received coin is in the effects");
    assert_eq!(
        received.input_state,
        ObjectIn::Exist {
            version: sent.version(),
            digest: sent.digest(),
            owner: Owner::Address(wallet),
        }
    );
    let now = w.object(coin);
    assert_eq!(
        received.output_state,
        ObjectOut::ObjectWrite {
            digest: now.digest(),
            owner: Owner::Address(w.sender),
        }
    );
    assert_eq!(
        received.id_operation,
        IdOperation::None,
        "modified, not created"
    );
    assert_eq!(now.version(), lamport);
    assert_eq!(now.previous_transaction(), e.transaction_digest);
    assert_eq!(*now.owner(), Owner::Address(w.sender));
    assert_eq!(
        w.object(wallet).version(),
        lamport,
        "the parent was a mutable input"
    );
    let changed: BTreeSet<Address> = e.changed_objects.iter().map(|c| c.object_id).collect();
    assert_eq!(changed, BTreeSet::from([wallet, coin, w.gas]));
    assert!(e.dependencies.contains(&sent.previous_transaction()));
    assert!(
        tx.input_objects
            .iter()
            .any(|o| o.object_id() == coin && o.version() == sent.version()),
        "the received coin is an input object at its old version"
    );
    // The rebate of the received coin's old version is returned, as for any modified object.
    let rebates =
        sent.storage_rebate() + wallet_before.storage_rebate() + gas_before.storage_rebate();
    assert_eq!(
        e.gas_used.storage_rebate + e.gas_used.non_refundable_storage_fee,
        rebates
    );

    // Balances: the wallet's coin went to the sender, who also paid gas; no SUI is created.
    let net_gas = e.gas_used.computation_cost + e.gas_used.storage_cost - e.gas_used.storage_rebate;
    assert!(!w.node.balances(wallet).contains_key(&sui_key()));
    assert_eq!(
        w.node.balances(w.sender)[&sui_key()].1,
        sender_before + 7 * SUI - net_gas
    );
    assert_eq!(w.node.total_sui(), total_before);
    let delta = |a: Address| {
        tx.balance_changes
            .iter()
            .find(|b| b.address == a)
            .map(|b| b.amount)
    };
    assert_eq!(delta(wallet), Some(-i128::from(7 * SUI)));
    assert_eq!(
        delta(w.sender),
        Some(i128::from(7 * SUI) - i128::from(net_gas))
    );

    // Receiving again at the version it was received at passes the input checks (Sui lets a
    // received version through) and aborts in `receive_impl` with EUnableToReceiveObject.
    let stale = ObjectReference::new(coin, sent.version(), sent.digest());
    let again = |w: &World| {
        w.run_failing(
            w.receipt_to_sender(wallet, stale.clone()),
            and_forward(receive_coin()),
            receive_abort(3),
            Some(0),
            &[wallet, coin],
        )
    };
    let lamport = 1 + w.object(wallet).version().max(w.object(w.gas).version());
    let failed = again(&w);
    assert_eq!(effects(&failed).lamport_version, lamport);
    let w = w.reopen();
    again(&w);

    // A version the coin never had at the wallet is rejected before execution.
    let never = ObjectReference::new(coin, sent.version() - 1, sent.digest());
    let err = w.receipt_rejected(wallet, never);
    assert!(
        matches!(err, TxError::StaleObject { id, .. } if id == coin),
        "{err}"
    );
}

/// What Sui checks about a receiving input before execution (`check_receiving_objects`), with
/// nothing charged on rejection: version, digest, existence, ownership kind, duplicates.
#[test]
fn receiving_inputs_are_checked_like_sui() {
    let (w, wallet, coin) = World::with_coin_in_wallet(SUI);
    let r = w.reference(coin);

    let err = w.receipt_rejected(
        wallet,
        ObjectReference::new(coin, r.version() + 1, *r.digest()),
    );
    assert!(
        matches!(err, TxError::StaleObject { given, current, .. } if given == r.version() + 1 && current == r.version()),
        "{err}"
    );
    let err = w.receipt_rejected(
        wallet,
        ObjectReference::new(coin, r.version(), Digest::new([7; 32])),
    );
    assert!(
        matches!(err, TxError::DigestMismatch { id, .. } if id == coin),
        "{err}"
    );
    let missing = Address::new([0x42; 32]);
    let err = w.receipt_rejected(wallet, ObjectReference::new(missing, 1, *r.digest()));
    assert!(
        matches!(err, TxError::ObjectNotFound { id } if id == missing),
        "{err}"
    );
    let err = w.receipt_rejected(wallet, ObjectReference::new(coin, u64::MAX, *r.digest()));
    assert!(matches!(err, TxError::Malformed(_)), "{err}");

    // The Clock is shared; a frozen coin is immutable; a dynamic field is owned by an object.
    let clock = w.object(haulout_localnet::CLOCK_ID);
    let err = w.receipt_rejected(
        wallet,
        ObjectReference::new(haulout_localnet::CLOCK_ID, clock.version(), clock.digest()),
    );
    assert!(matches!(err, TxError::SharedObjectReceived { .. }), "{err}");
    let frozen = w.send_sui(w.sender, SUI);
    let tx = w.run(
        vec![Input::ImmutableOrOwned(w.reference(frozen))],
        vec![transfer_module_call(
            "public_freeze_object",
            vec![sui_coin()],
            vec![Argument::Input(0)],
        )],
    );
    assert_success(&tx);
    let err = w.receipt_rejected(wallet, w.reference(frozen));
    assert!(
        matches!(err, TxError::ImmutableObjectReceived { id } if id == frozen),
        "{err}"
    );
    let tx = w.run(
        vec![
            Input::ImmutableOrOwned(w.reference(wallet)),
            Input::Pure(5u64.to_le_bytes().to_vec()),
        ],
        vec![wallet_call(
            "set_field",
            vec![],
            vec![Argument::Input(0), Argument::Input(1)],
        )],
    );
    assert_success(&tx);
    let field = wallet.derive_dynamic_child_id(&TypeTag::U64, &5u64.to_le_bytes());
    let err = w.receipt_rejected(wallet, w.reference(field));
    assert!(
        matches!(err, TxError::ChildObjectInput { child, parent } if child == field && parent == wallet),
        "{err}"
    );

    // Duplicates: twice as receiving, as receiving and owned, as receiving and gas.
    let r = w.reference(coin);
    let mut inputs = w.receipt(wallet, r.clone());
    inputs.push(Input::Receiving(r.clone()));
    let err = w.rejected(inputs, vec![receive_coin()]);
    assert!(
        matches!(err, TxError::DuplicateObjectRefInput { id } if id == coin),
        "{err}"
    );
    let mine = w.send_sui(w.sender, SUI);
    let err = w.owned_and_receiving_rejected(mine);
    assert!(
        matches!(err, TxError::DuplicateObjectRefInput { id } if id == mine),
        "{err}"
    );
    let err = w.rejected(vec![Input::Receiving(w.reference(w.gas))], vec![]);
    assert!(
        matches!(err, TxError::DuplicateObjectRefInput { id } if id == w.gas),
        "{err}"
    );
    // An owned input is checked before a receiving one, as in Sui.
    let err = w.owned_and_receiving_rejected(coin);
    assert!(
        matches!(err, TxError::NotOwned { id, .. } if id == coin),
        "{err}"
    );
}

/// The runtime checks of `receive_impl`: the object must be owned by the parent it is received
/// through (EUnableToReceiveObject = 3) and be of the `Receiving`'s type
/// (EReceivingObjectTypeMismatch = 2). Failures charge gas and change nothing else.
#[test]
fn receive_aborts_for_another_parent_or_another_type() {
    let w = World::new();
    let wallet = w.new_wallet();
    let other = w.new_wallet();
    let coin = w.send_sui(other, 3 * SUI);

    // Owned by another wallet.
    w.receipt_failing(
        wallet,
        w.reference(coin),
        receive_abort(3),
        Some(0),
        &[wallet, other, coin],
    );
    // Owned by the sender itself (an address, not the wallet): also not receivable there.
    let mine = w.send_sui(w.sender, SUI);
    w.receipt_failing(
        wallet,
        w.reference(mine),
        receive_abort(3),
        Some(0),
        &[wallet, mine],
    );

    // A wallet sent to the wallet is not a `Coin<SUI>`.
    let inner = w.new_wallet();
    w.send_object(inner, wallet);
    w.receipt_failing(
        wallet,
        w.reference(inner),
        receive_abort(2),
        Some(0),
        &[wallet, inner],
    );
    // Received at its own type, it can be forwarded like any object.
    let tx = w.run(
        w.receipt_to_sender(wallet, w.reference(inner)),
        and_forward(receive_as(wallet_type().into())),
    );
    assert_success(&tx);
    assert_eq!(*w.object(inner).owner(), Owner::Address(w.sender));

    // The coin of the other wallet is received through its own parent.
    let tx = w.receive_and_forward(other, w.reference(coin));
    assert_success(&tx);
    // Received but left in a result: an object without `drop` cannot be left unused.
    let coin2 = w.send_sui(wallet, SUI);
    w.receipt_failing(
        wallet,
        w.reference(coin2),
        ExecutionError::UnusedValueWithoutDrop {
            result: 0,
            subresult: 0,
        },
        None,
        &[wallet, coin2],
    );
}

/// A receiving input is a `Receiving<T>` value: it only goes where a function takes a
/// `Receiving<T>` (by value, or by `&` for `receiving_object_id`), its `T` is fixed by its
/// first use by value, and a PTB cannot call the private `transfer::receive` nor produce the
/// `&mut UID` of `transfer::public_receive`.
#[test]
fn receiving_values_only_fit_receiving_parameters() {
    let (w, wallet, coin) = World::with_coin_in_wallet(SUI);
    let inputs = || w.receipt_to_sender(wallet, w.reference(coin));
    let watched = [wallet, coin];
    // `commands` must fail at their first command with `error`, changing nothing but gas.
    let fails = |commands: Vec<Command>, error: ExecutionError| {
        w.run_failing(inputs(), commands, error, Some(0), &watched)
    };

    // Where a coin is expected.
    fails(
        vec![call_at(
            Address::TWO,
            "coin",
            "value",
            vec![sui_coin()],
            vec![Argument::Input(1)],
        )],
        arg_error(0, CommandArgumentError::TypeMismatch),
    );
    fails(
        vec![transfer(vec![Argument::Input(1)], Argument::Input(2))],
        arg_error(0, CommandArgumentError::TypeMismatch),
    );
    // A `Receiving<T>` is not an object: it cannot be transferred as one.
    fails(
        vec![transfer_module_call(
            "public_transfer",
            vec![haulout_localnet::receiving_type(sui_coin()).into()],
            vec![Argument::Input(1), Argument::Input(2)],
        )],
        ExecutionError::TypeArgumentError {
            type_argument: 0,
            kind: sui_sdk_types::TypeArgumentError::ConstraintNotSatisfied,
        },
    );
    // A pure value where a `Receiving<T>` is expected.
    fails(
        vec![wallet_call(
            "receive_coin",
            vec![],
            vec![Argument::Input(0), Argument::Input(2)],
        )],
        arg_error(1, CommandArgumentError::InvalidUsageOfPureArgument),
    );
    // Moved twice.
    let mut twice = and_forward(receive_coin());
    twice.push(receive_coin());
    w.run_failing(
        inputs(),
        twice,
        arg_error(1, CommandArgumentError::InvalidValueUsage),
        Some(2),
        &watched,
    );
    // Receiving inputs are untyped until used: any `vector<Receiving<T>>` takes them, and the
    // object is not loaded (its type is only checked when received).
    let tx = w.run(
        inputs(),
        vec![Command::MakeMoveVector(sui_sdk_types::MakeMoveVector {
            type_: Some(haulout_localnet::receiving_type(wallet_type().into()).into()),
            elements: vec![Argument::Input(1)],
        })],
    );
    assert_success(&tx);
    assert!(change(&tx, coin).is_none());
    // Without a type, MakeMoveVec needs an object first.
    fails(
        vec![Command::MakeMoveVector(sui_sdk_types::MakeMoveVector {
            type_: None,
            elements: vec![Argument::Input(1)],
        })],
        arg_error(0, CommandArgumentError::InvalidMakeMoveVecNonObjectArgument),
    );
    // The private `receive` cannot be called from a PTB; `public_receive` needs a `&mut UID`.
    fails(
        vec![transfer_module_call(
            "receive",
            vec![sui_coin()],
            vec![Argument::Input(0), Argument::Input(1)],
        )],
        ExecutionError::NonEntryFunctionInvoked,
    );
    fails(
        vec![transfer_module_call(
            "public_receive",
            vec![sui_coin()],
            vec![Argument::Input(0), Argument::Input(1)],
        )],
        arg_error(0, CommandArgumentError::TypeMismatch),
    );

    // By `&`, even at another `T`, the value keeps its freedom (as pure inputs do): it is then
    // received as a coin. `receiving_object_id` returns the ID (a value with `drop`).
    let tx = w.run(
        inputs(),
        vec![
            transfer_module_call(
                "receiving_object_id",
                vec![wallet_type().into()],
                vec![Argument::Input(1)],
            ),
            receive_coin(),
            transfer(vec![Argument::Result(1)], Argument::Input(2)),
        ],
    );
    assert_success(&tx);
    assert_eq!(*w.object(coin).owner(), Owner::Address(w.sender));
}

/// An unused receiving input (or one only read by `&`) changes nothing and is not in the
/// effects: the object keeps its version and owner, and is neither an input object nor a
/// dependency; its version still counts for the Lamport version, as in Sui.
#[test]
fn an_unused_receiving_input_changes_nothing() {
    let (w, wallet, coin) = World::with_coin_in_wallet(SUI);
    // Another transaction, so the coin's previous transaction is not the gas coin's.
    let mine = w.send_sui(w.sender, SUI);
    let sent = w.object(coin);
    let gas = w.object(w.gas);
    for commands in [
        vec![],
        vec![transfer_module_call(
            "receiving_object_id",
            vec![sui_coin()],
            vec![Argument::Input(0)],
        )],
    ] {
        let gas_version = w.object(w.gas).version();
        let tx = w.run(vec![Input::Receiving(w.reference(coin))], commands);
        assert_success(&tx);
        let e = effects(&tx);
        let changed: Vec<Address> = e.changed_objects.iter().map(|c| c.object_id).collect();
        assert_eq!(changed, vec![w.gas]);
        assert_eq!(e.lamport_version, 1 + gas_version.max(sent.version()));
        assert!(!e.dependencies.contains(&sent.previous_transaction()));
        assert!(tx.input_objects.iter().all(|o| o.object_id() != coin));
        let now = w.object(coin);
        assert_eq!(
            (now.version(), now.digest(), *now.owner()),
            (sent.version(), sent.digest(), Owner::Address(wallet))
        );
    }
    assert!(sent.previous_transaction() != gas.previous_transaction());
    // A receiving input may name any address-owned object, e.g. the sender's own coin.
    let tx = w.run(vec![Input::Receiving(w.reference(mine))], vec![]);
    assert_success(&tx);
    assert!(change(&tx, mine).is_none());
}

fn changed_object(executed: &proto::ExecutedTransaction, id: Address) -> &proto::ChangedObject {
    executed
        .effects
        .as_ref()
        .expect("effects")
        .changed_objects
        .iter()
        .find(|c| c.object_id() == id.to_string())
        .expect("changed object")
}

/// The fields read back from `GetObject`.
const OBJECT_MASK: &str = "object_id,version,digest,owner";

/// The fields read back from `SimulateTransaction`.
const SIMULATE_MASK: &str = "transaction.transaction,transaction.effects";

/// Executes `ptb` from account 0 over gRPC; it must succeed and create one object, whose ID is
/// returned.
async fn create_through_grpc(chain: &mut Chain, ptb: ProgrammableTransaction) -> Address {
    let executed = chain.execute_ptb(0, ptb).await.expect("execute");
    assert!(status_success(&executed), "{executed:?}");
    created(&executed)
        .first()
        .expect("created")
        .object_id()
        .parse()
        .expect("id")
}

/// Through the real gRPC server with the `sui_rpc` client: `GetFunction` reports the
/// `Receiving<T>` parameters clients key on, `SimulateTransaction` resolves an object given by
/// ID alone into a receiving input (as Sui does for a `Receiving<T>` parameter), and the
/// executed transaction and the object read back show the receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_through_grpc_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut chain = Chain::start_with_registry(dir.path(), true, registry()).await;
    let alice = chain.address(0);
    let key = chain.keys[0].clone();

    for (package, module, function, index) in [
        ("0xcafe", "wallet", "receive_coin", 1),
        ("0x2", "transfer", "public_receive", 1),
        ("0x2", "transfer", "receiving_object_id", 0),
    ] {
        let f = chain.get_function(package, module, function).await;
        let body = f.parameters[index].body.as_ref().expect("body");
        let name: StructTag = format!("{}<u8>", body.type_name())
            .parse()
            .expect("type name");
        assert_eq!(
            (
                *name.address(),
                name.module().as_str(),
                name.name().as_str()
            ),
            (Address::TWO, "transfer", "Receiving"),
            "{function}"
        );
        assert_eq!(body.type_parameter_instantiation.len(), 1);
    }

    // A wallet, and a coin sent to it.
    let wallet = create_through_grpc(&mut chain, new_wallet_ptb(alice)).await;
    let coin = create_through_grpc(&mut chain, transfer_ptb(5 * SUI, wallet)).await;
    let sent = chain.get_object(coin, Some(OBJECT_MASK)).await;
    assert_eq!(
        sent.owner.as_ref().expect("owner").address(),
        wallet.to_string()
    );

    // The SDK's `Transaction.build()`: objects by ID only; the server resolves the coin, used
    // as a `Receiving<Coin<SUI>>`, into a receiving input.
    let wallet_ref = chain.get_object(wallet, Some(OBJECT_MASK)).await;
    let placeholder = ObjectReference::new(Address::ZERO, 0, Digest::new([0; 32]));
    let ptb = ProgrammableTransaction {
        inputs: vec![
            Input::ImmutableOrOwned(placeholder.clone()),
            Input::ImmutableOrOwned(placeholder.clone()),
            pure_address(alice),
        ],
        commands: and_forward(receive_coin()),
    };
    let by_id = |inputs: &mut Vec<proto::Input>| {
        for (input, id) in inputs.iter_mut().zip([wallet, coin]) {
            input.object_id = Some(id.to_string());
            unresolve(input);
        }
    };
    let simulated = chain
        .simulate(alice, ptb.clone(), SIMULATE_MASK, by_id)
        .await
        .expect("simulate");
    assert!(status_success(&simulated), "{simulated:?}");
    let mut resolved = simulated.transaction.expect("resolved");
    resolved.version = Some(1);
    let resolved = sui_sdk_types::Transaction::try_from(&resolved).expect("fully resolved");
    let sui_sdk_types::TransactionKind::ProgrammableTransaction(p) = &resolved.kind else {
        panic!("programmable transaction");
    };
    assert_eq!(
        p.inputs[1],
        Input::Receiving(ObjectReference::new(
            coin,
            sent.version(),
            sent.digest().parse().expect("digest")
        ))
    );
    assert_eq!(
        p.inputs[0],
        Input::ImmutableOrOwned(ObjectReference::new(
            wallet,
            wallet_ref.version(),
            wallet_ref.digest().parse().expect("digest")
        ))
    );
    // A receiving input with a version that is not the object's is refused, as by Sui.
    let err = chain
        .simulate(alice, ptb, SIMULATE_MASK, |inputs| {
            by_id(inputs);
            inputs[1].kind = Some(proto::input::InputKind::Receiving as i32);
            inputs[1].version = Some(sent.version() - 1);
        })
        .await
        .expect_err("stale receiving version");
    assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err}");

    // Execute what simulation resolved, then read the coin back.
    let executed = chain.execute(&resolved, &key).await.expect("receive");
    assert!(status_success(&executed), "{executed:?}");
    let lamport = executed
        .effects
        .as_ref()
        .expect("effects")
        .lamport_version();
    let c = changed_object(&executed, coin);
    assert_eq!(c.input_version(), sent.version());
    assert_eq!(c.input_digest(), sent.digest());
    assert_eq!(
        c.input_owner.as_ref().expect("input owner").address(),
        wallet.to_string()
    );
    assert_eq!(c.output_version(), lamport);
    assert_eq!(
        c.output_owner.as_ref().expect("output owner").address(),
        alice.to_string()
    );
    assert_eq!(c.id_operation(), proto::changed_object::IdOperation::None);
    let now = chain.get_object(coin, Some(OBJECT_MASK)).await;
    assert_eq!(now.version(), lamport);
    assert_eq!(
        now.owner.as_ref().expect("owner").address(),
        alice.to_string()
    );
    assert!(
        chain
            .coins(alice)
            .await
            .iter()
            .any(|(r, balance)| *r.object_id() == coin && *balance == 5 * SUI)
    );
    chain.stop().await;
}
