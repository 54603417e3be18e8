//! The one error type of chain access.

/// What went wrong talking to the chain, reading a network file or a keystore.
#[derive(Debug, thiserror::Error)]
pub enum SuiError {
    /// A gRPC call failed.
    #[error("{what}: {status}")]
    Rpc {
        /// The call, with its argument.
        what: String,
        /// The server's (or transport's) status.
        status: Box<tonic::Status>,
    },
    /// The RPC URL is not a valid endpoint.
    #[error("invalid RPC URL {url}: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// Why it is not usable.
        reason: String,
    },
    /// An object, field or value the caller needs is not on chain.
    #[error("not found: {0}")]
    NotFound(String),
    /// The server's answer lacks a field or does not decode.
    #[error("unexpected answer from the chain: {0}")]
    Malformed(String),
    /// A transaction was executed and failed.
    #[error("transaction {digest} failed: {reason}")]
    TransactionFailed {
        /// Its digest.
        digest: String,
        /// The execution error, with the Move abort location and code where there is one.
        reason: String,
    },
    /// The sender has no SUI coin that can pay for gas.
    #[error("{address} has no SUI coin with at least {needed} MIST for gas (ask the faucet)")]
    NoGas {
        /// The sender.
        address: String,
        /// The gas budget.
        needed: u64,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A network file or keystore is not in the expected format.
    #[error("{path}: {reason}")]
    BadFile {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Signing a transaction failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl SuiError {
    pub(crate) fn rpc(what: impl Into<String>, status: tonic::Status) -> Self {
        Self::Rpc {
            what: what.into(),
            status: Box::new(status),
        }
    }

    /// Whether retrying the same call later may succeed (transport trouble, an overloaded or
    /// restarting server), as opposed to a request that is wrong in itself.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Rpc { status, .. } => matches!(
                status.code(),
                tonic::Code::Unavailable
                    | tonic::Code::DeadlineExceeded
                    | tonic::Code::ResourceExhausted
                    | tonic::Code::Aborted
                    | tonic::Code::Unknown
                    | tonic::Code::Internal
            ),
            _ => false,
        }
    }
}

/// `Result` with [`SuiError`].
pub type Result<T, E = SuiError> = std::result::Result<T, E>;
