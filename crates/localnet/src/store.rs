//! Persistence of the chain in an embedded `redb` database under the data directory.
//!
//! The ledger is stored as its history: the genesis parameters, every checkpoint and every
//! executed transaction with its input and output objects, and one record per Sui epoch. The
//! live object set is rebuilt at start-up by replaying the transactions in checkpoint order, so
//! the state and the history can never disagree. Everything a checkpoint contains (and the epoch
//! records it changes) is written in one database transaction.

use std::path::Path;

use anyhow::Context as _;
use redb::ReadableTable as _;
use redb::TableDefinition;
use serde::Deserialize;
use serde::Serialize;
use sui_sdk_types::BalanceChange;
use sui_sdk_types::CheckpointContents;
use sui_sdk_types::CheckpointSummary;
use sui_sdk_types::Object;
use sui_sdk_types::Transaction;
use sui_sdk_types::TransactionEffects;
use sui_sdk_types::TransactionEvents;
use sui_sdk_types::UserSignature;
use sui_sdk_types::ValidatorAggregatedSignature;

const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
const CHECKPOINTS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("checkpoints");
const TRANSACTIONS: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("transactions");
/// Sui epochs by number. Absent from data directories written before epochs changed: such a
/// chain is entirely in epoch 0 (see `Node::open`).
const EPOCHS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("epochs");

/// A transaction with everything the chain recorded about its execution.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExecutedTx {
    /// The transaction data.
    pub transaction: Transaction,
    /// Its user signatures (empty for system transactions).
    pub signatures: Vec<UserSignature>,
    /// Its effects.
    pub effects: TransactionEffects,
    /// Its events, if it emitted any.
    pub events: Option<TransactionEvents>,
    /// Objects it read or changed, at their input versions.
    pub input_objects: Vec<Object>,
    /// Objects it wrote, at their new versions.
    pub output_objects: Vec<Object>,
    /// Coin balance changes per address.
    pub balance_changes: Vec<BalanceChange>,
    /// The checkpoint that includes it, once sealed.
    pub checkpoint: Option<u64>,
    /// Its position in that checkpoint.
    pub index_in_checkpoint: Option<u64>,
    /// That checkpoint's timestamp.
    pub timestamp_ms: Option<u64>,
}

/// A sealed checkpoint: its certified summary and its contents.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckpointRecord {
    /// The summary.
    pub summary: CheckpointSummary,
    /// The committee's aggregated BLS signature over the summary.
    pub signature: ValidatorAggregatedSignature,
    /// The contents (transaction and effects digests, signatures).
    pub contents: CheckpointContents,
}

/// The parameters fixed at genesis.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GenesisMeta {
    /// Base58 digest of checkpoint 0.
    pub chain_id: String,
    /// The validator's BLS12-381 secret key.
    pub validator_key: [u8; 32],
    /// The faucet account's Ed25519 secret key.
    pub faucet_key: [u8; 32],
    /// Reference gas price in MIST.
    pub reference_gas_price: u64,
    /// Timestamp of genesis (start of epoch 0), in milliseconds.
    pub epoch_start_ms: u64,
    /// The accounts funded at genesis.
    pub accounts: Vec<sui_sdk_types::Address>,
}

/// What the chain records about one Sui epoch (what `GetEpoch` answers).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EpochRecord {
    /// The epoch number.
    pub epoch: u64,
    /// Its first checkpoint (sealed or, for a new epoch, the next to be sealed).
    pub first_checkpoint: u64,
    /// Its last checkpoint (the one carrying `end_of_epoch_data`), once it ended.
    pub last_checkpoint: Option<u64>,
    /// When it started, in milliseconds (the previous epoch's last checkpoint's timestamp, or
    /// genesis).
    pub start_ms: u64,
    /// When it ended (its last checkpoint's timestamp), once it ended.
    pub end_ms: Option<u64>,
    /// Reference gas price during the epoch, in MIST.
    pub reference_gas_price: u64,
    /// Protocol version in effect during the epoch.
    pub protocol_version: u64,
}

/// The redb-backed store.
#[derive(Debug)]
pub(crate) struct Store {
    db: redb::Database,
}

/// Everything loaded from an existing store.
pub(crate) struct Loaded {
    pub meta: GenesisMeta,
    pub checkpoints: Vec<CheckpointRecord>,
    pub transactions: Vec<ExecutedTx>,
    /// The epoch records in order (empty for a data directory from before epochs changed).
    pub epochs: Vec<EpochRecord>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    ///
    /// # Errors
    /// If the file cannot be opened or is not a redb database.
    pub(crate) fn open(path: &Path) -> anyhow::Result<Self> {
        let db = redb::Database::create(path)
            .with_context(|| format!("while opening the ledger database {}", path.display()))?;
        let txn = db.begin_write()?;
        {
            txn.open_table(META)?;
            txn.open_table(CHECKPOINTS)?;
            txn.open_table(TRANSACTIONS)?;
            txn.open_table(EPOCHS)?;
        }
        txn.commit()?;
        Ok(Self { db })
    }

    /// Loads the whole chain, or `None` if genesis was never written.
    pub(crate) fn load(&self) -> anyhow::Result<Option<Loaded>> {
        let txn = self.db.begin_read()?;
        let meta_table = txn.open_table(META)?;
        let Some(meta) = meta_table.get("genesis")? else {
            return Ok(None);
        };
        let meta: GenesisMeta =
            bcs::from_bytes(meta.value()).context("while decoding the genesis parameters")?;
        let checkpoints_table = txn.open_table(CHECKPOINTS)?;
        let transactions_table = txn.open_table(TRANSACTIONS)?;
        let mut checkpoints = Vec::new();
        let mut transactions = Vec::new();
        for (expected, entry) in checkpoints_table.iter()?.enumerate() {
            let (seq, bytes) = entry?;
            anyhow::ensure!(
                seq.value() == expected as u64,
                "the ledger database is missing checkpoint {expected}"
            );
            let record: CheckpointRecord = bcs::from_bytes(bytes.value())
                .with_context(|| format!("while decoding checkpoint {}", seq.value()))?;
            for info in record.contents.transactions() {
                let bytes = transactions_table
                    .get(info.transaction().as_bytes())?
                    .with_context(|| {
                        format!(
                            "the ledger database is missing transaction {}",
                            info.transaction()
                        )
                    })?;
                let tx: ExecutedTx = bcs::from_bytes(bytes.value()).with_context(|| {
                    format!("while decoding transaction {}", info.transaction())
                })?;
                transactions.push(tx);
            }
            checkpoints.push(record);
        }
        let epochs_table = txn.open_table(EPOCHS)?;
        let mut epochs = Vec::new();
        for (expected, entry) in epochs_table.iter()?.enumerate() {
            let (epoch, bytes) = entry?;
            anyhow::ensure!(
                epoch.value() == expected as u64,
                "the ledger database is missing the record of epoch {expected}"
            );
            let record: EpochRecord = bcs::from_bytes(bytes.value())
                .with_context(|| format!("while decoding the record of epoch {}", epoch.value()))?;
            anyhow::ensure!(
                record.epoch == epoch.value(),
                "the record of epoch {} is for epoch {}",
                epoch.value(),
                record.epoch
            );
            epochs.push(record);
        }
        Ok(Some(Loaded {
            meta,
            checkpoints,
            transactions,
            epochs,
        }))
    }

    /// Writes the genesis parameters.
    pub(crate) fn write_meta(&self, meta: &GenesisMeta) -> anyhow::Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(META)?;
            table.insert("genesis", bcs::to_bytes(meta)?.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Writes epoch records (inserting or replacing each by number).
    pub(crate) fn write_epochs(&self, epochs: &[EpochRecord]) -> anyhow::Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(EPOCHS)?;
            for e in epochs {
                table.insert(e.epoch, bcs::to_bytes(e)?.as_slice())?;
            }
        }
        txn.commit().context("while persisting the epoch records")?;
        Ok(())
    }

    /// Writes a sealed checkpoint, its transactions and the epoch records it changed (the
    /// epoch it ended and the one it started) atomically.
    pub(crate) fn write_checkpoint(
        &self,
        record: &CheckpointRecord,
        transactions: &[ExecutedTx],
        epochs: &[EpochRecord],
    ) -> anyhow::Result<()> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(EPOCHS)?;
            for e in epochs {
                table.insert(e.epoch, bcs::to_bytes(e)?.as_slice())?;
            }
            let mut table = txn.open_table(TRANSACTIONS)?;
            for tx in transactions {
                let digest = tx.transaction.digest();
                table.insert(digest.as_bytes(), bcs::to_bytes(tx)?.as_slice())?;
            }
            let mut table = txn.open_table(CHECKPOINTS)?;
            table.insert(
                record.summary.sequence_number,
                bcs::to_bytes(record)?.as_slice(),
            )?;
        }
        txn.commit().with_context(|| {
            format!(
                "while persisting checkpoint {}",
                record.summary.sequence_number
            )
        })?;
        Ok(())
    }
}
