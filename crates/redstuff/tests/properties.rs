//! Property tests through the public API: decoding from any sufficient subset, recovery of any
//! sliver from any sufficient subset of symbols, detection of corruption, and inconsistency proofs
//! that verify exactly when the blob is inconsistent.

use proptest::prelude::*;
use rand::{Rng, SeedableRng, seq::index::sample};
use rand_chacha::ChaCha8Rng;
use redstuff::{
    BlobMetadata, BlobMetadataV1, BlobMetadataWithId, ConsistencyCheck, DecodeError, EncodedBlob,
    EncodingAxis, EncodingConfig, InconsistencyProof, InconsistencyProofError, Primary, Recovered,
    RecoverySymbol, Secondary, SliverData, SliverVerificationError,
};

fn blob(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = vec![0u8; len];
    rng.fill(&mut data[..]);
    data
}

/// Blob sizes from empty to a few MiB, weighted towards the small sizes where edge cases live.
fn blob_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..4096,
        2 => 4096usize..256 * 1024,
        1 => 256 * 1024usize..3 * 1024 * 1024,
    ]
}

fn sliver<A: EncodingAxis>(encoded: &EncodedBlob, index: u16) -> SliverData<A> {
    let bytes = match A::AXIS {
        redstuff::Axis::Primary => encoded.primary_bytes(index),
        redstuff::Axis::Secondary => encoded.secondary_bytes(index),
    };
    SliverData::new(bytes.to_vec(), encoded.symbol_size(), index)
}

/// Recovery symbols for target `target` of axis `T` from the orthogonal slivers `sources`.
fn symbols_for<T: EncodingAxis>(
    config: &EncodingConfig,
    encoded: &EncodedBlob,
    sources: &[u16],
    target: u16,
) -> Vec<RecoverySymbol<T>> {
    let metadata = encoded.metadata().metadata();
    sources
        .iter()
        .map(|&source| {
            sliver::<T::Orthogonal>(encoded, source)
                .symbol_source(config, metadata)
                .expect("a valid sliver")
                .recovery_symbol(target)
                .expect("target in range")
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_p_primary_or_s_secondary_slivers_decode(
        n in 4u16..=300, len in blob_len(), seed: u64,
    ) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        // Small shard counts cannot hold the largest sizes (p·s·65534 bytes).
        let data = blob(len.min(config.max_blob_size() as usize), seed);
        let encoded = config.encode(&data).expect("fits");
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 1);

        let p = usize::from(config.n_primary_source_symbols());
        let picked = sample(&mut rng, usize::from(n), p);
        let primaries = picked.iter().map(|i| encoded.primary_sliver(i as u16));
        let decoded = config.decode(encoded.metadata(), primaries, ConsistencyCheck::Default);
        prop_assert_eq!(decoded.expect("decodes from p primary slivers"), data.clone());

        let s = usize::from(config.n_secondary_source_symbols());
        let picked = sample(&mut rng, usize::from(n), s);
        let secondaries = picked.iter().map(|i| encoded.secondary_sliver(i as u16));
        let decoded = config.decode(encoded.metadata(), secondaries, ConsistencyCheck::Default);
        prop_assert_eq!(decoded.expect("decodes from s secondary slivers"), data.clone());

        // One sliver too few is an error, not a wrong answer.
        let picked = sample(&mut rng, usize::from(n), p - 1);
        let too_few = picked.iter().map(|i| encoded.primary_sliver(i as u16));
        let error = config.decode(encoded.metadata(), too_few, ConsistencyCheck::Default);
        prop_assert!(
            matches!(error, Err(DecodeError::NotEnoughSlivers { .. })),
            "expected NotEnoughSlivers, got {:?}",
            error.map(|blob| blob.len())
        );
    }

    #[test]
    fn streamed_slivers_equal_kept_slivers(n in 4u16..=120, len in blob_len(), seed: u64) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        let data = blob(len.min(config.max_blob_size() as usize), seed);
        let encoded = config.encode(&data).expect("fits");
        let streamed = std::sync::Mutex::new(std::collections::BTreeMap::new());
        let metadata = config
            .encode_streaming(&data, |sliver| {
                let previous = streamed
                    .lock()
                    .expect("not poisoned")
                    .insert((sliver.axis == redstuff::Axis::Primary, sliver.index), sliver.to_bcs());
                assert!(previous.is_none(), "each sliver is streamed once");
            })
            .expect("fits");
        prop_assert_eq!(&metadata, encoded.metadata());
        let streamed = streamed.into_inner().expect("not poisoned");
        prop_assert_eq!(streamed.len(), 2 * usize::from(n));
        for i in 0..n {
            prop_assert_eq!(&streamed[&(true, i)], &encoded.primary_sliver(i).to_bcs());
            prop_assert_eq!(&streamed[&(false, i)], &encoded.secondary_sliver(i).to_bcs());
        }
    }

    #[test]
    fn compute_metadata_equals_encode_metadata(n in 4u16..=120, len in 0usize..20_000, seed: u64) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        let data = blob(len, seed);
        let encoded = config.encode(&data).expect("fits");
        prop_assert_eq!(&config.compute_metadata(&data).expect("fits"), encoded.metadata());
    }

    #[test]
    fn any_sliver_recovers_from_any_sufficient_symbols(
        n in 4u16..=60, len in 0usize..50_000, seed: u64, primary: bool,
    ) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        let encoded = config.encode(&blob(len, seed)).expect("fits");
        let metadata = encoded.metadata().metadata();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 2);
        let target = rng.random_range(0..n);
        if primary {
            let needed = usize::from(config.n_secondary_source_symbols());
            let sources: Vec<u16> =
                sample(&mut rng, usize::from(n), needed).iter().map(|i| i as u16).collect();
            let symbols = symbols_for::<Primary>(&config, &encoded, &sources, target);
            for symbol in &symbols {
                prop_assert!(symbol.verify(&config, metadata, target).is_ok());
            }
            match config.recover_sliver(metadata, target, symbols).expect("enough symbols") {
                Recovered::Sliver(sliver) => prop_assert_eq!(sliver, encoded.primary_sliver(target)),
                Recovered::Inconsistent(_) => prop_assert!(false, "consistent blob"),
            }
        } else {
            let needed = usize::from(config.n_primary_source_symbols());
            let sources: Vec<u16> =
                sample(&mut rng, usize::from(n), needed).iter().map(|i| i as u16).collect();
            let symbols = symbols_for::<Secondary>(&config, &encoded, &sources, target);
            // One symbol too few fails cleanly.
            let too_few = config.recover_sliver(metadata, target, symbols[1..].to_vec());
            prop_assert!(too_few.is_err());
            match config.recover_sliver(metadata, target, symbols).expect("enough symbols") {
                Recovered::Sliver(sliver) => prop_assert_eq!(sliver, encoded.secondary_sliver(target)),
                Recovered::Inconsistent(_) => prop_assert!(false, "consistent blob"),
            }
        }
    }

    #[test]
    fn corrupted_slivers_and_symbols_are_detected(
        n in 4u16..=60, len in 1usize..50_000, seed: u64,
    ) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        let encoded = config.encode(&blob(len, seed)).expect("fits");
        let metadata = encoded.metadata();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 3);

        let index = rng.random_range(0..n);
        let mut bad = encoded.primary_sliver(index);
        let position = rng.random_range(0..bad.data().len());
        let mut data = bad.data().to_vec();
        data[position] ^= 1 << rng.random_range(0..8);
        bad = SliverData::new(data, bad.symbol_size(), index);
        prop_assert_eq!(
            bad.verify(&config, metadata.metadata()),
            Err(SliverVerificationError::MerkleRootMismatch)
        );
        // The corrupted sliver plus p − 1 good ones: decoding must use it, and so reject it.
        let p = usize::from(config.n_primary_source_symbols());
        let others = (0..n).filter(|i| *i != index).take(p - 1).map(|i| encoded.primary_sliver(i));
        let result = config.decode(metadata, std::iter::once(bad).chain(others), ConsistencyCheck::Default);
        let rejected = matches!(result, Err(DecodeError::InvalidSliver { .. }));
        prop_assert!(rejected, "a corrupted sliver must be rejected");

        // A flipped bit in a recovery symbol breaks its proof.
        let target = rng.random_range(0..n);
        let mut symbol = symbols_for::<Secondary>(&config, &encoded, &[index], target).remove(0);
        let position = rng.random_range(0..symbol.symbol.data.len());
        symbol.symbol.data[position] ^= 0x80;
        prop_assert!(symbol.verify(&config, metadata.metadata(), target).is_err());
    }

    #[test]
    fn inconsistency_proofs_verify_exactly_when_inconsistent(
        n in 4u16..=40, len in 1usize..20_000, seed: u64,
    ) {
        let config = EncodingConfig::new(n).expect("n >= 4");
        let data = blob(len, seed);
        let encoded = config.encode(&data).expect("fits");
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 4);
        let target = rng.random_range(0..n);
        let needed = usize::from(config.n_secondary_source_symbols());
        let sources: Vec<u16> =
            sample(&mut rng, usize::from(n), needed).iter().map(|i| i as u16).collect();
        let symbols = symbols_for::<Primary>(&config, &encoded, &sources, target);

        // Consistent blob: the proof must be rejected.
        let honest = InconsistencyProof::new(target, symbols.clone());
        prop_assert_eq!(
            honest.verify(&config, encoded.metadata().metadata()),
            Err(InconsistencyProofError::SliverNotInconsistent)
        );

        // A writer that commits to a tampered primary sliver: its row hash no longer matches
        // what the (honest) secondary slivers decode to.
        let mut tampered = encoded.primary_sliver(target).data().to_vec();
        tampered[0] ^= 0xff;
        let tampered = SliverData::<Primary>::new(tampered, encoded.symbol_size(), target);
        let tampered_root = tampered.compute_root(&config);
        let mut hashes = encoded.metadata().metadata().hashes().to_vec();
        hashes[usize::from(target)].primary_hash = tampered_root.expect("shape is right");
        let bad_metadata = BlobMetadataWithId::new_verified(BlobMetadata::V1(BlobMetadataV1 {
            encoding_type: encoded.metadata().metadata().encoding_type(),
            unencoded_length: len as u64,
            hashes,
        }));
        let proof = match config.recover_sliver(bad_metadata.metadata(), target, symbols.clone()) {
            Ok(Recovered::Inconsistent(proof)) => proof,
            other => return Err(TestCaseError::fail(format!("expected an inconsistency, got {other:?}"))),
        };
        prop_assert!(proof.verify(&config, bad_metadata.metadata()).is_ok());

        // Too few symbols, or a duplicate, is malformed.
        let short = InconsistencyProof::new(target, symbols[1..].to_vec());
        prop_assert!(
            matches!(
                short.verify(&config, bad_metadata.metadata()),
                Err(InconsistencyProofError::WrongNumberOfSymbols { .. })
            ),
            "a short proof is malformed"
        );
        let mut duplicated = symbols.clone();
        duplicated[0] = duplicated[1].clone();
        prop_assert!(InconsistencyProof::new(target, duplicated).verify(&config, bad_metadata.metadata()).is_err());
    }

    #[test]
    fn garbage_bytes_never_panic_the_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = BlobMetadataWithId::from_bcs(&bytes);
        let _ = SliverData::<Primary>::from_bcs(&bytes);
        let _ = bcs::from_bytes::<RecoverySymbol<Secondary>>(&bytes);
        let _ = bcs::from_bytes::<InconsistencyProof<Primary>>(&bytes);
        if let Ok(sliver) = SliverData::<Primary>::from_bcs(&bytes) {
            let config = EncodingConfig::new(10).expect("n");
            let encoded = config.encode(b"x").expect("fits");
            let _ = sliver.verify(&config, encoded.metadata().metadata());
            let _ = config.decode(encoded.metadata(), vec![sliver], ConsistencyCheck::Default);
        }
    }
}
