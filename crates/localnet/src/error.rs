//! Errors that reject a transaction before execution (as opposed to failure effects).

use sui_sdk_types::Address;

/// Why a transaction was rejected before execution; nothing is charged and nothing changes.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The request could not be decoded.
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// A signature is missing, invalid or from the wrong signer.
    #[error("invalid signature: {0}")]
    Signature(String),
    /// An input or gas object does not exist (or not at the version given).
    #[error("object {id} not found")]
    ObjectNotFound {
        /// The object.
        id: Address,
    },
    /// An input object is not at the version or digest given.
    #[error(
        "object {id} is at version {current}, the transaction names version {given}: \
         refresh the object reference and retry"
    )]
    StaleObject {
        /// The object.
        id: Address,
        /// The version named in the transaction.
        given: u64,
        /// Its current version.
        current: u64,
    },
    /// A package is named where an object is expected: as an owned, immutable or receiving
    /// input or as a gas coin (Sui's `MovePackageAsObject`). Packages are only named by the
    /// `package` of a Move call.
    #[error("A move object is expected, instead a move package is passed: {id}")]
    MovePackageAsObject {
        /// The package.
        id: Address,
    },
    /// An input object's digest does not match.
    #[error("object {id} digest mismatch: the transaction names {given}, the chain has {current}")]
    DigestMismatch {
        /// The object.
        id: Address,
        /// The digest named in the transaction.
        given: String,
        /// The current digest.
        current: String,
    },
    /// An owned input object is not owned by the signer.
    #[error("object {id} is not owned by {signer}")]
    NotOwned {
        /// The object.
        id: Address,
        /// Who signed.
        signer: Address,
    },
    /// The same object is named twice among the inputs, receiving inputs and gas coins (Sui's
    /// `DuplicateObjectRefInput`).
    #[error("the transaction inputs name object {id} more than once: pass each object once")]
    DuplicateObjectRefInput {
        /// The object.
        id: Address,
    },
    /// An object owned by another object is named as an input; only address-owned objects can
    /// be received (Sui's `InvalidChildObjectArgument`).
    #[error(
        "object {child} is owned by object {parent}: objects owned by other objects cannot be \
         used as input arguments"
    )]
    ChildObjectInput {
        /// The object named.
        child: Address,
        /// The object that owns it.
        parent: Address,
    },
    /// A receiving input names a shared object (Sui's `NotSharedObjectError`); only
    /// address-owned objects can be received.
    #[error("object {id} is shared and cannot be received: only address-owned objects can")]
    SharedObjectReceived {
        /// The object.
        id: Address,
    },
    /// A receiving input names an immutable object (Sui's `MutableParameterExpected`); only
    /// address-owned objects can be received.
    #[error("object {id} is immutable and cannot be received: only address-owned objects can")]
    ImmutableObjectReceived {
        /// The object.
        id: Address,
    },
    /// A gas problem found before execution (price, budget, balance, coin type).
    #[error("gas: {0}")]
    Gas(String),
    /// The transaction expired.
    #[error("transaction expired: {0}")]
    Expired(String),
    /// A feature this local chain does not implement.
    #[error("not supported by the local chain: {0}")]
    Unsupported(String),
    /// An internal error (storage).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<TxError> for tonic::Status {
    fn from(e: TxError) -> Self {
        match &e {
            TxError::Malformed(_)
            | TxError::MovePackageAsObject { .. }
            | TxError::DuplicateObjectRefInput { .. }
            | TxError::ChildObjectInput { .. }
            | TxError::SharedObjectReceived { .. }
            | TxError::ImmutableObjectReceived { .. }
            | TxError::Signature(_)
            | TxError::Gas(_)
            | TxError::Expired(_) => tonic::Status::invalid_argument(e.to_string()),
            TxError::ObjectNotFound { .. } => tonic::Status::not_found(e.to_string()),
            TxError::StaleObject { .. }
            | TxError::DigestMismatch { .. }
            | TxError::NotOwned { .. } => tonic::Status::failed_precondition(e.to_string()),
            TxError::Unsupported(_) => tonic::Status::unimplemented(e.to_string()),
            TxError::Internal(_) => tonic::Status::internal(e.to_string()),
        }
    }
}
