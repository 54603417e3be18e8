//! Blob metadata: the per-pair sliver hashes, the root hash and the blob ID they commit to.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    BlobId, EncodingConfig,
    error::MetadataError,
    hash::{Hasher, leaf_hash},
    merkle::Node,
};

/// The erasure code of a blob. Only RS2 exists; the retired RaptorQ tag `0` fails to decode.
///
/// BCS: one byte (enum index) `0x01`. JSON: `"RS2"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum EncodingType {
    /// RedStuff over Reed–Solomon in GF(2^16).
    #[default]
    Rs2 = 1,
}

/// An encoding type name or tag that haulout does not support.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported encoding type {0:?} (only RS2 is supported)")]
pub struct UnsupportedEncodingType(pub String);

impl EncodingType {
    /// The on-chain `u8` tag.
    pub fn tag(self) -> u8 {
        self as u8
    }

    /// The encoding type for an on-chain `u8` tag.
    ///
    /// # Errors
    /// [`UnsupportedEncodingType`] for any tag but 1.
    pub fn from_tag(tag: u8) -> Result<Self, UnsupportedEncodingType> {
        match tag {
            1 => Ok(EncodingType::Rs2),
            other => Err(UnsupportedEncodingType(other.to_string())),
        }
    }
}

impl fmt::Display for EncodingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RS2")
    }
}

impl FromStr for EncodingType {
    type Err = UnsupportedEncodingType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "rs2" | "reed-solomon" | "redstuff/reed-solomon" => Ok(EncodingType::Rs2),
            _ => Err(UnsupportedEncodingType(s.to_owned())),
        }
    }
}

impl Serialize for EncodingType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_u8(self.tag())
        }
    }
}

impl<'de> Deserialize<'de> for EncodingType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            String::deserialize(deserializer)?
                .parse()
                .map_err(serde::de::Error::custom)
        } else {
            Self::from_tag(u8::deserialize(deserializer)?).map_err(serde::de::Error::custom)
        }
    }
}

/// The Merkle roots of the two slivers of one pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliverPairMetadata {
    /// Root over the expanded row of the pair's primary sliver.
    pub primary_hash: Node,
    /// Root over the expanded column of the pair's secondary sliver.
    pub secondary_hash: Node,
}

impl SliverPairMetadata {
    /// The leaf hash this pair contributes to the metadata root: `H(0x00 || primary || secondary)`.
    fn leaf(&self) -> [u8; 32] {
        let mut data = [0u8; 64];
        data[..32].copy_from_slice(&self.primary_hash.bytes());
        data[32..].copy_from_slice(&self.secondary_hash.bytes());
        leaf_hash(&data)
    }
}

/// Version 1 of the blob metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMetadataV1 {
    /// The erasure code.
    pub encoding_type: EncodingType,
    /// The blob's length in bytes before encoding.
    pub unencoded_length: u64,
    /// One entry per sliver pair (= per shard), in pair order.
    pub hashes: Vec<SliverPairMetadata>,
}

/// Blob metadata. BCS: enum `{0: V1(BlobMetadataV1)}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlobMetadata {
    /// The only version.
    V1(BlobMetadataV1),
}

impl BlobMetadata {
    fn v1(&self) -> &BlobMetadataV1 {
        match self {
            BlobMetadata::V1(v1) => v1,
        }
    }

    /// The erasure code.
    pub fn encoding_type(&self) -> EncodingType {
        self.v1().encoding_type
    }

    /// The blob's length in bytes before encoding.
    pub fn unencoded_length(&self) -> u64 {
        self.v1().unencoded_length
    }

    /// The per-pair sliver hashes, in pair order.
    pub fn hashes(&self) -> &[SliverPairMetadata] {
        &self.v1().hashes
    }

    /// The number of shards the blob was encoded for.
    pub fn n_shards(&self) -> usize {
        self.hashes().len()
    }

    /// The Merkle root over the pairs' hashes.
    pub fn root_hash(&self) -> Node {
        let mut leaves: Vec<[u8; 32]> =
            self.hashes().iter().map(SliverPairMetadata::leaf).collect();
        if leaves.is_empty() {
            return Node::Empty;
        }
        Node::Digest(Hasher::default().merkle_root(&mut leaves))
    }

    /// The blob ID this metadata commits to.
    pub fn compute_blob_id(&self) -> BlobId {
        BlobId::from_parts(
            self.encoding_type(),
            self.unencoded_length(),
            &self.root_hash(),
        )
    }
}

/// Metadata together with the blob ID it claims to describe.
///
/// BCS: `blob_id[32] | 0x00 (V1) | 0x01 (RS2) | u64 length | ULEB n | n × (0x01 | 32 B | 0x01 | 32 B)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMetadataWithId {
    blob_id: BlobId,
    metadata: BlobMetadata,
}

impl BlobMetadataWithId {
    /// Pairs metadata with the ID computed from it; such a value is always consistent.
    pub fn new_verified(metadata: BlobMetadata) -> Self {
        Self {
            blob_id: metadata.compute_blob_id(),
            metadata,
        }
    }

    /// Pairs metadata with a claimed ID, without checking it; call [`BlobMetadataWithId::verify`].
    pub fn new_unverified(blob_id: BlobId, metadata: BlobMetadata) -> Self {
        Self { blob_id, metadata }
    }

    /// The blob ID.
    pub fn blob_id(&self) -> &BlobId {
        &self.blob_id
    }

    /// The metadata.
    pub fn metadata(&self) -> &BlobMetadata {
        &self.metadata
    }

    /// Splits into ID and metadata.
    pub fn into_parts(self) -> (BlobId, BlobMetadata) {
        (self.blob_id, self.metadata)
    }

    /// Checks the metadata as a node does before accepting it: one hash pair per shard, a length
    /// within the maximum, and a blob ID that matches.
    ///
    /// # Errors
    /// The first [`MetadataError`] found.
    pub fn verify(&self, config: &EncodingConfig) -> Result<(), MetadataError> {
        if self.metadata.n_shards() != usize::from(config.n_shards()) {
            return Err(MetadataError::WrongNumberOfHashes {
                expected: config.n_shards(),
                actual: self.metadata.n_shards(),
            });
        }
        let (length, max) = (self.metadata.unencoded_length(), config.max_blob_size());
        if length > max {
            return Err(MetadataError::TooLarge { length, max });
        }
        let computed = self.metadata.compute_blob_id();
        if computed != self.blob_id {
            return Err(MetadataError::BlobIdMismatch {
                expected: self.blob_id,
                computed,
            });
        }
        Ok(())
    }

    /// The BCS bytes.
    pub fn to_bcs(&self) -> Vec<u8> {
        bcs::to_bytes(self).expect("metadata always serializes")
    }

    /// Parses BCS bytes (no semantic checks; see [`BlobMetadataWithId::verify`]).
    ///
    /// # Errors
    /// [`bcs::Error`] on malformed or trailing bytes.
    pub fn from_bcs(bytes: &[u8]) -> Result<Self, bcs::Error> {
        bcs::from_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_type_forms() {
        assert_eq!(bcs::to_bytes(&EncodingType::Rs2).expect("bcs"), vec![1]);
        assert!(bcs::from_bytes::<EncodingType>(&[0]).is_err());
        assert!(bcs::from_bytes::<EncodingType>(&[2]).is_err());
        assert_eq!(
            serde_json::to_string(&EncodingType::Rs2).expect("json"),
            "\"RS2\""
        );
        for name in ["rs2", "RS2", "Reed-Solomon", "redstuff/reed-solomon"] {
            assert_eq!(name.parse::<EncodingType>(), Ok(EncodingType::Rs2));
        }
        assert!("raptorq".parse::<EncodingType>().is_err());
    }

    #[test]
    fn truncated_metadata_is_an_error_not_a_panic() {
        let metadata = BlobMetadataWithId::new_verified(BlobMetadata::V1(BlobMetadataV1 {
            encoding_type: EncodingType::Rs2,
            unencoded_length: 3,
            hashes: vec![
                SliverPairMetadata {
                    primary_hash: Node::Digest([1; 32]),
                    secondary_hash: Node::Digest([2; 32])
                };
                4
            ],
        }));
        let bytes = metadata.to_bcs();
        assert_eq!(
            BlobMetadataWithId::from_bcs(&bytes).expect("round trip"),
            metadata
        );
        for cut in 0..bytes.len() {
            assert!(BlobMetadataWithId::from_bcs(&bytes[..cut]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(BlobMetadataWithId::from_bcs(&longer).is_err());
    }
}
