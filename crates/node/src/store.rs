//! The node's database: one [redb](https://crates.io/crates/redb) file (`node.redb` in the
//! storage directory). redb rather than RocksDB: pure Rust (no minutes of C++ compilation on a
//! 2-core machine), ACID transactions with fsync on commit, and the access pattern here —
//! point reads and writes of slivers and per-blob records, range scans per shard — needs
//! nothing more.
//!
//! Tables:
//! - `meta`: the chain cursor (last applied checkpoint).
//! - `blobs`: blob ID → [`BlobRecord`] (its registrations, certification, invalidation).
//! - `metadata`: blob ID → BCS `BlobMetadata`.
//! - `slivers`: shard (u16 BE) ‖ blob ID ‖ axis (0 primary, 1 secondary) → BCS `SliverData`.
//! - `sliver_keys`: the same keys → `()`, for existence checks (recovery and confirmations ask
//!   for every sliver of a blob; reading a key of `slivers` reads its whole value).
//!
//! Every write commits durably (fsync) before it returns, except uploaded slivers
//! ([`Batch::defer_sync`]), which [`Store::sync`] makes durable before a confirmation covering
//! them is signed: a confirmation never covers data that a crash could lose.

use std::path::Path;

use haulout_types::node_api::EventId;
use redb::{Database, ReadableTable as _, ReadableTableMetadata as _, TableDefinition};
use serde::{Deserialize, Serialize};

const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
const BLOBS: TableDefinition<'_, &[u8; 32], &[u8]> = TableDefinition::new("blobs");
const METADATA: TableDefinition<'_, &[u8; 32], &[u8]> = TableDefinition::new("metadata");
const SLIVERS: TableDefinition<'_, &[u8; 35], &[u8]> = TableDefinition::new("slivers");
/// The keys of `slivers` alone: whether a sliver is stored is answered without reading its
/// (multi-MB) value, which redb keeps in the same page as the key.
const SLIVER_KEYS: TableDefinition<'_, &[u8; 35], ()> = TableDefinition::new("sliver_keys");

const CURSOR: &str = "cursor";

/// A database error, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("node database: {what}: {source}")]
pub struct StoreError {
    what: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

fn err<E: std::error::Error + Send + Sync + 'static>(
    what: &'static str,
) -> impl FnOnce(E) -> StoreError {
    move |e| StoreError {
        what,
        source: Box::new(e),
    }
}

/// One on-chain registration (`Blob` object) of a blob ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The `Blob` object.
    pub object_id: [u8; 32],
    /// Whether its owner may delete it.
    pub deletable: bool,
    /// First epoch it is no longer stored in.
    pub end_epoch: u32,
    /// Whether it is certified.
    pub certified: bool,
    /// The event of its registration (or latest certification/extension).
    pub event: EventId,
}

/// What the node knows about a blob ID from the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRecord {
    /// Unencoded size in bytes (from the registration).
    pub size: u64,
    /// Live (not deleted) registrations, expired ones included until garbage collection.
    pub registrations: Vec<Registration>,
    /// First epoch in which any registration was certified.
    pub initial_certified_epoch: Option<u32>,
    /// The `InvalidBlobID` event, if the blob ID was invalidated.
    pub invalid: Option<EventId>,
}

impl BlobRecord {
    /// The registrations still valid in `epoch`.
    pub fn live(&self, epoch: u32) -> impl Iterator<Item = &Registration> {
        self.registrations
            .iter()
            .filter(move |r| r.end_epoch > epoch)
    }

    /// Whether the blob must be stored in `epoch`: valid, registered and not expired.
    pub fn is_registered(&self, epoch: u32) -> bool {
        self.invalid.is_none() && self.live(epoch).next().is_some()
    }

    /// Whether some live registration is certified in `epoch`.
    pub fn is_certified(&self, epoch: u32) -> bool {
        self.invalid.is_none() && self.live(epoch).any(|r| r.certified)
    }
}

/// Which sliver of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Axis {
    /// The primary sliver.
    Primary = 0,
    /// The secondary sliver.
    Secondary = 1,
}

fn sliver_key(shard: u16, blob: &[u8; 32], axis: Axis) -> [u8; 35] {
    let mut key = [0u8; 35];
    key[..2].copy_from_slice(&shard.to_be_bytes());
    key[2..34].copy_from_slice(blob);
    key[34] = axis as u8;
    key
}

/// The node's database.
#[derive(Debug)]
pub struct Store {
    db: Database,
}

/// Changes of one checkpoint (or one upload), written together.
#[derive(Debug, Default)]
pub struct Batch {
    blobs: Vec<([u8; 32], Option<BlobRecord>)>,
    metadata: Vec<([u8; 32], Option<Vec<u8>>)>,
    slivers: Vec<([u8; 35], Option<Vec<u8>>)>,
    delete_blob_data: Vec<[u8; 32]>,
    cursor: Option<u64>,
    deferred: bool,
}

impl Batch {
    /// Commits the batch without waiting for the disk: it is durable only once a later
    /// durable write (or [`Store::sync`]) commits. For uploads, which are synced before the
    /// node signs a confirmation for them.
    pub fn defer_sync(&mut self) {
        self.deferred = true;
    }

    /// Sets (or, with `None`, removes) a blob record.
    pub fn blob(&mut self, id: [u8; 32], record: Option<BlobRecord>) {
        self.blobs.push((id, record));
    }

    /// Stores a blob's metadata.
    pub fn metadata(&mut self, id: [u8; 32], bcs: Vec<u8>) {
        self.metadata.push((id, Some(bcs)));
    }

    /// Stores a sliver.
    pub fn sliver(&mut self, shard: u16, id: [u8; 32], axis: Axis, bcs: Vec<u8>) {
        self.slivers.push((sliver_key(shard, &id, axis), Some(bcs)));
    }

    /// Deletes a blob's metadata and every sliver of it on every shard.
    pub fn delete_data(&mut self, id: [u8; 32]) {
        self.delete_blob_data.push(id);
    }

    /// Records `seq` as the last applied checkpoint.
    pub fn cursor(&mut self, seq: u64) {
        self.cursor = Some(seq);
    }
}

impl Store {
    /// Opens (or creates) the database in `dir`.
    ///
    /// # Errors
    /// If the directory or the database cannot be opened.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(err("creating the storage directory"))?;
        let db = Database::create(dir.join("node.redb")).map_err(err("opening node.redb"))?;
        let txn = db.begin_write().map_err(err("starting a transaction"))?;
        {
            txn.open_table(META).map_err(err("creating tables"))?;
            txn.open_table(BLOBS).map_err(err("creating tables"))?;
            txn.open_table(METADATA).map_err(err("creating tables"))?;
            let slivers = txn.open_table(SLIVERS).map_err(err("creating tables"))?;
            let mut keys = txn
                .open_table(SLIVER_KEYS)
                .map_err(err("creating tables"))?;
            // A database written before `sliver_keys` existed: index it once.
            if keys.is_empty().map_err(err("reading sliver keys"))?
                && !slivers.is_empty().map_err(err("reading slivers"))?
            {
                for entry in slivers.iter().map_err(err("indexing slivers"))? {
                    let (key, _) = entry.map_err(err("indexing slivers"))?;
                    keys.insert(key.value(), ())
                        .map_err(err("indexing slivers"))?;
                }
            }
        }
        txn.commit().map_err(err("committing"))?;
        Ok(Self { db })
    }

    /// Writes a batch in one durable transaction.
    ///
    /// # Errors
    /// If the write fails (nothing of the batch is then written).
    pub fn write(&self, batch: Batch) -> Result<(), StoreError> {
        let mut txn = self.db.begin_write().map_err(err("starting a write"))?;
        if batch.deferred {
            txn.set_durability(redb::Durability::None);
        }
        {
            let mut blobs = txn.open_table(BLOBS).map_err(err("opening blobs"))?;
            for (id, record) in &batch.blobs {
                match record {
                    Some(r) => {
                        let bytes = bcs::to_bytes(r).map_err(err("encoding a blob record"))?;
                        blobs
                            .insert(id, bytes.as_slice())
                            .map_err(err("writing a blob"))?;
                    }
                    None => {
                        blobs.remove(id).map_err(err("removing a blob"))?;
                    }
                }
            }
            let mut metadata = txn.open_table(METADATA).map_err(err("opening metadata"))?;
            for (id, bytes) in &batch.metadata {
                if let Some(bytes) = bytes {
                    metadata
                        .insert(id, bytes.as_slice())
                        .map_err(err("writing metadata"))?;
                }
            }
            let mut slivers = txn.open_table(SLIVERS).map_err(err("opening slivers"))?;
            let mut keys = txn
                .open_table(SLIVER_KEYS)
                .map_err(err("opening sliver keys"))?;
            for (key, bytes) in &batch.slivers {
                if let Some(bytes) = bytes {
                    slivers
                        .insert(key, bytes.as_slice())
                        .map_err(err("writing a sliver"))?;
                    keys.insert(key, ()).map_err(err("writing a sliver key"))?;
                }
            }
            for id in &batch.delete_blob_data {
                metadata.remove(id).map_err(err("deleting metadata"))?;
                // Keys are shard ‖ blob ‖ axis: seek from shard to shard that holds anything
                // and remove the blob's two keys there, instead of scanning every sliver.
                let mut from = sliver_key(0, &[0; 32], Axis::Primary);
                loop {
                    let shard = match slivers
                        .range::<&[u8; 35]>(&from..)
                        .map_err(err("seeking slivers"))?
                        .next()
                    {
                        Some(entry) => {
                            let (key, _) = entry.map_err(err("seeking slivers"))?;
                            let key = key.value();
                            u16::from_be_bytes([key[0], key[1]])
                        }
                        None => break,
                    };
                    for axis in [Axis::Primary, Axis::Secondary] {
                        let key = sliver_key(shard, id, axis);
                        slivers.remove(&key).map_err(err("deleting a sliver"))?;
                        keys.remove(&key).map_err(err("deleting a sliver key"))?;
                    }
                    let Some(next) = shard.checked_add(1) else {
                        break;
                    };
                    from = sliver_key(next, &[0; 32], Axis::Primary);
                }
            }
            if let Some(seq) = batch.cursor {
                let mut meta = txn.open_table(META).map_err(err("opening meta"))?;
                meta.insert(CURSOR, seq.to_le_bytes().as_slice())
                    .map_err(err("writing the cursor"))?;
            }
        }
        txn.commit().map_err(err("committing"))
    }

    /// Makes every earlier write durable (an empty durable commit, which fsyncs the file).
    ///
    /// # Errors
    /// If the commit fails.
    pub fn sync(&self) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err("starting a write"))?;
        txn.commit().map_err(err("committing"))
    }

    /// The last applied checkpoint.
    ///
    /// # Errors
    /// If the read fails.
    pub fn cursor(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let meta = txn.open_table(META).map_err(err("opening meta"))?;
        let value = meta.get(CURSOR).map_err(err("reading the cursor"))?;
        Ok(value.and_then(|v| v.value().try_into().ok().map(u64::from_le_bytes)))
    }

    /// The record of a blob ID.
    ///
    /// # Errors
    /// If the read fails or the record is corrupt.
    pub fn blob(&self, id: &[u8; 32]) -> Result<Option<BlobRecord>, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let table = txn.open_table(BLOBS).map_err(err("opening blobs"))?;
        let Some(value) = table.get(id).map_err(err("reading a blob"))? else {
            return Ok(None);
        };
        bcs::from_bytes(value.value())
            .map(Some)
            .map_err(err("decoding a blob record"))
    }

    /// Every blob record (for recovery and garbage collection).
    ///
    /// # Errors
    /// If the read fails.
    pub fn blobs(&self) -> Result<Vec<([u8; 32], BlobRecord)>, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let table = txn.open_table(BLOBS).map_err(err("opening blobs"))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(err("scanning blobs"))? {
            let (k, v) = entry.map_err(err("scanning blobs"))?;
            let record = bcs::from_bytes(v.value()).map_err(err("decoding a blob record"))?;
            out.push((*k.value(), record));
        }
        Ok(out)
    }

    /// A blob's metadata (BCS `BlobMetadata`).
    ///
    /// # Errors
    /// If the read fails.
    pub fn metadata(&self, id: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let table = txn.open_table(METADATA).map_err(err("opening metadata"))?;
        Ok(table
            .get(id)
            .map_err(err("reading metadata"))?
            .map(|v| v.value().to_vec()))
    }

    /// A sliver (BCS `SliverData`).
    ///
    /// # Errors
    /// If the read fails.
    pub fn sliver(
        &self,
        shard: u16,
        id: &[u8; 32],
        axis: Axis,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let table = txn.open_table(SLIVERS).map_err(err("opening slivers"))?;
        Ok(table
            .get(&sliver_key(shard, id, axis))
            .map_err(err("reading a sliver"))?
            .map(|v| v.value().to_vec()))
    }

    /// Whether a sliver is stored.
    ///
    /// # Errors
    /// If the read fails.
    pub fn has_sliver(&self, shard: u16, id: &[u8; 32], axis: Axis) -> Result<bool, StoreError> {
        let txn = self.db.begin_read().map_err(err("starting a read"))?;
        let table = txn
            .open_table(SLIVER_KEYS)
            .map_err(err("opening sliver keys"))?;
        Ok(table
            .get(&sliver_key(shard, id, axis))
            .map_err(err("reading a sliver key"))?
            .is_some())
    }

    /// Deletes every sliver of `shard`.
    ///
    /// # Errors
    /// If the write fails.
    pub fn delete_shard(&self, shard: u16) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(err("starting a write"))?;
        {
            let mut slivers = txn.open_table(SLIVERS).map_err(err("opening slivers"))?;
            let mut lo = [0u8; 35];
            lo[..2].copy_from_slice(&shard.to_be_bytes());
            let mut hi = [0xffu8; 35];
            hi[..2].copy_from_slice(&shard.to_be_bytes());
            slivers
                .retain_in::<&[u8; 35], _>(&lo..=&hi, |_, _| false)
                .map_err(err("deleting a shard"))?;
            let mut keys = txn
                .open_table(SLIVER_KEYS)
                .map_err(err("opening sliver keys"))?;
            keys.retain_in::<&[u8; 35], _>(&lo..=&hi, |_, _| false)
                .map_err(err("deleting a shard"))?;
        }
        txn.commit().map_err(err("committing"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> EventId {
        EventId {
            tx_digest: "d".into(),
            event_seq: n,
        }
    }

    #[test]
    fn writes_are_atomic_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            assert_eq!(store.cursor().unwrap(), None);
            let mut batch = Batch::default();
            batch.blob(
                [1; 32],
                Some(BlobRecord {
                    size: 5,
                    registrations: vec![Registration {
                        object_id: [9; 32],
                        deletable: false,
                        end_epoch: 3,
                        certified: false,
                        event: event(0),
                    }],
                    ..Default::default()
                }),
            );
            batch.metadata([1; 32], vec![1, 2, 3]);
            batch.sliver(4, [1; 32], Axis::Primary, vec![7]);
            batch.sliver(4, [1; 32], Axis::Secondary, vec![8]);
            batch.sliver(5, [2; 32], Axis::Primary, vec![9]);
            batch.sliver(5, [1; 32], Axis::Secondary, vec![10]);
            batch.sliver(u16::MAX, [1; 32], Axis::Primary, vec![11]);
            batch.sliver(u16::MAX, [3; 32], Axis::Primary, vec![12]);
            batch.cursor(42);
            store.write(batch).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.cursor().unwrap(), Some(42));
        let record = store.blob(&[1; 32]).unwrap().unwrap();
        assert!(record.is_registered(2) && !record.is_registered(3));
        assert!(!record.is_certified(2));
        assert_eq!(store.metadata(&[1; 32]).unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(
            store.sliver(4, &[1; 32], Axis::Secondary).unwrap(),
            Some(vec![8])
        );
        assert_eq!(store.blobs().unwrap().len(), 1);

        let mut batch = Batch::default();
        batch.delete_data([1; 32]);
        store.write(batch).unwrap();
        assert_eq!(store.metadata(&[1; 32]).unwrap(), None);
        for (shard, axis) in [
            (4, Axis::Primary),
            (4, Axis::Secondary),
            (5, Axis::Secondary),
            (u16::MAX, Axis::Primary),
        ] {
            assert!(!store.has_sliver(shard, &[1; 32], axis).unwrap());
        }
        assert!(store.has_sliver(5, &[2; 32], Axis::Primary).unwrap());
        assert!(store.has_sliver(u16::MAX, &[3; 32], Axis::Primary).unwrap());
        store.delete_shard(5).unwrap();
        assert!(!store.has_sliver(5, &[2; 32], Axis::Primary).unwrap());
        assert!(store.has_sliver(u16::MAX, &[3; 32], Axis::Primary).unwrap());
    }

    /// A database from before the `sliver_keys` table gets its slivers indexed on opening.
    #[test]
    fn a_database_without_sliver_keys_is_indexed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = Database::create(dir.path().join("node.redb")).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut slivers = txn.open_table(SLIVERS).unwrap();
                slivers
                    .insert(
                        &sliver_key(7, &[4; 32], Axis::Secondary),
                        [1u8, 2].as_slice(),
                    )
                    .unwrap();
            }
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert!(store.has_sliver(7, &[4; 32], Axis::Secondary).unwrap());
        assert!(!store.has_sliver(7, &[4; 32], Axis::Primary).unwrap());
        assert_eq!(
            store.sliver(7, &[4; 32], Axis::Secondary).unwrap(),
            Some(vec![1, 2])
        );
    }
}
