//! Recovery symbols: what the holder of one sliver sends so that another node can rebuild a lost
//! sliver on the orthogonal axis, each symbol authenticated by a Merkle proof against the metadata.

use std::{collections::BTreeMap, marker::PhantomData};

use serde::{Deserialize, Serialize};

use crate::{
    EncodingConfig,
    error::{RecoveryError, SliverVerificationError, SymbolVerificationError},
    inconsistency::InconsistencyProof,
    merkle::{MerkleProof, MerkleTree},
    metadata::BlobMetadata,
    rs,
    sliver::{EncodingAxis, Primary, Secondary, SliverData},
};

/// One symbol of a target sliver on axis `T`, as produced by the source sliver with sliver index
/// `index` on the orthogonal axis. BCS: `u16 index || ULEB len || data`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct DecodingSymbol<T: EncodingAxis> {
    /// The sliver index of the source sliver (on the orthogonal axis).
    pub index: u16,
    /// The symbol bytes.
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
    #[serde(skip)]
    _axis: PhantomData<T>,
}

impl<T: EncodingAxis> DecodingSymbol<T> {
    /// A symbol from source sliver `index`.
    pub fn new(index: u16, data: Vec<u8>) -> Self {
        Self {
            index,
            data,
            _axis: PhantomData,
        }
    }
}

/// A decoding symbol with its Merkle proof in the source sliver's tree.
/// BCS: `DecodingSymbol || Vec<Node>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RecoverySymbol<T: EncodingAxis> {
    /// The symbol.
    pub symbol: DecodingSymbol<T>,
    /// The path from the symbol's leaf to the source sliver's root.
    pub proof: MerkleProof,
}

/// A symbol for recovering a primary sliver (produced from a secondary sliver).
pub type PrimaryRecoverySymbol = RecoverySymbol<Primary>;
/// A symbol for recovering a secondary sliver (produced from a primary sliver).
pub type SecondaryRecoverySymbol = RecoverySymbol<Secondary>;

impl<T: EncodingAxis> RecoverySymbol<T> {
    /// Checks that this symbol is symbol `target_index` of the source sliver the metadata commits
    /// to: indices in range, the symbol size, and the Merkle proof (leaf `target_index` of `n`).
    ///
    /// # Errors
    /// The first failed check as a [`SymbolVerificationError`].
    pub fn verify(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
        target_index: u16,
    ) -> Result<(), SymbolVerificationError> {
        let n_shards = config.n_shards();
        for index in [self.symbol.index, target_index] {
            if index >= n_shards {
                return Err(SymbolVerificationError::IndexTooLarge { index, n_shards });
            }
        }
        if metadata.n_shards() != usize::from(n_shards) {
            return Err(SymbolVerificationError::InvalidProof);
        }
        let expected = config.symbol_size(metadata.unencoded_length())?;
        if self.symbol.data.len() != usize::from(expected) {
            return Err(SymbolVerificationError::SymbolSizeMismatch {
                expected,
                actual: self.symbol.data.len(),
            });
        }
        let source_pair = T::Orthogonal::pair_index(self.symbol.index, n_shards);
        let root = T::Orthogonal::hash(&metadata.hashes()[usize::from(source_pair)]);
        if self.proof.verify(
            root,
            &self.symbol.data,
            usize::from(target_index),
            usize::from(n_shards),
        ) {
            Ok(())
        } else {
            Err(SymbolVerificationError::InvalidProof)
        }
    }
}

/// A sliver expanded to its full codeword with its Merkle tree, ready to hand out recovery
/// symbols for any number of target slivers on the orthogonal axis.
#[derive(Clone, Debug)]
pub struct SymbolSource<A: EncodingAxis> {
    index: u16,
    symbol_size: usize,
    expanded: Vec<u8>,
    tree: MerkleTree,
    _axis: PhantomData<A>,
}

impl<A: EncodingAxis> SliverData<A> {
    /// Expands this sliver once to produce recovery symbols for slivers of the orthogonal axis.
    ///
    /// # Errors
    /// [`SliverVerificationError`] if the sliver does not fit the metadata's shape.
    pub fn symbol_source(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
    ) -> Result<SymbolSource<A>, SliverVerificationError> {
        self.check_shape(config, metadata)?;
        let expanded = self.expand(config);
        let symbol_size = usize::from(self.symbol_size());
        let tree = MerkleTree::build(expanded.chunks_exact(symbol_size));
        Ok(SymbolSource {
            index: self.index,
            symbol_size,
            expanded,
            tree,
            _axis: PhantomData,
        })
    }
}

impl<A: EncodingAxis> SymbolSource<A> {
    /// The symbol this sliver contributes to target sliver `target_index` of the other axis, with
    /// its proof; `None` if the index is out of range.
    pub fn recovery_symbol(&self, target_index: u16) -> Option<RecoverySymbol<A::Orthogonal>> {
        let index = usize::from(target_index);
        let data = self
            .expanded
            .get(index * self.symbol_size..(index + 1) * self.symbol_size)?;
        Some(RecoverySymbol {
            symbol: DecodingSymbol::new(self.index, data.to_vec()),
            proof: self.tree.proof(index)?,
        })
    }

    /// The symbol for target sliver `target_index` without a proof.
    pub fn decoding_symbol(&self, target_index: u16) -> Option<DecodingSymbol<A::Orthogonal>> {
        let index = usize::from(target_index);
        let data = self
            .expanded
            .get(index * self.symbol_size..(index + 1) * self.symbol_size)?;
        Some(DecodingSymbol::new(self.index, data.to_vec()))
    }
}

/// The result of recovering a sliver from symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recovered<T: EncodingAxis> {
    /// The sliver, verified against the metadata.
    Sliver(SliverData<T>),
    /// The symbols decode to a sliver the metadata does not commit to: the blob was encoded
    /// inconsistently, and this proof shows it.
    Inconsistent(InconsistencyProof<T>),
}

impl EncodingConfig {
    /// Recovers sliver `target_index` of axis `T` from recovery symbols.
    ///
    /// Symbols that fail verification and duplicates are skipped; exactly the needed number
    /// (`s` for a primary sliver, `p` for a secondary one) of verified symbols is decoded.
    ///
    /// # Errors
    /// [`RecoveryError::NotEnoughSymbols`] if too few symbols verify.
    pub fn recover_sliver<T: EncodingAxis>(
        &self,
        metadata: &BlobMetadata,
        target_index: u16,
        symbols: impl IntoIterator<Item = RecoverySymbol<T>>,
    ) -> Result<Recovered<T>, RecoveryError> {
        let n_shards = self.n_shards();
        if target_index >= n_shards {
            return Err(RecoveryError::TargetIndexTooLarge {
                index: target_index,
                n_shards,
            });
        }
        let needed = T::sliver_symbols(self);
        let mut valid = BTreeMap::new();
        for symbol in symbols {
            if valid.len() == usize::from(needed) {
                break;
            }
            if !valid.contains_key(&symbol.symbol.index)
                && symbol.verify(self, metadata, target_index).is_ok()
            {
                valid.insert(symbol.symbol.index, symbol);
            }
        }
        if valid.len() < usize::from(needed) {
            return Err(RecoveryError::NotEnoughSymbols {
                needed,
                got: valid.len() as u16,
            });
        }
        let symbols: Vec<RecoverySymbol<T>> = valid.into_values().collect();
        let sliver = self.decode_symbols(metadata, target_index, &symbols)?;
        match sliver.verify(self, metadata) {
            Ok(()) => Ok(Recovered::Sliver(sliver)),
            Err(_) => Ok(Recovered::Inconsistent(InconsistencyProof::new(
                target_index,
                symbols,
            ))),
        }
    }

    /// Decodes the target sliver from exactly `T::sliver_symbols` distinct, verified symbols.
    pub(crate) fn decode_symbols<T: EncodingAxis>(
        &self,
        metadata: &BlobMetadata,
        target_index: u16,
        symbols: &[RecoverySymbol<T>],
    ) -> Result<SliverData<T>, RecoveryError> {
        let symbol_size = self.symbol_size(metadata.unencoded_length())?;
        let ss = usize::from(symbol_size);
        let k = usize::from(T::sliver_symbols(self));
        let mut data = vec![0u8; k * ss];
        rs::Decoder::default()
            .decode(
                k,
                usize::from(self.n_shards()),
                ss,
                symbols
                    .iter()
                    .map(|s| (usize::from(s.symbol.index), s.symbol.data.as_slice())),
                &mut data,
            )
            .map_err(|_| RecoveryError::NotEnoughSymbols {
                needed: k as u16,
                got: symbols.len() as u16,
            })?;
        Ok(SliverData::new(data, symbol_size, target_index))
    }
}
