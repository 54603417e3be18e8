//! Placement of sliver pairs on shards: pair `i` of a blob lives on shard `(i + offset) mod n`,
//! where `offset` is the blob ID read as a big-endian integer modulo `n`.

use crate::BlobId;

/// The shard that stores sliver pair `pair_index` of `blob_id`.
pub fn shard_index_for_pair(blob_id: &BlobId, pair_index: u16, n_shards: u16) -> u16 {
    let n = u32::from(n_shards);
    let offset = u32::from(blob_id.rotation_offset(n_shards));
    ((u32::from(pair_index) + offset) % n) as u16
}

/// The sliver pair of `blob_id` that shard `shard_index` stores.
pub fn pair_index_for_shard(blob_id: &BlobId, shard_index: u16, n_shards: u16) -> u16 {
    let n = u32::from(n_shards);
    let offset = u32::from(blob_id.rotation_offset(n_shards));
    ((n + u32::from(shard_index) - offset) % n) as u16
}

/// Reorders per-pair items so that element `k` belongs to shard `k` (`rotate_right(offset)`).
pub fn rotate_pairs_to_shards<T>(blob_id: &BlobId, pairs: &mut [T]) {
    if let Ok(n) = u16::try_from(pairs.len()) {
        if n > 0 {
            pairs.rotate_right(usize::from(blob_id.rotation_offset(n)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_and_shard_are_inverse() {
        let id: BlobId = "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY"
            .parse()
            .expect("valid");
        for pair in 0..10 {
            let shard = shard_index_for_pair(&id, pair, 10);
            assert_eq!(shard, (pair + 8) % 10);
            assert_eq!(pair_index_for_shard(&id, shard, 10), pair);
        }
        let mut pairs: Vec<u16> = (0..10).collect();
        rotate_pairs_to_shards(&id, &mut pairs);
        for (shard, pair) in pairs.iter().enumerate() {
            assert_eq!(shard_index_for_pair(&id, *pair, 10), shard as u16);
        }
    }
}
