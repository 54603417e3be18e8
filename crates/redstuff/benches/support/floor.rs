//! Baseline (b): the hash floor. The protocol must hash every one of the n² symbols
//! (`H(0x00 || symbol)`) and build 2n trees of n leaves (≈ 2n² inner nodes of 65 bytes), plus the
//! metadata tree. This does exactly that many BLAKE2b-256 calls over that many bytes, with the best
//! batching available (`blake2b_simd::many`) and all cores — and nothing else. No encoder can beat it.

use blake2b_simd::{Params, many};
use rayon::prelude::*;

/// Bytes hashed per batch by one `hash_many` call.
const BATCH: usize = 64;

/// Pre-built inputs of the floor for one shape.
pub(crate) struct HashFloor {
    leaf_inputs: Vec<u8>,
    leaf_len: usize,
    inner_inputs: Vec<u8>,
}

impl HashFloor {
    /// `leaves` inputs of `leaf_len` bytes and `inners` inputs of 65 bytes.
    pub(crate) fn new(leaves: usize, leaf_len: usize, inners: usize) -> Self {
        let leaf_inputs = (0..leaves * leaf_len).map(|i| i as u8).collect();
        let inner_inputs = (0..inners * 65).map(|i| (i * 3) as u8).collect();
        Self {
            leaf_inputs,
            leaf_len,
            inner_inputs,
        }
    }

    /// The floor for encoding (or computing the metadata of) a blob with `n` shards.
    pub(crate) fn for_encoding(n: usize, symbol_size: usize) -> Self {
        Self::new(n * n, symbol_size + 1, 2 * n * (n - 1) + n)
    }

    /// Hashes everything; returns a checksum so the work cannot be optimised away.
    pub(crate) fn run(&self) -> u8 {
        let params = {
            let mut params = Params::new();
            params.hash_length(32);
            params
        };
        let hash_all = |inputs: &[u8], len: usize| -> u8 {
            inputs
                .par_chunks(len * BATCH * 16)
                .map(|chunk| {
                    let mut acc = 0u8;
                    for batch in chunk.chunks(len * BATCH) {
                        let mut jobs: Vec<many::HashManyJob<'_>> = batch
                            .chunks_exact(len)
                            .map(|input| many::HashManyJob::new(&params, input))
                            .collect();
                        many::hash_many(jobs.iter_mut());
                        acc ^= jobs
                            .iter()
                            .fold(0, |a, job| a ^ job.to_hash().as_bytes()[0]);
                    }
                    acc
                })
                .reduce(|| 0, |a, b| a ^ b)
        };
        hash_all(&self.leaf_inputs, self.leaf_len) ^ hash_all(&self.inner_inputs, 65)
    }
}

/// The Reed–Solomon floor: only the erasure-code calls an encoding must make (p row codewords of
/// k = s, n column codewords of k = p, symbols of `ss` bytes), on all cores, with the inputs in
/// place and reused encoders — no hashing, no copying out.
pub(crate) struct RsFloor {
    n: usize,
    p: usize,
    s: usize,
    ss: usize,
    symbols: Vec<u8>,
}

impl RsFloor {
    pub(crate) fn new(n: usize, symbol_size: usize) -> Self {
        let f = (n - 1) / 3;
        let (p, s) = (n - 2 * f, n - f);
        let symbols = (0..s.max(p) * symbol_size).map(|i| (i * 7) as u8).collect();
        Self {
            n,
            p,
            s,
            ss: symbol_size,
            symbols,
        }
    }

    /// Runs every codeword's encoding; returns a checksum byte.
    pub(crate) fn run(&self) -> u8 {
        let encode = |k: usize, codewords: usize| -> u8 {
            (0..codewords)
                .into_par_iter()
                .map_init(
                    || {
                        reed_solomon_simd::ReedSolomonEncoder::new(k, self.n - k, self.ss)
                            .expect("shape")
                    },
                    |encoder, _| {
                        encoder.reset(k, self.n - k, self.ss).expect("shape");
                        for symbol in self.symbols.chunks_exact(self.ss).take(k) {
                            encoder.add_original_shard(symbol).expect("shape");
                        }
                        let result = encoder.encode().expect("encodes");
                        result.recovery(0).map_or(0, |r| r[0])
                    },
                )
                .reduce(|| 0, |a, b| a ^ b)
        };
        encode(self.s, self.p) ^ encode(self.p, self.n)
    }
}
