//! The Postgres side: connecting, migrating, resetting, the watermark, and committing a batch —
//! all its rows and the watermark in one transaction: binary `COPY` for rows that cannot exist yet
//! (the batch's checkpoints, events and new blobs), bulk `UNNEST` statements and upserts keyed on
//! natural keys that only move rows forward (by object version) for the rest.

use std::collections::HashMap;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Row as _, Transaction};

use crate::batch::{Batch, BlobUpdate};
use crate::copy::BinaryRows;
use crate::error::{IndexerError, Result};
use crate::process::{BlobRow, BlobStatus};

/// The name of the indexer's one (sequential) pipeline in `watermarks`.
pub const PIPELINE: &str = "walrus";

/// The embedded migrations (`migrations/` at the workspace root).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Every table the indexer writes, for `--reset` and for comparing databases.
pub const TABLES: &[&str] = &[
    "watermarks",
    "checkpoints",
    "events",
    "blobs",
    "blob_attributes",
    "storage_resources",
    "staking_pools",
    "staked_wal",
    "committees",
    "epochs",
    "proposals",
    "votes",
    "totals",
];

/// The committed watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    /// The chain.
    pub chain_id: String,
    /// Last checkpoint written (inclusive).
    pub checkpoint: u64,
    /// Its digest.
    pub digest: String,
    /// Its Sui epoch.
    pub epoch: u64,
    /// Its timestamp (ms).
    pub timestamp_ms: u64,
    /// Transactions up to it.
    pub tx_hi: u64,
}

/// Connects a pool to `url`.
///
/// # Errors
/// If the URL is invalid or the server cannot be reached.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool> {
    let options: PgConnectOptions = url.parse()?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?)
}

/// Applies the migrations.
///
/// # Errors
/// If a migration fails or the database has migrations this build does not know.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Drops everything the indexer wrote (its tables and migration history), then migrates
/// again: `--reset`.
///
/// # Errors
/// If a statement fails.
pub async fn reset(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    for table in TABLES.iter().chain(&["_sqlx_migrations"]) {
        let sql = format!("DROP TABLE IF EXISTS {table} CASCADE");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    migrate(pool).await
}

/// The committed watermark, if anything was committed.
///
/// # Errors
/// If the query fails.
pub async fn watermark<'e, E>(executor: E) -> Result<Option<Watermark>>
where
    E: sqlx::PgExecutor<'e>,
{
    let row = sqlx::query(
        "SELECT chain_id, checkpoint_hi_inclusive, checkpoint_digest, epoch_hi_inclusive, \
         timestamp_ms_hi_inclusive, tx_hi FROM watermarks WHERE pipeline = $1",
    )
    .bind(PIPELINE)
    .fetch_optional(executor)
    .await?;
    row.map(|r| {
        Ok(Watermark {
            chain_id: r.try_get(0)?,
            checkpoint: u64_of(r.try_get(1)?)?,
            digest: r.try_get(2)?,
            epoch: u64_of(r.try_get(3)?)?,
            timestamp_ms: u64_of(r.try_get(4)?)?,
            tx_hi: u64_of(r.try_get(5)?)?,
        })
    })
    .transpose()
}

/// The Walrus epoch and shard count as of the watermark (0, 0 before any epoch is indexed):
/// the processor's state on a restart.
///
/// # Errors
/// If the query fails.
pub async fn processor_state(pool: &PgPool) -> Result<(u32, u16)> {
    let row = sqlx::query("SELECT epoch, n_shards FROM epochs ORDER BY epoch DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    match row {
        None => Ok((0, 0)),
        Some(r) => {
            let epoch: i64 = r.try_get(0)?;
            let n: i32 = r.try_get(1)?;
            Ok((
                u32::try_from(epoch).map_err(|_| range("epoch"))?,
                u16::try_from(n).map_err(|_| range("n_shards"))?,
            ))
        }
    }
}

fn range(what: &str) -> IndexerError {
    IndexerError::Range(what.to_owned())
}

/// `u64` into a BIGINT column.
pub(crate) fn i64_of(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| IndexerError::Range(format!("{v} does not fit a BIGINT")))
}

/// A BIGINT column into `u64`.
pub(crate) fn u64_of(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| IndexerError::Range(format!("{v} is negative")))
}

/// How a blob counts in the network totals: (live, certified, certified bytes).
fn contribution(status: BlobStatus, size: u64) -> (i64, i64, i128) {
    match status {
        BlobStatus::Registered => (1, 0, 0),
        BlobStatus::Certified => (1, 1, i128::from(size)),
        _ => (0, 0, 0),
    }
}

#[derive(Default)]
struct Totals {
    blobs: i64,
    certified: i64,
    bytes: i128,
}

impl Totals {
    fn add(&mut self, status: BlobStatus, size: u64, sign: i64) {
        let (b, c, s) = contribution(status, size);
        self.blobs += sign * b;
        self.certified += sign * c;
        self.bytes += i128::from(sign) * s;
    }
}

/// What the batch's commit wrote, for metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Committed {
    /// Checkpoints.
    pub checkpoints: usize,
    /// Events.
    pub events: usize,
}

/// Commits `batch` and moves the watermark to its last checkpoint, in one transaction. The
/// watermark must still be where the batch starts (`previous`), so a second indexer writing the
/// same database fails instead of writing twice.
///
/// # Errors
/// If a statement fails (nothing is written then), or the watermark moved.
pub async fn commit(
    pool: &PgPool,
    chain_id: &str,
    previous: Option<u64>,
    batch: &Batch,
    retain: Option<u64>,
) -> Result<Committed> {
    let Some(last) = batch.checkpoints.last() else {
        return Ok(Committed::default());
    };
    let mut tx = pool.begin().await?;
    // The watermark moves first: its row stays locked until the commit, so a second indexer on
    // this database waits here and then fails the check instead of writing the same rows.
    let args = (
        chain_id,
        i64_of(last.sequence_number)?,
        last.digest.as_str(),
        i64_of(last.epoch)?,
        i64_of(last.timestamp_ms)?,
        i64_of(last.network_total_transactions)?,
    );
    let moved = match previous {
        None => sqlx::query(
            "INSERT INTO watermarks (pipeline, chain_id, checkpoint_hi_inclusive, \
             checkpoint_digest, epoch_hi_inclusive, timestamp_ms_hi_inclusive, tx_hi) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (pipeline) DO NOTHING",
        )
        .bind(PIPELINE),
        Some(_) => sqlx::query(
            "UPDATE watermarks SET chain_id = $2, checkpoint_hi_inclusive = $3, \
             checkpoint_digest = $4, epoch_hi_inclusive = $5, timestamp_ms_hi_inclusive = $6, \
             tx_hi = $7 WHERE pipeline = $1 AND checkpoint_hi_inclusive = $8",
        )
        .bind(PIPELINE),
    }
    .bind(args.0)
    .bind(args.1)
    .bind(args.2)
    .bind(args.3)
    .bind(args.4)
    .bind(args.5);
    let moved = match previous {
        Some(previous) => moved.bind(i64_of(previous)?),
        None => moved,
    }
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(IndexerError::ChainReset {
            reason: format!(
                "the watermark is no longer at {previous:?}: another indexer writes this database"
            ),
        });
    }
    write_checkpoints(&mut tx, batch).await?;
    write_events(&mut tx, batch).await?;
    let mut totals = Totals::default();
    write_blobs(&mut tx, batch, &mut totals).await?;
    write_attributes(&mut tx, batch).await?;
    invalidate_and_expire(&mut tx, batch, &mut totals).await?;
    write_storage(&mut tx, batch).await?;
    write_pools(&mut tx, batch).await?;
    write_staked_wal(&mut tx, batch).await?;
    write_epochs(&mut tx, batch).await?;
    write_proposals(&mut tx, batch).await?;
    if totals.blobs != 0 || totals.certified != 0 || totals.bytes != 0 {
        sqlx::query(
            "UPDATE totals SET blob_count = blob_count + $1, \
             certified_blob_count = certified_blob_count + $2, \
             stored_bytes = stored_bytes + $3::text::numeric",
        )
        .bind(totals.blobs)
        .bind(totals.certified)
        .bind(totals.bytes.to_string())
        .execute(&mut *tx)
        .await?;
    }

    if let Some(retain) = retain {
        prune(&mut tx, last.sequence_number, retain).await?;
    }
    tx.commit().await?;
    Ok(Committed {
        checkpoints: batch.checkpoints.len(),
        events: batch.events.len(),
    })
}

type Tx = Transaction<'static, Postgres>;

/// Pruning (off unless asked for): keeps the history (events, checkpoints) of the last `retain`
/// checkpoints up to `hi`, and records the lowest one kept as `reader_lo`. Current-state
/// tables are never pruned.
async fn prune(tx: &mut Tx, hi: u64, retain: u64) -> Result<()> {
    let lo = i64_of((hi + 1).saturating_sub(retain.max(1)))?;
    sqlx::query("DELETE FROM events WHERE checkpoint < $1")
        .bind(lo)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM checkpoints WHERE sequence_number < $1")
        .bind(lo)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE watermarks SET reader_lo = $2 WHERE pipeline = $1")
        .bind(PIPELINE)
        .bind(lo)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn write_checkpoints(tx: &mut Tx, batch: &Batch) -> Result<()> {
    // The watermark was moved first in this transaction, so no row of these checkpoints can
    // exist: plain COPY, no conflict handling.
    let mut rows = BinaryRows::new(6);
    for c in &batch.checkpoints {
        rows.row()
            .int8(i64_of(c.sequence_number)?)
            .text(&c.digest)?
            .int8(i64_of(c.epoch)?)
            .int8(i64_of(c.timestamp_ms)?)
            .int4(i32::try_from(c.tx_count).map_err(|_| range("tx_count"))?)
            .int4(i32::try_from(c.walrus_events).map_err(|_| range("walrus_events"))?);
    }
    rows.send(
        tx,
        "COPY checkpoints (sequence_number, digest, epoch, timestamp_ms, tx_count, \
         walrus_events) FROM STDIN (FORMAT binary)",
    )
    .await?;
    Ok(())
}

async fn write_events(tx: &mut Tx, batch: &Batch) -> Result<()> {
    let mut rows = BinaryRows::new(9);
    for e in &batch.events {
        rows.row()
            .int8(i64_of(e.checkpoint)?)
            .int4(i32::try_from(e.tx_index).map_err(|_| range("tx_index"))?)
            .int4(i32::try_from(e.event_index).map_err(|_| range("event_index"))?)
            .text(&e.tx_digest)?
            .int8(i64_of(e.timestamp_ms)?)
            .text(e.event_type)?
            .text_opt(e.subject.as_deref())?
            .jsonb(&e.data)?
            .bytea(&e.bcs)?;
    }
    rows.send(
        tx,
        "COPY events (checkpoint, tx_index, event_index, tx_digest, timestamp_ms, event_type, \
         subject, data, bcs) FROM STDIN (FORMAT binary)",
    )
    .await?;
    Ok(())
}

/// A blob row as stored.
struct StoredBlob {
    row: BlobRow,
    created_checkpoint: u64,
}

async fn write_blobs(tx: &mut Tx, batch: &Batch, totals: &mut Totals) -> Result<()> {
    // Blob objects created in this batch have new IDs: nothing to look up or merge, one COPY.
    let mut created = BinaryRows::new(15);
    for update in batch.blobs.values() {
        let BlobUpdate::Row(row) = update else {
            continue;
        };
        if !row.created {
            continue;
        }
        totals.add(row.status, row.size, 1);
        created
            .row()
            .text(&row.object_id)?
            .text(&row.blob_id)?
            .text_opt(row.owner.as_deref())?
            .int8(i64_of(row.size)?)
            .int8(i64_of(row.encoded_size)?)
            .int2(i16::from(row.encoding_type))
            .text(row.status.as_str())?
            .int8(i64::from(row.registered_epoch))
            .int8_opt(row.certified_epoch.map(i64::from))
            .int8(i64::from(row.end_epoch))
            .bool(row.deletable)
            .text(&row.storage_id)?
            .int8(i64_of(row.version)?)
            .int8(i64_of(row.created_checkpoint)?)
            .int8(i64_of(row.checkpoint)?);
    }
    let n_created = created.len();
    created
        .send(
            tx,
            "COPY blobs (object_id, blob_id, owner, size, encoded_size, encoding_type, status, \
             registered_epoch, certified_epoch, end_epoch, deletable, storage_id, version, \
             created_checkpoint, updated_checkpoint) FROM STDIN (FORMAT binary)",
        )
        .await?;
    if n_created == batch.blobs.len() {
        return Ok(());
    }
    let ids: Vec<&str> = batch
        .blobs
        .iter()
        .filter(|(_, u)| !matches!(u, BlobUpdate::Row(row) if row.created))
        .map(|(id, _)| id.as_str())
        .collect();
    let rows = sqlx::query(
        "SELECT object_id, blob_id, owner, size, encoded_size, encoding_type, status, \
         registered_epoch, certified_epoch, end_epoch, deletable, storage_id, version, \
         created_checkpoint, updated_checkpoint FROM blobs WHERE object_id = ANY($1) FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut stored: HashMap<String, StoredBlob> = HashMap::with_capacity(rows.len());
    for r in rows {
        let status: String = r.try_get(6)?;
        let row = BlobRow {
            object_id: r.try_get(0)?,
            blob_id: r.try_get(1)?,
            owner: r.try_get(2)?,
            size: u64_of(r.try_get(3)?)?,
            encoded_size: u64_of(r.try_get(4)?)?,
            encoding_type: u8::try_from(r.try_get::<i16, _>(5)?)
                .map_err(|_| range("encoding_type"))?,
            status: BlobStatus::parse(&status)
                .ok_or_else(|| IndexerError::Malformed(format!("blob status {status}")))?,
            registered_epoch: epoch_of(r.try_get(7)?)?,
            certified_epoch: r.try_get::<Option<i64>, _>(8)?.map(epoch_of).transpose()?,
            end_epoch: epoch_of(r.try_get(9)?)?,
            deletable: r.try_get(10)?,
            storage_id: r.try_get(11)?,
            version: u64_of(r.try_get(12)?)?,
            checkpoint: u64_of(r.try_get(14)?)?,
            created_checkpoint: u64_of(r.try_get(13)?)?,
            created: false,
        };
        stored.insert(
            row.object_id.clone(),
            StoredBlob {
                row,
                created_checkpoint: u64_of(r.try_get(13)?)?,
            },
        );
    }

    let mut out: Vec<(BlobRow, u64)> = Vec::with_capacity(batch.blobs.len());
    for (id, update) in &batch.blobs {
        if matches!(update, BlobUpdate::Row(row) if row.created) {
            continue;
        }
        let old = stored.get(id);
        let new = match (update, old) {
            (BlobUpdate::Row(row), Some(old)) => {
                if old.row.version > row.version {
                    continue;
                }
                let mut row = row.clone();
                if old.row.status.is_final() && row.status != BlobStatus::Deleted {
                    row.status = old.row.status;
                }
                (row, old.created_checkpoint)
            }
            (BlobUpdate::Row(row), None) => (row.clone(), row.created_checkpoint),
            (BlobUpdate::Gone(checkpoint), Some(old)) => {
                if old.row.status == BlobStatus::Deleted {
                    continue;
                }
                let mut row = old.row.clone();
                row.status = BlobStatus::Deleted;
                row.owner = None;
                row.checkpoint = *checkpoint;
                (row, old.created_checkpoint)
            }
            // Deleted before we saw it (indexing started mid-chain): nothing to show.
            (BlobUpdate::Gone(_), None) => continue,
        };
        if let Some(old) = old {
            totals.add(old.row.status, old.row.size, -1);
        }
        totals.add(new.0.status, new.0.size, 1);
        out.push(new);
    }
    if out.is_empty() {
        return Ok(());
    }
    let n = out.len();
    let mut c: BlobColumns<'_> = BlobColumns::with_capacity(n);
    for (row, created) in &out {
        c.object_id.push(row.object_id.as_str());
        c.blob_id.push(row.blob_id.as_str());
        c.owner.push(row.owner.as_deref());
        c.size.push(i64_of(row.size)?);
        c.encoded_size.push(i64_of(row.encoded_size)?);
        c.encoding_type.push(i16::from(row.encoding_type));
        c.status.push(row.status.as_str());
        c.registered_epoch.push(i64::from(row.registered_epoch));
        c.certified_epoch.push(row.certified_epoch.map(i64::from));
        c.end_epoch.push(i64::from(row.end_epoch));
        c.deletable.push(row.deletable);
        c.storage_id.push(row.storage_id.as_str());
        c.version.push(i64_of(row.version)?);
        c.created.push(i64_of(*created)?);
        c.updated.push(i64_of(row.checkpoint)?);
    }
    sqlx::query(
        "INSERT INTO blobs (object_id, blob_id, owner, size, encoded_size, encoding_type, status, \
         registered_epoch, certified_epoch, end_epoch, deletable, storage_id, version, \
         created_checkpoint, updated_checkpoint) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], \
         $6::smallint[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bool[], \
         $12::text[], $13::bigint[], $14::bigint[], $15::bigint[]) \
         ON CONFLICT (object_id) DO UPDATE SET owner = excluded.owner, size = excluded.size, \
         encoded_size = excluded.encoded_size, status = excluded.status, \
         certified_epoch = excluded.certified_epoch, end_epoch = excluded.end_epoch, \
         deletable = excluded.deletable, storage_id = excluded.storage_id, \
         version = excluded.version, updated_checkpoint = excluded.updated_checkpoint",
    )
    .bind(c.object_id)
    .bind(c.blob_id)
    .bind(c.owner)
    .bind(c.size)
    .bind(c.encoded_size)
    .bind(c.encoding_type)
    .bind(c.status)
    .bind(c.registered_epoch)
    .bind(c.certified_epoch)
    .bind(c.end_epoch)
    .bind(c.deletable)
    .bind(c.storage_id)
    .bind(c.version)
    .bind(c.created)
    .bind(c.updated)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Default)]
struct BlobColumns<'a> {
    object_id: Vec<&'a str>,
    blob_id: Vec<&'a str>,
    owner: Vec<Option<&'a str>>,
    size: Vec<i64>,
    encoded_size: Vec<i64>,
    encoding_type: Vec<i16>,
    status: Vec<&'static str>,
    registered_epoch: Vec<i64>,
    certified_epoch: Vec<Option<i64>>,
    end_epoch: Vec<i64>,
    deletable: Vec<bool>,
    storage_id: Vec<&'a str>,
    version: Vec<i64>,
    created: Vec<i64>,
    updated: Vec<i64>,
}

impl BlobColumns<'_> {
    fn with_capacity(n: usize) -> Self {
        Self {
            object_id: Vec::with_capacity(n),
            blob_id: Vec::with_capacity(n),
            owner: Vec::with_capacity(n),
            size: Vec::with_capacity(n),
            encoded_size: Vec::with_capacity(n),
            encoding_type: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            registered_epoch: Vec::with_capacity(n),
            certified_epoch: Vec::with_capacity(n),
            end_epoch: Vec::with_capacity(n),
            deletable: Vec::with_capacity(n),
            storage_id: Vec::with_capacity(n),
            version: Vec::with_capacity(n),
            created: Vec::with_capacity(n),
            updated: Vec::with_capacity(n),
        }
    }
}

fn epoch_of(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| range("epoch"))
}

async fn write_attributes(tx: &mut Tx, batch: &Batch) -> Result<()> {
    let mut set_id = Vec::new();
    let mut set_attrs = Vec::new();
    let mut set_version = Vec::new();
    let mut set_cp = Vec::new();
    let mut removed = Vec::new();
    for (id, update) in &batch.attributes {
        match &update.attributes {
            Some(a) => {
                set_id.push(id.as_str());
                set_attrs.push(a.clone());
                set_version.push(i64_of(update.version)?);
                set_cp.push(i64_of(update.checkpoint)?);
            }
            None => removed.push(id.as_str()),
        }
    }
    if !set_id.is_empty() {
        sqlx::query(
            "INSERT INTO blob_attributes (blob_object_id, attributes, version, updated_checkpoint) \
             SELECT * FROM UNNEST($1::text[], $2::jsonb[], $3::bigint[], $4::bigint[]) \
             ON CONFLICT (blob_object_id) DO UPDATE SET attributes = excluded.attributes, \
             version = excluded.version, updated_checkpoint = excluded.updated_checkpoint \
             WHERE blob_attributes.version <= excluded.version",
        )
        .bind(set_id)
        .bind(set_attrs)
        .bind(set_version)
        .bind(set_cp)
        .execute(&mut **tx)
        .await?;
    }
    if !removed.is_empty() {
        sqlx::query("DELETE FROM blob_attributes WHERE blob_object_id = ANY($1)")
            .bind(removed)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Invalid blob IDs, then blobs whose end epoch has passed: both change rows outside the
/// batch, so they are set-based updates that report the rows they changed for the totals.
async fn invalidate_and_expire(tx: &mut Tx, batch: &Batch, totals: &mut Totals) -> Result<()> {
    for (blob_id, checkpoint) in &batch.invalidations {
        let rows = sqlx::query(
            "WITH t AS (SELECT object_id, status, size FROM blobs WHERE blob_id = $1 \
             AND status NOT IN ('DELETED', 'INVALID') FOR UPDATE), \
             u AS (UPDATE blobs b SET status = 'INVALID', updated_checkpoint = $2 FROM t \
             WHERE b.object_id = t.object_id) SELECT status, size FROM t",
        )
        .bind(blob_id)
        .bind(i64_of(*checkpoint)?)
        .fetch_all(&mut **tx)
        .await?;
        for r in rows {
            let status: String = r.try_get(0)?;
            let size = u64_of(r.try_get(1)?)?;
            if let Some(status) = BlobStatus::parse(&status) {
                totals.add(status, size, -1);
            }
        }
    }
    // Expiry leaves `updated_checkpoint` alone: it follows from the epoch, whichever batch
    // sees it, so an interrupted run ends with the same rows as an uninterrupted one.
    let rows = sqlx::query(
        "WITH t AS (SELECT object_id, status, size FROM blobs WHERE end_epoch <= $1 \
         AND status IN ('REGISTERED', 'CERTIFIED') FOR UPDATE), \
         u AS (UPDATE blobs b SET status = 'EXPIRED' FROM t WHERE b.object_id = t.object_id) \
         SELECT status, size FROM t",
    )
    .bind(i64::from(batch.walrus_epoch))
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let status: String = r.try_get(0)?;
        let size = u64_of(r.try_get(1)?)?;
        if let Some(status) = BlobStatus::parse(&status) {
            totals.add(status, size, -1);
        }
    }
    Ok(())
}

async fn write_storage(tx: &mut Tx, batch: &Batch) -> Result<()> {
    let mut gone = Vec::new();
    let (mut id, mut owner, mut start, mut end, mut size, mut version, mut cp) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (key, row) in &batch.storage {
        match row {
            None => gone.push(key.as_str()),
            Some(r) => {
                id.push(r.object_id.as_str());
                owner.push(r.owner.as_deref());
                start.push(i64::from(r.start_epoch));
                end.push(i64::from(r.end_epoch));
                size.push(i64_of(r.storage_size)?);
                version.push(i64_of(r.version)?);
                cp.push(i64_of(r.checkpoint)?);
            }
        }
    }
    if !id.is_empty() {
        sqlx::query(
            "INSERT INTO storage_resources (object_id, owner, start_epoch, end_epoch, \
             storage_size, version, updated_checkpoint) SELECT * FROM UNNEST($1::text[], \
             $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) \
             ON CONFLICT (object_id) DO UPDATE SET owner = excluded.owner, \
             start_epoch = excluded.start_epoch, end_epoch = excluded.end_epoch, \
             storage_size = excluded.storage_size, version = excluded.version, \
             updated_checkpoint = excluded.updated_checkpoint \
             WHERE storage_resources.version <= excluded.version",
        )
        .bind(id)
        .bind(owner)
        .bind(start)
        .bind(end)
        .bind(size)
        .bind(version)
        .bind(cp)
        .execute(&mut **tx)
        .await?;
    }
    if !gone.is_empty() {
        sqlx::query("DELETE FROM storage_resources WHERE object_id = ANY($1)")
            .bind(gone)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn write_pools(tx: &mut Tx, batch: &Batch) -> Result<()> {
    if batch.pools.is_empty() {
        return Ok(());
    }
    let mut node_id = vec![];
    let mut name = vec![];
    let mut addr = vec![];
    let mut pk = vec![];
    let mut npk = vec![];
    let mut state = vec![];
    let mut withdrawing = vec![];
    let mut stake = vec![];
    let mut shares = vec![];
    let mut commission_rate = vec![];
    let mut rewards = vec![];
    let mut commission = vec![];
    let mut activation = vec![];
    let mut latest = vec![];
    let mut spv = vec![];
    let mut wpv = vec![];
    let mut cv = vec![];
    let mut version = vec![];
    let mut cp = vec![];
    for p in batch.pools.values() {
        node_id.push(p.node_id.as_str());
        name.push(p.name.as_str());
        addr.push(p.network_address.as_str());
        pk.push(p.public_key.as_slice());
        npk.push(p.network_public_key.as_slice());
        state.push(p.state);
        withdrawing.push(p.withdrawing_epoch.map(i64::from));
        stake.push(p.stake.to_string());
        shares.push(p.shares.to_string());
        commission_rate.push(i32::from(p.commission_rate));
        rewards.push(p.rewards.to_string());
        commission.push(p.commission.to_string());
        activation.push(i64::from(p.activation_epoch));
        latest.push(i64::from(p.latest_epoch));
        spv.push(p.storage_price_vote.to_string());
        wpv.push(p.write_price_vote.to_string());
        cv.push(p.capacity_vote.to_string());
        version.push(i64_of(p.version)?);
        cp.push(i64_of(p.checkpoint)?);
    }
    sqlx::query(
        "INSERT INTO staking_pools (node_id, name, network_address, public_key, \
         network_public_key, state, withdrawing_epoch, stake, shares, commission_rate, rewards, \
         commission, activation_epoch, latest_epoch, storage_price_vote, write_price_vote, \
         capacity_vote, version, updated_checkpoint) \
         SELECT a, b, c, d, e, f, g, h::numeric, i::numeric, j, k::numeric, l::numeric, m, n, \
         o::numeric, p::numeric, q::numeric, r, s FROM UNNEST($1::text[], $2::text[], \
         $3::text[], $4::bytea[], $5::bytea[], $6::text[], $7::bigint[], $8::text[], $9::text[], \
         $10::int[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::text[], \
         $16::text[], $17::text[], $18::bigint[], $19::bigint[]) \
         AS t(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s) \
         ON CONFLICT (node_id) DO UPDATE SET name = excluded.name, \
         network_address = excluded.network_address, public_key = excluded.public_key, \
         network_public_key = excluded.network_public_key, state = excluded.state, \
         withdrawing_epoch = excluded.withdrawing_epoch, stake = excluded.stake, \
         shares = excluded.shares, commission_rate = excluded.commission_rate, \
         rewards = excluded.rewards, commission = excluded.commission, \
         activation_epoch = excluded.activation_epoch, latest_epoch = excluded.latest_epoch, \
         storage_price_vote = excluded.storage_price_vote, \
         write_price_vote = excluded.write_price_vote, capacity_vote = excluded.capacity_vote, \
         version = excluded.version, updated_checkpoint = excluded.updated_checkpoint \
         WHERE staking_pools.version <= excluded.version",
    )
    .bind(node_id)
    .bind(name)
    .bind(addr)
    .bind(pk)
    .bind(npk)
    .bind(state)
    .bind(withdrawing)
    .bind(stake)
    .bind(shares)
    .bind(commission_rate)
    .bind(rewards)
    .bind(commission)
    .bind(activation)
    .bind(latest)
    .bind(spv)
    .bind(wpv)
    .bind(cv)
    .bind(version)
    .bind(cp)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn write_staked_wal(tx: &mut Tx, batch: &Batch) -> Result<()> {
    let mut gone = Vec::new();
    let (mut id, mut owner, mut node, mut principal, mut activation, mut state, mut withdraw) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut version, mut cp) = (vec![], vec![]);
    for (key, row) in &batch.staked_wal {
        match row {
            None => gone.push(key.as_str()),
            Some(r) => {
                id.push(r.object_id.as_str());
                owner.push(r.owner.as_deref());
                node.push(r.node_id.as_str());
                principal.push(r.principal.to_string());
                activation.push(i64::from(r.activation_epoch));
                state.push(r.state);
                withdraw.push(r.withdraw_epoch.map(i64::from));
                version.push(i64_of(r.version)?);
                cp.push(i64_of(r.checkpoint)?);
            }
        }
    }
    if !id.is_empty() {
        sqlx::query(
            "INSERT INTO staked_wal (object_id, owner, node_id, principal, activation_epoch, \
             state, withdraw_epoch, version, updated_checkpoint) \
             SELECT a, b, c, d::numeric, e, f, g, h, i FROM UNNEST($1::text[], $2::text[], \
             $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], \
             $9::bigint[]) AS t(a, b, c, d, e, f, g, h, i) \
             ON CONFLICT (object_id) DO UPDATE SET owner = excluded.owner, \
             node_id = excluded.node_id, principal = excluded.principal, \
             activation_epoch = excluded.activation_epoch, state = excluded.state, \
             withdraw_epoch = excluded.withdraw_epoch, version = excluded.version, \
             updated_checkpoint = excluded.updated_checkpoint \
             WHERE staked_wal.version <= excluded.version",
        )
        .bind(id)
        .bind(owner)
        .bind(node)
        .bind(principal)
        .bind(activation)
        .bind(state)
        .bind(withdraw)
        .bind(version)
        .bind(cp)
        .execute(&mut **tx)
        .await?;
    }
    if !gone.is_empty() {
        sqlx::query("DELETE FROM staked_wal WHERE object_id = ANY($1)")
            .bind(gone)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn write_epochs(tx: &mut Tx, batch: &Batch) -> Result<()> {
    for e in batch.epochs.values() {
        let state = batch.epoch_states.get(&e.epoch).map_or("DONE", |s| s.state);
        sqlx::query(
            "INSERT INTO epochs (epoch, start_checkpoint, start_timestamp_ms, storage_price, \
             write_price, total_capacity, used_capacity, rewards, n_shards, state, \
             updated_checkpoint) VALUES ($1, $2, $3, $4::text::numeric, $5::text::numeric, \
             $6::text::numeric, $7::text::numeric, $8::text::numeric, $9, $10, $11) \
             ON CONFLICT (epoch) DO UPDATE SET storage_price = excluded.storage_price, \
             write_price = excluded.write_price, total_capacity = excluded.total_capacity, \
             used_capacity = excluded.used_capacity, rewards = excluded.rewards, \
             n_shards = excluded.n_shards, updated_checkpoint = excluded.updated_checkpoint \
             WHERE epochs.updated_checkpoint <= excluded.updated_checkpoint",
        )
        .bind(i64::from(e.epoch))
        .bind(i64_of(e.start_checkpoint)?)
        .bind(i64_of(e.start_timestamp_ms)?)
        .bind(e.storage_price.to_string())
        .bind(e.write_price.to_string())
        .bind(e.total_capacity.to_string())
        .bind(e.used_capacity.to_string())
        .bind(e.rewards.to_string())
        .bind(i32::from(e.n_shards))
        .bind(state)
        .bind(i64_of(e.checkpoint)?)
        .execute(&mut **tx)
        .await?;
    }
    for (epoch, burned) in &batch.burns {
        sqlx::query("UPDATE epochs SET burn = burn + $2::text::numeric WHERE epoch = $1")
            .bind(i64::from(*epoch))
            .bind(burned.to_string())
            .execute(&mut **tx)
            .await?;
    }
    for (epoch, update) in &batch.epoch_states {
        sqlx::query("UPDATE epochs SET state = $2 WHERE epoch = $1")
            .bind(i64::from(*epoch))
            .bind(update.state)
            .execute(&mut **tx)
            .await?;
        let nodes: Vec<&str> = update.committee.iter().map(|(n, _)| n.as_str()).collect();
        let shards: Vec<String> = update
            .committee
            .iter()
            .map(|(_, s)| {
                let list: Vec<String> = s.iter().map(u16::to_string).collect();
                format!("{{{}}}", list.join(","))
            })
            .collect();
        sqlx::query(
            "INSERT INTO committees (epoch, node_id, shards) SELECT $1, n, s::int[] \
             FROM UNNEST($2::text[], $3::text[]) AS t(n, s) \
             ON CONFLICT (epoch, node_id) DO UPDATE SET shards = excluded.shards",
        )
        .bind(i64::from(*epoch))
        .bind(nodes)
        .bind(shards)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn write_proposals(tx: &mut Tx, batch: &Batch) -> Result<()> {
    for p in batch.proposals.values() {
        sqlx::query(
            "INSERT INTO proposals (number, object_id, proposer, title, description, action, \
             created_epoch, voting_end_epoch, yes, no, abstain, status, version, \
             updated_checkpoint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::numeric, \
             $10::text::numeric, $11::text::numeric, $12, $13, $14) \
             ON CONFLICT (number) DO UPDATE SET yes = excluded.yes, no = excluded.no, \
             abstain = excluded.abstain, status = excluded.status, version = excluded.version, \
             updated_checkpoint = excluded.updated_checkpoint \
             WHERE proposals.version <= excluded.version",
        )
        .bind(i64_of(p.number)?)
        .bind(&p.object_id)
        .bind(&p.proposer)
        .bind(&p.title)
        .bind(&p.description)
        .bind(&p.action)
        .bind(i64::from(p.created_epoch))
        .bind(i64::from(p.voting_end_epoch))
        .bind(p.yes.to_string())
        .bind(p.no.to_string())
        .bind(p.abstain.to_string())
        .bind(p.status)
        .bind(i64_of(p.version)?)
        .bind(i64_of(p.checkpoint)?)
        .execute(&mut **tx)
        .await?;
    }
    for v in &batch.votes {
        sqlx::query(
            "INSERT INTO votes (proposal_id, staked_wal_id, voter, choice, weight, checkpoint, \
             tx_digest) VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&v.proposal_id)
        .bind(&v.staked_wal_id)
        .bind(&v.voter)
        .bind(i16::from(v.choice))
        .bind(v.weight.to_string())
        .bind(i64_of(v.checkpoint)?)
        .bind(&v.tx_digest)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
