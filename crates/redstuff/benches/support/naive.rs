#![allow(clippy::needless_range_loop)] // indices mirror the matrix notation of the spec

//! Baseline (a): Red Stuff written the straightforward way — one Reed–Solomon call per row and per
//! column, one BLAKE2b call per symbol and per tree node, one allocation per symbol, one thread.
//! It computes the same metadata as the real encoder (checked before benchmarking), so the ratio
//! between the two is the value of the engineering in `redstuff`.

use blake2::{Blake2b, Digest as _, digest::consts::U32};
use reed_solomon_simd::{decode as rs_decode, encode as rs_encode};

type Blake2b256 = Blake2b<U32>;
type Digest = [u8; 32];

fn leaf(data: &[u8]) -> Digest {
    Blake2b256::new()
        .chain_update([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

fn inner(left: &Digest, right: &Digest) -> Digest {
    Blake2b256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

fn root(mut level: Vec<Digest>) -> Digest {
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| inner(&pair[0], pair.get(1).unwrap_or(&[0; 32])))
            .collect();
    }
    level[0]
}

/// Shape of the code for `n` shards and a blob of `len` bytes: (p, s, symbol size).
pub(crate) fn shape(n: usize, len: usize) -> (usize, usize, usize) {
    let f = (n - 1) / 3;
    let (p, s) = (n - 2 * f, n - f);
    let ss = len.max(1).div_ceil(p * s);
    (p, s, ss + ss % 2)
}

/// The full n×n matrix of symbols, each its own allocation.
pub(crate) fn expand(blob: &[u8], n: usize) -> Vec<Vec<Vec<u8>>> {
    let (p, s, ss) = shape(n, blob.len());
    let mut matrix = vec![vec![Vec::new(); n]; n];
    for (r, row) in matrix.iter_mut().enumerate().take(p) {
        for (c, cell) in row.iter_mut().enumerate().take(s) {
            let start = (r * s + c) * ss;
            let mut symbol = vec![0u8; ss];
            if start < blob.len() {
                let end = (start + ss).min(blob.len());
                symbol[..end - start].copy_from_slice(&blob[start..end]);
            }
            *cell = symbol;
        }
    }
    for row in matrix.iter_mut().take(p) {
        let repair = rs_encode(s, n - s, &row[..s]).expect("valid shape");
        for (c, symbol) in repair.into_iter().enumerate() {
            row[s + c] = symbol;
        }
    }
    for c in 0..n {
        let column: Vec<Vec<u8>> = (0..p).map(|r| matrix[r][c].clone()).collect();
        let repair = rs_encode(p, n - p, &column).expect("valid shape");
        for (r, symbol) in repair.into_iter().enumerate() {
            matrix[p + r][c] = symbol;
        }
    }
    matrix
}

/// The blob ID, computed from the full matrix with one hash call per symbol and node.
pub(crate) fn blob_id(blob: &[u8], n: usize) -> Digest {
    id_of(&expand(blob, n), blob.len())
}

fn id_of(matrix: &[Vec<Vec<u8>>], len: usize) -> Digest {
    let n = matrix.len();
    let leaves: Vec<Vec<Digest>> = matrix
        .iter()
        .map(|row| row.iter().map(|symbol| leaf(symbol)).collect())
        .collect();
    let row_roots: Vec<Digest> = leaves.iter().map(|row| root(row.clone())).collect();
    let col_roots: Vec<Digest> = (0..n)
        .map(|c| root((0..n).map(|r| leaves[r][c]).collect()))
        .collect();
    let pair_leaves = (0..n)
        .map(|i| {
            let mut both = row_roots[i].to_vec();
            both.extend_from_slice(&col_roots[n - 1 - i]);
            leaf(&both)
        })
        .collect();
    let root_hash = root(pair_leaves);
    Blake2b256::new()
        .chain_update([1u8])
        .chain_update((len as u64).to_le_bytes())
        .chain_update(root_hash)
        .finalize()
        .into()
}

/// The blob ID and all slivers: primary `i` is row `i`'s first `s` symbols, secondary `j` is
/// column `j`'s first `p` symbols, each concatenated into its own allocation.
pub(crate) fn encode(blob: &[u8], n: usize) -> (Digest, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (p, s, _) = shape(n, blob.len());
    let matrix = expand(blob, n);
    let id = id_of(&matrix, blob.len());
    let primary = matrix.iter().map(|row| row[..s].concat()).collect();
    let secondary = (0..n)
        .map(|c| {
            (0..p)
                .map(|r| matrix[r][c].clone())
                .collect::<Vec<_>>()
                .concat()
        })
        .collect();
    (id, primary, secondary)
}

/// Decodes a blob from `p` primary slivers `(index, bytes)`: one RS call per column, then the
/// default consistency check on every systematic row not received.
pub(crate) fn decode(
    slivers: &[(usize, Vec<u8>)],
    n: usize,
    len: usize,
    row_hashes: &[Digest],
) -> Vec<u8> {
    let (p, s, ss) = shape(n, len);
    let mut rows: Vec<Vec<Vec<u8>>> = vec![vec![Vec::new(); s]; p];
    for c in 0..s {
        let symbol = |bytes: &Vec<u8>| bytes[c * ss..(c + 1) * ss].to_vec();
        let originals: Vec<(usize, Vec<u8>)> = slivers
            .iter()
            .filter(|(i, _)| *i < p)
            .map(|(i, b)| (*i, symbol(b)))
            .collect();
        let recovery: Vec<(usize, Vec<u8>)> = slivers
            .iter()
            .filter(|(i, _)| *i >= p)
            .map(|(i, b)| (*i - p, symbol(b)))
            .collect();
        for (i, data) in &originals {
            rows[*i][c] = data.clone();
        }
        if !recovery.is_empty() {
            let restored = rs_decode(p, n - p, originals, recovery).expect("enough symbols");
            for (i, data) in restored {
                rows[i][c] = data;
            }
        }
    }
    for (r, row) in rows.iter().enumerate() {
        if slivers.iter().any(|(i, _)| *i == r) {
            continue;
        }
        let repair = rs_encode(s, n - s, row).expect("valid shape");
        let leaves = row
            .iter()
            .chain(repair.iter())
            .map(|symbol| leaf(symbol))
            .collect();
        assert_eq!(root(leaves), row_hashes[r], "consistency check");
    }
    let mut blob: Vec<u8> = rows.into_iter().flatten().flatten().collect();
    blob.truncate(len);
    blob
}
