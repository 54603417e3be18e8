//! The BCS `EncryptedObject` (version 0), identical in Seal's Rust, TypeScript and Move code.

use crate::ibe::Nonce;
use crate::{KEY_SIZE, ParseError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A Sui object id or address: 32 bytes. BCS writes the raw bytes; JSON writes `0x` and 64
/// lowercase hex digits (and accepts 1 to 64 digits, left-padded with zeros).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjectId(pub [u8; 32]);

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not an object id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Sui object id (0x and 1 to 64 hex digits): {0:?}")]
pub struct ObjectIdParseError(String);

impl FromStr for ObjectId {
    type Err = ObjectIdParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ObjectIdParseError(s.chars().take(80).collect());
        let digits = s.strip_prefix("0x").ok_or_else(err)?;
        if digits.is_empty() || digits.len() > 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(err());
        }
        let padded = format!("{digits:0>64}");
        let mut out = [0u8; 32];
        hex::decode_to_slice(&padded, &mut out).map_err(|_| err())?;
        Ok(Self(out))
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(d).map(Self)
        }
    }
}

/// A Seal ciphertext: the KEM part (one masked Shamir share per key server, all under one
/// nonce) and the DEM part. Build one with [`crate::encrypt`] or [`EncryptedObject::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedObject {
    /// Format version; only 0 exists.
    pub version: u8,
    /// The first-version id of the policy package: the identity namespace.
    pub package_id: ObjectId,
    /// The inner id; the identity is `package_id ‖ id`.
    #[serde(with = "serde_bytes")]
    pub id: Vec<u8>,
    /// Key-server object ids with the Shamir index each one's share is at. A server may appear
    /// several times (weight), each time with its own index.
    pub services: Vec<(ObjectId, u8)>,
    /// How many shares decrypt.
    pub threshold: u8,
    /// The KEM ciphertexts.
    pub encrypted_shares: IbeEncryptions,
    /// The DEM ciphertext.
    pub ciphertext: Ciphertext,
}

/// [`EncryptedObject`] with the DEM blob borrowed from the parsed bytes, for
/// [`EncryptedObject::parse_taking`]. Same BCS layout.
#[derive(Deserialize)]
struct Framed<'a> {
    version: u8,
    package_id: ObjectId,
    #[serde(with = "serde_bytes")]
    id: Vec<u8>,
    services: Vec<(ObjectId, u8)>,
    threshold: u8,
    encrypted_shares: IbeEncryptions,
    #[serde(borrow)]
    ciphertext: FramedCiphertext<'a>,
}

/// [`Ciphertext`] with a borrowed blob.
#[derive(Deserialize)]
enum FramedCiphertext<'a> {
    Aes256Gcm {
        blob: &'a [u8],
        #[serde(with = "serde_bytes")]
        aad: Option<Vec<u8>>,
    },
    Hmac256Ctr {
        blob: &'a [u8],
        #[serde(with = "serde_bytes")]
        aad: Option<Vec<u8>>,
        mac: [u8; KEY_SIZE],
    },
    Plain,
}

/// The KEM part of an object (BCS enum; only tag 0 is supported).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IbeEncryptions {
    /// Boneh–Franklin over BLS12-381 (tag 0).
    BonehFranklinBls12381 {
        /// `r·g2`.
        nonce: Nonce,
        /// `share_i ⊕ H2(e(r·H1(id), pk_i), …)`, one per service, in order.
        encrypted_shares: Vec<[u8; KEY_SIZE]>,
        /// `r ⊕ H3(base_key, purpose 0, …)`.
        encrypted_randomness: [u8; KEY_SIZE],
    },
}

/// The DEM part of an object (BCS enum).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ciphertext {
    /// AES-256-GCM with the fixed IV (tag 0); `blob` = ciphertext ‖ tag.
    Aes256Gcm {
        /// Ciphertext and 16-byte tag.
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
        /// Associated data (the TS SDK always writes `Some`, possibly empty).
        #[serde(with = "serde_bytes")]
        aad: Option<Vec<u8>>,
    },
    /// HMAC-SHA3-256-CTR (tag 1), the mode Move can decrypt.
    Hmac256Ctr {
        /// Ciphertext, as long as the plaintext.
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
        /// Associated data.
        #[serde(with = "serde_bytes")]
        aad: Option<Vec<u8>>,
        /// The MAC over aad and ciphertext.
        mac: [u8; KEY_SIZE],
    },
    /// No payload (tag 2): decryption yields the derived key itself.
    Plain,
}

impl EncryptedObject {
    /// Parses BCS bytes and checks every validity rule: version 0, one share per service,
    /// nonzero and unique share indices, 0 < threshold ≤ services, a nonce in G2, no trailing
    /// bytes. Never panics, whatever the input.
    pub fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        // Check the version byte first, so another version gets a clear error.
        match bytes.first() {
            Some(0) | None => {}
            Some(v) => return Err(ParseError::Version(*v)),
        }
        let obj: Self = bcs::from_bytes(bytes).map_err(|e| ParseError::Bcs(e.to_string()))?;
        obj.validate()?;
        Ok(obj)
    }

    /// [`EncryptedObject::parse`] of the bytes in `bytes`, taking the buffer on success (it is
    /// left empty) and leaving it untouched on failure. The payload is not copied into a new
    /// allocation: it is moved to the front of the buffer, which becomes the object's blob.
    pub fn parse_taking(bytes: &mut Vec<u8>) -> Result<Self, ParseError> {
        match bytes.first() {
            Some(0) | None => {}
            Some(v) => return Err(ParseError::Version(*v)),
        }
        let framed: Framed<'_> =
            bcs::from_bytes(bytes).map_err(|e| ParseError::Bcs(e.to_string()))?;
        // Where the blob lies in `bytes` (it borrows from it).
        let blob_range = |blob: &[u8]| {
            let start = (blob.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
            start..start + blob.len()
        };
        let (range, ciphertext) = match framed.ciphertext {
            FramedCiphertext::Aes256Gcm { blob, aad } => (
                Some(blob_range(blob)),
                Ciphertext::Aes256Gcm { blob: vec![], aad },
            ),
            FramedCiphertext::Hmac256Ctr { blob, aad, mac } => (
                Some(blob_range(blob)),
                Ciphertext::Hmac256Ctr {
                    blob: vec![],
                    aad,
                    mac,
                },
            ),
            FramedCiphertext::Plain => (None, Ciphertext::Plain),
        };
        let mut obj = Self {
            version: framed.version,
            package_id: framed.package_id,
            id: framed.id,
            services: framed.services,
            threshold: framed.threshold,
            encrypted_shares: framed.encrypted_shares,
            ciphertext,
        };
        obj.validate()?;
        if let (
            Some(range),
            Ciphertext::Aes256Gcm { blob, .. } | Ciphertext::Hmac256Ctr { blob, .. },
        ) = (range, &mut obj.ciphertext)
        {
            let mut buffer = std::mem::take(bytes);
            buffer.truncate(range.end);
            buffer.drain(..range.start);
            *blob = buffer;
        } else {
            bytes.clear();
        }
        Ok(obj)
    }

    /// Checks the validity rules of [`EncryptedObject::parse`] on an object built in memory.
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.version != 0 {
            return Err(ParseError::Version(self.version));
        }
        let IbeEncryptions::BonehFranklinBls12381 {
            encrypted_shares, ..
        } = &self.encrypted_shares;
        if encrypted_shares.len() != self.services.len() {
            return Err(ParseError::ShareCount {
                shares: encrypted_shares.len(),
                services: self.services.len(),
            });
        }
        let mut seen = [false; 256];
        for (position, (_, index)) in self.services.iter().enumerate() {
            if *index == 0 {
                return Err(ParseError::ZeroIndex { position });
            }
            if std::mem::replace(&mut seen[*index as usize], true) {
                return Err(ParseError::DuplicateIndex { index: *index });
            }
        }
        if self.threshold == 0 || self.threshold as usize > self.services.len() {
            return Err(ParseError::Threshold {
                threshold: self.threshold,
                services: self.services.len(),
            });
        }
        Ok(())
    }

    /// The BCS bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = match &self.ciphertext {
            Ciphertext::Aes256Gcm { blob, aad } | Ciphertext::Hmac256Ctr { blob, aad, .. } => {
                blob.len() + aad.as_ref().map_or(0, Vec::len)
            }
            Ciphertext::Plain => 0,
        };
        let mut out = Vec::with_capacity(self.header_len() + payload + 2 * KEY_SIZE);
        self.put_header(&mut out);
        match &self.ciphertext {
            Ciphertext::Aes256Gcm { blob, aad } => {
                out.push(0);
                put_bytes(&mut out, blob);
                put_option_bytes(&mut out, aad.as_deref());
            }
            Ciphertext::Hmac256Ctr { blob, aad, mac } => {
                out.push(1);
                put_bytes(&mut out, blob);
                put_option_bytes(&mut out, aad.as_deref());
                out.extend_from_slice(mac);
            }
            Ciphertext::Plain => out.push(2),
        }
        out
    }

    /// An upper bound on the bytes before the DEM part, for reserving buffers.
    pub(crate) fn header_len(&self) -> usize {
        200 + self.id.len() + 65 * self.services.len()
    }

    /// Appends the BCS of every field before `ciphertext`.
    pub(crate) fn put_header(&self, out: &mut Vec<u8>) {
        let IbeEncryptions::BonehFranklinBls12381 {
            nonce,
            encrypted_shares,
            encrypted_randomness,
        } = &self.encrypted_shares;
        out.push(self.version);
        out.extend_from_slice(&self.package_id.0);
        put_bytes(out, &self.id);
        put_uleb(out, self.services.len());
        for (id, index) in &self.services {
            out.extend_from_slice(&id.0);
            out.push(*index);
        }
        out.push(self.threshold);
        out.push(0); // BonehFranklinBls12381
        out.extend_from_slice(&nonce.to_bytes());
        put_uleb(out, encrypted_shares.len());
        for s in encrypted_shares {
            out.extend_from_slice(s);
        }
        out.extend_from_slice(encrypted_randomness);
    }

    /// The identity `package_id ‖ id` the key servers derive keys for.
    pub fn full_id(&self) -> Vec<u8> {
        crate::full_id(&self.package_id, &self.id)
    }
}

pub(crate) fn put_uleb(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_uleb(out, bytes.len());
    out.extend_from_slice(bytes);
}

pub(crate) fn put_option_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_bytes(out, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ibe::MasterKey;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn object_id_text() {
        let id: ObjectId = "0x2".parse().unwrap();
        assert_eq!(
            id.to_string(),
            "0x0000000000000000000000000000000000000000000000000000000000000002"
        );
        assert_eq!(id.to_string().parse::<ObjectId>().unwrap(), id);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
        for bad in ["", "0x", "2", "0xzz", &format!("0x{}", "1".repeat(65))] {
            assert!(bad.parse::<ObjectId>().is_err(), "{bad}");
        }
        assert_eq!(bcs::to_bytes(&id).unwrap(), id.0.to_vec());
    }

    fn arb_object() -> impl Strategy<Value = EncryptedObject> {
        (
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 0..40),
            proptest::collection::btree_map(1u8..=255, any::<[u8; 32]>(), 1..6),
            any::<u8>(),
            any::<u64>(),
            any::<[u8; 32]>(),
            prop_oneof![Just(0u8), Just(1), Just(2)],
            proptest::collection::vec(any::<u8>(), 0..300),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
            any::<[u8; 32]>(),
        )
            .prop_map(|(pkg, id, services, t, seed, rnd, dem, blob, aad, mac)| {
                let services: Vec<(ObjectId, u8)> = services
                    .into_iter()
                    .map(|(i, o)| (ObjectId(o), i))
                    .collect();
                let n = services.len();
                let nonce = MasterKey::generate(&mut ChaCha20Rng::seed_from_u64(seed)).public_key();
                EncryptedObject {
                    version: 0,
                    package_id: ObjectId(pkg),
                    id,
                    threshold: 1 + t % n as u8,
                    encrypted_shares: IbeEncryptions::BonehFranklinBls12381 {
                        nonce: Nonce(nonce.0),
                        encrypted_shares: services.iter().map(|(o, _)| o.0).collect(),
                        encrypted_randomness: rnd,
                    },
                    services,
                    ciphertext: match dem {
                        0 => Ciphertext::Aes256Gcm { blob, aad },
                        1 => Ciphertext::Hmac256Ctr { blob, aad, mac },
                        _ => Ciphertext::Plain,
                    },
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// to_bytes is the serde BCS encoding, and parse inverts it.
        #[test]
        fn bcs_round_trip(obj in arb_object()) {
            let bytes = obj.to_bytes();
            prop_assert_eq!(&bytes, &bcs::to_bytes(&obj).unwrap());
            prop_assert_eq!(EncryptedObject::parse(&bytes).unwrap(), obj.clone());
            let mut taken = bytes.clone();
            prop_assert_eq!(EncryptedObject::parse_taking(&mut taken).unwrap(), obj.clone());
            prop_assert!(taken.is_empty());
            // a trailing byte is rejected
            let mut longer = bytes.clone();
            longer.push(0);
            prop_assert!(EncryptedObject::parse(&longer).is_err());
            // every strict prefix is rejected
            for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
                prop_assert!(EncryptedObject::parse(&bytes[..cut]).is_err());
            }
        }

        /// Arbitrary bytes, and valid objects with bytes flipped, never panic the parser.
        #[test]
        fn parse_never_panics(
            junk in proptest::collection::vec(any::<u8>(), 0..600),
            obj in arb_object(),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        ) {
            let _ = EncryptedObject::parse(&junk);
            let mut bytes = obj.to_bytes();
            for (at, x) in flips {
                let n = bytes.len();
                bytes[at % n] ^= x;
            }
            let parsed = EncryptedObject::parse(&bytes);
            if let Ok(parsed) = &parsed {
                prop_assert!(parsed.validate().is_ok());
            }
            // parse_taking agrees, and leaves what it refuses as it was.
            for input in [&junk, &bytes] {
                let mut taken = input.clone();
                let by_parse = EncryptedObject::parse(input);
                match EncryptedObject::parse_taking(&mut taken) {
                    Ok(o) => {
                        prop_assert_eq!(Ok(o), by_parse);
                        prop_assert!(taken.is_empty());
                    }
                    Err(e) => {
                        prop_assert_eq!(Err(e), by_parse);
                        prop_assert_eq!(&taken, input);
                    }
                }
            }
        }
    }

    #[test]
    fn validity_rules() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let nonce = Nonce(MasterKey::generate(&mut rng).public_key().0);
        let base = EncryptedObject {
            version: 0,
            package_id: ObjectId([1; 32]),
            id: vec![1, 2],
            services: vec![(ObjectId([2; 32]), 1), (ObjectId([3; 32]), 2)],
            threshold: 2,
            encrypted_shares: IbeEncryptions::BonehFranklinBls12381 {
                nonce,
                encrypted_shares: vec![[0; 32]; 2],
                encrypted_randomness: [0; 32],
            },
            ciphertext: Ciphertext::Plain,
        };
        EncryptedObject::parse(&base.to_bytes()).unwrap();
        let check = |f: &dyn Fn(&mut EncryptedObject), want: ParseError| {
            let mut o = base.clone();
            f(&mut o);
            assert_eq!(EncryptedObject::parse(&o.to_bytes()), Err(want));
        };
        check(&|o| o.version = 1, ParseError::Version(1));
        check(
            &|o| o.threshold = 0,
            ParseError::Threshold {
                threshold: 0,
                services: 2,
            },
        );
        check(
            &|o| o.threshold = 3,
            ParseError::Threshold {
                threshold: 3,
                services: 2,
            },
        );
        check(
            &|o| o.services[1].1 = 1,
            ParseError::DuplicateIndex { index: 1 },
        );
        check(
            &|o| o.services[0].1 = 0,
            ParseError::ZeroIndex { position: 0 },
        );
        check(
            &|o| o.services.push((ObjectId([4; 32]), 3)),
            ParseError::ShareCount {
                shares: 2,
                services: 3,
            },
        );
        // an unknown KEM tag and an off-curve nonce are BCS errors
        let mut bytes = base.to_bytes();
        let kem_at = 1 + 32 + 3 + 1 + 2 * 33 + 1;
        bytes[kem_at] = 1;
        assert!(matches!(
            EncryptedObject::parse(&bytes),
            Err(ParseError::Bcs(_))
        ));
        let mut bytes = base.to_bytes();
        bytes[kem_at + 5] ^= 0xff;
        assert!(matches!(
            EncryptedObject::parse(&bytes),
            Err(ParseError::Bcs(_))
        ));
    }
}
