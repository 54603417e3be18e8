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
    batch: rs::BatchEncoder,
    hasher: Hasher,
    leaves: Vec<Digest>,
    repairs: Vec<u8>,
}

const RS_SHAPE: &str = "shapes come from a validated configuration";

/// Columns per parallel task in the column phase: enough tasks to balance the threads, few enough
/// that per-task bookkeeping is negligible.
const COLUMNS_PER_TASK: usize = 8;

/// Symbols below this size are encoded many codewords per Reed–Solomon call ([`rs::BatchEncoder`]):
/// the crate works in 64-byte blocks, so one call per tiny symbol would mostly move padding.
const BATCH_BELOW_SYMBOL_SIZE: usize = 64;

/// Codewords per Reed–Solomon call for small symbols: 32 symbols of an even size fill whole
/// 64-byte blocks.
const BATCH_WIDTH: usize = 32;

/// Edge of the square tiles used to transpose leaf-hash matrices cache-friendly.
const TILE: usize = 16;

/// The rows `0..p` of the message matrix: borrowed from the blob where it fills them, zero-padded
/// copies where it does not.
struct MessageRows<'a> {
    full: &'a [u8],
    full_rows: usize,
    padded: Vec<u8>,
    row_bytes: usize,
}

impl<'a> MessageRows<'a> {
    fn new(blob: &'a [u8], rows: usize, row_bytes: usize) -> Self {
        let full_rows = (blob.len() / row_bytes).min(rows);
        let mut padded = vec![0u8; (rows - full_rows) * row_bytes];
        let tail = &blob[full_rows * row_bytes..];
        padded[..tail.len()].copy_from_slice(tail);
        Self {
            full: &blob[..full_rows * row_bytes],
            full_rows,
            padded,
            row_bytes,
        }
    }

    fn row(&self, r: usize) -> &[u8] {
        if r < self.full_rows {
            &self.full[r * self.row_bytes..][..self.row_bytes]
        } else {
            &self.padded[(r - self.full_rows) * self.row_bytes..][..self.row_bytes]
        }
    }
}

/// One task of the column phase: columns `start..end` and the output regions only they touch.
struct ColumnTask<'a> {
    start: usize,
    end: usize,
    /// Secondary slivers `start..end` (kept output), each `p` symbols.
    secondary: Option<&'a mut [u8]>,
    /// Leaf hashes of rows `p..n` of these columns, column-major.
    bottom_leaves: &'a mut [Digest],
    roots: &'a mut [Digest],
    /// For columns below `s` when slivers are kept: this task's piece of each primary row `p..n`.
    bottom_rows: Vec<&'a mut [u8]>,
}

/// Extends all columns of a task with one Reed–Solomon call (small symbols), then hashes them.
fn encode_column_batch<'a>(
    task: &mut ColumnTask<'_>,
    scratch: &mut Scratch,
    original: &impl Fn(usize, usize) -> &'a [u8],
    (n, p, ss): (usize, usize, usize),
    top_leaves: &[Digest],
) {
    let col_repairs = n - p;
    let width = task.end - task.start;
    if let Some(secondary) = task.secondary.as_deref_mut() {
        for (c, sliver) in secondary.chunks_exact_mut(p * ss).enumerate() {
            for (r, cell) in sliver.chunks_exact_mut(ss).enumerate() {
                cell.copy_from_slice(original(task.start + c, r));
            }
        }
    }
    let Scratch {
        batch,
        hasher,
        leaves: all_leaves,
        repairs,
        ..
    } = scratch;
    repairs.clear();
    repairs.resize(width * col_repairs * ss, 0);
    let start = task.start;
    let secondary = task.secondary.as_deref();
    let column_symbol = |c: usize, r: usize| match secondary {
        Some(secondary) => &secondary[(c * p + r) * ss..][..ss],
        None => original(start + c, r),
    };
    let bottom_rows = &mut task.bottom_rows;
    let on_repair = |c: usize, t: usize, symbol: &[u8]| {
        repairs[(c * col_repairs + t) * ss..][..ss].copy_from_slice(symbol);
        if let Some(row) = bottom_rows.get_mut(t) {
            row[c * ss..(c + 1) * ss].copy_from_slice(symbol);
        }
    };
    batch
        .encode(p, n, ss, width, column_symbol, on_repair)
        .expect(RS_SHAPE);
    for c in 0..width {
        let j = start + c;
        let leaves = &mut task.bottom_leaves[c * col_repairs..][..col_repairs];
        hasher.leaf_hashes(
            &repairs[c * col_repairs * ss..][..col_repairs * ss],
            ss,
            leaves,
        );
        all_leaves.clear();
        all_leaves.extend_from_slice(&top_leaves[j * p..(j + 1) * p]);
        all_leaves.extend_from_slice(leaves);
        task.roots[c] = hasher.merkle_root(all_leaves);
    }
}

/// `dst[c][r] = src[r][c]` for a `rows × cols` matrix of digests, tile by tile.
fn transpose(src: &[Digest], rows: usize, cols: usize) -> Vec<Digest> {
    let mut dst = vec![[0u8; 32]; rows * cols];
    if rows == 0 {
        return dst;
    }
    dst.par_chunks_mut(TILE * rows)
        .enumerate()
        .for_each(|(tile, out)| {
            let c0 = tile * TILE;
            let width = out.len() / rows;
            for r0 in (0..rows).step_by(TILE) {
                for r in r0..(r0 + TILE).min(rows) {
                    let src_row = &src[r * cols + c0..][..width];
                    for (c, digest) in src_row.iter().enumerate() {
                        out[c * rows + r] = *digest;
                    }
                }
            }
        });
    dst
}

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

        // Kept slivers: primary by index (rows 0..p are the zero-padded blob), secondary by index.
        let mut primary = if keep {
            vec![0u8; n * row_bytes]
        } else {
            Vec::new()
        };
        let mut secondary = if keep {
            vec![0u8; n * p * ss]
        } else {
            Vec::new()
        };
        if keep {
            primary[..blob.len()].copy_from_slice(blob);
        }
        let (top, bottom) = primary.split_at_mut(if keep { p * row_bytes } else { 0 });
        let message = if keep {
            MessageRows::new(top, p, row_bytes)
        } else {
            MessageRows::new(blob, p, row_bytes)
        };

        // Rows 0..p: extend each to n symbols, hash them, build the row tree.
        let mut row_repair = vec![0u8; p * row_repairs * ss];
        let mut top_leaves = vec![[0u8; 32]; p * n];
        let mut row_roots = vec![[0u8; 32]; n];
        let batch = if ss < BATCH_BELOW_SYMBOL_SIZE {
            BATCH_WIDTH
        } else {
            1
        };
        row_repair
            .par_chunks_mut(batch * row_repairs * ss)
            .zip(top_leaves.par_chunks_mut(batch * n))
            .zip(row_roots[..p].par_chunks_mut(batch))
            .enumerate()
            .for_each_init(
                Scratch::default,
                |scratch, (b, ((repairs, leaves), roots))| {
                    let first = b * batch;
                    let original = |c: usize, i: usize| &message.row(first + c)[i * ss..][..ss];
                    let on_repair = |c: usize, j: usize, symbol: &[u8]| {
                        repairs[(c * row_repairs + j) * ss..][..ss].copy_from_slice(symbol)
                    };
                    scratch
                        .batch
                        .encode(s, n, ss, roots.len(), original, on_repair)
                        .expect(RS_SHAPE);
                    for (c, root) in roots.iter_mut().enumerate() {
                        let leaves = &mut leaves[c * n..][..n];
                        let repair = &repairs[c * row_repairs * ss..][..row_repairs * ss];
                        scratch
                            .hasher
                            .leaf_hashes(message.row(first + c), ss, &mut leaves[..s]);
                        scratch.hasher.leaf_hashes(repair, ss, &mut leaves[s..]);
                        *root = scratch.hasher.merkle_root(leaves);
                    }
                },
            );
        // Column j needs the leaves of rows 0..p contiguous.
        let top_leaves = transpose(&top_leaves, p, n);

        // Columns: extend each from its top p symbols (the secondary sliver) to n, hash the new
        // symbols and build the column tree. Below column s the new symbols are the primary
        // slivers' rows p..n, written straight into their place.
        let mut bottom_leaves = vec![[0u8; 32]; n * col_repairs];
        let mut col_roots = vec![[0u8; 32]; n];
        let per_task = if batch > 1 {
            BATCH_WIDTH
        } else {
            COLUMNS_PER_TASK
        };
        let mut tasks = Vec::with_capacity(n.div_ceil(per_task) + 1);
        {
            let mut pieces: Vec<Vec<&mut [u8]>> = Vec::new();
            pieces.resize_with(s.div_ceil(per_task), Vec::new);
            for row in bottom.chunks_exact_mut(row_bytes) {
                for (task, piece) in row.chunks_mut(per_task * ss).enumerate() {
                    pieces[task].push(piece);
                }
            }
            let mut pieces = pieces.into_iter();
            let mut secondary_rest = Some(&mut secondary[..]).filter(|_| keep);
            let (mut leaves_rest, mut roots_rest) = (&mut bottom_leaves[..], &mut col_roots[..]);
            let boundaries = (0..s).step_by(per_task).chain((s..n).step_by(per_task));
            for start in boundaries {
                let end = (start + per_task).min(if start < s { s } else { n });
                let width = end - start;
                let secondary = secondary_rest.take().map(|rest| {
                    let (mine, others) = rest.split_at_mut(width * p * ss);
                    secondary_rest = Some(others);
                    mine
                });
                let (bottom_leaves, others) = leaves_rest.split_at_mut(width * col_repairs);
                leaves_rest = others;
                let (roots, others) = roots_rest.split_at_mut(width);
                roots_rest = others;
                let bottom_rows = if start < s {
                    pieces.next().unwrap_or_default()
                } else {
                    Vec::new()
                };
                tasks.push(ColumnTask {
                    start,
                    end,
                    secondary,
                    bottom_leaves,
                    roots,
                    bottom_rows,
                });
            }
        }
        let (message, row_repair, top_leaves) = (&message, &row_repair, &top_leaves);
        // Symbol r of column j, for rows 0..p.
        let original_symbol = |j: usize, r: usize| -> &[u8] {
            if j < s {
                &message.row(r)[j * ss..][..ss]
            } else {
                &row_repair[(r * row_repairs + j - s) * ss..][..ss]
            }
        };
        tasks
            .into_par_iter()
            .for_each_init(Scratch::default, |scratch, mut task| {
                if batch > 1 {
                    encode_column_batch(
                        &mut task,
                        scratch,
                        &original_symbol,
                        (n, p, ss),
                        top_leaves,
                    );
                    return;
                }
                for j in task.start..task.end {
                    let offset = j - task.start;
                    let original = |r: usize| original_symbol(j, r);
                    let leaves = &mut task.bottom_leaves[offset * col_repairs..][..col_repairs];
                    let Scratch {
                        encoder,
                        hasher,
                        leaves: all_leaves,
                        ..
                    } = scratch;
                    let bottom_rows = &mut task.bottom_rows;
                    let hash_repairs = |repairs: &mut dyn Iterator<Item = &[u8]>| {
                        if bottom_rows.is_empty() {
                            hasher.leaf_hashes_iter(repairs, ss, leaves);
                        } else {
                            for (row, symbol) in bottom_rows.iter_mut().zip(repairs) {
                                row[offset * ss..(offset + 1) * ss].copy_from_slice(symbol);
                            }
                            let written = bottom_rows.iter().map(|row| &row[offset * ss..][..ss]);
                            hasher.leaf_hashes_iter(written, ss, leaves);
                        }
                    };
                    match task.secondary.as_deref_mut() {
                        // Kept: gather the secondary sliver, then extend it.
                        Some(secondary) => {
                            let sliver = &mut secondary[offset * p * ss..][..p * ss];
                            for (r, cell) in sliver.chunks_exact_mut(ss).enumerate() {
                                cell.copy_from_slice(original(r));
                            }
                            encoder.encode_with(p, n, ss, sliver.chunks_exact(ss), hash_repairs)
                        }
                        // Not kept: the encoder copies the symbols in anyway.
                        None => encoder.encode_with(p, n, ss, (0..p).map(original), hash_repairs),
                    }
                    .expect(RS_SHAPE);
                    all_leaves.clear();
                    all_leaves.extend_from_slice(&top_leaves[j * p..(j + 1) * p]);
                    all_leaves.extend_from_slice(leaves);
                    task.roots[offset] = hasher.merkle_root(all_leaves);
                }
            });

        // Rows p..n: their leaves were produced column by column.
        let bottom_leaves = transpose(&bottom_leaves, n, col_repairs);
        row_roots[p..]
            .par_iter_mut()
            .zip(bottom_leaves.par_chunks(n))
            .for_each_init(Hasher::default, |hasher, (root, leaves)| {
                *root = hasher.merkle_root(leaves);
            });

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns() {
        for (rows, cols) in [(1, 1), (3, 50), (17, 33), (40, 5)] {
            let src: Vec<Digest> = (0..rows * cols).map(|i| [i as u8; 32]).collect();
            let dst = transpose(&src, rows, cols);
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(dst[c * rows + r], src[r * cols + c]);
                }
            }
        }
    }
}
