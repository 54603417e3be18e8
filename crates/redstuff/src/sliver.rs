//! Slivers: the rows (primary) and columns (secondary) of the expanded matrix that nodes store.

use std::{fmt, marker::PhantomData};

use serde::{Deserialize, Serialize};

use crate::{
    EncodingConfig,
    error::SliverVerificationError,
    hash::Hasher,
    merkle::Node,
    metadata::{BlobMetadata, SliverPairMetadata},
    rs,
};

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Primary {}
    impl Sealed for super::Secondary {}
}

/// One of the two axes of the expanded matrix: [`Primary`] (rows) or [`Secondary`] (columns).
///
/// Advanced API: needed only to write code generic over both sliver types.
pub trait EncodingAxis:
    sealed::Sealed + Clone + Copy + fmt::Debug + Default + PartialEq + Eq + Send + Sync + 'static
{
    /// The other axis.
    type Orthogonal: EncodingAxis<Orthogonal = Self>;
    /// The runtime form of this axis.
    const AXIS: Axis;

    /// Symbols in a sliver of this axis (`s` for primary, `p` for secondary). It is also the `k` of
    /// the code that expands such a sliver to `n` symbols, and the number of symbols needed to
    /// recover one.
    fn sliver_symbols(config: &EncodingConfig) -> u16 {
        match Self::AXIS {
            Axis::Primary => config.n_secondary_source_symbols(),
            Axis::Secondary => config.n_primary_source_symbols(),
        }
    }

    /// The pair index of the sliver with `sliver_index` on this axis (and back: the map is an
    /// involution). Primary: identity; secondary: `n − 1 − index`.
    fn pair_index(sliver_index: u16, n_shards: u16) -> u16 {
        match Self::AXIS {
            Axis::Primary => sliver_index,
            Axis::Secondary => n_shards - 1 - sliver_index,
        }
    }

    /// The hash in `pair` that commits to this axis's sliver.
    fn hash(pair: &SliverPairMetadata) -> &Node {
        match Self::AXIS {
            Axis::Primary => &pair.primary_hash,
            Axis::Secondary => &pair.secondary_hash,
        }
    }
}

/// Marker for primary slivers: rows of the expanded matrix, `s` symbols each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Primary;

/// Marker for secondary slivers: columns of the expanded matrix, `p` symbols each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Secondary;

impl EncodingAxis for Primary {
    type Orthogonal = Secondary;
    const AXIS: Axis = Axis::Primary;
}

impl EncodingAxis for Secondary {
    type Orthogonal = Primary;
    const AXIS: Axis = Axis::Secondary;
}

/// The axis of a sliver at run time. BCS: enum `{0: Primary, 1: Secondary}`; text `primary`/`secondary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// Rows.
    Primary,
    /// Columns.
    Secondary,
}

impl fmt::Display for Axis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Axis::Primary => "primary",
            Axis::Secondary => "secondary",
        })
    }
}

/// The symbol data of a sliver. BCS: `ULEB len || data || u16 symbol_size`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symbols {
    #[serde(with = "serde_bytes")]
    data: Vec<u8>,
    symbol_size: u16,
}

impl fmt::Debug for Symbols {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbols")
            .field("len", &self.data.len())
            .field("symbol_size", &self.symbol_size)
            .finish()
    }
}

impl Symbols {
    /// Wraps `data` as symbols of `symbol_size` bytes (not checked; see [`SliverData::verify`]).
    pub fn new(data: Vec<u8>, symbol_size: u16) -> Self {
        Self { data, symbol_size }
    }

    /// The bytes of all symbols.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Bytes per symbol.
    pub fn symbol_size(&self) -> u16 {
        self.symbol_size
    }
}

/// A sliver of axis `A`. BCS: `Symbols || u16 index` (the axis takes no bytes), the format nodes
/// serve and the WASM encoder fills.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct SliverData<A: EncodingAxis> {
    /// The symbols.
    pub symbols: Symbols,
    /// The sliver index on its axis (not the pair index).
    pub index: u16,
    #[serde(skip)]
    _axis: PhantomData<A>,
}

impl<A: EncodingAxis> fmt::Debug for SliverData<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SliverData")
            .field("axis", &A::AXIS)
            .field("index", &self.index)
            .field("symbols", &self.symbols)
            .finish()
    }
}

impl<A: EncodingAxis> SliverData<A> {
    /// A sliver with sliver index `index` holding `data` as symbols of `symbol_size` bytes.
    pub fn new(data: Vec<u8>, symbol_size: u16, index: u16) -> Self {
        Self {
            symbols: Symbols::new(data, symbol_size),
            index,
            _axis: PhantomData,
        }
    }

    /// The sliver's bytes.
    pub fn data(&self) -> &[u8] {
        self.symbols.data()
    }

    /// Bytes per symbol.
    pub fn symbol_size(&self) -> u16 {
        self.symbols.symbol_size()
    }

    /// The pair this sliver belongs to.
    pub fn pair_index(&self, config: &EncodingConfig) -> u16 {
        A::pair_index(self.index, config.n_shards())
    }

    /// Checks index, length and symbol size against the metadata, without hashing.
    ///
    /// # Errors
    /// The first mismatch as a [`SliverVerificationError`].
    pub fn check_shape(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
    ) -> Result<(), SliverVerificationError> {
        let n_shards = config.n_shards();
        if self.index >= n_shards {
            return Err(SliverVerificationError::IndexTooLarge {
                index: self.index,
                n_shards,
            });
        }
        let expected_size = config.symbol_size(metadata.unencoded_length())?;
        if self.symbol_size() != expected_size {
            return Err(SliverVerificationError::SymbolSizeMismatch {
                expected: expected_size,
                actual: self.symbol_size(),
            });
        }
        let expected = u64::from(A::sliver_symbols(config)) * u64::from(expected_size);
        let actual = self.data().len() as u64;
        if actual != expected {
            return Err(SliverVerificationError::SliverSizeMismatch { expected, actual });
        }
        Ok(())
    }

    /// Checks the sliver against the metadata: index, length, symbol size, and that the Merkle root
    /// of its expansion equals the hash the metadata holds for it.
    ///
    /// # Errors
    /// The first mismatch as a [`SliverVerificationError`].
    pub fn verify(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
    ) -> Result<(), SliverVerificationError> {
        if metadata.n_shards() != usize::from(config.n_shards()) {
            return Err(crate::error::MetadataError::WrongNumberOfHashes {
                expected: config.n_shards(),
                actual: metadata.n_shards(),
            }
            .into());
        }
        self.check_shape(config, metadata)?;
        let expected = A::hash(&metadata.hashes()[usize::from(self.pair_index(config))]);
        if self.merkle_root(config) != *expected {
            return Err(SliverVerificationError::MerkleRootMismatch);
        }
        Ok(())
    }

    /// Expands the sliver to the full `n`-symbol codeword on its axis.
    ///
    /// The caller must have checked the shape ([`SliverData::check_shape`]).
    pub(crate) fn expand(&self, config: &EncodingConfig) -> Vec<u8> {
        let (n, k, ss) = (
            usize::from(config.n_shards()),
            usize::from(A::sliver_symbols(config)),
            usize::from(self.symbol_size()),
        );
        let mut out = vec![0u8; n * ss];
        rs::Encoder::default()
            .expand(k, n, ss, self.data(), &mut out)
            .expect("a checked sliver has a supported shape");
        out
    }

    /// The Merkle root over the sliver's expansion: the hash a consistent metadata holds for it.
    ///
    /// # Errors
    /// [`SliverVerificationError`] if the index is out of range or the data is not exactly
    /// the axis's number of symbols of an even, non-zero symbol size.
    pub fn compute_root(&self, config: &EncodingConfig) -> Result<Node, SliverVerificationError> {
        let n_shards = config.n_shards();
        if self.index >= n_shards {
            return Err(SliverVerificationError::IndexTooLarge {
                index: self.index,
                n_shards,
            });
        }
        let ss = self.symbol_size();
        if ss == 0 || ss % 2 == 1 {
            return Err(SliverVerificationError::SymbolSizeMismatch {
                expected: ss.max(2) + ss % 2,
                actual: ss,
            });
        }
        let expected = u64::from(A::sliver_symbols(config)) * u64::from(ss);
        let actual = self.data().len() as u64;
        if actual != expected {
            return Err(SliverVerificationError::SliverSizeMismatch { expected, actual });
        }
        Ok(self.merkle_root(config))
    }

    /// The Merkle root over the sliver's expansion; the shape must have been checked.
    pub(crate) fn merkle_root(&self, config: &EncodingConfig) -> Node {
        let ss = usize::from(self.symbol_size());
        let expanded = self.expand(config);
        let mut leaves = vec![[0u8; 32]; usize::from(config.n_shards())];
        let mut hasher = Hasher::default();
        hasher.leaf_hashes(&expanded, ss, &mut leaves);
        Node::Digest(hasher.merkle_root(&mut leaves))
    }

    /// The BCS bytes.
    pub fn to_bcs(&self) -> Vec<u8> {
        bcs::to_bytes(self).expect("slivers always serialize")
    }

    /// Parses BCS bytes. Only the framing is checked; see [`SliverData::verify`].
    ///
    /// # Errors
    /// [`bcs::Error`] on malformed or trailing bytes.
    pub fn from_bcs(bytes: &[u8]) -> Result<Self, bcs::Error> {
        bcs::from_bytes(bytes)
    }
}

/// A sliver of either axis. BCS: enum `{0: Primary, 1: Secondary}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sliver {
    /// A primary sliver.
    Primary(SliverData<Primary>),
    /// A secondary sliver.
    Secondary(SliverData<Secondary>),
}

/// The two slivers a shard stores for a blob: primary `i` and secondary `n−1−i` for pair `i`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliverPair {
    /// Primary sliver with index = pair index.
    pub primary: SliverData<Primary>,
    /// Secondary sliver with index `n − 1 − pair index`.
    pub secondary: SliverData<Secondary>,
}

impl SliverPair {
    /// The pair index.
    pub fn index(&self) -> u16 {
        self.primary.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliver_bcs_layout_matches_the_spec_example() {
        let sliver = SliverData::<Primary>::new(b"walrus blob id".to_vec(), 2, 0);
        assert_eq!(
            hex::encode(sliver.to_bcs()),
            "0e77616c72757320626c6f622069640200 0000".replace(' ', "")
        );
        assert_eq!(
            SliverData::<Primary>::from_bcs(&sliver.to_bcs()).expect("parses"),
            sliver
        );
    }

    #[test]
    fn axis_text_and_bcs() {
        assert_eq!(Axis::Secondary.to_string(), "secondary");
        assert_eq!(bcs::to_bytes(&Axis::Secondary).expect("bcs"), vec![1]);
        assert_eq!(
            serde_json::to_string(&Axis::Primary).expect("json"),
            "\"primary\""
        );
    }

    #[test]
    fn pair_index_is_an_involution() {
        assert_eq!(Secondary::pair_index(9, 10), 0);
        assert_eq!(Secondary::pair_index(0, 10), 9);
        assert_eq!(Primary::pair_index(3, 10), 3);
    }
}
