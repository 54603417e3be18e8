//! Identifiers and scalar newtypes: object IDs, `u256`, blob IDs, epochs.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
pub use sui_sdk_types::Address;

/// A Walrus epoch number (Move `u32`).
pub type Epoch = u32;

/// A Sui object ID: Move `0x2::object::ID` (and `UID`, which has the same 32 bytes on the wire).
///
/// Displays as `0x` followed by 64 lowercase hex digits; BCS is 32 raw bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ObjectId(pub Address);

impl ObjectId {
    /// The all-zero ID.
    pub const ZERO: Self = Self(Address::ZERO);

    /// An ID from its 32 bytes.
    pub const fn new(bytes: [u8; 32]) -> Self {
        Self(Address::new(bytes))
    }

    /// The 32 bytes of the ID.
    pub const fn into_bytes(self) -> [u8; 32] {
        self.0.into_inner()
    }

    /// The 32 bytes of the ID, borrowed.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        self.0.inner()
    }

    /// The ID as a Sui address (the same bytes).
    pub const fn to_address(self) -> Address {
        self.0
    }
}

impl Default for ObjectId {
    fn default() -> Self {
        Self::ZERO
    }
}

impl From<Address> for ObjectId {
    fn from(address: Address) -> Self {
        Self(address)
    }
}

impl From<ObjectId> for Address {
    fn from(id: ObjectId) -> Self {
        id.0
    }
}

impl From<[u8; 32]> for ObjectId {
    fn from(bytes: [u8; 32]) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.0)
    }
}

impl FromStr for ObjectId {
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::from_str(s)
            .map(Self)
            .map_err(|_| IdParseError::Address(s.to_owned()))
    }
}

/// Errors parsing the text form of an identifier or number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdParseError {
    /// Not a `0x`-prefixed hex address of at most 64 digits.
    #[error("invalid address or object id {0:?}: expected 0x followed by up to 64 hex digits")]
    Address(String),
    /// Not a decimal number that fits in 256 bits.
    #[error("invalid u256 {0:?}: expected a decimal number below 2^256")]
    U256(String),
    /// Not 43 characters of unpadded base64url decoding to 32 bytes.
    #[error("invalid blob id {0:?}: expected 43 characters of unpadded base64url (32 bytes)")]
    BlobId(String),
}

/// Move `u256`: 32 bytes, little-endian, as BCS writes it.
///
/// A blob ID or root hash read on chain is the `u256` obtained by BCS-decoding its 32 bytes, so
/// [`U256::from_le_bytes`] of the raw blob-ID bytes is the on-chain value and
/// [`U256::to_le_bytes`] gives the raw bytes back (walrus-protocol.md §2.4).
/// Human-readable serde formats use a decimal string, as Sui's JSON does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256([u8; 32]);

impl U256 {
    /// Zero.
    pub const ZERO: Self = Self([0; 32]);
    /// 2^256 - 1.
    pub const MAX: Self = Self([0xff; 32]);

    /// The value whose little-endian bytes are `bytes` (the BCS form).
    pub const fn from_le_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The little-endian bytes (the BCS form, and the raw bytes of a blob ID).
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The value whose big-endian bytes are `bytes`.
    pub fn from_be_bytes(mut bytes: [u8; 32]) -> Self {
        bytes.reverse();
        Self(bytes)
    }

    /// The big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 32] {
        let mut bytes = self.0;
        bytes.reverse();
        bytes
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 32]
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! u256_from_uint {
    ($($t:ty),*) => {$(
        impl From<$t> for U256 {
            fn from(v: $t) -> Self {
                let mut bytes = [0u8; 32];
                let le = v.to_le_bytes();
                bytes[..le.len()].copy_from_slice(&le);
                Self(bytes)
            }
        }
    )*};
}
u256_from_uint!(u8, u16, u32, u64, u128);

impl fmt::Display for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Nineteen decimal digits at a time (10^19 < 2^64): five passes of four 128-bit
        // divisions instead of 78 passes of 32 byte divisions — blob IDs in events and JSON are
        // rendered for every indexed event.
        const CHUNK: u128 = 10_000_000_000_000_000_000;
        let mut limbs = [0u64; 4];
        for (limb, bytes) in limbs.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(bytes);
            *limb = u64::from_le_bytes(le);
        }
        let mut parts = [0u64; 5];
        let mut n = 0;
        loop {
            let mut rem: u128 = 0;
            for limb in limbs.iter_mut().rev() {
                let cur = (rem << 64) | u128::from(*limb);
                // rem < CHUNK, so the quotient is below 2^64.
                *limb = (cur / CHUNK) as u64;
                rem = cur % CHUNK;
            }
            parts[n] = rem as u64;
            n += 1;
            if limbs == [0; 4] {
                break;
            }
        }
        let mut parts = parts[..n].iter().rev();
        if let Some(first) = parts.next() {
            write!(f, "{first}")?;
        }
        for part in parts {
            write!(f, "{part:019}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256({self})")
    }
}

impl FromStr for U256 {
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || IdParseError::U256(s.to_owned());
        if s.is_empty() {
            return Err(err());
        }
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        // Nineteen digits at a time: `limbs = limbs * 10^len + chunk`, little-endian limbs.
        let digits = s.as_bytes();
        let mut limbs = [0u64; 4];
        let mut at = 0;
        let mut len = match digits.len() % 19 {
            0 => 19,
            r => r,
        };
        while at < digits.len() {
            let chunk = &digits[at..at + len];
            let value = chunk
                .iter()
                .fold(0u64, |acc, c| acc * 10 + u64::from(c - b'0'));
            let scale = u128::from(10u64.pow(u32::try_from(len).map_err(|_| err())?));
            let mut carry = u128::from(value);
            for limb in &mut limbs {
                let cur = u128::from(*limb) * scale + carry;
                *limb = cur as u64;
                carry = cur >> 64;
            }
            if carry != 0 {
                return Err(err());
            }
            at += len;
            len = 19;
        }
        let mut out = [0u8; 32];
        for (bytes, limb) in out.chunks_exact_mut(8).zip(limbs) {
            bytes.copy_from_slice(&limb.to_le_bytes());
        }
        Ok(Self(out))
    }
}

impl From<BlobId> for U256 {
    fn from(id: BlobId) -> Self {
        Self(id.0)
    }
}

impl From<U256> for BlobId {
    fn from(v: U256) -> Self {
        Self(v.0)
    }
}

impl Serialize for U256 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serialize_fixed(&self.0, serializer)
        }
    }
}

impl<'de> Deserialize<'de> for U256 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            s.parse().map_err(de::Error::custom)
        } else {
            deserialize_fixed::<D, 32>(deserializer).map(Self)
        }
    }
}

/// A Walrus blob ID: 32 bytes, BLAKE2b-256 of the blob's `BlobIdDerivation`.
///
/// Text (and JSON) form: 43 characters of unpadded base64url. BCS: the 32 raw bytes, which is
/// also the BCS of the on-chain `u256` (see [`U256`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BlobId(pub [u8; 32]);

impl BlobId {
    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl From<[u8; 32]> for BlobId {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
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
    type Err = IdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| IdParseError::BlobId(s.to_owned()))?;
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| IdParseError::BlobId(s.to_owned()))
    }
}

impl Serialize for BlobId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serialize_fixed(&self.0, serializer)
        }
    }
}

impl<'de> Deserialize<'de> for BlobId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            s.parse().map_err(de::Error::custom)
        } else {
            deserialize_fixed::<D, 32>(deserializer).map(Self)
        }
    }
}

/// Serializes a byte array as a fixed-size tuple (BCS: no length prefix).
pub(crate) fn serialize_fixed<S: Serializer, const N: usize>(
    bytes: &[u8; N],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut tuple = serializer.serialize_tuple(N)?;
    for b in bytes {
        tuple.serialize_element(b)?;
    }
    tuple.end()
}

/// Deserializes a byte array written by [`serialize_fixed`].
pub(crate) fn deserialize_fixed<'de, D: Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<[u8; N], D::Error> {
    struct FixedVisitor<const N: usize>;

    impl<'de, const N: usize> Visitor<'de> for FixedVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(i, &self))?;
            }
            Ok(out)
        }
    }

    deserializer.deserialize_tuple(N, FixedVisitor::<N>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u256_decimal_round_trip() {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        assert_eq!(U256::MAX.to_string(), max);
        assert_eq!(max.parse::<U256>(), Ok(U256::MAX));
        assert!(
            "115792089237316195423570985008687907853269984665640564039457584007913129639936"
                .parse::<U256>()
                .is_err()
        );
        assert_eq!(U256::from(1234567890123u64).to_string(), "1234567890123");
        assert_eq!("0".parse::<U256>(), Ok(U256::ZERO));
        assert!("".parse::<U256>().is_err());
        assert!("12a".parse::<U256>().is_err());
    }

    #[test]
    fn u256_decimal_pads_inner_chunks() {
        // 10^19 and 10^38 + 1: the zeros inside a 19-digit chunk are kept.
        let ten19 = U256::from(10_000_000_000_000_000_000u128);
        assert_eq!(ten19.to_string(), "10000000000000000000");
        let v: U256 = "100000000000000000000000000000000000001".parse().unwrap();
        assert_eq!(v.to_string(), "100000000000000000000000000000000000001");
    }

    proptest::proptest! {
        #[test]
        fn u256_decimal_round_trips(bytes in proptest::array::uniform32(proptest::prelude::any::<u8>())) {
            let v = U256(bytes);
            let text = v.to_string();
            proptest::prop_assert!(text == "0" || !text.starts_with('0'));
            proptest::prop_assert_eq!(text.parse::<U256>(), Ok(v));
        }
    }

    #[test]
    fn u256_is_little_endian_in_bcs() {
        let v = U256::from(0x0102u16);
        let bytes = bcs::to_bytes(&v).unwrap();
        assert_eq!(bytes.len(), 32);
        assert_eq!(&bytes[..3], &[0x02, 0x01, 0x00]);
        assert_eq!(bcs::from_bytes::<U256>(&bytes).unwrap(), v);
        assert!(U256::from(1u8) < U256::from(256u16));
        assert_eq!(U256::from_be_bytes(v.to_be_bytes()), v);
    }

    #[test]
    fn blob_id_text_and_u256() {
        let id: BlobId = "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY"
            .parse()
            .unwrap();
        assert_eq!(
            id.to_string(),
            "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY"
        );
        let v = U256::from(id);
        assert_eq!(v.to_le_bytes(), id.0);
        assert_eq!(bcs::to_bytes(&v).unwrap(), bcs::to_bytes(&id).unwrap());
        assert_eq!(BlobId::from(v), id);
        assert!("RcU82Mwf".parse::<BlobId>().is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY\"");
    }

    #[test]
    fn object_id_display() {
        let id = ObjectId::new([0xab; 32]);
        assert_eq!(id.to_string(), format!("0x{}", "ab".repeat(32)));
        assert_eq!(id.to_string().parse::<ObjectId>(), Ok(id));
        assert_eq!(bcs::to_bytes(&id).unwrap(), vec![0xab; 32]);
    }
}
