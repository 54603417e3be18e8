//! The single-node chain: live state, transaction admission and execution, checkpoint sealing.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::RwLock;
use std::sync::RwLockReadGuard;
use std::sync::RwLockWriteGuard;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use sui_crypto::SuiSigner as _;
use sui_crypto::SuiVerifier as _;
use sui_crypto::bls12381::Bls12381PrivateKey;
use sui_crypto::bls12381::ValidatorCommitteeSignatureAggregator;
use sui_crypto::ed25519::Ed25519PrivateKey;
use sui_crypto::multisig::UserSignatureVerifier;
use sui_sdk_types::Address;
use sui_sdk_types::ChangeEpoch;
use sui_sdk_types::ChangedObject;
use sui_sdk_types::CheckpointContents;
use sui_sdk_types::CheckpointSummary;
use sui_sdk_types::CheckpointTransactionInfo;
use sui_sdk_types::ConsensusCommitPrologue;
use sui_sdk_types::Digest;
use sui_sdk_types::EndOfEpochData;
use sui_sdk_types::EndOfEpochTransactionKind;
use sui_sdk_types::ExecutionStatus;
use sui_sdk_types::GasCostSummary;
use sui_sdk_types::GasPayment;
use sui_sdk_types::GenesisObject;
use sui_sdk_types::GenesisTransaction;
use sui_sdk_types::IdOperation;
use sui_sdk_types::Input;
use sui_sdk_types::MovePackage;
use sui_sdk_types::Object;
use sui_sdk_types::ObjectData;
use sui_sdk_types::ObjectIn;
use sui_sdk_types::ObjectOut;
use sui_sdk_types::ObjectReference;
use sui_sdk_types::Owner;
use sui_sdk_types::StructTag;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEffectsV2;
use sui_sdk_types::TransactionExpiration;
use sui_sdk_types::TransactionKind;
use sui_sdk_types::TypeTag;
use sui_sdk_types::UserSignature;
use sui_sdk_types::ValidatorCommittee;
use sui_sdk_types::ValidatorCommitteeMember;
use tokio::sync::broadcast;
use tokio::sync::watch;

use crate::error::TxError;
use crate::executor;
use crate::executor::ExecRequest;
use crate::executor::LoadedInput;
use crate::executor::build_object;
use crate::executor::coin_of;
use crate::executor::contents_of;
use crate::executor::package_object;
use crate::executor::sui_balance;
use crate::natives::NativeRegistry;
use crate::store::CheckpointRecord;
use crate::store::EpochRecord;
use crate::store::ExecutedTx;
use crate::store::GenesisMeta;
use crate::store::Store;
use crate::value::CLOCK_ID;
use crate::value::clock_type;

/// Reference gas price in MIST (Sui mainnet's order of magnitude).
pub const REFERENCE_GAS_PRICE: u64 = 1_000;
/// Largest gas budget accepted, in MIST (50 SUI, as on Sui).
pub const MAX_GAS_BUDGET: u64 = 50_000_000_000;
/// The ID of the mock gas coin a simulation without gas coins pays with (Sui's
/// `ObjectID::MAX`).
pub const SIMULATION_GAS_COIN_ID: Address = Address::new([0xff; 32]);
/// The balance of that mock gas coin, in MIST (Sui's `SIMULATION_GAS_COIN_VALUE`, 10^18).
pub const SIMULATION_GAS_COIN_VALUE: u64 = 1_000_000_000_000_000_000;
/// Gas coins each funded account receives at genesis.
pub const COINS_PER_ACCOUNT: usize = 5;
/// Balance of each genesis gas coin: 10,000 SUI.
pub const GENESIS_COIN_MIST: u64 = 10_000 * 1_000_000_000;
/// Gas coins of the faucet account.
pub const FAUCET_COINS: usize = 10;
/// Balance of each faucet coin: 100,000,000 SUI.
pub const FAUCET_COIN_MIST: u64 = 100_000_000 * 1_000_000_000;
/// Stake of the single validator: all of Sui's 10,000 units of voting power.
const VALIDATOR_STAKE: u64 = 10_000;
/// Protocol version of every epoch (a recent Sui mainnet version), in `ChangeEpoch`, the
/// end-of-epoch data and `GetEpoch`.
pub const PROTOCOL_VERSION: u64 = 100;
/// Default Sui epoch duration: 60 s, as `sui start` uses for its local network.
pub const DEFAULT_SUI_EPOCH_DURATION: Duration = Duration::from_secs(60);
/// Most coins gas selection puts in one payment (Sui's `max_gas_payment_objects`).
const MAX_GAS_PAYMENT_OBJECTS: usize = 256;

/// The live state of the chain (what is rebuilt from history at start-up).
#[derive(Debug, Default)]
pub(crate) struct ChainState {
    /// Live objects by ID.
    pub objects: HashMap<Address, Object>,
    /// Every version of every object ever written.
    pub history: HashMap<(Address, u64), Object>,
    /// `(owner, object)` for objects owned by an address or by another object.
    pub owned: BTreeSet<(Address, Address)>,
    /// Executed transactions by digest.
    pub txs: HashMap<Digest, Arc<ExecutedTx>>,
    /// Sealed checkpoints in sequence order.
    pub checkpoints: Vec<Arc<CheckpointRecord>>,
    /// Checkpoint sequence numbers by digest.
    pub checkpoint_by_digest: HashMap<Digest, u64>,
    /// Executed transactions not yet in a checkpoint, in execution order.
    pub pending: Vec<Digest>,
    /// Transactions in all sealed checkpoints.
    pub total_transactions: u64,
    /// Gas charged in the current epoch by sealed checkpoints.
    pub rolling_gas: GasCostSummary,
    /// Every Sui epoch so far, in order; the last is the current one (never empty once the
    /// node is open).
    pub epochs: Vec<EpochRecord>,
    /// Net SUI taken from gas coins since genesis (computation fees and storage fund).
    pub gas_collected: i128,
    /// `(object, version)` of every object received through a receiving input at that version
    /// (Sui's "received" markers). Sui keeps them per epoch; here they are kept for good, so a
    /// receiving input naming a version received in an earlier epoch passes the input checks
    /// and aborts in execution instead of being rejected before it.
    pub received: HashSet<(Address, u64)>,
    /// Sui's coin-info index: where each coin type's metadata and treasury cap were created.
    pub coin_info: HashMap<TypeTag, CoinInfoIds>,
}

/// The objects that describe a coin type, as Sui's coin-info index records them when they are
/// created (`GetCoinInfo` reads them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoinInfoIds {
    /// The `0x2::coin::CoinMetadata<T>` object.
    pub metadata: Option<Address>,
    /// The `0x2::coin::TreasuryCap<T>` object (possibly wrapped under a dynamic object field).
    pub treasury: Option<Address>,
}

/// Records `object` in the coin-info index if it is a `CoinMetadata<T>` or `TreasuryCap<T>`.
fn index_coin_object(index: &mut HashMap<TypeTag, CoinInfoIds>, object: &Object) {
    let Some((ty, _, _)) = contents_of(object) else {
        return;
    };
    if *ty.address() != Address::TWO || ty.module().as_str() != "coin" {
        return;
    }
    let [coin_type] = ty.type_params() else {
        return;
    };
    let id = Some(object.object_id());
    match ty.name().as_str() {
        "CoinMetadata" => index.entry(coin_type.clone()).or_default().metadata = id,
        "TreasuryCap" => index.entry(coin_type.clone()).or_default().treasury = id,
        _ => {}
    }
}

fn owner_key(owner: &Owner) -> Option<Address> {
    match owner {
        Owner::Address(a) | Owner::Object(a) => Some(*a),
        Owner::ConsensusAddress { owner, .. } => Some(*owner),
        _ => None,
    }
}

impl ChainState {
    /// The current Sui epoch: the one transactions execute in now.
    fn epoch(&self) -> u64 {
        self.epochs.last().map_or(0, |e| e.epoch)
    }

    /// Start of the current epoch, in milliseconds.
    fn epoch_start_ms(&self) -> u64 {
        self.epochs.last().map_or(0, |e| e.start_ms)
    }

    /// Applies a transaction's writes and removals to the live state.
    fn apply(&mut self, tx: &ExecutedTx) {
        for o in &tx.input_objects {
            self.history.insert((o.object_id(), o.version()), o.clone());
        }
        let TransactionEffects::V2(effects) = &tx.effects else {
            return;
        };
        // A receiving input whose object the effects modify at the version it names was
        // received.
        if let TransactionKind::ProgrammableTransaction(ptb) = &tx.transaction.kind {
            for input in &ptb.inputs {
                let Input::Receiving(r) = input else {
                    continue;
                };
                let received = effects.changed_objects.iter().any(|c| {
                    c.object_id == *r.object_id()
                        && matches!(c.input_state, ObjectIn::Exist { version, .. } if version == r.version())
                });
                if received {
                    self.received.insert((*r.object_id(), r.version()));
                }
            }
        }
        for change in &effects.changed_objects {
            if matches!(change.output_state, ObjectOut::NotExist) {
                if let Some(old) = self.objects.remove(&change.object_id) {
                    if let Some(k) = owner_key(old.owner()) {
                        self.owned.remove(&(k, change.object_id));
                    }
                }
            }
        }
        for o in &tx.output_objects {
            let id = o.object_id();
            if let Some(old) = self.objects.get(&id) {
                if let Some(k) = owner_key(old.owner()) {
                    self.owned.remove(&(k, id));
                }
            }
            if let Some(k) = owner_key(o.owner()) {
                self.owned.insert((k, id));
            }
            if !self.objects.contains_key(&id) {
                index_coin_object(&mut self.coin_info, o);
            }
            self.history.insert((id, o.version()), o.clone());
            self.objects.insert(id, o.clone());
        }
    }
}

/// What genesis created, for `localnet.json` and the keystore.
#[derive(Clone, Debug)]
pub struct GenesisAccounts {
    /// The funded accounts' keys, in order.
    pub keys: Vec<Ed25519PrivateKey>,
}

/// What genesis tells [`ExtraGenesis`] callbacks.
#[derive(Debug)]
pub struct GenesisContext<'a> {
    /// The funded accounts, in order.
    pub accounts: &'a [Address],
    /// The faucet's address.
    pub faucet: Address,
    /// The genesis timestamp (start of epoch 0), in milliseconds.
    pub epoch_start_ms: u64,
}

/// An object created at genesis, at version 1.
#[derive(Clone, Debug)]
pub struct GenesisObjectSpec {
    /// Its Move type.
    pub type_: StructTag,
    /// Whether the type has `store` (Sui's `has_public_transfer`).
    pub has_public_transfer: bool,
    /// Its BCS contents, starting with its ID.
    pub contents: Vec<u8>,
    /// Its owner (`Shared(1)` for shared objects).
    pub owner: Owner,
}

/// Builds extra genesis objects from the genesis context.
pub type ExtraGenesis<'a> =
    dyn Fn(&GenesisContext<'_>) -> anyhow::Result<Vec<GenesisObjectSpec>> + 'a;

/// The chain. Cheap to share behind an `Arc`; every method is thread-safe.
pub struct Node {
    state: RwLock<ChainState>,
    seal: Mutex<()>,
    store: Store,
    registry: Arc<NativeRegistry>,
    meta: GenesisMeta,
    validator: Bls12381PrivateKey,
    /// Milliseconds a Sui epoch lasts (at least 1).
    epoch_duration_ms: AtomicU64,
    faucet: Ed25519PrivateKey,
    checkpoints_tx: broadcast::Sender<Arc<sui_rpc::proto::sui::rpc::v2::Checkpoint>>,
    /// The sequence number of the latest sealed checkpoint.
    tip_tx: watch::Sender<u64>,
    pending_notify: tokio::sync::Notify,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("chain_id", &self.meta.chain_id)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn random_bytes() -> [u8; 32] {
    rand::random()
}

fn bls_key(bytes: [u8; 32]) -> anyhow::Result<Bls12381PrivateKey> {
    Bls12381PrivateKey::new(bytes).map_err(|e| anyhow::anyhow!("invalid validator key: {e}"))
}

/// The members of every epoch's committee: the one validator with all the stake.
fn committee_members(key: &Bls12381PrivateKey) -> Vec<ValidatorCommitteeMember> {
    vec![ValidatorCommitteeMember {
        public_key: key.public_key(),
        stake: VALIDATOR_STAKE,
    }]
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The record of epoch 0, starting at genesis.
fn first_epoch(start_ms: u64, reference_gas_price: u64) -> EpochRecord {
    EpochRecord {
        epoch: 0,
        first_checkpoint: 0,
        last_checkpoint: None,
        start_ms,
        end_ms: None,
        reference_gas_price,
        protocol_version: PROTOCOL_VERSION,
    }
}

/// Checks the epoch records against the checkpoints replayed from the ledger; a data directory
/// from before epochs changed has no records and is entirely in epoch 0.
fn epochs_of(
    loaded: Vec<EpochRecord>,
    checkpoints: &[Arc<CheckpointRecord>],
    meta: &GenesisMeta,
) -> anyhow::Result<(Vec<EpochRecord>, bool)> {
    let last = checkpoints
        .last()
        .context("the ledger database has no genesis checkpoint")?;
    let current = if last.summary.end_of_epoch_data.is_some() {
        last.summary.epoch + 1
    } else {
        last.summary.epoch
    };
    if loaded.is_empty() {
        anyhow::ensure!(
            current == 0,
            "the ledger database has checkpoints of epoch {current} but no epoch records"
        );
        return Ok((
            vec![first_epoch(meta.epoch_start_ms, meta.reference_gas_price)],
            true,
        ));
    }
    anyhow::ensure!(
        loaded.len() as u64 == current + 1,
        "the ledger database records {} epochs but its checkpoints reach epoch {current}",
        loaded.len()
    );
    for e in &loaded {
        let Some(first) =
            checkpoints.get(usize::try_from(e.first_checkpoint).unwrap_or(usize::MAX))
        else {
            // Only the current epoch may start at the checkpoint to be sealed next.
            anyhow::ensure!(
                e.epoch == current && e.first_checkpoint == checkpoints.len() as u64,
                "epoch {} starts at checkpoint {}, which the ledger database does not have",
                e.epoch,
                e.first_checkpoint
            );
            continue;
        };
        anyhow::ensure!(
            first.summary.epoch == e.epoch,
            "epoch {} starts at checkpoint {}, which is in epoch {}",
            e.epoch,
            e.first_checkpoint,
            first.summary.epoch
        );
    }
    Ok((loaded, false))
}

impl Node {
    /// Opens the chain stored in `dir`, creating it (genesis) if it does not exist.
    ///
    /// Returns the node and, when genesis ran now, the funded accounts' keys. Its Sui epochs
    /// last [`DEFAULT_SUI_EPOCH_DURATION`] until [`Self::set_sui_epoch_duration`] says otherwise.
    ///
    /// # Errors
    /// If the directory or database cannot be used or holds an inconsistent chain.
    pub fn open(
        dir: &Path,
        accounts: usize,
        registry: NativeRegistry,
    ) -> anyhow::Result<(Arc<Self>, Option<GenesisAccounts>)> {
        Self::open_with_genesis(dir, accounts, registry, &|_| Ok(Vec::new()))
    }

    /// [`Node::open`], with more objects in the genesis transaction: `extra` receives the
    /// funded accounts and the faucet address and returns the objects to add (only called when
    /// genesis runs now). This is how the `wal` and `walrus` packages' state is created.
    ///
    /// # Errors
    /// As [`Node::open`], or if `extra` fails.
    pub fn open_with_genesis(
        dir: &Path,
        accounts: usize,
        registry: NativeRegistry,
        extra: &ExtraGenesis<'_>,
    ) -> anyhow::Result<(Arc<Self>, Option<GenesisAccounts>)> {
        Self::open_with_packages(dir, accounts, registry, &[], extra)
    }

    /// [`Node::open_with_genesis`], with Move packages published by the genesis transaction:
    /// each becomes an immutable package object at its version (which must be 1), created by
    /// genesis like the other genesis objects. A chain opened from an existing ledger keeps
    /// what its genesis created (`packages` is then unused).
    ///
    /// # Errors
    /// As [`Node::open_with_genesis`], or if a package is not at version 1 or its ID is taken.
    pub fn open_with_packages(
        dir: &Path,
        accounts: usize,
        registry: NativeRegistry,
        packages: &[MovePackage],
        extra: &ExtraGenesis<'_>,
    ) -> anyhow::Result<(Arc<Self>, Option<GenesisAccounts>)> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("while creating the data directory {}", dir.display()))?;
        let store = Store::open(&dir.join("ledger.redb"))?;
        let (checkpoints_tx, _) = broadcast::channel(1024);
        if let Some(loaded) = store.load()? {
            let validator = bls_key(loaded.meta.validator_key)?;
            let mut state = ChainState::default();
            let mut txs = loaded.transactions.into_iter();
            for record in loaded.checkpoints {
                for _ in record.contents.transactions() {
                    let tx = txs
                        .next()
                        .context("the ledger database is missing a transaction")?;
                    state.apply(&tx);
                    accumulate_gas(&mut state, &tx);
                    state.txs.insert(tx.transaction.digest(), Arc::new(tx));
                }
                state.total_transactions = record.summary.network_total_transactions;
                state.rolling_gas = if record.summary.end_of_epoch_data.is_some() {
                    GasCostSummary::default()
                } else {
                    record.summary.epoch_rolling_gas_cost_summary.clone()
                };
                state
                    .checkpoint_by_digest
                    .insert(record.summary.digest(), record.summary.sequence_number);
                state.checkpoints.push(Arc::new(record));
            }
            let (epochs, defaulted) = epochs_of(loaded.epochs, &state.checkpoints, &loaded.meta)?;
            if defaulted {
                store.write_epochs(&epochs)?;
            }
            state.epochs = epochs;
            let latest = state.checkpoints.len().saturating_sub(1) as u64;
            let node = Self {
                state: RwLock::new(state),
                seal: Mutex::new(()),
                store,
                registry: Arc::new(registry),
                epoch_duration_ms: AtomicU64::new(millis(DEFAULT_SUI_EPOCH_DURATION)),
                validator,
                faucet: Ed25519PrivateKey::new(loaded.meta.faucet_key),
                meta: loaded.meta,
                checkpoints_tx,
                tip_tx: watch::Sender::new(latest),
                pending_notify: tokio::sync::Notify::new(),
            };
            return Ok((Arc::new(node), None));
        }

        // Genesis.
        let mut validator_bytes = random_bytes();
        validator_bytes[0] &= 0x3f; // below the BLS12-381 group order
        validator_bytes[31] |= 1; // never zero
        let validator = bls_key(validator_bytes)?;
        let faucet_key = random_bytes();
        let faucet = Ed25519PrivateKey::new(faucet_key);
        let keys: Vec<Ed25519PrivateKey> = (0..accounts)
            .map(|_| Ed25519PrivateKey::new(random_bytes()))
            .collect();
        let epoch_start_ms = now_ms();
        let seed = Digest::new(random_bytes());
        let mut count = 0;
        let mut next_id = || {
            let id = Address::derive_id(seed, count);
            count += 1;
            id
        };
        let mut genesis_objects = Vec::new();
        let mut clock = CLOCK_ID.as_bytes().to_vec();
        clock.extend_from_slice(&epoch_start_ms.to_le_bytes());
        genesis_objects.push((clock_type(), false, clock, Owner::Shared(1)));
        let mut fund = |owner: Address, n: usize, amount: u64| {
            for _ in 0..n {
                let mut contents = next_id().as_bytes().to_vec();
                contents.extend_from_slice(&amount.to_le_bytes());
                genesis_objects.push((
                    StructTag::gas_coin(),
                    true,
                    contents,
                    Owner::Address(owner),
                ));
            }
        };
        for k in &keys {
            fund(
                k.public_key().derive_address(),
                COINS_PER_ACCOUNT,
                GENESIS_COIN_MIST,
            );
        }
        fund(
            faucet.public_key().derive_address(),
            FAUCET_COINS,
            FAUCET_COIN_MIST,
        );
        let account_addresses: Vec<Address> = keys
            .iter()
            .map(|k| k.public_key().derive_address())
            .collect();
        for o in extra(&GenesisContext {
            accounts: &account_addresses,
            faucet: faucet.public_key().derive_address(),
            epoch_start_ms,
        })? {
            genesis_objects.push((o.type_, o.has_public_transfer, o.contents, o.owner));
        }
        let mut gobjs = Vec::new();
        for (ty, public, contents, owner) in &genesis_objects {
            let s = sui_sdk_types::MoveStruct::new(ty.clone(), *public, 1, contents.clone())
                .context("genesis object too small")?;
            gobjs.push(GenesisObject::new(ObjectData::Struct(s), *owner));
        }
        for p in packages {
            anyhow::ensure!(
                p.version == 1,
                "genesis package {} is at version {}, not 1",
                p.id,
                p.version
            );
            gobjs.push(GenesisObject::new(
                ObjectData::Package(p.clone()),
                Owner::Immutable,
            ));
        }
        let transaction = system_transaction(TransactionKind::Genesis(GenesisTransaction {
            objects: gobjs,
        }));
        let digest = transaction.digest();
        let mut output_objects = Vec::new();
        for (ty, public, contents, owner) in genesis_objects {
            output_objects.push(
                build_object(ty, public, 1, contents, owner, digest)
                    .context("genesis object too small")?,
            );
        }
        for p in packages {
            output_objects.push(package_object(p.clone(), digest));
        }
        output_objects.sort_by_key(Object::object_id);
        if let Some(w) = output_objects
            .windows(2)
            .find(|w| w[0].object_id() == w[1].object_id())
        {
            anyhow::bail!("genesis creates object {} twice", w[0].object_id());
        }
        let changed = output_objects
            .iter()
            .map(|o| ChangedObject {
                object_id: o.object_id(),
                input_state: ObjectIn::NotExist,
                output_state: ObjectOut::ObjectWrite {
                    digest: o.digest(),
                    owner: *o.owner(),
                },
                id_operation: IdOperation::Created,
            })
            .collect();
        let effects = system_effects(digest, 0, 1, changed);
        let tx = ExecutedTx {
            transaction,
            signatures: vec![],
            effects,
            events: None,
            input_objects: vec![],
            output_objects,
            balance_changes: vec![],
            checkpoint: None,
            index_in_checkpoint: None,
            timestamp_ms: None,
        };
        let mut state = ChainState::default();
        state.apply(&tx);
        state.pending.push(digest);
        state.txs.insert(digest, Arc::new(tx));
        state.epochs = vec![first_epoch(epoch_start_ms, REFERENCE_GAS_PRICE)];
        let node = Self {
            state: RwLock::new(state),
            seal: Mutex::new(()),
            store,
            registry: Arc::new(registry),
            epoch_duration_ms: AtomicU64::new(millis(DEFAULT_SUI_EPOCH_DURATION)),
            validator,
            faucet,
            meta: GenesisMeta {
                chain_id: String::new(),
                validator_key: validator_bytes,
                faucet_key,
                reference_gas_price: REFERENCE_GAS_PRICE,
                epoch_start_ms,
                accounts: keys
                    .iter()
                    .map(|k| k.public_key().derive_address())
                    .collect(),
            },
            checkpoints_tx,
            tip_tx: watch::Sender::new(0),
            pending_notify: tokio::sync::Notify::new(),
        };
        let mut node = node;
        let record = node
            .seal_inner(epoch_start_ms, false)?
            .context("genesis produced no checkpoint")?;
        node.meta.chain_id = record.summary.digest().to_base58();
        node.store.write_epochs(&node.read().epochs)?;
        node.store.write_meta(&node.meta)?;
        Ok((Arc::new(node), Some(GenesisAccounts { keys })))
    }

    fn read(&self) -> RwLockReadGuard<'_, ChainState> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, ChainState> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Base58 digest of the genesis checkpoint.
    pub fn chain_id(&self) -> &str {
        &self.meta.chain_id
    }

    /// The accounts funded at genesis.
    pub fn accounts(&self) -> &[Address] {
        &self.meta.accounts
    }

    /// The current Sui epoch: the one transactions are executed in now.
    ///
    /// It becomes `e + 1` as soon as the last checkpoint of epoch `e` is sealed.
    pub fn epoch(&self) -> u64 {
        self.read().epoch()
    }

    /// Start of the current Sui epoch, in milliseconds.
    pub fn epoch_start_ms(&self) -> u64 {
        self.read().epoch_start_ms()
    }

    /// The record of a Sui epoch, past or current (`None` for a future one).
    pub fn epoch_record(&self, epoch: u64) -> Option<EpochRecord> {
        self.read()
            .epochs
            .get(usize::try_from(epoch).ok()?)
            .cloned()
    }

    /// The record of the current Sui epoch.
    pub fn current_epoch(&self) -> EpochRecord {
        let state = self.read();
        state
            .epochs
            .last()
            .cloned()
            .unwrap_or_else(|| first_epoch(self.meta.epoch_start_ms, self.meta.reference_gas_price))
    }

    /// How long a Sui epoch lasts: the first checkpoint sealed at or after the epoch's start
    /// plus this duration ends the epoch.
    pub fn sui_epoch_duration(&self) -> Duration {
        Duration::from_millis(self.epoch_duration_ms.load(Ordering::Relaxed))
    }

    /// Sets the Sui epoch duration (not persisted: `haulout localnet` sets it at every start
    /// from `--sui-epoch-duration`). Durations under 1 ms are taken as 1 ms. It applies to the
    /// current epoch too: the next checkpoint ends it if its start plus `duration` has passed.
    pub fn set_sui_epoch_duration(&self, duration: Duration) {
        self.epoch_duration_ms
            .store(millis(duration), Ordering::Relaxed);
    }

    /// When the current Sui epoch is due to end, in milliseconds: the first checkpoint sealed
    /// with a timestamp at or after this is the epoch's last.
    pub fn epoch_end_due_ms(&self) -> u64 {
        self.epoch_start_ms()
            .saturating_add(self.epoch_duration_ms.load(Ordering::Relaxed))
    }

    /// Reference gas price in MIST.
    pub fn reference_gas_price(&self) -> u64 {
        self.meta.reference_gas_price
    }

    /// The committee of the current epoch (one validator, the same BLS key in every epoch).
    pub fn committee(&self) -> ValidatorCommittee {
        self.committee_of(self.epoch())
    }

    /// The committee of `epoch`: the same single validator in every epoch.
    pub fn committee_of(&self, epoch: u64) -> ValidatorCommittee {
        ValidatorCommittee {
            epoch,
            members: committee_members(&self.validator),
        }
    }

    /// The native function table.
    pub fn registry(&self) -> &NativeRegistry {
        &self.registry
    }

    /// The faucet account's key.
    pub fn faucet_key(&self) -> &Ed25519PrivateKey {
        &self.faucet
    }

    /// Subscribes to sealed checkpoints (full proto messages).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<sui_rpc::proto::sui::rpc::v2::Checkpoint>> {
        self.checkpoints_tx.subscribe()
    }

    /// Watches the sequence number of the latest sealed checkpoint (it changes once the
    /// checkpoint is readable through [`Node::checkpoint`]).
    pub fn watch_tip(&self) -> watch::Receiver<u64> {
        self.tip_tx.subscribe()
    }

    /// Resolves when a transaction is waiting for a checkpoint.
    pub(crate) async fn pending_notified(&self) {
        self.pending_notify.notified().await;
    }

    /// Whether transactions are waiting for a checkpoint.
    pub fn has_pending(&self) -> bool {
        !self.read().pending.is_empty()
    }

    // === reads ===

    /// A live object.
    pub fn object(&self, id: &Address) -> Option<Object> {
        self.read().objects.get(id).cloned()
    }

    /// An object at a given version (live or historical).
    pub fn object_at(&self, id: &Address, version: u64) -> Option<Object> {
        self.read().history.get(&(*id, version)).cloned()
    }

    /// An executed transaction.
    pub fn transaction(&self, digest: &Digest) -> Option<Arc<ExecutedTx>> {
        self.read().txs.get(digest).cloned()
    }

    /// A sealed checkpoint.
    pub fn checkpoint(&self, seq: u64) -> Option<Arc<CheckpointRecord>> {
        self.read()
            .checkpoints
            .get(usize::try_from(seq).ok()?)
            .cloned()
    }

    /// A sealed checkpoint by digest.
    pub fn checkpoint_by_digest(&self, digest: &Digest) -> Option<Arc<CheckpointRecord>> {
        let state = self.read();
        let seq = *state.checkpoint_by_digest.get(digest)?;
        state.checkpoints.get(usize::try_from(seq).ok()?).cloned()
    }

    /// The latest sealed checkpoint.
    pub fn latest_checkpoint(&self) -> Arc<CheckpointRecord> {
        let state = self.read();
        state
            .checkpoints
            .last()
            .cloned()
            .unwrap_or_else(unreachable_genesis)
    }

    /// The transactions of a checkpoint, in order.
    pub fn checkpoint_transactions(&self, record: &CheckpointRecord) -> Vec<Arc<ExecutedTx>> {
        let state = self.read();
        record
            .contents
            .transactions()
            .iter()
            .filter_map(|info| state.txs.get(info.transaction()).cloned())
            .collect()
    }

    /// Objects owned by `owner` (an address or an object), optionally of one type, in ID order
    /// after `after`, at most `limit`; also returns whether more follow.
    pub fn owned_objects(
        &self,
        owner: Address,
        type_filter: Option<&TypeFilter>,
        after: Option<Address>,
        limit: usize,
    ) -> (Vec<Object>, bool) {
        let state = self.read();
        let start = match after {
            Some(a) => std::ops::Bound::Excluded((owner, a)),
            None => std::ops::Bound::Included((owner, Address::ZERO)),
        };
        let end = std::ops::Bound::Included((owner, Address::new([0xff; 32])));
        let mut out = Vec::new();
        for (_, id) in state.owned.range((start, end)) {
            let Some(o) = state.objects.get(id) else {
                continue;
            };
            if let Some(filter) = type_filter {
                let Some((ty, _, _)) = contents_of(o) else {
                    continue;
                };
                if !filter.matches(ty) {
                    continue;
                }
            }
            if out.len() == limit {
                return (out, true);
            }
            out.push(o.clone());
        }
        (out, false)
    }

    /// Where the metadata and treasury cap of `coin_type` live, if they were ever created.
    pub fn coin_info(&self, coin_type: &TypeTag) -> Option<CoinInfoIds> {
        self.read().coin_info.get(coin_type).copied()
    }

    /// Coin balances of an address by coin type (`(balance, number of coins)`).
    pub fn balances(&self, owner: Address) -> BTreeMap<String, (TypeTag, u64, u64)> {
        let state = self.read();
        let mut out: BTreeMap<String, (TypeTag, u64, u64)> = BTreeMap::new();
        let end = Address::new([0xff; 32]);
        for (_, id) in state.owned.range((owner, Address::ZERO)..=(owner, end)) {
            let Some(o) = state.objects.get(id) else {
                continue;
            };
            if !matches!(o.owner(), Owner::Address(_)) {
                continue;
            }
            let Some((coin_type, value)) = coin_of(o) else {
                continue;
            };
            let entry = out
                .entry(coin_type.to_string())
                .or_insert_with(|| (coin_type.clone(), 0, 0));
            entry.1 = entry.1.saturating_add(value);
            entry.2 += 1;
        }
        out
    }

    /// Total SUI in coins plus the gas collected: constant over the chain's life.
    pub fn total_sui(&self) -> i128 {
        let state = self.read();
        let coins: i128 = state
            .objects
            .values()
            .filter_map(sui_balance)
            .map(i128::from)
            .sum();
        coins + state.gas_collected
    }

    // === transactions ===

    /// Verifies, checks and executes a signed transaction, and queues it for the next checkpoint.
    ///
    /// Re-submitting an executed transaction returns the recorded result.
    ///
    /// # Errors
    /// [`TxError`] when the transaction is rejected before execution (nothing changes). Failed
    /// execution is not an error: it returns effects with a failure status.
    pub fn execute(
        &self,
        transaction: Transaction,
        signatures: Vec<UserSignature>,
    ) -> Result<Arc<ExecutedTx>, TxError> {
        let digest = transaction.digest();
        if let Some(done) = self.transaction(&digest) {
            return Ok(done);
        }
        verify_signatures(&transaction, &signatures)?;
        let mut state = self.write();
        if let Some(done) = state.txs.get(&digest) {
            return Ok(done.clone());
        }
        let out = self.run(&state, &transaction, digest, None, true)?;
        let tx = ExecutedTx {
            transaction,
            signatures,
            effects: out.effects,
            events: out.events,
            input_objects: out.input_objects,
            output_objects: out.output_objects,
            balance_changes: out.balance_changes,
            checkpoint: None,
            index_in_checkpoint: None,
            timestamp_ms: None,
        };
        state.apply(&tx);
        accumulate_gas(&mut state, &tx);
        let tx = Arc::new(tx);
        state.txs.insert(digest, tx.clone());
        state.pending.push(digest);
        drop(state);
        self.pending_notify.notify_one();
        Ok(tx)
    }

    /// Executes a transaction without signatures and without changing anything.
    ///
    /// With `select_gas`, an empty gas payment is filled with the owner's SUI coins; without it,
    /// an empty gas payment gets Sui's mock gas coin ([`SIMULATION_GAS_COIN_ID`], version 1,
    /// [`SIMULATION_GAS_COIN_VALUE`] MIST, owned by the gas owner, never stored), as Sui's
    /// simulation does (a Seal key server dry-runs policies this way). With `estimate_budget`,
    /// the budget is set to what the execution costs. Without `checks` (Sui's
    /// `TransactionChecks::DISABLED`), owned inputs need not belong to the sender.
    ///
    /// # Errors
    /// [`TxError`] as for [`Self::execute`] (signatures are not checked).
    pub fn simulate(
        &self,
        mut transaction: Transaction,
        select_gas: bool,
        estimate_budget: bool,
        checks: bool,
    ) -> Result<(Transaction, ExecutedTx), TxError> {
        let state = self.read();
        if estimate_budget {
            transaction.gas_payment.budget = MAX_GAS_BUDGET;
        }
        let mut mock_gas = None;
        if transaction.gas_payment.objects.is_empty() {
            if select_gas {
                transaction.gas_payment.objects = select_gas_coins(&state, &transaction)?;
            } else {
                let mut contents = SIMULATION_GAS_COIN_ID.as_bytes().to_vec();
                contents.extend_from_slice(&SIMULATION_GAS_COIN_VALUE.to_le_bytes());
                let coin = build_object(
                    StructTag::gas_coin(),
                    true,
                    1,
                    contents,
                    Owner::Address(transaction.gas_payment.owner),
                    Digest::ZERO,
                )
                .ok_or_else(|| TxError::Internal("mock gas coin".into()))?;
                transaction.gas_payment.objects = vec![ObjectReference::new(
                    coin.object_id(),
                    coin.version(),
                    coin.digest(),
                )];
                mock_gas = Some(coin);
            }
        }
        if estimate_budget {
            let total: u64 = transaction
                .gas_payment
                .objects
                .iter()
                .filter_map(|r| {
                    mock_gas
                        .as_ref()
                        .filter(|m| m.object_id() == *r.object_id())
                        .or_else(|| state.objects.get(r.object_id()))
                })
                .filter_map(sui_balance)
                .fold(0u64, u64::saturating_add);
            transaction.gas_payment.budget = MAX_GAS_BUDGET.min(total);
        }
        let digest = transaction.digest();
        let mut out = self.run(&state, &transaction, digest, mock_gas.as_ref(), checks)?;
        if estimate_budget {
            let TransactionEffects::V2(e) = &out.effects else {
                return Err(TxError::Internal("unexpected effects version".into()));
            };
            let needed = e.gas_used.computation_cost + e.gas_used.storage_cost;
            transaction.gas_payment.budget =
                needed.max(transaction.gas_payment.price * executor::COMPUTATION_UNITS);
            // Re-run with the final budget so the effects are exactly what execution will give.
            let digest = transaction.digest();
            out = self.run(&state, &transaction, digest, mock_gas.as_ref(), checks)?;
        }
        let tx = ExecutedTx {
            transaction: transaction.clone(),
            signatures: vec![],
            effects: out.effects,
            events: out.events,
            input_objects: out.input_objects,
            output_objects: out.output_objects,
            balance_changes: out.balance_changes,
            checkpoint: None,
            index_in_checkpoint: None,
            timestamp_ms: None,
        };
        Ok((transaction, tx))
    }

    /// Pre-execution checks and execution against `state`; `mock_gas` is a simulation's mock
    /// gas coin, which is not in `state`.
    fn run(
        &self,
        state: &ChainState,
        tx: &Transaction,
        digest: Digest,
        mock_gas: Option<&Object>,
        checks: bool,
    ) -> Result<executor::ExecOutput, TxError> {
        let TransactionKind::ProgrammableTransaction(ptb) = &tx.kind else {
            return Err(TxError::Unsupported(
                "only programmable transactions can be submitted".into(),
            ));
        };
        // The epoch cannot change while `state` is borrowed: sealing needs the write lock.
        let epoch = state.epoch();
        match &tx.expiration {
            TransactionExpiration::None => {}
            TransactionExpiration::Epoch(e) if *e >= epoch => {}
            TransactionExpiration::Epoch(e) => {
                return Err(TxError::Expired(format!(
                    "valid until epoch {e}, now epoch {epoch}"
                )));
            }
            TransactionExpiration::ValidDuring {
                min_epoch,
                max_epoch,
                chain,
                ..
            } => {
                if min_epoch.is_some_and(|m| m > epoch) || max_epoch.is_some_and(|m| m < epoch) {
                    return Err(TxError::Expired(format!("not valid in epoch {epoch}")));
                }
                if chain.to_base58() != self.meta.chain_id {
                    return Err(TxError::Expired(format!(
                        "made for chain {chain}, this is {}",
                        self.meta.chain_id
                    )));
                }
            }
            _ => return Err(TxError::Unsupported("this expiration kind".into())),
        }
        let gas = &tx.gas_payment;
        if gas.price < self.reference_gas_price() {
            return Err(TxError::Gas(format!(
                "gas price {} is below the reference gas price {}",
                gas.price,
                self.reference_gas_price()
            )));
        }
        let min_budget = gas.price.saturating_mul(executor::COMPUTATION_UNITS);
        if gas.budget < min_budget || gas.budget > MAX_GAS_BUDGET {
            return Err(TxError::Gas(format!(
                "gas budget {} is outside [{min_budget}, {MAX_GAS_BUDGET}]",
                gas.budget
            )));
        }
        if gas.objects.is_empty() {
            return Err(TxError::Gas("no gas coin given".into()));
        }
        let mut seen = BTreeSet::new();
        let mut gas_coins = Vec::new();
        let mut gas_balance: u64 = 0;
        for r in &gas.objects {
            let o = match mock_gas {
                Some(m) if m.object_id() == *r.object_id() => m.clone(),
                _ => check_ref(state, r, gas.owner)?,
            };
            if !seen.insert(o.object_id()) {
                return Err(TxError::Malformed(format!(
                    "gas coin {} given twice",
                    o.object_id()
                )));
            }
            let Some((ty, _, _)) = contents_of(&o) else {
                return Err(TxError::Gas(format!("{} is not a SUI coin", o.object_id())));
            };
            if *ty != StructTag::gas_coin() {
                return Err(TxError::Gas(format!(
                    "{} is a {ty}, not a SUI coin",
                    o.object_id()
                )));
            }
            gas_balance = gas_balance.saturating_add(sui_balance(&o).unwrap_or(0));
            gas_coins.push(o);
        }
        if gas_balance < gas.budget {
            return Err(TxError::Gas(format!(
                "gas coins hold {gas_balance} MIST, less than the budget {}",
                gas.budget
            )));
        }
        let mut inputs = Vec::with_capacity(ptb.inputs.len());
        // Checked after every other input, as Sui does.
        let mut receiving = Vec::new();
        for input in &ptb.inputs {
            let loaded = match input {
                Input::Pure(bytes) => LoadedInput::Pure(bytes.clone()),
                Input::ImmutableOrOwned(r) => {
                    // With checks disabled (a simulation's `TransactionChecks::DISABLED`, as
                    // the TypeScript SDK resolves a transaction kind without a sender), an
                    // owned input need not belong to the sender.
                    let signer = match state.objects.get(r.object_id()).map(Object::owner) {
                        Some(Owner::Address(owner)) if !checks => *owner,
                        _ => tx.sender,
                    };
                    let o = check_ref(state, r, signer)?;
                    let mutable = !matches!(o.owner(), Owner::Immutable);
                    LoadedInput::Object { object: o, mutable }
                }
                Input::Shared(s) => {
                    let o = state
                        .objects
                        .get(&s.object_id())
                        .cloned()
                        .ok_or(TxError::ObjectNotFound { id: s.object_id() })?;
                    match o.owner() {
                        Owner::Shared(v) if *v == s.version() => {}
                        Owner::Shared(v) => {
                            return Err(TxError::Malformed(format!(
                                "shared object {} has initial shared version {v}, not {}",
                                s.object_id(),
                                s.version()
                            )));
                        }
                        _ => {
                            return Err(TxError::Malformed(format!(
                                "object {} is not shared",
                                s.object_id()
                            )));
                        }
                    }
                    let mutable = s.mutability().is_mutable();
                    if mutable && s.object_id() == CLOCK_ID {
                        return Err(TxError::Malformed(
                            "the Clock can only be used immutably".into(),
                        ));
                    }
                    LoadedInput::Object { object: o, mutable }
                }
                Input::Receiving(r) => {
                    receiving.push(r);
                    LoadedInput::Receiving(r.clone())
                }
                _ => return Err(TxError::Unsupported("this input kind".into())),
            };
            if let LoadedInput::Object { object, .. } = &loaded {
                if !seen.insert(object.object_id()) {
                    return Err(TxError::DuplicateObjectRefInput {
                        id: object.object_id(),
                    });
                }
            }
            inputs.push(loaded);
        }
        for r in receiving {
            check_receiving(state, r)?;
            if !seen.insert(*r.object_id()) {
                return Err(TxError::DuplicateObjectRefInput { id: *r.object_id() });
            }
        }
        Ok(executor::execute(
            &self.registry,
            ExecRequest {
                digest,
                sender: tx.sender,
                ptb,
                inputs,
                gas: gas_coins,
                gas_price: gas.price,
                gas_budget: gas.budget,
                epoch,
                // `TxContext::epoch_timestamp_ms`: when the current epoch started.
                timestamp_ms: state.epoch_start_ms(),
                objects: &state.objects,
            },
        ))
    }

    // === checkpoints ===

    /// Seals the pending transactions (and a Clock update) into a signed checkpoint, persists it
    /// and publishes it to subscribers.
    ///
    /// `timestamp_ms` is raised to the previous checkpoint's timestamp (time never goes back).
    /// If it is at or past the current epoch's start plus [`Self::sui_epoch_duration`], the
    /// checkpoint is the epoch's last, as on Sui: after the transactions executed in the epoch
    /// comes the end-of-epoch system transaction (`ChangeEpoch` with the epoch's gas), the
    /// summary carries `end_of_epoch_data`, and transactions executed from then on are in the
    /// next epoch.
    ///
    /// # Errors
    /// If persisting fails.
    pub fn seal_checkpoint(&self, timestamp_ms: u64) -> anyhow::Result<Arc<CheckpointRecord>> {
        let record = self
            .seal_inner(timestamp_ms, true)?
            .context("nothing sealed")?;
        Ok(record)
    }

    fn seal_inner(
        &self,
        timestamp_ms: u64,
        with_clock: bool,
    ) -> anyhow::Result<Option<Arc<CheckpointRecord>>> {
        let _seal = self.seal.lock().unwrap_or_else(PoisonError::into_inner);
        let (record, txs, epochs) = {
            // One write lock from taking the pending transactions to switching the epoch:
            // `execute` holds the same lock, so every transaction executed in epoch `e` is
            // sealed into a checkpoint of epoch `e`, and none executed after the switch is.
            let mut state = self.write();
            let seq = state.checkpoints.len() as u64;
            let previous = state.checkpoints.last().cloned();
            // Time never goes backwards in the chain.
            let timestamp_ms = previous
                .as_ref()
                .map_or(timestamp_ms, |p| timestamp_ms.max(p.summary.timestamp_ms));
            let epoch = state.epoch();
            // The genesis checkpoint (sealed without a Clock update) never ends an epoch.
            let ends_epoch = with_clock
                && timestamp_ms
                    >= state
                        .epoch_start_ms()
                        .saturating_add(self.epoch_duration_ms.load(Ordering::Relaxed));
            if with_clock {
                let clock_tx = self.clock_update(&state, epoch, seq, timestamp_ms)?;
                state.apply(&clock_tx);
                let digest = clock_tx.transaction.digest();
                state.txs.insert(digest, Arc::new(clock_tx));
                state.pending.push(digest);
            }
            let pending = std::mem::take(&mut state.pending);
            let mut infos = Vec::with_capacity(pending.len() + 1);
            let mut txs = Vec::with_capacity(pending.len() + 1);
            let mut gas = state.rolling_gas.clone();
            for digest in &pending {
                let Some(tx) = state.txs.get(digest).cloned() else {
                    continue;
                };
                let mut tx = (*tx).clone();
                tx.checkpoint = Some(seq);
                tx.index_in_checkpoint = Some(txs.len() as u64);
                tx.timestamp_ms = Some(timestamp_ms);
                add_gas(&mut gas, tx.effects.gas_summary());
                infos.push(CheckpointTransactionInfo::new(
                    *digest,
                    tx.effects.digest(),
                    tx.signatures.clone(),
                ));
                state.txs.insert(*digest, Arc::new(tx.clone()));
                txs.push(tx);
            }
            let end_of_epoch_data = if ends_epoch {
                let mut change = change_epoch(epoch, &gas, timestamp_ms);
                change.checkpoint = Some(seq);
                change.index_in_checkpoint = Some(txs.len() as u64);
                change.timestamp_ms = Some(timestamp_ms);
                add_gas(&mut gas, change.effects.gas_summary());
                let digest = change.transaction.digest();
                infos.push(CheckpointTransactionInfo::new(
                    digest,
                    change.effects.digest(),
                    vec![],
                ));
                state.apply(&change);
                state.txs.insert(digest, Arc::new(change.clone()));
                txs.push(change);
                Some(EndOfEpochData {
                    next_epoch_committee: committee_members(&self.validator),
                    next_epoch_protocol_version: PROTOCOL_VERSION,
                    epoch_commitments: vec![],
                })
            } else {
                None
            };
            let contents = CheckpointContents::new_v1(infos);
            let total = state.total_transactions + txs.len() as u64;
            let summary = CheckpointSummary {
                epoch,
                sequence_number: seq,
                network_total_transactions: total,
                content_digest: contents.digest(),
                previous_digest: previous.as_ref().map(|p| p.summary.digest()),
                epoch_rolling_gas_cost_summary: gas.clone(),
                timestamp_ms,
                checkpoint_commitments: vec![],
                end_of_epoch_data,
                version_specific_data: vec![],
            };
            let signature = self.validator.sign_checkpoint_summary(&summary);
            let mut aggregator = ValidatorCommitteeSignatureAggregator::new_checkpoint_summary(
                self.committee_of(epoch),
                &summary,
            )
            .map_err(|e| anyhow::anyhow!("while signing checkpoint {seq}: {e}"))?;
            aggregator
                .add_signature(signature)
                .map_err(|e| anyhow::anyhow!("while signing checkpoint {seq}: {e}"))?;
            let signature = aggregator
                .finish()
                .map_err(|e| anyhow::anyhow!("while signing checkpoint {seq}: {e}"))?;
            let record = Arc::new(CheckpointRecord {
                summary,
                signature,
                contents,
            });
            state.total_transactions = total;
            let mut epochs = Vec::new();
            if ends_epoch {
                // The next epoch's gas starts from zero; its first checkpoint is the next one.
                state.rolling_gas = GasCostSummary::default();
                let reference_gas_price = self.meta.reference_gas_price;
                if let Some(ended) = state.epochs.last_mut() {
                    ended.last_checkpoint = Some(seq);
                    ended.end_ms = Some(timestamp_ms);
                    epochs.push(ended.clone());
                }
                let next = EpochRecord {
                    epoch: epoch + 1,
                    first_checkpoint: seq + 1,
                    last_checkpoint: None,
                    start_ms: timestamp_ms,
                    end_ms: None,
                    reference_gas_price,
                    protocol_version: PROTOCOL_VERSION,
                };
                state.epochs.push(next.clone());
                epochs.push(next);
            } else {
                state.rolling_gas = gas;
            }
            state
                .checkpoint_by_digest
                .insert(record.summary.digest(), seq);
            state.checkpoints.push(record.clone());
            (record, txs, epochs)
        };
        self.store.write_checkpoint(&record, &txs, &epochs)?;
        if let Some(ended) = epochs.first() {
            tracing::info!(
                epoch = ended.epoch,
                checkpoint = record.summary.sequence_number,
                "sui epoch ended"
            );
        }
        self.tip_tx.send_replace(record.summary.sequence_number);
        // Building the full message is the costliest part of sealing: only for subscribers.
        if self.checkpoints_tx.receiver_count() > 0 {
            let txs: Vec<Arc<ExecutedTx>> = txs.into_iter().map(Arc::new).collect();
            let proto = crate::proto::checkpoint(&record, &txs);
            // A subscriber that left in between is not an error.
            let _ = self.checkpoints_tx.send(Arc::new(proto));
        }
        Ok(Some(record))
    }

    /// The system transaction that sets the Clock to the checkpoint's timestamp.
    fn clock_update(
        &self,
        state: &ChainState,
        epoch: u64,
        seq: u64,
        timestamp_ms: u64,
    ) -> anyhow::Result<ExecutedTx> {
        let clock = state
            .objects
            .get(&CLOCK_ID)
            .cloned()
            .context("the Clock object is missing")?;
        let transaction = system_transaction(TransactionKind::ConsensusCommitPrologue(
            ConsensusCommitPrologue {
                epoch,
                round: seq,
                commit_timestamp_ms: timestamp_ms,
            },
        ));
        let digest = transaction.digest();
        let version = clock.version() + 1;
        let mut contents = CLOCK_ID.as_bytes().to_vec();
        contents.extend_from_slice(&timestamp_ms.to_le_bytes());
        let new = build_object(
            clock_type(),
            false,
            version,
            contents,
            *clock.owner(),
            digest,
        )
        .context("the Clock object is malformed")?;
        let change = ChangedObject {
            object_id: CLOCK_ID,
            input_state: ObjectIn::Exist {
                version: clock.version(),
                digest: clock.digest(),
                owner: *clock.owner(),
            },
            output_state: ObjectOut::ObjectWrite {
                digest: new.digest(),
                owner: *new.owner(),
            },
            id_operation: IdOperation::None,
        };
        let mut effects = system_effects(digest, epoch, version, vec![change]);
        if let TransactionEffects::V2(e) = &mut effects {
            e.dependencies = vec![clock.previous_transaction()];
        }
        Ok(ExecutedTx {
            transaction,
            signatures: vec![],
            effects,
            events: None,
            input_objects: vec![clock],
            output_objects: vec![new],
            balance_changes: vec![],
            checkpoint: None,
            index_in_checkpoint: None,
            timestamp_ms: None,
        })
    }

    /// Signs and executes a transfer of `amount` MIST from the faucet to `recipient`.
    ///
    /// # Errors
    /// If the faucet has no coin large enough or the transaction is rejected.
    pub fn faucet_transfer(
        &self,
        recipient: Address,
        amount: u64,
    ) -> Result<(Arc<ExecutedTx>, Vec<Object>), TxError> {
        let faucet = self.faucet.public_key().derive_address();
        let (coins, _) = self.owned_objects(
            faucet,
            Some(&TypeFilter::Exact(StructTag::gas_coin())),
            None,
            usize::MAX,
        );
        let coin = coins
            .into_iter()
            .max_by_key(sui_balance)
            .ok_or_else(|| TxError::Gas("the faucet has no coins left".into()))?;
        let mut ptb = sui_sdk_types::ProgrammableTransaction {
            inputs: vec![],
            commands: vec![],
        };
        ptb.inputs.push(Input::Pure(amount.to_le_bytes().to_vec()));
        ptb.inputs.push(Input::Pure(recipient.as_bytes().to_vec()));
        ptb.commands.push(sui_sdk_types::Command::SplitCoins(
            sui_sdk_types::SplitCoins {
                coin: sui_sdk_types::Argument::Gas,
                amounts: vec![sui_sdk_types::Argument::Input(0)],
            },
        ));
        ptb.commands.push(sui_sdk_types::Command::TransferObjects(
            sui_sdk_types::TransferObjects {
                objects: vec![sui_sdk_types::Argument::NestedResult(0, 0)],
                address: sui_sdk_types::Argument::Input(1),
            },
        ));
        let transaction = Transaction {
            kind: TransactionKind::ProgrammableTransaction(ptb),
            sender: faucet,
            gas_payment: GasPayment {
                objects: vec![ObjectReference::new(
                    coin.object_id(),
                    coin.version(),
                    coin.digest(),
                )],
                owner: faucet,
                price: self.reference_gas_price(),
                budget: 10_000_000,
            },
            expiration: TransactionExpiration::None,
        };
        let signature = self
            .faucet
            .sign_transaction(&transaction)
            .map_err(|e| TxError::Internal(format!("faucet signing: {e}")))?;
        let tx = self.execute(transaction, vec![signature])?;
        if let TransactionEffects::V2(e) = &tx.effects {
            if let ExecutionStatus::Failure { error, .. } = &e.status {
                return Err(TxError::Internal(format!(
                    "faucet transfer failed: {error:?}"
                )));
            }
        }
        let sent = tx
            .output_objects
            .iter()
            .filter(|o| *o.owner() == Owner::Address(recipient))
            .cloned()
            .collect();
        Ok((tx, sent))
    }
}

#[cold]
fn unreachable_genesis() -> Arc<CheckpointRecord> {
    // Node::open always seals the genesis checkpoint before returning a node.
    panic!("the chain has no genesis checkpoint")
}

/// A `ListOwnedObjects` type filter.
#[derive(Clone, Debug)]
pub enum TypeFilter {
    /// Exactly this type.
    Exact(StructTag),
    /// Any instantiation of `address::module::Name`.
    Generic(Address, String, String),
}

impl TypeFilter {
    /// Parses `0x2::coin::Coin<0x2::sui::SUI>` or `0x2::coin::Coin`.
    ///
    /// # Errors
    /// If the string is not a struct type.
    pub fn parse(s: &str) -> Result<Self, String> {
        if let Ok(tag) = s.parse::<StructTag>() {
            if !tag.type_params().is_empty() || s.contains('<') {
                return Ok(Self::Exact(tag));
            }
            return Ok(Self::Generic(
                *tag.address(),
                tag.module().to_string(),
                tag.name().to_string(),
            ));
        }
        Err(format!("{s:?} is not a struct type"))
    }

    fn matches(&self, ty: &StructTag) -> bool {
        match self {
            Self::Exact(t) => t == ty,
            Self::Generic(a, m, n) => {
                ty.address() == a && ty.module().as_str() == m && ty.name().as_str() == n
            }
        }
    }
}

fn accumulate_gas(state: &mut ChainState, tx: &ExecutedTx) {
    let g = tx.effects.gas_summary();
    // Net charge = computation + storage - rebate, as taken from the gas coin.
    state.gas_collected +=
        i128::from(g.computation_cost) + i128::from(g.storage_cost) - i128::from(g.storage_rebate);
}

/// Sui's gas price of system transactions (`GAS_PRICE_FOR_SYSTEM_TX`).
const GAS_PRICE_FOR_SYSTEM_TX: u64 = 1;

/// A system transaction as Sui builds one (`TransactionData::new_system_transaction`): sender
/// `0x0`, no expiration, and a placeholder gas payment `(0x0, 0, ObjectDigest::MIN)` with price 1
/// and budget 0 that is never loaded or charged.
fn system_transaction(kind: TransactionKind) -> Transaction {
    Transaction {
        kind,
        sender: Address::ZERO,
        gas_payment: GasPayment {
            objects: vec![ObjectReference::new(Address::ZERO, 0, Digest::ZERO)],
            owner: Address::ZERO,
            price: GAS_PRICE_FOR_SYSTEM_TX,
            budget: 0,
        },
        expiration: TransactionExpiration::None,
    }
}

fn add_gas(total: &mut GasCostSummary, g: &GasCostSummary) {
    total.computation_cost += g.computation_cost;
    total.storage_cost += g.storage_cost;
    total.storage_rebate += g.storage_rebate;
    total.non_refundable_storage_fee += g.non_refundable_storage_fee;
}

/// The end-of-epoch system transaction that ends `epoch` at `timestamp_ms` (the next epoch's
/// start), reporting the epoch's gas, as Sui's `create_and_execute_advance_epoch_tx` builds it:
/// `EndOfEpoch([ChangeEpoch])`.
///
/// On Sui it changes the system state object `0x5` (and its validator set, storage fund and
/// stake subsidy) and emits `SystemEpochInfoEvent`. This chain has no `0x5` object (no
/// validator set or staking in Move to update: the committee is one fixed validator), so the
/// effects are those of a system transaction that changes no object: success, the ended epoch,
/// no gas object, no gas, no dependencies, Lamport version 1 (no inputs).
fn change_epoch(epoch: u64, gas: &GasCostSummary, timestamp_ms: u64) -> ExecutedTx {
    let transaction = system_transaction(TransactionKind::EndOfEpoch(vec![
        EndOfEpochTransactionKind::ChangeEpoch(ChangeEpoch {
            epoch: epoch + 1,
            protocol_version: PROTOCOL_VERSION,
            storage_charge: gas.storage_cost,
            computation_charge: gas.computation_cost,
            storage_rebate: gas.storage_rebate,
            non_refundable_storage_fee: gas.non_refundable_storage_fee,
            epoch_start_timestamp_ms: timestamp_ms,
            system_packages: vec![],
        }),
    ]));
    let effects = system_effects(transaction.digest(), epoch, 1, vec![]);
    ExecutedTx {
        transaction,
        signatures: vec![],
        effects,
        events: None,
        input_objects: vec![],
        output_objects: vec![],
        balance_changes: vec![],
        checkpoint: None,
        index_in_checkpoint: None,
        timestamp_ms: None,
    }
}

/// Effects of a system transaction executed in `epoch`: success, no gas object, no gas.
fn system_effects(
    digest: Digest,
    epoch: u64,
    lamport_version: u64,
    changed_objects: Vec<ChangedObject>,
) -> TransactionEffects {
    TransactionEffects::V2(Box::new(TransactionEffectsV2 {
        status: ExecutionStatus::Success,
        epoch,
        gas_used: GasCostSummary {
            computation_cost: 0,
            storage_cost: 0,
            storage_rebate: 0,
            non_refundable_storage_fee: 0,
        },
        transaction_digest: digest,
        gas_object_index: None,
        events_digest: None,
        dependencies: vec![],
        lamport_version,
        changed_objects,
        unchanged_consensus_objects: vec![],
        auxiliary_data_digest: None,
    }))
}

/// Checks an owned or immutable object reference against the live state.
fn check_ref(state: &ChainState, r: &ObjectReference, signer: Address) -> Result<Object, TxError> {
    let id = *r.object_id();
    let o = state
        .objects
        .get(&id)
        .cloned()
        .ok_or(TxError::ObjectNotFound { id })?;
    // Sui checks this first (`check_one_object`).
    if matches!(o.data(), ObjectData::Package(_)) {
        return Err(TxError::MovePackageAsObject { id });
    }
    if o.version() != r.version() {
        return Err(TxError::StaleObject {
            id,
            given: r.version(),
            current: o.version(),
        });
    }
    if o.digest() != *r.digest() {
        return Err(TxError::DigestMismatch {
            id,
            given: r.digest().to_string(),
            current: o.digest().to_string(),
        });
    }
    match o.owner() {
        Owner::Address(a) if *a == signer => Ok(o),
        Owner::Immutable => Ok(o),
        Owner::Shared(_) => Err(TxError::Malformed(format!(
            "object {id} is shared and must be passed as a shared input"
        ))),
        _ => Err(TxError::NotOwned { id, signer }),
    }
}

/// Largest usable object version (Sui's `SequenceNumber::MAX`).
const MAX_OBJECT_VERSION: u64 = 0x7fff_ffff_ffff_ffff;

/// Checks a receiving input as Sui does at signing (`check_receiving_objects`): the object is
/// address-owned (by anyone: an object's address in practice) at exactly this version and
/// digest, or it was already received at this version (then execution aborts in
/// `transfer::receive_impl` instead, if the object is received).
fn check_receiving(state: &ChainState, r: &ObjectReference) -> Result<(), TxError> {
    let id = *r.object_id();
    if r.version() >= MAX_OBJECT_VERSION {
        return Err(TxError::Malformed(format!(
            "receiving input {id} names version {}, above the largest usable version",
            r.version()
        )));
    }
    let object = state.objects.get(&id);
    let receivable = object.is_some_and(|o| {
        matches!(o.owner(), Owner::Address(_))
            && o.version() == r.version()
            && o.digest() == *r.digest()
    });
    if receivable || state.received.contains(&(id, r.version())) {
        return Ok(());
    }
    let o = object.ok_or(TxError::ObjectNotFound { id })?;
    if o.version() != r.version() {
        return Err(TxError::StaleObject {
            id,
            given: r.version(),
            current: o.version(),
        });
    }
    if matches!(o.data(), ObjectData::Package(_)) {
        return Err(TxError::MovePackageAsObject { id });
    }
    if o.digest() != *r.digest() {
        return Err(TxError::DigestMismatch {
            id,
            given: r.digest().to_string(),
            current: o.digest().to_string(),
        });
    }
    Err(match o.owner() {
        Owner::Object(parent) => TxError::ChildObjectInput {
            child: id,
            parent: *parent,
        },
        Owner::Immutable => TxError::ImmutableObjectReceived { id },
        // Address-owned objects were accepted above.
        _ => TxError::SharedObjectReceived { id },
    })
}

/// Checks that the signatures are valid and come from exactly the sender (and gas owner).
fn verify_signatures(tx: &Transaction, signatures: &[UserSignature]) -> Result<(), TxError> {
    let mut required: BTreeSet<Address> = [tx.sender, tx.gas_payment.owner].into_iter().collect();
    if signatures.len() != required.len() {
        return Err(TxError::Signature(format!(
            "expected {} signature(s), got {}",
            required.len(),
            signatures.len()
        )));
    }
    for sig in signatures {
        if matches!(sig, UserSignature::ZkLogin(_)) {
            return Err(TxError::Unsupported(
                "zkLogin signatures (the local chain has no OAuth provider keys)".into(),
            ));
        }
        let signer = sig.derive_address();
        if !required.remove(&signer) {
            return Err(TxError::Signature(format!(
                "a signature is from {signer}, which is neither the sender nor the gas owner"
            )));
        }
        UserSignatureVerifier::new()
            .verify_transaction(tx, sig)
            .map_err(|e| {
                TxError::Signature(format!("signature of {signer} does not verify: {e}"))
            })?;
    }
    Ok(())
}

/// Picks the owner's largest SUI coins (not used as inputs) to cover the budget.
fn select_gas_coins(state: &ChainState, tx: &Transaction) -> Result<Vec<ObjectReference>, TxError> {
    let owner = tx.gas_payment.owner;
    let mut used = BTreeSet::new();
    if let TransactionKind::ProgrammableTransaction(ptb) = &tx.kind {
        for input in &ptb.inputs {
            match input {
                Input::ImmutableOrOwned(r) | Input::Receiving(r) => {
                    used.insert(*r.object_id());
                }
                Input::Shared(s) => {
                    used.insert(s.object_id());
                }
                _ => {}
            }
        }
    }
    let end = Address::new([0xff; 32]);
    let mut coins: Vec<(u64, &Object)> = state
        .owned
        .range((owner, Address::ZERO)..=(owner, end))
        .filter(|(_, id)| !used.contains(id))
        .filter_map(|(_, id)| state.objects.get(id))
        .filter(|o| matches!(o.owner(), Owner::Address(_)))
        .filter_map(|o| Some((sui_balance(o)?, o)))
        .collect();
    coins.sort_by_key(|c| std::cmp::Reverse(c.0));
    let target = tx.gas_payment.budget;
    let mut total: u64 = 0;
    let mut out = Vec::new();
    for (balance, o) in coins.into_iter().take(MAX_GAS_PAYMENT_OBJECTS) {
        if total >= target && !out.is_empty() {
            break;
        }
        total = total.saturating_add(balance);
        out.push(ObjectReference::new(o.object_id(), o.version(), o.digest()));
    }
    if out.is_empty() {
        return Err(TxError::Gas(format!(
            "{owner} has no SUI coins to pay gas with"
        )));
    }
    Ok(out)
}
