//! Boneh–Franklin identity-based encryption over BLS12-381, as Seal uses it: master public keys
//! and nonces in G2 (96 bytes), user secret keys in G1 (48 bytes), scalars as 32 big-endian bytes.

use crate::codec::bytes_serde;
use crate::{Error, ObjectId};
use fastcrypto::groups::bls12381::{
    G1Element, G2Element, GTElement, Scalar, buffer_to_scalar_mod_r,
};
use fastcrypto::groups::{GroupElement, HashToGroupElement, Pairing};
use fastcrypto::serde_helpers::ToFromByteArray;
use rand::CryptoRng;
use std::fmt;

/// Prefix of the identity hash: `H1(id) = hash_to_G1(DST_ID ‖ id)`.
pub const DST_ID: &[u8] = b"SUI-SEAL-IBE-BLS12381-00";
/// Prefix of the proof-of-possession message.
pub const DST_POP: &[u8] = b"SUI-SEAL-IBE-BLS12381-POP-00";

/// Length of a compressed G1 element.
pub const G1_LEN: usize = 48;
/// Length of a compressed G2 element.
pub const G2_LEN: usize = 96;
/// Length of a scalar.
pub const SCALAR_LEN: usize = 32;

/// A uniformly random scalar (64 random bytes reduced mod r, as fastcrypto's `Scalar::rand`).
pub(crate) fn random_scalar<R: CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    let mut buf = [0u8; 64];
    rng.fill_bytes(&mut buf);
    match buffer_to_scalar_mod_r(&buf) {
        Ok(s) => s,
        // 64 bytes is always an accepted length.
        Err(_) => Scalar::from(1u128),
    }
}

/// `H1(full_id)`: RFC 9380 hash to G1 (the standard min-sig DST) of `DST_ID ‖ full_id`.
pub fn hash_to_g1(full_id: &[u8]) -> G1Element {
    let mut msg = Vec::with_capacity(DST_ID.len() + full_id.len());
    msg.extend_from_slice(DST_ID);
    msg.extend_from_slice(full_id);
    G1Element::hash_to_group_element(&msg)
}

/// A key server's master secret key `msk`.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey(pub(crate) Scalar);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<secret>)")
    }
}

impl MasterKey {
    /// A fresh random master key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        Self(random_scalar(rng))
    }

    /// From 32 big-endian bytes; rejects values not below the group order.
    pub fn from_bytes(bytes: &[u8; SCALAR_LEN]) -> Result<Self, Error> {
        Scalar::from_byte_array(bytes)
            .map(Self)
            .map_err(|_| Error::InvalidEncoding("master key (BLS12-381 scalar)"))
    }

    /// The 32 big-endian bytes (secret).
    pub fn to_bytes(&self) -> [u8; SCALAR_LEN] {
        self.0.to_byte_array()
    }

    /// The master public key `msk·g2`.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(G2Element::generator() * self.0)
    }

    /// The user secret key for a full id: `usk = msk·H1(full_id)`.
    pub fn extract(&self, full_id: &[u8]) -> UserSecretKey {
        UserSecretKey(hash_to_g1(full_id) * self.0)
    }

    /// The proof of possession served by `GET /v1/service`: a BLS signature (min-sig) over
    /// `DST_POP ‖ pk ‖ object_id`, where `object_id` is the key server's on-chain object.
    pub fn proof_of_possession(&self, object_id: &ObjectId) -> ProofOfPossession {
        ProofOfPossession(pop_message_hash(&self.public_key(), object_id) * self.0)
    }
}

fn pop_message_hash(pk: &PublicKey, object_id: &ObjectId) -> G1Element {
    let mut msg = Vec::with_capacity(DST_POP.len() + G2_LEN + 32);
    msg.extend_from_slice(DST_POP);
    msg.extend_from_slice(&pk.to_bytes());
    msg.extend_from_slice(&object_id.0);
    G1Element::hash_to_group_element(&msg)
}

/// A key server's master public key (G2, 96 bytes compressed).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey(pub(crate) G2Element);

/// A user secret key for one full id (G1, 48 bytes compressed).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UserSecretKey(pub(crate) G1Element);

/// The KEM nonce `r·g2` shared by all shares of one object (G2, 96 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Nonce(pub(crate) G2Element);

/// A key server's proof of possession of its master key (G1, 48 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ProofOfPossession(pub(crate) G1Element);

macro_rules! point {
    ($ty:ident, $inner:ty, $len:expr, $what:literal) => {
        impl $ty {
            /// From the compressed encoding; rejects anything that is not a point of the
            /// prime-order subgroup.
            pub fn from_bytes(bytes: &[u8; $len]) -> Result<Self, Error> {
                <$inner>::from_byte_array(bytes)
                    .map(Self)
                    .map_err(|_| Error::InvalidEncoding($what))
            }

            /// The compressed encoding.
            pub fn to_bytes(&self) -> [u8; $len] {
                self.0.to_byte_array()
            }
        }
        bytes_serde!($ty, $len);
    };
}
point!(PublicKey, G2Element, G2_LEN, "G2 public key");
point!(UserSecretKey, G1Element, G1_LEN, "G1 user secret key");
point!(Nonce, G2Element, G2_LEN, "G2 nonce");
point!(
    ProofOfPossession,
    G1Element,
    G1_LEN,
    "G1 proof of possession"
);

impl UserSecretKey {
    /// Checks `e(usk, g2) == e(H1(full_id), pk)`: the key is the one `pk`'s server must give for
    /// this id. A client runs this on every key it receives.
    pub fn verify(&self, full_id: &[u8], pk: &PublicKey) -> Result<(), Error> {
        if self.0.pairing(&G2Element::generator()) == hash_to_g1(full_id).pairing(&pk.0) {
            Ok(())
        } else {
            Err(Error::Verification("user secret key"))
        }
    }
}

impl ProofOfPossession {
    /// Checks the proof against the server's public key and its object id.
    pub fn verify(&self, pk: &PublicKey, object_id: &ObjectId) -> Result<(), Error> {
        if self.0.pairing(&G2Element::generator()) == pop_message_hash(pk, object_id).pairing(&pk.0)
        {
            Ok(())
        } else {
            Err(Error::Verification("proof of possession"))
        }
    }
}

/// The pairing value an encryptor computes for server `pk`: `e(r·H1(id), pk)`.
pub(crate) fn encapsulate(gid_r: &G1Element, pk: &PublicKey) -> GTElement {
    gid_r.pairing(&pk.0)
}

/// The pairing value a decryptor computes with its user key: `e(usk, nonce)`.
pub(crate) fn decapsulate(usk: &UserSecretKey, nonce: &Nonce) -> GTElement {
    usk.0.pairing(&nonce.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::full_id;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// Seal's `test_hash_with_prefix_regression` (Rust, TypeScript and Move agree on it).
    #[test]
    fn hash_to_g1_regression() {
        let h = hash_to_g1(&full_id(&ObjectId([0; 32]), &[1, 2, 3, 4]));
        assert_eq!(
            hex::encode(h.to_byte_array()),
            "a2f2624fda29c88ccacd286b560572d8c1261a5687e0c0cdbdcbef93bf0ec5c373563fac64a2cb5bb326cc6181ee65d7"
        );
    }

    #[test]
    fn extract_verify_and_pop() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let msk = MasterKey::generate(&mut rng);
        let pk = msk.public_key();
        let id = full_id(&ObjectId([3; 32]), b"inner");
        let usk = msk.extract(&id);
        usk.verify(&id, &pk).unwrap();
        assert!(usk.verify(b"other id", &pk).is_err());
        assert!(
            usk.verify(&id, &MasterKey::generate(&mut rng).public_key())
                .is_err()
        );

        let object = ObjectId([9; 32]);
        let pop = msk.proof_of_possession(&object);
        pop.verify(&pk, &object).unwrap();
        assert!(pop.verify(&pk, &ObjectId([8; 32])).is_err());

        // encodings round-trip
        assert_eq!(MasterKey::from_bytes(&msk.to_bytes()).unwrap(), msk);
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(UserSecretKey::from_bytes(&usk.to_bytes()).unwrap(), usk);
        assert!(MasterKey::from_bytes(&[0xff; 32]).is_err());
        assert!(PublicKey::from_bytes(&[0x11; 96]).is_err());
        assert!(UserSecretKey::from_bytes(&[0x11; 48]).is_err());
    }
}
