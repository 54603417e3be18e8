//! The client's errors.

use crate::nodes::NodeRequestError;

/// What a client operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The chain could not be read or a transaction failed.
    #[error(transparent)]
    Sui(#[from] haulout_sui::SuiError),
    /// The blob cannot be encoded (too large for the network).
    #[error("encoding: {0}")]
    Encode(#[from] redstuff::EncodeError),
    /// The network's shard count is not usable.
    #[error("encoding: {0}")]
    Config(#[from] redstuff::InvalidConfig),
    /// The arguments are not valid.
    #[error("{0}")]
    Invalid(String),
    /// The account holds too little WAL.
    #[error("not enough WAL: the storage costs {needed} FROST, {address} holds {available}")]
    NotEnoughWal {
        /// The sender.
        address: String,
        /// FROST needed.
        needed: u64,
        /// FROST held.
        available: u64,
    },
    /// Too few nodes confirmed the blob for a certificate.
    #[error(
        "only {weight} of {n_shards} shards confirmed the blob (a quorum needs {quorum}); last node errors: {errors}"
    )]
    NoQuorum {
        /// Shards that confirmed.
        weight: u16,
        /// All shards.
        n_shards: u16,
        /// Shards needed.
        quorum: u16,
        /// A summary of the node errors.
        errors: String,
    },
    /// No node served valid metadata for the blob.
    #[error("no storage node has valid metadata for blob {blob_id}: {errors}")]
    MetadataUnavailable {
        /// The blob.
        blob_id: String,
        /// A summary of the node errors.
        errors: String,
    },
    /// Too few valid slivers could be fetched.
    #[error(
        "could fetch only {got} of the {needed} slivers needed to read blob {blob_id}: {errors}"
    )]
    NotEnoughSlivers {
        /// The blob.
        blob_id: String,
        /// Valid slivers fetched.
        got: usize,
        /// Slivers needed.
        needed: usize,
        /// A summary of the node errors.
        errors: String,
    },
    /// The blob decodes, but was encoded inconsistently (a Byzantine writer).
    #[error("blob {blob_id} is inconsistently encoded: {reason}")]
    Inconsistent {
        /// The blob.
        blob_id: String,
        /// What the check found.
        reason: String,
    },
    /// The blob was invalidated on chain.
    #[error("blob {0} was marked invalid on chain")]
    InvalidBlob(String),
    /// A storage node request failed.
    #[error(transparent)]
    Node(#[from] NodeRequestError),
}

/// The client's result type.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// A short summary of up to `max` errors, for messages.
pub(crate) fn summarize(errors: &[String], max: usize) -> String {
    if errors.is_empty() {
        return "none".to_owned();
    }
    let mut shown: Vec<&str> = errors.iter().take(max).map(String::as_str).collect();
    shown.dedup();
    let mut out = shown.join("; ");
    if errors.len() > max {
        out.push_str(&format!("; … {} more", errors.len() - max));
    }
    out
}
