//! The verified dynamic-field IDs of walrus-onchain.md §3 (parent `0xabab…ab`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use haulout_types::{
    Address, ExtendedFieldKey, MoveType, ObjectId, Packages, TreasuryCapKey, TypeTag,
    derive_dynamic_field_id, derive_dynamic_object_field_id, dynamic_field_id_of,
    dynamic_object_field_id_of,
};

const PARENT: ObjectId = ObjectId::new([0xab; 32]);

fn packages() -> Packages {
    Packages {
        walrus: Address::new([0x11; 32]),
        wal: Address::new([0x22; 32]),
    }
}

fn id(hex: &str) -> ObjectId {
    hex.parse().expect("valid id")
}

#[test]
fn version_keys() {
    assert_eq!(
        derive_dynamic_field_id(PARENT, &TypeTag::U64, &4u64.to_le_bytes()),
        id("0x07895a21e3795ed8fbaf9bdc13ee04b809afaf6bc8968388df391d03cb0385f9")
    );
    assert_eq!(
        dynamic_field_id_of(PARENT, &1u64, &packages()).unwrap(),
        id("0x40107b177588565d0aaaca67d6e7fda6812fcaa417c4f2905b951d6b144d5f44")
    );
}

#[test]
fn blob_metadata_key() {
    let key = b"metadata".to_vec();
    assert_eq!(
        dynamic_field_id_of(PARENT, &key, &packages()).unwrap(),
        id("0xa212de915c069c0fa7b4d4bd6f5ace3abd78036c5580084b05f8340509857534")
    );
    assert_eq!(
        bcs::to_bytes(&key).unwrap()[1..],
        *haulout_types::Metadata::DYNAMIC_FIELD_KEY
    );
}

#[test]
fn extended_field_key() {
    assert_eq!(bcs::to_bytes(&ExtendedFieldKey::default()).unwrap(), [0]);
    assert_eq!(
        dynamic_field_id_of(PARENT, &ExtendedFieldKey::default(), &packages()).unwrap(),
        id("0xf1dc88c5e6df45de2d2171d3e4d07c3f1c57050da21d354f653ecec29bcaa6c6")
    );
}

#[test]
fn object_table_pool_entry() {
    let node = ObjectId::new([0xcd; 32]);
    assert_eq!(
        dynamic_object_field_id_of(PARENT, &node, &packages()).unwrap(),
        id("0xd09b3c411a0b3f614f5e2a31278df3d78c36efd068febdb796a91b3eb74d112a")
    );
    assert_eq!(
        derive_dynamic_object_field_id(PARENT, &ObjectId::type_tag(&packages()), node.as_bytes()),
        id("0xd09b3c411a0b3f614f5e2a31278df3d78c36efd068febdb796a91b3eb74d112a")
    );
}

#[test]
fn exchange_rate_entry() {
    assert_eq!(
        dynamic_field_id_of(PARENT, &1u32, &packages()).unwrap(),
        id("0x1a937fd2b64d6ab312831b28c57024d1931e35944d7681695173f75184aa131b")
    );
}

#[test]
fn treasury_cap_key() {
    assert_eq!(
        dynamic_object_field_id_of(PARENT, &TreasuryCapKey::default(), &packages()).unwrap(),
        id("0x21003c530736971c3d1bb8b263965d7e30d8a0dcc2d37ee32af0d85b96593f48")
    );
}
