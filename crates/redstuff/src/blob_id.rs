//! Blob IDs: the 32-byte commitment to a blob's encoding, and their text and on-chain forms.

use std::{fmt, str::FromStr};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{hash::blake2b256_parts, merkle::Node, metadata::EncodingType};

/// A blob ID: `BLAKE2b-256(encoding_type_u8 || u64_le(unencoded_length) || root_hash)`.
///
/// Displayed and parsed as base64url without padding (43 characters). In BCS it is 32 raw bytes; in
/// JSON and other human-readable formats it is the base64url string. On chain (Move `u256`) it is
/// the little-endian integer of the same 32 bytes; see [`BlobId::to_u256_decimal`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BlobId(pub [u8; 32]);

/// A string is not a blob ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobIdParseError {
    /// Not valid base64url without padding.
    #[error("blob id is not base64url without padding: {0}")]
    Base64(String),
    /// Decoded to the wrong number of bytes.
    #[error("blob id must decode to 32 bytes, got {0}")]
    Length(usize),
    /// Not a decimal `u256`.
    #[error("not a decimal u256: {0:?}")]
    Decimal(String),
}

impl BlobId {
    /// Length of a blob ID in bytes.
    pub const LENGTH: usize = 32;

    /// Derives the blob ID from the encoding type, the unencoded length and the metadata root hash.
    pub fn from_parts(
        encoding_type: EncodingType,
        unencoded_length: u64,
        root_hash: &Node,
    ) -> Self {
        Self(blake2b256_parts(&[
            &[encoding_type as u8],
            &unencoded_length.to_le_bytes(),
            &root_hash.bytes(),
        ]))
    }

    /// The raw 32 bytes (also the BCS of the Move `u256`).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The shard-rotation offset: the ID as a big-endian integer, modulo `n_shards`.
    pub fn rotation_offset(&self, n_shards: u16) -> u16 {
        let n = u32::from(n_shards.max(1));
        let rem = self
            .0
            .iter()
            .fold(0u32, |acc, byte| (acc * 256 + u32::from(*byte)) % n);
        u16::try_from(rem).expect("remainder is below a u16 modulus")
    }

    /// The decimal form of the on-chain `u256` (the little-endian integer of the bytes).
    pub fn to_u256_decimal(&self) -> String {
        let mut limbs = self.0;
        limbs.reverse(); // big-endian for long division
        let mut digits = Vec::new();
        while limbs.iter().any(|b| *b != 0) {
            let mut rem = 0u32;
            for limb in limbs.iter_mut() {
                let cur = rem * 256 + u32::from(*limb);
                *limb = (cur / 10) as u8;
                rem = cur % 10;
            }
            digits.push(b'0' + rem as u8);
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits.reverse();
        String::from_utf8(digits).expect("ascii digits")
    }

    /// Parses the decimal form of the on-chain `u256`.
    ///
    /// # Errors
    /// [`BlobIdParseError::Decimal`] if `s` is not a decimal number below 2^256.
    pub fn from_u256_decimal(s: &str) -> Result<Self, BlobIdParseError> {
        let err = || BlobIdParseError::Decimal(s.to_owned());
        if s.is_empty() || s.len() > 78 {
            return Err(err());
        }
        let mut le = [0u8; 32];
        for ch in s.bytes() {
            let digit = ch.checked_sub(b'0').filter(|d| *d < 10).ok_or_else(err)?;
            let mut carry = u32::from(digit);
            for limb in le.iter_mut() {
                let cur = u32::from(*limb) * 10 + carry;
                *limb = cur as u8;
                carry = cur >> 8;
            }
            if carry != 0 {
                return Err(err());
            }
        }
        Ok(Self(le))
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobId({self})")
    }
}

impl FromStr for BlobId {
    type Err = BlobIdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|e| BlobIdParseError::Base64(e.to_string()))?;
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| BlobIdParseError::Length(b.len()))?;
        Ok(Self(array))
    }
}

impl Serialize for BlobId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for BlobId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(deserializer).map(Self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGRESSION: &str = "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY";

    #[test]
    fn text_round_trip() {
        let id: BlobId = REGRESSION.parse().expect("valid");
        assert_eq!(id.to_string(), REGRESSION);
        assert_eq!(
            hex::encode(id.0),
            "45c53cd8cc1ff82164bf52da23fdaa72900dc29194b86dd33309d5cd9c43da46"
        );
    }

    #[test]
    fn bad_text_is_rejected() {
        assert!(matches!(
            "abc".parse::<BlobId>(),
            Err(BlobIdParseError::Length(2))
        ));
        assert!(matches!(
            "!!!".parse::<BlobId>(),
            Err(BlobIdParseError::Base64(_))
        ));
        let padded = format!("{REGRESSION}=");
        assert!(padded.parse::<BlobId>().is_err());
    }

    #[test]
    fn serde_forms() {
        let id: BlobId = REGRESSION.parse().expect("valid");
        assert_eq!(bcs::to_bytes(&id).expect("bcs"), id.0.to_vec());
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            format!("\"{REGRESSION}\"")
        );
        assert_eq!(bcs::from_bytes::<BlobId>(&id.0).expect("bcs"), id);
        assert_eq!(
            serde_json::from_str::<BlobId>(&format!("\"{REGRESSION}\"")).expect("json"),
            id
        );
    }

    #[test]
    fn u256_decimal_round_trip() {
        let mut one = [0u8; 32];
        one[0] = 1;
        assert_eq!(BlobId(one).to_u256_decimal(), "1");
        let mut big = [0u8; 32];
        big[1] = 1;
        assert_eq!(BlobId(big).to_u256_decimal(), "256");
        assert_eq!(
            BlobId([0xff; 32]).to_u256_decimal(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        );
        for id in [
            BlobId([0; 32]),
            BlobId([0xff; 32]),
            REGRESSION.parse().expect("valid"),
        ] {
            assert_eq!(
                BlobId::from_u256_decimal(&id.to_u256_decimal()).expect("parses"),
                id
            );
        }
        assert!(
            BlobId::from_u256_decimal(
                "115792089237316195423570985008687907853269984665640564039457584007913129639936"
            )
            .is_err()
        );
        assert!(BlobId::from_u256_decimal("12a").is_err());
        assert!(BlobId::from_u256_decimal("").is_err());
    }

    #[test]
    fn rotation_offset_is_big_endian_mod_n() {
        let id: BlobId = REGRESSION.parse().expect("valid");
        assert_eq!(id.rotation_offset(10), 8);
    }
}
