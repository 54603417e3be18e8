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
        check_shape::<A>(
            config,
            metadata,
            self.index,
            self.symbol_size(),
            self.data(),
        )
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
        verify::<A>(
            config,
            metadata,
            self.index,
            self.symbol_size(),
            self.data(),
        )
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
        merkle_root::<A>(config, usize::from(self.symbol_size()), self.data())
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

/// [`SliverData::check_shape`] on a sliver's parts.
fn check_shape<A: EncodingAxis>(
    config: &EncodingConfig,
    metadata: &BlobMetadata,
    index: u16,
    symbol_size: u16,
    data: &[u8],
) -> Result<(), SliverVerificationError> {
    let n_shards = config.n_shards();
    if index >= n_shards {
        return Err(SliverVerificationError::IndexTooLarge { index, n_shards });
    }
    let expected_size = config.symbol_size(metadata.unencoded_length())?;
    if symbol_size != expected_size {
        return Err(SliverVerificationError::SymbolSizeMismatch {
            expected: expected_size,
            actual: symbol_size,
        });
    }
    let expected = u64::from(A::sliver_symbols(config)) * u64::from(expected_size);
    let actual = data.len() as u64;
    if actual != expected {
        return Err(SliverVerificationError::SliverSizeMismatch { expected, actual });
    }
    Ok(())
}

/// [`SliverData::verify`] on a sliver's parts.
pub(crate) fn verify<A: EncodingAxis>(
    config: &EncodingConfig,
    metadata: &BlobMetadata,
    index: u16,
    symbol_size: u16,
    data: &[u8],
) -> Result<(), SliverVerificationError> {
    if metadata.n_shards() != usize::from(config.n_shards()) {
        return Err(crate::error::MetadataError::WrongNumberOfHashes {
            expected: config.n_shards(),
            actual: metadata.n_shards(),
        }
        .into());
    }
    check_shape::<A>(config, metadata, index, symbol_size, data)?;
    let pair = A::pair_index(index, config.n_shards());
    let expected = A::hash(&metadata.hashes()[usize::from(pair)]);
    if merkle_root::<A>(config, usize::from(symbol_size), data) != *expected {
        return Err(SliverVerificationError::MerkleRootMismatch);
    }
    Ok(())
}

/// The Merkle root over the expansion of the sliver `data` (of `symbol_size`-byte symbols) on
/// axis `A`; the shape must have been checked.
///
/// The expansion is never materialised: the systematic symbols are hashed from the sliver
/// itself and the repair symbols straight out of the Reed–Solomon encoder. The encoder's and the
/// hasher's scratch memory (a few MB for a large blob's sliver) is kept per thread, so verifying
/// many slivers in a row reuses warm memory instead of faulting in fresh pages each time.
fn merkle_root<A: EncodingAxis>(config: &EncodingConfig, ss: usize, data: &[u8]) -> Node {
    thread_local! {
        static SCRATCH: std::cell::RefCell<RootScratch> = std::cell::RefCell::default();
    }
    let (n, k) = (
        usize::from(config.n_shards()),
        usize::from(A::sliver_symbols(config)),
    );
    let root = |scratch: &mut RootScratch| {
        let RootScratch {
            encoder,
            hasher,
            leaves,
        } = scratch;
        leaves.clear();
        leaves.resize(n, [0u8; 32]);
        let (systematic, repair) = leaves.split_at_mut(k);
        hasher.leaf_hashes(data, ss, systematic);
        encoder
            .encode_with(k, n, ss, data.chunks_exact(ss), |repairs| {
                hasher.leaf_hashes_iter(repairs, ss, repair);
            })
            .expect("a checked sliver has a supported shape");
        Node::Digest(hasher.merkle_root(leaves))
    };
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => root(&mut scratch),
        Err(_) => root(&mut RootScratch::default()),
    })
}

/// Reusable memory for [`SliverData::merkle_root`].
#[derive(Default)]
struct RootScratch {
    encoder: rs::Encoder,
    hasher: Hasher,
    leaves: Vec<crate::hash::Digest>,
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

    /// The root computed without materialising the expansion (and with reused scratch) is the
    /// root of the expansion, for both axes, several shapes and repeated calls.
    #[test]
    fn streamed_root_equals_root_of_the_expansion() {
        for (n, len) in [(10u16, 1000usize), (10, 1), (13, 5000), (10, 20_000)] {
            let config = EncodingConfig::new(n).expect("config");
            let blob: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let encoded = config.encode(&blob).expect("encode");
            for _ in 0..2 {
                for i in 0..n {
                    let primary = encoded.primary_sliver(i);
                    let secondary = encoded.secondary_sliver(i);
                    assert_eq!(
                        primary.merkle_root(&config),
                        root_of_expansion(&primary, &config)
                    );
                    assert_eq!(
                        secondary.merkle_root(&config),
                        root_of_expansion(&secondary, &config)
                    );
                }
            }
        }
    }

    fn root_of_expansion<A: EncodingAxis>(sliver: &SliverData<A>, config: &EncodingConfig) -> Node {
        let expanded = sliver.expand(config);
        let leaves: Vec<_> = expanded
            .chunks_exact(usize::from(sliver.symbol_size()))
            .map(crate::hash::leaf_hash)
            .collect();
        Node::Digest(Hasher::default().merkle_root(&leaves))
    }

    /// A sliver parsed in place verifies exactly as its owned form: valid slivers pass, a
    /// flipped byte, a wrong index or trailing bytes are refused.
    #[test]
    fn borrowed_sliver_verifies_like_the_owned_one() {
        let config = EncodingConfig::new(10).expect("config");
        let blob: Vec<u8> = (0..3000).map(|i| (i * 13) as u8).collect();
        let encoded = config.encode(&blob).expect("encode");
        let metadata = encoded.metadata().metadata();
        for i in 0..10 {
            let bcs = encoded.primary_sliver(i).to_bcs();
            let sliver = crate::SliverRef::from_bcs(Axis::Primary, &bcs).expect("parses");
            assert_eq!((sliver.index, sliver.data), (i, encoded.primary_bytes(i)));
            sliver.verify(&config, metadata).expect("valid primary");
            let bcs = encoded.secondary_sliver(i).to_bcs();
            let sliver = crate::SliverRef::from_bcs(Axis::Secondary, &bcs).expect("parses");
            sliver.verify(&config, metadata).expect("valid secondary");
            // The same bytes on the wrong axis do not verify.
            let wrong = crate::SliverRef::from_bcs(Axis::Primary, &bcs).expect("parses");
            assert!(wrong.verify(&config, metadata).is_err());
        }
        let mut bcs = encoded.primary_sliver(3).to_bcs();
        bcs[5] ^= 1;
        let flipped = crate::SliverRef::from_bcs(Axis::Primary, &bcs).expect("parses");
        assert!(matches!(
            flipped.verify(&config, metadata),
            Err(SliverVerificationError::MerkleRootMismatch)
        ));
        assert!(matches!(
            SliverData::<Primary>::from_bcs(&bcs)
                .expect("parses")
                .verify(&config, metadata),
            Err(SliverVerificationError::MerkleRootMismatch)
        ));
        let mut trailing = encoded.primary_sliver(3).to_bcs();
        trailing.push(0);
        assert!(crate::SliverRef::from_bcs(Axis::Primary, &trailing).is_err());
        assert!(crate::SliverRef::from_bcs(Axis::Primary, &trailing[..4]).is_err());
    }

    #[test]
    fn pair_index_is_an_involution() {
        assert_eq!(Secondary::pair_index(9, 10), 0);
        assert_eq!(Secondary::pair_index(0, 10), 9);
        assert_eq!(Primary::pair_index(3, 10), 3);
    }
}
