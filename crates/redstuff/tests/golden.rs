//! The reference vectors computed by Walrus's own encoder (`tests/data/redstuff.json`, a copy of
//! `shared/vectors/redstuff.json`): blob IDs, root hashes, symbol sizes, rotation offsets and the
//! SHA-256 of every byte of every sliver must match exactly.

use redstuff::{BlobId, ConsistencyCheck, EncodingConfig, Node, shard_index_for_pair};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn vectors() -> Vec<Value> {
    let text = include_str!("data/redstuff.json");
    let json: Value = serde_json::from_str(text).expect("vectors are JSON");
    json["vectors"].as_array().expect("a vector list").clone()
}

fn input(vector: &Value) -> Vec<u8> {
    let input = &vector["input"];
    match input["pattern"].as_str().expect("pattern") {
        "mul7" => {
            let len = input["length"].as_u64().expect("length") as usize;
            (0..len).map(|i| ((i * 7 + 13) % 256) as u8).collect()
        }
        "ascii" => input["text"].as_str().expect("text").as_bytes().to_vec(),
        other => panic!("unknown pattern {other}"),
    }
}

fn str_field<'a>(vector: &'a Value, key: &str) -> &'a str {
    vector[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key}"))
}

#[test]
fn every_vector_matches_walrus() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 9);
    for vector in &vectors {
        let n = vector["n_shards"].as_u64().expect("n") as u16;
        let blob = input(vector);
        let name = format!("n={n} len={}", blob.len());
        let config = EncodingConfig::new(n).expect("valid n");
        let encoded = config.encode(&blob).expect("encodes");
        let metadata = encoded.metadata();

        assert_eq!(
            metadata.blob_id().to_string(),
            str_field(vector, "blob_id"),
            "{name}"
        );
        assert_eq!(
            hex::encode(metadata.blob_id().0),
            str_field(vector, "blob_id_hex"),
            "{name}"
        );
        assert_eq!(
            hex::encode(metadata.metadata().root_hash().bytes()),
            str_field(vector, "root_hash_hex"),
            "{name}"
        );
        assert_eq!(
            u64::from(encoded.symbol_size()),
            vector["symbol_size"].as_u64().expect("ss")
        );
        let offset = vector["rotation_offset"].as_u64().expect("offset") as u16;
        assert_eq!(metadata.blob_id().rotation_offset(n), offset, "{name}");
        assert_eq!(
            shard_index_for_pair(metadata.blob_id(), 0, n),
            offset,
            "{name}"
        );

        // compute_metadata gives the same result without keeping slivers.
        assert_eq!(
            &config.compute_metadata(&blob).expect("metadata"),
            metadata,
            "{name}"
        );

        if let Some(expected) = vector["primary_concat_sha256"].as_str() {
            let (mut primary, mut secondary) = (Sha256::new(), Sha256::new());
            let (mut primary_len, mut secondary_len) = (0u64, 0u64);
            for pair in encoded.sliver_pairs() {
                let (p, s) = (pair.primary.to_bcs(), pair.secondary.to_bcs());
                primary_len += p.len() as u64;
                secondary_len += s.len() as u64;
                primary.update(&p);
                secondary.update(&s);
            }
            assert_eq!(
                primary_len,
                vector["primary_concat_len"].as_u64().expect("len"),
                "{name}"
            );
            assert_eq!(hex::encode(primary.finalize()), expected, "{name}");
            assert_eq!(
                secondary_len,
                vector["secondary_concat_len"].as_u64().expect("len")
            );
            assert_eq!(
                hex::encode(secondary.finalize()),
                str_field(vector, "secondary_concat_sha256"),
                "{name}"
            );
        }

        // And the slivers decode back, from the last p primary and the last s secondary ones.
        let p = config.n_primary_source_symbols();
        let s = config.n_secondary_source_symbols();
        let from_primary = config
            .decode(
                metadata,
                (n - p..n).map(|i| encoded.primary_sliver(i)),
                ConsistencyCheck::Strict,
            )
            .expect("decodes from primary slivers");
        assert_eq!(from_primary, blob, "{name}");
        let from_secondary = config
            .decode(
                metadata,
                (n - s..n).map(|i| encoded.secondary_sliver(i)),
                ConsistencyCheck::Default,
            )
            .expect("decodes from secondary slivers");
        assert_eq!(from_secondary, blob, "{name}");
    }
}

#[test]
fn pair_zero_hashes_match_walrus() {
    // From shared/spec/walrus-protocol.md §10.
    let cases: [(u16, usize, &str, &str); 3] = [
        (
            10,
            1000,
            "137e7c9740a7366c191e7044469b2d3e44903a71152c59fbf4181488c331878d",
            "35414e560d03235bf20a77eef61aca8415a38d833953c857a7c9f5d89c6e2394",
        ),
        (
            1000,
            1,
            "0e8b0a0011558f853e0a4c5d995f40f22eea9602a9399dd8ea26c229ea055a91",
            "b7e6c0a1d40c0111a8f1a23e66ce0753f53dc333fbb7f57e9db6c1c3ba71dd0d",
        ),
        (
            1000,
            1000,
            "48e262d06b61e80737d6cc11279b401afbef40da39f15f1a78e8ee6497803ebd",
            "013fc8fe717669eae5f3b77a0d773b1d43654cc00272418988565009692ed055",
        ),
    ];
    for (n, len, primary, secondary) in cases {
        let blob: Vec<u8> = (0..len).map(|i| ((i * 7 + 13) % 256) as u8).collect();
        let metadata = EncodingConfig::new(n)
            .expect("n")
            .compute_metadata(&blob)
            .expect("fits");
        let pair = metadata.metadata().hashes()[0];
        assert_eq!(pair.primary_hash, Node::Digest(hex_32(primary)));
        assert_eq!(pair.secondary_hash, Node::Digest(hex_32(secondary)));
    }
}

#[test]
fn regression_metadata_bcs_matches_walrus() {
    let config = EncodingConfig::new(10).expect("n");
    let metadata = config
        .compute_metadata(b"walrus blob id v1 regression test")
        .expect("fits");
    let bytes = metadata.to_bcs();
    assert_eq!(bytes.len(), 703);
    assert_eq!(
        hex::encode(Sha256::digest(&bytes)),
        "77a0ee6542bfabb3d30ae155215611bb75cb1596c07b7f63fcc85b38bd45c799"
    );
    assert_eq!(hex::encode(&bytes[32..44]), "000121000000000000000a01");
    let id: BlobId = "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY"
        .parse()
        .expect("id");
    assert_eq!(metadata.blob_id(), &id);
}

#[test]
fn regression_slivers_match_the_spec_examples() {
    let config = EncodingConfig::new(10).expect("n");
    let encoded = config
        .encode(b"walrus blob id v1 regression test")
        .expect("fits");
    let pair = encoded.sliver_pair(0);
    assert_eq!(
        hex::encode(pair.primary.to_bcs()),
        "0e77616c72757320626c6f6220696402000000"
    );
    assert_eq!(
        hex::encode(pair.secondary.to_bcs()),
        "08c2f80b0295ac000002000900"
    );
}

fn hex_32(s: &str) -> [u8; 32] {
    hex::decode(s).expect("hex").try_into().expect("32 bytes")
}
