//! Seal's two key derivations, both plain SHA3-256 over domain-separated inputs.

use crate::{KEY_SIZE, ObjectId};
use fastcrypto::groups::bls12381::{G1Element, G2Element, GTElement};
use fastcrypto::hash::{HashFunction, Sha3_256};
use fastcrypto::serde_helpers::ToFromByteArray;

/// Domain separation tag of [`h2`].
pub const DST_H2: &[u8] = b"SUI-SEAL-IBE-BLS12381-H2-00";
/// Domain separation tag of [`h3`].
pub const DST_H3: &[u8] = b"SUI-SEAL-IBE-BLS12381-H3-00";

/// The per-share key `H2 = SHA3-256(DST_H2 ‖ gt [576] ‖ nonce [96] ‖ H1(id) [48] ‖ object id [32]
/// ‖ share index [1])` that masks one Shamir share.
pub fn h2(
    gt: &GTElement,
    nonce: &G2Element,
    gid: &G1Element,
    object_id: &ObjectId,
    index: u8,
) -> [u8; KEY_SIZE] {
    let mut h = Sha3_256::new();
    h.update(DST_H2);
    h.update(gt.to_byte_array());
    h.update(nonce.to_byte_array());
    h.update(gid.to_byte_array());
    h.update(object_id.0);
    h.update([index]);
    h.finalize().digest
}

/// What a key derived by [`h3`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPurpose {
    /// Masks the KEM randomness `r` (tag 0).
    EncryptedRandomness,
    /// The DEM key (tag 1).
    Dem,
}

/// `H3 = SHA3-256(DST_H3 ‖ base_key ‖ purpose ‖ threshold ‖ every encrypted share ‖ every key
/// server object id)`, shares and ids in the object's order.
pub fn h3(
    purpose: KeyPurpose,
    base_key: &[u8; KEY_SIZE],
    threshold: u8,
    encrypted_shares: &[[u8; KEY_SIZE]],
    object_ids: impl IntoIterator<Item = ObjectId>,
) -> [u8; KEY_SIZE] {
    let tag = match purpose {
        KeyPurpose::EncryptedRandomness => 0u8,
        KeyPurpose::Dem => 1u8,
    };
    let mut h = Sha3_256::new();
    h.update(DST_H3);
    h.update(base_key);
    h.update([tag]);
    h.update([threshold]);
    for s in encrypted_shares {
        h.update(s);
    }
    for id in object_ids {
        h.update(id.0);
    }
    h.finalize().digest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ibe::hash_to_g1;
    use fastcrypto::groups::GroupElement;
    use fastcrypto::groups::bls12381::Scalar;

    /// Seal's `test_kdf_regression` (ibe.rs; the same value in the TS and Move tests).
    #[test]
    fn h2_regression() {
        let r = Scalar::from(12345u128);
        let x = GTElement::generator() * r;
        let nonce = G2Element::generator() * r;
        let gid = hash_to_g1(&[0]);
        let key = h2(&x, &nonce, &gid, &ObjectId([0; 32]), 42);
        assert_eq!(
            hex::encode(key),
            "89befdfd6aecdce1305ddbca891d1c29f0507cfd5225cd6b11e52e60f088ea87"
        );
    }
}
