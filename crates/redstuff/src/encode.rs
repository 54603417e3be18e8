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
    sliver::{Axis, Primary, Secondary, SliverData, SliverPair},
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

/// A sliver borrowed from the encoder while [`EncodingConfig::encode_streaming`] runs.
#[derive(Clone, Copy, Debug)]
pub struct SliverRef<'a> {
    /// Primary or secondary.
    pub axis: Axis,
    /// The sliver index on its axis (the pair index for primary slivers, `n − 1 − pair` for
    /// secondary ones).
    pub index: u16,
    /// Bytes per symbol.
    pub symbol_size: u16,
    /// The sliver's bytes.
    pub data: &'a [u8],
}

impl SliverRef<'_> {
    /// The BCS of the sliver as a `SliverData` (the bytes nodes serve), without copying it into
    /// a `SliverData` first.
    pub fn to_bcs(&self) -> Vec<u8> {
        // `SliverData`'s layout: the symbols (bytes, then symbol size), then the index.
        let fields = (
            serde_bytes::Bytes::new(self.data),
            self.symbol_size,
            self.index,
        );
        bcs::to_bytes(&fields).expect("bytes and integers always serialize")
    }
}

impl<'a> SliverRef<'a> {
    /// Parses the BCS of a `SliverData` of `axis` in place: the symbols are borrowed from
    /// `bytes`, not copied. Only the framing is checked; see [`SliverRef::verify`].
    ///
    /// # Errors
    /// [`bcs::Error`] on malformed or trailing bytes.
    pub fn from_bcs(axis: Axis, bytes: &'a [u8]) -> Result<Self, bcs::Error> {
        let (data, symbol_size, index): (&'a [u8], u16, u16) = bcs::from_bytes(bytes)?;
        Ok(Self {
            axis,
            index,
            symbol_size,
            data,
        })
    }

    /// [`SliverData::verify`](crate::SliverData::verify) for the borrowed sliver.
    ///
    /// # Errors
    /// The first mismatch as a [`SliverVerificationError`](crate::SliverVerificationError).
    pub fn verify(
        &self,
        config: &EncodingConfig,
        metadata: &BlobMetadata,
    ) -> Result<(), crate::SliverVerificationError> {
        match self.axis {
            Axis::Primary => crate::sliver::verify::<crate::Primary>(
                config,
                metadata,
                self.index,
                self.symbol_size,
                self.data,
            ),
            Axis::Secondary => crate::sliver::verify::<crate::Secondary>(
                config,
                metadata,
                self.index,
                self.symbol_size,
                self.data,
            ),
        }
    }
}

/// What an expansion produces besides the metadata.
#[derive(Clone, Copy)]
enum Output<'s> {
    /// Nothing.
    MetadataOnly,
    /// Every sliver, returned in two buffers.
    Keep,
    /// Every sliver, handed out as it completes.
    Stream(&'s (dyn Fn(SliverRef<'_>) + Sync)),
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
    /// The n leaves of one tree.
    leaves: Vec<Digest>,
    /// Leaves of rows `0..p` of a task's columns, column-major.
    top: Vec<Digest>,
    /// Leaves of rows `p..n` of a task's columns, column-major.
    bottom: Vec<Digest>,
    /// Repair symbols of a task's columns, column-major (batched encoding only).
    repairs: Vec<u8>,
    /// A task's secondary slivers while they are streamed out.
    secondary: Vec<u8>,
}

const RS_SHAPE: &str = "shapes come from a validated configuration";

/// Columns per parallel task in the column phase: enough tasks to balance the threads, few enough
/// that per-task bookkeeping is negligible.
const COLUMNS_PER_TASK: usize = 8;

/// Symbols below this size are encoded many codewords per Reed–Solomon call ([`rs::BatchEncoder`]):
/// the crate works in 64-byte blocks, so one call per tiny symbol would mostly move padding.
pub(crate) const BATCH_BELOW_SYMBOL_SIZE: usize = 64;

/// Codewords per Reed–Solomon call for small symbols: 32 symbols of an even size fill whole
/// 64-byte blocks.
pub(crate) const BATCH_WIDTH: usize = 32;

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

/// The sizes of one expansion.
#[derive(Clone, Copy)]
struct Shape {
    n: usize,
    p: usize,
    ss: usize,
    /// Encode this many small codewords per Reed–Solomon call (1 = one call per codeword).
    batch: usize,
}

/// One task of the column phase: columns `start..end` and the output regions only they touch.
struct ColumnTask<'a> {
    start: usize,
    end: usize,
    /// Secondary slivers `start..end` (kept output), each `p` symbols.
    secondary: Option<&'a mut [u8]>,
    /// This task's piece of each row `p..n` of the leaf matrix.
    bottom_leaves: Vec<&'a mut [Digest]>,
    roots: &'a mut [Digest],
    /// For columns below `s` when slivers are kept: this task's piece of each primary row `p..n`.
    bottom_rows: Vec<&'a mut [u8]>,
}

/// Splits each row of a row-major matrix (`row_len` items, columns `0..split` and `split..`) into
/// the pieces of the column tasks, which start at multiples of `width` below `split` and at
/// `split` plus multiples of `width` above it. Returns one list of row pieces per task.
fn split_for_tasks<T>(
    rows: &mut [T],
    row_len: usize,
    split: usize,
    width: usize,
    unit: usize,
) -> Vec<Vec<&mut [T]>> {
    let tasks = split.div_ceil(width) + (row_len - split).div_ceil(width);
    let mut pieces: Vec<Vec<&mut [T]>> = Vec::new();
    pieces.resize_with(tasks, Vec::new);
    for row in rows.chunks_exact_mut(row_len * unit) {
        let (left, right) = row.split_at_mut(split * unit);
        let all = left
            .chunks_mut(width * unit)
            .chain(right.chunks_mut(width * unit));
        for (task, piece) in all.enumerate() {
            pieces[task].push(piece);
        }
    }
    pieces
}

impl EncodingConfig {
    /// Encodes `blob` into `n` sliver pairs and its metadata.
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn encode(&self, blob: &[u8]) -> Result<EncodedBlob, EncodeError> {
        let (metadata, symbol_size, slivers) = self.expand(blob, Output::Keep)?;
        let Slivers { primary, secondary } = slivers.expect("slivers are kept when asked for");
        Ok(EncodedBlob {
            config: *self,
            symbol_size,
            primary,
            secondary,
            metadata,
        })
    }

    /// Encodes `blob` and hands each sliver to `on_sliver` as soon as it is complete, instead of
    /// keeping them all: secondary slivers come block by block during the encoding (from the
    /// worker threads, in no particular order), primary slivers at the end. Peak memory beyond
    /// the blob itself is about 2.5× the blob (the primary slivers' repair rows and the leaf
    /// hashes), against 4.5× for [`EncodingConfig::encode`].
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn encode_streaming(
        &self,
        blob: &[u8],
        on_sliver: impl Fn(SliverRef<'_>) + Sync,
    ) -> Result<BlobMetadataWithId, EncodeError> {
        self.expand(blob, Output::Stream(&on_sliver))
            .map(|(metadata, _, _)| metadata)
    }

    /// Computes the metadata and blob ID of `blob` without keeping the slivers.
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn compute_metadata(&self, blob: &[u8]) -> Result<BlobMetadataWithId, EncodeError> {
        self.expand(blob, Output::MetadataOnly)
            .map(|(metadata, _, _)| metadata)
    }

    fn expand(
        &self,
        blob: &[u8],
        output: Output<'_>,
    ) -> Result<(BlobMetadataWithId, u16, Option<Slivers>), EncodeError> {
        let keep = matches!(output, Output::Keep);
        let stream = match output {
            Output::Stream(on_sliver) => Some(on_sliver),
            _ => None,
        };
        let symbol_size = self.symbol_size(blob.len() as u64)?;
        let ss = usize::from(symbol_size);
        let n = usize::from(self.n_shards());
        let p = usize::from(self.n_primary_source_symbols());
        let s = usize::from(self.n_secondary_source_symbols());
        let batch = if ss < BATCH_BELOW_SYMBOL_SIZE {
            BATCH_WIDTH
        } else {
            1
        };
        let shape = Shape { n, p, ss, batch };
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
        // Streaming keeps only the primary slivers' rows p..n, which complete last.
        let mut streamed_bottom = if stream.is_some() {
            vec![0u8; (n - p) * row_bytes]
        } else {
            Vec::new()
        };
        let (top, bottom) = if stream.is_some() {
            (&mut [][..], &mut streamed_bottom[..])
        } else {
            primary.split_at_mut(if keep { p * row_bytes } else { 0 })
        };
        let message = if keep {
            MessageRows::new(top, p, row_bytes)
        } else {
            MessageRows::new(blob, p, row_bytes)
        };

        // Rows 0..p: extend each to n symbols, hash them, build the row tree.
        let mut row_repair = vec![0u8; p * row_repairs * ss];
        let mut top_leaves = vec![[0u8; 32]; p * n];
        let mut row_roots = vec![[0u8; 32]; n];
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

        // Columns, in tasks of adjacent columns: extend each column from its top p symbols (the
        // secondary sliver) to n, hash the new symbols and build the column tree. Below column s
        // the new symbols are the primary slivers' rows p..n, written straight into place.
        let mut bottom_leaves = vec![[0u8; 32]; col_repairs * n];
        let mut col_roots = vec![[0u8; 32]; n];
        let per_task = if batch > 1 {
            BATCH_WIDTH
        } else {
            COLUMNS_PER_TASK
        };
        let mut tasks = Vec::new();
        {
            let mut leaf_pieces =
                split_for_tasks(&mut bottom_leaves, n, s, per_task, 1).into_iter();
            let mut row_pieces = split_for_tasks(bottom, s, s, per_task, ss).into_iter();
            let mut secondary_rest = Some(&mut secondary[..]).filter(|_| keep);
            let mut roots_rest = &mut col_roots[..];
            let starts = (0..s).step_by(per_task).chain((s..n).step_by(per_task));
            for start in starts {
                let end = (start + per_task).min(if start < s { s } else { n });
                let width = end - start;
                let secondary = secondary_rest.take().map(|rest| {
                    let (mine, others) = rest.split_at_mut(width * p * ss);
                    secondary_rest = Some(others);
                    mine
                });
                let (roots, others) = roots_rest.split_at_mut(width);
                roots_rest = others;
                tasks.push(ColumnTask {
                    start,
                    end,
                    secondary,
                    bottom_leaves: leaf_pieces.next().unwrap_or_default(),
                    roots,
                    bottom_rows: if (keep || stream.is_some()) && start < s {
                        row_pieces.next().unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        let original = |j: usize, r: usize| -> &[u8] {
            if j < s {
                &message.row(r)[j * ss..][..ss]
            } else {
                &row_repair[(r * row_repairs + j - s) * ss..][..ss]
            }
        };
        tasks
            .into_par_iter()
            .for_each_init(Scratch::default, |scratch, mut task| {
                extend_columns(&mut task, scratch, &original, shape, &top_leaves, stream)
            });
        if let Some(on_sliver) = stream {
            (0..n).into_par_iter().for_each(|r| {
                let data = if r < p {
                    message.row(r)
                } else {
                    &streamed_bottom[(r - p) * row_bytes..][..row_bytes]
                };
                on_sliver(SliverRef {
                    axis: Axis::Primary,
                    index: r as u16,
                    symbol_size,
                    data,
                });
            });
        }

        // Rows p..n: their leaves were written column by column into the row-major matrix.
        row_roots[p..]
            .par_iter_mut()
            .zip(bottom_leaves.par_chunks(n))
            .for_each_init(Hasher::default, |hasher, (root, leaves)| {
                *root = hasher.merkle_root(leaves)
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

/// The Merkle roots of the `n`-symbol expansions of `count` codewords with `k` symbols of `ss`
/// bytes each; `codeword(c)` is the `k · ss` bytes of codeword `c`. This is how slivers are
/// checked against metadata in bulk: in parallel, and for small symbols 32 codewords per
/// Reed–Solomon call.
pub(crate) fn expansion_roots<'a>(
    k: usize,
    n: usize,
    ss: usize,
    count: usize,
    codeword: impl Fn(usize) -> &'a [u8] + Sync,
) -> Vec<Digest> {
    let batch = if ss < BATCH_BELOW_SYMBOL_SIZE {
        BATCH_WIDTH
    } else {
        1
    };
    let mut roots = vec![[0u8; 32]; count];
    roots.par_chunks_mut(batch).enumerate().for_each_init(
        Scratch::default,
        |scratch, (b, roots)| {
            let first = b * batch;
            let Scratch {
                batch: encoder,
                hasher,
                leaves,
                repairs,
                ..
            } = scratch;
            repairs.clear();
            repairs.resize(roots.len() * (n - k) * ss, 0);
            let original = |c: usize, i: usize| &codeword(first + c)[i * ss..][..ss];
            let on_repair = |c: usize, j: usize, symbol: &[u8]| {
                repairs[(c * (n - k) + j) * ss..][..ss].copy_from_slice(symbol)
            };
            encoder
                .encode(k, n, ss, roots.len(), original, on_repair)
                .expect(RS_SHAPE);
            for (c, root) in roots.iter_mut().enumerate() {
                leaves.clear();
                leaves.resize(n, [0; 32]);
                hasher.leaf_hashes(codeword(first + c), ss, &mut leaves[..k]);
                hasher.leaf_hashes(
                    &repairs[c * (n - k) * ss..][..(n - k) * ss],
                    ss,
                    &mut leaves[k..],
                );
                *root = hasher.merkle_root(leaves);
            }
        },
    );
    roots
}

/// Extends the columns of one task to n symbols, hashes the new symbols into the task's pieces of
/// the leaf matrix, and builds each column's tree. `original(j, r)` is symbol `r < p` of column j.
fn extend_columns<'a>(
    task: &mut ColumnTask<'_>,
    scratch: &mut Scratch,
    original: &impl Fn(usize, usize) -> &'a [u8],
    Shape {
        n, p, ss, batch, ..
    }: Shape,
    top_leaves: &[Digest],
    stream: Option<&(dyn Fn(SliverRef<'_>) + Sync)>,
) {
    let col_repairs = n - p;
    let (start, width) = (task.start, task.end - task.start);
    let Scratch {
        encoder,
        batch: batch_encoder,
        hasher,
        leaves,
        top,
        bottom,
        repairs,
        secondary: streamed,
    } = scratch;

    // The secondary slivers, when kept or streamed, are these columns' top symbols.
    let gathered: Option<&mut [u8]> = match (task.secondary.as_deref_mut(), stream) {
        (Some(kept), _) => Some(kept),
        (None, Some(_)) => {
            streamed.clear();
            streamed.resize(width * p * ss, 0);
            Some(&mut streamed[..])
        }
        (None, None) => None,
    };
    if let Some(secondary) = gathered {
        for (c, sliver) in secondary.chunks_exact_mut(p * ss).enumerate() {
            for (r, cell) in sliver.chunks_exact_mut(ss).enumerate() {
                cell.copy_from_slice(original(start + c, r));
            }
        }
    }
    let secondary = match (task.secondary.as_deref(), stream) {
        (Some(kept), _) => Some(kept),
        (None, Some(_)) => Some(&streamed[..]),
        (None, None) => None,
    };
    if let (Some(on_sliver), Some(slivers)) = (stream, secondary) {
        for (c, data) in slivers.chunks_exact(p * ss).enumerate() {
            let index = (start + c) as u16;
            let symbol_size = ss as u16;
            on_sliver(SliverRef {
                axis: Axis::Secondary,
                index,
                symbol_size,
                data,
            });
        }
    }
    let symbol = |c: usize, r: usize| match secondary {
        Some(secondary) => &secondary[(c * p + r) * ss..][..ss],
        None => original(start + c, r),
    };
    // The leaves of rows 0..p of these columns, gathered column-major (row segments are contiguous).
    top.clear();
    top.resize(width * p, [0; 32]);
    for r in 0..p {
        for (c, leaf) in top_leaves[r * n + start..][..width].iter().enumerate() {
            top[c * p + r] = *leaf;
        }
    }
    bottom.clear();
    bottom.resize(width * col_repairs, [0; 32]);
    let bottom_rows = &mut task.bottom_rows;
    if batch > 1 {
        // Small symbols: all the task's columns in one Reed–Solomon call.
        repairs.clear();
        repairs.resize(width * col_repairs * ss, 0);
        let on_repair = |c: usize, t: usize, repair: &[u8]| {
            repairs[(c * col_repairs + t) * ss..][..ss].copy_from_slice(repair);
            if let Some(row) = bottom_rows.get_mut(t) {
                row[c * ss..(c + 1) * ss].copy_from_slice(repair);
            }
        };
        batch_encoder
            .encode(p, n, ss, width, symbol, on_repair)
            .expect(RS_SHAPE);
        for (column, leaves) in repairs
            .chunks_exact(col_repairs * ss)
            .zip(bottom.chunks_exact_mut(col_repairs))
        {
            hasher.leaf_hashes(column, ss, leaves);
        }
    } else {
        for (c, leaves) in bottom.chunks_exact_mut(col_repairs).enumerate() {
            let hash_repairs = |repairs: &mut dyn Iterator<Item = &[u8]>| {
                if bottom_rows.is_empty() {
                    hasher.leaf_hashes_iter(repairs, ss, leaves);
                } else {
                    for (row, repair) in bottom_rows.iter_mut().zip(repairs) {
                        row[c * ss..(c + 1) * ss].copy_from_slice(repair);
                    }
                    let written = bottom_rows.iter().map(|row| &row[c * ss..][..ss]);
                    hasher.leaf_hashes_iter(written, ss, leaves);
                }
            };
            encoder
                .encode_with(p, n, ss, (0..p).map(|r| symbol(c, r)), hash_repairs)
                .expect(RS_SHAPE);
        }
    }
    for c in 0..width {
        let column_bottom = &bottom[c * col_repairs..][..col_repairs];
        for (row, leaf) in task.bottom_leaves.iter_mut().zip(column_bottom) {
            row[c] = *leaf;
        }
        leaves.clear();
        leaves.extend_from_slice(&top[c * p..][..p]);
        leaves.extend_from_slice(column_bottom);
        task.roots[c] = hasher.merkle_root(leaves);
    }
}
