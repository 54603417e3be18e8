//! Serde helpers: fixed-size byte strings are raw bytes in BCS and standard padded base64 in JSON
//! (what Seal's fastcrypto types and `@mysten/seal` use).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};
use std::fmt;
use std::marker::PhantomData;

pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub(crate) fn b64_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(s)
}

/// `[u8; N]`: a tuple of N bytes (no length prefix) in binary formats, base64 in readable ones.
pub(crate) mod fixed {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&b64_encode(bytes))
        } else {
            use serde::ser::SerializeTuple as _;
            let mut t = s.serialize_tuple(N)?;
            for b in bytes {
                t.serialize_element(b)?;
            }
            t.end()
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            let v = b64_decode(&s).map_err(D::Error::custom)?;
            let len = v.len();
            v.try_into()
                .map_err(|_| D::Error::custom(format!("expected {N} bytes, got {len}")))
        } else {
            d.deserialize_tuple(N, ArrayVisitor::<N>(PhantomData))
        }
    }

    struct ArrayVisitor<const N: usize>(PhantomData<[u8; N]>);

    impl<'de, const N: usize> Visitor<'de> for ArrayVisitor<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{N} bytes")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[u8; N], A::Error> {
            let mut out = [0u8; N];
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::invalid_length(i, &self))?;
            }
            Ok(out)
        }
    }
}

/// `Vec<u8>` as a base64 string (JSON only).
pub(crate) mod b64 {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&b64_encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        b64_decode(&s).map_err(D::Error::custom)
    }
}

/// Implements `Serialize`/`Deserialize` for a validated fixed-size type through
/// `to_bytes() -> [u8; N]` and `from_bytes(&[u8; N]) -> Result<Self, Error>`.
macro_rules! bytes_serde {
    ($ty:ty, $n:expr) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::codec::fixed::serialize::<S, { $n }>(&self.to_bytes(), s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let bytes = $crate::codec::fixed::deserialize::<D, { $n }>(d)?;
                <$ty>::from_bytes(&bytes).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}
pub(crate) use bytes_serde;

/// An owned fixed-size byte string with the encoding of [`fixed`], for use inside tuples.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Fixed<const N: usize>(pub(crate) [u8; N]);

impl<const N: usize> serde::Serialize for Fixed<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fixed::serialize(&self.0, s)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Fixed<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fixed::deserialize(d).map(Self)
    }
}
