//! BLS12-381 in Walrus's "min_pk" variant (keys in G1, signatures in G2), as Sui's
//! `bls12381_min_pk_verify` and fastcrypto implement it, on top of `blst`: node keys, signatures
//! over protocol messages, their verification and aggregation. Shared by the chain's
//! certificate checks, the storage nodes (which sign) and the client (which verifies and
//! aggregates).

use blst::BLST_ERROR;
use blst::min_pk::AggregatePublicKey;
use blst::min_pk::AggregateSignature;
use blst::min_pk::PublicKey;
use blst::min_pk::SecretKey;
use blst::min_pk::Signature;

/// The hash-to-curve domain separation tag of fastcrypto's min_pk signatures.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_";

/// A BLS secret key that is not a valid non-zero scalar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid BLS secret key: {0}")]
pub struct InvalidBlsKey(String);

/// A BLS secret key of a storage node.
#[derive(Clone)]
pub struct BlsKey(SecretKey);

impl std::fmt::Debug for BlsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlsKey").finish_non_exhaustive()
    }
}

impl BlsKey {
    /// A key from 32 bytes of input keying material (any bytes; hashed by `blst` key generation).
    pub fn from_ikm(ikm: &[u8; 32]) -> Self {
        // `key_gen` only fails for input shorter than 32 bytes.
        match SecretKey::key_gen(ikm, &[]) {
            Ok(sk) => Self(sk),
            Err(_) => unreachable!("32 bytes of key material are always enough"),
        }
    }

    /// A key from its 32-byte big-endian scalar.
    ///
    /// # Errors
    /// If the bytes are not a valid non-zero scalar.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidBlsKey> {
        SecretKey::from_bytes(bytes)
            .map(Self)
            .map_err(|e| InvalidBlsKey(format!("{e:?}")))
    }

    /// The 32-byte big-endian scalar.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public key, compressed (48 bytes).
    pub fn public_key(&self) -> [u8; 48] {
        self.0.sk_to_pk().compress()
    }

    /// The public key, uncompressed (96 bytes), as Walrus stores it on chain.
    pub fn public_key_uncompressed(&self) -> [u8; 96] {
        self.0.sk_to_pk().serialize()
    }

    /// Signs `message` (96-byte compressed G2 signature).
    pub fn sign(&self, message: &[u8]) -> [u8; 96] {
        self.0.sign(message, DST, &[]).compress()
    }
}

/// Parses a public key (48 compressed or 96 uncompressed bytes), checking it is in the group.
pub fn public_key(bytes: &[u8]) -> Option<PublicKey> {
    let pk = PublicKey::deserialize(bytes).ok()?;
    pk.validate().ok()?;
    Some(pk)
}

/// `bls12381_min_pk_verify(signature, public_key, message)`: false for malformed inputs.
pub fn verify(signature: &[u8], public_key_bytes: &[u8], message: &[u8]) -> bool {
    let Some(pk) = public_key(public_key_bytes) else {
        return false;
    };
    verify_with(signature, &pk, message)
}

/// Verifies `signature` over `message` under an already parsed key.
pub fn verify_with(signature: &[u8], pk: &PublicKey, message: &[u8]) -> bool {
    let Ok(sig) = Signature::from_bytes(signature) else {
        return false;
    };
    sig.verify(true, message, DST, &[], pk, false) == BLST_ERROR::BLST_SUCCESS
}

/// The sum of the given public keys (`None` if the list is empty or a key is malformed).
pub fn aggregate_public_keys(keys: &[&[u8]]) -> Option<PublicKey> {
    let parsed: Vec<PublicKey> = keys
        .iter()
        .map(|k| PublicKey::deserialize(k).ok())
        .collect::<Option<_>>()?;
    let refs: Vec<&PublicKey> = parsed.iter().collect();
    AggregatePublicKey::aggregate(&refs, false)
        .ok()
        .map(|a| a.to_public_key())
}

/// The sum of the given signatures, compressed (`None` if empty or malformed).
pub fn aggregate_signatures(signatures: &[&[u8]]) -> Option<[u8; 96]> {
    let parsed: Vec<Signature> = signatures
        .iter()
        .map(|s| Signature::from_bytes(s).ok())
        .collect::<Option<_>>()?;
    let refs: Vec<&Signature> = parsed.iter().collect();
    AggregateSignature::aggregate(&refs, true)
        .ok()
        .map(|a| a.to_signature().compress())
}

/// The proof-of-possession message of `messages::ProofOfPossessionMessage::to_bcs`:
/// intent `(0, 0, 3)`, epoch, the node's Sui address and its 48-byte BLS key.
pub fn proof_of_possession_message(epoch: u32, sui_address: &[u8], bls_key: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 3];
    bytes.extend_from_slice(&epoch.to_le_bytes());
    bytes.extend_from_slice(sui_address);
    bytes.extend_from_slice(bls_key);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_aggregate() {
        let a = BlsKey::from_ikm(&[1; 32]);
        let b = BlsKey::from_ikm(&[2; 32]);
        let msg = b"hello walrus";
        let sa = a.sign(msg);
        let sb = b.sign(msg);
        assert!(verify(&sa, &a.public_key(), msg));
        assert!(verify(&sa, &a.public_key_uncompressed(), msg));
        assert!(!verify(&sa, &b.public_key(), msg));
        assert!(!verify(&sa, &a.public_key(), b"other"));
        let agg = aggregate_signatures(&[&sa, &sb]).expect("aggregate");
        let pk =
            aggregate_public_keys(&[&a.public_key_uncompressed(), &b.public_key()]).expect("keys");
        assert!(verify_with(&agg, &pk, msg));
        let restored = BlsKey::from_bytes(&a.to_bytes()).expect("key");
        assert_eq!(restored.public_key(), a.public_key());
    }
}
