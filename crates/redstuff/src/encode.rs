//! The encoder: blob → expanded n×n matrix → slivers, sliver hashes, metadata and blob ID.
//!
//! The expanded matrix is never materialised whole. Rows `0..p` are the blob (zero padded) plus
//! their `f` repair symbols; every column is then extended from its top `p` symbols. Each cell's
//! leaf hash `H(0x00 || symbol)` is the same in its row tree and its column tree, so each of the n²
//! symbols is hashed exactly once. Work is spread over rayon's threads, row by row and then column
//! block by column block; per-thread scratch (Reed–Solomon encoders, hash buffers) is reused.

use rayon::prelude::*;

use crate::{
    EncodingConfig,
    error::EncodeError,
    hash::{Digest, Hasher},
    merkle::Node,
    metadata::{
        BlobMetadata, BlobMetadataV1, BlobMetadataWithId, EncodingType, SliverPairMetadata,
    },
    rs,
    sliver::{Primary, Secondary, SliverData, SliverPair},
};

/// A blob encoded into all `n` sliver pairs, with its metadata.
///
/// The slivers live in two contiguous buffers (no allocation per symbol or sliver); the accessors
/// borrow from them or copy one sliver out.
pub struct EncodedBlob {
    config: EncodingConfig,
    symbol_size: u16,
    /// Primary slivers 0..n, each `s · symbol_size` bytes, by sliver index.
    primary: Vec<u8>,
    /// Secondary slivers 0..n, each `p · symbol_size` bytes, by sliver index.
    secondary: Vec<u8>,
    metadata: BlobMetadataWithId,
}

impl std::fmt::Debug for EncodedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedBlob")
            .field("n_shards", &self.config.n_shards())
            .field("symbol_size", &self.symbol_size)
            .field("blob_id", self.metadata.blob_id())
            .finish()
    }
}

impl EncodedBlob {
    /// The metadata, with the blob ID.
    pub fn metadata(&self) -> &BlobMetadataWithId {
        &self.metadata
    }

    /// Bytes per symbol.
    pub fn symbol_size(&self) -> u16 {
        self.symbol_size
    }

    /// The configuration the blob was encoded with.
    pub fn config(&self) -> &EncodingConfig {
        &self.config
    }

    fn primary_len(&self) -> usize {
        usize::from(self.config.n_secondary_source_symbols()) * usize::from(self.symbol_size)
    }

    fn secondary_len(&self) -> usize {
        usize::from(self.config.n_primary_source_symbols()) * usize::from(self.symbol_size)
    }

    /// The bytes of primary sliver `index`. Panics if `index ≥ n`.
    pub fn primary_bytes(&self, index: u16) -> &[u8] {
        let len = self.primary_len();
        &self.primary[usize::from(index) * len..][..len]
    }

    /// The bytes of secondary sliver `index` (a sliver index, not a pair index). Panics if `index ≥ n`.
    pub fn secondary_bytes(&self, index: u16) -> &[u8] {
        let len = self.secondary_len();
        &self.secondary[usize::from(index) * len..][..len]
    }

    /// A copy of primary sliver `index`. Panics if `index ≥ n`.
    pub fn primary_sliver(&self, index: u16) -> SliverData<Primary> {
        SliverData::new(self.primary_bytes(index).to_vec(), self.symbol_size, index)
    }

    /// A copy of secondary sliver `index` (a sliver index). Panics if `index ≥ n`.
    pub fn secondary_sliver(&self, index: u16) -> SliverData<Secondary> {
        SliverData::new(
            self.secondary_bytes(index).to_vec(),
            self.symbol_size,
            index,
        )
    }

    /// A copy of sliver pair `pair_index`: primary `i` and secondary `n−1−i`. Panics if `i ≥ n`.
    pub fn sliver_pair(&self, pair_index: u16) -> SliverPair {
        SliverPair {
            primary: self.primary_sliver(pair_index),
            secondary: self.secondary_sliver(self.config.n_shards() - 1 - pair_index),
        }
    }

    /// All `n` sliver pairs, in pair order.
    pub fn sliver_pairs(&self) -> impl Iterator<Item = SliverPair> + '_ {
        (0..self.config.n_shards()).map(|i| self.sliver_pair(i))
    }
}

/// Sliver bytes produced by an expansion when the caller keeps them.
struct Slivers {
    primary: Vec<u8>,
    secondary: Vec<u8>,
}

/// Per-thread reusable state.
#[derive(Default)]
struct Scratch {
    encoder: rs::Encoder,
    hasher: Hasher,
    leaves: Vec<Digest>,
}

const RS_SHAPE: &str = "shapes come from a validated configuration";

/// How many bytes of column repair symbols one column block may hold.
const COLUMN_BLOCK_BYTES: usize = 16 << 20;

impl EncodingConfig {
    /// Encodes `blob` into `n` sliver pairs and its metadata.
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn encode(&self, blob: &[u8]) -> Result<EncodedBlob, EncodeError> {
        let (metadata, symbol_size, slivers) = self.expand(blob, true)?;
        let Slivers { primary, secondary } = slivers.expect("slivers are kept when asked for");
        Ok(EncodedBlob {
            config: *self,
            symbol_size,
            primary,
            secondary,
            metadata,
        })
    }

    /// Computes the metadata and blob ID of `blob` without keeping the slivers.
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn compute_metadata(&self, blob: &[u8]) -> Result<BlobMetadataWithId, EncodeError> {
        self.expand(blob, false).map(|(metadata, _, _)| metadata)
    }

    fn expand(
        &self,
        blob: &[u8],
        keep: bool,
    ) -> Result<(BlobMetadataWithId, u16, Option<Slivers>), EncodeError> {
        let symbol_size = self.symbol_size(blob.len() as u64)?;
        let ss = usize::from(symbol_size);
        let n = usize::from(self.n_shards());
        let p = usize::from(self.n_primary_source_symbols());
        let s = usize::from(self.n_secondary_source_symbols());
        let (row_repairs, col_repairs) = (n - s, n - p);
        let row_bytes = s * ss;

        // Primary slivers by index; rows 0..p are the zero-padded blob.
        let mut primary = vec![0u8; if keep { n } else { p } * row_bytes];
        primary[..blob.len()].copy_from_slice(blob);
        // Repair symbols (columns s..n) of rows 0..p.
        let mut row_repair = vec![0u8; p * row_repairs * ss];
        // Leaf hashes of rows 0..p (row-major) and of rows p..n (column-major).
        let mut top_leaves = vec![[0u8; 32]; p * n];
        let mut bottom_leaves = vec![[0u8; 32]; n * col_repairs];
        let mut row_roots = vec![[0u8; 32]; n];
        let mut col_roots = vec![[0u8; 32]; n];

        // Rows 0..p: extend each to n symbols, hash them and build its tree.
        primary[..p * row_bytes]
            .par_chunks(row_bytes)
            .zip(row_repair.par_chunks_mut(row_repairs * ss))
            .zip(top_leaves.par_chunks_mut(n))
            .zip(row_roots[..p].par_iter_mut())
            .for_each_init(
                Scratch::default,
                |scratch, (((row, repair), leaves), root)| {
                    scratch
                        .encoder
                        .encode(s, n, ss, row.chunks_exact(ss), |i, symbol| {
                            repair[i * ss..(i + 1) * ss].copy_from_slice(symbol)
                        })
                        .expect(RS_SHAPE);
                    scratch.hasher.leaf_hashes(row, ss, &mut leaves[..s]);
                    scratch.hasher.leaf_hashes(repair, ss, &mut leaves[s..]);
                    scratch.leaves.clear();
                    scratch.leaves.extend_from_slice(leaves);
                    *root = scratch.hasher.merkle_root(&mut scratch.leaves);
                },
            );

        // Columns, in blocks: gather the top p symbols (these are the secondary slivers), extend
        // to n, hash the new symbols and build the column tree. The new symbols of columns 0..s
        // are the bottom rows of the primary slivers; they are scattered into place per block.
        let mut secondary = if keep {
            vec![0u8; n * p * ss]
        } else {
            Vec::new()
        };
        let block = (COLUMN_BLOCK_BYTES / (col_repairs * ss).max(1))
            .clamp(2 * rayon::current_num_threads(), 64)
            .min(n);
        let mut repair_block = vec![0u8; block * col_repairs * ss];
        let mut gather_block = if keep {
            Vec::new()
        } else {
            vec![0u8; block * p * ss]
        };
        for start in (0..n).step_by(block) {
            let end = (start + block).min(n);
            let width = end - start;
            let gathered = if keep {
                &mut secondary[start * p * ss..end * p * ss]
            } else {
                &mut gather_block[..width * p * ss]
            };
            let (primary_ref, row_repair_ref, top_ref) = (&primary, &row_repair, &top_leaves);
            gathered
                .par_chunks_mut(p * ss)
                .zip(repair_block[..width * col_repairs * ss].par_chunks_mut(col_repairs * ss))
                .zip(
                    bottom_leaves[start * col_repairs..end * col_repairs]
                        .par_chunks_mut(col_repairs),
                )
                .zip(col_roots[start..end].par_iter_mut())
                .enumerate()
                .for_each_init(
                    Scratch::default,
                    |scratch, (offset, (((column, repair), leaves), root))| {
                        let j = start + offset;
                        for (r, cell) in column.chunks_exact_mut(ss).enumerate() {
                            cell.copy_from_slice(if j < s {
                                &primary_ref[r * row_bytes + j * ss..][..ss]
                            } else {
                                &row_repair_ref[(r * row_repairs + j - s) * ss..][..ss]
                            });
                        }
                        scratch
                            .encoder
                            .encode(p, n, ss, column.chunks_exact(ss), |i, symbol| {
                                repair[i * ss..(i + 1) * ss].copy_from_slice(symbol)
                            })
                            .expect(RS_SHAPE);
                        scratch.hasher.leaf_hashes(repair, ss, leaves);
                        scratch.leaves.clear();
                        scratch.leaves.extend((0..p).map(|r| top_ref[r * n + j]));
                        scratch.leaves.extend_from_slice(leaves);
                        *root = scratch.hasher.merkle_root(&mut scratch.leaves);
                    },
                );
            if keep && start < s {
                let cols = start..end.min(s);
                let repair_block = &repair_block;
                primary[p * row_bytes..]
                    .par_chunks_mut(row_bytes)
                    .enumerate()
                    .for_each(|(t, row)| {
                        for c in cols.clone() {
                            let from = ((c - start) * col_repairs + t) * ss;
                            row[c * ss..(c + 1) * ss]
                                .copy_from_slice(&repair_block[from..from + ss]);
                        }
                    });
            }
        }

        // Rows p..n: their leaves are spread over the columns' blocks of bottom leaves.
        row_roots[p..].par_iter_mut().enumerate().for_each_init(
            Scratch::default,
            |scratch, (t, root)| {
                scratch.leaves.clear();
                scratch
                    .leaves
                    .extend((0..n).map(|j| bottom_leaves[j * col_repairs + t]));
                *root = scratch.hasher.merkle_root(&mut scratch.leaves);
            },
        );

        let hashes = (0..n)
            .map(|i| SliverPairMetadata {
                primary_hash: Node::Digest(row_roots[i]),
                secondary_hash: Node::Digest(col_roots[n - 1 - i]),
            })
            .collect();
        let metadata = BlobMetadataWithId::new_verified(BlobMetadata::V1(BlobMetadataV1 {
            encoding_type: EncodingType::Rs2,
            unencoded_length: blob.len() as u64,
            hashes,
        }));
        let slivers = keep.then_some(Slivers { primary, secondary });
        Ok((metadata, symbol_size, slivers))
    }
}
