//! Inconsistency proofs: evidence that a blob's slivers do not match its metadata, made of the
//! recovery symbols that decode to a sliver whose Merkle root differs from the committed one.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{
    EncodingConfig,
    error::{InconsistencyProofError, RecoveryError, SliverVerificationError},
    metadata::BlobMetadata,
    sliver::{EncodingAxis, Primary, Secondary},
    symbols::RecoverySymbol,
};

/// Proof that target sliver `target_sliver_index` of axis `T` cannot be consistent with the
/// metadata. BCS: `u16 target || Vec<RecoverySymbol<T>>` (over HTTP the axis is in the path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct InconsistencyProof<T: EncodingAxis> {
    /// The sliver the symbols decode to.
    pub target_sliver_index: u16,
    /// Exactly the number of symbols needed to recover the target.
    pub recovery_symbols: Vec<RecoverySymbol<T>>,
}

/// An inconsistency proof of either axis. BCS: enum `{0: Primary, 1: Secondary}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EitherInconsistencyProof {
    /// About a primary sliver.
    Primary(InconsistencyProof<Primary>),
    /// About a secondary sliver.
    Secondary(InconsistencyProof<Secondary>),
}

impl<T: EncodingAxis> InconsistencyProof<T> {
    /// A proof from its parts (checked by [`InconsistencyProof::verify`]).
    pub fn new(target_sliver_index: u16, recovery_symbols: Vec<RecoverySymbol<T>>) -> Self {
        Self {
            target_sliver_index,
            recovery_symbols,
        }
    }

    /// Checks the proof: exactly the needed number of distinct symbols, each verifying for the
    /// target, that decode to a sliver whose Merkle root differs from the metadata's.
    ///
    /// # Errors
    /// [`InconsistencyProofError::SliverNotInconsistent`] if the decoded sliver is consistent, or
    /// the first malformed part of the proof.
    pub fn verify(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
    ) -> Result<(), InconsistencyProofError> {
        let n_shards = config.n_shards();
        let target = self.target_sliver_index;
        if target >= n_shards {
            return Err(InconsistencyProofError::TargetIndexTooLarge {
                index: target,
                n_shards,
            });
        }
        let expected = T::sliver_symbols(config);
        if self.recovery_symbols.len() != usize::from(expected) {
            return Err(InconsistencyProofError::WrongNumberOfSymbols {
                expected,
                actual: self.recovery_symbols.len(),
            });
        }
        let mut seen = BTreeSet::new();
        for symbol in &self.recovery_symbols {
            let index = symbol.symbol.index;
            if !seen.insert(index) {
                return Err(InconsistencyProofError::DuplicateSymbol { index });
            }
            symbol
                .verify(config, metadata, target)
                .map_err(|source| InconsistencyProofError::InvalidSymbol { index, source })?;
        }
        let sliver = config
            .decode_symbols(metadata, target, &self.recovery_symbols)
            .map_err(|error| match error {
                RecoveryError::Encode(e) => InconsistencyProofError::Encode(e),
                _ => InconsistencyProofError::WrongNumberOfSymbols {
                    expected,
                    actual: self.recovery_symbols.len(),
                },
            })?;
        match sliver.verify(config, metadata) {
            Err(SliverVerificationError::MerkleRootMismatch) => Ok(()),
            _ => Err(InconsistencyProofError::SliverNotInconsistent),
        }
    }
}
