//! ElGamal in G1, with which a key server returns a user secret key only the requesting client
//! can read: the client's ephemeral secret is x, `enc_key = x·g1`, `enc_verification_key = x·g2`;
//! the server answers `(c1, c2) = (ρ·g1, ρ·enc_key + usk)` and the client computes
//! `usk = c2 − x·c1`.

use crate::Error;
use crate::codec::{Fixed, bytes_serde};
use crate::ibe::{G1_LEN, G2_LEN, SCALAR_LEN, UserSecretKey, random_scalar};
use fastcrypto::groups::bls12381::{G1Element, G2Element, Scalar};
use fastcrypto::groups::{GroupElement, Pairing};
use fastcrypto::serde_helpers::ToFromByteArray;
use rand::CryptoRng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The client's ephemeral secret x.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Scalar);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("elgamal::SecretKey(<secret>)")
    }
}

/// `enc_key = x·g1` (48 bytes), sent in `FetchKeyRequest::enc_key`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PublicKey(G1Element);

/// `enc_verification_key = x·g2` (96 bytes); a standalone key server only signs over it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VerificationKey(G2Element);

/// An encrypted user secret key `(c1, c2)`: JSON `[base64 c1, base64 c2]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Encryption {
    /// `ρ·g1`.
    pub c1: G1Element,
    /// `ρ·enc_key + usk`.
    pub c2: G1Element,
}

/// A fresh ephemeral key triple.
pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> (SecretKey, PublicKey, VerificationKey) {
    let sk = SecretKey(random_scalar(rng));
    let (pk, vk) = (sk.public_key(), sk.verification_key());
    (sk, pk, vk)
}

/// Server side: encrypts `usk` to the client's `enc_key`.
pub fn encrypt<R: CryptoRng + ?Sized>(
    usk: &UserSecretKey,
    enc_key: &PublicKey,
    rng: &mut R,
) -> Encryption {
    let rho = random_scalar(rng);
    Encryption {
        c1: G1Element::generator() * rho,
        c2: enc_key.0 * rho + usk.0,
    }
}

/// Client side: recovers the user secret key (verify it with [`UserSecretKey::verify`]).
pub fn decrypt(sk: &SecretKey, enc: &Encryption) -> UserSecretKey {
    UserSecretKey(enc.c2 - enc.c1 * sk.0)
}

impl SecretKey {
    /// From 32 big-endian bytes.
    pub fn from_bytes(bytes: &[u8; SCALAR_LEN]) -> Result<Self, Error> {
        Scalar::from_byte_array(bytes)
            .map(Self)
            .map_err(|_| Error::InvalidEncoding("ElGamal secret key"))
    }

    /// The 32 big-endian bytes (secret).
    pub fn to_bytes(&self) -> [u8; SCALAR_LEN] {
        self.0.to_byte_array()
    }

    /// `x·g1`.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(G1Element::generator() * self.0)
    }

    /// `x·g2`.
    pub fn verification_key(&self) -> VerificationKey {
        VerificationKey(G2Element::generator() * self.0)
    }
}

impl PublicKey {
    /// From the compressed encoding (checked to be in G1).
    pub fn from_bytes(bytes: &[u8; G1_LEN]) -> Result<Self, Error> {
        G1Element::from_byte_array(bytes)
            .map(Self)
            .map_err(|_| Error::InvalidEncoding("G1 ElGamal key"))
    }

    /// The compressed encoding.
    pub fn to_bytes(&self) -> [u8; G1_LEN] {
        self.0.to_byte_array()
    }

    /// Checks that `vk` has the same discrete log: `e(enc_key, g2) == e(g1, vk)`.
    pub fn matches(&self, vk: &VerificationKey) -> bool {
        self.0.pairing(&G2Element::generator()) == G1Element::generator().pairing(&vk.0)
    }
}

impl VerificationKey {
    /// From the compressed encoding (checked to be in G2).
    pub fn from_bytes(bytes: &[u8; G2_LEN]) -> Result<Self, Error> {
        G2Element::from_byte_array(bytes)
            .map(Self)
            .map_err(|_| Error::InvalidEncoding("G2 ElGamal verification key"))
    }

    /// The compressed encoding.
    pub fn to_bytes(&self) -> [u8; G2_LEN] {
        self.0.to_byte_array()
    }
}

bytes_serde!(PublicKey, G1_LEN);
bytes_serde!(VerificationKey, G2_LEN);

impl Serialize for Encryption {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            Fixed(self.c1.to_byte_array()),
            Fixed(self.c2.to_byte_array()),
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Encryption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (c1, c2) = <(Fixed<G1_LEN>, Fixed<G1_LEN>)>::deserialize(d)?;
        let point = |b: &Fixed<G1_LEN>| {
            G1Element::from_byte_array(&b.0)
                .map_err(|_| serde::de::Error::custom("encrypted key is not a pair of G1 points"))
        };
        Ok(Self {
            c1: point(&c1)?,
            c2: point(&c2)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ibe::MasterKey;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn round_trip_and_json() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let usk = MasterKey::generate(&mut rng).extract(b"id");
        let (sk, pk, vk) = generate(&mut rng);
        assert!(pk.matches(&vk));
        assert!(!pk.matches(&generate(&mut rng).2));
        let enc = encrypt(&usk, &pk, &mut rng);
        assert_eq!(decrypt(&sk, &enc), usk);
        assert_ne!(decrypt(&generate(&mut rng).0, &enc), usk);

        let json = serde_json::to_value(enc).unwrap();
        let arr = json.as_array().unwrap();
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[0].as_str().unwrap().len(), 64); // base64 of 48 bytes
        assert_eq!(serde_json::from_value::<Encryption>(json).unwrap(), enc);
        assert_eq!(bcs::to_bytes(&enc).unwrap().len(), 96);
        assert!(serde_json::from_str::<Encryption>("[\"AAAA\",\"AAAA\"]").is_err());
        assert_eq!(SecretKey::from_bytes(&sk.to_bytes()).unwrap(), sk);
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(VerificationKey::from_bytes(&vk.to_bytes()).unwrap(), vk);
    }
}
