#![doc = include_str!("../README.md")]

mod blob_id;
mod config;
mod decode;
mod encode;
mod error;
mod hash;
mod inconsistency;
mod mapping;
pub mod merkle;
mod metadata;
mod rs;
mod sliver;
mod symbols;

pub use blob_id::{BlobId, BlobIdParseError};
pub use config::{EncodingConfig, MAX_SYMBOL_SIZE, MIN_N_SHARDS};
pub use decode::ConsistencyCheck;
pub use encode::{EncodedBlob, SliverRef};
pub use error::{
    DecodeError, EncodeError, InconsistencyProofError, InvalidConfig, MetadataError, RecoveryError,
    SliverVerificationError, SymbolVerificationError,
};
pub use hash::{Digest, blake2b256};
pub use inconsistency::{EitherInconsistencyProof, InconsistencyProof};
pub use mapping::{pair_index_for_shard, rotate_pairs_to_shards, shard_index_for_pair};
pub use merkle::Node;
pub use metadata::{
    BlobMetadata, BlobMetadataV1, BlobMetadataWithId, EncodingType, SliverPairMetadata,
    UnsupportedEncodingType,
};
pub use sliver::{Axis, EncodingAxis, Primary, Secondary, Sliver, SliverData, SliverPair, Symbols};
pub use symbols::{
    DecodingSymbol, PrimaryRecoverySymbol, Recovered, RecoverySymbol, SecondaryRecoverySymbol,
    SymbolSource,
};
