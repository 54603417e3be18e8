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
        for (index, repair) in result.recovery_iter().enumerate() {
            on_repair(index, repair);
        }
        Ok(())
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
