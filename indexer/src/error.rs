//! The indexer's errors.

/// What can go wrong while indexing or serving.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The chain RPC failed.
    #[error("chain: {0}")]
    Chain(#[from] haulout_sui::SuiError),
    /// A checkpoint or object lacks a field or does not decode.
    #[error("malformed chain data: {0}")]
    Malformed(String),
    /// A checkpoint does not follow the last one (sequence, digest chain, contents, signature).
    #[error("checkpoint {sequence_number} fails verification: {reason}")]
    Verification {
        /// The checkpoint.
        sequence_number: u64,
        /// What does not match.
        reason: String,
    },
    /// The chain is not the one the database was built from.
    #[error(
        "the chain was reset: {reason}; the database holds another chain's data. \
         Restart with --reset to drop it and index the new chain from its genesis"
    )]
    ChainReset {
        /// What differs.
        reason: String,
    },
    /// A number does not fit the column.
    #[error("value out of range: {0}")]
    Range(String),
    /// The checkpoint stream ended.
    #[error("the checkpoint stream ended")]
    StreamEnded,
}

impl IndexerError {
    /// Whether retrying (after a delay) may succeed: database and chain connection errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) => matches!(
                e,
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
            ),
            Self::Chain(_) | Self::StreamEnded => true,
            _ => false,
        }
    }
}

/// The indexer's result.
pub type Result<T, E = IndexerError> = std::result::Result<T, E>;
