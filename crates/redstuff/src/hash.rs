//! BLAKE2b-256 as Walrus uses it, and batched (multi-lane) hashing of many small inputs.
//!
//! The protocol hashes every one of the n² symbols of a blob, most of them a few bytes long, so the
//! encoder's speed is bounded by BLAKE2b. `blake2b_simd::many` runs four hashes at once in AVX2
//! lanes; feeding it batches is what makes hashing n² tiny symbols cheap.

use blake2b_simd::{
    Params,
    many::{HashManyJob, hash_many},
};

/// A 32-byte BLAKE2b-256 digest.
pub type Digest = [u8; 32];

/// Domain prefix of a Merkle leaf.
const LEAF_PREFIX: u8 = 0x00;
/// Domain prefix of an inner Merkle node.
const INNER_PREFIX: u8 = 0x01;

/// How many inputs are handed to `hash_many` at once: enough to fill the SIMD lanes many times over,
/// small enough that the scratch buffer stays in L1/L2 for small symbols.
const BATCH: usize = 64;

fn params() -> Params {
    let mut params = Params::new();
    params.hash_length(32);
    params
}

fn to_digest(hash: &blake2b_simd::Hash) -> Digest {
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_bytes());
    out
}

/// BLAKE2b-256 of `data` (unkeyed, 32-byte digest; not truncated BLAKE2b-512).
pub fn blake2b256(data: &[u8]) -> Digest {
    to_digest(&params().hash(data))
}

/// BLAKE2b-256 over the concatenation of `parts`.
pub(crate) fn blake2b256_parts(parts: &[&[u8]]) -> Digest {
    let mut state = params().to_state();
    for part in parts {
        state.update(part);
    }
    to_digest(&state.finalize())
}

/// The Merkle leaf hash `H(0x00 || data)`.
pub(crate) fn leaf_hash(data: &[u8]) -> Digest {
    blake2b256_parts(&[&[LEAF_PREFIX], data])
}

/// The Merkle inner-node hash `H(0x01 || left || right)`.
pub(crate) fn inner_hash(left: &Digest, right: &Digest) -> Digest {
    blake2b256_parts(&[&[INNER_PREFIX], left, right])
}

/// Reusable scratch space for batched hashing; one per thread.
#[derive(Default)]
pub(crate) struct Hasher {
    scratch: Vec<u8>,
}

impl Hasher {
    /// Writes `leaf_hash(symbol)` of each `symbol_size`-byte symbol in `symbols` into `out`.
    ///
    /// `symbols.len()` must equal `out.len() * symbol_size`.
    pub(crate) fn leaf_hashes(&mut self, symbols: &[u8], symbol_size: usize, out: &mut [Digest]) {
        debug_assert_eq!(symbols.len(), out.len() * symbol_size);
        self.leaf_hashes_iter(symbols.chunks_exact(symbol_size), symbol_size, out);
    }

    /// Writes `leaf_hash(s)` of each symbol yielded by `symbols` (each `symbol_size` bytes) into `out`.
    pub(crate) fn leaf_hashes_iter<'a>(
        &mut self,
        mut symbols: impl Iterator<Item = &'a [u8]>,
        symbol_size: usize,
        out: &mut [Digest],
    ) {
        let params = params();
        let stride = symbol_size + 1;
        for out_batch in out.chunks_mut(BATCH) {
            self.scratch.clear();
            for _ in 0..out_batch.len() {
                let symbol = symbols.next().expect("caller passes one symbol per output");
                self.scratch.push(LEAF_PREFIX);
                self.scratch.extend_from_slice(symbol);
            }
            let mut jobs: Vec<HashManyJob<'_>> = self
                .scratch
                .chunks_exact(stride)
                .map(|input| HashManyJob::new(&params, input))
                .collect();
            hash_many(jobs.iter_mut());
            for (digest, job) in out_batch.iter_mut().zip(&jobs) {
                *digest = to_digest(&job.to_hash());
            }
        }
    }

    /// Hashes one Merkle level: `out[k] = inner_hash(level[2k], level[2k+1] or EMPTY)`.
    ///
    /// `out.len()` must be `level.len().div_ceil(2)`.
    pub(crate) fn inner_level(&mut self, level: &[Digest], out: &mut [Digest]) {
        debug_assert_eq!(out.len(), level.len().div_ceil(2));
        const EMPTY: Digest = [0; 32];
        let params = params();
        for (out_batch, in_batch) in out.chunks_mut(BATCH).zip(level.chunks(2 * BATCH)) {
            self.scratch.clear();
            for pair in in_batch.chunks(2) {
                self.scratch.push(INNER_PREFIX);
                self.scratch.extend_from_slice(&pair[0]);
                self.scratch
                    .extend_from_slice(pair.get(1).unwrap_or(&EMPTY));
            }
            let mut jobs: Vec<HashManyJob<'_>> = self
                .scratch
                .chunks_exact(65)
                .map(|input| HashManyJob::new(&params, input))
                .collect();
            hash_many(jobs.iter_mut());
            for (digest, job) in out_batch.iter_mut().zip(&jobs) {
                *digest = to_digest(&job.to_hash());
            }
        }
    }

    /// The Merkle root over `leaves` (already leaf-hashed), consuming them as scratch space.
    pub(crate) fn merkle_root(&mut self, leaves: &mut Vec<Digest>) -> Digest {
        let mut next = Vec::with_capacity(leaves.len().div_ceil(2));
        while leaves.len() > 1 {
            next.clear();
            next.resize(leaves.len().div_ceil(2), [0; 32]);
            self.inner_level(leaves, &mut next);
            std::mem::swap(leaves, &mut next);
        }
        leaves.first().copied().unwrap_or([0; 32])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_leaf_hashes_equal_single_hashes() {
        for symbol_size in [2usize, 6, 64, 126, 128, 302] {
            let symbols: Vec<u8> = (0..symbol_size * 200)
                .map(|i| (i * 31 % 251) as u8)
                .collect();
            let mut out = vec![[0u8; 32]; 200];
            Hasher::default().leaf_hashes(&symbols, symbol_size, &mut out);
            for (i, digest) in out.iter().enumerate() {
                assert_eq!(
                    *digest,
                    leaf_hash(&symbols[i * symbol_size..(i + 1) * symbol_size])
                );
            }
        }
    }

    #[test]
    fn batched_inner_level_pads_with_empty_node() {
        let level: Vec<Digest> = (0..131u8).map(|i| [i; 32]).collect();
        let mut out = vec![[0u8; 32]; 66];
        Hasher::default().inner_level(&level, &mut out);
        for (k, digest) in out.iter().enumerate() {
            let right = level.get(2 * k + 1).copied().unwrap_or([0; 32]);
            assert_eq!(*digest, inner_hash(&level[2 * k], &right));
        }
    }

    #[test]
    fn blake2b256_is_not_truncated_blake2b512() {
        // BLAKE2b-256("abc") from RFC 7693's parameter block with digest length 32.
        assert_eq!(
            hex::encode(blake2b256(b"abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }
}
