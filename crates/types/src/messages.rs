//! Protocol messages signed by storage nodes (walrus-protocol.md §4): their bytes only; the node
//! crate signs and verifies.

use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::{Address, BlobId, Epoch, ObjectId, U256, deserialize_fixed, serialize_fixed};
use crate::move_type::move_struct;

/// The intent version of every protocol message.
pub const INTENT_VERSION: u8 = 0;
/// The application ID of Walrus storage messages.
pub const STORAGE_APP_ID: u8 = 3;
/// Length of the header `intent(3) ‖ epoch u32`.
pub const HEADER_LEN: usize = 7;

/// What a protocol message says; its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum IntentType {
    /// A BLS key's proof of possession.
    ProofOfPossession = 0,
    /// A storage confirmation (blob certification).
    BlobCertMsg = 1,
    /// An invalid-blob-ID attestation.
    InvalidBlobIdMsg = 2,
    /// A shard-sync request.
    SyncShardMsg = 3,
    /// A deny-list update.
    DenyListUpdateMsg = 4,
    /// A deny-listed blob's deletion.
    DenyListBlobDeleted = 5,
    /// A protocol-version update.
    ProtocolVersionMsg = 6,
}

impl TryFrom<u8> for IntentType {
    type Error = MessageError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Ok(match value {
            0 => Self::ProofOfPossession,
            1 => Self::BlobCertMsg,
            2 => Self::InvalidBlobIdMsg,
            3 => Self::SyncShardMsg,
            4 => Self::DenyListUpdateMsg,
            5 => Self::DenyListBlobDeleted,
            6 => Self::ProtocolVersionMsg,
            got => return Err(MessageError::UnknownIntentType { got }),
        })
    }
}

impl Serialize for IntentType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(*self as u8)
    }
}

impl<'de> Deserialize<'de> for IntentType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = u8::deserialize(deserializer)?;
        Self::try_from(v).map_err(de::Error::custom)
    }
}

/// The 3-byte intent that starts every protocol message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Intent {
    /// What the message says.
    pub intent_type: IntentType,
    /// Always [`INTENT_VERSION`].
    pub version: u8,
    /// Always [`STORAGE_APP_ID`].
    pub app_id: u8,
}

impl Intent {
    /// The storage intent of the given type.
    pub const fn storage(intent_type: IntentType) -> Self {
        Self {
            intent_type,
            version: INTENT_VERSION,
            app_id: STORAGE_APP_ID,
        }
    }

    /// The three bytes.
    pub const fn to_bytes(self) -> [u8; 3] {
        [self.intent_type as u8, self.version, self.app_id]
    }
}

/// Errors decoding a protocol message, signed message or certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Shorter than the 7-byte header.
    #[error("message too short: {len} bytes, the header alone is {HEADER_LEN}")]
    Truncated {
        /// The length received.
        len: usize,
    },
    /// The intent type byte names no known message.
    #[error("unknown intent type {got}")]
    UnknownIntentType {
        /// The byte received.
        got: u8,
    },
    /// The intent type is not the one expected.
    #[error("wrong intent type: expected {expected:?}, got {got}")]
    WrongIntentType {
        /// The type the caller decodes.
        expected: IntentType,
        /// The byte received.
        got: u8,
    },
    /// The intent version is not [`INTENT_VERSION`].
    #[error("wrong intent version: expected {INTENT_VERSION}, got {got}")]
    WrongIntentVersion {
        /// The byte received.
        got: u8,
    },
    /// The app ID is not [`STORAGE_APP_ID`].
    #[error("wrong app id: expected {STORAGE_APP_ID}, got {got}")]
    WrongAppId {
        /// The byte received.
        got: u8,
    },
    /// The body after the header is not a valid BCS value of the expected type (or has
    /// trailing bytes).
    #[error("invalid message body: {0}")]
    Body(#[from] bcs::Error),
}

/// The body of a protocol message: what follows the 7-byte header.
pub trait MessageBody: Serialize + DeserializeOwned {
    /// The intent type of messages with this body.
    const INTENT_TYPE: IntentType;
}

/// `intent ‖ epoch u32 ‖ BCS(body)`: a message a storage node signs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProtocolMessage<T> {
    /// The intent (type, version, app ID).
    pub intent: Intent,
    /// The epoch the message is for.
    pub epoch: Epoch,
    /// The message's contents.
    pub body: T,
}

impl<T: MessageBody> ProtocolMessage<T> {
    /// A message for `epoch` with the storage intent of `T`.
    pub fn new(epoch: Epoch, body: T) -> Self {
        Self {
            intent: Intent::storage(T::INTENT_TYPE),
            epoch,
            body,
        }
    }

    /// The BCS bytes (what is signed).
    pub fn to_bcs(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + 41);
        out.extend_from_slice(&self.intent.to_bytes());
        out.extend_from_slice(&self.epoch.to_le_bytes());
        // The bodies of this module are plain structs and enums: serializing them cannot fail.
        out.extend_from_slice(&bcs::to_bytes(&self.body).unwrap_or_default());
        out
    }

    /// Decodes `bytes`, checking the intent type, version and app ID.
    ///
    /// # Errors
    /// A [`MessageError`] naming what is wrong; trailing bytes are rejected.
    pub fn from_bcs(bytes: &[u8]) -> Result<Self, MessageError> {
        let (intent, epoch) = parse_header(bytes, T::INTENT_TYPE)?;
        let body = bcs::from_bytes(&bytes[HEADER_LEN..])?;
        Ok(Self {
            intent,
            epoch,
            body,
        })
    }
}

/// Checks the 7-byte header of a message of type `expected`; returns the intent and epoch.
///
/// # Errors
/// [`MessageError::Truncated`], or the first wrong field of the intent.
pub fn parse_header(bytes: &[u8], expected: IntentType) -> Result<(Intent, Epoch), MessageError> {
    let Some(header) = bytes.first_chunk::<HEADER_LEN>() else {
        return Err(MessageError::Truncated { len: bytes.len() });
    };
    let [ty, version, app_id, e0, e1, e2, e3] = *header;
    if ty != expected as u8 {
        return Err(MessageError::WrongIntentType { expected, got: ty });
    }
    if version != INTENT_VERSION {
        return Err(MessageError::WrongIntentVersion { got: version });
    }
    if app_id != STORAGE_APP_ID {
        return Err(MessageError::WrongAppId { got: app_id });
    }
    Ok((
        Intent::storage(expected),
        u32::from_le_bytes([e0, e1, e2, e3]),
    ))
}

/// How a certified blob is kept: `walrus::messages::BlobPersistenceType` (enum, copy, drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlobPersistenceType {
    /// Kept until it expires.
    Permanent,
    /// May be deleted by its owner.
    Deletable {
        /// The Sui object ID of the `Blob`.
        object_id: ObjectId,
    },
}

move_struct!(BlobPersistenceType, Walrus, "messages", "BlobPersistenceType",
    enum [("Permanent", []), ("Deletable", [("object_id", "ID")])]);

/// Body of a storage confirmation: the node stores its slivers of `blob_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StorageConfirmationBody {
    /// The blob.
    pub blob_id: BlobId,
    /// How the blob is kept.
    pub blob_type: BlobPersistenceType,
}

impl MessageBody for StorageConfirmationBody {
    const INTENT_TYPE: IntentType = IntentType::BlobCertMsg;
}

/// A storage confirmation (intent type 1): 40 bytes when permanent, 72 when deletable.
pub type StorageConfirmation = ProtocolMessage<StorageConfirmationBody>;

/// Body of an invalid-blob-ID attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvalidBlobIdBody {
    /// The invalid blob.
    pub blob_id: BlobId,
}

impl MessageBody for InvalidBlobIdBody {
    const INTENT_TYPE: IntentType = IntentType::InvalidBlobIdMsg;
}

/// An invalid-blob-ID attestation (intent type 2).
pub type InvalidBlobIdMsg = ProtocolMessage<InvalidBlobIdBody>;

/// Body of a proof of possession: the sender's address and the BLS key, signed by that key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProofOfPossessionBody {
    /// The Sui address registering the key (`ctx.sender()`).
    pub sui_address: Address,
    /// The compressed BLS public key.
    pub bls_public_key: BlsPublicKey,
}

impl MessageBody for ProofOfPossessionBody {
    const INTENT_TYPE: IntentType = IntentType::ProofOfPossession;
}

/// A proof of possession (intent type 0): 7 + 32 + 48 = 87 bytes.
pub type ProofOfPossessionMsg = ProtocolMessage<ProofOfPossessionBody>;

/// Which sliver of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SliverType {
    /// The primary sliver.
    Primary,
    /// The secondary sliver.
    Secondary,
}

/// Body of a shard-sync request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncShardRequest {
    /// Version 1.
    V1 {
        /// The shard to sync.
        shard_index: u16,
        /// Primary or secondary slivers.
        sliver_type: SliverType,
        /// First blob ID to return.
        starting_blob_id: BlobId,
        /// Maximum number of slivers.
        sliver_count: u64,
        /// The epoch of the request.
        epoch: Epoch,
    },
}

impl MessageBody for SyncShardRequest {
    const INTENT_TYPE: IntentType = IntentType::SyncShardMsg;
}

/// A shard-sync request (intent type 3).
pub type SyncShardMsg = ProtocolMessage<SyncShardRequest>;

/// Body of a deny-list update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DenyListUpdateBody {
    /// The node whose deny list it is.
    pub storage_node_id: ObjectId,
    /// The deny list's sequence number.
    pub sequence_number: u64,
    /// The deny list's size.
    pub size: u64,
    /// The deny list's root.
    pub root: U256,
}

impl MessageBody for DenyListUpdateBody {
    const INTENT_TYPE: IntentType = IntentType::DenyListUpdateMsg;
}

/// A deny-list update (intent type 4).
pub type DenyListUpdateMsg = ProtocolMessage<DenyListUpdateBody>;

/// Body of a deny-listed blob's deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DenyListBlobDeletedBody {
    /// The blob.
    pub blob_id: BlobId,
}

impl MessageBody for DenyListBlobDeletedBody {
    const INTENT_TYPE: IntentType = IntentType::DenyListBlobDeleted;
}

/// A deny-listed blob's deletion (intent type 5).
pub type DenyListBlobDeletedMsg = ProtocolMessage<DenyListBlobDeletedBody>;

/// Body of a protocol-version update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProtocolVersionBody {
    /// First epoch of the new version.
    pub start_epoch: Epoch,
    /// The new version.
    pub protocol_version: u64,
}

impl MessageBody for ProtocolVersionBody {
    const INTENT_TYPE: IntentType = IntentType::ProtocolVersionMsg;
}

/// A protocol-version update (intent type 6).
pub type ProtocolVersionMsg = ProtocolMessage<ProtocolVersionBody>;

macro_rules! fixed_bytes {
    ($(#[$m:meta])* $name:ident, $len:literal) => {
        $(#[$m])*
        ///
        /// BCS: the raw bytes, no length prefix (as fastcrypto writes them); human-readable
        /// formats: a standard base64 string.
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LENGTH: usize = $len;
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), STANDARD.encode(self.0))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.serialize_str(&STANDARD.encode(self.0))
                } else {
                    serialize_fixed(&self.0, serializer)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    let s = String::deserialize(deserializer)?;
                    let bytes = STANDARD.decode(&s).map_err(de::Error::custom)?;
                    <[u8; $len]>::try_from(bytes).map(Self).map_err(|b| {
                        de::Error::custom(format!("expected {} bytes, got {}", $len, b.len()))
                    })
                } else {
                    deserialize_fixed::<D, $len>(deserializer).map(Self)
                }
            }
        }
    };
}

fixed_bytes!(
    /// A compressed BLS12-381 G1 public key (48 bytes).
    BlsPublicKey,
    48
);
fixed_bytes!(
    /// A compressed BLS12-381 G2 signature, single or aggregate (96 bytes).
    BlsSignature,
    96
);

/// Standard-base64 strings in human-readable formats, plain bytes otherwise.
mod base64_bytes {
    use super::*;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&STANDARD.encode(bytes))
        } else {
            bytes.serialize(serializer)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            STANDARD.decode(&s).map_err(de::Error::custom)
        } else {
            Vec::<u8>::deserialize(deserializer)
        }
    }
}

/// A serialized protocol message with one node's BLS signature over exactly those bytes.
///
/// BCS: `vector<u8>` message then the 96 signature bytes. JSON:
/// `{"serializedMessage": "<base64>", "signature": "<base64>"}`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound = "")]
pub struct SignedMessage<T> {
    /// The BCS of a [`ProtocolMessage<T>`].
    #[serde(with = "base64_bytes")]
    pub serialized_message: Vec<u8>,
    /// The signature over `serialized_message`.
    pub signature: BlsSignature,
    #[serde(skip)]
    _body: PhantomData<T>,
}

impl<T> fmt::Debug for SignedMessage<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedMessage")
            .field("serialized_message", &hex::encode(&self.serialized_message))
            .field("signature", &self.signature)
            .finish()
    }
}

impl<T: MessageBody> SignedMessage<T> {
    /// Wraps a message and its signature.
    pub fn new(message: &ProtocolMessage<T>, signature: BlsSignature) -> Self {
        Self::from_parts(message.to_bcs(), signature)
    }

    /// Wraps already serialized bytes and their signature (not checked until [`Self::message`]).
    pub fn from_parts(serialized_message: Vec<u8>, signature: BlsSignature) -> Self {
        Self {
            serialized_message,
            signature,
            _body: PhantomData,
        }
    }

    /// Decodes the signed message.
    ///
    /// # Errors
    /// As [`ProtocolMessage::from_bcs`].
    pub fn message(&self) -> Result<ProtocolMessage<T>, MessageError> {
        ProtocolMessage::from_bcs(&self.serialized_message)
    }
}

/// A signed storage confirmation, as a node's `/confirmation` endpoint returns it.
pub type SignedStorageConfirmation = SignedMessage<StorageConfirmationBody>;

/// A message signed by several nodes, with their aggregate signature.
///
/// JSON: `{"signers": [..], "serializedMessage": "<base64>", "signature": "<base64>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolMessageCertificate {
    /// Indices of the signers in the committee's member list.
    pub signers: Vec<u16>,
    /// The message all of them signed.
    #[serde(with = "base64_bytes")]
    pub serialized_message: Vec<u8>,
    /// The sum of their signatures.
    pub signature: BlsSignature,
}

impl ProtocolMessageCertificate {
    /// The signer bitmap `certify_blob` takes: bit `i` (LSB first within each byte) set when
    /// member `i` signed; `ceil(n_members / 8)` bytes. Indices at or beyond `n_members` are
    /// ignored.
    pub fn signers_bitmap(&self, n_members: usize) -> Vec<u8> {
        let mut bitmap = vec![0u8; n_members.div_ceil(8)];
        for &i in &self.signers {
            let i = usize::from(i);
            if i < n_members {
                bitmap[i / 8] |= 1 << (i % 8);
            }
        }
        bitmap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_confirmation_is_the_40_byte_example() {
        let msg = StorageConfirmation::new(
            21,
            StorageConfirmationBody {
                blob_id: BlobId([7; 32]),
                blob_type: BlobPersistenceType::Permanent,
            },
        );
        let bytes = msg.to_bcs();
        let mut expected = vec![0x01, 0x00, 0x03, 0x15, 0x00, 0x00, 0x00];
        expected.extend_from_slice(&[7; 32]);
        expected.push(0);
        assert_eq!(bytes, expected);
        assert_eq!(StorageConfirmation::from_bcs(&bytes), Ok(msg));
    }

    #[test]
    fn deletable_confirmation_is_72_bytes() {
        let msg = StorageConfirmation::new(
            1,
            StorageConfirmationBody {
                blob_id: BlobId([1; 32]),
                blob_type: BlobPersistenceType::Deletable {
                    object_id: ObjectId::new([9; 32]),
                },
            },
        );
        let bytes = msg.to_bcs();
        assert_eq!(bytes.len(), 72);
        assert_eq!(bytes[39], 1);
        assert_eq!(&bytes[40..], &[9; 32]);
        assert_eq!(StorageConfirmation::from_bcs(&bytes), Ok(msg));
    }

    #[test]
    fn header_errors_are_typed() {
        let good = StorageConfirmation::new(
            2,
            StorageConfirmationBody {
                blob_id: BlobId([0; 32]),
                blob_type: BlobPersistenceType::Permanent,
            },
        )
        .to_bcs();
        assert_eq!(
            StorageConfirmation::from_bcs(&good[..5]),
            Err(MessageError::Truncated { len: 5 })
        );
        let mut bad = good.clone();
        bad[0] = 2;
        assert_eq!(
            StorageConfirmation::from_bcs(&bad),
            Err(MessageError::WrongIntentType {
                expected: IntentType::BlobCertMsg,
                got: 2
            })
        );
        let mut bad = good.clone();
        bad[1] = 1;
        assert_eq!(
            StorageConfirmation::from_bcs(&bad),
            Err(MessageError::WrongIntentVersion { got: 1 })
        );
        let mut bad = good.clone();
        bad[2] = 0;
        assert_eq!(
            StorageConfirmation::from_bcs(&bad),
            Err(MessageError::WrongAppId { got: 0 })
        );
        assert!(matches!(
            StorageConfirmation::from_bcs(&good[..20]),
            Err(MessageError::Body(_))
        ));
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(
            StorageConfirmation::from_bcs(&long),
            Err(MessageError::Body(_))
        ));
        let mut bad_variant = good;
        bad_variant[39] = 2;
        assert!(matches!(
            StorageConfirmation::from_bcs(&bad_variant),
            Err(MessageError::Body(_))
        ));
    }

    #[test]
    fn signed_message_json_and_bcs() {
        let msg = StorageConfirmation::new(
            21,
            StorageConfirmationBody {
                blob_id: BlobId([7; 32]),
                blob_type: BlobPersistenceType::Permanent,
            },
        );
        let signed = SignedStorageConfirmation::new(&msg, BlsSignature([0xaa; 96]));
        let json = serde_json::to_value(&signed).unwrap();
        assert_eq!(
            json["serializedMessage"],
            STANDARD.encode(msg.to_bcs()).as_str()
        );
        assert_eq!(json["signature"], STANDARD.encode([0xaa; 96]).as_str());
        let back: SignedStorageConfirmation = serde_json::from_value(json).unwrap();
        assert_eq!(back, signed);
        assert_eq!(back.message(), Ok(msg));

        let bcs_bytes = bcs::to_bytes(&signed).unwrap();
        assert_eq!(bcs_bytes.len(), 1 + 40 + 96);
        assert_eq!(bcs_bytes[0], 40);
        assert_eq!(
            bcs::from_bytes::<SignedStorageConfirmation>(&bcs_bytes).unwrap(),
            signed
        );
    }

    #[test]
    fn proof_of_possession_layout() {
        let msg = ProofOfPossessionMsg::new(
            5,
            ProofOfPossessionBody {
                sui_address: Address::new([0x11; 32]),
                bls_public_key: BlsPublicKey([0x22; 48]),
            },
        );
        let bytes = msg.to_bcs();
        assert_eq!(bytes.len(), 87);
        assert_eq!(&bytes[..7], &[0, 0, 3, 5, 0, 0, 0]);
        assert_eq!(&bytes[7..39], &[0x11; 32]);
        assert_eq!(&bytes[39..], &[0x22; 48]);
        assert_eq!(ProofOfPossessionMsg::from_bcs(&bytes), Ok(msg));
    }

    #[test]
    fn certificate_bitmap() {
        let cert = ProtocolMessageCertificate {
            signers: vec![0, 3, 8, 20],
            serialized_message: vec![],
            signature: BlsSignature([0; 96]),
        };
        assert_eq!(cert.signers_bitmap(9), vec![0b0000_1001, 0b0000_0001]);
        assert_eq!(cert.signers_bitmap(1), vec![1]);
        let json = serde_json::to_string(&cert).unwrap();
        assert!(json.contains("\"serializedMessage\":\"\""));
        assert_eq!(
            serde_json::from_str::<ProtocolMessageCertificate>(&json).unwrap(),
            cert
        );
    }
}
