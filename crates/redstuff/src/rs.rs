//! The Reed–Solomon code over GF(2^16) from `reed-solomon-simd` 3.1.0, whose output layout is part
//! of the protocol. Private: nothing of the crate's API leaks out of redstuff.
//!
//! A codeword has `n` symbols: indices `0..k` are the originals (systematic), `k..n` the crate's
//! recovery shards `0..n−k` in order.

use reed_solomon_simd::{ReedSolomonDecoder, ReedSolomonEncoder};

pub(crate) use reed_solomon_simd::Error as RsError;

/// Whether the crate supports a code with `k` originals out of `n` symbols.
pub(crate) fn supports(k: usize, n: usize) -> bool {
    k > 0 && n > k && ReedSolomonEncoder::supports(k, n - k)
}

/// A reusable encoder; keeps its scratch memory across calls of the same or another shape.
#[derive(Default)]
pub(crate) struct Encoder {
    inner: Option<ReedSolomonEncoder>,
}

impl Encoder {
    /// Encodes the `k` original symbols (each `symbol_size` bytes) of a length-`n` codeword and
    /// hands each repair symbol `k..n` to `on_repair(index_from_k, bytes)`.
    pub(crate) fn encode<'a>(
        &mut self,
        k: usize,
        n: usize,
        symbol_size: usize,
        originals: impl IntoIterator<Item = &'a [u8]>,
        mut on_repair: impl FnMut(usize, &[u8]),
    ) -> Result<(), RsError> {
        self.encode_with(k, n, symbol_size, originals, |repairs| {
            for (index, repair) in repairs.enumerate() {
                on_repair(index, repair);
            }
        })
    }

    /// As [`Encoder::encode`], handing all repair symbols, in order, to `with` at once (so they
    /// can be consumed in batches without being copied out first).
    pub(crate) fn encode_with<'a, R>(
        &mut self,
        k: usize,
        n: usize,
        symbol_size: usize,
        originals: impl IntoIterator<Item = &'a [u8]>,
        with: impl FnOnce(&mut dyn Iterator<Item = &[u8]>) -> R,
    ) -> Result<R, RsError> {
        let encoder = match &mut self.inner {
            Some(encoder) => {
                encoder.reset(k, n - k, symbol_size)?;
                encoder
            }
            slot @ None => slot.insert(ReedSolomonEncoder::new(k, n - k, symbol_size)?),
        };
        for original in originals {
            encoder.add_original_shard(original)?;
        }
        let result = encoder.encode()?;
        Ok(with(&mut result.recovery_iter()))
    }

    /// Expands `k` contiguous original symbols in `originals` into the full `n`-symbol codeword
    /// written to `out` (`n · symbol_size` bytes).
    pub(crate) fn expand(
        &mut self,
        k: usize,
        n: usize,
        symbol_size: usize,
        originals: &[u8],
        out: &mut [u8],
    ) -> Result<(), RsError> {
        let (systematic, repair) = out.split_at_mut(k * symbol_size);
        systematic.copy_from_slice(originals);
        self.encode(
            k,
            n,
            symbol_size,
            originals.chunks_exact(symbol_size),
            |i, symbol| {
                repair[i * symbol_size..(i + 1) * symbol_size].copy_from_slice(symbol);
            },
        )
    }
}

/// Where GF(2^16) element `e` of a shard of `len` bytes keeps its low and high byte, as
/// reed-solomon-simd lays shards out: 64-byte blocks of 32 low bytes then 32 high bytes, and a
/// trailing block of `t` bytes with `t/2` low bytes then `t/2` high bytes.
fn element_position(len: usize, e: usize) -> (usize, usize) {
    let (block, within) = (e / 32, e % 32);
    let full_blocks = len / 64;
    if block < full_blocks {
        (block * 64 + within, block * 64 + 32 + within)
    } else {
        let tail = len - full_blocks * 64;
        (
            full_blocks * 64 + within,
            full_blocks * 64 + tail / 2 + within,
        )
    }
}

/// Moves the GF(2^16) elements of `w` symbols of `ss` bytes into one `w·ss`-byte wide shard and
/// back, so that the wide shard's element `c·ss/2 + e` is element `e` of symbol `c`.
#[derive(Default)]
struct Interleaver {
    ss: usize,
    symbol_map: Vec<(usize, usize)>,
    wide_map: Vec<(usize, usize)>,
}

impl Interleaver {
    fn prepare(&mut self, ss: usize, w: usize) {
        if self.ss != ss || self.wide_map.len() != w * (ss / 2) {
            self.ss = ss;
            self.symbol_map = (0..ss / 2).map(|e| element_position(ss, e)).collect();
            self.wide_map = (0..w * (ss / 2))
                .map(|e| element_position(w * ss, e))
                .collect();
        }
    }

    /// The (symbol, wide shard) byte positions of the elements of symbol `c`.
    fn pairs(&self, c: usize) -> impl Iterator<Item = (&(usize, usize), &(usize, usize))> {
        let half = self.ss / 2;
        self.symbol_map
            .iter()
            .zip(&self.wide_map[c * half..(c + 1) * half])
    }

    /// Writes symbol `c` into its place in `wide`.
    fn put(&self, wide: &mut [u8], c: usize, symbol: &[u8]) {
        for (&(lo, hi), &(wide_lo, wide_hi)) in self.pairs(c) {
            wide[wide_lo] = symbol[lo];
            wide[wide_hi] = symbol[hi];
        }
    }

    /// Reads symbol `c` out of `wide`.
    fn take(&self, wide: &[u8], c: usize, symbol: &mut [u8]) {
        for (&(lo, hi), &(wide_lo, wide_hi)) in self.pairs(c) {
            symbol[lo] = wide[wide_lo];
            symbol[hi] = wide[wide_hi];
        }
    }
}

/// Encodes many small codewords of the same shape in one Reed–Solomon call.
///
/// The code acts on each GF(2^16) element position independently, so `w` codewords of `ss`-byte
/// symbols can share one call on `w·ss`-byte "wide" shards, provided every element's two bytes
/// are moved to where the wide layout expects them (and back). For small symbols this replaces
/// `w` calls on shards the crate pads to 64 bytes by one call on full blocks.
#[derive(Default)]
pub(crate) struct BatchEncoder {
    encoder: Encoder,
    interleaver: Interleaver,
    wide: Vec<u8>,
    symbol: Vec<u8>,
}

impl BatchEncoder {
    /// Encodes `w` codewords of `k` originals out of `n` symbols of `ss` bytes;
    /// `original(c, i)` is symbol `i` of codeword `c`, and `on_repair(c, j, bytes)` receives repair
    /// symbol `j` (codeword index `k + j`) of codeword `c`.
    pub(crate) fn encode<'a>(
        &mut self,
        k: usize,
        n: usize,
        ss: usize,
        w: usize,
        original: impl Fn(usize, usize) -> &'a [u8],
        mut on_repair: impl FnMut(usize, usize, &[u8]),
    ) -> Result<(), RsError> {
        let Self {
            encoder,
            interleaver,
            wide,
            symbol,
        } = self;
        if w == 1 {
            let originals = (0..k).map(|i| original(0, i));
            return encoder.encode(k, n, ss, originals, |j, repair| on_repair(0, j, repair));
        }
        interleaver.prepare(ss, w);
        let wide_len = w * ss;
        wide.clear();
        wide.resize(k * wide_len, 0);
        for (i, shard) in wide.chunks_exact_mut(wide_len).enumerate() {
            (0..w).for_each(|c| interleaver.put(shard, c, original(c, i)));
        }
        symbol.resize(ss, 0);
        encoder.encode(k, n, wide_len, wide.chunks_exact(wide_len), |j, repair| {
            for c in 0..w {
                interleaver.take(repair, c, symbol);
                on_repair(c, j, symbol);
            }
        })
    }
}

/// Decodes many small codewords that share the same available symbol indices in one
/// Reed–Solomon call, interleaving them into wide shards as [`BatchEncoder`] does.
#[derive(Default)]
pub(crate) struct BatchDecoder {
    decoder: Decoder,
    interleaver: Interleaver,
    wide_in: Vec<u8>,
    wide_out: Vec<u8>,
    symbol: Vec<u8>,
}

impl BatchDecoder {
    /// Decodes the `k` originals of `w` codewords of `n` symbols of `ss` bytes from the symbols
    /// at codeword indices `indices` (`k` distinct ones); `symbol(c, q)` is the symbol at
    /// `indices[q]` of codeword `c`, and `on_original(c, i, bytes)` receives original `i` of `c`.
    #[allow(clippy::too_many_arguments)] // the shape of the code, then the data in and out
    pub(crate) fn decode<'a>(
        &mut self,
        k: usize,
        n: usize,
        ss: usize,
        w: usize,
        indices: &[usize],
        symbol: impl Fn(usize, usize) -> &'a [u8],
        mut on_original: impl FnMut(usize, usize, &[u8]),
    ) -> Result<(), RsError> {
        let Self {
            decoder,
            interleaver,
            wide_in,
            wide_out,
            symbol: out,
        } = self;
        let wide_len = w * ss;
        wide_out.clear();
        wide_out.resize(k * wide_len, 0);
        if w == 1 {
            let symbols = indices
                .iter()
                .enumerate()
                .map(|(q, index)| (*index, symbol(0, q)));
            decoder.decode(k, n, ss, symbols, wide_out)?;
            for (i, original) in wide_out.chunks_exact(ss).enumerate() {
                on_original(0, i, original);
            }
            return Ok(());
        }
        interleaver.prepare(ss, w);
        wide_in.clear();
        wide_in.resize(indices.len() * wide_len, 0);
        for (q, shard) in wide_in.chunks_exact_mut(wide_len).enumerate() {
            (0..w).for_each(|c| interleaver.put(shard, c, symbol(c, q)));
        }
        let shards = indices.iter().copied().zip(wide_in.chunks_exact(wide_len));
        decoder.decode(k, n, wide_len, shards, wide_out)?;
        out.resize(ss, 0);
        for (i, shard) in wide_out.chunks_exact(wide_len).enumerate() {
            for c in 0..w {
                interleaver.take(shard, c, out);
                on_original(c, i, out);
            }
        }
        Ok(())
    }
}

/// A reusable decoder.
#[derive(Default)]
pub(crate) struct Decoder {
    inner: Option<ReedSolomonDecoder>,
}

impl Decoder {
    /// Decodes the `k` originals of a length-`n` codeword from `k` distinct symbols
    /// `(codeword index, bytes)` and writes them contiguously to `out` (`k · symbol_size` bytes).
    pub(crate) fn decode<'a>(
        &mut self,
        k: usize,
        n: usize,
        symbol_size: usize,
        symbols: impl IntoIterator<Item = (usize, &'a [u8])>,
        out: &mut [u8],
    ) -> Result<(), RsError> {
        let decoder = match &mut self.inner {
            Some(decoder) => {
                decoder.reset(k, n - k, symbol_size)?;
                decoder
            }
            slot @ None => slot.insert(ReedSolomonDecoder::new(k, n - k, symbol_size)?),
        };
        let mut have_all_originals = true;
        let mut seen = 0usize;
        for (index, symbol) in symbols {
            seen += 1;
            if index < k {
                out[index * symbol_size..(index + 1) * symbol_size].copy_from_slice(symbol);
                decoder.add_original_shard(index, symbol)?;
            } else {
                have_all_originals = false;
                decoder.add_recovery_shard(index - k, symbol)?;
            }
        }
        if have_all_originals && seen == k {
            return Ok(());
        }
        let result = decoder.decode()?;
        for (index, restored) in result.restored_original_iter() {
            out[index * symbol_size..(index + 1) * symbol_size].copy_from_slice(restored);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batched_decoding_equals_one_call_per_codeword() {
        let (k, n, ss, w) = (4usize, 10usize, 6usize, 32usize);
        let originals: Vec<Vec<u8>> = (0..w)
            .map(|c| (0..k * ss).map(|b| (c * 53 + b * 11 + 1) as u8).collect())
            .collect();
        let codewords: Vec<Vec<u8>> = originals
            .iter()
            .map(|o| {
                let mut codeword = vec![0u8; n * ss];
                Encoder::default()
                    .expand(k, n, ss, o, &mut codeword)
                    .expect("encode");
                codeword
            })
            .collect();
        let indices = [1usize, 5, 7, 9];
        let mut decoded = vec![vec![0u8; k * ss]; w];
        BatchDecoder::default()
            .decode(
                k,
                n,
                ss,
                w,
                &indices,
                |c, q| &codewords[c][indices[q] * ss..][..ss],
                |c, i, symbol| decoded[c][i * ss..(i + 1) * ss].copy_from_slice(symbol),
            )
            .expect("decode");
        assert_eq!(decoded, originals);
    }

    #[test]
    fn batched_encoding_equals_one_call_per_codeword() {
        for (k, n, ss, w) in [
            (4usize, 10usize, 2usize, 32usize),
            (7, 10, 6, 5),
            (3, 7, 62, 32),
            (2, 4, 130, 3),
        ] {
            let symbols: Vec<Vec<u8>> = (0..w * k)
                .map(|i| (0..ss).map(|b| (i * 131 + b * 7 + 3) as u8).collect())
                .collect();
            let mut batched = vec![vec![Vec::new(); n - k]; w];
            BatchEncoder::default()
                .encode(
                    k,
                    n,
                    ss,
                    w,
                    |c, i| &symbols[c * k + i],
                    |c, j, repair| batched[c][j] = repair.to_vec(),
                )
                .expect("encode");
            for c in 0..w {
                let mut single = vec![Vec::new(); n - k];
                Encoder::default()
                    .encode(
                        k,
                        n,
                        ss,
                        (0..k).map(|i| symbols[c * k + i].as_slice()),
                        |j, repair| single[j] = repair.to_vec(),
                    )
                    .expect("encode");
                assert_eq!(batched[c], single, "k={k} n={n} ss={ss} w={w} codeword {c}");
            }
        }
    }

    #[test]
    fn any_k_symbols_decode_the_originals() {
        let (k, n, size) = (4usize, 10usize, 6usize);
        let originals: Vec<u8> = (0..k * size).map(|i| (i * 37 + 1) as u8).collect();
        let mut codeword = vec![0u8; n * size];
        Encoder::default()
            .expand(k, n, size, &originals, &mut codeword)
            .expect("encode");
        let mut decoder = Decoder::default();
        for start in 0..=n - k {
            let mut out = vec![0u8; k * size];
            let picked = (start..start + k).map(|i| (i, &codeword[i * size..(i + 1) * size]));
            decoder
                .decode(k, n, size, picked, &mut out)
                .expect("decode");
            assert_eq!(out, originals, "symbols {start}..{}", start + k);
        }
    }
}
