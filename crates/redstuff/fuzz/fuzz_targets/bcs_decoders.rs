//! Every BCS decoder for data that arrives from the network or a file, fed arbitrary bytes: none
//! may panic, and whatever decodes must re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redstuff::{
    BlobId, BlobMetadataWithId, EitherInconsistencyProof, Primary, RecoverySymbol, Secondary,
    Sliver, SliverData,
};

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(data: &[u8]) {
    if let Ok(value) = bcs::from_bytes::<T>(data) {
        assert_eq!(bcs::to_bytes(&value).expect("decoded values encode"), data);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<BlobMetadataWithId>(data);
    round_trip::<SliverData<Primary>>(data);
    round_trip::<SliverData<Secondary>>(data);
    round_trip::<Sliver>(data);
    round_trip::<RecoverySymbol<Primary>>(data);
    round_trip::<RecoverySymbol<Secondary>>(data);
    round_trip::<EitherInconsistencyProof>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = text.parse::<BlobId>();
        let _ = BlobId::from_u256_decimal(text);
    }
});
