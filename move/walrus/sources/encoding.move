/// Encoding types known to the contracts. Only RS2 (RedStuff with Reed-Solomon) is supported.
module walrus::encoding;

use walrus::redstuff;

/// RedStuff with Reed-Solomon.
const RS2: u8 = 1;

/// The encoding type is invalid.
const EInvalidEncodingType: u64 = 0;

/// The encoded length of a blob of `unencoded_length` bytes with `encoding_type` on `n_shards`
/// shards. Aborts with `EInvalidEncodingType` unless the type is RS2 (1).
public fun encoded_blob_length(unencoded_length: u64, encoding_type: u8, n_shards: u16): u64 {
    assert!(encoding_type == RS2, EInvalidEncodingType);
    redstuff::encoded_blob_length(unencoded_length, n_shards)
}
