//! Errors, split by operation. Messages are lowercase and carry the numbers that explain them.

use crate::BlobId;

/// The shard count cannot be used for encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("red stuff cannot encode for {n_shards} shards (it needs at least 4)")]
pub struct InvalidConfig {
    /// The rejected shard count.
    pub n_shards: u16,
}

/// Encoding a blob failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The blob is larger than `p · s · 65534` bytes.
    #[error("blob of {length} bytes exceeds the maximum of {max} bytes for this shard count")]
    DataTooLarge {
        /// The blob's length in bytes.
        length: u64,
        /// The maximum for the configuration.
        max: u64,
    },
}

/// Metadata is malformed or does not match its blob ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// The metadata does not have one hash pair per shard.
    #[error("metadata has {actual} sliver hash pairs, expected {expected} (one per shard)")]
    WrongNumberOfHashes {
        /// The number of shards.
        expected: u16,
        /// The number of pairs in the metadata.
        actual: usize,
    },
    /// The unencoded length exceeds the maximum blob size.
    #[error("unencoded length {length} exceeds the maximum blob size {max}")]
    TooLarge {
        /// The claimed length.
        length: u64,
        /// The maximum for the configuration.
        max: u64,
    },
    /// The blob ID recomputed from the metadata differs from the claimed one.
    #[error("blob id mismatch: metadata gives {computed}, expected {expected}")]
    BlobIdMismatch {
        /// The claimed blob ID.
        expected: BlobId,
        /// The blob ID computed from the metadata.
        computed: BlobId,
    },
}

/// A sliver does not belong to the blob described by the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SliverVerificationError {
    /// The sliver index is not below the number of shards.
    #[error("sliver index {index} is out of range for {n_shards} shards")]
    IndexTooLarge {
        /// The sliver's index.
        index: u16,
        /// The number of shards.
        n_shards: u16,
    },
    /// The sliver has the wrong number of bytes.
    #[error("sliver has {actual} bytes, expected {expected}")]
    SliverSizeMismatch {
        /// Bytes the metadata implies.
        expected: u64,
        /// Bytes received.
        actual: u64,
    },
    /// The sliver's symbol size differs from the metadata's.
    #[error("sliver has symbol size {actual}, expected {expected}")]
    SymbolSizeMismatch {
        /// The symbol size the metadata implies.
        expected: u16,
        /// The sliver's symbol size.
        actual: u16,
    },
    /// The Merkle root of the expanded sliver differs from the hash in the metadata.
    #[error("sliver merkle root does not match the metadata")]
    MerkleRootMismatch,
    /// The metadata itself is unusable.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The metadata's blob length cannot be encoded with this configuration.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Decoding a blob failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer valid, distinct slivers than the code needs.
    #[error("not enough valid slivers to decode: have {got}, need {needed}")]
    NotEnoughSlivers {
        /// Slivers needed (p for primary, s for secondary).
        needed: u16,
        /// Valid distinct slivers supplied.
        got: u16,
    },
    /// A supplied sliver failed verification against the metadata.
    #[error("sliver {index} is invalid: {source}")]
    InvalidSliver {
        /// The sliver index.
        index: u16,
        /// Why it was rejected.
        source: SliverVerificationError,
    },
    /// The decoded blob does not re-encode to the slivers the metadata commits to.
    #[error(
        "decoded blob is inconsistent with its metadata (primary sliver {sliver_index} differs)"
    )]
    InconsistentBlob {
        /// The first systematic primary sliver whose root did not match.
        sliver_index: u16,
    },
    /// The strict check re-encoded the blob and got another blob ID.
    #[error("decoded blob re-encodes to {computed}, expected {expected}")]
    BlobIdMismatch {
        /// The expected blob ID.
        expected: BlobId,
        /// The blob ID of the re-encoded data.
        computed: BlobId,
    },
    /// The metadata is unusable.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The metadata's length cannot be encoded with this configuration.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// A recovery symbol does not verify against the metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SymbolVerificationError {
    /// The symbol's source index or the target index is not below the number of shards.
    #[error("symbol index {index} is out of range for {n_shards} shards")]
    IndexTooLarge {
        /// The offending index.
        index: u16,
        /// The number of shards.
        n_shards: u16,
    },
    /// The symbol has the wrong number of bytes.
    #[error("symbol has {actual} bytes, expected {expected}")]
    SymbolSizeMismatch {
        /// The symbol size from the metadata.
        expected: u16,
        /// Bytes received.
        actual: usize,
    },
    /// The Merkle proof does not lead to the hash in the metadata.
    #[error("symbol's merkle proof does not verify against the metadata")]
    InvalidProof,
    /// The metadata's length cannot be encoded with this configuration.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Recovering a sliver from recovery symbols failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    /// Fewer valid, distinct symbols than the code needs.
    #[error("not enough valid symbols to recover the sliver: have {got}, need {needed}")]
    NotEnoughSymbols {
        /// Symbols needed.
        needed: u16,
        /// Valid distinct symbols supplied.
        got: u16,
    },
    /// The target sliver index is not below the number of shards.
    #[error("target sliver index {index} is out of range for {n_shards} shards")]
    TargetIndexTooLarge {
        /// The target index.
        index: u16,
        /// The number of shards.
        n_shards: u16,
    },
    /// The metadata's length cannot be encoded with this configuration.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// An inconsistency proof is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InconsistencyProofError {
    /// The proof does not have exactly the number of symbols needed for recovery.
    #[error("inconsistency proof has {actual} symbols, expected exactly {expected}")]
    WrongNumberOfSymbols {
        /// Symbols needed for recovery.
        expected: u16,
        /// Symbols in the proof.
        actual: usize,
    },
    /// A symbol of the proof does not verify.
    #[error("symbol {index} of the proof is invalid: {source}")]
    InvalidSymbol {
        /// The symbol's source index.
        index: u16,
        /// Why it was rejected.
        source: SymbolVerificationError,
    },
    /// Two symbols of the proof come from the same source sliver.
    #[error("the proof contains symbol {index} twice")]
    DuplicateSymbol {
        /// The repeated source index.
        index: u16,
    },
    /// The target sliver index is not below the number of shards.
    #[error("target sliver index {index} is out of range for {n_shards} shards")]
    TargetIndexTooLarge {
        /// The target index.
        index: u16,
        /// The number of shards.
        n_shards: u16,
    },
    /// The symbols decode to a sliver that does match the metadata.
    #[error("the recovered sliver is consistent with the metadata")]
    SliverNotInconsistent,
    /// The metadata's length cannot be encoded with this configuration.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}
