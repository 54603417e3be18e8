//! Every layout against the byte vectors produced with the official SDK's BCS definitions
//! (`tests/data/walrus-onchain-*.json`, copied from `shared/vectors`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use haulout_types::{
    Address, BlsCommittee, EpochState, Field, MoveStruct, ObjectId, Packages, PoolState, Staking,
    StakingInnerV1, StakingPool, System, SystemStateInnerV1, TypeTag, derive_dynamic_field_id,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct Vector {
    id: String,
    #[serde(rename = "type")]
    type_: String,
    len: usize,
    sha256: String,
    hex: String,
}

const FILES: &[(&str, &str, u16, usize)] = &[
    (
        "10shards-1node",
        include_str!("data/walrus-onchain-10shards-1node.json"),
        10,
        1,
    ),
    (
        "12shards-4nodes",
        include_str!("data/walrus-onchain-12shards-4nodes.json"),
        12,
        4,
    ),
];

fn packages() -> Packages {
    Packages {
        walrus: Address::new([0x11; 32]),
        // Not used by these objects' tags.
        wal: Address::new([0x22; 32]),
    }
}

fn load(json: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(json).expect("vector file is JSON")
}

fn vector(map: &serde_json::Map<String, serde_json::Value>, key: &str) -> Vector {
    serde_json::from_value(map[key].clone()).expect("vector entry")
}

/// Decodes the vector as `T`, checks length, hash, ID, type string and the re-encoding, and
/// that every strict prefix and one extra byte are rejected.
fn check<T: MoveStruct + Serialize + DeserializeOwned>(v: &Vector) -> T {
    let bytes = hex::decode(&v.hex).expect("hex");
    assert_eq!(bytes.len(), v.len);
    assert_eq!(hex::encode(Sha256::digest(&bytes)), v.sha256);
    assert_eq!(format!("0x{}", hex::encode(&bytes[..32])), v.id);
    assert_eq!(T::struct_tag(&packages()).to_string(), v.type_);

    let value: T = bcs::from_bytes(&bytes).expect("decodes");
    assert_eq!(bcs::to_bytes(&value).expect("encodes"), bytes, "round trip");

    for cut in 0..bytes.len() {
        assert!(
            bcs::from_bytes::<T>(&bytes[..cut]).is_err(),
            "prefix of {cut} bytes accepted"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(
        bcs::from_bytes::<T>(&longer).is_err(),
        "trailing byte accepted"
    );
    value
}

fn check_header(obj: &System, id: u8) {
    assert_eq!(obj.id, ObjectId::new([id; 32]));
    assert_eq!(obj.version, 4);
    assert_eq!(obj.package_id, ObjectId::new([0x11; 32]));
    assert_eq!(obj.new_package_id, None);
}

fn check_committee(committee: &BlsCommittee, n_shards: u16, nodes: usize) {
    assert_eq!(committee.members.len(), nodes);
    assert_eq!(committee.n_shards, n_shards);
    assert_eq!(committee.epoch, 1);
    assert_eq!(committee.total_aggregated_key.bytes.len(), 48);
    let weights: u32 = committee.members.iter().map(|m| u32::from(m.weight)).sum();
    assert_eq!(weights, u32::from(n_shards));
    for m in &committee.members {
        assert_eq!(m.public_key.bytes.len(), 96);
        assert!(m.weight > 0);
    }
    assert!(
        committee
            .members
            .windows(2)
            .all(|w| w[0].node_id < w[1].node_id)
    );
}

#[test]
fn system_objects() {
    for (name, json, n_shards, nodes) in FILES {
        let map = load(json);

        let system: System = check(&vector(&map, "System"));
        check_header(&system, 0xaa);

        let staking: Staking = check(&vector(&map, "Staking"));
        check_header(
            &System {
                id: staking.id,
                version: staking.version,
                package_id: staking.package_id,
                new_package_id: staking.new_package_id,
            },
            0xbb,
        );

        let inner: Field<u64, SystemStateInnerV1> =
            check(&vector(&map, "Field<u64,SystemStateInnerV1>"));
        assert_eq!(
            inner.id,
            derive_dynamic_field_id(system.id, &TypeTag::U64, &4u64.to_le_bytes()),
            "{name}: field id"
        );
        assert_eq!(inner.name, system.version);
        let state = &inner.value;
        check_committee(&state.committee, *n_shards, *nodes);
        assert_eq!(state.total_capacity_size, 1 << 40);
        assert_eq!(state.used_capacity_size, 0);
        assert_eq!(state.storage_price_per_unit_size, 1000);
        assert_eq!(state.write_price_per_unit_size, 2000);
        let fa = &state.future_accounting;
        assert_eq!(fa.length, 3);
        assert_eq!(fa.ring_buffer.len(), 3);
        for i in 0..3u32 {
            let slot = &fa.ring_buffer[((fa.current_index + i) % fa.length) as usize];
            assert_eq!(slot.epoch, 1 + i);
            assert_eq!(slot.used_capacity, 0);
        }
        assert_eq!(
            state.event_blob_certification_state.latest_certified_blob,
            None
        );
        assert!(
            state
                .event_blob_certification_state
                .aggregate_weight_per_blob
                .is_empty()
        );

        let staking_inner: Field<u64, StakingInnerV1> =
            check(&vector(&map, "Field<u64,StakingInnerV1>"));
        assert_eq!(
            staking_inner.id,
            derive_dynamic_field_id(staking.id, &TypeTag::U64, &4u64.to_le_bytes()),
            "{name}: field id"
        );
        let st = &staking_inner.value;
        assert_eq!(st.n_shards, *n_shards);
        assert_eq!(st.epoch, 1);
        assert!(matches!(st.epoch_state, EpochState::EpochChangeDone(_)));
        assert_eq!(st.next_committee, None);
        assert_eq!(st.next_epoch_params, None);
        assert_eq!(st.pools.size as usize, *nodes);
        let committee = &st.committee.0;
        assert_eq!(committee.len(), *nodes);
        // Same order as the BLS committee, which the SDK relies on.
        for (entry, member) in committee.contents.iter().zip(&state.committee.members) {
            assert_eq!(entry.key, member.node_id);
            assert_eq!(entry.value.len(), usize::from(member.weight));
        }
        let shards: BTreeSet<u16> = committee
            .contents
            .iter()
            .flat_map(|e| e.value.iter().copied())
            .collect();
        assert_eq!(shards, (0..*n_shards).collect());

        for (i, member) in state.committee.members.iter().enumerate() {
            let pool: StakingPool = check(&vector(&map, &format!("StakingPool#{i}")));
            assert_eq!(pool.id, member.node_id);
            assert_eq!(pool.node_info.node_id, pool.id);
            assert_eq!(pool.state, PoolState::Active);
            assert_eq!(pool.node_info.public_key, member.public_key);
            assert_eq!(pool.node_info.network_public_key.len(), 33);
            assert!(!pool.node_info.network_address.contains("://"));
            assert!(pool.commission_rate <= 10_000);
        }
    }
}

#[test]
fn staking_pool_fields() {
    let map = load(FILES[0].1);
    let pool: StakingPool = check(&vector(&map, "StakingPool#0"));
    assert_eq!(pool.node_info.name, "node-0");
    assert_eq!(pool.node_info.network_address, "127.0.0.1:9100");
    assert_eq!(pool.voting_params.storage_price, 1000);
    assert_eq!(pool.voting_params.write_price, 2000);
    assert_eq!(pool.activation_epoch, 1);
    assert_eq!(pool.latest_epoch, 1);
}
