//! One request's view of the database: a read-only REPEATABLE READ transaction begun on first
//! use, so every query of the request sees the same committed state — the rows of exactly the
//! checkpoints up to the watermark read in the same snapshot.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, Row as _, Transaction};
use tokio::sync::{Mutex, OnceCell};

use crate::store::{self, Watermark};

/// A value bound to a query.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// TEXT.
    Text(String),
    /// BIGINT.
    Int(i64),
}

/// A request's snapshot.
#[derive(Debug)]
pub struct Reader {
    pool: PgPool,
    tx: Mutex<Option<Transaction<'static, Postgres>>>,
    watermark: OnceCell<Option<Watermark>>,
}

/// The error a client sees when the database fails (the cause is logged, not shown).
pub(crate) fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(error = %e, "GraphQL database query failed");
    async_graphql::Error::new("internal error: the database query failed")
}

impl Reader {
    /// A reader on `pool`; no transaction until the first query.
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            tx: Mutex::new(None),
            watermark: OnceCell::new(),
        }
    }

    /// Ends the snapshot.
    pub async fn finish(&self) {
        if let Some(tx) = self.tx.lock().await.take() {
            let _ = tx.rollback().await;
        }
    }

    /// Rows of `sql` with `args` bound in order, read in the request's snapshot.
    pub(crate) async fn fetch_all(
        &self,
        sql: String,
        args: Vec<Arg>,
    ) -> async_graphql::Result<Vec<PgRow>> {
        let mut guard = self.tx.lock().await;
        if guard.is_none() {
            let tx = self
                .pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
                .map_err(internal)?;
            *guard = Some(tx);
        }
        let Some(tx) = guard.as_mut() else {
            return Err(internal("no transaction"));
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for arg in args {
            query = match arg {
                Arg::Text(s) => query.bind(s),
                Arg::Int(i) => query.bind(i),
            };
        }
        query.fetch_all(&mut **tx).await.map_err(internal)
    }

    /// The first row of `sql`, if any.
    pub(crate) async fn fetch_optional(
        &self,
        sql: String,
        args: Vec<Arg>,
    ) -> async_graphql::Result<Option<PgRow>> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// The watermark in this snapshot (`None` before anything is indexed).
    pub async fn watermark(&self) -> async_graphql::Result<Option<Watermark>> {
        self.watermark
            .get_or_try_init(|| async {
                let row = self
                    .fetch_optional(
                        "SELECT chain_id, checkpoint_hi_inclusive, checkpoint_digest, \
                         epoch_hi_inclusive, timestamp_ms_hi_inclusive, tx_hi FROM watermarks \
                         WHERE pipeline = $1"
                            .to_owned(),
                        vec![Arg::Text(store::PIPELINE.to_owned())],
                    )
                    .await?;
                row.map(|r| {
                    let get = |i: usize| -> async_graphql::Result<u64> {
                        let v: i64 = r.try_get(i).map_err(internal)?;
                        u64::try_from(v).map_err(internal)
                    };
                    Ok(Watermark {
                        chain_id: r.try_get(0).map_err(internal)?,
                        checkpoint: get(1)?,
                        digest: r.try_get(2).map_err(internal)?,
                        epoch: get(3)?,
                        timestamp_ms: get(4)?,
                        tx_hi: get(5)?,
                    })
                })
                .transpose()
            })
            .await
            .cloned()
    }
}
