/// Sizes of RedStuff/RS2-encoded blobs; the same formulas as haulout's `redstuff` crate and
/// Walrus's `walrus-core` (walrus-protocol.md §1.7).
module walrus::redstuff;

/// Length of a Merkle root in the metadata.
const DIGEST_LEN: u64 = 32;
/// Length of the blob ID stored with the metadata.
const BLOB_ID_LEN: u64 = 32;

/// The encoded length of a blob of `unencoded_length` bytes on `n_shards` shards: all slivers
/// plus, per shard, the metadata (2 hashes per sliver pair and the blob ID).
public fun encoded_blob_length(unencoded_length: u64, n_shards: u16): u64 {
    let symbols_per_pair =
        (source_symbols_primary(n_shards) as u64) + (source_symbols_secondary(n_shards) as u64);
    let slivers_size = symbols_per_pair * (symbol_size(unencoded_length, n_shards) as u64);
    (n_shards as u64) * (slivers_size + metadata_size(n_shards))
}

/// Number of primary source symbols per sliver: n - 2f.
public fun source_symbols_primary(n_shards: u16): u16 {
    n_shards - 2 * max_byzantine(n_shards)
}

/// Number of secondary source symbols per sliver: n - f.
public fun source_symbols_secondary(n_shards: u16): u16 {
    n_shards - max_byzantine(n_shards)
}

/// The symbol size for a blob: ceil(len / (p·s)) rounded up to an even number (at least 2).
/// Aborts (arithmetic error) if it does not fit in a u16.
public fun symbol_size(unencoded_length: u64, n_shards: u16): u16 {
    let len = if (unencoded_length == 0) 1 else unencoded_length;
    let n_symbols =
        (source_symbols_primary(n_shards) as u64) *
        (source_symbols_secondary(n_shards) as u64);
    let mut size = ((len - 1) / n_symbols + 1) as u16;
    if (size % 2 == 1) {
        size = size + 1;
    };
    size
}

/// Metadata stored by each node: n·2 hashes and the blob ID.
fun metadata_size(n_shards: u16): u64 {
    (n_shards as u64) * DIGEST_LEN * 2 + BLOB_ID_LEN
}

/// f = floor((n - 1) / 3).
fun max_byzantine(n_shards: u16): u16 {
    (n_shards - 1) / 3
}
