//! Encoding parameters for a given number of shards, and the size formulas derived from them.

use std::num::NonZeroU16;

use crate::{
    error::{EncodeError, InvalidConfig},
    rs,
};

/// Symbols are at most this many bytes: the largest even `u16` (RS2 needs an even size).
pub const MAX_SYMBOL_SIZE: u16 = u16::MAX - 1;

/// The smallest number of shards that can encode: with fewer, `f = 0` and the primary code would
/// have no repair symbols, which the Reed–Solomon crate rejects (Walrus's encoder panics there).
pub const MIN_N_SHARDS: u16 = 4;

/// The Red Stuff parameters for `n` shards.
///
/// `f = ⌊(n−1)/3⌋` shards may fail; the message matrix has `p = n−2f` rows (primary source symbols,
/// the length of a secondary sliver) and `s = n−f` columns (secondary source symbols, the length of a
/// primary sliver).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EncodingConfig {
    n_shards: NonZeroU16,
}

impl EncodingConfig {
    /// The parameters for `n_shards` shards.
    ///
    /// # Errors
    /// [`InvalidConfig`] if `n_shards < 4`, or so large that the Reed–Solomon code cannot span it.
    pub fn new(n_shards: u16) -> Result<Self, InvalidConfig> {
        let config = match NonZeroU16::new(n_shards) {
            Some(n) if n_shards >= MIN_N_SHARDS => Self { n_shards: n },
            _ => return Err(InvalidConfig { n_shards }),
        };
        let n = usize::from(n_shards);
        let (p, s) = (
            usize::from(config.n_primary_source_symbols()),
            usize::from(config.n_secondary_source_symbols()),
        );
        if !(rs::supports(p, n) && rs::supports(s, n)) {
            return Err(InvalidConfig { n_shards });
        }
        Ok(config)
    }

    /// The number of shards `n` (also the number of sliver pairs).
    pub fn n_shards(&self) -> u16 {
        self.n_shards.get()
    }

    /// `f`, the number of shards that may be faulty.
    pub fn max_faulty(&self) -> u16 {
        (self.n_shards() - 1) / 3
    }

    /// `p = n − 2f`: rows of the message matrix, symbols per secondary sliver.
    pub fn n_primary_source_symbols(&self) -> u16 {
        self.n_shards() - 2 * self.max_faulty()
    }

    /// `s = n − f`: columns of the message matrix, symbols per primary sliver.
    pub fn n_secondary_source_symbols(&self) -> u16 {
        self.n_shards() - self.max_faulty()
    }

    /// Symbols in the message matrix, `p · s`.
    pub fn source_symbols(&self) -> u64 {
        u64::from(self.n_primary_source_symbols()) * u64::from(self.n_secondary_source_symbols())
    }

    /// The symbol size for a blob of `length` bytes: `⌈max(length, 1) / (p·s)⌉` rounded up to even.
    ///
    /// # Errors
    /// [`EncodeError::DataTooLarge`] if the blob exceeds [`EncodingConfig::max_blob_size`].
    pub fn symbol_size(&self, length: u64) -> Result<u16, EncodeError> {
        let size = length.max(1).div_ceil(self.source_symbols());
        let size = size + size % 2;
        u16::try_from(size)
            .ok()
            .filter(|size| *size <= MAX_SYMBOL_SIZE)
            .ok_or(EncodeError::DataTooLarge {
                length,
                max: self.max_blob_size(),
            })
    }

    /// The largest blob this configuration can encode: `p · s · 65534` bytes.
    pub fn max_blob_size(&self) -> u64 {
        self.source_symbols() * u64::from(MAX_SYMBOL_SIZE)
    }

    /// Bytes of metadata every node stores per blob: `n·2·32 + 32`.
    pub fn metadata_length(&self) -> u64 {
        u64::from(self.n_shards()) * 64 + 32
    }

    /// Bytes of one primary sliver for a blob of `length` bytes.
    pub fn primary_sliver_size(&self, length: u64) -> Result<u64, EncodeError> {
        Ok(u64::from(self.n_secondary_source_symbols()) * u64::from(self.symbol_size(length)?))
    }

    /// Bytes of one secondary sliver for a blob of `length` bytes.
    pub fn secondary_sliver_size(&self, length: u64) -> Result<u64, EncodeError> {
        Ok(u64::from(self.n_primary_source_symbols()) * u64::from(self.symbol_size(length)?))
    }

    /// Sliver bytes of all `n` pairs: `n · (p+s) · symbol_size`.
    pub fn encoded_slivers_length(&self, length: u64) -> Result<u64, EncodeError> {
        let pair = u64::from(self.n_primary_source_symbols())
            + u64::from(self.n_secondary_source_symbols());
        Ok(u64::from(self.n_shards()) * pair * u64::from(self.symbol_size(length)?))
    }

    /// The encoded size the chain charges for: `n · metadata_length + encoded_slivers_length`.
    /// Equal to Move's `encoded_blob_length`.
    pub fn encoded_blob_length(&self, length: u64) -> Result<u64, EncodeError> {
        Ok(u64::from(self.n_shards()) * self.metadata_length()
            + self.encoded_slivers_length(length)?)
    }

    /// Weight `w` (in shards) that is a quorum: `3w ≥ 2n+1`.
    pub fn is_quorum(&self, weight: u16) -> bool {
        3 * u32::from(weight) > 2 * u32::from(self.n_shards())
    }

    /// Weight `w` (in shards) that includes at least one correct shard: `3w ≥ n+1`.
    pub fn is_above_validity(&self, weight: u16) -> bool {
        3 * u32::from(weight) > u32::from(self.n_shards())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_spec_examples() {
        for (n, f, p, s) in [
            (4, 1, 2, 3),
            (7, 2, 3, 5),
            (10, 3, 4, 7),
            (31, 10, 11, 21),
            (100, 33, 34, 67),
            (101, 33, 35, 68),
            (301, 100, 101, 201),
            (1000, 333, 334, 667),
        ] {
            let config = EncodingConfig::new(n).expect("valid");
            assert_eq!(
                (
                    config.max_faulty(),
                    config.n_primary_source_symbols(),
                    config.n_secondary_source_symbols()
                ),
                (f, p, s),
                "n = {n}"
            );
        }
    }

    #[test]
    fn fewer_than_four_shards_is_an_error() {
        for n in 0..4 {
            assert_eq!(EncodingConfig::new(n), Err(InvalidConfig { n_shards: n }));
        }
    }

    #[test]
    fn sizes_match_the_spec_examples() {
        let ten = EncodingConfig::new(10).expect("valid");
        assert_eq!(ten.encoded_blob_length(28).expect("fits"), 6_940);
        assert_eq!(ten.symbol_size(0).expect("fits"), 2);
        let thousand = EncodingConfig::new(1000).expect("valid");
        assert_eq!(thousand.encoded_blob_length(17).expect("fits"), 66_034_000);
        assert_eq!(thousand.max_blob_size(), 14_599_533_452);
        assert_eq!(thousand.symbol_size(1_048_576).expect("fits"), 6);
        assert!(thousand.symbol_size(thousand.max_blob_size()).is_ok());
        assert_eq!(
            thousand.symbol_size(thousand.max_blob_size() + 1),
            Err(EncodeError::DataTooLarge {
                length: thousand.max_blob_size() + 1,
                max: thousand.max_blob_size()
            })
        );
    }

    #[test]
    fn quorum_thresholds() {
        let config = EncodingConfig::new(10).expect("valid");
        assert!(!config.is_quorum(6));
        assert!(config.is_quorum(7));
        assert!(!config.is_above_validity(3));
        assert!(config.is_above_validity(4));
    }
}
