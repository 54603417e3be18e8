//! The decoder: any `p` primary or any `s` secondary slivers → the blob, with a consistency check.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::{
    EncodingConfig,
    encode::{BATCH_BELOW_SYMBOL_SIZE, BATCH_WIDTH, expansion_roots},
    error::{DecodeError, SliverVerificationError},
    merkle::Node,
    metadata::BlobMetadataWithId,
    rs,
    sliver::{Axis, EncodingAxis, SliverData},
};

/// What to check after decoding that the blob is the one the metadata commits to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConsistencyCheck {
    /// Rebuild every systematic primary sliver that was not received and compare its Merkle root
    /// with the metadata. Cheap, and together with verified input slivers it catches an
    /// inconsistently encoded blob.
    #[default]
    Default,
    /// Re-encode the whole blob and require the same blob ID.
    Strict,
    /// No check beyond the verification of each received sliver.
    Skip,
}

const RS_SHAPE: &str = "shapes come from verified slivers and a validated configuration";

impl EncodingConfig {
    /// Decodes a blob from slivers of one axis: any `p` primary or any `s` secondary slivers.
    ///
    /// Every sliver used is verified against the metadata (index, size, symbol size, Merkle root);
    /// duplicates are ignored, and the lowest indices are used first (systematic slivers need no
    /// Reed–Solomon work).
    ///
    /// # Errors
    /// [`DecodeError::Metadata`] for bad metadata, [`DecodeError::InvalidSliver`] for a sliver that
    /// fails verification, [`DecodeError::NotEnoughSlivers`] when too few remain, and
    /// [`DecodeError::InconsistentBlob`] / [`DecodeError::BlobIdMismatch`] when the check fails.
    pub fn decode<A: EncodingAxis>(
        &self,
        metadata: &BlobMetadataWithId,
        slivers: impl IntoIterator<Item = SliverData<A>>,
        check: ConsistencyCheck,
    ) -> Result<Vec<u8>, DecodeError> {
        self.decode_inner(metadata, slivers, check, true)
    }

    /// As [`EncodingConfig::decode`], for slivers the caller has already verified with
    /// [`SliverData::verify`]; only their shape is checked again.
    ///
    /// # Errors
    /// As [`EncodingConfig::decode`].
    pub fn decode_verified<A: EncodingAxis>(
        &self,
        metadata: &BlobMetadataWithId,
        slivers: impl IntoIterator<Item = SliverData<A>>,
        check: ConsistencyCheck,
    ) -> Result<Vec<u8>, DecodeError> {
        self.decode_inner(metadata, slivers, check, false)
    }

    fn decode_inner<A: EncodingAxis>(
        &self,
        metadata: &BlobMetadataWithId,
        slivers: impl IntoIterator<Item = SliverData<A>>,
        check: ConsistencyCheck,
        verify_roots: bool,
    ) -> Result<Vec<u8>, DecodeError> {
        metadata.verify(self)?;
        let blob_metadata = metadata.metadata();
        let length = blob_metadata.unencoded_length();
        let ss = usize::from(self.symbol_size(length)?);
        let n = usize::from(self.n_shards());
        let needed = A::Orthogonal::sliver_symbols(self);
        let lines = usize::from(A::sliver_symbols(self));

        let mut by_index = BTreeMap::new();
        for sliver in slivers {
            sliver.check_shape(self, blob_metadata).map_err(|source| {
                DecodeError::InvalidSliver {
                    index: sliver.index,
                    source,
                }
            })?;
            by_index.entry(sliver.index).or_insert(sliver);
        }
        if by_index.len() < usize::from(needed) {
            return Err(DecodeError::NotEnoughSlivers {
                needed,
                got: by_index.len() as u16,
            });
        }
        let chosen: Vec<SliverData<A>> = by_index.into_values().take(usize::from(needed)).collect();
        if verify_roots {
            let roots = expansion_roots(
                usize::from(A::sliver_symbols(self)),
                n,
                ss,
                chosen.len(),
                |c| chosen[c].data(),
            );
            for (sliver, root) in chosen.iter().zip(roots) {
                let pair = &blob_metadata.hashes()[usize::from(sliver.pair_index(self))];
                if Node::Digest(root) != *A::hash(pair) {
                    return Err(DecodeError::InvalidSliver {
                        index: sliver.index,
                        source: SliverVerificationError::MerkleRootMismatch,
                    });
                }
            }
        }

        // Decode each line of the orthogonal code: for primary slivers the columns (k = p), for
        // secondary slivers the rows (k = s). Line l holds symbol l of every chosen sliver; all
        // lines have the same erasures, so small symbols are decoded 32 lines per call.
        let k = usize::from(needed);
        let indices: Vec<usize> = chosen
            .iter()
            .map(|sliver| usize::from(sliver.index))
            .collect();
        let systematic = indices.iter().enumerate().all(|(i, index)| *index == i);
        let batch = if ss < BATCH_BELOW_SYMBOL_SIZE {
            BATCH_WIDTH
        } else {
            1
        };
        let mut decoded = vec![0u8; lines * k * ss];
        decoded
            .par_chunks_mut(batch * k * ss)
            .enumerate()
            .for_each_init(rs::BatchDecoder::default, |decoder, (b, out)| {
                let first = b * batch;
                let width = out.len() / (k * ss);
                if systematic {
                    for (c, line) in out.chunks_exact_mut(k * ss).enumerate() {
                        for (symbol, sliver) in line.chunks_exact_mut(ss).zip(&chosen) {
                            symbol.copy_from_slice(&sliver.data()[(first + c) * ss..][..ss]);
                        }
                    }
                    return;
                }
                let symbol = |c: usize, q: usize| &chosen[q].data()[(first + c) * ss..][..ss];
                let on_original = |c: usize, i: usize, bytes: &[u8]| {
                    out[(c * k + i) * ss..][..ss].copy_from_slice(bytes)
                };
                decoder
                    .decode(k, n, ss, width, &indices, symbol, on_original)
                    .expect(RS_SHAPE);
            });
        let p = usize::from(self.n_primary_source_symbols());
        let s = usize::from(self.n_secondary_source_symbols());
        let mut blob = match A::AXIS {
            // Rows came out directly.
            Axis::Secondary => decoded,
            // Columns came out: transpose to row-major.
            Axis::Primary => {
                let mut rows = vec![0u8; p * s * ss];
                rows.par_chunks_mut(s * ss)
                    .enumerate()
                    .for_each(|(r, row)| {
                        for (c, cell) in row.chunks_exact_mut(ss).enumerate() {
                            cell.copy_from_slice(&decoded[(c * p + r) * ss..][..ss]);
                        }
                    });
                rows
            }
        };

        match check {
            ConsistencyCheck::Skip => {}
            ConsistencyCheck::Default => {
                let received: Vec<u16> = match A::AXIS {
                    Axis::Primary => chosen.iter().map(|sliver| sliver.index).collect(),
                    Axis::Secondary => Vec::new(),
                };
                self.check_systematic_rows(&blob, ss, &received, metadata)?;
            }
            ConsistencyCheck::Strict => {
                let computed = *self.compute_metadata(&blob[..length as usize])?.blob_id();
                if computed != *metadata.blob_id() {
                    return Err(DecodeError::BlobIdMismatch {
                        expected: *metadata.blob_id(),
                        computed,
                    });
                }
            }
        }
        blob.truncate(length as usize);
        Ok(blob)
    }

    /// Rebuilds each systematic primary sliver (rows `0..p`) not in `received` from the decoded
    /// matrix and compares its root with the metadata.
    fn check_systematic_rows(
        &self,
        matrix: &[u8],
        ss: usize,
        received: &[u16],
        metadata: &BlobMetadataWithId,
    ) -> Result<(), DecodeError> {
        let n = usize::from(self.n_shards());
        let s = usize::from(self.n_secondary_source_symbols());
        let hashes = metadata.metadata().hashes();
        let rows: Vec<u16> = (0..self.n_primary_source_symbols())
            .filter(|r| !received.contains(r))
            .collect();
        let roots = expansion_roots(s, n, ss, rows.len(), |c| {
            &matrix[usize::from(rows[c]) * s * ss..][..s * ss]
        });
        match rows
            .iter()
            .zip(roots)
            .find(|(r, root)| Node::Digest(*root) != hashes[usize::from(**r)].primary_hash)
        {
            Some((&sliver_index, _)) => Err(DecodeError::InconsistentBlob { sliver_index }),
            None => Ok(()),
        }
    }
}
