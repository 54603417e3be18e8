//! Subscriptions over WebSocket: new checkpoints, blob events and proposal changes, each read
//! from the database once the watermark has moved past them (so a subscriber never sees
//! anything a query could not).

use std::collections::VecDeque;

use async_graphql::{Context, SimpleObject, Subscription};
use futures::Stream;
use sqlx::{PgPool, Row as _};
use tokio::sync::watch;

use super::query::{EVENT_COLUMNS, Event, event_of};
use crate::store::Watermark;

/// Where subscriptions learn that the watermark moved.
#[derive(Debug, Clone)]
pub struct Notifier {
    /// The pool subscriptions read from.
    pub pool: PgPool,
    /// The committed watermark.
    pub watermark: watch::Receiver<Option<Watermark>>,
}

/// A newly committed checkpoint.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct CheckpointNotice {
    /// Its sequence number.
    pub sequence_number: i64,
    /// Its digest.
    pub digest: String,
    /// Its timestamp (ms).
    pub timestamp_ms: i64,
    /// Walrus events in it.
    pub walrus_events: i32,
}

/// Events that concern blobs.
const BLOB_EVENTS: &str = "('BlobRegistered', 'BlobCertified', 'BlobDeleted', 'InvalidBlobID', \
    'DenyListBlobDeleted')";
/// Events that concern proposals.
const PROPOSAL_EVENTS: &str = "('ProposalCreated', 'VoteCast', 'ProposalFinalized', \
    'ProposalExecuted')";

/// The subscription root.
#[derive(Debug, Default)]
pub struct Subscription;

struct Follow<T> {
    rx: watch::Receiver<Option<Watermark>>,
    last: i64,
    ready: VecDeque<T>,
}

/// A stream that, each time the watermark moves from `last` to `hi`, yields what `fetch` reads
/// for `(last, hi]`, in order.
fn follow<T, F, Fut>(notifier: Notifier, fetch: F) -> impl Stream<Item = T>
where
    T: Send + 'static,
    F: Fn(PgPool, i64, i64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Vec<T>> + Send,
{
    let start = notifier
        .watermark
        .borrow()
        .as_ref()
        .map_or(-1, |w| i64::try_from(w.checkpoint).unwrap_or(i64::MAX));
    let state = Follow {
        rx: notifier.watermark.clone(),
        last: start,
        ready: VecDeque::new(),
    };
    let pool = notifier.pool;
    let fetch = std::sync::Arc::new(fetch);
    futures::stream::unfold(state, move |mut s| {
        let pool = pool.clone();
        let fetch = fetch.clone();
        async move {
            loop {
                if let Some(item) = s.ready.pop_front() {
                    return Some((item, s));
                }
                if s.rx.changed().await.is_err() {
                    return None;
                }
                let hi =
                    s.rx.borrow_and_update()
                        .as_ref()
                        .map_or(-1, |w| i64::try_from(w.checkpoint).unwrap_or(i64::MAX));
                if hi > s.last {
                    s.ready.extend(fetch(pool.clone(), s.last, hi).await);
                    s.last = hi;
                }
            }
        }
    })
}

async fn events_between(
    pool: PgPool,
    lo: i64,
    hi: i64,
    types: &'static str,
    subject: Option<String>,
) -> Vec<Event> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE checkpoint > $1 AND checkpoint <= $2 \
         AND event_type IN {types} AND ($3::text IS NULL OR subject = $3) \
         ORDER BY checkpoint, tx_index, event_index"
    );
    match sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lo)
        .bind(hi)
        .bind(subject)
        .fetch_all(&pool)
        .await
    {
        Ok(rows) => rows.iter().filter_map(|r| event_of(r).ok()).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "subscription query failed");
            Vec::new()
        }
    }
}

#[Subscription]
impl Subscription {
    /// Every checkpoint, as soon as it is committed.
    async fn checkpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = CheckpointNotice>> {
        let notifier = ctx.data::<Notifier>()?.clone();
        Ok(follow(notifier, |pool, lo, hi| async move {
            let rows = sqlx::query(
                "SELECT sequence_number, digest, timestamp_ms, walrus_events FROM checkpoints \
                 WHERE sequence_number > $1 AND sequence_number <= $2 ORDER BY sequence_number",
            )
            .bind(lo)
            .bind(hi)
            .fetch_all(&pool)
            .await
            .unwrap_or_default();
            rows.iter()
                .filter_map(|r| {
                    Some(CheckpointNotice {
                        sequence_number: r.try_get(0).ok()?,
                        digest: r.try_get(1).ok()?,
                        timestamp_ms: r.try_get(2).ok()?,
                        walrus_events: r.try_get(3).ok()?,
                    })
                })
                .collect()
        }))
    }

    /// Blob events (registered, certified, deleted, invalid), of one blob ID if given.
    async fn blob_events(
        &self,
        ctx: &Context<'_>,
        blob_id: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = Event>> {
        let notifier = ctx.data::<Notifier>()?.clone();
        Ok(follow(notifier, move |pool, lo, hi| {
            events_between(pool, lo, hi, BLOB_EVENTS, blob_id.clone())
        }))
    }

    /// Proposal changes (created, votes, finalized, executed), of one proposal object if given.
    async fn proposal_events(
        &self,
        ctx: &Context<'_>,
        proposal_id: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = Event>> {
        let notifier = ctx.data::<Notifier>()?.clone();
        let proposal_id = proposal_id.map(|p| super::query::normalize_id(&p));
        Ok(follow(notifier, move |pool, lo, hi| {
            events_between(pool, lo, hi, PROPOSAL_EVENTS, proposal_id.clone())
        }))
    }
}
