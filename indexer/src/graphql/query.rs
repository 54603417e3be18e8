//! The query root and its object types. Names follow GraphQL's camelCase; u64 amounts and sizes
//! are strings; every listing is a Relay connection.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, Json, Object, SimpleObject};
use sqlx::Row as _;
use sqlx::postgres::PgRow;

use super::Limits;
use super::cursor::{Cursor, Page};
use super::reader::{Arg, Reader, internal};

/// A blob's status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BlobStatus {
    /// Registered, not (yet) certified.
    Registered,
    /// Certified: available until its end epoch.
    Certified,
    /// Deleted by its owner (or its object destroyed).
    Deleted,
    /// Its end epoch has passed.
    Expired,
    /// Its blob ID was certified invalid.
    Invalid,
}

impl BlobStatus {
    fn from_db(s: &str) -> Self {
        match s {
            "CERTIFIED" => Self::Certified,
            "DELETED" => Self::Deleted,
            "EXPIRED" => Self::Expired,
            "INVALID" => Self::Invalid,
            _ => Self::Registered,
        }
    }

    fn as_db(self) -> &'static str {
        match self {
            Self::Registered => "REGISTERED",
            Self::Certified => "CERTIFIED",
            Self::Deleted => "DELETED",
            Self::Expired => "EXPIRED",
            Self::Invalid => "INVALID",
        }
    }
}

/// A governance proposal's status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProposalStatus {
    /// Open for votes or awaiting finalization.
    Active,
    /// Passed, not yet executed.
    Passed,
    /// Rejected.
    Rejected,
    /// Passed and executed.
    Executed,
}

impl ProposalStatus {
    fn from_db(s: &str) -> Self {
        match s {
            "PASSED" => Self::Passed,
            "REJECTED" => Self::Rejected,
            "EXECUTED" => Self::Executed,
            _ => Self::Active,
        }
    }

    fn as_db(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Passed => "PASSED",
            Self::Rejected => "REJECTED",
            Self::Executed => "EXECUTED",
        }
    }
}

/// A vote's choice.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum VoteChoice {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Abstain.
    Abstain,
}

/// A blob object.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Blob {
    /// The blob ID (base64url).
    pub blob_id: String,
    /// The `Blob` object's ID.
    pub object_id: String,
    /// The owning address (the `SharedBlob`'s ID for a shared blob; null once deleted).
    pub owner: Option<String>,
    /// Unencoded size in bytes.
    pub size: String,
    /// Encoded size in bytes (what the network stores).
    pub encoded_size: String,
    /// Status as of the checkpoint read.
    pub status: BlobStatus,
    /// Epoch of registration.
    pub registered_epoch: i64,
    /// Epoch of first certification.
    pub certified_epoch: Option<i64>,
    /// First epoch the blob is no longer stored.
    pub end_epoch: i64,
    /// Whether the owner may delete it.
    pub deletable: bool,
    /// Encoding type (1 = RS2).
    pub encoding_type: i32,
    /// The storage resource it occupies.
    pub storage_id: String,
    /// Its attributes (key/value metadata), if any.
    pub attributes: Option<Json<serde_json::Value>>,
    /// Checkpoint of registration (or of the first change indexed).
    pub created_checkpoint: i64,
    /// Checkpoint of the last change.
    pub updated_checkpoint: i64,
}

const BLOB_COLUMNS: &str = "b.blob_id, b.object_id, b.owner, b.size::text, b.encoded_size::text, \
    b.status, b.registered_epoch, b.certified_epoch, b.end_epoch, b.deletable, \
    b.encoding_type::int, b.storage_id, a.attributes, b.created_checkpoint, b.updated_checkpoint";
const BLOB_FROM: &str = "blobs b LEFT JOIN blob_attributes a ON a.blob_object_id = b.object_id";

fn blob_of(r: &PgRow) -> async_graphql::Result<Blob> {
    let status: String = r.try_get(5).map_err(internal)?;
    Ok(Blob {
        blob_id: r.try_get(0).map_err(internal)?,
        object_id: r.try_get(1).map_err(internal)?,
        owner: r.try_get(2).map_err(internal)?,
        size: r.try_get(3).map_err(internal)?,
        encoded_size: r.try_get(4).map_err(internal)?,
        status: BlobStatus::from_db(&status),
        registered_epoch: r.try_get(6).map_err(internal)?,
        certified_epoch: r.try_get(7).map_err(internal)?,
        end_epoch: r.try_get(8).map_err(internal)?,
        deletable: r.try_get(9).map_err(internal)?,
        encoding_type: r.try_get(10).map_err(internal)?,
        storage_id: r.try_get(11).map_err(internal)?,
        attributes: r
            .try_get::<Option<serde_json::Value>, _>(12)
            .map_err(internal)?
            .map(Json),
        created_checkpoint: r.try_get(13).map_err(internal)?,
        updated_checkpoint: r.try_get(14).map_err(internal)?,
    })
}

/// A storage node in the committee of an epoch.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct CommitteeMember {
    /// The node ID.
    pub node_id: String,
    /// The shards it holds.
    pub shards: Vec<i32>,
}

/// A Walrus epoch.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub(crate) struct Epoch {
    /// The epoch number.
    pub number: i64,
    /// Storage price, FROST per MiB (encoded) per epoch.
    pub storage_price: String,
    /// Write price, FROST per MiB (encoded).
    pub write_price: String,
    /// Total capacity, encoded bytes.
    pub total_capacity: String,
    /// Capacity in use, encoded bytes.
    pub used_capacity: String,
    /// WAL to distribute as rewards at the end of the epoch (FROST).
    pub rewards: String,
    /// WAL burned in the epoch (FROST), where known.
    pub burn: String,
    /// Number of shards.
    pub n_shards: i32,
    /// Where the epoch change stands: SYNC, DONE or PARAMS_SELECTED.
    pub state: String,
    /// First checkpoint indexed in this epoch.
    pub start_checkpoint: i64,
    /// Its timestamp (ms since the Unix epoch).
    pub start_timestamp_ms: i64,
}

#[ComplexObject]
impl Epoch {
    /// The committee of this epoch: each node and its shards, by node ID.
    async fn committee(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CommitteeMember>> {
        let rows = reader(ctx)?
            .fetch_all(
                "SELECT node_id, shards FROM committees WHERE epoch = $1 ORDER BY node_id".into(),
                vec![Arg::Int(self.number)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CommitteeMember {
                    node_id: r.try_get(0).map_err(internal)?,
                    shards: r.try_get(1).map_err(internal)?,
                })
            })
            .collect()
    }
}

const EPOCH_COLUMNS: &str = "epoch, storage_price::text, write_price::text, total_capacity::text, \
    used_capacity::text, rewards::text, burn::text, n_shards, state, start_checkpoint, \
    start_timestamp_ms";

fn epoch_of(r: &PgRow) -> async_graphql::Result<Epoch> {
    Ok(Epoch {
        number: r.try_get(0).map_err(internal)?,
        storage_price: r.try_get(1).map_err(internal)?,
        write_price: r.try_get(2).map_err(internal)?,
        total_capacity: r.try_get(3).map_err(internal)?,
        used_capacity: r.try_get(4).map_err(internal)?,
        rewards: r.try_get(5).map_err(internal)?,
        burn: r.try_get(6).map_err(internal)?,
        n_shards: r.try_get(7).map_err(internal)?,
        state: r.try_get(8).map_err(internal)?,
        start_checkpoint: r.try_get(9).map_err(internal)?,
        start_timestamp_ms: r.try_get(10).map_err(internal)?,
    })
}

/// A storage node's staking pool.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct StakingPool {
    /// The node ID (= the pool's ID).
    pub node_id: String,
    /// The node's name.
    pub name: String,
    /// `host:port` of its REST API.
    pub network_address: String,
    /// Its BLS public key (hex).
    pub public_key: String,
    /// WAL staked (FROST).
    pub stake: String,
    /// Shares issued.
    pub shares: String,
    /// Commission rate in basis points.
    pub commission_rate: i32,
    /// The shards it holds in the current committee (empty if not in it).
    pub shards: Vec<i32>,
    /// ACTIVE, WITHDRAWING or WITHDRAWN.
    pub state: String,
    /// The epoch of its withdrawal, if withdrawing.
    pub withdrawing_epoch: Option<i64>,
    /// Rewards belonging to stakers (FROST).
    pub rewards: String,
    /// Commission earned (FROST).
    pub commission: String,
    /// First epoch it is active in.
    pub activation_epoch: i64,
    /// Its vote on the storage price.
    pub storage_price_vote: String,
    /// Its vote on the write price.
    pub write_price_vote: String,
    /// Its vote on capacity (bytes).
    pub capacity_vote: String,
}

const POOL_COLUMNS: &str = "p.node_id, p.name, p.network_address, encode(p.public_key, 'hex'), \
    p.stake::text, p.shares::text, p.commission_rate, COALESCE(c.shards, '{}'), p.state, \
    p.withdrawing_epoch, p.rewards::text, p.commission::text, p.activation_epoch, \
    p.storage_price_vote::text, p.write_price_vote::text, p.capacity_vote::text";
const POOL_FROM: &str = "staking_pools p LEFT JOIN committees c ON c.node_id = p.node_id \
    AND c.epoch = (SELECT max(epoch) FROM committees)";

/// The columns [`staked_wal_of`] reads.
const STAKED_WAL_COLUMNS: &str =
    "object_id, owner, node_id, principal::text, activation_epoch, state, withdraw_epoch";

fn staked_wal_of(r: &PgRow) -> async_graphql::Result<StakedWal> {
    Ok(StakedWal {
        object_id: r.try_get(0).map_err(internal)?,
        owner: r.try_get(1).map_err(internal)?,
        node_id: r.try_get(2).map_err(internal)?,
        principal: r.try_get(3).map_err(internal)?,
        activation_epoch: r.try_get(4).map_err(internal)?,
        state: r.try_get(5).map_err(internal)?,
        withdraw_epoch: r.try_get(6).map_err(internal)?,
    })
}

fn pool_of(r: &PgRow) -> async_graphql::Result<StakingPool> {
    Ok(StakingPool {
        node_id: r.try_get(0).map_err(internal)?,
        name: r.try_get(1).map_err(internal)?,
        network_address: r.try_get(2).map_err(internal)?,
        public_key: r.try_get(3).map_err(internal)?,
        stake: r.try_get(4).map_err(internal)?,
        shares: r.try_get(5).map_err(internal)?,
        commission_rate: r.try_get(6).map_err(internal)?,
        shards: r.try_get(7).map_err(internal)?,
        state: r.try_get(8).map_err(internal)?,
        withdrawing_epoch: r.try_get(9).map_err(internal)?,
        rewards: r.try_get(10).map_err(internal)?,
        commission: r.try_get(11).map_err(internal)?,
        activation_epoch: r.try_get(12).map_err(internal)?,
        storage_price_vote: r.try_get(13).map_err(internal)?,
        write_price_vote: r.try_get(14).map_err(internal)?,
        capacity_vote: r.try_get(15).map_err(internal)?,
    })
}

/// WAL staked with a node.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct StakedWal {
    /// The `StakedWal` object's ID.
    pub object_id: String,
    /// Its owner.
    pub owner: Option<String>,
    /// The node it is staked with.
    pub node_id: String,
    /// The staked WAL (FROST).
    pub principal: String,
    /// First epoch the stake counts in.
    pub activation_epoch: i64,
    /// STAKED or WITHDRAWING.
    pub state: String,
    /// The epoch the withdrawal completes, if withdrawing.
    pub withdraw_epoch: Option<i64>,
}

/// Reserved storage.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct StorageResource {
    /// The `Storage` object's ID.
    pub object_id: String,
    /// Its owner.
    pub owner: Option<String>,
    /// First epoch covered.
    pub start_epoch: i64,
    /// First epoch no longer covered.
    pub end_epoch: i64,
    /// Size in encoded bytes.
    pub storage_size: String,
}

/// A vote on a proposal.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Vote {
    /// The sender.
    pub voter: String,
    /// The `StakedWal` that voted.
    pub staked_wal_id: String,
    /// The choice.
    pub choice: VoteChoice,
    /// Its weight (the stake's principal, FROST).
    pub weight: String,
    /// Checkpoint of the vote.
    pub checkpoint: i64,
    /// Transaction of the vote.
    pub tx_digest: String,
}

/// A governance proposal.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub(crate) struct Proposal {
    /// Its sequence number.
    pub number: i64,
    /// The `Proposal` object's ID.
    pub object_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Who proposed it.
    pub proposer: String,
    /// Where it stands.
    pub status: ProposalStatus,
    /// Weight voting yes (FROST).
    pub yes: String,
    /// Weight voting no (FROST).
    pub no: String,
    /// Weight abstaining (FROST).
    pub abstain: String,
    /// Epoch of creation.
    pub created_epoch: i64,
    /// Votes are accepted while the epoch is below this.
    pub voting_end_epoch: i64,
    /// What happens if it passes.
    pub action: Json<serde_json::Value>,
}

#[ComplexObject]
impl Proposal {
    /// Every vote, by `StakedWal` ID.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn votes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Vote>> {
        let page = Page::new("votes", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        let id = sql.arg(Arg::Text(self.object_id.clone()));
        sql.cond(format!("proposal_id = {id}"));
        let rows = sql
            .page(
                ctx,
                "staked_wal_id, voter, choice, weight::text, checkpoint, tx_digest",
                "votes",
                &["staked_wal_id"],
                &page,
            )
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let choice: i16 = r.try_get(2).map_err(internal)?;
                let vote = Vote {
                    staked_wal_id: r.try_get(0).map_err(internal)?,
                    voter: r.try_get(1).map_err(internal)?,
                    choice: match choice {
                        0 => VoteChoice::Yes,
                        1 => VoteChoice::No,
                        _ => VoteChoice::Abstain,
                    },
                    weight: r.try_get(3).map_err(internal)?,
                    checkpoint: r.try_get(4).map_err(internal)?,
                    tx_digest: r.try_get(5).map_err(internal)?,
                };
                Ok((vec![serde_json::json!(vote.staked_wal_id)], vote))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("votes", &page, nodes))
    }
}

const PROPOSAL_COLUMNS: &str = "number, object_id, title, description, proposer, status, \
    yes::text, no::text, abstain::text, created_epoch, voting_end_epoch, action";

fn proposal_of(r: &PgRow) -> async_graphql::Result<Proposal> {
    let status: String = r.try_get(5).map_err(internal)?;
    Ok(Proposal {
        number: r.try_get(0).map_err(internal)?,
        object_id: r.try_get(1).map_err(internal)?,
        title: r.try_get(2).map_err(internal)?,
        description: r.try_get(3).map_err(internal)?,
        proposer: r.try_get(4).map_err(internal)?,
        status: ProposalStatus::from_db(&status),
        yes: r.try_get(6).map_err(internal)?,
        no: r.try_get(7).map_err(internal)?,
        abstain: r.try_get(8).map_err(internal)?,
        created_epoch: r.try_get(9).map_err(internal)?,
        voting_end_epoch: r.try_get(10).map_err(internal)?,
        action: Json(r.try_get(11).map_err(internal)?),
    })
}

/// Network totals.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Stats {
    /// The checkpoint every answer of this request reflects (null before anything is indexed).
    pub checkpoint: Option<i64>,
    /// Timestamp of that checkpoint (ms).
    pub timestamp_ms: Option<i64>,
    /// Blobs registered or certified and not expired, deleted or invalid.
    pub blob_count: i64,
    /// Of those, certified.
    pub certified_blob_count: i64,
    /// Unencoded bytes of the certified blobs.
    pub stored_bytes: String,
    /// WAL staked with all pools (FROST).
    pub total_stake: String,
    /// The current Walrus epoch.
    pub epoch: Option<i64>,
}

/// A Walrus event as recorded.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct Event {
    /// Checkpoint.
    pub checkpoint: i64,
    /// Transaction digest.
    pub tx_digest: String,
    /// Position of the transaction in the checkpoint.
    pub tx_index: i32,
    /// Position of the event in the transaction.
    pub event_index: i32,
    /// Checkpoint timestamp (ms).
    pub timestamp_ms: i64,
    /// The event's name (`BlobRegistered`, `VoteCast`, …).
    pub event_type: String,
    /// The blob ID, proposal or node it is about.
    pub subject: Option<String>,
    /// Its fields.
    pub data: Json<serde_json::Value>,
}

pub(crate) const EVENT_COLUMNS: &str =
    "checkpoint, tx_digest, tx_index, event_index, timestamp_ms, event_type, subject, data";

pub(crate) fn event_of(r: &PgRow) -> async_graphql::Result<Event> {
    Ok(Event {
        checkpoint: r.try_get(0).map_err(internal)?,
        tx_digest: r.try_get(1).map_err(internal)?,
        tx_index: r.try_get(2).map_err(internal)?,
        event_index: r.try_get(3).map_err(internal)?,
        timestamp_ms: r.try_get(4).map_err(internal)?,
        event_type: r.try_get(5).map_err(internal)?,
        subject: r.try_get(6).map_err(internal)?,
        data: Json(r.try_get(7).map_err(internal)?),
    })
}

/// The limits in force, for clients to adapt to.
#[derive(SimpleObject, Debug, Clone)]
pub(crate) struct ServiceConfig {
    /// Largest `first`/`last`.
    pub max_page_size: i32,
    /// Page size when neither is given.
    pub default_page_size: i32,
    /// Deepest query accepted.
    pub max_query_depth: i32,
    /// Most complex query accepted (connections count their page size times their fields).
    pub max_query_complexity: i32,
}

/// Complexity of a connection field: its page size times its selection.
pub(crate) fn page_complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first.or(last).map_or(super::DEFAULT_PAGE_SIZE, |n| {
        usize::try_from(n).unwrap_or(0)
    });
    n.max(1).saturating_mul(child)
}

fn reader<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Arc<Reader>> {
    ctx.data::<Arc<Reader>>()
}

fn limits<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Limits> {
    ctx.data::<Limits>()
}

/// A query under construction: conditions and their bound arguments.
#[derive(Default)]
struct Sql {
    conds: Vec<String>,
    args: Vec<Arg>,
}

impl Sql {
    /// Binds `arg`, returning its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn cond(&mut self, cond: String) {
        self.conds.push(cond);
    }

    /// One page of `columns` from `from`, keyset-paginated on `keys` per `page`, one row more
    /// than the page to tell whether there is a next one.
    async fn page(
        mut self,
        ctx: &Context<'_>,
        columns: &str,
        from: &str,
        keys: &[&str],
        page: &Page,
    ) -> async_graphql::Result<Vec<PgRow>> {
        if let Some(bound) = &page.bound {
            if bound.len() != keys.len() {
                return Err("invalid cursor: wrong shape".into());
            }
            let mut placeholders = Vec::new();
            for v in bound {
                let arg = match v {
                    serde_json::Value::String(s) => Arg::Text(s.clone()),
                    serde_json::Value::Number(n) => {
                        Arg::Int(n.as_i64().ok_or("invalid cursor: bad key")?)
                    }
                    _ => return Err("invalid cursor: bad key".into()),
                };
                let typed = match &arg {
                    Arg::Text(_) => format!("{}::text", self.arg(arg)),
                    Arg::Int(_) => format!("{}::bigint", self.arg(arg)),
                };
                placeholders.push(typed);
            }
            let op = if page.backward { "<" } else { ">" };
            self.cond(format!(
                "({}) {op} ({})",
                keys.join(", "),
                placeholders.join(", ")
            ));
        }
        let dir = if page.backward { "DESC" } else { "ASC" };
        let order: Vec<String> = keys.iter().map(|k| format!("{k} {dir}")).collect();
        let filter = if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        };
        let sql = format!(
            "SELECT {columns} FROM {from}{filter} ORDER BY {} LIMIT {}",
            order.join(", "),
            page.limit + 1
        );
        reader(ctx)?.fetch_all(sql, self.args).await
    }
}

/// A connection from one more row than the page (in the page's direction).
fn connection<N: async_graphql::OutputType>(
    table: &str,
    page: &Page,
    mut nodes: Vec<(Vec<serde_json::Value>, N)>,
) -> Connection<Cursor, N> {
    let more = nodes.len() > page.limit;
    nodes.truncate(page.limit);
    let mut connection = if page.backward {
        nodes.reverse();
        Connection::new(more, page.has_bound)
    } else {
        Connection::new(page.has_bound, more)
    };
    connection
        .edges
        .extend(nodes.into_iter().map(|(key, node)| {
            Edge::new(
                Cursor {
                    table: table.to_owned(),
                    key,
                },
                node,
            )
        }));
    connection
}

/// The query root.
#[derive(Debug, Default)]
pub struct Query;

#[Object]
impl Query {
    /// The blob with this blob ID: of the objects registering it, the certified one that lasts
    /// longest (else the latest registered).
    async fn blob(
        &self,
        ctx: &Context<'_>,
        blob_id: String,
    ) -> async_graphql::Result<Option<Blob>> {
        let row = reader(ctx)?
            .fetch_optional(
                format!(
                    "SELECT {BLOB_COLUMNS} FROM {BLOB_FROM} WHERE b.blob_id = $1 \
                     ORDER BY (b.status = 'CERTIFIED') DESC, (b.status = 'REGISTERED') DESC, \
                     b.end_epoch DESC, b.object_id LIMIT 1"
                ),
                vec![Arg::Text(blob_id)],
            )
            .await?;
        row.as_ref().map(blob_of).transpose()
    }

    /// The blob object with this object ID.
    async fn blob_object(
        &self,
        ctx: &Context<'_>,
        object_id: String,
    ) -> async_graphql::Result<Option<Blob>> {
        let row = reader(ctx)?
            .fetch_optional(
                format!("SELECT {BLOB_COLUMNS} FROM {BLOB_FROM} WHERE b.object_id = $1"),
                vec![Arg::Text(normalize_id(&object_id))],
            )
            .await?;
        row.as_ref().map(blob_of).transpose()
    }

    /// Blob objects by object ID, filtered by owner, status, blob ID and epoch ranges
    /// (inclusive).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn blobs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        owner: Option<String>,
        status: Option<BlobStatus>,
        blob_id: Option<String>,
        min_end_epoch: Option<i64>,
        max_end_epoch: Option<i64>,
        min_registered_epoch: Option<i64>,
        max_registered_epoch: Option<i64>,
    ) -> async_graphql::Result<Connection<Cursor, Blob>> {
        let page = Page::new("blobs", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        if let Some(owner) = owner {
            let p = sql.arg(Arg::Text(normalize_id(&owner)));
            sql.cond(format!("b.owner = {p}"));
        }
        if let Some(status) = status {
            let p = sql.arg(Arg::Text(status.as_db().into()));
            sql.cond(format!("b.status = {p}"));
        }
        if let Some(id) = blob_id {
            let p = sql.arg(Arg::Text(id));
            sql.cond(format!("b.blob_id = {p}"));
        }
        for (value, cond) in [
            (min_end_epoch, "b.end_epoch >="),
            (max_end_epoch, "b.end_epoch <="),
            (min_registered_epoch, "b.registered_epoch >="),
            (max_registered_epoch, "b.registered_epoch <="),
        ] {
            if let Some(v) = value {
                let p = sql.arg(Arg::Int(v));
                sql.cond(format!("{cond} {p}"));
            }
        }
        let rows = sql
            .page(ctx, BLOB_COLUMNS, BLOB_FROM, &["b.object_id"], &page)
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let b = blob_of(r)?;
                Ok((vec![serde_json::json!(b.object_id)], b))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("blobs", &page, nodes))
    }

    /// Epoch `number`, or the current one when omitted.
    async fn epoch(
        &self,
        ctx: &Context<'_>,
        number: Option<i64>,
    ) -> async_graphql::Result<Option<Epoch>> {
        let row = match number {
            Some(n) => {
                reader(ctx)?
                    .fetch_optional(
                        format!("SELECT {EPOCH_COLUMNS} FROM epochs WHERE epoch = $1"),
                        vec![Arg::Int(n)],
                    )
                    .await?
            }
            None => {
                reader(ctx)?
                    .fetch_optional(
                        format!("SELECT {EPOCH_COLUMNS} FROM epochs ORDER BY epoch DESC LIMIT 1"),
                        vec![],
                    )
                    .await?
            }
        };
        row.as_ref().map(epoch_of).transpose()
    }

    /// Every epoch indexed, by number.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn epochs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Epoch>> {
        let page = Page::new("epochs", first, after, last, before, limits(ctx)?)?;
        let rows = Sql::default()
            .page(ctx, EPOCH_COLUMNS, "epochs", &["epoch"], &page)
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let e = epoch_of(r)?;
                Ok((vec![serde_json::json!(e.number)], e))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("epochs", &page, nodes))
    }

    /// Staking pools by node ID, optionally only those in one state (ACTIVE, WITHDRAWING,
    /// WITHDRAWN).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn staking_pools(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        state: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, StakingPool>> {
        let page = Page::new("stakingPools", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        if let Some(state) = state {
            let p = sql.arg(Arg::Text(state));
            sql.cond(format!("p.state = {p}"));
        }
        let rows = sql
            .page(ctx, POOL_COLUMNS, POOL_FROM, &["p.node_id"], &page)
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let p = pool_of(r)?;
                Ok((vec![serde_json::json!(p.node_id)], p))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("stakingPools", &page, nodes))
    }

    /// The staking pool of node `node_id`.
    async fn staking_pool(
        &self,
        ctx: &Context<'_>,
        node_id: String,
    ) -> async_graphql::Result<Option<StakingPool>> {
        let row = reader(ctx)?
            .fetch_optional(
                format!("SELECT {POOL_COLUMNS} FROM {POOL_FROM} WHERE p.node_id = $1"),
                vec![Arg::Text(normalize_id(&node_id))],
            )
            .await?;
        row.as_ref().map(pool_of).transpose()
    }

    /// The staked WAL positions of `owner`, by object ID, optionally only those with one node.
    /// An owner with more positions than ten times the maximum page size gets an error: page
    /// through `stakedWalPositions` then.
    async fn staked_wal(
        &self,
        ctx: &Context<'_>,
        owner: String,
        node_id: Option<String>,
    ) -> async_graphql::Result<Vec<StakedWal>> {
        let cap = limits(ctx)?.max_page_size * 10;
        let mut args = vec![Arg::Text(normalize_id(&owner))];
        let mut filter = String::new();
        if let Some(node) = node_id {
            args.push(Arg::Text(normalize_id(&node)));
            filter = " AND node_id = $2".into();
        }
        let rows = reader(ctx)?
            .fetch_all(
                format!(
                    "SELECT {STAKED_WAL_COLUMNS} FROM staked_wal WHERE owner = $1{filter} \
                     ORDER BY object_id LIMIT {}",
                    cap + 1
                ),
                args,
            )
            .await?;
        if rows.len() > cap {
            return Err(format!(
                "{owner} has more than {cap} staked WAL positions: page through them with \
                 stakedWalPositions(owner, first, after)"
            )
            .into());
        }
        rows.iter().map(staked_wal_of).collect()
    }

    /// The staked WAL positions of `owner`, by object ID, a page at a time, optionally only
    /// those with one node.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn staked_wal_positions(
        &self,
        ctx: &Context<'_>,
        owner: String,
        node_id: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, StakedWal>> {
        let page = Page::new(
            "stakedWalPositions",
            first,
            after,
            last,
            before,
            limits(ctx)?,
        )?;
        let mut sql = Sql::default();
        let p = sql.arg(Arg::Text(normalize_id(&owner)));
        sql.cond(format!("owner = {p}"));
        if let Some(node) = node_id {
            let p = sql.arg(Arg::Text(normalize_id(&node)));
            sql.cond(format!("node_id = {p}"));
        }
        let rows = sql
            .page(ctx, STAKED_WAL_COLUMNS, "staked_wal", &["object_id"], &page)
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let s = staked_wal_of(r)?;
                Ok((vec![serde_json::json!(s.object_id)], s))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("stakedWalPositions", &page, nodes))
    }

    /// Live storage resources, by object ID, optionally of one owner.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn storage_resources(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        owner: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, StorageResource>> {
        let page = Page::new("storageResources", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        if let Some(owner) = owner {
            let p = sql.arg(Arg::Text(normalize_id(&owner)));
            sql.cond(format!("owner = {p}"));
        }
        let rows = sql
            .page(
                ctx,
                "object_id, owner, start_epoch, end_epoch, storage_size::text",
                "storage_resources",
                &["object_id"],
                &page,
            )
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let s = StorageResource {
                    object_id: r.try_get(0).map_err(internal)?,
                    owner: r.try_get(1).map_err(internal)?,
                    start_epoch: r.try_get(2).map_err(internal)?,
                    end_epoch: r.try_get(3).map_err(internal)?,
                    storage_size: r.try_get(4).map_err(internal)?,
                };
                Ok((vec![serde_json::json!(s.object_id)], s))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("storageResources", &page, nodes))
    }

    /// Proposals by number, optionally of one status.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        status: Option<ProposalStatus>,
    ) -> async_graphql::Result<Connection<Cursor, Proposal>> {
        let page = Page::new("proposals", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        if let Some(status) = status {
            let p = sql.arg(Arg::Text(status.as_db().into()));
            sql.cond(format!("status = {p}"));
        }
        let rows = sql
            .page(ctx, PROPOSAL_COLUMNS, "proposals", &["number"], &page)
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let p = proposal_of(r)?;
                Ok((vec![serde_json::json!(p.number)], p))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("proposals", &page, nodes))
    }

    /// Proposal `number`.
    async fn proposal(
        &self,
        ctx: &Context<'_>,
        number: i64,
    ) -> async_graphql::Result<Option<Proposal>> {
        let row = reader(ctx)?
            .fetch_optional(
                format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE number = $1"),
                vec![Arg::Int(number)],
            )
            .await?;
        row.as_ref().map(proposal_of).transpose()
    }

    /// Walrus events in chain order, filtered by name, subject (blob ID, proposal or node ID)
    /// and checkpoint range (inclusive).
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        event_type: Option<String>,
        subject: Option<String>,
        from_checkpoint: Option<i64>,
        to_checkpoint: Option<i64>,
    ) -> async_graphql::Result<Connection<Cursor, Event>> {
        let page = Page::new("events", first, after, last, before, limits(ctx)?)?;
        let mut sql = Sql::default();
        if let Some(t) = event_type {
            let p = sql.arg(Arg::Text(t));
            sql.cond(format!("event_type = {p}"));
        }
        if let Some(s) = subject {
            let p = sql.arg(Arg::Text(s));
            sql.cond(format!("subject = {p}"));
        }
        if let Some(c) = from_checkpoint {
            let p = sql.arg(Arg::Int(c));
            sql.cond(format!("checkpoint >= {p}"));
        }
        if let Some(c) = to_checkpoint {
            let p = sql.arg(Arg::Int(c));
            sql.cond(format!("checkpoint <= {p}"));
        }
        let rows = sql
            .page(
                ctx,
                EVENT_COLUMNS,
                "events",
                &["checkpoint", "tx_index", "event_index"],
                &page,
            )
            .await?;
        let nodes = rows
            .iter()
            .map(|r| {
                let e = event_of(r)?;
                Ok((
                    vec![
                        serde_json::json!(e.checkpoint),
                        serde_json::json!(e.tx_index),
                        serde_json::json!(e.event_index),
                    ],
                    e,
                ))
            })
            .collect::<async_graphql::Result<Vec<_>>>()?;
        Ok(connection("events", &page, nodes))
    }

    /// Network totals, and the checkpoint this response reflects.
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<Stats> {
        let reader = reader(ctx)?;
        let watermark = reader.watermark().await?;
        let row = reader
            .fetch_optional(
                "SELECT t.blob_count, t.certified_blob_count, t.stored_bytes::text, \
                 (SELECT COALESCE(sum(stake), 0)::text FROM staking_pools), \
                 (SELECT max(epoch) FROM epochs) FROM totals t"
                    .into(),
                vec![],
            )
            .await?
            .ok_or_else(|| internal("no totals row"))?;
        Ok(Stats {
            checkpoint: watermark
                .as_ref()
                .map(|w| i64::try_from(w.checkpoint).unwrap_or(i64::MAX)),
            timestamp_ms: watermark
                .as_ref()
                .map(|w| i64::try_from(w.timestamp_ms).unwrap_or(i64::MAX)),
            blob_count: row.try_get(0).map_err(internal)?,
            certified_blob_count: row.try_get(1).map_err(internal)?,
            stored_bytes: row.try_get(2).map_err(internal)?,
            total_stake: row.try_get(3).map_err(internal)?,
            epoch: row.try_get(4).map_err(internal)?,
        })
    }

    /// The limits this service enforces.
    async fn service_config(&self, ctx: &Context<'_>) -> async_graphql::Result<ServiceConfig> {
        let l = limits(ctx)?;
        let int = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
        Ok(ServiceConfig {
            max_page_size: int(l.max_page_size),
            default_page_size: int(l.default_page_size),
            max_query_depth: int(l.max_depth),
            max_query_complexity: int(l.max_complexity),
        })
    }
}

/// IDs as the indexer stores them: `0x` and 64 lowercase hex digits (`0x2` → `0x00…02`).
pub(crate) fn normalize_id(id: &str) -> String {
    id.parse::<sui_sdk_types::Address>()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| id.to_owned())
}
