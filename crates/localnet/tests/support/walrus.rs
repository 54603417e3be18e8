//! Shared by the in-process Walrus tests (`walrus.rs`, `governance.rs`): a chain with the Walrus
//! packages opened in a temp dir, transaction builders, typed reads of the Walrus objects, and
//! real epoch changes driven by checkpoints with explicit timestamps.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use haulout_localnet::ExecutedTx;
use haulout_localnet::FunctionSig;
use haulout_localnet::NativeRegistry;
use haulout_localnet::Node;
use haulout_localnet::Param;
use haulout_localnet::SigType;
use haulout_localnet::TypeFilter;
use haulout_localnet::Value;
use haulout_localnet::walrus;
use haulout_localnet::walrus::WalrusArgs;
use haulout_localnet::walrus::genesis::GenesisOutput;
use haulout_types::ActiveSet;
use haulout_types::EpochState;
use haulout_types::ExtendedFieldKey;
use haulout_types::Field;
use haulout_types::MoveStruct;
use haulout_types::MoveType;
use haulout_types::StakedWal;
use haulout_types::StakingInnerV1;
use haulout_types::SystemStateInnerV1;
use haulout_types::Wal;
use sui_crypto::SuiSigner as _;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_sdk_types::Address;
use sui_sdk_types::Argument;
use sui_sdk_types::Command;
use sui_sdk_types::ExecutionError;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::IdOperation;
use sui_sdk_types::Identifier;
use sui_sdk_types::Input;
use sui_sdk_types::MoveCall;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectData;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::ProgrammableTransaction;
use sui_sdk_types::SharedInput;
use sui_sdk_types::StructTag;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEffectsV2;
use sui_sdk_types::TypeTag;

/// FROST per WAL.
pub const FROST: u64 = 1_000_000_000;

/// The BCS contents of a Move object.
pub fn contents(o: &Object) -> &[u8] {
    match o.data() {
        ObjectData::Struct(s) => s.contents(),
        ObjectData::Package(_) => panic!("package"),
    }
}

pub fn reference(o: &Object) -> ObjectReference {
    ObjectReference::new(o.object_id(), o.version(), o.digest())
}

pub fn addr(s: &str) -> Address {
    s.parse().unwrap()
}

pub fn pure<T: serde::Serialize>(v: &T) -> Input {
    Input::Pure(bcs::to_bytes(v).unwrap())
}

pub fn packages() -> haulout_types::Packages {
    walrus::packages()
}

/// `walrus::<module>::<function>(arguments)`.
pub fn call(module: &str, function: &str, arguments: Vec<Argument>) -> Command {
    call_at(walrus::walrus_package(), module, function, arguments)
}

pub fn call_at(
    package: Address,
    module: &str,
    function: &str,
    arguments: Vec<Argument>,
) -> Command {
    Command::MoveCall(MoveCall {
        package,
        module: Identifier::new(module).unwrap(),
        function: Identifier::new(function).unwrap(),
        type_arguments: vec![],
        arguments,
    })
}

/// Transfers `objects` to the address in input `to`.
pub fn transfer(objects: Vec<Argument>, to: u16) -> Command {
    Command::TransferObjects(sui_sdk_types::TransferObjects {
        objects,
        address: Argument::Input(to),
    })
}

pub fn effects(tx: &ExecutedTx) -> &TransactionEffectsV2 {
    let TransactionEffects::V2(e) = &tx.effects else {
        panic!("v2")
    };
    e
}

pub fn status(tx: &ExecutedTx) -> ExecutionStatus {
    effects(tx).status.clone()
}

fn changed(tx: &ExecutedTx, operation: IdOperation) -> Vec<Address> {
    effects(tx)
        .changed_objects
        .iter()
        .filter(|c| c.id_operation == operation)
        .map(|c| c.object_id)
        .collect()
}

pub fn created(tx: &ExecutedTx) -> Vec<Address> {
    changed(tx, IdOperation::Created)
}

pub fn deleted(tx: &ExecutedTx) -> Vec<Address> {
    changed(tx, IdOperation::Deleted)
}

/// The abort `(module, code)` of a failed transaction.
pub fn aborted(tx: &ExecutedTx) -> (String, u64) {
    match status(tx) {
        ExecutionStatus::Failure {
            error: ExecutionError::MoveAbort { location, code },
            ..
        } => (location.module.as_str().to_owned(), code),
        other => panic!("expected an abort, got {other:?}"),
    }
}

/// The events of type `T` a transaction emitted, decoded.
pub fn events_of<T: MoveStruct + serde::de::DeserializeOwned>(tx: &ExecutedTx) -> Vec<T> {
    let tag = T::struct_tag(&packages());
    tx.events
        .as_ref()
        .map(|e| {
            e.0.iter()
                .filter(|e| e.type_ == tag)
                .map(|e| bcs::from_bytes(&e.contents).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// The Walrus natives plus `views_testing::expect_<ty>(actual, expected)` for bool, u8, u16,
/// u32 and u64 (test only: aborts with code 1 unless equal), to check what a view returns
/// inside a PTB.
pub fn registry_with_expect() -> NativeRegistry {
    let mut r = walrus::registry();
    for (name, ty) in [
        ("expect_bool", SigType::Bool),
        ("expect_u8", SigType::U8),
        ("expect_u16", SigType::U16),
        ("expect_u32", SigType::U32),
        ("expect_u64", SigType::U64),
    ] {
        r.register(
            walrus::walrus_package(),
            "views_testing",
            name,
            FunctionSig {
                type_params: vec![],
                params: vec![Param::Val(ty.clone()), Param::Val(ty)],
                returns: vec![],
                is_entry: false,
            },
            Arc::new(|ctx, _, a: &mut [Value]| {
                if a[0].bytes == a[1].bytes {
                    Ok(vec![])
                } else {
                    Err(ctx.abort(1))
                }
            }),
        );
    }
    r
}

/// Who signs: a funded account (a bare index means one) or a genesis storage node's operator.
#[derive(Clone, Copy, Debug)]
pub enum Who {
    Account(usize),
    Node(usize),
}

impl From<usize> for Who {
    fn from(i: usize) -> Self {
        Self::Account(i)
    }
}

/// A chain with the Walrus packages, opened in-process (no server, no checkpoint timer: time
/// moves only by [`W::set_time`]).
pub struct W {
    pub node: Arc<Node>,
    /// The funded accounts' keys.
    pub keys: Vec<Ed25519PrivateKey>,
    /// What Walrus genesis produced (IDs, the nodes' keys and caps).
    pub g: GenesisOutput,
    _dir: tempfile::TempDir,
}

impl W {
    pub fn with(args: WalrusArgs) -> Self {
        Self::with_registry(args, walrus::registry())
    }

    pub fn with_registry(args: WalrusArgs, registry: NativeRegistry) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (node, keys, g) = walrus::open(dir.path(), 2, registry, &args).unwrap();
        Self {
            node,
            keys: keys.unwrap().keys,
            g: g.unwrap(),
            _dir: dir,
        }
    }

    pub fn key(&self, who: impl Into<Who>) -> &Ed25519PrivateKey {
        match who.into() {
            Who::Account(i) => &self.keys[i],
            Who::Node(i) => &self.g.nodes[i].sui_key,
        }
    }

    pub fn addr(&self, who: impl Into<Who>) -> Address {
        self.key(who).public_key().derive_address()
    }

    pub fn owned(&self, owner: Address, ty: StructTag) -> Vec<Object> {
        self.node
            .owned_objects(owner, Some(&TypeFilter::Exact(ty)), None, 1000)
            .0
    }

    /// Executes a PTB signed by `who`, paying gas with its first SUI coin.
    pub fn exec(
        &self,
        who: impl Into<Who>,
        inputs: Vec<Input>,
        commands: Vec<Command>,
    ) -> Arc<ExecutedTx> {
        self.exec_as(self.key(who), inputs, commands)
    }

    /// Executes a PTB signed by `key`, paying gas with its first SUI coin.
    pub fn exec_as(
        &self,
        key: &Ed25519PrivateKey,
        inputs: Vec<Input>,
        commands: Vec<Command>,
    ) -> Arc<ExecutedTx> {
        let sender = key.public_key().derive_address();
        let gas = self.owned(sender, StructTag::gas_coin())[0].clone();
        let tx = super::transaction(
            sender,
            vec![reference(&gas)],
            5_000_000_000,
            ProgrammableTransaction { inputs, commands },
        );
        let sig = key.sign_transaction(&tx).unwrap();
        self.node.execute(tx, vec![sig]).unwrap()
    }

    /// [`W::exec`], asserting success.
    pub fn ok(
        &self,
        who: impl Into<Who>,
        inputs: Vec<Input>,
        commands: Vec<Command>,
    ) -> Arc<ExecutedTx> {
        let tx = self.exec(who, inputs, commands);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        tx
    }

    pub fn object(&self, id: Address) -> Object {
        self.node.object(&id).unwrap()
    }

    pub fn decode<T: serde::de::DeserializeOwned>(&self, id: Address) -> T {
        bcs::from_bytes(contents(&self.object(id))).unwrap()
    }

    /// The object of type `T` that `tx` created.
    pub fn created_of<T: MoveStruct>(&self, tx: &ExecutedTx) -> Address {
        let tag = T::struct_tag(&packages());
        created(tx)
            .into_iter()
            .find(|id| self.object(*id).as_struct().unwrap().object_type() == &tag)
            .unwrap()
    }

    /// An owned or immutable object as an input, at its current version.
    pub fn input_obj(&self, id: Address) -> Input {
        Input::ImmutableOrOwned(reference(&self.object(id)))
    }

    /// A shared object as an input, with its initial shared version.
    pub fn shared(&self, id: Address, mutable: bool) -> Input {
        let Owner::Shared(version) = *self.object(id).owner() else {
            panic!("not shared")
        };
        Input::Shared(SharedInput::new(id, version, mutable))
    }

    pub fn system_id(&self) -> Address {
        addr(&self.g.info.system_object_id)
    }

    pub fn system(&self, mutable: bool) -> Input {
        Input::Shared(SharedInput::new(self.system_id(), 1, mutable))
    }

    /// The inner state of `System` or `Staking`: the dynamic field under their version (1).
    pub fn versioned_inner<T: serde::de::DeserializeOwned>(&self, parent: Address) -> T {
        let id = parent.derive_dynamic_child_id(&TypeTag::U64, &1u64.to_le_bytes());
        let field: Field<u64, T> = self.decode(id);
        field.value
    }

    pub fn system_inner(&self) -> SystemStateInnerV1 {
        self.versioned_inner(self.system_id())
    }

    pub fn staking_id(&self) -> Address {
        addr(&self.g.info.staking_object_id)
    }

    pub fn staking(&self, mutable: bool) -> Input {
        Input::Shared(SharedInput::new(self.staking_id(), 1, mutable))
    }

    pub fn staking_inner(&self) -> StakingInnerV1 {
        self.versioned_inner(self.staking_id())
    }

    /// The active set (under its extended field).
    pub fn active_set(&self) -> ActiveSet {
        let id = Address::from(self.staking_inner().active_set.id).derive_dynamic_child_id(
            &ExtendedFieldKey::type_tag(&packages()),
            &bcs::to_bytes(&ExtendedFieldKey::default()).unwrap(),
        );
        let field: Field<ExtendedFieldKey, ActiveSet> = self.decode(id);
        field.value
    }

    pub fn wal_type() -> StructTag {
        StructTag::coin(Wal::type_tag(&packages()))
    }

    /// Account `i`'s largest WAL coin.
    pub fn wal_coin(&self, i: usize) -> Object {
        self.owned(self.addr(i), Self::wal_type())
            .into_iter()
            .max_by_key(|o| u64::from_le_bytes(contents(o)[32..40].try_into().unwrap()))
            .unwrap()
    }

    pub fn wal_balance(&self, i: usize) -> u64 {
        self.owned(self.addr(i), Self::wal_type())
            .iter()
            .map(|o| u64::from_le_bytes(contents(o)[32..40].try_into().unwrap()))
            .sum()
    }

    /// Account `i` stakes `amount` FROST with `node_id`; returns the `StakedWal`.
    pub fn stake(&self, i: usize, amount: u64, node_id: Address) -> Address {
        let tx = self.stake_tx(i, amount, node_id);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        self.created_of::<StakedWal>(&tx)
    }

    /// Account `i` splits `amount` FROST off its largest WAL coin and stakes it with `node_id`
    /// (`stake_with_pool`), keeping the `StakedWal`.
    pub fn stake_tx(&self, i: usize, amount: u64, node_id: Address) -> Arc<ExecutedTx> {
        self.exec(
            i,
            vec![
                self.staking(true),
                Input::ImmutableOrOwned(reference(&self.wal_coin(i))),
                pure(&amount),
                pure(&node_id),
                pure(&self.addr(i)),
            ],
            vec![
                Command::SplitCoins(sui_sdk_types::SplitCoins {
                    coin: Argument::Input(1),
                    amounts: vec![Argument::Input(2)],
                }),
                call(
                    "staking",
                    "stake_with_pool",
                    vec![
                        Argument::Input(0),
                        Argument::NestedResult(0, 0),
                        Argument::Input(3),
                    ],
                ),
                transfer(vec![Argument::Result(1)], 4),
            ],
        )
    }

    /// `staked_wal::split(staked, amount)` by its owner `who`, who keeps the new part.
    pub fn split_tx(&self, who: impl Into<Who>, staked: Address, amount: u64) -> Arc<ExecutedTx> {
        let who = who.into();
        self.exec(
            who,
            vec![self.input_obj(staked), pure(&amount), pure(&self.addr(who))],
            vec![
                call(
                    "staked_wal",
                    "split",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                transfer(vec![Argument::Result(0)], 2),
            ],
        )
    }

    /// Splits `amount` FROST off `staked`, owned by `who`; returns the new `StakedWal`.
    pub fn split(&self, who: impl Into<Who>, staked: Address, amount: u64) -> Address {
        let tx = self.split_tx(who, staked, amount);
        assert_eq!(status(&tx), ExecutionStatus::Success);
        self.created_of::<StakedWal>(&tx)
    }

    /// `staked_wal::join(staked, other)` by their owner `who`, asserting success.
    pub fn join(&self, who: impl Into<Who>, staked: Address, other: Address) -> Arc<ExecutedTx> {
        self.ok(
            who,
            vec![self.input_obj(staked), self.input_obj(other)],
            vec![call(
                "staked_wal",
                "join",
                vec![Argument::Input(0), Argument::Input(1)],
            )],
        )
    }

    /// `request_withdraw_stake` of `staked`, signed by `key`.
    pub fn request_withdraw(&self, key: &Ed25519PrivateKey, staked: Address) -> Arc<ExecutedTx> {
        self.exec_as(
            key,
            vec![self.staking(true), self.input_obj(staked)],
            vec![call(
                "staking",
                "request_withdraw_stake",
                vec![Argument::Input(0), Argument::Input(1)],
            )],
        )
    }

    /// `withdraw_stake` of `staked`, the coin sent to the signer `key`.
    pub fn withdraw(&self, key: &Ed25519PrivateKey, staked: Address) -> Arc<ExecutedTx> {
        self.exec_as(
            key,
            vec![
                self.staking(true),
                self.input_obj(staked),
                pure(&key.public_key().derive_address()),
            ],
            vec![
                call(
                    "staking",
                    "withdraw_stake",
                    vec![Argument::Input(0), Argument::Input(1)],
                ),
                transfer(vec![Argument::Result(0)], 2),
            ],
        )
    }

    // === epochs ===

    /// The shared `0x6::clock::Clock`.
    pub fn clock() -> Input {
        Input::Shared(SharedInput::new(Address::from_static("0x6"), 1, false))
    }

    /// Moves the chain's clock to `ms` (a checkpoint with that timestamp; the chain's time
    /// never goes back, so an earlier `ms` leaves it where it is).
    pub fn set_time(&self, ms: u64) {
        self.node.seal_checkpoint(ms).unwrap();
    }

    pub fn voting_end(&self) -> Arc<ExecutedTx> {
        self.exec(
            0,
            vec![self.staking(true), Self::clock()],
            vec![call(
                "staking",
                "voting_end",
                vec![Argument::Input(0), Argument::Input(1)],
            )],
        )
    }

    pub fn initiate_epoch_change(&self) -> Arc<ExecutedTx> {
        self.exec(
            0,
            vec![
                self.staking(true),
                self.system(true),
                Input::Shared(SharedInput::new(addr(&self.g.info.treasury_id), 1, true)),
                Self::clock(),
            ],
            vec![call(
                "staking",
                "initiate_epoch_change",
                (0..4).map(Argument::Input).collect(),
            )],
        )
    }

    /// Genesis node `n` sends `epoch_sync_done(epoch)` with its own key and cap.
    pub fn epoch_sync_done(&self, n: usize, epoch: u32) -> Arc<ExecutedTx> {
        let secrets = &self.g.nodes[n];
        self.sync_done_as(&secrets.sui_key, secrets.cap_id, epoch)
    }

    /// `staking::epoch_sync_done(staking, cap, epoch, clock)` for the cap `cap_id`, signed by
    /// `key`: the PTB a storage node sends once it holds its shards of the new epoch.
    pub fn sync_done_as(
        &self,
        key: &Ed25519PrivateKey,
        cap_id: Address,
        epoch: u32,
    ) -> Arc<ExecutedTx> {
        self.exec_as(
            key,
            vec![
                self.staking(true),
                self.input_obj(cap_id),
                pure(&epoch),
                Self::clock(),
            ],
            vec![call(
                "staking",
                "epoch_sync_done",
                (0..4).map(Argument::Input).collect(),
            )],
        )
    }

    /// One real Walrus epoch change, as on a live network: the clock is moved (checkpoints
    /// with explicit timestamps) to the epoch's start + `epoch_duration / 2` and then + the
    /// full duration, and after each the chain's keeper sends what is due (`voting_end`, then
    /// `initiate_epoch_change`); then every genesis node of the new committee sends
    /// `epoch_sync_done` for the new epoch with its own key and cap, as storage nodes do.
    /// Starts from whatever phase the epoch is in; returns the new epoch, which is in
    /// `EpochChangeDone` on return.
    pub fn advance_epoch(&self) -> u32 {
        let keeper = walrus::keeper::Keeper::new(&self.g.info).unwrap();
        let from = self.staking_inner().epoch;
        // Each round moves one phase forward; three rounds are an epoch change.
        for _ in 0..3 {
            let inner = self.staking_inner();
            match inner.epoch_state {
                EpochState::EpochChangeDone(start) => {
                    assert_eq!(inner.epoch, from, "the epoch advanced without a sync");
                    self.set_time(start + inner.epoch_duration / 2);
                    let tx = keeper.tick(&self.node).unwrap().expect("voting_end is due");
                    assert_eq!(status(&tx), ExecutionStatus::Success, "voting_end");
                }
                EpochState::NextParamsSelected(start) => {
                    self.set_time(start + inner.epoch_duration);
                    let tx = keeper
                        .tick(&self.node)
                        .unwrap()
                        .expect("initiate_epoch_change is due");
                    assert_eq!(
                        status(&tx),
                        ExecutionStatus::Success,
                        "initiate_epoch_change"
                    );
                }
                EpochState::EpochChangeSync(_) => {
                    for entry in &inner.committee.0.contents {
                        let node = self
                            .g
                            .nodes
                            .iter()
                            .position(|n| haulout_types::ObjectId::from(n.node_id) == entry.key)
                            .expect("every committee member is a genesis node");
                        let cap: haulout_types::StorageNodeCap =
                            self.decode(self.g.nodes[node].cap_id);
                        if cap.last_epoch_sync_done < inner.epoch {
                            let tx = self.epoch_sync_done(node, inner.epoch);
                            assert_eq!(status(&tx), ExecutionStatus::Success, "epoch_sync_done");
                        }
                    }
                    break;
                }
            }
        }
        let inner = self.staking_inner();
        assert_eq!(inner.epoch, from + 1);
        assert!(
            matches!(inner.epoch_state, EpochState::EpochChangeDone(_)),
            "{:?}",
            inner.epoch_state
        );
        inner.epoch
    }
}
