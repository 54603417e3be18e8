//! Decoding and recovery with attacker-controlled slivers and symbols: a small blob is encoded,
//! then the fuzzer's bytes overwrite parts of its slivers, metadata and symbols. Nothing may panic,
//! and whatever decodes must be the original blob (or a typed error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use redstuff::{
    ConsistencyCheck, EncodingConfig, InconsistencyProof, Primary, Recovered, Secondary, SliverData,
};

fuzz_target!(|data: &[u8]| {
    let [n, len_lo, len_hi, mode, rest @ ..] = data else { return };
    let n = 4 + u16::from(*n % 37);
    let len = usize::from(u16::from_le_bytes([*len_lo, *len_hi])) % 4096;
    let config = EncodingConfig::new(n).expect("n >= 4");
    let blob: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
    let encoded = config.encode(&blob).expect("small blobs fit");
    let metadata = encoded.metadata();

    // Slivers from the fuzzer: BCS first, then raw bytes patched over real slivers.
    let mut primaries: Vec<SliverData<Primary>> = (0..n).map(|i| encoded.primary_sliver(i)).collect();
    if let Ok(sliver) = SliverData::<Primary>::from_bcs(rest) {
        primaries.insert(0, sliver);
    }
    for (i, chunk) in rest.chunks(3).enumerate() {
        if let [index, position, value] = chunk {
            let target = usize::from(*index) % primaries.len();
            let sliver = &primaries[target];
            let mut bytes = sliver.data().to_vec();
            if !bytes.is_empty() {
                let at = usize::from(*position) % bytes.len();
                bytes[at] ^= value;
            }
            primaries[target] = SliverData::new(bytes, sliver.symbol_size(), sliver.index ^ (i as u16 & u16::from(*mode & 1)));
        }
    }
    let check = match mode % 3 {
        0 => ConsistencyCheck::Default,
        1 => ConsistencyCheck::Strict,
        _ => ConsistencyCheck::Skip,
    };
    if let Ok(decoded) = config.decode(metadata, primaries.clone(), check) {
        assert_eq!(decoded, blob, "verified slivers decode to the blob");
    }

    // Recovery symbols with fuzzed bytes.
    let target = u16::from(*mode) % n;
    let symbols: Vec<_> = primaries
        .iter()
        .filter_map(|sliver| sliver.symbol_source(&config, metadata.metadata()).ok())
        .filter_map(|source| source.recovery_symbol(target))
        .collect();
    match config.recover_sliver::<Secondary>(metadata.metadata(), target, symbols.clone()) {
        Ok(Recovered::Sliver(sliver)) => assert_eq!(sliver, encoded.secondary_sliver(target)),
        Ok(Recovered::Inconsistent(proof)) => {
            panic!("a consistent blob produced an inconsistency proof: {proof:?}")
        }
        Err(_) => {}
    }
    let proof = InconsistencyProof::new(target, symbols);
    assert!(proof.verify(&config, metadata.metadata()).is_err(), "consistent blob");
});
