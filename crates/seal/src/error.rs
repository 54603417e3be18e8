//! The crate's error types.

/// Why an [`EncryptedObject`](crate::EncryptedObject) could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not a BCS `EncryptedObject` (this includes trailing bytes, an unknown KEM or
    /// DEM tag, and a nonce that is not a point of G2).
    #[error("not a BCS Seal EncryptedObject: {0}")]
    Bcs(String),
    /// Only version 0 exists.
    #[error("unsupported EncryptedObject version {0} (only 0 is defined)")]
    Version(u8),
    /// There must be one encrypted share per listed service.
    #[error("{shares} encrypted shares for {services} services")]
    ShareCount {
        /// Number of encrypted shares.
        shares: usize,
        /// Number of services.
        services: usize,
    },
    /// Share indices are Shamir evaluation points: 0 would reveal the secret.
    #[error("share index 0 (service #{position})")]
    ZeroIndex {
        /// Position of the service in the list.
        position: usize,
    },
    /// Two services share an index.
    #[error("share index {index} appears twice")]
    DuplicateIndex {
        /// The repeated index.
        index: u8,
    },
    /// The threshold must satisfy 0 < t ≤ n.
    #[error("threshold {threshold} with {services} services (need 0 < t <= n)")]
    Threshold {
        /// The threshold.
        threshold: u8,
        /// Number of services.
        services: usize,
    },
}

/// Errors of encryption, decryption and key handling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The encrypted object breaks a validity rule.
    #[error(transparent)]
    Object(#[from] ParseError),
    /// `encrypt` was called with a bad threshold or number of key servers.
    #[error("threshold {threshold} with {servers} key servers (need 0 < t <= n <= 255)")]
    InvalidThreshold {
        /// The threshold asked for.
        threshold: u8,
        /// The number of key servers given.
        servers: usize,
    },
    /// Fewer user secret keys than the threshold match the object's services.
    #[error("keys for {have} of the object's services, threshold is {need}")]
    NotEnoughKeys {
        /// Services for which a key was given.
        have: usize,
        /// The object's threshold.
        need: u8,
    },
    /// The public keys given for the consistency check do not match the services one to one.
    #[error("{keys} public keys for {services} services")]
    PublicKeyCount {
        /// Number of public keys given.
        keys: usize,
        /// Number of services in the object.
        services: usize,
    },
    /// The recovered randomness does not give the nonce: wrong keys or a forged ciphertext.
    #[error(
        "the recovered randomness does not match the nonce (wrong keys or a forged ciphertext)"
    )]
    InvalidNonce,
    /// Share-consistency check failed: not every share lies on the same polynomial.
    #[error("inconsistent shares: different key subsets would decrypt differently")]
    InconsistentShares,
    /// The DEM tag or MAC did not verify.
    #[error("the ciphertext or its associated data failed authentication")]
    Authentication,
    /// The payload is larger than AES-GCM can encrypt under one key.
    #[error("plaintext of {0} bytes is too long for AES-256-GCM")]
    PlaintextTooLong(usize),
    /// Bytes that should be a group element or scalar are not one.
    #[error("invalid {0} encoding")]
    InvalidEncoding(&'static str),
    /// A user secret key or proof of possession does not verify against the public key.
    #[error("{0} does not verify against the key server's public key")]
    Verification(&'static str),
}
